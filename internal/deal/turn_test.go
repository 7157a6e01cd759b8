package deal

import (
	"testing"
	"time"
)

// TestWaitingOn pins whose move it is in a plan without dependencies: the
// open task latest past its due date, else the first open task of a
// critical path from durations when there is one, else
// the open task due first (undated last, plan order on a tie), with the owner's side for a person and for an unassigned
// role, and the days late on today; nobody's for an ended deal or a plan
// with every task done.
func TestWaitingOn(t *testing.T) {
	today := NewDate(2026, time.November, 22)
	day := func(n int) Date { return NewDate(2026, time.November, n) }
	newDeal := func() *Deal {
		return &Deal{Outcome: Open, Stakeholders: []Stakeholder{
			{ID: "jordan", Name: "Jordan Park", Side: Buyer, Role: "technical-evaluator"},
			{ID: "rita", Name: "Rita Alvarez", Side: Seller, Role: "solutions-engineer"},
		}, Milestones: []Milestone{{ID: "m", Tasks: []Task{
			{ID: "nda", Owner: "jordan", Due: day(1), Status: Done, Done: day(1)},
			{ID: "undated", Owner: "rita", Status: Todo},
			{ID: "data", Owner: "jordan", Due: day(10), Status: InProgress},
			{ID: "legal", Owner: "role:legal", Due: day(10), Status: Todo},
			{ID: "sandbox", Owner: "role:solutions-engineer", Due: day(30), Status: Todo},
		}}}}
	}
	for _, tc := range []struct {
		name     string
		edit     func(*Deal)
		critical []string
		want     string // task id, "" for nobody
		side     Side
		late     int
		crit     bool
	}{
		{name: "due first, a person", want: "data", side: Buyer, late: 12},
		{name: "late work first", critical: []string{"sandbox", "data"}, want: "data", side: Buyer, late: 12, crit: true},
		{name: "late work first, off the path", critical: []string{"sandbox"}, want: "data", side: Buyer, late: 12},
		{name: "critical path first when nothing is late", critical: []string{"sandbox", "data"},
			edit: func(d *Deal) { d.Milestones[0].Tasks[2].Due, d.Milestones[0].Tasks[3].Due = day(25), day(26) },
			want: "sandbox", side: Seller, crit: true},
		{name: "a done task on the path is passed over", critical: []string{"nda"}, want: "data", side: Buyer, late: 12},
		{name: "tie in plan order, then an unassigned buyer role",
			edit: func(d *Deal) { d.Milestones[0].Tasks[2].Status = Done; d.Milestones[0].Tasks[2].Done = day(9) },
			want: "legal", side: Buyer, late: 12},
		{name: "undated last",
			edit: func(d *Deal) {
				for i := range d.Milestones[0].Tasks {
					if d.Milestones[0].Tasks[i].ID != "undated" {
						d.Milestones[0].Tasks[i].Status, d.Milestones[0].Tasks[i].Done = Done, day(2)
					}
				}
			},
			want: "undated", side: Seller},
		{name: "ended deal", edit: func(d *Deal) { d.Outcome = Won }},
		{name: "won deal: its onboarding", edit: func(d *Deal) {
			d.Outcome = Won
			d.Milestones = append(d.Milestones, Milestone{ID: "live", Onboarding: true, Tasks: []Task{
				{ID: "kickoff", Owner: "rita", Due: day(25), Status: Todo, Milestone: "live"}}})
		}, want: "kickoff", side: Seller},
		{name: "lost deal", edit: func(d *Deal) {
			d.Outcome = Lost
			d.Milestones = append(d.Milestones, Milestone{ID: "live", Onboarding: true, Tasks: []Task{
				{ID: "kickoff", Owner: "rita", Due: day(25), Status: Todo, Milestone: "live"}}})
		}},
		{name: "nothing open", edit: func(d *Deal) {
			for i := range d.Milestones[0].Tasks {
				d.Milestones[0].Tasks[i].Status, d.Milestones[0].Tasks[i].Done = Done, day(2)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeal()
			if tc.edit != nil {
				tc.edit(d)
			}
			tn, ok := WaitingOn(d, Path{IDs: tc.critical, FromDurations: true}, nil, today)
			if tc.want == "" {
				if ok {
					t.Fatalf("waiting on %s, want nobody", tn.Task.ID)
				}
				return
			}
			if !ok {
				t.Fatalf("waiting on nobody, want %s", tc.want)
			}
			if tn.Task.ID != tc.want || tn.Side != tc.side || tn.DaysLate != tc.late || tn.Critical != tc.crit {
				t.Errorf("waiting on %s (%s side, %d days late, critical %v); want %s (%s side, %d days late, critical %v)",
					tn.Task.ID, tn.Side, tn.DaysLate, tn.Critical, tc.want, tc.side, tc.late, tc.crit)
			}
			if (tn.Person == nil) != (tn.Owner[:min(5, len(tn.Owner))] == "role:") {
				t.Errorf("owner %q: person %v", tn.Owner, tn.Person)
			}
		})
	}
}

// turnDeal is a deal whose milestone holds tasks, with a buyer (te, ch)
// and a seller (se) stakeholder.
func turnDeal(tasks ...Task) *Deal {
	return &Deal{Outcome: Open, Stakeholders: []Stakeholder{
		{ID: "te", Name: "Tess Tech", Side: Buyer, Role: "technical-evaluator"},
		{ID: "ch", Name: "Chad Champ", Side: Buyer, Role: "champion"},
		{ID: "se", Name: "Sue Engineer", Side: Seller, Role: "solutions-engineer"},
	}, Milestones: []Milestone{{ID: "m", Tasks: tasks}}}
}

// TestWaitingOnUpstream: the step picked (the one latest past its date, or
// the next move) waits on open work through after:, so the turn is the
// open step upstream with no open dependency, late by its own date, with
// the picked step as the one it holds up. Done steps are passed over,
// several starting points are ordered critical first, then due first, and
// a cycle neither loops nor loses the turn.
func TestWaitingOnUpstream(t *testing.T) {
	today := NewDate(2027, time.March, 1)
	day := func(m time.Month, n int) Date { return NewDate(2027, m, n) }
	for _, tc := range []struct {
		name  string
		tasks []Task
		path  Path
		want  string // the step named
		holds string // the step it holds up, "" for none
		side  Side
		late  int
		crit  bool
	}{
		{name: "the seller's late step waits on the buyer's",
			tasks: []Task{
				{ID: "a-up", Owner: "te", Due: day(time.February, 20), Status: Todo},
				{ID: "c-dep", Owner: "se", Due: day(time.February, 10), Status: Todo, After: []string{"a-up"}},
				{ID: "t2", Owner: "se", Due: day(time.April, 30), Status: Todo, After: []string{"c-dep"}},
			},
			path: Path{IDs: []string{"a-up", "c-dep", "t2"}},
			want: "a-up", holds: "c-dep", side: Buyer, late: 9, crit: true},
		{name: "transitively, past a done step's own dependencies",
			tasks: []Task{
				{ID: "old", Owner: "se", Due: day(time.January, 5), Status: Done, Done: day(time.January, 5)},
				{ID: "root", Owner: "ch", Due: day(time.March, 20), Status: Todo, After: []string{"old"}},
				{ID: "mid", Owner: "se", Due: day(time.February, 25), Status: Blocked, After: []string{"root", "old"}},
				{ID: "late", Owner: "se", Due: day(time.February, 1), Status: Todo, After: []string{"mid"}},
			},
			want: "root", holds: "late", side: Buyer, late: 0},
		{name: "several starting points: the critical one first",
			tasks: []Task{
				{ID: "early", Owner: "ch", Due: day(time.February, 1), Status: Todo},
				{ID: "crit", Owner: "te", Due: day(time.February, 15), Status: Todo},
				{ID: "late", Owner: "se", Due: day(time.January, 20), Status: Todo, After: []string{"early", "crit"}},
			},
			path: Path{IDs: []string{"crit", "late"}},
			want: "crit", holds: "late", side: Buyer, late: 14, crit: true},
		{name: "several starting points: then the one due first",
			tasks: []Task{
				{ID: "undated", Owner: "te", Status: Todo},
				{ID: "later", Owner: "te", Due: day(time.February, 15), Status: Todo},
				{ID: "sooner", Owner: "ch", Due: day(time.February, 1), Status: Todo},
				{ID: "late", Owner: "se", Due: day(time.January, 20), Status: Todo, After: []string{"undated", "later", "sooner"}},
			},
			want: "sooner", holds: "late", side: Buyer, late: 28},
		{name: "the next move from durations waits on a step off the path",
			tasks: []Task{
				{ID: "prep", Owner: "ch", Due: day(time.March, 10), Status: Todo},
				{ID: "pilot", Owner: "se", Status: Todo, After: []string{"prep"}},
			},
			path: Path{IDs: []string{"pilot"}, FromDurations: true},
			want: "prep", holds: "pilot", side: Buyer},
		{name: "a cycle upstream ends at its way out",
			tasks: []Task{
				{ID: "x", Owner: "se", Due: day(time.March, 20), Status: Todo, After: []string{"y", "out"}},
				{ID: "y", Owner: "se", Due: day(time.March, 20), Status: Todo, After: []string{"x"}},
				{ID: "out", Owner: "te", Due: day(time.March, 25), Status: Todo},
				{ID: "late", Owner: "se", Due: day(time.February, 1), Status: Todo, After: []string{"y"}},
			},
			want: "out", holds: "late", side: Buyer},
		{name: "a cycle with no way out keeps the step picked",
			tasks: []Task{
				{ID: "x", Owner: "te", Due: day(time.March, 20), Status: Todo, After: []string{"late"}},
				{ID: "late", Owner: "se", Due: day(time.February, 1), Status: Todo, After: []string{"x"}},
			},
			want: "late", side: Seller, late: 28},
		{name: "an unknown dependency is passed over",
			tasks: []Task{
				{ID: "late", Owner: "se", Due: day(time.February, 1), Status: Todo, After: []string{"gone"}},
			},
			want: "late", side: Seller, late: 28},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := turnDeal(tc.tasks...)
			tn, ok := WaitingOn(d, tc.path, nil, today)
			if !ok {
				t.Fatalf("waiting on nobody, want %s", tc.want)
			}
			holds := ""
			if tn.Holds != nil {
				holds = tn.Holds.ID
			}
			if tn.Task.ID != tc.want || holds != tc.holds || tn.Side != tc.side || tn.DaysLate != tc.late || tn.Critical != tc.crit ||
				tn.Owner != tn.Task.Owner || tn.Due != tn.Task.Due {
				t.Errorf("waiting on %s holding up %q (%s side, owner %s, due %s, %d days late, critical %v); want %s holding up %q (%s side, %d days late, critical %v)",
					tn.Task.ID, holds, tn.Side, tn.Owner, tn.Due, tn.DaysLate, tn.Critical, tc.want, tc.holds, tc.side, tc.late, tc.crit)
			}
		})
	}
}

