package generator

import (
	"fmt"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// timelineView is the geometry of the room's SVG timeline: one row per
// milestone and task, placed by date, with today and the close date marked.
// Coordinates are in the SVG's own units (viewBox W x H).
type timelineView struct {
	W, H, AxisY, LabelY int
	TodayX, CloseX      float64
	Ticks               []tickView
	Rows                []rowView
	Desc                string
	Critical            bool
}

type tickView struct {
	X     float64
	Label string
}

type rowView struct {
	Y, TextY, Top, TextX float64
	X, X0                float64
	Bar                  bool
	Milestone            bool
	Label, Class         string
}

const (
	tlWidth  = 760
	tlLabels = 230 // width of the label column
	tlRight  = 20
	tlRowH   = 20
	tlTop    = 26
)

// taskDate is the date a task is placed at: its due date, or the computed
// one.
type taskDate func(*deal.Task) (deal.Date, bool)

// newTimeline lays out the plan against today. critical holds the ids of
// tasks on the critical path (may be nil).
func newTimeline(d *deal.Deal, today deal.Date, dateOf taskDate, critical map[string]bool) *timelineView {
	start, end := today, today
	widen := func(x deal.Date) {
		if x.IsZero() {
			return
		}
		if x.Before(start) {
			start = x
		}
		if x.After(end) {
			end = x
		}
	}
	widen(d.Close)
	for i := range d.Milestones {
		widen(d.Milestones[i].Due)
		for j := range d.Milestones[i].Tasks {
			t := &d.Milestones[i].Tasks[j]
			if x, ok := dateOf(t); ok {
				widen(x)
			}
			widen(t.Done)
		}
	}
	start, end = start.AddDays(-4), end.AddDays(4)
	span := float64(start.DaysUntil(end))
	x := func(x deal.Date) float64 {
		return round1(tlLabels + float64(start.DaysUntil(x))/span*float64(tlWidth-tlLabels-tlRight))
	}
	tv := &timelineView{W: tlWidth, TodayX: x(today), Critical: len(critical) > 0}
	if !d.Close.IsZero() {
		tv.CloseX = x(d.Close)
	}
	y := float64(tlTop)
	late, open, done := 0, 0, 0
	for i := range d.Milestones {
		m := &d.Milestones[i]
		mdate := m.Due
		var taskRows []rowView
		allDone := len(m.Tasks) > 0
		for j := range m.Tasks {
			t := &m.Tasks[j]
			when, ok := dateOf(t)
			if t.Status == deal.Done && !t.Done.IsZero() {
				when, ok = t.Done, true
			}
			if !ok {
				continue
			}
			if mdate.IsZero() || when.After(mdate) && m.Due.IsZero() {
				mdate = when
			}
			cls := "open"
			switch {
			case t.Status == deal.Done:
				cls = "done"
				done++
			case deal.DaysLate(d, t, when, today) > 0: // a won deal's sales work is never late
				cls = "late"
				late++
			default:
				open++
				allDone = false
			}
			if t.Status != deal.Done {
				allDone = false
			}
			if critical[t.ID] {
				cls += " crit"
			}
			r := rowView{X: x(when), TextX: 16, Label: clip(t.Title, 32), Class: cls}
			// A bar from the latest dependency to the task shows the chain.
			var from deal.Date
			for _, a := range t.After {
				if u, ok := d.Task(a); ok {
					if ud, ok := dateOf(u); ok && (from.IsZero() || ud.After(from)) {
						from = ud
					}
				}
			}
			if !from.IsZero() && from.Before(when) {
				r.Bar, r.X0 = true, x(from)
			}
			taskRows = append(taskRows, r)
		}
		// A milestone is late once its date has passed with work of it
		// open that can be late (deal.DaysLate against its date), or with
		// no task at all.
		overdue := len(m.Tasks) == 0 && !mdate.IsZero() && mdate.Before(today)
		for j := range m.Tasks {
			overdue = overdue || deal.DaysLate(d, &m.Tasks[j], mdate, today) > 0
		}
		mcls := "open"
		if allDone {
			mcls = "done"
		} else if overdue {
			mcls = "late"
		}
		if !mdate.IsZero() {
			tv.Rows = append(tv.Rows, rowView{X: x(mdate), TextX: 4, Label: clip(m.Title, 34), Class: "ms-row " + mcls, Milestone: true})
		}
		tv.Rows = append(tv.Rows, taskRows...)
	}
	for i := range tv.Rows {
		r := &tv.Rows[i]
		r.Y = y
		r.TextY = y + 4
		r.Top = y - 6
		y += tlRowH
	}
	tv.AxisY = int(y)
	tv.LabelY = int(y) + 12
	tv.H = tv.LabelY + 6
	tv.Ticks = monthTicks(start, end, x)
	tv.Desc = fmt.Sprintf("From %s to %s: %s done, %s open, %s overdue; today is %s, the target signature %s.",
		dateLabel(start.AddDays(4)), dateLabel(end.AddDays(-4)), plural(done, "step", "steps"), plural(open, "step", "steps"),
		plural(late, "step", "steps"), dateLabel(today), dateLabel(d.Close))
	return tv
}

func monthTicks(start, end deal.Date, x func(deal.Date) float64) []tickView {
	t := start.Time()
	m := deal.NewDate(t.Year(), t.Month(), 1)
	if m.Before(start) {
		m = deal.NewDate(t.Year(), t.Month()+1, 1)
	}
	months := start.DaysUntil(end) / 30
	step := 1
	if months > 12 {
		step = 3
	}
	var ticks []tickView
	prevYear := 0
	for ; !m.After(end); m = deal.NewDate(m.Time().Year(), m.Time().Month()+time.Month(step), 1) {
		label := m.Time().Format("Jan")
		if y := m.Time().Year(); y != prevYear && prevYear != 0 || m.Time().Month() == 1 {
			label = m.Time().Format("Jan 2006")
		}
		prevYear = m.Time().Year()
		ticks = append(ticks, tickView{X: x(m), Label: label})
	}
	return ticks
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
