package deal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// upstreamWalk is Upstream as a walk from the task through every open step
// it waits on: the rule Upstream and Upstreams are held to.
func upstreamWalk(d *Deal, t *Task, path Path, due func(*Task) Date) *Task {
	open := func(id string) *Task {
		if q, ok := d.Task(id); ok && d.Pending(q) {
			return q
		}
		return nil
	}
	seen := map[string]bool{t.ID: true}
	var roots []*Task
	queue := []*Task{t}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		waits := false
		for _, id := range q.After {
			p := open(id)
			if p == nil {
				continue
			}
			waits = true
			if !seen[id] {
				seen[id] = true
				queue = append(queue, p)
			}
		}
		if !waits && q != t {
			roots = append(roots, q)
		}
	}
	if len(roots) == 0 {
		return nil
	}
	u := newUpstreams(d, path, due)
	return slices.MinFunc(roots, func(a, b *Task) int {
		switch {
		case a == b:
			return 0
		case u.before(a, b):
			return -1
		}
		return 1
	})
}

// TestUpstreamsAsTheWalk: on random plans (chains, fans, steps done, dates
// missing, a path, cycles too), Upstream and Upstreams give each task the
// step the walk through its open dependencies does.
func TestUpstreamsAsTheWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		n := 2 + r.IntN(14)
		d := &Deal{Outcome: Open}
		m := Milestone{ID: "m"}
		for i := range n {
			tk := Task{ID: fmt.Sprint("t", i), Status: Todo}
			if r.IntN(4) == 0 {
				tk.Status = Done
			}
			if r.IntN(3) > 0 {
				tk.Due = NewDate(2027, 1, 1+r.IntN(20))
			}
			for range r.IntN(3) {
				j := r.IntN(n)
				if round%3 != 0 && j >= i { // two rounds in three without cycles
					continue
				}
				tk.After = append(tk.After, fmt.Sprint("t", j))
			}
			m.Tasks = append(m.Tasks, tk)
		}
		d.Milestones = []Milestone{m}
		var path Path
		for _, tk := range d.Tasks() {
			if r.IntN(3) == 0 {
				path.IDs = append(path.IDs, tk.ID)
			}
		}
		all := Upstreams(d, path, nil)
		for _, tk := range d.Tasks() {
			want := upstreamWalk(d, tk, path, nil)
			if got := Upstream(d, tk, path, nil); got != want {
				t.Fatalf("round %d, %s: Upstream %v, the walk %v\n%+v", round, tk.ID, name(got), name(want), d.Milestones[0].Tasks)
			}
			if got := all[tk]; got != want {
				t.Fatalf("round %d, %s: Upstreams %v, the walk %v\n%+v", round, tk.ID, name(got), name(want), d.Milestones[0].Tasks)
			}
		}
	}
}

func name(t *Task) string {
	if t == nil {
		return "none"
	}
	return t.ID
}

// TestUpstreamsBoundedOnCycles: a plan whose steps lead round a cycle (a
// ladder of layers, each step after both of the layer before, the first
// layer after the last) is searched in time bounded by a square of its
// size, not one that doubles with each layer.
func TestUpstreamsBoundedOnCycles(t *testing.T) {
	const layers = 20
	m := Milestone{ID: "m"}
	id := func(l, i int) string { return fmt.Sprintf("s%d-%d", l, i) }
	for l := range layers {
		for i := range 2 {
			prev := (l + layers - 1) % layers
			m.Tasks = append(m.Tasks, Task{ID: id(l, i), Status: Todo, After: []string{id(prev, 0), id(prev, 1)}})
		}
	}
	m.Tasks = append(m.Tasks, Task{ID: "root", Status: Todo})
	m.Tasks[0].After = append(m.Tasks[0].After, "root")
	d := &Deal{Outcome: Open, Milestones: []Milestone{m}}
	u := newUpstreams(d, Path{}, nil)
	for _, tk := range u.tasks {
		if got, want := u.of(tk), upstreamWalk(d, tk, Path{}, nil); got != want {
			t.Fatalf("%s: %v, the walk %v", tk.ID, name(got), name(want))
		}
	}
	n := len(u.tasks)
	if bound := 8 * n * n; u.steps > bound {
		t.Errorf("%d dependencies looked at for %d steps, more than %d", u.steps, n, bound)
	}
}
