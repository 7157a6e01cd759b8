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

// WaitingOn finds whose move it is on today: the owner of the open task
// latest past its due date (the one on the critical path, then the first
// in plan order, on a tie): late work holds the plan now, whatever its
// chain; with none late, the owner of the first open task of the critical
// path (criticalPath as schedule.Plan.CriticalPath gives it: open task
// ids, first to last, least slack first); without one, the owner of the
// open task due first, by its effective date due(t) (plan order on a tie,
// tasks without a date last). Only pending work counts (Deal.Pending): of
// a won deal, its onboarding. ok is false for a lost deal and for a plan
// with no pending task. due may return the zero Date; a nil due takes
// each task's own Due.
func WaitingOn(d *Deal, criticalPath []string, due func(*Task) Date, today Date) (tn Turn, ok bool) {
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
		late, on := DaysLate(d, t, due(t), today), slices.Contains(criticalPath, t.ID)
		if late > most || late > 0 && late == most && on && !critical {
			pick, critical, most = t, on, late
		}
	}
	if pick == nil && len(criticalPath) > 0 {
		for _, t := range tasks {
			if t.ID == criticalPath[0] && d.Pending(t) {
				pick, critical = t, true
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
	tn = Turn{Task: pick, Owner: pick.Owner, Due: due(pick), Critical: critical}
	if s, found := d.Stakeholder(pick.Owner); found {
		tn.Person, tn.Side = s, s.Side
	} else if r, isRole := cutRole(pick.Owner); isRole {
		tn.Side = SideOfRole(r)
	}
	tn.DaysLate = DaysLate(d, pick, tn.Due, today)
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