// TestWaitingOnTieOnDueDatePath: from due dates alone, the path the
// product marks critical breaks a tie between steps as late (the critical
// one wins, wherever it is in plan order), but does not lead when nothing
// is late: then the open step due first is the next move, not the path's
// first step.
func TestWaitingOnTieOnDueDatePath(t *testing.T) {
	day := func(m time.Month, n int) Date { return NewDate(2027, m, n) }
	d := turnDeal(
		Task{ID: "side", Owner: "ch", Due: day(time.February, 19), Status: Todo},
		Task{ID: "crit", Owner: "te", Due: day(time.February, 19), Status: Todo},
		Task{ID: "t2", Owner: "se", Due: day(time.April, 30), Status: Todo, After: []string{"crit"}},
	)
	path := Path{IDs: []string{"crit", "t2"}}
	tn, ok := WaitingOn(d, path, nil, day(time.March, 1))
	if !ok || tn.Task.ID != "crit" || !tn.Critical || tn.DaysLate != 10 || tn.Holds != nil {
		t.Errorf("tie: waiting on %v (critical %v, %d days late), want crit (critical, 10 days late)", tn.Task, tn.Critical, tn.DaysLate)
	}
	tn, ok = WaitingOn(d, path, nil, day(time.February, 1))
	if !ok || tn.Task.ID != "side" || tn.Critical || tn.DaysLate != 0 {
		t.Errorf("nothing late: waiting on %v (critical %v), want side, the open step due first in plan order", tn.Task, tn.Critical)
	}
}

