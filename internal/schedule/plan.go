package schedule

import (
	"errors"
	"slices"

	"github.com/maproom/maproom/internal/deal"
)

// Plan is the schedule of one deal's tasks as seen on one day. It is
// computed by Compute and not meant to be modified.
type Plan struct {
	// Tasks holds every task of the deal, in plan order (milestone by
	// milestone, task by task).
	Tasks []TaskSchedule
	// CriticalPath is the chain of open tasks the end of the work under
	// way waits on, as task ids from its first task to its last: each
	// depends on the one before. The work under way is an open deal's
	// sale (the work due by the close: its end is SalesFinish), or its
	// onboarding once none of the sale's is left; a won deal's onboarding
	// (its sale is over); a lost deal has none. The chain ends with the
	// open task of that work that finishes last and goes back through
	// after:, at each step to the open predecessor it waits on, the one
	// that finishes last, dated steps and steps with a duration alike,
	// until a task with no open predecessor. A milestone date tighter
	// than the close does not cut it short, and a step past its own due
	// date is late (its Slack says by how much) but on the path only when
	// the end waits on it. Where tasks tie, plan order breaks the tie;
	// every task of every tied chain has Critical set. It is nil when no
	// task of that work is open.
	CriticalPath []string
	// Finish is the earliest day all remaining work can be finished,
	// onboarding included (a dated step on its date at the earliest), zero
	// when every task is done.
	Finish deal.Date
	// SalesFinish is the earliest day the remaining work due by the close
	// can be finished: the work of every milestone that is not an
	// onboarding one. It is zero when none of that work is left, and never
	// after Finish.
	SalesFinish deal.Date
	// Overrun is how many business days SalesFinish falls after the deal's
	// Close: 0 when the work due by the close fits (and always 0 when the
	// deal has no Close date, or no such work is left). Onboarding work is
	// expected after the close and never counts, so Overrun is not Finish
	// less the Close when onboarding work remains.
	Overrun int

	index map[string]int
}

// TaskSchedule is the schedule of one task. A day of slack is a business
// day.
type TaskSchedule struct {
	ID string
	// Due is the date the build shows: the task's own Due date, or, when
	// Computed, its LatestFinish.
	Due deal.Date
	// Computed is true when the task has no Due date of its own, so that
	// Due was computed from durations and dependencies.
	Computed bool
	// EarliestStart is the first business day of the task's work, and
	// EarliestFinish the day it can be finished at the earliest (for a done
	// task, its Done date; for an open dated step, its due date or, when
	// its predecessors or today are later, that day; for a checkpoint the
	// two are the same day).
	EarliestStart, EarliestFinish deal.Date
	// LatestFinish is the last day the task can be finished without making
	// the plan miss one of its deadlines: the task's own Due date, its
	// milestone's Due date, and its deal's Close date, or for a task of an
	// onboarding milestone the go-live date (see Compute), nor a deadline
	// of a task after it.
	LatestFinish deal.Date
	// Slack is LatestFinish minus EarliestFinish in business days: how far
	// the task can slip. It is negative when the task can no longer make
	// its latest finish (or, when done, by how much it was late).
	Slack int
	// Critical is true for an open task of the work under way that its
	// end waits on (see CriticalPath): one finishing last, or, back
	// through after:, an open predecessor of a critical task that finishes
	// last of its open predecessors. Its Slack may be anything: the end
	// can have days to spare before the close while another chain is
	// behind its milestone's date.
	Critical bool
	// Bound is the latest day the rest of the plan leaves the task, its
	// own due date aside: its milestone's date, the close (or, for
	// onboarding work, the go-live), and what each undone task after it
	// needs. Room is, for a task with a due date of its own, the business
	// days from its planned finish (its due date, or its earliest finish
	// when that is later: a late task can finish today at best) to Bound:
	// how far it can slip before another date of the plan must (0: none;
	// negative: it is already past Bound). For a dated step (a due date
	// and no Duration) Room is what slack means: the step happens on its
	// date, so its Slack is 0 while it can keep that date and the plan's
	// later dates leave it that day, and negative otherwise.
	Bound deal.Date
	Room  int
}

