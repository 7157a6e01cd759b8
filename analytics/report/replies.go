package report

// This file holds the replies part of a deal's report: the replies that
// wait for the seller, and the signal of a waiting proposed date that
// would move the close.

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// waitingReplies describes the deal's waiting replies against its plan,
// oldest first, leaving out those sent after the report's day. dueOf is
// the plan's effective due date of a task.
func (a *Aggregator) waitingReplies(da *dealAgg, dueOf func(*deal.Task) (deal.Date, bool)) []WaitingReply {
	d := da.in.Deal
	rs := slices.Clone(da.in.Waiting)
	event.SortReplies(rs)
	later := a.supersededOnDay(da.in)
	out := []WaitingReply{}
	for _, r := range rs {
		sent := r.Time.In(a.loc)
		age := deal.DateOf(sent).DaysUntil(a.opts.Today)
		if age < 0 {
			continue
		}
		w := WaitingReply{ID: r.ID, Stakeholder: r.Stakeholder, Person: r.Stakeholder, Kind: string(r.Kind),
			Target: r.Target, Date: r.Date, Reason: r.Reason, Text: r.Text, Evidence: r.Evidence, Owner: r.Owner,
			Sent: a.stamp(r.Time.UnixMilli()), AgeDays: age}
		if s, ok := d.Stakeholder(r.Stakeholder); ok {
			w.Person, w.Side, w.Role = s.Name, string(s.Side), string(s.Role)
			if r.Rotation < s.Rotate {
				// Sent from a link replaced since (leaked, most often):
				// maybe not theirs, as maproom replies says.
				w.OldLink = true
				w.Note = strings.TrimPrefix(w.Note+"; ", "; ") + fmt.Sprintf("sent from a link rotated since (rotation %d, now %d): confirm with %s it is theirs", r.Rotation, s.Rotate, s.Name)
			}
		}
		if t, m := reply.Item(d, r); r.Target != "" && t == nil && m == nil {
			// A step renamed since (its title the same) is the reply's
			// step under its new id, as accept applies it.
			if now, ok := da.in.Story.Renamed(r.Target, r.TargetKind == reply.TargetMilestone); ok {
				r.Target, w.Target = now, now
			}
		}
		switch t, m := reply.Item(d, r); {
		case r.Target == "":
			w.TargetKind, w.About = reply.TargetPlan, "the plan"
		case t != nil:
			w.TargetKind, w.About = reply.TargetTask, t.Title
			if due, _ := dueOf(t); !due.IsZero() {
				w.Due = due.String()
			}
			if t.Status == deal.Done && (r.Kind == reply.Confirm || r.Kind == reply.Propose || r.Kind == reply.Blocked) {
				w.Note = strings.TrimPrefix(w.Note+"; ", "; ") + "the step is done since"
			}
		case m != nil:
			w.TargetKind, w.About, w.Due = reply.TargetMilestone, m.Title, m.Due.String()
		default:
			w.About = r.Target + " (not in the plan)"
		}
		if id := later[r.ID]; id != "" {
			w.Note = strings.TrimPrefix(w.Note+"; ", "; ") + "superseded by " + id + ", their later reply on the same step"
			w.supersededBy = id
		}
		if r.Preview {
			w.Preview = true
			w.Note = strings.TrimPrefix(w.Note+"; ", "; ") + "sent from the local preview (maproom serve): a click of yours, not their word"
		}
		out = append(out, w)
	}
	return out
}

// supersededOnDay is reply.Superseded of the deal's replies, waiting and
// decided, sent by the report's day.
func (a *Aggregator) supersededOnDay(in ReportDeal) map[string]string {
	var rs []reply.Reply
	for _, r := range in.Waiting {
		rs = append(rs, r)
	}
	for _, rec := range in.Decided {
		rs = append(rs, rec.Reply)
	}
	rs = slices.DeleteFunc(rs, func(r reply.Reply) bool { return deal.DateOf(r.Time.In(a.loc)).After(a.opts.Today) })
	event.SortReplies(rs)
	return reply.Superseded(rs)
}

