package generator

import (
	"errors"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/schedule"
)

// schedulePlan computes the deal's schedule (Bundle.Plan): dependency cycles are errors
// (printed as the cycle), and open work due by the close (onboarding work is
// not) that no longer fits before the close date is a warning that says
// when it finishes and by how much. Problems the checker reports itself
// (unknown or duplicate tasks, done without a date, and a step due after
// the close: work that ends on such a step's own date) are not repeated.
func schedulePlan(b *Bundle, cfg *Config, today deal.Date, col collector) {
	d := b.Deal
	plan, err := schedule.Compute(d, today, schedule.NewCalendar(cfg.HolidayDays...))
	if err != nil {
		var errs []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		} else {
			errs = []error{err}
		}
		for _, e := range errs {
			var se *schedule.Error
			switch {
			case errors.As(e, &se) && errors.Is(e, schedule.ErrCycle) && len(se.Also) > 0:
				col.errorf(se.Line, "dependency cycle: %s -> %s (each task waits for the one before it), and %s in the same loop through them: remove `after:` entries until no task waits on itself",
					strings.Join(se.Cycle, " -> "), se.Cycle[0], strings.Join(se.Also, ", "))
			case errors.As(e, &se) && errors.Is(e, schedule.ErrCycle):
				col.errorf(se.Line, "%s (each task waits for the one before it): remove one `after:` entry", se.Error())
			case errors.As(e, &se) && errors.Is(e, schedule.ErrDurationTooLong):
				col.errorf(se.Line, "%s: split the task", se.Error())
			}
		}
		return
	}
	b.Plan = plan
	if d.Outcome == deal.Open && !d.Close.IsZero() && plan.Overrun > 0 && !endsOnItsDate(d, plan) {
		col.warnf(b.Deal.Milestones[0].Line, "the remaining work no longer fits before the close date %s: it finishes %s at the earliest, %s late (critical path: %s); move the close date or shorten the work",
			d.Close, plan.SalesFinish, plural(plan.Overrun, "business day", "business days"), strings.Join(plan.CriticalPath, " -> "))
	}
}

// endsOnItsDate reports whether the open work due by the close finishes on
// the date of one of its steps with a date and no duration, which happens
// on that date: the step's own date is what falls after the close, and
// check says so of the step.
func endsOnItsDate(d *deal.Deal, p *schedule.Plan) bool {
	for _, t := range d.Tasks() {
		if t.Status == deal.Done || d.Onboarding(t) || t.Duration != 0 || t.Due.IsZero() {
			continue
		}
		if ts, ok := p.Task(t.ID); ok && ts.EarliestFinish == p.SalesFinish && !t.Due.Before(ts.EarliestFinish) {
			return true
		}
	}
	return false
}

// dateOf places a task on the plan: its effective due date
// (schedule.Plan.DueOf), the same one the report and the .ics show.
func (b *Bundle) dateOf(t *deal.Task) (deal.Date, bool) {
	due, _ := b.Plan.DueOf(t)
	return due, !due.IsZero()
}

// critical returns the ids of the tasks on the critical path the product
// shows on today (schedule.Plan.Path), and whether it comes from
// durations: from due dates alone, a task's slack is its Room.
func (b *Bundle) critical(today deal.Date) (map[string]bool, bool) {
	if b.Plan == nil {
		return nil, false
	}
	path, fromDurations := b.Plan.Path(b.Deal, today)
	m := map[string]bool{}
	for _, id := range path {
		m[id] = true
	}
	return m, fromDurations
}

// schedule returns the computed schedule of task id, if the plan has one.
func (b *Bundle) schedule(id string) (schedule.TaskSchedule, bool) {
	if b.Plan == nil {
		return schedule.TaskSchedule{}, false
	}
	return b.Plan.Task(id)
}
