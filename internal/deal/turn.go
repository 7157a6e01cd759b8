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
	if due == nil {
		due = func(t *Task) Date { return t.Due }
	}
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
	order := map[*Task]int{}
	for i, q := range d.Tasks() {
		order[q] = i
	}
	return slices.MinFunc(roots, func(a, b *Task) int {
		if on := path.On(a.ID); on != path.On(b.ID) {
			if on {
				return -1
			}
			return 1
		}
		da, db := due(a), due(b)
		switch {
		case da.IsZero() != db.IsZero():
			if da.IsZero() {
				return 1
			}
			return -1
		case da.Before(db):
			return -1
		case db.Before(da):
			return 1
		}
		return order[a] - order[b]
	})
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
