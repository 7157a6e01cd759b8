package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// task returns a todo task of dur business days after the given ids. Its
// Line is set by plan.
func task(id string, dur int, after ...string) deal.Task {
	return deal.Task{ID: id, Duration: dur, After: after, Status: deal.Todo}
}

func due(t deal.Task, s string) deal.Task {
	t.Due = mustDate(s)
	return t
}

func done(t deal.Task, s string) deal.Task {
	t.Status, t.Done = deal.Done, mustDate(s)
	return t
}

func mustDate(s string) deal.Date {
	d, err := deal.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// plan returns a deal closing on close (none when "") whose tasks are split
// over two milestones, task i on line 10+i.
func plan(close string, tasks ...deal.Task) *deal.Deal {
	d := &deal.Deal{ID: "acme"}
	if close != "" {
		d.Close = mustDate(close)
	}
	d.Milestones = []deal.Milestone{{ID: "m1"}, {ID: "m2"}}
	for i, t := range tasks {
		t.Line = 10 + i
		m := &d.Milestones[i*2/max(len(tasks), 1)]
		t.Milestone = m.ID
		m.Tasks = append(m.Tasks, t)
	}
	return d
}

// onboarding makes d's last milestone (the second half of its tasks) an
// onboarding one and sets its go-live date (none when "").
func onboarding(goLive string, d *deal.Deal) *deal.Deal {
	d.Milestones[len(d.Milestones)-1].Onboarding = true
	if goLive != "" {
		d.GoLive = mustDate(goLive)
	}
	return d
}

// decide gives d's milestone i the due date s.
func decide(d *deal.Deal, i int, s string) *deal.Deal {
	d.Milestones[i].Due = mustDate(s)
	return d
}

// row is a TaskSchedule with dates as strings, for compact tables.
type row struct {
	es, ef, lf string
	slack      int
	critical   bool
}

func rowOf(ts TaskSchedule) row {
	return row{ts.EarliestStart.String(), ts.EarliestFinish.String(), ts.LatestFinish.String(), ts.Slack, ts.Critical}
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name     string
		deal     *deal.Deal
		today    string
		cal      Calendar // the zero Calendar when not set: no holidays
		want     map[string]row
		critical []string
		finish   string
		sales    string // SalesFinish: "" when it is finish, "none" when zero
		overrun  int
	}{{
		// Today is Monday 2026-06-01.
		name: "forward from done work",
		deal: plan("2026-06-26",
			done(task("a", 5), "2026-05-29"), // finished last Friday
			task("b", 3, "a"),                // Mon-Wed
			task("c", 0, "b"),                // a checkpoint: reached with b
			task("d", 2),                     // no predecessor: starts today
			done(task("e", 1), "2026-05-01"),
			task("f", 3, "e"), // e finished long ago, but f cannot start before today
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-05-25", "2026-05-29", "2026-06-23", 17, false},
			"b": {"2026-06-01", "2026-06-03", "2026-06-26", 17, true},
			"c": {"2026-06-03", "2026-06-03", "2026-06-26", 17, true},
			"d": {"2026-06-01", "2026-06-02", "2026-06-26", 18, false},
			"e": {"2026-05-01", "2026-05-01", "2026-06-23", 37, false},
			"f": {"2026-06-01", "2026-06-03", "2026-06-26", 17, true},
		},
		critical: []string{"b", "c"},
		finish:   "2026-06-03",
	}, {
		name: "backward from close",
		deal: plan("2026-06-26",
			task("x", 5),
			task("y", 3, "x"),
			task("z", 0, "y"),
			due(task("v", 1), "2026-07-15"), // due after close: close wins
		),
		today: "2026-06-01",
		want: map[string]row{
			"x": {"2026-06-01", "2026-06-05", "2026-06-23", 12, true},
			"y": {"2026-06-08", "2026-06-10", "2026-06-26", 12, true},
			"z": {"2026-06-10", "2026-06-10", "2026-06-26", 12, true},
			"v": {"2026-06-01", "2026-06-01", "2026-06-26", 19, false},
		},
		critical: []string{"x", "y", "z"},
		finish:   "2026-06-10",
	}, {
		name: "close on a saturday counts as the friday",
		deal: plan("2026-06-27",
			task("x", 5),
			task("y", 3, "x"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"x": {"2026-06-01", "2026-06-05", "2026-06-23", 12, true},
			"y": {"2026-06-08", "2026-06-10", "2026-06-26", 12, true},
		},
		critical: []string{"x", "y"},
		finish:   "2026-06-10",
	}, {
		// b's own date is its target: its slack says how near it is, but
		// what the close waits on is the chain to it, b's date aside.
		name: "a due date tighter than the close bounds the task and its predecessors, not the critical path",
		deal: plan("2026-06-26",
			task("a", 2),
			due(task("b", 1, "a"), "2026-06-05"),
			task("c", 4, "b"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-02", "2026-06-04", 2, true},
			"b": {"2026-06-03", "2026-06-03", "2026-06-05", 2, true},
			"c": {"2026-06-04", "2026-06-09", "2026-06-26", 13, true},
		},
		critical: []string{"a", "b", "c"},
		finish:   "2026-06-09",
	}, {
		// a -> b -> d and a -> c -> d: b is the longer branch.
		name: "diamond",
		deal: plan("2026-06-26",
			task("a", 2),
			task("b", 5, "a"),
			task("c", 3, "a"),
			task("d", 1, "b", "c"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-02", "2026-06-18", 12, true},
			"b": {"2026-06-03", "2026-06-09", "2026-06-25", 12, true},
			"c": {"2026-06-03", "2026-06-05", "2026-06-25", 14, false},
			"d": {"2026-06-10", "2026-06-10", "2026-06-26", 12, true},
		},
		critical: []string{"a", "b", "d"},
		finish:   "2026-06-10",
	}, {
		name: "diamond with equal branches follows plan order",
		deal: plan("2026-06-26",
			task("a", 2),
			task("c", 4, "a"),
			task("b", 4, "a"),
			task("d", 1, "b", "c"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-02", "2026-06-19", 13, true},
			"c": {"2026-06-03", "2026-06-08", "2026-06-25", 13, true},
			"b": {"2026-06-03", "2026-06-08", "2026-06-25", 13, true},
			"d": {"2026-06-09", "2026-06-09", "2026-06-26", 13, true},
		},
		critical: []string{"a", "c", "d"},
		finish:   "2026-06-09",
	}, {
		name: "overrun when the work does not fit",
		deal: plan("2026-06-05",
			task("p", 5),
			task("q", 3, "p"),
			task("r", 1),
		),
		today: "2026-06-01",
		want: map[string]row{
			"p": {"2026-06-01", "2026-06-05", "2026-06-02", -3, true},
			"q": {"2026-06-08", "2026-06-10", "2026-06-05", -3, true},
			"r": {"2026-06-01", "2026-06-01", "2026-06-05", 4, false},
		},
		critical: []string{"p", "q"},
		finish:   "2026-06-10",
		overrun:  3,
	}, {
		name: "holidays skipped",
		deal: plan("2026-06-12",
			task("a", 5),
			task("b", 3, "a"),
		),
		today: "2026-06-01",
		cal:   NewCalendar(mustDate("2026-06-04")),
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-08", "2026-06-09", 1, true},
			"b": {"2026-06-09", "2026-06-11", "2026-06-12", 1, true},
		},
		critical: []string{"a", "b"},
		finish:   "2026-06-11",
	}, {
		name: "a holiday on the close date moves the deadline back",
		deal: plan("2026-06-12",
			task("a", 5),
			task("b", 3, "a"),
		),
		today: "2026-06-01",
		cal:   NewCalendar(mustDate("2026-06-04"), mustDate("2026-06-12")),
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-08", "2026-06-08", 0, true},
			"b": {"2026-06-09", "2026-06-11", "2026-06-11", 0, true},
		},
		critical: []string{"a", "b"},
		finish:   "2026-06-11",
	}, {
		name: "weekends skipped",
		deal: plan("2026-06-19",
			task("a", 3), // Thu, Fri, Mon
			task("b", 1, "a"),
		),
		today: "2026-06-04",
		want: map[string]row{
			"a": {"2026-06-04", "2026-06-08", "2026-06-18", 8, true},
			"b": {"2026-06-09", "2026-06-09", "2026-06-19", 8, true},
		},
		critical: []string{"a", "b"},
		finish:   "2026-06-09",
	}, {
		name: "today on a saturday: work starts monday",
		deal: plan("2026-06-19",
			task("a", 1),
			task("cp", 0),
			done(task("s", 0), "2026-06-06"), // done on the saturday itself
			task("t", 1, "s"),
		),
		today: "2026-06-06",
		want: map[string]row{
			"a":  {"2026-06-08", "2026-06-08", "2026-06-19", 9, true},
			"cp": {"2026-06-08", "2026-06-08", "2026-06-19", 9, true},
			"s":  {"2026-06-06", "2026-06-06", "2026-06-18", 9, false},
			"t":  {"2026-06-08", "2026-06-08", "2026-06-19", 9, true},
		},
		critical: []string{"a"},
		finish:   "2026-06-08",
	}, {
		name: "a done successor waits for nothing",
		deal: plan("2026-06-26",
			task("late", 2),
			done(task("signed", 0, "late"), "2026-05-29"),
			task("after", 1, "signed"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"late":   {"2026-06-01", "2026-06-02", "2026-06-26", 18, true},
			"signed": {"2026-05-29", "2026-05-29", "2026-06-25", 19, false},
			"after":  {"2026-06-01", "2026-06-01", "2026-06-26", 19, false},
		},
		critical: []string{"late"},
		finish:   "2026-06-02",
	}, {
		name: "no close date: finish as early as possible",
		deal: plan("",
			task("a", 2),
			task("b", 3, "a"),
			task("c", 1),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-02", "2026-06-02", 0, true},
			"b": {"2026-06-03", "2026-06-05", "2026-06-05", 0, true},
			"c": {"2026-06-01", "2026-06-01", "2026-06-05", 4, false},
		},
		critical: []string{"a", "b"},
		finish:   "2026-06-05",
	}, {
		// Seen on Friday 2027-01-08: closed 2026-12-31, go-live Monday
		// 2027-02-15. The onboarding work must end the Friday before
		// go-live, not by the close; only the open sales work (invoice)
		// overruns the close, by the six business days to today.
		name: "onboarding is bound by the go-live, not the close",
		deal: onboarding("2027-02-15", plan("2026-12-31",
			done(task("signed", 0), "2026-12-30"),
			task("invoice", 1),
			due(task("o1", 3, "signed"), "2027-01-20"),
			task("o2", 5, "o1"), // no due date of its own
		)),
		today: "2027-01-08",
		want: map[string]row{
			"signed":  {"2026-12-30", "2026-12-30", "2026-12-31", 1, false},
			"invoice": {"2027-01-08", "2027-01-08", "2026-12-31", -6, true},
			"o1":      {"2027-01-08", "2027-01-12", "2027-01-20", 6, false},
			"o2":      {"2027-01-13", "2027-01-19", "2027-02-12", 18, false},
		},
		critical: []string{"invoice"},
		finish:   "2027-01-19",
		sales:    "2027-01-08",
		overrun:  6,
	}, {
		// The close has passed and only onboarding work is left: without
		// a go-live date it has no deadline, so it is never behind.
		name: "onboarding without a go-live has no deadline",
		deal: onboarding("", plan("2026-06-26",
			done(task("signed", 0), "2026-06-25"),
			task("setup", 3, "signed"),
		)),
		today: "2026-07-06",
		want: map[string]row{
			"signed": {"2026-06-25", "2026-06-25", "2026-06-26", 1, false},
			"setup":  {"2026-07-06", "2026-07-08", "2026-07-08", 0, true},
		},
		critical: []string{"setup"},
		finish:   "2026-07-08",
		sales:    "none",
	}, {
		// Before the close, onboarding work without a go-live date may
		// take until the close, and a sales task after it is still due by
		// the close. The close waits on the sale's work, a -> b: the
		// critical path is that chain, not the onboarding after it.
		name: "onboarding without a go-live, before the close",
		deal: onboarding("", plan("2026-06-26",
			task("a", 2),
			task("b", 1, "a"),
			task("o", 3, "a"),
			task("o2", 1, "o"),
		)),
		today: "2026-06-01",
		want: map[string]row{
			"a":  {"2026-06-01", "2026-06-02", "2026-06-22", 14, true},
			"b":  {"2026-06-03", "2026-06-03", "2026-06-26", 17, true},
			"o":  {"2026-06-03", "2026-06-05", "2026-06-25", 14, false},
			"o2": {"2026-06-08", "2026-06-08", "2026-06-26", 14, false},
		},
		critical: []string{"a", "b"},
		finish:   "2026-06-08",
		sales:    "2026-06-03",
	}, {
		// The first milestone (a, b) is due Friday 2026-06-12, two weeks
		// before the close: its undated task a and its task b, due after
		// it (b keeps its own date as its Due), are done by it. The close
		// waits on the whole chain a -> b -> c, whichever has less slack.
		name: "a milestone's due date bounds its tasks",
		deal: decide(plan("2026-06-26",
			task("a", 2),
			due(task("b", 1, "a"), "2026-06-19"),
			task("c", 3, "b"),
		), 0, "2026-06-12"),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-02", "2026-06-11", 7, true},
			"b": {"2026-06-03", "2026-06-03", "2026-06-12", 7, true},
			"c": {"2026-06-04", "2026-06-08", "2026-06-26", 14, true},
		},
		critical: []string{"a", "b", "c"},
		finish:   "2026-06-08",
	}, {
		// Seen after the milestone's date: its undated task is behind (and
		// its computed due, the milestone's, has passed); the next
		// milestone's task c still fits the close, and the close waits on
		// the chain through the late milestone's tasks to it.
		name: "a milestone's due date passed",
		deal: decide(plan("2026-06-26",
			task("a", 2),
			task("b", 1, "a"),
			task("c", 3, "b"),
		), 0, "2026-06-12"),
		today: "2026-06-15",
		want: map[string]row{
			"a": {"2026-06-15", "2026-06-16", "2026-06-11", -3, true},
			"b": {"2026-06-17", "2026-06-17", "2026-06-12", -3, true},
			"c": {"2026-06-18", "2026-06-22", "2026-06-26", 4, true},
		},
		critical: []string{"a", "b", "c"},
		finish:   "2026-06-22",
	}, {
		// An onboarding milestone's date bounds its tasks before the
		// go-live does.
		name: "an onboarding milestone's due date",
		deal: decide(onboarding("2027-02-15", plan("2026-12-31",
			done(task("signed", 0), "2026-12-30"),
			task("setup", 3, "signed"),
		)), 1, "2027-01-22"),
		today: "2027-01-04",
		want: map[string]row{
			"signed": {"2026-12-30", "2026-12-30", "2026-12-31", 1, false},
			"setup":  {"2027-01-04", "2027-01-06", "2027-01-22", 12, true},
		},
		critical: []string{"setup"},
		finish:   "2027-01-06",
		sales:    "none",
	}, {
		// A step with a date and no duration (a meeting, a signature)
		// happens on its date: open, it finishes then, not today, and
		// the step after it starts the next business day. Seen on Monday
		// 2027-03-01, closing Saturday 2027-05-29 (met on the Friday).
		name: "a dated step finishes on its date: dated -> dated -> duration",
		deal: plan("2027-05-29",
			due(task("t1", 0), "2027-03-31"),
			due(task("t2", 0, "t1"), "2027-04-30"), // due in eight weeks
			task("t3", 3, "t2"),                    // so it starts Monday 05-03
		),
		today: "2027-03-01",
		want: map[string]row{
			"t1": {"2027-03-31", "2027-03-31", "2027-03-31", 0, true},
			"t2": {"2027-04-30", "2027-04-30", "2027-04-30", 0, true},
			"t3": {"2027-05-03", "2027-05-05", "2027-05-28", 17, true},
		},
		critical: []string{"t1", "t2", "t3"},
		finish:   "2027-05-05",
	}, {
		// The work before a dated step finishes early: the step still
		// happens on its date, and the work after it starts after that.
		name: "duration -> dated -> duration",
		deal: plan("2026-06-30",
			task("a", 5),
			due(task("b", 0, "a"), "2026-06-19"),
			task("c", 3, "b"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-05", "2026-06-19", 10, true},
			"b": {"2026-06-19", "2026-06-19", "2026-06-19", 0, true},
			"c": {"2026-06-22", "2026-06-24", "2026-06-30", 4, true},
		},
		critical: []string{"a", "b", "c"},
		finish:   "2026-06-24",
	}, {
		// The work before it finishes after its date: the dated step is
		// reached when that work finishes, late.
		name: "a dated step its predecessor makes late",
		deal: plan("2026-06-30",
			task("a", 16),
			due(task("b", 0, "a"), "2026-06-19"),
			task("c", 3, "b"),
		),
		today: "2026-06-01",
		want: map[string]row{
			"a": {"2026-06-01", "2026-06-22", "2026-06-19", -1, true},
			"b": {"2026-06-22", "2026-06-22", "2026-06-19", -1, true},
			"c": {"2026-06-23", "2026-06-25", "2026-06-30", 3, true},
		},
		critical: []string{"a", "b", "c"},
		finish:   "2026-06-25",
	}, {
		// A done step finishes on its done date whatever its due date:
		// done today, two weeks early, the step after it starts tomorrow,
		// while the open dated step after that (sign) happens on its date.
		// An open step past its date finishes today at the earliest.
		name: "a done dated step finishes on its done date",
		deal: plan("2026-06-30",
			done(due(task("early", 0), "2026-06-19"), "2026-06-03"),
			task("next", 2, "early"),
			due(task("sign", 0, "next"), "2026-06-12"),
			due(task("overdue", 0), "2026-05-20"),
			task("then", 1, "overdue"),
		),
		today: "2026-06-03",
		want: map[string]row{
			"early":   {"2026-06-03", "2026-06-03", "2026-06-10", 5, false},
			"next":    {"2026-06-04", "2026-06-05", "2026-06-12", 5, true},
			"sign":    {"2026-06-12", "2026-06-12", "2026-06-12", 0, true},
			"overdue": {"2026-06-03", "2026-06-03", "2026-05-20", -10, false},
			"then":    {"2026-06-04", "2026-06-04", "2026-06-30", 18, false},
		},
		critical: []string{"next", "sign"},
		finish:   "2026-06-12",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compute(tt.deal, mustDate(tt.today), tt.cal)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Tasks) != len(tt.want) {
				t.Fatalf("%d tasks scheduled, want %d", len(p.Tasks), len(tt.want))
			}
			for i, ts := range p.Tasks {
				task := tt.deal.Tasks()[i]
				if ts.ID != task.ID {
					t.Errorf("task %d is %q, want %q (plan order)", i, ts.ID, task.ID)
				}
				if got, want := rowOf(ts), tt.want[ts.ID]; got != want {
					t.Errorf("%s: got %+v\n\twant %+v", ts.ID, got, want)
				}
				if ts.Computed != task.Due.IsZero() {
					t.Errorf("%s: Computed = %v with due %q", ts.ID, ts.Computed, task.Due)
				}
				wantDue := task.Due
				if wantDue.IsZero() {
					wantDue = ts.LatestFinish
				}
				if ts.Due != wantDue {
					t.Errorf("%s: Due = %s, want %s", ts.ID, ts.Due, wantDue)
				}
				if got, ok := p.Task(ts.ID); !ok || got != ts {
					t.Errorf("Task(%q) = %+v, %v", ts.ID, got, ok)
				}
			}
			if !slices.Equal(p.CriticalPath, tt.critical) {
				t.Errorf("critical path %v, want %v", p.CriticalPath, tt.critical)
			}
			if p.Finish.String() != tt.finish {
				t.Errorf("finish %s, want %s", p.Finish, tt.finish)
			}
			sales := cmp.Or(tt.sales, tt.finish)
			if sales == "none" {
				sales = ""
			}
			if p.SalesFinish.String() != sales {
				t.Errorf("finish of the work due by the close %s, want %s", p.SalesFinish, sales)
			}
			if p.Overrun != tt.overrun || p.Fits() != (tt.overrun == 0) {
				t.Errorf("overrun %d (fits %v), want %d", p.Overrun, p.Fits(), tt.overrun)
			}
		})
	}
}

// TestDueOf pins the date every room and report shows for a task: its own
// due date when it has one, even after its milestone's (the plan bounds
// its latest finish all the same); else the computed one, bounded by its
// milestone's due date; a deadline on a Saturday is met on the Friday.
func TestDueOf(t *testing.T) {
	d := decide(plan("2026-06-27", // a Saturday
		task("a", 2),
		due(task("b", 1, "a"), "2026-06-19"), // after its milestone's date
		task("c", 3, "b"),
		task("d", 1),
	), 0, "2026-06-13") // a Saturday too
	p, err := Compute(d, mustDate("2026-06-01"), Calendar{})
	if err != nil {
		t.Fatal(err)
	}
	tasks := d.Tasks()
	for _, tt := range []struct {
		plan     *Plan
		task     *deal.Task
		due      string
		computed bool
		latest   string // the plan's LatestFinish, "" for none
	}{
		{p, tasks[0], "2026-06-11", true, "2026-06-11"},  // b's bound less b's day
		{p, tasks[1], "2026-06-19", false, "2026-06-12"}, // its own date; the milestone's Friday bounds it
		{p, tasks[2], "2026-06-26", true, "2026-06-26"},  // the Friday before the close
		{p, tasks[3], "2026-06-26", true, "2026-06-26"},
		{nil, tasks[0], "", false, ""},
		{nil, tasks[1], "2026-06-19", false, ""},
		{p, &deal.Task{ID: "unknown"}, "", false, ""},
	} {
		due, computed := tt.plan.DueOf(tt.task)
		if due.String() != tt.due || computed != tt.computed {
			t.Errorf("DueOf(%s) = %s, %v; want %s, %v", tt.task.ID, due, computed, tt.due, tt.computed)
		}
		if tt.latest != "" {
			if ts, _ := tt.plan.Task(tt.task.ID); ts.LatestFinish.String() != tt.latest {
				t.Errorf("%s: latest finish %s, want %s", tt.task.ID, ts.LatestFinish, tt.latest)
			}
		}
	}
}

func TestComputeAllDone(t *testing.T) {
	d := plan("2026-06-26", done(task("a", 2), "2026-05-20"), done(task("b", 1, "a"), "2026-05-21"))
	p, err := Compute(d, mustDate("2026-06-01"), Calendar{})
	if err != nil {
		t.Fatal(err)
	}
	if p.CriticalPath != nil || !p.Finish.IsZero() || p.Overrun != 0 {
		t.Errorf("critical path %v, finish %q, overrun %d; want none", p.CriticalPath, p.Finish, p.Overrun)
	}
	for _, ts := range p.Tasks {
		if ts.Critical {
			t.Errorf("done task %s is critical", ts.ID)
		}
	}
	if _, ok := p.Task("nope"); ok {
		t.Error(`Task("nope") found a task`)
	}
	if p, err := Compute(&deal.Deal{}, mustDate("2026-06-01"), Calendar{}); err != nil || len(p.Tasks) != 0 {
		t.Errorf("empty deal: %v, %v", p, err)
	}
	if _, err := Compute(nil, mustDate("2026-06-01"), Calendar{}); err == nil {
		t.Error("nil deal: no error")
	}
}

// TestWorkedExample is the schedule of domain.md, "A schedule worked
// backwards": go-live on 1 August (2026-08-01, a Saturday), onboarding 30
// days, procurement 14, legal redlines 10, security review 21, as the chain
// security -> legal -> procurement -> signature.
//
// The days are business days, as every Duration in maproom is. domain.md
// counts calendar days (1 August less 31 calendar days is its "signed by 1
// July"); in business days the contract must be signed earlier, by 19 June.
//
// Go-live on a Saturday: the system is live on go-live day, so onboarding
// must end on the last business day before it, Friday 31 July, whether
// go-live is that Saturday or the Monday after. SignBy encodes this.
func TestWorkedExample(t *testing.T) {
	template := []TemplateTask{
		{ID: "security", Duration: 21},
		{ID: "legal", Duration: 10, After: []string{"security"}},
		{ID: "procurement", Duration: 14, After: []string{"legal"}},
		{ID: "signature", After: []string{"procurement"}},
	}
	tests := []struct {
		name     string
		holidays []string
		want     map[string]string
		kickoff  string // first day of the security review
	}{{
		name: "no holidays",
		want: map[string]string{
			"signature":   "2026-06-19", // 31 business days before go-live
			"procurement": "2026-06-19", // a signature takes no time
			"legal":       "2026-06-01", // 14 business days before
			"security":    "2026-05-18", // 10 business days before
		},
		kickoff: "2026-04-20", // 21 business days: 20 April to 18 May
	}, {
		name:     "us holidays",
		holidays: []string{"2026-05-25", "2026-07-03"}, // Memorial Day, Independence Day observed
		want: map[string]string{
			"signature":   "2026-06-18",
			"procurement": "2026-06-18",
			"legal":       "2026-05-29",
			"security":    "2026-05-14",
		},
		kickoff: "2026-04-16",
	}}
	goLive := mustDate("2026-08-01")
	if goLive.Weekday().String() != "Saturday" {
		t.Fatal("2026-08-01 is not a Saturday")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hs []deal.Date
			for _, h := range tt.holidays {
				hs = append(hs, mustDate(h))
			}
			cal := NewCalendar(hs...)
			signBy := SignBy(goLive, 30, cal)
			got, err := Backward(template, signBy, cal)
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range tt.want {
				if got[id].String() != want {
					t.Errorf("%s due %s, want %s", id, got[id], want)
				}
			}
			if k := cal.AddBusinessDays(got["security"], -20); k.String() != tt.kickoff {
				t.Errorf("security kickoff %s, want %s", k, tt.kickoff)
			}

			// The same with onboarding as the last task of the template and
			// the business day before go-live as the target.
			withOnboarding := append(slices.Clone(template),
				TemplateTask{ID: "onboarding", Duration: 30, After: []string{"signature"}})
			got2, err := Backward(withOnboarding, cal.AddBusinessDays(goLive, -1), cal)
			if err != nil {
				t.Fatal(err)
			}
			if got2["onboarding"].String() != "2026-07-31" {
				t.Errorf("onboarding due %s, want 2026-07-31", got2["onboarding"])
			}
			delete(got2, "onboarding")
			if !reflect.DeepEqual(got, got2) {
				t.Errorf("with onboarding as a task: %v, want %v", got2, got)
			}

			// Compute agrees: a deal closing on the signature date, seen
			// on the kickoff day, has no slack and those latest finishes.
			var tasks []deal.Task
			for _, tt := range template {
				tasks = append(tasks, task(tt.ID, tt.Duration, tt.After...))
			}
			p, err := Compute(plan(signBy.String(), tasks...), mustDate(tt.kickoff), cal)
			if err != nil {
				t.Fatal(err)
			}
			for _, ts := range p.Tasks {
				if ts.LatestFinish != got[ts.ID] || ts.Slack != 0 || !ts.Critical {
					t.Errorf("%s: latest finish %s slack %d critical %v, want %s, 0, true",
						ts.ID, ts.LatestFinish, ts.Slack, ts.Critical, got[ts.ID])
				}
			}
			if want := []string{"security", "legal", "procurement", "signature"}; !slices.Equal(p.CriticalPath, want) {
				t.Errorf("critical path %v, want %v", p.CriticalPath, want)
			}
			// A week late, the plan overruns by five business days.
			late := cal.AddBusinessDays(mustDate(tt.kickoff), 5)
			p, err = Compute(plan(signBy.String(), tasks...), late, cal)
			if err != nil {
				t.Fatal(err)
			}
			if p.Overrun != 5 {
				t.Errorf("starting on %s: overrun %d, want 5", late, p.Overrun)
			}
		})
	}
}

