package schedule

import "github.com/maproom/maproom/internal/deal"

// TemplateTask is a task of a plan template, before it has a date: its id,
// its Duration in business days (0 for a checkpoint, such as a signature)
// and the ids of the tasks it comes after. Line is its line in the
// template's file, 0 when unknown; errors carry it.
type TemplateTask struct {
	ID       string
	Duration int
	After    []string
	Line     int
}

// Backward returns each task's due date, by id, scheduled as late as
// possible: every task is due by target, and early enough for each task
// after it to take its Duration before that task's own due date. In
// business-day indexes, due(t) = min(target, min over successors s of
// due(s) - s.Duration). The dates are business days; a target on another
// day counts as the business day before it. Target is a deadline for
// finishing: for a go-live date, pass the business day before it, or
// SignBy's date with onboarding left out of the tasks.
//
// Backward returns no dates and an error for the problems Compute reports
// (a cycle, an unknown or duplicate id, a negative or too long Duration),
// every one of them, as an errors.Join of *Error values.
func Backward(tasks []TemplateTask, target deal.Date, cal Calendar) (map[string]deal.Date, error) {
	return backward(tasks, target, cal, new(work))
}

func backward(tasks []TemplateTask, target deal.Date, cal Calendar, w *work) (map[string]deal.Date, error) {
	nodes := make([]node, len(tasks))
	for i, t := range tasks {
		nodes[i] = node{id: t.ID, after: t.After, duration: t.Duration, line: t.Line}
	}
	g, err := build(nodes, w)
	if err != nil {
		return nil, err
	}
	due := make([]int, len(tasks))
	by := cal.count(dayNumber(target))
	for k := len(g.order) - 1; k >= 0; k-- {
		i := g.order[k]
		w.nodes++
		l := by
		for _, s := range g.succs[g.succStart[i]:g.succStart[i+1]] {
			w.edges++
			l = min(l, due[s]-tasks[s].Duration)
		}
		due[i] = l
	}
	dates := make(map[string]deal.Date, len(tasks))
	for i, t := range tasks {
		dates[t.ID] = dateOf(cal.find(due[i]))
	}
	return dates, nil
}
