package reply

import (
	"slices"

	"github.com/maproom/maproom/internal/deal"
)

// Item is what reply r is about in d: its task or its milestone, both nil
// for the plan as a whole or for a step no longer in the plan. The reply's
// target kind says where its id is looked up; a reply without one looks
// for a task first.
func Item(d *deal.Deal, r Reply) (*deal.Task, *deal.Milestone) {
	if r.Target == "" {
		return nil, nil
	}
	if r.TargetKind != TargetMilestone {
		if t, ok := d.Task(r.Target); ok {
			return t, nil
		}
	}
	if r.TargetKind != TargetTask {
		if m, ok := d.Milestone(r.Target); ok {
			return nil, m
		}
	}
	return nil, nil
}

// Targets is what one person may reply to in one deal; the manifest holds it
// per room and the beacon checks every reply against it. Own lists the ids of
// the tasks the person owns, Lead the ids of the milestones they lead, See
// the ids of the tasks they can see and Milestones the ids of the
// milestones they can see (every task and milestone of the deal: the plan
// is visible to every room), Done the ids of the tasks of Own that are
// done and Reached those of the milestones of Lead that are reached (every
// step done): a room shows them with no form to change them (see
// DoneAlready).
// The zero Targets allows questions and suggestions on the plan only.
type Targets struct {
	Own        []string `json:"own,omitempty"`
	Lead       []string `json:"lead,omitempty"`
	See        []string `json:"see,omitempty"`
	Milestones []string `json:"milestones,omitempty"`
	Done       []string `json:"done,omitempty"`
	Reached    []string `json:"reached,omitempty"`
}

// DoneAlready reports whether r would change a task of the person's the
// plan had done when the room was built, or a milestone of theirs it had
// reached: nothing is left to confirm, move or mark on it (a question
// still goes). The beacon refuses such a reply
// as it comes, from a page no build has made since; accepting one is
// decided against the plan as it is then.
func (t Targets) DoneAlready(r Reply) bool {
	switch r.Kind {
	case Confirm, Propose, Done, Blocked:
		if r.TargetKind == TargetMilestone {
			return slices.Contains(t.Reached, r.Target)
		}
		return slices.Contains(t.Done, r.Target)
	}
	return false
}

// TargetsFor returns what stakeholder id may reply to in d, in plan order.
// An id that is not a stakeholder of d owns and leads nothing but, like
// every room, sees the plan.
func TargetsFor(d *deal.Deal, stakeholderID string) Targets {
	var t Targets
	for i := range d.Milestones {
		m := &d.Milestones[i]
		t.Milestones = append(t.Milestones, m.ID)
		// A won deal's sale is over: only its onboarding is theirs to
		// answer for.
		mine := stakeholderID != "" && (d.Outcome != deal.Won || m.Onboarding)
		if m.Lead == stakeholderID && mine {
			t.Lead = append(t.Lead, m.ID)
			if m.Reached() {
				t.Reached = append(t.Reached, m.ID)
			}
		}
		for j := range m.Tasks {
			k := &m.Tasks[j]
			t.See = append(t.See, k.ID)
			if k.Owner == stakeholderID && mine {
				t.Own = append(t.Own, k.ID)
				if k.Status == deal.Done {
					t.Done = append(t.Done, k.ID)
				}
			}
		}
	}
	return t
}

// Allows reports whether a reply of kind about target may be sent: confirm
// and propose on a task in Own or a milestone in Lead; done and blocked on a
// task in Own (a milestone has no status of its own); question on the plan
// ("") or any task or milestone the person sees; suggest on the plan only.
// An id that names both a task and a milestone is allowed when either
// reading is; AllowsReply decides with the reply's TargetKind.
func (t Targets) Allows(kind Kind, target string) bool {
	return t.allows(kind, TargetTask, target) || t.allows(kind, TargetMilestone, target) ||
		t.allows(kind, TargetPlan, target)
}

// AllowsReply is Allows for a reply whose TargetKind is set ("" reads as
// either a task or a milestone).
func (t Targets) AllowsReply(r Reply) bool {
	if r.TargetKind == "" {
		return t.Allows(r.Kind, r.Target)
	}
	return t.allows(r.Kind, r.TargetKind, r.Target)
}

func (t Targets) allows(kind Kind, targetKind, target string) bool {
	switch targetKind {
	case TargetPlan:
		return target == "" && (kind == Question || kind == Suggest)
	case TargetTask:
		switch kind {
		case Confirm, Propose, Done, Blocked:
			return slices.Contains(t.Own, target)
		case Question:
			return slices.Contains(t.See, target) || slices.Contains(t.Own, target)
		}
	case TargetMilestone:
		switch kind {
		case Confirm, Propose:
			return slices.Contains(t.Lead, target)
		case Question:
			return slices.Contains(t.Milestones, target) || slices.Contains(t.Lead, target)
		}
	}
	return false
}

// Resolve returns the kind of target ("plan", "task" or "milestone") as
// Targets knows it: a task when the id is a task's, else a milestone, else
// "" for an id it does not know.
func (t Targets) Resolve(target string) string {
	switch {
	case target == "":
		return TargetPlan
	case slices.Contains(t.See, target) || slices.Contains(t.Own, target):
		return TargetTask
	case slices.Contains(t.Milestones, target) || slices.Contains(t.Lead, target):
		return TargetMilestone
	}
	return ""
}