func TestBackward(t *testing.T) {
	tasks := []TemplateTask{
		{ID: "discovery", Duration: 5},
		{ID: "poc", Duration: 10, After: []string{"discovery"}},
		{ID: "security", Duration: 15, After: []string{"discovery"}},
		{ID: "pricing", Duration: 2, After: []string{"discovery"}},
		{ID: "exec", Duration: 1, After: []string{"poc", "pricing"}},
		{ID: "signature", After: []string{"exec", "security"}},
		{ID: "loose", Duration: 3}, // nothing after it: due on the target
	}
	got, err := Backward(tasks, mustDate("2026-06-27"), Calendar{}) // a Saturday
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"signature": "2026-06-26",
		"exec":      "2026-06-26",
		"security":  "2026-06-26",
		"poc":       "2026-06-25",
		"pricing":   "2026-06-25",
		"discovery": "2026-06-05", // security's 15 days bind, not poc's 10
		"loose":     "2026-06-26",
	}
	if len(got) != len(want) {
		t.Errorf("%d dates, want %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id].String() != w {
			t.Errorf("%s due %s, want %s", id, got[id], w)
		}
	}
	if got, err := Backward(nil, mustDate("2026-06-27"), Calendar{}); err != nil || len(got) != 0 {
		t.Errorf("no tasks: %v, %v", got, err)
	}
}

