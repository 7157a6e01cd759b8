package deal

import (
	"strings"
	"testing"
	"time"
)

// TestDaysLate pins who counts days late: every open task of an open deal,
// only the onboarding tasks of a won deal (its plan carries on into
// onboarding after signature), nothing of a lost deal; never a done task,
// an undated one or one due today or later.
func TestDaysLate(t *testing.T) {
	day := func(m time.Month, d int) Date { return NewDate(2027, m, d) }
	today := day(time.January, 8)
	newDeal := func(outcome Outcome) *Deal {
		return &Deal{Outcome: outcome, Milestones: []Milestone{
			{ID: "signature", Tasks: []Task{
				{ID: "msa", Status: Todo, Milestone: "signature"},
			}},
			{ID: "rollout", Onboarding: true, Tasks: []Task{
				{ID: "o1", Status: InProgress, Milestone: "rollout"},
				{ID: "o2", Status: Done, Done: day(time.January, 4), Milestone: "rollout"},
				{ID: "hand-made", Status: Todo}, // Milestone not set: the milestone holding it
			}},
		}}
	}
	for _, tc := range []struct {
		name    string
		outcome Outcome
		task    string
		due     Date
		today   Date // today when zero
		want    int
	}{
		{"open deal, sales task", Open, "msa", day(time.January, 1), Date{}, 7},
		{"open deal, onboarding task", Open, "o1", day(time.January, 1), Date{}, 7},
		{"won deal, sales task: the sale is over", Won, "msa", day(time.January, 1), Date{}, 0},
		{"won deal, onboarding task", Won, "o1", NewDate(2026, time.December, 31), Date{}, 8},
		{"won deal, onboarding task without its milestone id", Won, "hand-made", day(time.January, 5), Date{}, 3},
		{"won deal, onboarding task due today", Won, "o1", today, Date{}, 0},
		{"won deal, onboarding task not yet due", Won, "o1", day(time.February, 12), Date{}, 0},
		{"won deal, onboarding task done", Won, "o2", day(time.January, 1), Date{}, 0},
		{"won deal, onboarding task without a date", Won, "o1", Date{}, Date{}, 0},
		{"lost deal, sales task", Lost, "msa", day(time.January, 1), Date{}, 0},
		{"lost deal, onboarding task", Lost, "o1", day(time.January, 1), Date{}, 0},
		// A computed due date is a business day: with the close on
		// Saturday 2027-01-09, an undated task is due Friday the 8th, and
		// late on the Saturday itself.
		{"due friday, seen on the saturday", Open, "msa", day(time.January, 8), day(time.January, 9), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeal(tc.outcome)
			var task *Task
			for _, tk := range d.Tasks() {
				if tk.ID == tc.task {
					task = tk
				}
			}
			on := today
			if !tc.today.IsZero() {
				on = tc.today
			}
			if got := DaysLate(d, task, tc.due, on); got != tc.want {
				t.Errorf("DaysLate(%s of a %s deal, due %s) on %s = %d, want %d", tc.task, tc.outcome, tc.due, on, got, tc.want)
			}
		})
	}
}

// TestOnboarding: a task's milestone is the one its Milestone names, else
// (a deal built by hand) the one holding it.
func TestOnboarding(t *testing.T) {
	d := &Deal{Milestones: []Milestone{
		{ID: "sale", Tasks: []Task{{ID: "a", Milestone: "sale"}, {ID: "b"}}},
		{ID: "rollout", Onboarding: true, Tasks: []Task{{ID: "c", Milestone: "rollout"}, {ID: "d"}}},
	}}
	want := map[string]bool{"a": false, "b": false, "c": true, "d": true}
	for _, tk := range d.Tasks() {
		if got := d.Onboarding(tk); got != want[tk.ID] {
			t.Errorf("Onboarding(%s) = %v, want %v", tk.ID, got, want[tk.ID])
		}
	}
	if d.Onboarding(&Task{ID: "elsewhere"}) || d.Onboarding(&Task{ID: "ghost", Milestone: "nope"}) {
		t.Error("a task of no milestone of the deal is onboarding")
	}
}

// TestPending holds the rule of what an ended deal still asks: nothing of
// a lost one, only the onboarding of a won one, and no done step ever.
func TestPending(t *testing.T) {
	d := &Deal{Milestones: []Milestone{
		{ID: "sale", Tasks: []Task{{ID: "open", Milestone: "sale"}, {ID: "done", Milestone: "sale", Status: Done}}},
		{ID: "rollout", Onboarding: true, Tasks: []Task{{ID: "train", Milestone: "rollout"}, {ID: "trained", Milestone: "rollout", Status: Done}}},
	}}
	want := map[Outcome]map[string]bool{
		Open: {"open": true, "done": false, "train": true, "trained": false},
		Won:  {"open": false, "done": false, "train": true, "trained": false},
		Lost: {"open": false, "done": false, "train": false, "trained": false},
	}
	for outcome, w := range want {
		d.Outcome = outcome
		for _, tk := range d.Tasks() {
			if got := d.Pending(tk); got != w[tk.ID] {
				t.Errorf("%s deal: Pending(%s) = %v, want %v", outcome, tk.ID, got, w[tk.ID])
			}
		}
	}
}

// TestReviewParts: the review's three parts share its length (5 minutes
// each of 15, 10 of 30), as its room and invite say.
func TestReviewParts(t *testing.T) {
	for length, want := range map[time.Duration]int{15 * time.Minute: 5, 30 * time.Minute: 10, 20 * time.Minute: 7, 45 * time.Minute: 15, 2 * time.Minute: 1} {
		if got := (Review{Length: length}).Part(); got != want {
			t.Errorf("%v: parts of %d minutes, want %d", length, got, want)
		}
	}
	if got := (Review{Length: 30 * time.Minute}).Agenda(); !strings.Contains(got, "10 minutes status, 10 blockers, 10 next week") {
		t.Errorf("agenda %q", got)
	}
}
