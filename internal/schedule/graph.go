package schedule

import (
	"errors"
	"fmt"
	"strconv"
)

// node is what the graph needs of a task or a template task.
type node struct {
	id       string
	after    []string
	duration int
	line     int
	undated  bool // done without a done date (Compute only)
}

func (nd *node) error(kind error, msg string) error {
	return &Error{Task: nd.id, Line: nd.line, Err: kind, msg: msg}
}

// graph is a plan's dependency graph in compressed form: the predecessors
// of node i are preds[predStart[i]:predStart[i+1]], its successors
// succs[succStart[i]:succStart[i+1]] (in plan order), and order lists every
// node in a topological order (predecessors first).
type graph struct {
	index            map[string]int // node by id
	predStart, preds []int
	succStart, succs []int
	order            []int
}

// work counts the steps an algorithm takes: one per node visit, one per
// edge visit. It exists so that a test can check that scheduling is linear
// without timing anything.
type work struct{ nodes, edges int }

// build checks nodes and returns their graph, or every problem found as an
// errors.Join of *Error: per task in plan order (duplicate id, duration,
// done date, unknown dependencies), then one cycle per strongly connected
// component, in the plan order of their first task.
func build(nodes []node, w *work) (*graph, error) {
	n := len(nodes)
	index := make(map[string]int, n)
	first := make([]int, n) // for a duplicate, the node that has the id
	for i, nd := range nodes {
		w.nodes++
		if j, dup := index[nd.id]; dup {
			first[i] = j
		} else {
			index[nd.id] = i
			first[i] = i
		}
	}

	var errs []error
	g := &graph{index: index, predStart: make([]int, n+1), succStart: make([]int, n+1)}
	edges := 0
	for _, nd := range nodes {
		edges += len(nd.after)
	}
	g.preds = make([]int, 0, edges)
	for i, nd := range nodes {
		w.nodes++
		if first[i] != i {
			msg := "duplicate task id " + strconv.Quote(nd.id)
			if l := nodes[first[i]].line; l > 0 {
				msg += fmt.Sprintf(" (first used on line %d)", l)
			}
			errs = append(errs, nd.error(ErrDuplicateTask, msg))
		}
		switch {
		case nd.duration < 0:
			errs = append(errs, nd.error(ErrNegativeDuration,
				fmt.Sprintf("task %q has a negative duration (%d business days)", nd.id, nd.duration)))
		case nd.duration > MaxDuration:
			errs = append(errs, nd.error(ErrDurationTooLong,
				fmt.Sprintf("task %q has a duration of %d business days, more than %d", nd.id, nd.duration, MaxDuration)))
		}
		if nd.undated {
			errs = append(errs, nd.error(ErrNoDoneDate, fmt.Sprintf("task %q is done but has no done date", nd.id)))
		}
		g.predStart[i] = len(g.preds)
		for _, a := range nd.after {
			w.edges++
			j, ok := index[a]
			if !ok {
				errs = append(errs, nd.error(ErrUnknownTask, fmt.Sprintf("task %q depends on unknown task %q", nd.id, a)))
				continue
			}
			g.preds = append(g.preds, j)
		}
	}
	g.predStart[n] = len(g.preds)

	// Successors, each list in plan order.
	for _, p := range g.preds {
		w.edges++
		g.succStart[p+1]++
	}
	for i := range n {
		g.succStart[i+1] += g.succStart[i]
	}
	g.succs = make([]int, len(g.preds))
	next := make([]int, n)
	copy(next, g.succStart[:n])
	for s := range n {
		for _, p := range g.preds[g.predStart[s]:g.predStart[s+1]] {
			w.edges++
			g.succs[next[p]] = s
			next[p]++
		}
	}

	g.kahn(w)
	if len(g.order) < n {
		errs = append(errs, g.cycles(nodes, w)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// kahn sets g.order to a topological order by Kahn's algorithm: nodes
// without predecessors first, in plan order, then each node as soon as its
// last predecessor is placed. Nodes on a cycle, or after one, are left out.
func (g *graph) kahn(w *work) {
	n := len(g.predStart) - 1
	indeg := make([]int, n)
	g.order = make([]int, 0, n)
	for i := range n {
		w.nodes++
		indeg[i] = g.predStart[i+1] - g.predStart[i]
		if indeg[i] == 0 {
			g.order = append(g.order, i)
		}
	}
	for head := 0; head < len(g.order); head++ {
		v := g.order[head]
		w.nodes++
		for _, s := range g.succs[g.succStart[v]:g.succStart[v+1]] {
			w.edges++
			if indeg[s]--; indeg[s] == 0 {
				g.order = append(g.order, s)
			}
		}
	}
}

// cycles returns one *Error per strongly connected component of the nodes
// Kahn's algorithm could not place that holds a cycle: the shortest cycle
// through the component's first task in plan order. It uses Tarjan's
// algorithm with an explicit stack, so a long cycle cannot overflow the
// goroutine stack.
func (g *graph) cycles(nodes []node, w *work) []error {
	n := len(nodes)
	placed := make([]bool, n)
	for _, v := range g.order {
		placed[v] = true
	}
	index := make([]int, n) // visit number, from 1; 0 when not visited
	low := make([]int, n)
	comp := make([]int, n) // component number, from 1
	onStack := make([]bool, n)
	isFirst := make([]bool, n) // first node of a component with a cycle
	var stack []int
	type frame struct{ v, next int }
	var calls []frame
	visits, comps := 0, 0
	visit := func(v int) {
		visits++
		index[v], low[v] = visits, visits
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v, g.succStart[v]})
	}
	for r := range n {
		w.nodes++
		if placed[r] || index[r] != 0 {
			continue
		}
		visit(r)
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.next < g.succStart[v+1] {
				x := g.succs[f.next]
				f.next++
				w.edges++
				switch {
				case placed[x]:
				case index[x] == 0:
					visit(x)
				case onStack[x]:
					low[v] = min(low[v], index[x])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				p := calls[len(calls)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			comps++
			firstNode, size := v, 0
			for {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[x] = false
				comp[x] = comps
				firstNode = min(firstNode, x)
				size++
				if x == v {
					break
				}
			}
			if size > 1 || g.selfLoop(v, w) {
				isFirst[firstNode] = true
			}
		}
	}

	// The shortest cycle through each component's first node, by a
	// breadth-first search inside the component. Components are disjoint,
	// so each node and edge is searched at most once overall.
	var errs []error
	seen := make([]bool, n)
	parent := make([]int, n)
	onCycle := make([]bool, n)
	withCycle := map[int]bool{} // the components holding a cycle
	for v := range n {
		if isFirst[v] {
			withCycle[comp[v]] = true
		}
	}
	members := map[int][]int{} // their nodes, in plan order
	for v := range n {
		if comp[v] > 0 && withCycle[comp[v]] {
			members[comp[v]] = append(members[comp[v]], v)
		}
	}
	for s := range n {
		w.nodes++
		if !isFirst[s] {
			continue
		}
		queue := []int{s}
		seen[s] = true
		last := -1
	search:
		for head := 0; head < len(queue); head++ {
			u := queue[head]
			w.nodes++
			for _, x := range g.succs[g.succStart[u]:g.succStart[u+1]] {
				w.edges++
				if x == s {
					last = u
					break search
				}
				if comp[x] != comp[s] || seen[x] {
					continue
				}
				seen[x] = true
				parent[x] = u
				queue = append(queue, x)
			}
		}
		var ids []string
		for u := last; ; u = parent[u] {
			ids = append(ids, nodes[u].id)
			onCycle[u] = true
			if u == s {
				break
			}
		}
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		// The rest of the component: tasks on other cycles through these.
		var also []string
		for _, v := range members[comp[s]] {
			if !onCycle[v] {
				also = append(also, nodes[v].id)
			}
		}
		errs = append(errs, &Error{Task: nodes[s].id, Line: nodes[s].line, Cycle: ids, Also: also, Err: ErrCycle})
	}
	return errs
}

// selfLoop reports whether v depends on itself.
func (g *graph) selfLoop(v int, w *work) bool {
	for _, p := range g.preds[g.predStart[v]:g.predStart[v+1]] {
		w.edges++
		if p == v {
			return true
		}
	}
	return false
}
