package deal

import (
	"testing"
	"time"
)

// TestWaitingOn pins whose move it is: the open task latest past its due
// date, else the critical path's first open task when there is one, else
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
			tn, ok := WaitingOn(d, tc.critical, nil, today)
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
