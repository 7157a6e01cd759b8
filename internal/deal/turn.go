package deal

import "slices"

// Turn says whose move it is in a deal's plan: the task the plan waits on,
// who owns it and on which side, and how late it is. A room shows it as its
// "waiting on" line, the report as the deal's turn; both take it from
// WaitingOn.
type Turn struct {
	Task *Task
	// Owner is the task's owner as written: a stakeholder id, or
	// "role:<role>" while the task is unassigned.
	Owner string
	// Person is the owning stakeholder; nil for an unassigned role.
	Person *Stakeholder
	// Side is the owner's side; for an unassigned role, the side the role
	// belongs to (SideOfRole).
	Side Side
	// Due is the task's effective due date (zero when it has none).
	Due Date
	// DaysLate is DaysLate(d, Task, Due, today): 0 when not late.
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

// WaitingOn finds whose move it is on today: the owner of the open task
// latest past its due date (the one on the critical path, then the first
// in plan order, on a tie): late work holds the plan now, whatever its
// chain; with none late and a path from durations (path.FromDurations: the
// chain that decides when the work can finish, open task ids first to
// last), the owner of the first open task of the path; else the owner of
// the open task due first, by its effective date due(t) (plan order on a
// tie, tasks without a date last). Only pending work counts
// (Deal.Pending): of a won deal, its onboarding. ok is false for a lost
// deal and for a plan with no pending task. due may return the zero Date;
// a nil due takes each task's own Due. path is the one the rooms and the
// report call critical, so that the step they mark critical wins a tie
// and Turn.Critical agrees with them.
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
