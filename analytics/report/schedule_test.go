package report

import (
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
			if out := b.String(); name != "csv" && (!strings.Contains(out, "the last due waits on") || strings.Contains(out, "critical path: security") || strings.Contains(out, "critical path security")) {
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

// TestScheduleDurations: a plan with durations keeps its forecast.
func TestScheduleDurations(t *testing.T) {
	today := deal.NewDate(2026, time.November, 22)
	d := dueDateDeal(deal.NewDate(2027, time.January, 29))
	d.Milestones[0].Tasks[1].Duration = 5
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	s := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0].Schedule
	if s == nil || s.Basis != ScheduleDurations || s.Finish != "2026-11-27" || !s.Fits {
		t.Errorf("schedule %+v, want durations, finish 2026-11-27, fits", s)
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
	if w := strings.Join(why, "; "); !strings.Contains(w, `"Security review" (buyer side) 1 calendar day late`) || !strings.Contains(w, `"Legal review" (buyer side) 5 calendar days late`) {
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