// TestWaitingOnWithoutDependencies: a plan whose steps wait on nothing
// keeps the step the rule picks, with or without a path, from durations
// or due dates: the most late, else the path's first from durations, else
// the one due first.
func TestWaitingOnWithoutDependencies(t *testing.T) {
	day := func(n int) Date { return NewDate(2027, time.March, n) }
	d := turnDeal(
		Task{ID: "a", Owner: "se", Due: day(20), Status: Todo},
		Task{ID: "b", Owner: "te", Due: day(10), Status: InProgress},
		Task{ID: "c", Owner: "ch", Due: day(5), Status: Blocked},
		Task{ID: "d", Owner: "te", Due: day(25), Status: Todo},
	)
	for _, tc := range []struct {
		name  string
		path  Path
		today Date
		want  string
	}{
		{"late, no path", Path{}, day(12), "c"},
		{"late, a due-date path elsewhere", Path{IDs: []string{"d"}}, day(12), "c"},
		{"nothing late, no path", Path{}, day(1), "c"},
		{"nothing late, a due-date path", Path{IDs: []string{"d"}}, day(1), "c"},
		{"nothing late, a path from durations", Path{IDs: []string{"d"}, FromDurations: true}, day(1), "d"},
	} {
		tn, ok := WaitingOn(d, tc.path, nil, tc.today)
		if !ok || tn.Task.ID != tc.want || tn.Holds != nil {
			t.Errorf("%s: waiting on %v (holding up %v), want %s", tc.name, tn.Task, tn.Holds, tc.want)
		}
	}
}