// Task returns the schedule of the task with the given id.
func (p *Plan) Task(id string) (TaskSchedule, bool) {
	i, ok := p.index[id]
	if !ok {
		return TaskSchedule{}, false
	}
	return p.Tasks[i], true
}

// DueOf returns task t's effective due date, the one date every room,
// calendar invite, check and report shows for it: the task's own Due date
// when it has one (computed false); else the date this plan computed for
// it, its LatestFinish, the last day it can finish without the plan missing
// one of its deadlines (computed true): its milestone's due date, the
// close date, or for onboarding work the go-live date, or a later task's
// due date. A task with a Due date of its own keeps it here even when its
// LatestFinish is earlier (its milestone is due before it, say): the
// difference shows as the task's slack. A task the plan does
// not know, or any task when p is nil (the plan could not be scheduled),
// has only its own date. The zero Date means the task has no date.
//
// The latest finish, not the earliest, is the due date because it is a
// commitment: the day by which the task must be done for the deal to close
// (or go live) on time. The earliest finish is a forecast, which the rooms
// show as slack.
func (p *Plan) DueOf(t *deal.Task) (due deal.Date, computed bool) {
	if !t.Due.IsZero() || p == nil {
		return t.Due, false
	}
	if ts, ok := p.Task(t.ID); ok && !ts.Due.IsZero() {
		return ts.Due, true
	}
	return deal.Date{}, false
}

// Fits reports whether the remaining work due by the close (all but
// onboarding work) can be finished by the deal's Close date: Overrun is 0.
func (p *Plan) Fits() bool { return p.Overrun == 0 }

// Compute schedules every task of d's plan (the tasks of all its
// milestones; ids are unique per deal, After lists predecessor ids) as seen
// on today. It reads d and never modifies it.
//
// Forward: a task is done when its Status is deal.Done, and then finished
// on its Done date. An undone task starts no earlier than today (the next
// business day when today is not one) and no earlier than the business day
// after its last predecessor finishes, and then takes its whole Duration:
// the plan records no start dates, so work in progress is taken to have all
// of its duration left. An undone checkpoint (no Duration) finishes no
// earlier than today, and what comes after it no earlier than the next
// business day, as after any task finished today. An undone dated step (a
// checkpoint with a Due date: a meeting, a signature) happens on its date:
// it finishes no earlier than its Due date (the business day before, when
// that is not one), so the work after it starts no earlier than the
// business day after. A task with a Duration is forecast from its work;
// its Due date, if any, is only a deadline.
//
// Backward: a task must finish by its own Due date if it has one, by its
// milestone's Due date if that has one (a milestone is a decision point:
// its tasks are done by it), and early enough for each undone successor to
// take its Duration before that successor's latest finish. A done
// successor no longer waits for anything, so it constrains nothing. Beyond
// that, the milestone's kind decides:
//
//   - A task of a milestone that is not onboarding (the sales work) must
//     finish by the deal's Close date. A deal without a Close date is
//     scheduled to finish at the earliest possible day (Finish).
//   - A task of an onboarding milestone (Milestone.Onboarding: the work
//     after signature) is not bound by the Close date. It must finish by
//     the last business day before the deal's GoLive date, since the
//     system is live on that day (as SignBy counts). Without a GoLive date
//     it has no deadline of its own: its latest finish is then the later
//     of the Close date and Finish, which it cannot miss by itself.
//
// Plan order decides a task's milestone: the one whose Tasks hold it.
//
// Compute returns an error and no plan when the plan has a dependency
// cycle, a dependency on an unknown task id, a duplicate id, a negative
// Duration or one over MaxDuration, or a done task without a done date.
// Every problem is reported: the error is an errors.Join of
// *Error values (each with its task's id and Line), in plan order, cycles
// last, each cycle printed as "dependency cycle: a -> b -> c -> a". (A nil
// d gives a plain error.)
func Compute(d *deal.Deal, today deal.Date, cal Calendar) (*Plan, error) {
	return compute(d, today, cal, new(work))
}

