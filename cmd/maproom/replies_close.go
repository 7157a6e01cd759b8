package main

import (
	"fmt"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// closeNote is the note the replies list gives a waiting proposal that
// would move the deal's end, "" for any other reply: the report's rule
// (SignalProposalMovesClose), in its simple part. The end is the close
// date (without one, the go-live date); for an onboarding step, which
// comes after the close, the go-live date. A proposal moves it when the
// date proposed is after it, or when, with the step done on that date,
// the remaining work (the work due by the close; for an onboarding step,
// all of it) would finish after it, and later than it can now. A date no
// later than the step's due date, or a step done already, moves nothing.
// plan is the deal scheduled as it is (nil when its plan fails check:
// then the date alone counts); cal the site's calendar.
func closeNote(d *deal.Deal, plan *schedule.Plan, r reply.Reply, today deal.Date, cal schedule.Calendar) string {
	if r.Kind != reply.Propose || r.Target == "" {
		return ""
	}
	proposed, err := deal.ParseDate(r.Date)
	if err != nil {
		return ""
	}
	t, m := reply.Item(d, r)
	var due deal.Date
	onboarding := false
	switch {
	case t != nil:
		if t.Status == deal.Done {
			return ""
		}
		due = t.Due
		if plan != nil {
			due, _ = plan.DueOf(t)
		}
		onboarding = d.Onboarding(t)
	case m != nil:
		due, onboarding = m.Due, m.Onboarding
	default:
		return ""
	}
	if !due.IsZero() && !proposed.After(due) {
		return ""
	}
	end, name, moves := d.Close, "the close date", "the close"
	if onboarding || end.IsZero() {
		end, name, moves = d.GoLive, "the go-live date", "the go-live"
	}
	if end.IsZero() {
		return ""
	}
	who, id := deciderOf(d)
	agree := "; agree it with " + who + " first"
	if id != "" && id == r.Stakeholder {
		// The decider sent it: not a date to take to them, but a close
		// they may not know they are moving.
		agree = fmt.Sprintf("; it comes from %s: confirm with them that %s moves too", who, moves)
	}
	if proposed.After(end) {
		return fmt.Sprintf("after %s %s: accepting it puts %s at risk (the plan keeps %s until you move it)%s", name, end, moves, end, agree)
	}
	if t == nil || plan == nil {
		return ""
	}
	// The step done on the date proposed, the rest of the plan as it is:
	// when would the work finish?
	finishOf := func(p *schedule.Plan) deal.Date {
		if onboarding {
			return p.Finish
		}
		return p.SalesFinish
	}
	now, _ := schedule.Compute(d, today, cal)
	then, err := schedule.Compute(d.DoneOn(t.ID, proposed), today, cal)
	if now == nil || err != nil {
		return ""
	}
	before, after := finishOf(now), finishOf(then)
	if !after.After(end) || !after.After(before) {
		return ""
	}
	if before.After(end) {
		return fmt.Sprintf("the plan would finish %s, %s later, already after %s %s: accepting it puts %s further at risk%s",
			after, count(cal.BusinessDaysBetween(before, after), "business day"), name, end, moves, agree)
	}
	return fmt.Sprintf("the plan would finish %s, after %s %s: accepting it puts %s at risk (the plan keeps %s until you move it)%s", after, name, end, moves, end, agree)
}

// deciderOf names who agrees a new close on the buyer's side: the
// economic buyer, else the approver, by name and role ("Dana Whitfield
// (economic buyer)"), and their id; "the buyer's economic buyer" and no
// id when the plan names neither.
func deciderOf(d *deal.Deal) (name, id string) {
	for _, role := range []deal.Role{"economic-buyer", "approver"} {
		for _, s := range d.Stakeholders {
			if s.Side == deal.Buyer && s.Role == role {
				return fmt.Sprintf("%s (%s)", s.Name, strings.ReplaceAll(string(role), "-", " ")), s.ID
			}
		}
	}
	return "the buyer's economic buyer", ""
}
