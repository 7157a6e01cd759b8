package deal

import "slices"

// Turn says whose move it is in a deal's plan: the task the plan waits on,
// who owns it and on which side, and how late it is. A room shows it as its
// "waiting on" line, the report as the deal's turn; both take it from
// WaitingOn.
type Turn struct {
	// Task is the step the plan waits on (see WaitingOn): an open step
	// with no open dependency, unless the picked step's open dependencies
	// lead only round a cycle.
	Task *Task
	// Holds is the step WaitingOn picked first (the one latest past its
	// date, or the next move) when it waits, through its after:, on Task;
	// nil when Task is that step itself.
	Holds *Task
	// Owner is the task's owner as written: a stakeholder id, or
	// "role:<role>" while the task is unassigned.
	Owner string
	// Person is the owning stakeholder; nil for an unassigned role.
	Person *Stakeholder
	// Side is the owner's side; for an unassigned role, the side the role
	// belongs to (SideOfRole).
	Side Side
	// Due is the task's effective due date (zero when it has none): Task's
	// own, not Holds'.
	Due Date
	// DaysLate is DaysLate(d, Task, Due, today): 0 when not late. A step
	// named because a later one waits on it is late by its own date only.
	DaysLate int
	// Critical is true when the task is on the critical path.
	Critical bool
}

// Path is the critical path as the product shows it (in the rooms and the
// report: schedule.Plan.Path), for WaitingOn.
type Path struct {
	// IDs are the path's open task ids, first to last.
	IDs []string
	// FromDurations is true when the path comes from durations: it then
	// decides when the work can finish, and its first open step is the
	// next move when nothing is late. From due dates alone it is the chain
	// the last due date waits on, and it only breaks ties.
	FromDurations bool
}

// On reports whether task id is on the path.
func (p Path) On(id string) bool { return slices.Contains(p.IDs, id) }

// WaitingOn finds whose move it is on today, in two steps.
//
// First it picks a step: the open task latest past its due date (the one
// on the critical path, then the first in plan order, on a tie): late work
// holds the plan now, whatever its chain; with none late and a path from
// durations (path.FromDurations: the chain that decides when the work can
// finish, open task ids first to last), the first open task of the path;
// else the open task due first, by its effective date due(t) (plan order on
// a tie, tasks without a date last).
//
// Then, when the picked step waits on open work, the turn is that work's:
// WaitingOn follows the picked step's open dependencies (after:) upstream,
// transitively, to the open steps with no open dependency, and names one
// of them (see Upstream); Turn.Holds is then the picked step. Its Due and
// DaysLate are the named step's own. A picked step whose open dependencies
// lead only round a cycle (which check refuses) stays the turn.
//
// Only pending work counts (Deal.Pending): of a won deal, its onboarding.
// ok is false for a lost deal and for a plan with no pending task. due may
// return the zero Date; a nil due takes each task's own Due. path is the
// one the rooms and the report call critical, so that the step they mark
// critical wins a tie and Turn.Critical agrees with them.
func WaitingOn(d *Deal, path Path, due func(*Task) Date, today Date) (tn Turn, ok bool) {
	if d.Outcome == Lost {
		return Turn{}, false
	}
	if due == nil {
		due = func(t *Task) Date { return t.Due }
	}
	tasks := d.Tasks()
	var pick *Task
	critical := false
	most := 0
	for _, t := range tasks {
		if !d.Pending(t) {
			continue
		}
		late, on := DaysLate(d, t, due(t), today), path.On(t.ID)
		if late > most || late > 0 && late == most && on && !critical {
			pick, critical, most = t, on, late
		}
	}
	if pick == nil && path.FromDurations && len(path.IDs) > 0 {
		for _, t := range tasks {
			if t.ID == path.IDs[0] && d.Pending(t) {
				pick = t
				break
			}
		}
	}
	if pick == nil {
		var best Date
		for _, t := range tasks {
			if !d.Pending(t) {
				continue
			}
			when := due(t)
			if pick == nil || (!when.IsZero() && (best.IsZero() || when.Before(best))) {
				pick, best = t, when
			}
		}
	}
	if pick == nil {
		return Turn{}, false
	}
	tn = Turn{Task: pick}
	if up := Upstream(d, pick, path, due); up != nil {
		tn.Task, tn.Holds = up, pick
	}
	t := tn.Task
	tn.Owner, tn.Due, tn.Critical = t.Owner, due(t), path.On(t.ID)
	if s, found := d.Stakeholder(t.Owner); found {
		tn.Person, tn.Side = s, s.Side
	} else if r, isRole := cutRole(t.Owner); isRole {
		tn.Side = SideOfRole(r)
	}
	tn.DaysLate = DaysLate(d, t, tn.Due, today)
	return tn, true
}

// Upstream returns the step task t waits on: of the open steps (pending:
// Deal.Pending) that t depends on through after:, directly or through other
// open steps, one with no open dependency of its own. When there are
// several, the one on path first, then the one due first by due(t) (tasks
// without a date last), then the first in plan order. It is nil when t has
// no open dependency, and when its open dependencies lead only round a
// cycle. Unknown ids are passed over; a nil due takes each task's own Due.
func Upstream(d *Deal, t *Task, path Path, due func(*Task) Date) *Task {
	if len(t.After) == 0 {
		return nil
	}
	return newUpstreams(d, path, due).of(t)
}