func compute(d *deal.Deal, today deal.Date, cal Calendar, w *work) (*Plan, error) {
	if d == nil {
		return nil, errors.New("no deal to schedule")
	}
	tasks := d.Tasks()
	n := len(tasks)
	nodes := make([]node, n)
	for i, t := range tasks {
		nodes[i] = node{id: t.ID, after: t.After, duration: t.Duration, line: t.Line,
			undated: t.Status == deal.Done && t.Done.IsZero()}
	}
	// onboarding[i] is true when task i belongs to an onboarding
	// milestone, and decision[i] is its milestone's Due date: the
	// milestone holding it, as Tasks lists them. selling is true when some
	// of the sale's work (not onboarding) is still open.
	onboarding := make([]bool, n)
	decision := make([]deal.Date, n)
	selling := false
	for i, k := 0, 0; i < len(d.Milestones); i++ {
		for range d.Milestones[i].Tasks {
			onboarding[k], decision[k] = d.Milestones[i].Onboarding, d.Milestones[i].Due
			selling = selling || !onboarding[k] && tasks[k].Status != deal.Done
			k++
		}
	}
	// open(i): task i can be on the critical path, which leads to the end
	// of the work under way: an open deal's sale (the work due by the
	// close), or its onboarding once no sales work is left; a won deal's
	// onboarding; a lost deal's nothing.
	onboardingUnderway := d.Outcome == deal.Won || !selling
	open := func(i int) bool {
		return tasks[i].Status != deal.Done && d.Outcome != deal.Lost && onboarding[i] == onboardingUnderway
	}
	g, err := build(nodes, w)
	if err != nil {
		return nil, err
	}

	// All the arithmetic below is on business-day indexes (see count):
	// a finish index k is the end of the k-th business day.
	done := make([]bool, n)
	ef := make([]int, n)                     // earliest finish
	lf := make([]int, n)                     // latest finish
	wait := make([]int, n)                   // the latest earliest finish of an open predecessor (open(i))
	waits := make([]bool, n)                 // whether task i has an open predecessor
	start := cal.count(dayNumber(today) - 1) // work from today on ends after this
	for _, i := range g.order {
		w.nodes++
		t := tasks[i]
		if t.Status == deal.Done {
			done[i] = true
			ef[i] = cal.count(dayNumber(t.Done))
			continue
		}
		ready := start
		for _, p := range g.preds[g.predStart[i]:g.predStart[i+1]] {
			w.edges++
			ready = max(ready, ef[p])
			if open(p) && (!waits[i] || ef[p] > wait[i]) {
				wait[i], waits[i] = ef[p], true
			}
		}
		ef[i] = max(ready+t.Duration, start+1)
		if t.Duration == 0 && !t.Due.IsZero() {
			// A dated step happens on its date: what comes after it
			// starts after that, not after today.
			ef[i] = max(ef[i], cal.count(dayNumber(t.Due)))
		}
	}

	// last is the earliest finish of all remaining work, latest that of
	// all work, and sales that of the remaining work due by the close (not
	// onboarding), when selling. Without a Close date, the plan is to
	// finish at last (or, when every task is done, at latest). underway is
	// the earliest finish of the work the critical path leads to (see
	// open), when any is left.
	remaining, last, latest := false, 0, 0
	sales, salesSeen := 0, false
	underway, hasUnderway := 0, false
	for i := range n {
		w.nodes++
		if i == 0 || ef[i] > latest {
			latest = ef[i]
		}
		if !done[i] && (!remaining || ef[i] > last) {
			remaining, last = true, ef[i]
		}
		if !done[i] && !onboarding[i] && (!salesSeen || ef[i] > sales) {
			sales, salesSeen = ef[i], true
		}
		if open(i) && (!hasUnderway || ef[i] > underway) {
			underway, hasUnderway = ef[i], true
		}
	}
	end := latest
	if remaining {
		end = last
	}
	// closing bounds a sales task (the close, else end); after bounds an
	// onboarding task: the last business day before go-live, or, without
	// a go-live date, the close or end, whichever is later (a bound no
	// task can miss on its own).
	closing, after := end, end
	if !d.Close.IsZero() {
		closing = cal.count(dayNumber(d.Close))
		after = max(closing, end)
	}
	if !d.GoLive.IsZero() {
		after = cal.count(dayNumber(d.GoLive) - 1)
	}
	bound := make([]int, n) // the latest finish, the task's own due date aside
	for k := n - 1; k >= 0; k-- {
		i := g.order[k]
		w.nodes++
		t := tasks[i]
		l := closing
		if onboarding[i] {
			l = after
		}
		if !decision[i].IsZero() {
			l = min(l, cal.count(dayNumber(decision[i])))
		}
		for _, s := range g.succs[g.succStart[i]:g.succStart[i+1]] {
			w.edges++
			if !done[s] {
				l = min(l, lf[s]-tasks[s].Duration)
			}
		}
		bound[i] = l
		if !t.Due.IsZero() {
			l = min(l, cal.count(dayNumber(t.Due)))
		}
		lf[i] = l
	}

	p := &Plan{Tasks: make([]TaskSchedule, n), index: g.index}
	for i, t := range tasks {
		w.nodes++
		slack := lf[i] - ef[i]
		ts := TaskSchedule{
			ID:             t.ID,
			Due:            t.Due,
			Computed:       t.Due.IsZero(),
			EarliestFinish: dateOf(cal.find(ef[i])),
			LatestFinish:   dateOf(cal.find(lf[i])),
			Slack:          slack,
			Bound:          dateOf(cal.find(bound[i])),
		}
		if !t.Due.IsZero() {
			// From its planned finish: its due date, or the earliest it can
			// finish when that is later (a late step finishes today at best).
			ts.Room = bound[i] - max(cal.count(dayNumber(t.Due)), ef[i])
		}
		if done[i] {
			ts.EarliestFinish = t.Done
		}
		ts.EarliestStart = ts.EarliestFinish
		if t.Duration > 0 {
			ts.EarliestStart = dateOf(cal.find(ef[i] - t.Duration + 1))
		}
		if ts.Computed {
			ts.Due = ts.LatestFinish
		}
		p.Tasks[i] = ts
	}
	if !remaining {
		return p, nil
	}
	p.Finish = dateOf(cal.find(last))
	if selling {
		p.SalesFinish = dateOf(cal.find(sales))
		if !d.Close.IsZero() {
			p.Overrun = max(0, sales-closing)
		}
	}
	if hasUnderway {
		p.CriticalPath = criticalPath(p, g, tasks, open, ef, wait, waits, underway, w)
	}
	return p, nil
}

