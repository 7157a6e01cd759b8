package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/schedule"
)

// dueDateDeal is a plan written with due dates only (no duration:), as the
// example content is: three open tasks through January, one done.
func dueDateDeal(close deal.Date) *deal.Deal {
	d := patternDeal()
	d.Close = close
	d.Milestones = []deal.Milestone{{ID: "m", Title: "Signed", Lead: "eb", Evidence: "Counter-signed order form", Tasks: []deal.Task{
		{ID: "kickoff", Title: "Kickoff", Owner: "sam", Status: deal.Done, Due: deal.NewDate(2026, time.November, 2), Done: deal.NewDate(2026, time.November, 2), Milestone: "m"},
		{ID: "security", Title: "Security review", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 11), After: []string{"kickoff"}, Milestone: "m"},
		{ID: "legal", Title: "Legal review", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2027, time.January, 15), After: []string{"security"}, Milestone: "m"},
		{ID: "order-form", Title: "Order form signed", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2027, time.January, 20), After: []string{"legal"}, Milestone: "m"},
	}}}
	return d
}

// TestScheduleDueDates: for a plan with due dates only, the schedule line
// says how many tasks are open, the last open due date against the close
// date and the critical path, never "can finish <today>"; the timeline
// marks open tasks on their due dates, not at today.
func TestScheduleDueDates(t *testing.T) {
	today := deal.NewDate(2026, time.November, 22)
	for _, c := range []struct {
		close    deal.Date
		fits     bool
		overrun  int
		text     string
		overdue0 int
	}{
		{close: deal.NewDate(2027, time.January, 29), fits: true,
			text: "3 open tasks, the last due 2027-01-20 (order-form), before the close date 2027-01-29"},
		{close: deal.NewDate(2027, time.January, 20), fits: true,
			text: "3 open tasks, the last due 2027-01-20 (order-form), on the close date"},
		{close: deal.NewDate(2027, time.January, 18), overrun: 2,
			text: "3 open tasks, the last due 2027-01-20 (order-form), 2 business days after the close date 2027-01-18"},
	} {
		d := dueDateDeal(c.close)
		cal := schedule.NewCalendar()
		plan, err := schedule.Compute(d, today, cal)
		if err != nil {
			t.Fatal(err)
		}
		r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today, Calendar: cal}).Report()
		dr := &r.Deals[0]
		s := dr.Schedule
		if s == nil {
			t.Fatalf("close %s: no schedule", c.close)
		}
		if s.Basis != ScheduleDueDates || s.Finish != "" || s.Open != 3 || s.LastDue != "2027-01-20" || s.LastDueTask != "order-form" ||
			s.Fits != c.fits || s.OverrunDays != c.overrun {
			t.Errorf("close %s: schedule %+v, want due-dates, no finish, 3 open, last due 2027-01-20 (order-form), fits %v, overrun %d",
				c.close, s, c.fits, c.overrun)
		}
		if got := scheduleText(s, dr.Close); got != c.text {
			t.Errorf("close %s: schedule line %q, want %q", c.close, got, c.text)
		}
		if strings.Join(s.CriticalPath, " ") != "security legal order-form" {
			t.Errorf("close %s: critical path %v, want security, legal, order-form (through after:)", c.close, s.CriticalPath)
		}
		for name, write := range map[string]func(*strings.Builder) error{
			"table":    func(b *strings.Builder) error { return r.WriteTable(b, false) },
			"markdown": func(b *strings.Builder) error { return r.WriteMarkdown(b) },
			"html":     func(b *strings.Builder) error { return r.WriteHTML(b) },
			"csv":      func(b *strings.Builder) error { return r.WriteCSV(b) },
		} {
			var b strings.Builder
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			if out := b.String(); strings.Contains(out, "can finish") || !strings.Contains(out, "the last due 2027-01-20") {
				t.Errorf("close %s: the %s output does not say the last due date, or says the work can finish:\n%s", c.close, name, out)
			}
			// The chain is what the last due date waits on, not a second
			// "critical path" beside the turn's.
			if out := b.String(); name != "csv" && (!strings.Contains(out, "the chain to the last due") || strings.Contains(out, "critical path: security") || strings.Contains(out, "critical path security")) {
				t.Errorf("close %s: the %s output does not name the chain the last due date waits on:\n%s", c.close, name, out)
			}
		}
	}

	// The timeline: each open task's mark is on its due date's tick.
	d := dueDateDeal(deal.NewDate(2027, time.January, 29))
	plan, _ := schedule.Compute(d, today, schedule.NewCalendar())
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	ch := timelineChart(r.Today, &r.Deals[0])
	var dues []float64
	for _, l := range ch.Over {
		if l.Class == "due" {
			dues = append(dues, l.X1)
		}
	}
	marks := 0
	for _, rc := range ch.Rects {
		found := false
		for _, x := range dues {
			found = found || rc.X+rc.W/2 == x
		}
		if !found {
			t.Errorf("open task drawn off its due date: %+v (due ticks at %v)", rc, dues)
		}
		marks++
	}
	if marks != 3 {
		t.Errorf("%d marks of open tasks, want 3", marks)
	}
}

