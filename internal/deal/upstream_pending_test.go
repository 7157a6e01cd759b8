package deal

import (
	"slices"
	"testing"
)

// TestPendingUpstream: what a late step waits on further up its chain is the
// open steps reached through open steps: a done step holds nothing up, so
// a forgotten step before it (a kickoff recap nobody ticked) does not hold
// the steps after it, and a cycle ends the walk.
func TestPendingUpstream(t *testing.T) {
	d := &Deal{Milestones: []Milestone{{ID: "m", Tasks: []Task{
		{ID: "kick", Status: Todo},
		{ID: "req", Status: Done, After: []string{"kick"}},
		{ID: "sec", Status: Todo, After: []string{"req"}},
		{ID: "poc", Status: Todo, After: []string{"kick"}},
		{ID: "eval", Status: Todo, After: []string{"poc", "sec"}},
		{ID: "a", Status: Todo, After: []string{"b"}},
		{ID: "b", Status: Todo, After: []string{"a"}},
	}}}}
	ids := func(id string) []string {
		t, _ := d.Task(id)
		var out []string
		for _, p := range d.PendingUpstream(t) {
			out = append(out, p.ID)
		}
		slices.Sort(out)
		return out
	}
	for id, want := range map[string][]string{"sec": nil, "eval": {"kick", "poc", "sec"}, "a": {"b"}} {
		if got := ids(id); !slices.Equal(got, want) {
			t.Errorf("%s waits on %v, want %v", id, got, want)
		}
	}
}
