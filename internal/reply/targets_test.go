package reply

import (
	"slices"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// testDeal: jordan (buyer) owns sq and leads tech-eval; sam (seller) owns
// demo and leads sign; "dup" is both a task (sam's) and a milestone
// (jordan's).
func testDeal() *deal.Deal {
	return &deal.Deal{
		ID: "acme",
		Stakeholders: []deal.Stakeholder{
			{ID: "jordan", Name: "Jordan Park", Side: deal.Buyer, Email: "jordan@acme.example"},
			{ID: "sam", Name: "Sam Lee", Side: deal.Seller},
		},
		Milestones: []deal.Milestone{
			{ID: "tech-eval", Due: deal.NewDate(2026, 12, 4), Lead: "jordan", Tasks: []deal.Task{
				{ID: "sq", Owner: "jordan", Due: deal.NewDate(2026, 11, 20), Status: deal.Todo},
				{ID: "demo", Owner: "sam", Due: deal.NewDate(2026, 11, 18), Status: deal.InProgress},
			}},
			{ID: "sign", Due: deal.NewDate(2027, 1, 29), Lead: "sam", Tasks: []deal.Task{
				{ID: "dup", Owner: "sam", Due: deal.NewDate(2027, 1, 20), Status: deal.Todo},
			}},
			{ID: "dup", Due: deal.NewDate(2027, 1, 30), Lead: "jordan"},
		},
	}
}

func TestTargetsFor(t *testing.T) {
	got := TargetsFor(testDeal(), "jordan")
	want := Targets{Own: []string{"sq"}, Lead: []string{"tech-eval", "dup"}, See: []string{"sq", "demo", "dup"},
		Milestones: []string{"tech-eval", "sign", "dup"}}
	if !equal(got, want) {
		t.Fatalf("TargetsFor(jordan) = %+v, want %+v", got, want)
	}
	if got := TargetsFor(testDeal(), "nobody"); len(got.Own)+len(got.Lead) != 0 || len(got.See) != 3 {
		t.Fatalf("TargetsFor(nobody) = %+v", got)
	}
	// A task of theirs done: listed as done, and nothing but a question
	// about it goes.
	d := testDeal()
	d.Milestones[0].Tasks[0].Status = deal.Done
	done := TargetsFor(d, "jordan")
	if !slices.Equal(done.Done, []string{"sq"}) {
		t.Fatalf("TargetsFor(jordan) with sq done: Done = %v, want [sq]", done.Done)
	}
	for kind, want := range map[Kind]bool{Confirm: true, Propose: true, Done: true, Blocked: true, Question: false} {
		if got := done.DoneAlready(Reply{Kind: kind, Target: "sq", TargetKind: TargetTask}); got != want {
			t.Errorf("DoneAlready(%s on sq) = %v, want %v", kind, got, want)
		}
	}
	// A milestone of theirs reached (every step done): nothing but a
	// question about it goes either; one with a step open, or none, is
	// not reached.
	if len(done.Reached) != 0 {
		t.Fatalf("Reached = %v with demo open, want none", done.Reached)
	}
	d.Milestones[0].Tasks[1].Status = deal.Done
	reached := TargetsFor(d, "jordan")
	if !slices.Equal(reached.Reached, []string{"tech-eval"}) {
		t.Fatalf("Reached = %v, want [tech-eval] (dup has no step)", reached.Reached)
	}
	for kind, want := range map[Kind]bool{Confirm: true, Propose: true, Question: false} {
		if got := reached.DoneAlready(Reply{Kind: kind, Target: "tech-eval", TargetKind: TargetMilestone}); got != want {
			t.Errorf("DoneAlready(%s on tech-eval) = %v, want %v", kind, got, want)
		}
	}
	if reached.DoneAlready(Reply{Kind: Propose, Target: "dup", TargetKind: TargetMilestone}) {
		t.Errorf("DoneAlready(propose on the milestone dup, which has no step) = true")
	}
}

func equal(a, b Targets) bool {
	s := func(x, y []string) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return s(a.Own, b.Own) && s(a.Lead, b.Lead) && s(a.See, b.See) && s(a.Milestones, b.Milestones) && s(a.Done, b.Done)
}

func TestAllows(t *testing.T) {
	jordan := TargetsFor(testDeal(), "jordan")
	tests := []struct {
		kind   Kind
		target string
		want   bool
	}{
		{Confirm, "sq", true},
		{Propose, "sq", true},
		{Done, "sq", true},
		{Blocked, "sq", true},
		{Confirm, "demo", false}, // someone else's task
		{Propose, "demo", false},
		{Done, "demo", false},
		{Blocked, "demo", false},
		{Confirm, "tech-eval", true}, // a milestone jordan leads
		{Propose, "tech-eval", true},
		{Done, "tech-eval", false}, // a milestone has no status
		{Blocked, "tech-eval", false},
		{Propose, "sign", false}, // a milestone sam leads
		{Question, "", true},     // the plan
		{Question, "sq", true},
		{Question, "demo", true}, // any visible task
		{Question, "sign", true}, // any milestone
		{Question, "nope", false},
		{Suggest, "", true}, // only on the plan
		{Suggest, "sq", false},
		{Suggest, "tech-eval", false},
		{Confirm, "", false},
		{Done, "", false},
		{Kind("delete"), "sq", false},
		{Confirm, "nope", false},
	}
	for _, tt := range tests {
		if got := jordan.Allows(tt.kind, tt.target); got != tt.want {
			t.Errorf("Allows(%s, %q) = %v, want %v", tt.kind, tt.target, got, tt.want)
		}
	}
	if (Targets{}).Allows(Confirm, "sq") || !(Targets{}).Allows(Question, "") {
		t.Error("the zero Targets allows more than questions and suggestions on the plan")
	}
}

func TestAllowsReplyUsesTargetKind(t *testing.T) {
	jordan := TargetsFor(testDeal(), "jordan")
	// "dup" is sam's task and jordan's milestone.
	for _, tt := range []struct {
		targetKind string
		want       bool
	}{{TargetTask, false}, {TargetMilestone, true}, {"", true}} {
		r := Reply{Kind: Propose, Target: "dup", TargetKind: tt.targetKind}
		if got := jordan.AllowsReply(r); got != tt.want {
			t.Errorf("AllowsReply(propose dup as %q) = %v, want %v", tt.targetKind, got, tt.want)
		}
	}
	if got := jordan.Resolve("dup"); got != TargetTask {
		t.Errorf("Resolve(dup) = %q, want task", got)
	}
	if got := jordan.Resolve("sign"); got != TargetMilestone {
		t.Errorf("Resolve(sign) = %q, want milestone", got)
	}
}

// TestItem: a reply's target kind says where its id is looked up, so a
// milestone and a task that share an id are told apart; a reply without a
// kind finds the task first, and an id gone from the plan finds nothing.
func TestItem(t *testing.T) {
	d := testDeal()
	for _, c := range []struct {
		r           Reply
		task, miles string
	}{
		{Reply{Target: "dup", TargetKind: TargetTask}, "dup", ""},
		{Reply{Target: "dup", TargetKind: TargetMilestone}, "", "dup"},
		{Reply{Target: "dup"}, "dup", ""},
		{Reply{Target: "tech-eval"}, "", "tech-eval"},
		{Reply{Target: "tech-eval", TargetKind: TargetTask}, "", ""},
		{Reply{Target: "sq", TargetKind: TargetMilestone}, "", ""},
		{Reply{Target: "gone", TargetKind: TargetTask}, "", ""},
		{Reply{}, "", ""},
	} {
		task, m := Item(d, c.r)
		var gotT, gotM string
		if task != nil {
			gotT = task.ID
		}
		if m != nil {
			gotM = m.ID
		}
		if gotT != c.task || gotM != c.miles {
			t.Errorf("Item(%q, kind %q) = task %q, milestone %q; want %q, %q", c.r.Target, c.r.TargetKind, gotT, gotM, c.task, c.miles)
		}
	}
}