// criticalPath sets Critical on the open tasks (see compute) that the end
// of their work waits on, and returns the ids of one chain of them, first
// task first. The end is the day the last of them finishes (underway):
// every open task finishing then is critical, and so, back through after:,
// is each open predecessor of a critical task that finishes last among
// its open predecessors (wait[v], when waits[v]): the one it waits on,
// dated or with a duration. The chain ends with the task finishing on the
// end that no open task waits on (the first in plan order on a tie) and
// walks back through the predecessor each waits on (the first in plan
// order on a tie) to a task with no open predecessor.
func criticalPath(p *Plan, g *graph, tasks []*deal.Task, open func(int) bool, ef, wait []int, waits []bool, underway int, w *work) []string {
	n := len(tasks)
	crit := make([]bool, n)
	waited := make([]bool, n) // a critical task finishing on the end waits on it
	for i := range n {
		w.nodes++
		crit[i] = open(i) && ef[i] == underway
	}
	// Successors first, so that a task is marked before its predecessors
	// are looked at. A task finishing on the end has no successor finishing
	// later: an open one is critical too, and marks it as waited on.
	for k := n - 1; k >= 0; k-- {
		v := g.order[k]
		w.nodes++
		if !crit[v] || !waits[v] {
			continue
		}
		for _, pred := range g.preds[g.predStart[v]:g.predStart[v+1]] {
			w.edges++
			if !open(pred) {
				continue
			}
			waited[pred] = waited[pred] || ef[v] == underway
			crit[pred] = crit[pred] || ef[pred] == wait[v]
		}
	}
	end := -1
	for i := range n {
		w.nodes++
		p.Tasks[i].Critical = crit[i]
		if end < 0 && crit[i] && ef[i] == underway && !waited[i] {
			end = i
		}
	}
	var path []string
	for v := end; v >= 0; {
		w.nodes++
		path = append(path, tasks[v].ID)
		next := -1
		if waits[v] {
			for _, pred := range g.preds[g.predStart[v]:g.predStart[v+1]] {
				w.edges++
				if open(pred) && ef[pred] == wait[v] && (next < 0 || pred < next) {
					next = pred
				}
			}
		}
		v = next
	}
	slices.Reverse(path)
	return path
}