// errorsOf returns the *Error values joined in err.
func errorsOf(t *testing.T, err error) []*Error {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	var out []*Error
	for _, e := range errs {
		var se *Error
		if !errors.As(e, &se) {
			t.Fatalf("%v (%T) is not an *Error", e, e)
		}
		out = append(out, se)
	}
	return out
}

func TestComputeErrors(t *testing.T) {
	tests := []struct {
		name  string
		tasks []deal.Task
		want  []string // "line: message", in order
	}{{
		name: "cycle",
		tasks: []deal.Task{
			task("start", 1),
			task("a", 1, "start", "c"),
			task("b", 1, "a"),
			task("c", 1, "b"),
			task("downstream", 1, "a"), // blocked by the cycle, not in it
		},
		want: []string{"11: dependency cycle: a -> b -> c -> a"},
	}, {
		name: "cycle printed from its first task in plan order",
		tasks: []deal.Task{
			task("c", 1, "b"),
			task("a", 1, "c"),
			task("b", 1, "a"),
		},
		want: []string{"10: dependency cycle: c -> a -> b -> c"},
	}, {
		name: "self dependency and two separate cycles",
		tasks: []deal.Task{
			task("x", 1, "y"),
			task("y", 1, "x"),
			task("self", 2, "self"),
			task("p", 1, "q", "x"),
			task("q", 1, "p"),
		},
		want: []string{
			"10: dependency cycle: x -> y -> x",
			"12: dependency cycle: self -> self",
			"13: dependency cycle: p -> q -> p",
		},
	}, {
		// c is in the same loop (a -> b -> c -> d -> a): named, so that
		// breaking the shortest cycle alone does not leave one unsaid.
		name: "one cycle reported per tangle, the shortest through its first task, with the rest of the tangle",
		tasks: []deal.Task{
			task("a", 1, "d"),
			task("b", 1, "a"),
			task("c", 1, "b"),
			task("d", 1, "c", "b"),
			task("e", 1, "c"),
			task("b2", 1, "e"),
		},
		want: []string{"10: dependency cycle: a -> b -> d -> a (and, in the same loop through them, c)"},
	}, {
		name: "unknown dependency",
		tasks: []deal.Task{
			task("legal", 10, "secuirty"),
			task("signature", 0, "legal", "budget"),
		},
		want: []string{
			`10: task "legal" depends on unknown task "secuirty"`,
			`11: task "signature" depends on unknown task "budget"`,
		},
	}, {
		name: "every problem at once, in plan order, cycles last",
		tasks: []deal.Task{
			task("a", 1, "b"),
			task("b", -2, "a"),
			task("c", MaxDuration+1, "ghost"),
			{ID: "d", Status: deal.Done},
			task("a", 1),
		},
		want: []string{
			`11: task "b" has a negative duration (-2 business days)`,
			`12: task "c" has a duration of 10001 business days, more than 10000`,
			`12: task "c" depends on unknown task "ghost"`,
			`13: task "d" is done but has no done date`,
			`14: duplicate task id "a" (first used on line 10)`,
			"10: dependency cycle: a -> b -> a",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compute(plan("2026-06-26", tt.tasks...), mustDate("2026-06-01"), Calendar{})
			if p != nil || err == nil {
				t.Fatalf("got a plan (%v) and error %v", p != nil, err)
			}
			var got []string
			for _, e := range errorsOf(t, err) {
				got = append(got, fmt.Sprintf("%d: %s", e.Line, e))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
			// The same problems in a template.
			var tmpl []TemplateTask
			for _, task := range tt.tasks {
				tmpl = append(tmpl, TemplateTask{ID: task.ID, Duration: task.Duration, After: task.After, Line: task.Line})
			}
			if dates, err := Backward(tmpl, mustDate("2026-06-26"), Calendar{}); dates != nil || err == nil {
				t.Errorf("Backward: %v, %v", dates, err)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	_, err := Compute(plan("2026-06-26",
		task("a", 1, "a"), task("b", -1), task("c", 1, "zz")), mustDate("2026-06-01"), Calendar{})
	for _, kind := range []error{ErrCycle, ErrNegativeDuration, ErrUnknownTask} {
		if !errors.Is(err, kind) {
			t.Errorf("errors.Is(err, %v) is false", kind)
		}
	}
	var e *Error
	if !errors.As(err, &e) || e.Task != "a" && e.Task != "b" {
		t.Errorf("errors.As: %+v", e)
	}
	errs := errorsOf(t, err)
	cycle := errs[len(errs)-1]
	if !slices.Equal(cycle.Cycle, []string{"a"}) || cycle.Task != "a" || cycle.Line != 10 {
		t.Errorf("cycle error %+v", cycle)
	}
	if got := (&Error{Task: "t", Err: ErrNegativeDuration}).Error(); got != `task "t": negative duration` {
		t.Errorf("hand-made error prints %q", got)
	}
}

// TestLongCycle checks that a cycle through 10,000 tasks is found and printed
// without recursion.
func TestLongCycle(t *testing.T) {
	const n = 10_000
	tasks := make([]deal.Task, n)
	for i := range tasks {
		tasks[i] = task(fmt.Sprint("t", i), 1, fmt.Sprint("t", (i+n-1)%n))
	}
	_, err := Compute(plan("2026-06-26", tasks...), mustDate("2026-06-01"), Calendar{})
	errs := errorsOf(t, err)
	if len(errs) != 1 || len(errs[0].Cycle) != n || errs[0].Cycle[0] != "t0" || errs[0].Cycle[n-1] != "t9999" {
		t.Fatalf("got %d errors, first cycle of %d tasks", len(errs), len(errs[0].Cycle))
	}
}

func TestDeterminism(t *testing.T) {
	// Ties everywhere: three equal branches between two checkpoints, and
	// an independent chain that ends on the same day. The start checkpoint
	// is reached today at the earliest, so the branches run 2 to 5 June.
	d := plan("2026-06-26",
		task("start", 0),
		task("b3", 4, "start"),
		task("b1", 4, "start"),
		task("b2", 4, "start"),
		task("join", 0, "b1", "b2", "b3"),
		task("x1", 2), task("x2", 1, "x1"), task("x3", 1, "x2"), task("x4", 1, "x3"),
	)
	today := mustDate("2026-06-01")
	first, err := Compute(d, today, Calendar{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"start", "b3", "join"}; !slices.Equal(first.CriticalPath, want) {
		t.Errorf("critical path %v, want %v", first.CriticalPath, want)
	}
	for _, ts := range first.Tasks {
		if !ts.Critical || ts.Slack != 15 {
			t.Errorf("%s: slack %d, critical %v; want 15, true", ts.ID, ts.Slack, ts.Critical)
		}
	}
	for range 20 {
		again, err := Compute(d, today, Calendar{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("second run differs:\n%+v\n%+v", first, again)
		}
	}
	b1, _ := Backward([]TemplateTask{{ID: "a", Duration: 2}, {ID: "b", After: []string{"a"}}}, today, Calendar{})
	b2, _ := Backward([]TemplateTask{{ID: "a", Duration: 2}, {ID: "b", After: []string{"a"}}}, today, Calendar{})
	if !reflect.DeepEqual(b1, b2) {
		t.Error("Backward differs between runs")
	}
	_, err1 := Compute(plan("", task("a", 1, "b"), task("b", 1, "a"), task("c", 1, "d")), today, Calendar{})
	_, err2 := Compute(plan("", task("a", 1, "b"), task("b", 1, "a"), task("c", 1, "d")), today, Calendar{})
	if err1.Error() != err2.Error() {
		t.Errorf("errors differ: %q, %q", err1, err2)
	}
}

func TestComputeDoesNotModifyDeal(t *testing.T) {
	d := plan("2026-06-26", task("a", 2), task("b", 1, "a"))
	before := fmt.Sprintf("%+v", *d)
	if _, err := Compute(d, mustDate("2026-06-01"), Calendar{}); err != nil {
		t.Fatal(err)
	}
	if after := fmt.Sprintf("%+v", *d); after != before {
		t.Errorf("deal changed:\n%s\n%s", before, after)
	}
}

// TestExtremeDates schedules far from today in both directions: ten
// thousand of the longest tasks in a chain (hundreds of thousands of
// years), seen from the zero Date, with holidays.
func TestExtremeDates(t *testing.T) {
	const n = 10_000
	tasks := make([]deal.Task, n)
	for i := range tasks {
		tasks[i] = task(fmt.Sprint("t", i), MaxDuration)
		if i > 0 {
			tasks[i].After = []string{tasks[i-1].ID}
		}
	}
	cal := NewCalendar(mustDate("2026-07-03"), mustDate("0001-01-02"))
	for _, today := range []deal.Date{{}, mustDate("2026-06-01")} {
		p, err := Compute(plan("2026-06-26", tasks...), today, cal)
		if err != nil {
			t.Fatal(err)
		}
		first, last := p.Tasks[0], p.Tasks[n-1]
		if got := cal.BusinessDaysBetween(first.EarliestStart, last.EarliestFinish); got != n*MaxDuration-1 {
			t.Errorf("from %q: the chain spans %d business days, want %d", today, got, n*MaxDuration-1)
		}
		if got := cal.BusinessDaysBetween(first.LatestFinish, last.LatestFinish); got != (n-1)*MaxDuration {
			t.Errorf("from %q: latest finishes %d business days apart, want %d", today, got, (n-1)*MaxDuration)
		}
		if p.Overrun != cal.BusinessDaysBetween(mustDate("2026-06-26"), p.Finish) || len(p.CriticalPath) != n {
			t.Errorf("from %q: overrun %d, critical path of %d", today, p.Overrun, len(p.CriticalPath))
		}
	}
}

// TestPathFromDueDates: with due dates alone the path shown is the chain
// the last due date waits on, not the task due soonest, and each task's
// Room is how far its date can move before another date must; with
// durations it is CriticalPath.
func TestPathFromDueDates(t *testing.T) {
	today := mustDate("2026-11-24") // a Tuesday
	d := plan("2026-12-18",
		due(task("a", 0), "2026-11-27"),
		due(task("b", 0, "a"), "2026-12-04"),
		due(task("sign", 0, "b"), "2026-12-18"),
		due(task("logo", 0), "2026-11-16"))
	p, err := Compute(d, today, NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	path, fromDurations := p.Path(d, today)
	if fromDurations || !slices.Equal(path, []string{"a", "b", "sign"}) {
		t.Errorf("path %v (durations %v), want a -> b -> sign from due dates; the schedule's own is %v", path, fromDurations, p.CriticalPath)
	}
	for id, want := range map[string]struct {
		bound string
		room  int
	}{"a": {"2026-12-04", 5}, "b": {"2026-12-18", 10}, "sign": {"2026-12-18", 0}, "logo": {"2026-12-18", 18}} { // logo is late: from today
		ts, _ := p.Task(id)
		if ts.Bound.String() != want.bound || ts.Room != want.room {
			t.Errorf("%s: bound %s, room %d; want %s, %d", id, ts.Bound, ts.Room, want.bound, want.room)
		}
	}

	// The close waits on the predecessor with the least room, not on the
	// one due soonest: pricing is due a week before the deck needs it,
	// risk on the day it does.
	d = plan("2026-12-18",
		due(task("pricing", 0), "2026-12-01"),
		due(task("risk", 0), "2026-12-08"),
		due(task("deck", 0, "pricing", "risk"), "2026-12-08"),
		due(task("sign2", 0, "deck"), "2026-12-18"))
	if p, err = Compute(d, today, NewCalendar()); err != nil {
		t.Fatal(err)
	}
	if path, _ := p.Path(d, today); !slices.Equal(path, []string{"risk", "deck", "sign2"}) {
		t.Errorf("path %v, want risk -> deck -> sign2: the deck waits on risk, due the day it is", path)
	}

	// A redline moved past the close: the signature due on the close waits
	// on it, and finishes after it; the path ends with the signature.
	d = plan("2026-12-18",
		due(task("risk3", 0), "2026-12-08"),
		due(task("redlines", 0, "risk3"), "2026-12-22"),
		due(task("sign3", 0, "redlines"), "2026-12-18"))
	if p, err = Compute(d, today, NewCalendar()); err != nil {
		t.Fatal(err)
	}
	if path, _ := p.Path(d, today); !slices.Equal(path, []string{"risk3", "redlines", "sign3"}) {
		t.Errorf("path %v, want risk3 -> redlines -> sign3: the signature finishes after the redlines it waits on", path)
	}

	// With durations, the schedule's critical path.
	d = plan("2026-12-18", task("x", 5), task("y", 10, "x"), task("z", 2))
	if p, err = Compute(d, today, NewCalendar()); err != nil {
		t.Fatal(err)
	}
	if path, fromDurations := p.Path(d, today); !fromDurations || !slices.Equal(path, p.CriticalPath) || len(path) == 0 {
		t.Errorf("with durations: path %v (durations %v), want %v", path, fromDurations, p.CriticalPath)
	}
}

// TestCriticalPathOfEndedDeals: a lost deal has no critical path; a won
// deal's is of its onboarding work, even where a step of the sale was
// left open with less slack.
func TestCriticalPathOfEndedDeals(t *testing.T) {
	today := mustDate("2026-06-01")
	build := func(o deal.Outcome) *deal.Deal {
		d := onboarding("2026-07-31", plan("2026-06-12",
			task("sale-a", 5),
			task("sale-b", 4, "sale-a"),
			task("setup", 3),
			task("train", 2, "setup"),
		))
		d.Outcome = o
		return d
	}
	for o, want := range map[deal.Outcome][]string{
		deal.Open: {"sale-a", "sale-b"},
		deal.Won:  {"setup", "train"},
		deal.Lost: nil,
	} {
		p, err := Compute(build(o), today, Calendar{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.CriticalPath, want) {
			t.Errorf("%s: critical path %v, want %v", o, p.CriticalPath, want)
		}
		// The path the rooms show is the same: a won deal's onboarding
		// (it was none, as for the sale's work alone).
		if path, _ := p.Path(build(o), today); o != deal.Lost && !slices.Equal(path, want) {
			t.Errorf("%s: the path shown %v, want %v", o, path, want)
		}
		for _, ts := range p.Tasks {
			if ts.Critical != slices.Contains(want, ts.ID) {
				t.Errorf("%s: %s critical %v", o, ts.ID, ts.Critical)
			}
		}
	}
}

// TestOverdueStepOffThePath: a step past its own due date, with days to
// spare before its milestone, is late but not what the close waits on:
// the critical path is the chain the milestone dates wait on.
func TestOverdueStepOffThePath(t *testing.T) {
	d := plan("2026-07-31",
		due(task("questionnaire", 1), "2026-05-20"),
		task("sample", 5),
		task("report", 5, "sample"),
		task("case", 5, "report"),
	)
	decide(d, 0, "2026-06-30")
	decide(d, 1, "2026-06-26")
	p, err := Compute(d, mustDate("2026-06-01"), Calendar{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sample", "report", "case"}; !slices.Equal(p.CriticalPath, want) {
		t.Errorf("critical path %v, want %v", p.CriticalPath, want)
	}
	if q, _ := p.Task("questionnaire"); q.Critical || q.Slack >= 0 {
		t.Errorf("the late questionnaire: %+v, want late (negative slack) and not critical", q)
	}
}

// TestTurnPath: the path whose move it is takes is the one the product
// shows (Path), from due dates too, so that on a plan with due dates only
// the critical step wins a tie between steps as late, and a late step that
// waits on another open step gives the turn to that one.
func TestTurnPath(t *testing.T) {
	today := mustDate("2027-03-01")
	owned := func(t deal.Task, owner string) deal.Task { t.Owner = owner; return t }
	d := plan("2027-05-28",
		owned(due(task("side", 0), "2027-02-19"), "ch"),
		owned(due(task("crit", 0), "2027-02-19"), "te"),
		owned(due(task("t2", 0, "crit"), "2027-04-30"), "ae"),
		owned(due(task("t3", 0, "t2"), "2027-05-28"), "eb"))
	p, err := Compute(d, today, NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	tp := p.TurnPath(d, today)
	if path, fromDurations := p.Path(d, today); tp.FromDurations != fromDurations || !slices.Equal(tp.IDs, path) || len(path) == 0 {
		t.Errorf("turn path %+v, want the path shown %v (durations %v)", tp, path, fromDurations)
	}
	if tn, ok := deal.WaitingOn(d, tp, nil, today); !ok || tn.Task.ID != "crit" || !tn.Critical {
		t.Errorf("tie on a due-date plan: waiting on %v (critical %v), want crit", tn.Task, tn.Critical)
	}

	// The seller's step is the most late, but waits on the buyer's.
	d = plan("2027-05-28",
		owned(due(task("a-up", 0), "2027-02-20"), "te"),
		owned(due(task("c-dep", 0, "a-up"), "2027-02-10"), "se"),
		owned(due(task("t2", 0, "c-dep"), "2027-04-30"), "ae"),
		owned(due(task("t3", 0, "t2"), "2027-05-28"), "eb"))
	if p, err = Compute(d, today, NewCalendar()); err != nil {
		t.Fatal(err)
	}
	tn, ok := deal.WaitingOn(d, p.TurnPath(d, today), func(t *deal.Task) deal.Date { due, _ := p.DueOf(t); return due }, today)
	if !ok || tn.Task.ID != "a-up" || tn.Owner != "te" || tn.DaysLate != 9 || tn.Holds == nil || tn.Holds.ID != "c-dep" || !tn.Critical {
		t.Errorf("waiting on %v (owner %s, %d days late, holds %v, critical %v), want a-up (te, 9 days late, holding up c-dep, critical)",
			tn.Task, tn.Owner, tn.DaysLate, tn.Holds, tn.Critical)
	}
	if p.TurnPath(nil, today).IDs != nil || (*Plan)(nil).TurnPath(d, today).IDs != nil {
		t.Error("no plan or no deal: want no path")
	}
}

// TestCriticalPathThroughDatedSteps: the critical path is the chain the
// close waits on, back from the step that finishes last through the open
// step each waits on, dated steps and steps with a duration alike, and
// not cut short where an earlier milestone's date is tighter than the
// close. These are the plans of a sales manager's review, seen on Monday
// 2027-03-01.
func TestCriticalPathThroughDatedSteps(t *testing.T) {
	today := mustDate("2027-03-01")
	ms := func(close string, ms ...deal.Milestone) *deal.Deal {
		d := &deal.Deal{ID: "review", Close: mustDate(close), Milestones: ms}
		for i := range d.Milestones {
			for j := range d.Milestones[i].Tasks {
				d.Milestones[i].Tasks[j].Milestone = d.Milestones[i].ID
			}
		}
		return d
	}
	m := func(id, due string, tasks ...deal.Task) deal.Milestone {
		m := deal.Milestone{ID: id, Tasks: tasks}
		if due != "" {
			m.Due = mustDate(due)
		}
		return m
	}
	for _, tt := range []struct {
		name   string
		deal   *deal.Deal
		cal    Calendar
		path   []string
		finish string
		ends   map[string]string // earliest finishes
	}{{
		// t3 takes three business days after t2, open and due 04-30.
		name: "dated -> dated -> duration, closing on a Saturday",
		deal: ms("2027-05-29",
			m("m1", "2027-03-31", due(task("t1", 0), "2027-03-31")),
			m("m2", "2027-04-30", due(task("t2", 0, "t1"), "2027-04-30")),
			m("m3", "", task("t3", 3, "t2"))),
		path:   []string{"t1", "t2", "t3"},
		finish: "2027-05-05",
		ends:   map[string]string{"t1": "2027-03-31", "t2": "2027-04-30", "t3": "2027-05-05"},
	}, {
		// t2 waits on fri (past its date: today at best) and on dur
		// (three business days over a holiday): dur finishes last.
		name: "duration -> dated -> dated, with an overdue dated step beside",
		deal: ms("2027-05-28",
			m("m1", "2027-03-31",
				due(task("fri", 0), "2027-02-12"),
				done(due(task("t0", 0), "2027-02-26"), "2027-02-26"),
				task("dur", 3, "t0")),
			m("m2", "2027-04-30", due(task("t2", 0, "fri", "dur"), "2027-04-30")),
			m("m3", "2027-05-28", due(task("t3", 0, "t2"), "2027-05-28"))),
		cal:    NewCalendar(mustDate("2027-02-15"), mustDate("2027-03-02")),
		path:   []string{"dur", "t2", "t3"},
		finish: "2027-05-28",
		ends:   map[string]string{"fri": "2027-03-01", "dur": "2027-03-04", "t2": "2027-04-30", "t3": "2027-05-28"},
	}, {
		// t1's milestone date has passed: t1 has far less slack than t3
		// and t4, but the close waits on all three.
		name: "durations after a done dated step, past a milestone's date",
		deal: ms("2027-04-30",
			m("m1", "2027-02-19",
				task("t1", 10, "t2"),
				done(due(task("t2", 0), "2027-02-10"), "2027-02-10")),
			m("m2", "2027-03-31", task("t3", 5, "t1")),
			m("m3", "2027-04-30", task("t4", 5, "t3"))),
		path:   []string{"t1", "t3", "t4"},
		finish: "2027-03-26",
		ends:   map[string]string{"t1": "2027-03-12", "t3": "2027-03-19", "t4": "2027-03-26"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compute(tt.deal, today, tt.cal)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.CriticalPath, tt.path) {
				t.Errorf("critical path %v, want %v", p.CriticalPath, tt.path)
			}
			if p.Finish.String() != tt.finish || p.SalesFinish != p.Finish {
				t.Errorf("finish %s (sales %s), want %s", p.Finish, p.SalesFinish, tt.finish)
			}
			for id, want := range tt.ends {
				if ts, _ := p.Task(id); ts.EarliestFinish.String() != want {
					t.Errorf("%s finishes %s, want %s", id, ts.EarliestFinish, want)
				}
			}
			for _, ts := range p.Tasks {
				if ts.Critical != slices.Contains(tt.path, ts.ID) {
					t.Errorf("%s: critical %v", ts.ID, ts.Critical)
				}
			}
			// The path the rooms and the report show is this one.
			if path, fromDurations := p.Path(tt.deal, today); !fromDurations || !slices.Equal(path, tt.path) {
				t.Errorf("path shown %v (durations %v), want %v", path, fromDurations, tt.path)
			}
		})
	}
}