// aboutOf names what r is about in d, as the replies list does: a task's
// or a milestone's title, "the plan", or the id r gives when d has no such
// step.
func aboutOf(d *deal.Deal, r reply.Reply) string {
	switch t, m := reply.Item(d, r); {
	case r.Target == "":
		return "the plan"
	case t != nil:
		return t.Title
	case m != nil:
		return m.Title
	}
	return r.Target + " (not in the plan)"
}

// proposalSignals finds the waiting proposals of a later date that would
// move an open deal's close (SignalProposalMovesClose). Each proposal is
// weighed alone against the plan as it is. The close is the deal's close
// date or, without one, its go-live date; the deal is due to end on the
// later of the close and the day the remaining work can finish. A task is
// scheduled again as if done on the date proposed: the close moves by the
// business days the new finish (or the date proposed, if later) falls after
// that end. For a milestone, whose date the schedule does not drive, or a
// plan with errors, the date proposed is the new finish. A proposal for a
// done task, or of a date no later than the current due date, moves
// nothing; nor does one for onboarding work (an onboarding milestone or
// its tasks), which comes after the close: the remaining work is the work
// due by the close (schedule.Plan.SalesFinish).
//
// A proposal is signalled when it would move the close, when the date
// proposed is after the close, or when the task is on the critical path
// and the remaining work would finish later even though the close still
// holds (a flag: the plan's end moves, its slack to the close is spent).
func (a *Aggregator) proposalSignals(da *dealAgg, dr *DealReport) []Signal {
	d := da.in.Deal
	plan := da.in.Plan
	if dr.Plan != PlanOK {
		plan = nil
	}
	closing, closeName := d.Close, "the close date"
	if closing.IsZero() {
		closing, closeName = d.GoLive, "the go-live date"
	}
	cal := a.opts.Calendar
	// end is the day the deal is due to end, computed on the first
	// proposal that needs it. The plan is scheduled again for it, as the
	// plan given may have been scheduled with another calendar.
	var end, finish deal.Date // finish: when the remaining work can finish as planned
	var sched *schedule.Plan  // the plan scheduled with the report's calendar
	endKnown := false
	endOf := func() deal.Date {
		if !endKnown {
			endKnown, end = true, closing
			if plan != nil {
				sched = plan
				if again, err := schedule.Compute(d, a.opts.Today, cal); err == nil {
					sched = again
				}
				finish = sched.SalesFinish // the work due by the close
				if finish.After(end) {
					end = finish
				}
			}
		}
		return end
	}

	// The tasks the report calls critical (criticalTasks). From due dates
	// alone, the plan's end is its last due date and a task's room is how
	// far its date can move before a later step's or the close's must.
	critical := map[string]bool{}
	for _, tl := range dr.Tasks {
		critical[tl.ID] = tl.Critical
	}
	dueDates := dr.Schedule != nil && dr.Schedule.Basis == ScheduleDueDates
	var sigs []Signal
	for _, w := range dr.Replies {
		if w.Kind != string(reply.Propose) || (w.TargetKind != reply.TargetTask && w.TargetKind != reply.TargetMilestone) {
			continue
		}
		if w.supersededBy != "" || w.Preview {
			continue // the person's later reply stands; the preview's is the seller's click
		}
		proposed, err := deal.ParseDate(w.Date)
		if err != nil {
			continue
		}
		due, _ := deal.ParseDate(w.Due) // zero when the target has no date
		if !due.IsZero() && !proposed.After(due) {
			continue
		}
		var task *deal.Task
		if w.TargetKind == reply.TargetTask {
			task, _ = d.Task(w.Target)
			if task == nil || task.Status == deal.Done || d.Onboarding(task) {
				continue
			}
		} else if m, ok := d.Milestone(w.Target); ok && m.Onboarding {
			continue
		}
		base := endOf()
		newEnd := proposed
		if task != nil && plan != nil {
			if p, err := schedule.Compute(d.DoneOn(task.ID, proposed), a.opts.Today, cal); err == nil && p.SalesFinish.After(newEnd) {
				newEnd = p.SalesFinish
			}
		}
		move := 0
		if !base.IsZero() {
			move = max(0, cal.BusinessDaysBetween(base, newEnd))
		}
		past := !closing.IsZero() && proposed.After(closing)
		// A later date on the critical path delays the whole plan even while
		// the close still holds: the seller hears of it before the slack to
		// the close is spent.
		onPath, later, planEnd := false, 0, finish
		if dueDates {
			planEnd, _ = deal.ParseDate(dr.Schedule.LastDue)
		}
		if task != nil && plan != nil && !planEnd.IsZero() {
			// From due dates, any task whose new date passes the last one
			// moves the plan's end; from durations, one on the critical
			// path that finishes later.
			if onPath = critical[task.ID]; onPath || dueDates {
				later = max(0, cal.BusinessDaysBetween(planEnd, newEnd))
			}
		}
		if move == 0 && !past && later == 0 {
			continue
		}

		what, noun := fmt.Sprintf("\"%s\"", w.About), "task "+w.Target
		if task == nil {
			noun = "milestone " + w.Target
		}
		from := ""
		if !due.IsZero() {
			from = " from " + due.String()
		}
		who := w.Person
		if w.Role != "" {
			who += fmt.Sprintf(" (%s, %s)", w.Side, w.Role)
		}
		ev := []string{fmt.Sprintf("proposed on %s by %s for %s", dateOnly(w.Sent), who, noun)}
		if w.Reason != "" {
			ev[0] += fmt.Sprintf(": \"%s\"", strings.Join(strings.Fields(w.Reason), " "))
		}
		path := "off the critical path"
		if task != nil && critical[task.ID] {
			path = "on the critical path"
		}
		if task != nil && plan != nil && (dueDates || task.Duration == 0 && !task.Due.IsZero()) {
			// A step with a date and no duration happens on its date: how
			// far that date can move is its room, as from due dates alone.
			ev = append(ev, fmt.Sprintf("the task is %s, %s", path, roomText(sched, task, due, proposed, cal)))
		} else if task != nil && plan != nil {
			if ts, ok := plan.Task(task.ID); ok {
				slack := fmt.Sprintf("with %s of slack", plural(ts.Slack, "business day", "business days"))
				if ts.Slack < 0 {
					slack = fmt.Sprintf("already %s behind its latest finish", plural(-ts.Slack, "business day", "business days"))
				}
				if ts.Slack >= 0 && !ts.LatestFinish.IsZero() && proposed.After(ts.LatestFinish) {
					// Slack is to the task's latest finish: a date past it
					// spends the slack and more, which is why the close
					// moves even off the critical path.
					slack += fmt.Sprintf(", and the date asked is %s past its latest finish, %s",
						plural(cal.BusinessDaysBetween(ts.LatestFinish, proposed), "business day", "business days"), ts.LatestFinish)
				}
				ev = append(ev, "the task is "+path+", "+slack)
			}
		}
		days := plural(move, "business day", "business days")
		summary := fmt.Sprintf("%s asks to move %s%s to %s", w.Person, what, from, proposed)
		finishes := "the remaining work would finish " + newEnd.String()
		switch {
		case task == nil:
			finishes = "the milestone would be reached on " + newEnd.String()
		case plan == nil:
			finishes = "the task would be done on " + newEnd.String() + " (the plan fails check: no schedule)"
		}
		switch {
		case move > 0 && closing.IsZero():
			ev = append(ev, fmt.Sprintf("%s, %s later than %s", finishes, days, base))
			summary += ": the remaining work would finish " + days + " later"
		case move > 0 && base.After(closing):
			ev = append(ev, fmt.Sprintf("%s, %s later than %s, already after %s %s", finishes, days, base, closeName, closing))
			summary += ": the close would move " + days + " more"
		case move > 0:
			ev = append(ev, fmt.Sprintf("%s, %s after %s %s", finishes, days, closeName, closing))
			summary += ": the close would move " + days
		case past:
			summary += fmt.Sprintf(", after %s %s", closeName, closing)
		case dueDates:
			lat := plural(later, "business day", "business days")
			ev = append(ev, fmt.Sprintf("%s, %s later than the last due date %s: the plan's end moves, before %s %s", finishes, lat, planEnd, closeName, closing))
			summary += ": the plan's last date would move " + lat + " later"
		default:
			lat := plural(later, "business day", "business days")
			ev = append(ev, fmt.Sprintf("%s, %s later than %s: on the critical path, so the plan's end moves, before %s %s", finishes, lat, finish, closeName, closing))
			summary += ": it is on the critical path, the remaining work would finish " + lat + " later"
		}
		if past {
			ev = append(ev, fmt.Sprintf("%s is after %s %s", proposed, closeName, closing))
		}
		ev = append(ev, fmt.Sprintf("reply %s, waiting %s: maproom accept %s takes the date; maproom decline %s -why \"...\" keeps the plan's",
			w.ID, plural(w.AgeDays, "day", "days"), w.ID, w.ID))
		sev := SeverityFlag
		// alert_days is in calendar days, as for late work; move is in
		// business days.
		if past || move > 0 && base.DaysUntil(newEnd) >= a.opts.AlertDays {
			sev = SeverityAlert
		}
		sigs = append(sigs, Signal{Kind: SignalProposalMovesClose, Severity: sev, Summary: summary, Evidence: ev})
	}
	return sigs
}