// TurnPath is the path deal.WaitingOn takes: the critical path the
// product shows and marks critical (Path: in the rooms, and in the report
// from due dates and for a won deal), so that the step they mark critical
// wins a tie between steps as late. From durations its first open step is
// also the next move when nothing is late; from due dates alone
// (FromDurations false) the next move is then the open step due first.
func (p *Plan) TurnPath(d *deal.Deal, today deal.Date) deal.Path {
	path, fromDurations := p.Path(d, today)
	return deal.Path{IDs: path, FromDurations: fromDurations}
}

// Path is the critical path the product shows, in the rooms and in the
// report, task ids first to last, and whether it comes from durations.
// From durations (an open task due by the close has a Duration, and that
// work finishes after today): CriticalPath, the chain that decides when
// the work can finish. From due dates alone, nothing forecasts a finish
// (each step is planned on its date): the path is then the chain the
// open task due last (by the close; on a tie the one that waits on the
// other, else the first in plan order; a step the steps it waits on push
// past its date counts as due when they let it finish) waits on, back
// through after:, at each step the open predecessor with
// the least Room, the one its successor waits on (the latest due on a
// tie, then the first in plan order), until one has no open predecessor.
// For a won deal the work is its onboarding's. d must be the deal p was
// computed for; nil when no open work is due by the close (for a won deal,
// no onboarding work is open).
func (p *Plan) Path(d *deal.Deal, today deal.Date) (path []string, fromDurations bool) {
	if p == nil || d == nil {
		return nil, false
	}
	byID := map[string]*deal.Task{}
	var last *deal.Task
	var lastDue deal.Date
	durations := false
	// The work under way: the sale's, or once won its onboarding's.
	won := d.Outcome == deal.Won
	finish := p.SalesFinish
	if won {
		finish = p.Finish
	}
	for _, t := range d.Tasks() {
		byID[t.ID] = t
		if t.Status == deal.Done || d.Onboarding(t) != won {
			continue
		}
		durations = durations || t.Duration > 0
		// When it can be done: its date, or later when the steps it
		// waits on finish later (a signature after a redline moved past
		// it finishes after the redline, not on its own date).
		due, _ := p.DueOf(t)
		if ts, ok := p.Task(t.ID); ok && ts.EarliestFinish.After(due) && !due.IsZero() && ts.EarliestFinish.After(today) {
			due = ts.EarliestFinish
		}
		if !due.IsZero() && (last == nil || due.After(lastDue) || due == lastDue && d.WaitsOn(t, last.ID)) {
			last, lastDue = t, due // on a tie, the step that waits on the other, through any chain
		}
	}
	if durations && finish.After(today) {
		return p.CriticalPath, true
	}
	if last == nil {
		return nil, false
	}
	chain := []string{last.ID}
	seen := map[string]bool{last.ID: true}
	for t := last; t != nil; {
		var next *deal.Task
		var nextDue deal.Date
		nextRoom := 0
		for _, id := range t.After {
			q := byID[id]
			if q == nil || q.Status == deal.Done || seen[id] {
				continue
			}
			due, _ := p.DueOf(q)
			room := 0
			if ts, ok := p.Task(id); ok {
				room = ts.Room
			}
			if next == nil || room < nextRoom || (room == nextRoom && due.After(nextDue)) {
				next, nextDue, nextRoom = q, due, room
			}
		}
		if next == nil {
			break
		}
		seen[next.ID] = true
		chain = append(chain, next.ID)
		t = next
	}
	slices.Reverse(chain)
	return chain, false
}
