package generator

import "github.com/maproom/maproom/internal/deal"

// checkSchedule reports dependency cycles and schedules that cannot be met.
func checkSchedule(d *deal.Deal, cfg *Config, col collector) {
	tasks := map[string]*deal.Task{}
	for _, t := range d.Tasks() {
		tasks[t.ID] = t
	}
	// Iterative DFS with colours: report each cycle once, as a path.
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	for _, start := range d.Tasks() {
		if colour[start.ID] != white {
			continue
		}
		type frame struct {
			id string
			i  int
		}
		stack := []frame{{start.ID, 0}}
		colour[start.ID] = grey
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			t := tasks[f.id]
			if t == nil || f.i >= len(t.After) {
				colour[f.id] = black
				stack = stack[:len(stack)-1]
				continue
			}
			next := t.After[f.i]
			f.i++
			if tasks[next] == nil || next == f.id {
				continue
			}
			switch colour[next] {
			case white:
				colour[next] = grey
				stack = append(stack, frame{next, 0})
			case grey:
				var cyc []string
				for k := len(stack) - 1; k >= 0; k-- {
					cyc = append(cyc, stack[k].id)
					if stack[k].id == next {
						break
					}
				}
				col.errorf(tasks[next].Line, "dependency cycle: %s (each task waits for the next): remove one `after:` entry", reverseCycle(cyc, next))
			}
		}
	}
}

// reverseCycle prints a cycle found on the DFS stack as "a -> b -> a",
// each task depending on the next.
func reverseCycle(cyc []string, start string) string {
	s := ""
	for k := len(cyc) - 1; k >= 0; k-- {
		s += cyc[k] + " -> "
	}
	return s + start
}