// roomText says how far task t's due date can move (from due dates alone,
// or for a step with a date and no duration) before another date of the
// plan must (schedule.TaskSchedule.Room, to
// its Bound), and how far past that day the date asked is. p is the plan
// scheduled with cal.
func roomText(p *schedule.Plan, t *deal.Task, due, asked deal.Date, cal schedule.Calendar) string {
	if p == nil {
		return "with no schedule"
	}
	ts, ok := p.Task(t.ID)
	if !ok || ts.Bound.IsZero() || due.IsZero() {
		return "with no later date bounding it"
	}
	var s string
	switch until := ts.Bound; {
	case ts.Room > 0:
		s = fmt.Sprintf("with %s of room: the plan's later dates leave it until %s", plural(ts.Room, "business day", "business days"), until)
	case ts.Room == 0:
		s = fmt.Sprintf("with no room: the plan's later dates leave it until %s, its due date", until)
	default:
		s = fmt.Sprintf("already %s past %s, the latest the plan's later dates leave it", plural(-ts.Room, "business day", "business days"), until)
	}
	if asked.After(ts.Bound) {
		s += fmt.Sprintf("; the date asked is %s past that", plural(cal.BusinessDaysBetween(ts.Bound, asked), "business day", "business days"))
	}
	return s
}