// Upstreams returns Upstream of each of d's tasks that has one, found
// together: each task's is the first, by Upstream's order, of those of
// the open steps it comes after (or the step itself when it waits on
// none), so a long chain of steps is walked once, not once for each of
// its steps (a thousand chained steps took seconds to render).
func Upstreams(d *Deal, path Path, due func(*Task) Date) map[*Task]*Task {
	u := newUpstreams(d, path, due)
	out := map[*Task]*Task{}
	for _, t := range u.tasks {
		if up := u.of(t); up != nil {
			out[t] = up
		}
	}
	return out
}

// upstreams finds Upstream for the tasks of one deal, each task's roots'
// first kept once found.
type upstreams struct {
	d     *Deal
	path  Path
	due   func(*Task) Date
	tasks []*Task
	byID  map[string]*Task
	order map[*Task]int
	first map[*Task]*Task // a task's found: the first root it waits on (nil: none)
	state map[*Task]int8  // 1: being found (a cycle leads back to it), 2: found
	steps int             // dependencies looked at, for the test that bounds them
}

func newUpstreams(d *Deal, path Path, due func(*Task) Date) *upstreams {
	if due == nil {
		due = func(t *Task) Date { return t.Due }
	}
	u := &upstreams{d: d, path: path, due: due, tasks: d.Tasks(), first: map[*Task]*Task{}, state: map[*Task]int8{}}
	u.byID = make(map[string]*Task, len(u.tasks))
	u.order = make(map[*Task]int, len(u.tasks))
	for i, q := range u.tasks {
		if _, dup := u.byID[q.ID]; !dup {
			u.byID[q.ID] = q // the first of an id written twice, as Task finds it
		}
		u.order[q] = i
	}
	return u
}

// open returns the open step of id, nil when there is none.
func (u *upstreams) open(id string) *Task {
	if q, ok := u.byID[id]; ok && u.d.Pending(q) {
		return q
	}
	return nil
}

// of returns the step t waits on, as Upstream says. A plan whose
// dependencies lead round a cycle from t (a plan that fails check) is
// walked step by step instead, as the memo cannot keep what a cycle
// leaves half found.
func (u *upstreams) of(t *Task) *Task {
	if r, clean := u.find(t); clean {
		return r
	}
	return u.walk(t)
}

// find is of through the memo; clean is false, and the search given up at
// once, when it meets a step being found (a cycle).
func (u *upstreams) find(t *Task) (best *Task, clean bool) {
	// The roots t reaches are, for each open step it comes after, that
	// step when it waits on none, else the roots it reaches: the first of
	// them is the first of those steps' firsts.
	for _, id := range t.After {
		u.steps++
		p := u.open(id)
		if p == nil || p == t {
			continue
		}
		cand := p
		if u.waits(p) {
			var ok bool
			if cand, ok = u.rootOf(p); !ok {
				return nil, false
			}
		}
		if cand != nil && cand != t && (best == nil || u.before(cand, best)) {
			best = cand
		}
	}
	return best, true
}

// rootOf is find(p), kept once found; not clean while p is being found
// (a cycle), nor kept then.
func (u *upstreams) rootOf(p *Task) (*Task, bool) {
	switch u.state[p] {
	case 1:
		return nil, false
	case 2:
		return u.first[p], true
	}
	u.state[p] = 1
	r, clean := u.find(p)
	if !clean {
		u.state[p] = 0
		return nil, false
	}
	u.first[p], u.state[p] = r, 2
	return r, true
}

// walk is Upstream's rule step by step: every open step t waits on,
// directly or through others, each once; of those that wait on none, the
// first.
func (u *upstreams) walk(t *Task) *Task {
	seen := map[*Task]bool{t: true}
	var best *Task
	queue := []*Task{t}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		waits := false
		for _, id := range q.After {
			u.steps++
			p := u.open(id)
			if p == nil {
				continue
			}
			waits = true
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
		if !waits && q != t && (best == nil || u.before(q, best)) {
			best = q
		}
	}
	return best
}

// waits reports whether q comes after an open step.
func (u *upstreams) waits(q *Task) bool {
	for _, id := range q.After {
		if u.open(id) != nil {
			return true
		}
	}
	return false
}

// before orders two roots as Upstream picks among them: the one on path
// first, then the one due first (tasks without a date last), then the
// first in plan order.
func (u *upstreams) before(a, b *Task) bool {
	if on := u.path.On(a.ID); on != u.path.On(b.ID) {
		return on
	}
	da, db := u.due(a), u.due(b)
	switch {
	case da.IsZero() != db.IsZero():
		return db.IsZero()
	case da.Before(db):
		return true
	case db.Before(da):
		return false
	}
	return u.order[a] < u.order[b]
}

// SideOfRole returns the side a role belongs to: Seller for the seller
// roles, Buyer for every other (RoleOther included: an unassigned "other"
// is taken to be the buyer's to fill).
func SideOfRole(r Role) Side {
	if slices.Contains(SellerRoles, r) {
		return Seller
	}
	return Buyer
}

// cutRole splits "role:<role>".
func cutRole(owner string) (Role, bool) {
	const p = "role:"
	if len(owner) > len(p) && owner[:len(p)] == p {
		return Role(owner[len(p):]), true
	}
	return "", false
}