// TestScheduleDurations: a plan with durations keeps its forecast, in
// which the steps with a date and no duration (legal, the order form)
// happen on their dates: the security review's five days finish
// 2026-11-27, the order form is signed 2027-01-20.
func TestScheduleDurations(t *testing.T) {
	today := deal.NewDate(2026, time.November, 22)
	d := dueDateDeal(deal.NewDate(2027, time.January, 29))
	d.Milestones[0].Tasks[1].Duration = 5
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	s := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0].Schedule
	if s == nil || s.Basis != ScheduleDurations || s.Finish != "2027-01-20" || !s.Fits ||
		strings.Join(s.CriticalPath, " ") != "security legal order-form" {
		t.Errorf("schedule %+v, want durations, finish 2027-01-20, fits, critical path security, legal, order-form", s)
	}
}

// TestScheduleMixedDatesAndDurations: a step of three business days after
// an open step due in eight weeks starts after that date, not today; the
// schedule line gives that finish and names no step wrongly; the critical
// path is the whole chain the close waits on. Seen on Monday 2027-03-01,
// closing Saturday 2027-05-29. Then a plan whose last step is dated on the
// close date, after two days of work: it finishes on the close date.
func TestScheduleMixedDatesAndDurations(t *testing.T) {
	today := deal.NewDate(2027, time.March, 1)
	task := func(id string, due deal.Date, duration int, after ...string) deal.Task {
		return deal.Task{ID: id, Title: "Step " + id, Owner: "eb", Status: deal.Todo, Due: due, Duration: duration, After: after}
	}
	build := func(close deal.Date, tasks ...[]deal.Task) *deal.Deal {
		d := patternDeal()
		d.Close = close
		d.Milestones = nil
		for i, ts := range tasks {
			m := deal.Milestone{ID: fmt.Sprint("m", i+1), Title: "Milestone", Lead: "eb", Tasks: ts}
			for j := range m.Tasks {
				m.Tasks[j].Milestone = m.ID
			}
			d.Milestones = append(d.Milestones, m)
		}
		return d
	}
	mar31, apr30 := deal.NewDate(2027, time.March, 31), deal.NewDate(2027, time.April, 30)
	for _, c := range []struct {
		name   string
		deal   *deal.Deal
		finish string
		text   string
		path   string
		lines  map[string][2]string // start and finish
	}{{
		name: "three days after a step due 04-30",
		deal: build(deal.NewDate(2027, time.May, 29),
			[]deal.Task{task("t1", mar31, 0)},
			[]deal.Task{task("t2", apr30, 0, "t1")},
			[]deal.Task{task("t3", deal.Date{}, 3, "t2")}),
		finish: "2027-05-05",
		text:   "the remaining work can finish 2027-05-05, before the close date",
		path:   "t1 t2 t3",
		lines:  map[string][2]string{"t1": {"2027-03-31", "2027-03-31"}, "t2": {"2027-04-30", "2027-04-30"}, "t3": {"2027-05-03", "2027-05-05"}},
	}, {
		name: "the last step dated on the close date",
		deal: build(deal.NewDate(2027, time.May, 28),
			[]deal.Task{task("t0", deal.Date{}, 2), task("t1", mar31, 0, "t0")},
			[]deal.Task{task("t2", apr30, 0, "t1")},
			[]deal.Task{task("t3", deal.NewDate(2027, time.May, 28), 0, "t2")}),
		finish: "2027-05-28",
		text:   "the remaining work can finish 2027-05-28, on the close date",
		path:   "t0 t1 t2 t3",
		lines:  map[string][2]string{"t0": {"2027-03-01", "2027-03-02"}, "t3": {"2027-05-28", "2027-05-28"}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			cal := schedule.NewCalendar()
			plan, err := schedule.Compute(c.deal, today, cal)
			if err != nil {
				t.Fatal(err)
			}
			dr := NewAggregator([]ReportDeal{{Deal: c.deal, Plan: plan}}, ReportOptions{Today: today, Calendar: cal}).Report().Deals[0]
			s := dr.Schedule
			if s == nil || s.Basis != ScheduleDurations || s.Finish != c.finish || !s.Fits || strings.Join(s.CriticalPath, " ") != c.path {
				t.Fatalf("schedule %+v, want durations, finish %s, fits, critical path %s", s, c.finish, c.path)
			}
			if got := scheduleText(s, dr.Close); got != c.text {
				t.Errorf("schedule line %q, want %q", got, c.text)
			}
			for _, tl := range dr.Tasks {
				if want, ok := c.lines[tl.ID]; ok && (tl.Start != want[0] || tl.Finish != want[1]) {
					t.Errorf("%s: start %s, finish %s; want %s, %s", tl.ID, tl.Start, tl.Finish, want[0], want[1])
				}
				if !tl.Critical {
					t.Errorf("%s is not critical", tl.ID)
				}
			}
		})
	}
}