// replyWhat is what a waiting reply says, in a line: the date, the reason,
// the text, by kind. A buyer wrote it: control characters, which the
// beacon refuses anyway, are dropped rather than sent to a terminal.
func replyWhat(w *WaitingReply) string {
	var s string
	switch reply.Kind(w.Kind) {
	case reply.Confirm:
		s = "confirms"
		if w.Date != "" {
			s += " " + w.Date
		}
	case reply.Propose:
		s = w.Date
		if w.Due != "" && w.Due != w.Date {
			s += " (now " + w.Due + ")"
		}
		if w.Reason != "" {
			s += ": " + w.Reason
		}
	case reply.Done:
		s = "done " + w.Date
		if w.Evidence != "" {
			s += ": " + w.Evidence
		}
	case reply.Blocked:
		s = "blocked: " + w.Reason
	case reply.Question:
		s = w.Text
	case reply.Suggest:
		s = fmt.Sprintf("\"%s\"", w.Text)
		if w.Owner != "" {
			s += ", owner " + w.Owner
		}
		if w.Date != "" {
			s += ", by " + w.Date
		}
	default:
		s = w.Text
	}
	if w.Note != "" {
		s += " [" + w.Note + "]"
	}
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// AnswerTo is the latest waiting reply of replies that answers task:
// reports it done or proposes another date, and still stands (not
// superseded by its sender's later reply, not sent from the preview, the
// step not done since); nil when none.
func AnswerTo(replies []WaitingReply, task string) *Answer {
	for i := len(replies) - 1; i >= 0; i-- {
		w := &replies[i]
		if w.TargetKind != reply.TargetTask || w.Target != task || w.Superseded() || w.Preview ||
			w.Kind != string(reply.Done) && w.Kind != string(reply.Propose) {
			continue
		}
		return &Answer{Reply: w.ID, Kind: w.Kind, Person: w.Person, Sent: w.Sent[:min(len(w.Sent), 10)], Date: w.Date}
	}
	return nil
}
