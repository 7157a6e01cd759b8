package deal

import (
	"testing"
	"time"
)

// TestAsOf: a task done after the day is open on it, in a copy; the plan
// passed in is never changed, and comes back as is when nothing is later.
func TestAsOf(t *testing.T) {
	d := &Deal{ID: "d", Milestones: []Milestone{{ID: "m", Tasks: []Task{
		{ID: "early", Status: Done, Done: NewDate(2026, time.November, 10)},
		{ID: "late", Status: Done, Done: NewDate(2026, time.December, 5)},
		{ID: "open", Status: Todo},
	}}}}
	if got := d.AsOf(NewDate(2026, time.December, 5)); got != d {
		t.Errorf("as of the last done day: a copy, want the plan itself")
	}
	got := d.AsOf(NewDate(2026, time.November, 24))
	if got == d {
		t.Fatal("as of 24 November: the plan itself, want a copy with late open")
	}
	want := []struct {
		status Status
		done   Date
	}{{Done, NewDate(2026, time.November, 10)}, {InProgress, Date{}}, {Todo, Date{}}}
	for i, w := range want {
		if tk := got.Milestones[0].Tasks[i]; tk.Status != w.status || tk.Done != w.done {
			t.Errorf("as of 24 November, %s: %s %s, want %s %s", tk.ID, tk.Status, tk.Done, w.status, w.done)
		}
	}
	if tk := d.Milestones[0].Tasks[1]; tk.Status != Done || tk.Done != NewDate(2026, time.December, 5) {
		t.Errorf("the plan passed in changed: %+v", tk)
	}
}