// TestDaysLateUnits: days late are named calendar days, in the singular for
// one, with business days beside them in the JSON.
func TestDaysLateUnits(t *testing.T) {
	today := deal.NewDate(2026, time.November, 21) // a Saturday
	d := dueDateDeal(deal.NewDate(2027, time.January, 29))
	d.Milestones[0].Tasks[1].Due = deal.NewDate(2026, time.November, 20) // Friday: 1 calendar day, 0 business days late
	d.Milestones[0].Tasks[2].Due = deal.NewDate(2026, time.November, 16) // Monday: 5 calendar days, 4 business days late
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	dr := &r.Deals[0]
	late := map[string][2]int{}
	for _, o := range dr.Overdue {
		late[o.Task] = [2]int{o.DaysLate, o.BusinessDaysLate}
	}
	if late["security"] != [2]int{1, 0} || late["legal"] != [2]int{5, 4} {
		t.Errorf("days late (calendar, business) %v, want security 1, 0 and legal 5, 4", late)
	}
	var why []string
	for _, a := range dr.Attention.Reasons {
		why = append(why, a.Why)
	}
	if w := strings.Join(why, "; "); !strings.Contains(w, `"Security review" (buyer side) 1 calendar day late`) || !strings.Contains(w, `holding up "Legal review" (buyer side, 5 calendar days late)`) {
		t.Errorf("attention reasons %q, want the unit named and 1 in the singular", w)
	}
	var b strings.Builder
	if err := r.WriteTable(&b, false); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "LATE (CALENDAR)") || !strings.Contains(out, " 1 day ") || strings.Contains(out, " 1 days") {
		t.Errorf("the table does not name the unit or says \"1 days\":\n%s", out)
	}
}

// TestTimelineHoldsSlipsAndSpacesMonths: a slip whose first date lies
// before every date of the plan is drawn whole, from its first date to
// its date now (a line cut at the chart's edge read as a smaller slip);
// the month labels of a long plan never meet, nor run past the chart.
func TestTimelineHoldsSlipsAndSpacesMonths(t *testing.T) {
	today := deal.NewDate(2026, time.December, 7)
	d := dueDateDeal(deal.NewDate(2027, time.January, 29))
	plan, _ := schedule.Compute(d, today, schedule.NewCalendar())
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	dr := &r.Deals[0]
	task := dr.Tasks[0]
	first := deal.NewDate(2026, time.September, 10)
	dr.History = &DealHistory{Slips: []SlipLine{{Kind: "task", ID: task.ID, Title: task.Title, Moves: 1, First: first.String(), Now: task.Due}}}
	now, _ := deal.ParseDate(task.Due)
	ch := timelineChart(r.Today, dr)
	var slip *svgLine
	for i := range ch.Over {
		if ch.Over[i].Class == "slip" {
			slip = &ch.Over[i]
		}
	}
	if slip == nil {
		t.Fatal("no slip line drawn")
	}
	// The calendar's scale from the today line and the close line.
	var xToday, xClose float64
	for _, l := range ch.Over {
		switch l.Class {
		case "today":
			xToday = l.X1
		case "close":
			xClose = l.X1
		}
	}
	perDay := (xClose - xToday) / float64(today.DaysUntil(d.Close))
	if got, want := slip.X2-slip.X1, perDay*float64(first.DaysUntil(now)); got < want-1 || got > want+1 {
		t.Errorf("the slip of %d days is drawn %.1f px long, want %.1f (%.2f px a day)", first.DaysUntil(now), got, want, perDay)
	}

	// Two years of plan: labels at least a label's width apart, within
	// the chart.
	d = dueDateDeal(deal.NewDate(2028, time.December, 29))
	plan, _ = schedule.Compute(d, today, schedule.NewCalendar())
	r = NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	ch = timelineChart(r.Today, &r.Deals[0])
	var xs []float64
	for _, tx := range ch.Texts {
		if tx.Class == "axis" && strings.HasSuffix(tx.Text, "20"+tx.Text[len(tx.Text)-2:]) && len(tx.Text) == 8 {
			xs = append(xs, tx.X)
		}
	}
	if len(xs) < 3 {
		t.Fatalf("%d month labels on a two-year plan", len(xs))
	}
	for i := 1; i < len(xs); i++ {
		if xs[i]-xs[i-1] < 56 {
			t.Errorf("month labels %.1f px apart: %v", xs[i]-xs[i-1], xs)
		}
	}
	if last := xs[len(xs)-1]; last+56 > float64(ch.W) {
		t.Errorf("the last month label at %.1f runs past the chart's %d px", last, ch.W)
	}
}
