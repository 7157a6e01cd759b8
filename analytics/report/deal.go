package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// dealReport builds one deal's section from its plan and the summaries of
// its page-loads.
func (a *Aggregator) dealReport(da *dealAgg) DealReport {
	d, plan := da.in.Deal, da.in.Plan
	// A room the manifest dates after the day (a manifest rebuilt from
	// scratch records its own day) was out by a page-load of its link:
	// its person had it, as roomAge counts.
	for id, pages := range da.later {
		if pi, ok := da.people[id]; ok && da.published[id] == nil && a.people[pi].linked != 0 && a.people[pi].linked < a.toMS {
			if da.published == nil {
				da.published = map[string][]string{}
			}
			da.published[id] = pages
		}
	}
	today := a.opts.Today
	ended := d.Outcome == deal.Won || d.Outcome == deal.Lost
	dr := DealReport{ID: d.ID, Title: d.Title, Buyer: d.Buyer, Outcome: string(d.Outcome), Value: d.Value,
		CheckErrors: da.in.CheckErrors, CheckMessages: da.in.CheckMessages, SellerPreviews: da.previews, Overdue: []OverdueTask{},
		Milestones: []MilestoneProgress{}, Tasks: []TaskLine{}, Stakeholders: []StakeholderReport{}, Replies: []WaitingReply{}, Signals: []Signal{}}
	if dr.Outcome == "" {
		dr.Outcome = string(deal.Open)
	}
	if !d.Close.IsZero() {
		dr.Close = d.Close.String()
		n := today.DaysUntil(d.Close)
		dr.DaysToClose = &n
	}
	switch {
	case da.in.Unreadable:
		dr.Plan, dr.CheckErrors, dr.unreadable = PlanErrors, max(dr.CheckErrors, 1), true
		dr.Attention = attention(&dr)
		return dr
	case len(d.Milestones) == 0:
		dr.Plan = PlanNone
	case da.in.CheckErrors > 0 || plan == nil:
		// The schedule, when it could be worked out (an error of another
		// kind, a step without a date, say), still tells what waits on
		// what and by when each step is due: its signals stand. Its
		// forecast (the schedule line, the committed pipeline) does not.
		dr.Plan = PlanErrors
	default:
		dr.Plan = PlanOK
	}
	name := func(id string) (string, string) { return ownerOf(d, id) }
	// dueOf is the task's effective due date, the one its room shows.
	dueOf := plan.DueOf
	if !ended && dr.Plan == PlanOK && len(plan.CriticalPath) > 0 {
		dr.Schedule = a.scheduleSummary(d, plan, dueOf)
	}
	dr.forecast = dr.Schedule
	if !ended && dr.Plan == PlanErrors && plan != nil && len(plan.CriticalPath) > 0 {
		dr.forecast = a.scheduleSummary(d, plan, dueOf)
	}
	critical := criticalTasks(plan, dr.Schedule)
	// The path whose move it is takes, and the step an overdue one waits
	// on is named by the same rule (deal.Upstream).
	turnPath := plan.TurnPath(d, today)
	dueDate := func(t *deal.Task) deal.Date { due, _ := dueOf(t); return due }
	if d.Outcome == deal.Won && plan != nil {
		// A won deal's onboarding: the path its rooms show.
		path, _ := plan.Path(d, today)
		critical = map[string]bool{}
		for _, id := range path {
			critical[id] = true
		}
	}
	count := func(p *Progress, t *deal.Task) {
		p.Total++
		due, _ := dueOf(t)
		switch {
		case t.Status == deal.Done:
			p.Done++
			if !due.IsZero() && t.Done.After(due) { // the effective due date: a computed one too
				p.DoneLate++
			} else {
				p.DoneOnTime++
			}
		default:
			p.Open++
			if deal.DaysLate(d, t, due, today) > 0 {
				p.Overdue++
			}
		}
	}
	for i := range d.Milestones {
		m := &d.Milestones[i]
		lead, _ := name(m.Lead)
		mp := MilestoneProgress{ID: m.ID, Title: m.Title, Due: m.Due.String(), Lead: m.Lead, LeadName: lead, Onboarding: m.Onboarding}
		var last deal.Date
		for j := range m.Tasks {
			t := &m.Tasks[j]
			count(&mp.Progress, t)
			count(&dr.Progress, t)
			if t.Status == deal.Done && t.Done.After(last) {
				last = t.Done
			}
			_, side := name(t.Owner)
			due, computed := dueOf(t)
			tl := TaskLine{ID: t.ID, Title: t.Title, Milestone: m.ID, Owner: t.Owner, Side: side, Status: string(t.Status),
				Due: due.String(), Done: t.Done.String(), Critical: critical[t.ID]}
			if plan != nil {
				if ts, ok := plan.Task(t.ID); ok {
					tl.Start, tl.Finish = ts.EarliestStart.String(), ts.EarliestFinish.String()
				}
			}
			if late := deal.DaysLate(d, t, due, today); late > 0 {
				tl.Overdue = true
				ownerName, _ := name(t.Owner)
				dr.Overdue = append(dr.Overdue, OverdueTask{Task: t.ID, Title: t.Title, Milestone: m.ID, Owner: t.Owner,
					OwnerName: ownerName, Side: side, Status: string(t.Status), Due: due.String(), DueComputed: computed,
					DaysLate: late, BusinessDaysLate: max(0, a.opts.Calendar.BusinessDaysBetween(due, today)), Severity: a.severity(late),
					Critical: critical[t.ID]})
				if !t.DoneAhead.IsZero() {
					dr.Overdue[len(dr.Overdue)-1].DoneAhead = t.DoneAhead.String()
				}
				if up := deal.Upstream(d, t, turnPath, dueDate); up != nil {
					dr.Overdue[len(dr.Overdue)-1].WaitsOn = up.ID
				}
			}
			dr.Tasks = append(dr.Tasks, tl)
		}
		mp.Done = len(m.Tasks) > 0 && mp.Progress.Done == len(m.Tasks)
		if mp.Done {
			mp.DoneOn = last.String()
		} else if late := deal.MilestoneDaysLate(d, m, today); late > 0 {
			mp.DaysLate, mp.Severity = late, a.severity(late)
			mp.BusinessDaysLate = max(0, a.opts.Calendar.BusinessDaysBetween(m.Due, today))
		}
		mp.Progress.Percent = percent(mp.Progress.Done, mp.Progress.Total)
		dr.Milestones = append(dr.Milestones, mp)
	}
	dr.Progress.Percent = percent(dr.Progress.Done, dr.Progress.Total)
	sort.SliceStable(dr.Overdue, func(i, j int) bool { return dr.Overdue[i].DaysLate > dr.Overdue[j].DaysLate })

	if d.Outcome != deal.Lost {
		// A won deal's onboarding is still someone's move, as its rooms say.
		dr.Turn = a.turn(d, turnPath, dueDate, today)
		if dr.Turn != nil {
			// On the path the overdue list marks: the sale's, or a won
			// deal's onboarding.
			dr.Turn.Critical = critical[dr.Turn.Task]
		}
	}
	// Each person's last visit is when it began, and the deal's is the
	// latest of theirs: one time in every list.
	da.lastVisit = 0
	for i := range d.Stakeholders {
		p := &a.people[da.people[d.Stakeholders[i].ID]]
		p.last = lastStart(p.spans)
		if !p.seller {
			da.lastVisit = max(da.lastVisit, p.last)
		}
	}
	dr.LastVisit = a.stamp(da.lastVisit)
	dr.Published = da.firstPublished
	for i := range d.Stakeholders {
		p := &a.people[da.people[d.Stakeholders[i].ID]]
		if p.seller {
			continue
		}
		dr.Stakeholders = append(dr.Stakeholders, a.stakeholderReport(da, p))
	}
	dr.Replies = a.waitingReplies(da, dueOf)
	dr.RepliesWaiting = len(dr.Replies)
	for i := range dr.Overdue {
		dr.Overdue[i].Answer = AnswerTo(dr.Replies, dr.Overdue[i].Task)
	}
	if tn := dr.Turn; tn != nil {
		if tn.Answer = AnswerTo(dr.Replies, tn.Task); tn.Answer != nil {
			tn.Side = string(deal.Seller)
		}
	}
	dr.Week = a.weekChange(da, &dr, dueOf, today)
	dr.Activity = a.activity(da, &dr, today)
	dr.History = dealHistory(d, da.in.Story, today, &a.opts)
	if h := dr.History; h != nil && da.in.Uncommitted {
		h.Uncommitted = true
		// The slips stop at the last commit, their date now too: a date
		// moved on disk is no slip yet, and the line says it from one
		// basis (the history line says the plan is not committed).
		for i := range h.Slips {
			h.Slips[i].Now, h.Slips[i].Net = h.Slips[i].committedNow, h.Slips[i].committedNet
		}
		if n := len(h.Burnup); n > 0 && h.Burnup[n-1].Week == today.String() {
			// Today's point is the plan as it is, as the progress line.
			h.Burnup[n-1].Done, h.Burnup[n-1].Total = history.PlanOf(d).Progress()
		}
	}
	if ended {
		dr.endedOn, _ = da.in.Story.EndedOn(d.Outcome, a.loc)
		if !dr.endedOn.IsZero() {
			// What the history held done that day: a step ticked off once
			// the deal was over, even with an earlier done: date, is not
			// the sale's.
			for _, t := range d.Tasks() {
				if done, known := da.in.Story.TaskDoneOn(t.ID, dr.endedOn, a.loc); known {
					if dr.doneAtEnd == nil {
						dr.doneAtEnd = map[string]bool{}
					}
					dr.doneAtEnd[t.ID] = done
				}
				if !da.in.Story.TaskInPlanOn(t.ID, dr.endedOn, a.loc) {
					if dr.notAtEnd == nil {
						dr.notAtEnd = map[string]bool{}
					}
					dr.notAtEnd[t.ID] = true
				}
			}
		}
	}
	if d.Outcome == deal.Won && d.OnboardingLeft() {
		// A won deal's plan goes on into onboarding: its rooms still go
		// quiet, its steps still block or run late. The sale's signals
		// (who decides, the close) are over.
		dr.Signals = slices.DeleteFunc(a.signals(da, &dr), func(s Signal) bool {
			return !slices.Contains([]string{SignalQuiet, SignalBlocked, SignalMilestoneLate, SignalLatePiling, SignalGoLivePassed}, s.Kind)
		})
		if da.in.Story != nil || a.opts.HistoryNote != "" || a.opts.HistoryRead {
			dr.Signals = append(dr.Signals, historySignals(d, da.in.Story, da.in.Reviews, da.firstPublished, dueDate, &a.opts)...) // its reviews
		}
	}
	if !ended {
		dr.Signals = a.signals(da, &dr)
		if da.in.Story != nil || a.opts.HistoryNote != "" || a.opts.HistoryRead {
			// With the history, or knowing the site or the deal has none:
			// a report told neither (a store's events alone) does not
			// guess.
			dr.Signals = append(dr.Signals, historySignals(d, da.in.Story, da.in.Reviews, da.firstPublished, dueDate, &a.opts)...)
		}
	}
	dr.Attention = attention(&dr)
	return dr
}

// ownerOf is an owner's name and side in deal d: a stakeholder's, or for
// a role nobody holds yet ("role:legal") "legal (unassigned)" and the
// role's side, as the turn and the rooms give it; the id itself and no
// side for anyone else.
func ownerOf(d *deal.Deal, id string) (name, side string) {
	if s, ok := d.Stakeholder(id); ok {
		return s.Name, string(s.Side)
	}
	if r, ok := strings.CutPrefix(id, "role:"); ok && r != "" {
		// Named as the rooms and the review agenda name it: the role,
		// nobody holding it yet.
		return strings.ReplaceAll(r, "-", " ") + " (unassigned)", string(deal.SideOfRole(deal.Role(r)))
	}
	return id, ""
}

// scheduleSummary says what is true of a deal's open work due by the
// close (onboarding work, after it, is left out): from the durations when
// it has them, else from its due dates (see ScheduleSummary.Basis); nil
// when none is open.
func (a *Aggregator) scheduleSummary(d *deal.Deal, plan *schedule.Plan, dueOf func(*deal.Task) (deal.Date, bool)) *ScheduleSummary {
	s := &ScheduleSummary{Basis: ScheduleDueDates}
	var last deal.Date
	for _, t := range d.Tasks() {
		if t.Status == deal.Done || d.Onboarding(t) {
			continue // onboarding work comes after the close
		}
		s.Open++
		// On a tie, the step that waits on the other (through any chain
		// of after:): the end of the chain, as the critical path names it
		// (schedule.Plan.Path).
		if due, _ := dueOf(t); !due.IsZero() && (last.IsZero() || due.After(last) || due == last && d.WaitsOn(t, s.LastDueTask)) {
			last, s.LastDue, s.LastDueTask = due, due.String(), t.ID
		}
	}
	if s.Open == 0 {
		return nil
	}
	path, fromDurations := plan.Path(d, a.opts.Today)
	s.CriticalPath = append([]string{}, path...)
	if fromDurations {
		// Steps with a date and no duration (a signature, a board
		// meeting) happen on their dates: the forecast counts them there.
		s.Basis, s.Finish, s.Fits, s.OverrunDays = ScheduleDurations, plan.SalesFinish.String(), plan.Fits(), plan.Overrun
		return s
	}
	s.Fits = d.Close.IsZero() || last.IsZero() || !last.After(d.Close)
	if !s.Fits {
		s.OverrunDays = max(1, a.opts.Calendar.BusinessDaysBetween(d.Close, last))
	}
	if !d.Close.IsZero() && d.Close.Before(a.opts.Today) {
		// The close has passed with work open: none of it fits, whatever
		// its due dates say (the schedule counts from today, as check).
		s.ClosePassed, s.Fits = true, false
		s.OverrunDays = max(s.OverrunDays, plan.Overrun, 1)
	}
	return s
}

// criticalTasks says which tasks the report calls critical, by the one
// rule every part of it follows (the task lines, the overdue table, the
// turn, the replies): the tasks of the critical path the schedule summary
// gives. From durations, those are the tasks the schedule marks critical,
// the chain the close waits on (every tied chain's); from due dates alone,
// the chain the last due date waits on (ScheduleSummary.CriticalPath). With no summary (an ended deal, no open
// work, or a plan that fails check), the schedule's own.
func criticalTasks(plan *schedule.Plan, sum *ScheduleSummary) map[string]bool {
	critical := map[string]bool{}
	switch {
	case sum != nil && sum.Basis == ScheduleDueDates:
		for _, id := range sum.CriticalPath {
			critical[id] = true
		}
	case plan != nil:
		for _, ts := range plan.Tasks {
			if ts.Critical {
				critical[ts.ID] = true
			}
		}
	}
	return critical
}

// percent is n of total as a whole percent, by the one rule every figure
// of the report follows: rounded to the nearest, but never 100 while
// anything is left nor 0 once anything counts (2 of 3 is 67%, 199 of 200
// is 99%, 1 of 300 is 1%). It is 0 of nothing.
func percent(n, total int) int {
	if total <= 0 {
		return 0
	}
	p := (n*100 + total/2) / total
	switch {
	case p >= 100 && n < total:
		return 99
	case p == 0 && n > 0:
		return 1
	}
	return p
}

// severity grades days late against the thresholds (deal.Thresholds).
func (a *Aggregator) severity(late int) string {
	return string(deal.Thresholds{FlagDays: a.opts.FlagDays, AlertDays: a.opts.AlertDays}.Severity(late))
}

// turn says whose move it is, by the rule a room's "waiting on" line
// shows too (deal.WaitingOn): the open task latest past its date (the
// critical one on a tie), else the first open task of the critical path
// from durations, else the open task due first; and when that task waits
// on open work through after:, the step upstream with no open dependency,
// late by its own date. path is the one the report marks critical
// (schedule.Plan.TurnPath); whether the turn is critical is the report's
// rule (criticalTasks), set by the caller.
func (a *Aggregator) turn(d *deal.Deal, path deal.Path, due func(*deal.Task) deal.Date, today deal.Date) *Turn {
	w, ok := deal.WaitingOn(d, path, due, today)
	if !ok {
		return nil
	}
	name, _ := ownerOf(d, w.Owner)
	tn := &Turn{Task: w.Task.ID, Title: w.Task.Title, Owner: w.Owner, OwnerName: name, Side: string(w.Side), Critical: w.Critical,
		Due: w.Due.String(), DaysLate: w.DaysLate, Severity: a.severity(w.DaysLate)}
	if w.Holds != nil {
		tn.HoldsUp = w.Holds.ID
	}
	return tn
}

// stakeholderReport summarises one buyer-side person.
func (a *Aggregator) stakeholderReport(da *dealAgg, p *personAgg) StakeholderReport {
	d, s := da.in.Deal, p.s
	sr := StakeholderReport{ID: s.ID, Name: s.Name, Title: s.Title, Role: string(s.Role), Room: true,
		Visits: len(p.spans), FirstVisit: a.stamp(p.first), LastVisit: a.stamp(p.last), ActiveSeconds: p.active / 1000,
		Networks: len(p.nets), OldLinkVisits: len(p.oldLinks), Scanner: p.scanner, Glances: p.glances,
		Opened: []OpenedDoc{}, NeverOpened: []CollateralRef{}, Weekly: make([]int, ReportWeeks), WeeklySeconds: make([]int64, ReportWeeks)}
	if r := da.replied[s.ID]; r.n > 0 {
		sr.Replies, sr.LastReply = r.n, a.stamp(r.last)
	}
	for i, ms := range p.weekly {
		sr.Weekly[i] = int((ms + 30_000) / 60_000)
		sr.WeeklySeconds[i] = ms / 1000
	}
	scope := a.scope(da, s)
	if a.manifested(da) && da.published[s.ID] == nil {
		sr.Room = false
	}
	for i, c := range d.Collateral {
		if p.opened != nil && len(p.opened[i].reads) > 0 {
			o := p.opened[i]
			sr.Opened = append(sr.Opened, OpenedDoc{ID: c.ID, Title: c.Title, Times: visitsOf(p.spans, o.reads),
				ActiveSeconds: o.active / 1000, Last: a.stamp(o.last)})
		} else if scope[i] && a.fed {
			// Without events nobody is known not to have read it.
			sr.NeverOpened = append(sr.NeverOpened, CollateralRef{ID: c.ID, Title: c.Title})
		}
	}
	return sr
}

// scope says which of the deal's documents are in s's room: the published
// room's pages when the manifest has it, else the content's audiences.
func (a *Aggregator) scope(da *dealAgg, s *deal.Stakeholder) []bool {
	d := da.in.Deal
	in := make([]bool, len(d.Collateral))
	if pages, ok := da.published[s.ID]; ok {
		for _, pg := range pages {
			if i, ok := da.coll[pg]; ok {
				in[i] = true
			}
		}
		return in
	}
	for i, c := range d.Collateral {
		in[i] = c.CanSee(*s)
	}
	return in
}

// visitsOf counts the visits that hold one of the instants reads.
func visitsOf(spans []span, reads []int64) int {
	seen := make(map[int]bool, len(reads))
	for _, at := range reads {
		seen[visitOf(spans, at)] = true
	}
	return len(seen)
}

// opened reports whether the stakeholder read collateral id (see
// engagement.go).
func (a *Aggregator) opened(da *dealAgg, who, id string) bool {
	pi, ok := da.people[who]
	ci, ok2 := da.coll[id]
	if !ok || !ok2 {
		return false
	}
	p := &a.people[pi]
	return p.opened != nil && len(p.opened[ci].reads) > 0
}

// signals finds the warning signals of an open deal, each with its evidence.
func (a *Aggregator) signals(da *dealAgg, dr *DealReport) []Signal {
	// Engagement is told from Since on; a purge (ReportOptions.Purged)
	// takes the events before its day of everyone: toldFrom. Who opened a
	// room is judged per person against the purge (purgedFor): a room out
	// since the purge lost nothing to it.
	toldFrom := a.knownFrom(da.in.Deal.ID)
	cut := a.purgedDay(da.in.Deal.ID)
	d := da.in.Deal
	today := a.opts.Today
	sigs := []Signal{}
	day := func(ms int64) string { return dateOnly(a.stamp(ms)) }
	window := "in the events read"
	if !a.opts.Since.IsZero() {
		window = "since " + a.opts.Since.String()
	}

	// The economic buyer or approver never opened the room, once their
	// room is UnopenedDays old: counted from the day the manifest
	// records, or from the first page-load of their link of any kind (a
	// scanner's, a chat preview's) when that came earlier, as a manifest
	// rebuilt from scratch records a later day. When the manifest records
	// no day, the window is the events read.
	var buyers, engaged []*personAgg
	for i := range d.Stakeholders {
		p := &a.people[da.people[d.Stakeholders[i].ID]]
		if p.seller {
			continue
		}
		buyers = append(buyers, p)
		if len(p.spans) > 0 || da.replied[p.s.ID].n > 0 {
			engaged = append(engaged, p)
		}
	}
	// Who opened what is judged only from events read, of rooms that
	// exist: without an event log, or before any buyer room of the deal
	// is published, nobody can have opened anything, and saying so would
	// blame the buyer.
	unpublished := a.manifested(da) && len(buyers) > 0 && !slices.ContainsFunc(buyers, func(p *personAgg) bool { return da.published[p.s.ID] != nil })
	judge := a.fed && !unpublished && len(buyers) > 0
	switch {
	case len(buyers) == 0:
		sigs = append(sigs, Signal{Kind: SignalNoBuyers, Severity: SeverityAlert,
			Summary: fmt.Sprintf("the plan names nobody from %s: no buyer has a room", d.Buyer),
			Evidence: []string{fmt.Sprintf("%s, all on the seller's side: add the buyer's people (the economic buyer, the champion, the owners of the buyer's steps) under stakeholders and build",
				plural(len(d.Stakeholders), "stakeholder", "stakeholders"))}})
	case unpublished:
		sigs = append(sigs, Signal{Kind: SignalNotPublished, Severity: SeverityFlag,
			Summary:  fmt.Sprintf("no room of this deal is published yet: nobody from %s can open it", d.Buyer),
			Evidence: []string{fmt.Sprintf("the manifest lists no room for its %s: run maproom build, then maproom invite %s", plural(len(buyers), "buyer stakeholder", "buyer stakeholders"), d.ID)}})
	}
	sigs = append(sigs, threadSignals(d, buyers, dr)...)
	// Read from a day on (-since), the events say only that they did not
	// open it since then (a purge is said per person: purgedFor).
	never, neverRead := "never opened the room", "never read"
	if !a.opts.Since.IsZero() {
		never = "has not opened the room since " + a.opts.Since.String()
		neverRead = "has not read since " + a.opts.Since.String()
	}
	// Events read from under a week ago (-since) are too few days to say
	// anyone stays away: neither a decider's absence nor a champion alone
	// is judged on them, as the room's age must be a week for the first.
	unopened := cmp.Or(a.opts.UnopenedDays, ReportUnopenedDays)
	short := !a.opts.Since.IsZero() && a.opts.Since.DaysUntil(today) < unopened
	// young: p's room is not a week old (from the day the manifest records,
	// or the first page-load of their link when earlier; without a
	// manifest, from the first page-load of any of the deal's links):
	// not opening it yet says nothing about whether they are in the
	// decision. With none of those, the age is not known and the room is
	// judged as one out for long.
	// roomAge is how many days the person's room has been out (ok false:
	// not known), from its publication or the first load of their link
	// when that came first.
	// Without a manifest, the deal's rooms were out by the first load of
	// any of their links, when the events read go back to the start
	// (no -since).
	// Without a manifest, the deal's rooms were out by then at the
	// latest, and at the earliest when the plan was first committed (the
	// history's first commit of it): a plan committed days ago has no
	// room out for weeks, and a first visit by one person does not make
	// the others' rooms younger than the plan.
	var dealFirst int64
	for _, p := range buyers {
		if p.linked != 0 && (dealFirst == 0 || p.linked < dealFirst) {
			dealFirst = p.linked
		}
	}
	var created deal.Date
	if st := da.in.Story; st != nil && !st.First.IsZero() && !st.Shallow {
		created = deal.DateOf(st.First.In(a.loc)) // a shallow clone's is where it starts
	}
	// After a purge, the first page-load left is no room's first: rooms
	// are dated from page-loads only by the manifest's day, or not at all.
	purgeApplies := !cut.IsZero() && cut.After(a.opts.Since)
	roomAge := func(p *personAgg) (int, bool) {
		on, err := deal.ParseDate(da.roomPublished[p.s.ID])
		known := err == nil
		if first := deal.DateOf(unixMilli(p.linked, a.loc)); p.linked != 0 && (known && first.Before(on) || !known && !purgeApplies && a.manifested(da) && da.published[p.s.ID] != nil) {
			// A page-load of the link came first (or the manifest dates
			// the room after the day): it was out from then.
			on, known = first, true
		}
		if !known && !a.manifested(da) && a.opts.Since.IsZero() {
			if dealFirst != 0 && !purgeApplies {
				on, known = deal.DateOf(unixMilli(dealFirst, a.loc)), true
			}
			if !created.IsZero() && (!known || created.Before(on)) {
				on, known = created, true
			}
		}
		return on.DaysUntil(today), known
	}
	young := func(p *personAgg) bool {
		age, ok := roomAge(p)
		return ok && age < unopened
	}
	// purgedFor says whether p's room was out before the purge's day (or
	// since when is not known), so that a visit of theirs may have gone
	// with it: then, from that day on, they "have not opened the room
	// since" it, judged once it is unopened days back (too soon says
	// nothing), never "never opened" it.
	purgedFor := func(p *personAgg) (never, window string, judged, ok bool) {
		if !purgeApplies {
			return "", "", false, false
		}
		if age, known := roomAge(p); known && !today.AddDays(-age).Before(cut) {
			return "", "", false, false
		}
		return "has not opened the room since " + cut.String() + " (the events before it were purged)",
			"since " + cut.String() + " (the events before it were purged)", cut.DaysUntil(today) >= unopened, true
	}
	for _, p := range buyers {
		if age, ok := roomAge(p); ok {
			for i := range dr.Stakeholders {
				if dr.Stakeholders[i].ID == p.s.ID {
					dr.Stakeholders[i].RoomSince = today.AddDays(-age).String()
				}
			}
		}
	}
	absentDecider := map[*personAgg]bool{} // signalled as such: not again as "only the champion"
	for _, p := range buyers {
		if !judge || short {
			break
		}
		if !p.s.Role.Decides() || len(p.spans) > 0 || da.replied[p.s.ID].n > 0 {
			continue // a reply came from their room: they opened it
		}
		if young(p) {
			continue
		}
		never, window := never, window
		if n, w, judged, ok := purgedFor(p); ok {
			if !judged {
				continue
			}
			never, window = n, w
		}
		ev := []string{fmt.Sprintf("%s (%s, %s): no human-verified visit %s", p.s.Name, p.s.Title, p.s.Role, window)}
		if p.scanner > 0 {
			ev = append(ev, plural(p.scanner, "scanner-like page-load", "scanner-like page-loads")+" of their link not counted as reads")
		}
		if p.glances > 0 {
			ev = append(ev, plural(p.glances, "page-load", "page-loads")+fmt.Sprintf(" of under %g s active time", a.eng.HumanActive.Seconds()))
		}
		if a.manifested(da) && da.published[p.s.ID] == nil {
			ev = append(ev, "no room is published for them: run maproom build and send them their link")
		}
		sigs = append(sigs, Signal{Kind: SignalDeciderAbsent, Severity: SeverityAlert,
			Summary:  fmt.Sprintf("the %s %s %s", strings.ReplaceAll(string(p.s.Role), "-", " "), p.s.Name, never),
			Evidence: ev})
		absentDecider[p] = true
	}

	// Only the champion engaged: of late, over the last ReportQuietDays (a
	// visit weeks ago does not share the plan with anyone now), or, when
	// nobody engaged of late (the room has gone quiet: its own signal),
	// ever.
	lastOf := func(p *personAgg) int64 { return max(p.last, da.replied[p.s.ID].last) }
	// Whole days of the site's calendar, as "nobody visited" counts them:
	// 21 days of 24 hours would move by the hour a clock change moves.
	recentFrom := startOf(today.AddDays(1-ReportQuietDays), a.loc) // ms
	var lately []*personAgg
	for _, p := range engaged {
		if lastOf(p) >= recentFrom {
			lately = append(lately, p)
		}
	}
	if len(lately) == 0 {
		lately = engaged
	}
	if judge && !short && len(lately) > 0 && len(buyers) > len(lately) {
		only := true
		for _, p := range lately {
			only = only && p.s.Role == "champion"
		}
		if only {
			var ev []string
			for _, p := range lately {
				if len(p.spans) == 0 {
					r := da.replied[p.s.ID]
					ev = append(ev, fmt.Sprintf("%s (champion): %s from the room, the last %s", p.s.Name, plural(r.n, "reply", "replies"), day(r.last)))
					continue
				}
				ev = append(ev, fmt.Sprintf("%s (champion): %s, the last %s", p.s.Name, plural(len(p.spans), "visit", "visits"), day(p.last)))
				if r := da.replied[p.s.ID]; r.n > 0 && r.last > p.last {
					ev[len(ev)-1] += fmt.Sprintf("; %s from the room, the last %s", plural(r.n, "reply", "replies"), day(r.last))
				}
			}
			// Judged on the others whose rooms are a week old: a room
			// published days ago has had no time to be opened.
			var never, lapsed []string
			for _, p := range buyers {
				_, _, _, purged := purgedFor(p)
				switch {
				case slices.Contains(lately, p) || young(p) || purged && !slices.Contains(engaged, p):
					// A visit of theirs may have gone with a purge: not
					// said to be missing.
				case slices.Contains(engaged, p):
					lapsed = append(lapsed, fmt.Sprintf("%s (%s, the last %s)", p.s.Name, p.s.Role, day(lastOf(p))))
				default:
					never = append(never, fmt.Sprintf("%s (%s)", p.s.Name, p.s.Role))
				}
			}
			if len(never) > 0 {
				ev = append(ev, "no visit from "+strings.Join(never, ", "))
			}
			if len(lapsed) > 0 {
				ev = append(ev, fmt.Sprintf("none in the last %d days from %s", ReportQuietDays, strings.Join(lapsed, ", ")))
			}
			// The deciders who never opened it have their own signal: when
			// nobody else is missing, that one says it all.
			others := false
			for _, p := range buyers {
				_, _, _, purged := purgedFor(p)
				others = others || !slices.Contains(lately, p) && !young(p) && !absentDecider[p] && !(purged && !slices.Contains(engaged, p))
			}
			if len(never)+len(lapsed) > 0 && others {
				summary := "only the champion engaged: the plan may be shared with no one else"
				switch {
				case len(lapsed) > 0 && len(never) > 0:
					summary = fmt.Sprintf("only the champion engaged in the last %d days: the others stopped looking, or never did", ReportQuietDays)
				case len(lapsed) > 0:
					summary = fmt.Sprintf("only the champion engaged in the last %d days: the others have stopped looking", ReportQuietDays)
				}
				sigs = append(sigs, Signal{Kind: SignalOnlyChampion, Severity: SeverityAlert, Summary: summary, Evidence: ev})
			}
		}
	}

	// The champion gone quiet, the mirror of only-champion: a champion
	// who engaged, not once in the last ReportQuietDays, while others of
	// the buyer's side did: the person who guides the seller has stopped
	// looking while the buyer's process goes on. Not while another
	// champion engages.
	if judge && !short {
		var quiet []*personAgg
		var others []string
		active := false // a champion engaged of late
		for _, p := range engaged {
			switch recent := lastOf(p) >= recentFrom; {
			case p.s.Role == "champion" && recent:
				active = true
			case p.s.Role == "champion":
				quiet = append(quiet, p)
			case recent:
				others = append(others, fmt.Sprintf("%s (%s, the last %s)", p.s.Name, p.s.Role, day(lastOf(p))))
			}
		}
		if !active && len(quiet) > 0 && len(others) > 0 {
			var ev, names []string
			for _, p := range quiet {
				var parts []string
				if len(p.spans) > 0 {
					parts = append(parts, plural(len(p.spans), "visit", "visits"))
				}
				if r := da.replied[p.s.ID]; r.n > 0 {
					parts = append(parts, plural(r.n, "reply", "replies")+" from the room")
				}
				what := strings.Join(parts, ", ")
				ev = append(ev, fmt.Sprintf("%s (champion): %s, the last %s; none in the last %d days", p.s.Name, what, day(lastOf(p)), ReportQuietDays))
				names = append(names, p.s.Name)
			}
			ev = append(ev, fmt.Sprintf("in the last %d days: %s", ReportQuietDays, strings.Join(others, ", ")),
				"ask "+strings.Join(names, " and ")+" what changed: a champion who goes quiet while the others look may have lost the argument inside, or moved on")
			sigs = append(sigs, Signal{Kind: SignalChampionQuiet, Severity: SeverityFlag,
				Summary:  fmt.Sprintf("the champion %s went quiet while others from %s kept looking", strings.Join(names, " and "), d.Buyer),
				Evidence: ev})
		}
	}

	// Steps owned by buyer-side people who never opened the plan while
	// others did: their dates were agreed without them (the fake-mutual
	// plan). A decider signalled above is not again (one whose room is
	// too young for that signal is, when a step of theirs is due soon); a
	// room nobody opens, below.
	if judge && !short && len(engaged) > 0 {
		var ev []string
		sev := SeverityFlag
		for _, p := range buyers {
			if absentDecider[p] || len(p.spans) > 0 || da.replied[p.s.ID].n > 0 {
				continue
			}
			if a.manifested(da) && da.published[p.s.ID] == nil {
				continue // no room to open: not a sign of a plan agreed without them
			}
			var steps []string
			soon := false
			for _, tl := range dr.Tasks {
				if tl.Owner != p.s.ID || tl.Status == string(deal.Done) {
					continue
				}
				steps = append(steps, fmt.Sprintf("\"%s\" due %s", tl.Title, cmp.Or(tl.Due, "with no date")))
				if due, err := deal.ParseDate(tl.Due); tl.Overdue || err == nil && today.DaysUntil(due) <= 7 {
					soon = true
				}
			}
			// A room younger than the grace is not judged, unless one of
			// its owner's steps falls due within the week (the grace would
			// end after the date agreed without them) and the room has
			// been out two days: a link sent this morning is not unopened.
			if age, ok := roomAge(p); ok && age < unopened && (!soon || age < 2) {
				continue
			}
			never := never
			if n, _, judged, ok := purgedFor(p); ok {
				if !judged {
					continue // their visits may have gone with a purge a few days ago
				}
				never = n
			}
			if soon {
				sev = SeverityAlert
			}
			if len(steps) > 0 {
				line := fmt.Sprintf("%s (%s) owns %s and %s: %s", p.s.Name, p.s.Role, plural(len(steps), "open step", "open steps"), never, strings.Join(steps, ", "))
				if p.glances > 0 {
					// Opened, not read: a glance is not a visit.
					line += fmt.Sprintf(" (%s of under %g s active time, not counted as visits)", plural(p.glances, "page-load", "page-loads"), a.eng.HumanActive.Seconds())
				}
				ev = append(ev, line)
			}
		}
		if len(ev) > 0 {
			ev = append(ev, "ask them to confirm their dates from their room, or agree the dates with them in the weekly review")
			sigs = append(sigs, Signal{Kind: SignalOwnerAbsent, Severity: sev,
				Summary: "steps owned by people who never opened the plan: their dates were agreed without them", Evidence: ev})
		}
	}

	// A task done while its owner never read the collateral it relies on.
	// A task done before the first day the report reads (Since, or the day
	// of a purge) is not judged: its owner's reads, if any, lie before the
	// events read; nor is one done before its owner's room was published
	// (the manifest's day), when the deal took to maproom with work
	// already done.
	for _, t := range d.Tasks() {
		if !judge || t.Status != deal.Done || len(t.Collateral) == 0 {
			continue
		}
		if !toldFrom.IsZero() && !t.Done.IsZero() && t.Done.Before(toldFrom) {
			continue
		}
		s, ok := d.Stakeholder(t.Owner)
		if !ok || s.Side == deal.Seller {
			continue
		}
		if on, err := deal.ParseDate(da.roomFirst[s.ID]); err == nil && !t.Done.IsZero() && t.Done.Before(on) {
			// Done before their room was published: there was nothing
			// to read it in.
			continue
		}
		var unread []string
		for _, cid := range t.Collateral {
			i, ok := da.coll[cid]
			if ok && !d.Collateral[i].CanSee(*s) {
				continue // not in their room: nothing they could have read (check warns)
			}
			if !a.opened(da, s.ID, cid) {
				title := cid
				if ok {
					title = d.Collateral[i].Title
				}
				unread = append(unread, title)
			}
		}
		if len(unread) == 0 {
			continue
		}
		neverRead, window := neverRead, window
		if pi, ok := da.people[s.ID]; ok {
			if _, w, _, purged := purgedFor(&a.people[pi]); purged {
				// A read before the purge's day would be gone with it.
				neverRead, window = "has not read since "+cut.String()+" (the events before it were purged)", w
			}
		}
		sigs = append(sigs, Signal{Kind: SignalDoneUnread, Severity: SeverityFlag,
			Summary: fmt.Sprintf("\"%s\" is done but %s %s what it relies on", t.Title, s.Name, neverRead),
			Evidence: []string{fmt.Sprintf("task %s marked done %s, owner %s (%s)", t.ID, t.Done, s.Name, s.Role),
				"never read " + window + ": " + strings.Join(unread, ", ")}})
	}

	// A milestone marked done without its evidence.
	for _, mp := range dr.Milestones {
		if !mp.Done {
			continue
		}
		m, _ := d.Milestone(mp.ID)
		var ev []string
		if why := deal.VagueEvidence(m.Evidence); why != "" {
			ev = append(ev, fmt.Sprintf("milestone evidence %s", why))
		}
		for _, t := range m.Tasks {
			if why := deal.VagueEvidence(t.Evidence); why != "" {
				ev = append(ev, fmt.Sprintf("task %s (done %s) evidence %s", t.ID, t.Done, why))
			}
		}
		if len(ev) == 0 {
			continue
		}
		ev = append([]string{fmt.Sprintf("every task done, the last on %s", mp.DoneOn)}, ev...)
		sigs = append(sigs, Signal{Kind: SignalNoEvidence, Severity: SeverityFlag,
			Summary: fmt.Sprintf("milestone \"%s\" is done without a named artifact", m.Title), Evidence: ev})
	}

	// The generic template: a milestone deals of the kind usually need is
	// not in the plan (domain.md's "an industry's usual milestone
	// missing"), the buyer's "oh, we also need X" to come.
	if missing := da.in.UsualMissing; len(missing) > 0 && d.Outcome == deal.Open {
		var names, ev []string
		for _, m := range missing {
			names = append(names, fmt.Sprintf("%q", m.Title))
			ev = append(ev, fmt.Sprintf("the %s template's milestone %q (%s) has no milestone or step in the plan", da.in.Template, m.Title, m.ID))
		}
		ev = append(ev, "agree it with the buyer now, or, if this deal does not need it, remove template: from the plan")
		sigs = append(sigs, Signal{Kind: SignalUsualMissing, Severity: SeverityFlag,
			Summary: fmt.Sprintf("the plan lacks %s, which deals of its kind (the %s template) usually need", strings.Join(names, " and "), da.in.Template), Evidence: ev})
	}

	// Nobody visited for three weeks: counted from the last visit or,
	// without one, from the day the deal's first buyer room was published,
	// as a room published days ago has not been quiet for three weeks. A
	// visit outweighs the recorded day (a manifest rebuilt from scratch
	// records a later one). A room nobody opened a week after it was
	// published earns a softer note. When the report reads events from a
	// day after the rooms were published (Since), or the manifest does not
	// say when they were, the room is only known to be quiet since that
	// day: a --since of a week shows no three-week silence, and the softer
	// note, which speaks of the room's whole life, is not given. When
	// neither is known, the window is the events read.
	var quietSince, published deal.Date
	if da.firstPublished != "" {
		published, _ = deal.ParseDate(da.firstPublished) // zero, so unknown, if it does not parse
	}
	// A reply from a room is the deal's latest sign of life when it came
	// after the last visit.
	lastSeen, replier := da.lastVisit, ""
	for _, p := range buyers {
		if r := da.replied[p.s.ID]; r.n > 0 && r.last > lastSeen {
			lastSeen, replier = r.last, p.s.Name
		}
	}
	visited := lastSeen != 0
	fromSince, fromCreated := false, false
	switch since := toldFrom; {
	case visited:
		quietSince = deal.DateOf(unixMilli(lastSeen, a.loc))
	case !since.IsZero() && (published.IsZero() || since.After(published)):
		quietSince, fromSince = since, true
	case published.IsZero() && !created.IsZero():
		// Not known to be published: its plan was committed then, and no
		// room of it can have been quiet for longer.
		quietSince, fromCreated = created, true
	default:
		quietSince = published
	}
	scanned := func(ev []string) []string {
		scan, latest := 0, int64(0)
		for _, p := range buyers {
			scan += p.scanner
			latest = max(latest, p.lastScanner)
		}
		if scan > 0 {
			// When the last came: programs that opened the links weeks
			// ago did not touch the room in the quiet spell.
			ev = append(ev, plural(scan, "scanner-like page-load", "scanner-like page-loads")+" not counted as visits (the last on "+day(latest)+")")
		}
		return ev
	}
	switch quiet := quietSince.DaysUntil(today); {
	case !judge:
	case quietSince.IsZero() || quiet >= ReportQuietDays:
		var ev []string
		switch {
		case quietSince.IsZero():
			ev = append(ev, "no human-verified buyer visit "+window)
		case fromSince:
			ev = append(ev, fmt.Sprintf("no human-verified buyer visit since %s, the first day the report reads, %d days before %s",
				quietSince, quiet, today))
		case !visited && fromCreated:
			ev = append(ev, fmt.Sprintf("no human-verified buyer visit since the plan was first committed on %s, %d days before %s (when its rooms were published is not known: no room manifest)",
				created, quiet, today))
		case !visited:
			ev = append(ev, fmt.Sprintf("no human-verified buyer visit since the room was first published on %s, %d days before %s",
				published, quiet, today))
		case replier != "":
			ev = append(ev, fmt.Sprintf("last sign of life a reply from %s on %s, %d days before %s; no human-verified visit since", replier, day(lastSeen), quiet, today))
		default:
			who := ""
			for _, p := range buyers {
				if p.last == da.lastVisit {
					who = " by " + p.s.Name
				}
			}
			ev = append(ev, fmt.Sprintf("last human-verified visit %s%s, %d days before %s", day(da.lastVisit), who, quiet, today))
		}
		summary := fmt.Sprintf("nobody from %s visited the room in %d days", d.Buyer, quiet)
		if quietSince.IsZero() {
			summary = fmt.Sprintf("nobody from %s visited the room %s", d.Buyer, window)
		}
		sigs = append(sigs, Signal{Kind: SignalQuiet, Severity: SeverityAlert,
			Summary: summary, Evidence: scanned(ev)})
	case !visited && fromCreated && quiet >= cmp.Or(a.opts.UnopenedDays, ReportUnopenedDays):
		ev := []string{fmt.Sprintf("the plan was first committed on %s (when its rooms were published is not known: no room manifest); no human-verified buyer visit %s", created, window)}
		sigs = append(sigs, Signal{Kind: SignalUnopened, Severity: SeverityFlag,
			Summary:  fmt.Sprintf("nobody from %s has opened the room; its plan was first committed %d days ago", d.Buyer, quiet),
			Evidence: scanned(ev)})
	case !visited && !fromSince && quiet >= cmp.Or(a.opts.UnopenedDays, ReportUnopenedDays):
		ev := []string{fmt.Sprintf("the room was first published on %s; no human-verified buyer visit %s", published, window)}
		sigs = append(sigs, Signal{Kind: SignalUnopened, Severity: SeverityFlag,
			Summary:  fmt.Sprintf("nobody from %s has opened the room since it was published %d days ago", d.Buyer, quiet),
			Evidence: scanned(ev)})
	}

	// A step the plan marks blocked: nothing moves it until someone finds
	// what it waits on. An alert when the close waits on it (the
	// schedule's chain to the close, or critical) or it is overdue at
	// alert, else a flag. A blocked step does not move, so its slack says
	// nothing: the close waits on it when the step the chain to the close
	// ends in waits on it through after:, at any depth (through open
	// steps), whatever its dates.
	var chain []string
	if sc := dr.forecastOf(); sc != nil {
		chain = sc.CriticalPath
	} else if da.in.Plan != nil {
		chain, _ = da.in.Plan.Path(d, today) // a won deal's: its onboarding
	}
	for _, tl := range dr.Tasks {
		if tl.Status != string(deal.Blocked) {
			continue
		}
		who, side := ownerOf(d, tl.Owner)
		ev := []string{fmt.Sprintf("task %s, owner %s (%s), due %s: status blocked in the plan", tl.ID, who, sideLabel(side), cmp.Or(tl.Due, "with no date"))}
		sev := SeverityFlag
		holds := false
		var via []string
		if len(chain) > 0 {
			via = d.PendingChain(chain[len(chain)-1], tl.ID) // the close's step, or a won deal's go-live's
		}
		if tl.Critical || via != nil {
			sev = SeverityAlert
			line := "the close waits on it"
			if t := task(d, tl.ID); d.Outcome == deal.Won || t != nil && d.Onboarding(t) {
				line = "the go-live waits on it" // onboarding's path
			} else {
				holds = true
			}
			switch {
			case slices.Contains(chain, tl.ID):
				line += ": " + strings.Join(chain, " -> ")
			case via != nil:
				line += ": " + strings.Join(via, " -> ")
			}
			ev = append(ev, line)
		}
		// Blocked and long overdue: one grade, the overdue list's.
		overdue := false
		if i := slices.IndexFunc(dr.Overdue, func(o OverdueTask) bool { return o.Task == tl.ID }); i >= 0 {
			o := dr.Overdue[i]
			ev = append(ev, fmt.Sprintf("%s late (%s)", plural(o.DaysLate, "calendar day", "calendar days"), o.Severity))
			if o.Severity == SeverityAlert {
				sev = SeverityAlert
			}
			overdue = true // ranked with the overdue work: one stuck step, one problem
		}
		if r, ok := reply.LastBlocked(da.in.Decided, tl.ID); ok && r.Reason != "" {
			// The buyer said why, from their room: the seller reads it here.
			by, _ := ownerOf(d, r.Stakeholder)
			ev = append(ev, fmt.Sprintf("%s said on %s: \"%s\"", by, deal.DateOf(r.Time.In(a.loc)), strings.Join(strings.Fields(r.Reason), " ")),
				"clear it with "+who+", and set its status back in the plan")
		} else {
			ev = append(ev, "ask "+who+" what it waits on and who can clear it, and write that in the plan")
		}
		sigs = append(sigs, Signal{Kind: SignalBlocked, Severity: sev,
			Summary: fmt.Sprintf("\"%s\" is blocked", tl.Title), Evidence: ev, counted: overdue, holdsClose: holds})
	}

	// The remaining work cannot be done by the close, which is ahead.
	if sc := dr.forecastOf(); sc != nil && !sc.Fits && !sc.ClosePassed && dr.Outcome == string(deal.Open) {
		sev := SeverityFlag
		end := sc.Finish
		if sc.Basis == ScheduleDueDates {
			end = sc.LastDue
		}
		// Graded in calendar days, as late work is (a flag, an alert
		// from alert_days calendar days over); the evidence says both.
		over := 0
		if f, err := deal.ParseDate(end); err == nil {
			over = d.Close.DaysUntil(f)
		}
		if a.severity(over) == SeverityAlert {
			sev = SeverityAlert
		}
		ev := fmt.Sprintf("the remaining work finishes %s at the earliest, %s (%s) after the close date %s", sc.Finish, plural(sc.OverrunDays, "business day", "business days"), plural(over, "calendar day", "calendar days"), dr.Close)
		if sc.Basis == ScheduleDueDates {
			ev = fmt.Sprintf("the last open step is due %s (%s), %s (%s) after the close date %s", sc.LastDue, sc.LastDueTask, plural(sc.OverrunDays, "business day", "business days"), plural(over, "calendar day", "calendar days"), dr.Close)
		}
		evidence := []string{ev, "agree with the buyer what to do: bring the late steps forward, move the close, or take steps out"}
		if dr.Plan == PlanErrors {
			evidence = append(evidence, "the plan fails check: this date is what its steps give as they are; fix the errors (maproom check) and it may move")
		}
		sigs = append(sigs, Signal{Kind: SignalOverrun, Severity: sev, counted: true,
			Summary:  "the plan no longer fits before the close date: the rooms say the target signature is at risk",
			Evidence: evidence})
	}

	// A won deal's go-live has passed with onboarding left.
	if d.Outcome == deal.Won && !d.GoLive.IsZero() && d.GoLive.Before(today) && d.OnboardingLeft() {
		n := d.GoLive.DaysUntil(today)
		sev := SeverityFlag
		if a.severity(n) == SeverityAlert {
			sev = SeverityAlert
		}
		var open []string
		for _, t := range d.Tasks() {
			if d.Onboarding(t) && t.Status != deal.Done {
				open = append(open, t.ID)
			}
		}
		sigs = append(sigs, Signal{Kind: SignalGoLivePassed, Severity: sev,
			Summary: fmt.Sprintf("go-live %s passed %s ago with onboarding still open", d.GoLive, plural(n, "day", "days")),
			Evidence: []string{fmt.Sprintf("%s open: %s", plural(len(open), "onboarding step", "onboarding steps"), strings.Join(open, ", ")),
				"agree a new go-live with the customer, or finish the steps"}})
	}

	// Every step of the sale is done, the close ahead and the deal open.
	if dr.Outcome == string(deal.Open) && (dr.DaysToClose == nil || *dr.DaysToClose >= 0) {
		if done, total := saleProgress(dr); total > 0 && done == total {
			when := "before its close date " + dr.Close
			if dr.DaysToClose == nil {
				when = "and it has no close date"
			}
			sigs = append(sigs, Signal{Kind: SignalSaleDone, Severity: SeverityFlag,
				Summary:  fmt.Sprintf("every step of the sale is done (%d of %d) %s, and the deal is still open", done, total, when),
				Evidence: []string{"set outcome: won in the plan (or lost): the win rates, the won value and the handoff count it from then"}})
		}
	}

	// The close date has passed and the deal is still open.
	if dr.DaysToClose != nil && *dr.DaysToClose < 0 && dr.Outcome == string(deal.Open) {
		n := -*dr.DaysToClose
		sev := SeverityFlag
		if a.severity(n) == SeverityAlert {
			sev = SeverityAlert
		}
		done, total := saleProgress(dr)
		ev := []string{fmt.Sprintf("close date %s, %s ago; %d of %d tasks of the sale done", dr.Close, plural(n, "day", "days"), done, total)}
		if total > 0 && done == total {
			ev = append(ev, "every task of the sale is done: set outcome: won, or lost, in the plan")
		} else {
			ev = append(ev, "agree a new close date with the buyer and move it in the plan, or set outcome: lost")
		}
		sigs = append(sigs, Signal{Kind: SignalOpenPastClose, Severity: sev,
			Summary: fmt.Sprintf("still open %s after its close date", plural(n, "day", "days")), Evidence: ev})
	}

	// A milestone past its date whose open tasks are not overdue: the
	// overdue list does not show it.
	for _, mp := range dr.Milestones {
		if mp.DaysLate == 0 || mp.Severity == SeverityLate {
			continue
		}
		if slices.ContainsFunc(dr.Overdue, func(o OverdueTask) bool { return o.Milestone == mp.ID }) {
			continue
		}
		open := mp.Progress.Total - mp.Progress.Done
		ev := fmt.Sprintf("due %s, led by %s: %d of %d tasks done", mp.Due, mp.LeadName, mp.Progress.Done, mp.Progress.Total)
		if open > 0 {
			ev += fmt.Sprintf(", the %s dated after it", plural(open, "open one", "open ones"))
		}
		todo := "agree its new date with " + mp.LeadName + " and move it in the plan, or the tasks that should reach it sooner"
		if mp.Progress.Total == 0 {
			// Nothing in the plan reaches it: not work left, a gap.
			ev = fmt.Sprintf("due %s, led by %s: it has no step, so nothing in the plan reaches it", mp.Due, mp.LeadName)
			todo = "add the steps that reach it with " + mp.LeadName + ", or take it out of the plan"
		}
		sigs = append(sigs, Signal{Kind: SignalMilestoneLate, Severity: mp.Severity,
			Summary:  fmt.Sprintf("milestone \"%s\" is %s past its date", mp.Title, plural(mp.DaysLate, "calendar day", "calendar days")),
			Evidence: []string{ev, todo}})
	}

	// Late work piling up on one side: at least two overdue tasks on a side,
	// one of them at flag_days late or more (a flag, as domain.md grades
	// lateness: two steps a day late are no pile), weighing at least
	// twice what the other side's do, each by its grade
	// as the attention score weighs it (a step a day late is not worth one
	// three weeks late: two small delays on one side do not pile up
	// against a long one on the other). A late step that waits
	// on open work (WaitsOn) is late by that work's doing: it counts on
	// neither side, the step it waits on does.
	late := map[string][]OverdueTask{}
	for _, o := range dr.Overdue {
		if o.WaitsOn == "" {
			late[o.Side] = append(late[o.Side], o)
		}
	}
	for _, side := range []string{string(deal.Buyer), string(deal.Seller)} {
		other := string(deal.Seller)
		if side == other {
			other = string(deal.Buyer)
		}
		n, m := len(late[side]), len(late[other])
		weight := func(os []OverdueTask) (w int) {
			for _, o := range os {
				w += attentionPoints["overdue-"+o.Severity]
			}
			return w
		}
		if n < 2 || weight(late[side]) < 2*weight(late[other]) ||
			!slices.ContainsFunc(late[side], func(o OverdueTask) bool { return o.Severity != SeverityLate }) {
			continue // steps a day or two late, under flag_days, are no pile yet
		}
		var ev []string
		for _, o := range late[side] {
			ev = append(ev, fmt.Sprintf("%s (%s): due %s, %s late, %s", o.Task, o.OwnerName, o.Due, plural(o.DaysLate, "calendar day", "calendar days"), o.Severity))
		}
		ev = append(ev, fmt.Sprintf("%s side: %d overdue", other, m))
		sev := SeverityFlag
		if slices.ContainsFunc(late[side], func(o OverdueTask) bool { return o.Severity == SeverityAlert }) {
			sev = SeverityAlert
		}
		sigs = append(sigs, Signal{Kind: SignalLatePiling, Severity: sev,
			Summary: fmt.Sprintf("late work is piling up on the %s side: %d overdue tasks", side, n), Evidence: ev})
	}

	// A waiting reply proposes a date that would move the close.
	return append(sigs, a.proposalSignals(da, dr)...)
}

// closingSoonDays is how near the close a deal "closes soon": its
// problems weigh more in the ranking, and a single-threaded plan is an
// alert. Within closingThisWeekDays they weigh more still.
const (
	closingSoonDays     = 30
	closingThisWeekDays = 7
)

// attentionPoints are the weights of the attention score. A seller's
// manager reads the ranking top down, so the weights put first what loses
// deals soonest: a deal with no working plan, a decider who is absent, a
// plan that cannot make its date, then the size of the slippage.
var attentionPoints = map[string]int{
	"no-plan":                  8, // open deal without milestones
	"plan-errors":              8, // the plan fails check: nobody can trust its dates
	"past-close":               6, // open after its close date
	"overrun":                  5, // the critical path no longer fits before the close date
	"overdue-" + SeverityAlert: 4, // per task, of the overdueCounted most severe
	"overdue-" + SeverityFlag:  2, // per task, of the overdueCounted most severe
	"overdue-" + SeverityLate:  1, // per task, of the overdueCounted most severe
	"closing-soon":             3, // closes within closingSoonDays with anything else wrong
	"closing-this-week":        6, // closes within closingThisWeekDays with anything else wrong
	SignalDeciderAbsent:        6, // per person
	SignalOnlyChampion:         5,
	SignalChampionQuiet:        3,
	SignalQuiet:                5,
	SignalUnopened:             2,
	SignalLatePiling:           3, // a won deal's onboarding alone: an open deal's overdue line says it (see attention)
	SignalNoBuyers:             6, // the seller's plan alone
	SignalNotPublished:         3, // rooms to build and send
	SignalDoneUnread:           2, // per task
	SignalNoEvidence:           2, // per milestone
	SignalUsualMissing:         2, // the generic template
	SignalProposalMovesClose:   4, // per reply: the buyer asks for what the close cannot take
	SignalMilestoneLate:        2, // per milestone
	SignalOwnerAbsent:          3, // the fake-mutual plan
	SignalBlocked:              3, // per task
	SignalSingleThreaded:       4, // one contact, or nobody who signs
	SignalNoBuyerStep:          3, // a seller's to-do list
	SignalGoLivePassed:         4, // the customer is not live when promised
	// The plan's history (internal/history).
	history.SignalNoBuyerEdit:   4, // the seller built it alone
	history.SignalFlat:          5, // a zombie plan
	history.SignalSlipped:       3,
	history.SignalPastClose:     3,
	history.SignalMissedReviews: 4, // "three skips and the MAP is dead"
	history.SignalAddedLate:     2,
}

// manifested reports whether the manifest tells of the deal's rooms for
// the report's day: there is one, and the deal was not withdrawn since
// (ReportDeal.RoomsUnknown). Else who has a room, and since when, is not
// judged from it.
func (a *Aggregator) manifested(da *dealAgg) bool {
	return a.opts.Manifest != nil && !da.in.RoomsUnknown
}

// attention scores an open deal, and a won deal for its onboarding (its
// late steps and signals); a lost deal scores 0.
func attention(dr *DealReport) Attention {
	at := Attention{Reasons: []AttentionReason{}}
	addPoints := func(p int, why string) {
		at.Score += p
		at.Reasons = append(at.Reasons, AttentionReason{Points: p, Why: why})
	}
	add := func(key string, why string) { addPoints(attentionPoints[key], why) }
	// The overdue work is one reason, its points its most severe tasks',
	// and the late work piling up on one side is said on its line, not
	// counted again: those are the same late tasks.
	signals := slices.DeleteFunc(slices.Clone(dr.Signals), func(s Signal) bool { return s.Kind == SignalLatePiling || s.counted })
	overdue := func(onboarding bool) {
		if len(dr.Overdue) > 0 {
			addPoints(overdueReason(dr, onboarding))
		}
	}
	defer func() {
		// Heaviest first, so that a format listing the first few shows
		// the main ones; as found on a tie.
		slices.SortStableFunc(at.Reasons, func(a, b AttentionReason) int { return cmp.Compare(b.Points, a.Points) })
	}()
	if dr.Outcome == string(deal.Won) {
		// A won deal's onboarding: its late steps and its signals (a room
		// gone quiet, a blocked step), which only a deal with onboarding
		// left has; the sale's plan, close and schedule are over.
		overdue(true)
		for _, s := range signals {
			addPoints(signalPoints(s), s.Summary)
		}
		return at
	}
	if dr.Outcome != string(deal.Open) {
		return at
	}
	switch dr.Plan {
	case PlanNone:
		add("no-plan", "no plan: the deal has no milestones")
	case PlanErrors:
		add("plan-errors", fmt.Sprintf("the plan fails check (%s)", plural(dr.CheckErrors, "error", "errors")))
	}
	if dr.DaysToClose != nil && *dr.DaysToClose < 0 {
		why := fmt.Sprintf("still open %s after its close date %s", plural(-*dr.DaysToClose, "day", "days"), dr.Close)
		if done, total := saleProgress(dr); total > 0 && done == total {
			// The plan says the sale is over: the outcome is what is missing.
			why += fmt.Sprintf(" with every task of the sale done (%d of %d): set outcome: won, or lost, in the plan", done, total)
		}
		p := attentionPoints["past-close"]
		if slices.ContainsFunc(dr.Signals, func(s Signal) bool { return s.Kind == SignalOpenPastClose && s.Severity == SeverityAlert }) {
			p += 2 // its signal at alert, as for any graded kind (signalPoints)
		}
		addPoints(p, why)
	}
	sc := dr.forecastOf()
	overrun := sc != nil && !sc.Fits && !sc.ClosePassed // past-close says that
	if overrun {
		why := fmt.Sprintf("the remaining work finishes %s, %s after the close date", sc.Finish, plural(sc.OverrunDays, "business day", "business days"))
		if sc.Basis == ScheduleDueDates {
			why = fmt.Sprintf("the last open task is due %s, %s after the close date", sc.LastDue, plural(sc.OverrunDays, "business day", "business days"))
		}
		p := attentionPoints["overrun"]
		if slices.ContainsFunc(dr.Signals, func(s Signal) bool { return s.Kind == SignalOverrun && s.Severity == SeverityAlert }) {
			p += 2 // its signal at alert, as for any graded kind (signalPoints)
		}
		addPoints(p, why)
	}
	overdue(false)
	for _, s := range signals {
		if s.Kind == SignalOpenPastClose {
			continue // past-close above
		}
		if s.Kind == SignalSaleDone {
			continue // an outcome to set, no risk to the deal: shown with it, not ranked
		}
		if s.Kind == history.SignalPastClose && overrun {
			// A step moved past the close is the plan not fitting before
			// it: one problem, counted once, as the overrun.
			continue
		}
		addPoints(signalPoints(s), s.Summary)
	}
	if days := dr.DaysToClose; at.Score > 0 && days != nil && *days >= 0 {
		switch {
		case *days <= closingThisWeekDays:
			add("closing-this-week", "closes "+closeIn(*days))
		case *days <= closingSoonDays:
			add("closing-soon", "closes "+closeIn(*days))
		}
	}
	return at
}

// overdueCounted is how many of a deal's overdue tasks its attention
// score counts: the most severe. A deal with six late admin steps is not
// twice as urgent as one with three; the line still counts them all.
const overdueCounted = 3

// overdueReason is the one reason a deal's overdue work gives (dr.Overdue
// is not empty): the points of its overdueCounted most severe tasks, and a
// line that counts them all by grade, says when they pile up on one side,
// and names the worst by title: "6 overdue tasks: 2 alert, 4 flag; the
// worst: "Security review" (buyer side) 17 calendar days late, ...".
func overdueReason(dr *DealReport, onboarding bool) (int, string) {
	rank := map[string]int{SeverityLate: 1, SeverityFlag: 2, SeverityAlert: 3}
	// A late step that waits on another late step is late by that one's
	// doing: the one it waits on is named and weighed, once, holding it up.
	late := map[string]bool{}
	for _, o := range dr.Overdue {
		late[o.Task] = true
	}
	held := map[string][]string{}
	var worst []OverdueTask
	for _, o := range dr.Overdue {
		if o.WaitsOn != "" && late[o.WaitsOn] {
			held[o.WaitsOn] = append(held[o.WaitsOn], fmt.Sprintf("\"%s\" (%s, %s late)", o.Title, sideLabel(o.Side), plural(o.DaysLate, "calendar day", "calendar days")))
			continue
		}
		worst = append(worst, o)
	}
	slices.SortStableFunc(worst, func(a, b OverdueTask) int {
		return cmp.Or(cmp.Compare(rank[b.Severity], rank[a.Severity]), cmp.Compare(b.DaysLate, a.DaysLate))
	})
	worst = worst[:min(overdueCounted, len(worst))]
	points := 0
	var named []string
	for _, o := range worst {
		points += attentionPoints["overdue-"+o.Severity]
		n := fmt.Sprintf("\"%s\" (%s) %s late", o.Title, sideLabel(o.Side), plural(o.DaysLate, "calendar day", "calendar days"))
		if h := held[o.Task]; len(h) > 0 {
			n += ", holding up " + strings.Join(h, " and ")
		}
		named = append(named, n)
	}
	what := "overdue task"
	if onboarding {
		what = "overdue onboarding task"
	}
	n := len(dr.Overdue)
	if n == 1 {
		return points, fmt.Sprintf("1 %s (%s): %s", what, dr.Overdue[0].Severity, named[0])
	}
	var grades []string
	for _, sev := range []string{SeverityAlert, SeverityFlag, SeverityLate} {
		if c := len(slices.DeleteFunc(slices.Clone(dr.Overdue), func(o OverdueTask) bool { return o.Severity != sev })); c > 0 {
			grades = append(grades, fmt.Sprintf("%d %s", c, sev))
		}
	}
	if i := slices.IndexFunc(dr.Signals, func(s Signal) bool { return s.Kind == SignalLatePiling }); i >= 0 {
		// The side the signal names (it leaves out the steps that wait on
		// open work).
		side := deal.Buyer
		if strings.Contains(dr.Signals[i].Summary, "seller side") {
			side = deal.Seller
		}
		grades = append(grades, fmt.Sprintf("piling up on the %s side", side))
	}
	return points, fmt.Sprintf("%d %ss: %s; the worst: %s", n, what, strings.Join(grades, ", "), strings.Join(named, ", "))
}

// signalPoints is what signal s adds to the attention score: its kind's
// points (attentionPoints), two more for an alert than for a flag of the
// same kind (of a kind that can be either), as overdue work weighs more by
// its grade.
func signalPoints(s Signal) int {
	p := attentionPoints[s.Kind]
	if s.Severity == SeverityAlert && gradedKinds[s.Kind] {
		p += 2
	}
	return p
}

// gradedKinds are the signal kinds that are a flag or an alert by how bad
// they are; the others are always one grade, weighed in attentionPoints.
// SignalOpenPastClose scores through "past-close", two more at alert too.
var gradedKinds = map[string]bool{SignalBlocked: true, SignalMilestoneLate: true, SignalOwnerAbsent: true,
	SignalProposalMovesClose: true, SignalLatePiling: true, SignalSingleThreaded: true, SignalOpenPastClose: true, SignalGoLivePassed: true}

// saleDoneBy counts the sale's tasks done on or before day, of those the
// plan held then: completion is the share done when the deal ended
// (domain.md), not what was ticked off or added after.
func saleDoneBy(dr *DealReport, day deal.Date) (n, total int) {
	onboarding := map[string]bool{}
	for _, m := range dr.Milestones {
		onboarding[m.ID] = m.Onboarding
	}
	for _, t := range dr.Tasks {
		if onboarding[t.Milestone] || dr.notAtEnd[t.ID] {
			continue
		}
		total++
		if done, known := dr.doneAtEnd[t.ID]; known {
			if done {
				n++
			}
		} else if done, err := deal.ParseDate(t.Done); t.Status == string(deal.Done) && (err != nil || !done.After(day)) {
			n++
		}
	}
	return n, total
}

// hasMilestones reports whether the deal's plan holds a milestone, as
// coverage counts a plan: a plan that cannot be read is not known to.
func hasMilestones(dr *DealReport) bool {
	return dr.Plan != PlanNone && !dr.unreadable
}

// saleProgress counts the deal's tasks of the sale, done and all: its
// onboarding milestones' (after the close) left out.
func saleProgress(dr *DealReport) (done, total int) {
	for _, mp := range dr.Milestones {
		if !mp.Onboarding {
			done += mp.Progress.Done
			total += mp.Progress.Total
		}
	}
	return done, total
}

// portfolio computes the cross-deal figures from the deal reports, on
// the report's day, sizes weighed against median (openMedian of the site's
// deals, all of them also when the report is of one).
func portfolio(deals []DealReport, today deal.Date, median int64) *Portfolio {
	pf := &Portfolio{Deals: len(deals), Ranking: []RankedDeal{}, Rows: []PortfolioRow{}, SizeMedian: median}
	covered, recent, doneEnded, totalEnded := 0, 0, 0, 0
	wonPlan, endedPlan, wonNo, endedNo := 0, 0, 0, 0
	for i := range deals {
		dr := &deals[i]
		saleDone, saleTotal := saleProgress(dr)
		if !dr.endedOn.IsZero() {
			saleDone, saleTotal = saleDoneBy(dr, dr.endedOn)
		}
		row := PortfolioRow{Deal: dr.ID, Title: dr.Title, Outcome: dr.Outcome, Plan: dr.Plan, Covered: hasMilestones(dr),
			Done: saleDone, Total: saleTotal, DaysToClose: dr.DaysToClose, Overdue: len(dr.Overdue),
			Signals: len(dr.Signals), LastVisit: dr.LastVisit, Score: dr.Attention.Score, Value: dr.Value}
		for _, o := range dr.Overdue {
			if o.Severity == SeverityAlert {
				row.Alerts++
			}
		}
		for _, s := range dr.Signals {
			if s.Severity == SeverityAlert {
				row.Alerts++
			}
		}
		for _, s := range dr.Stakeholders {
			row.Visits += s.Visits
		}
		// Coverage counts the open deals and those ended recently: closing
		// this quarter, or after today (ended before its date).
		row.Recent = dr.Outcome == string(deal.Open)
		if c, err := deal.ParseDate(dr.Close); err == nil && c.DaysUntil(today) <= RecentDays {
			row.Recent = true
		}
		if h := dr.History; h != nil {
			rh := &RowHistory{Commits: h.Commits, BuyerEdits: h.BuyerEdits, BuyerEditsOpen: h.BuyerEditsOpen,
				Slips: len(h.moves), SlipEachDays: append([]int{}, h.moves...), InHistoryFigures: inHistoryFigures(dr)}
			for _, m := range h.moves {
				rh.SlipDays += m
			}
			row.History = rh
		}
		pf.Rows = append(pf.Rows, row)
		hasPlan := hasMilestones(dr)
		switch dr.Outcome {
		case string(deal.Open):
			pf.Open++
			pf.Pipeline += dr.Value
			if committed(dr) {
				pf.Committed += dr.Value
				pf.Rows[len(pf.Rows)-1].Committed = true
			}
			if row.Covered {
				covered++
			}
			if dr.Attention.Score > 0 {
				pf.Ranking = append(pf.Ranking, RankedDeal{Deal: dr.ID, Title: dr.Title, Score: dr.Attention.Score,
					DaysToClose: dr.DaysToClose, Value: dr.Value, Reasons: dr.Attention.Reasons, weight: sizeWeight(dr.Value, pf.SizeMedian)})
			}
		case string(deal.Won), string(deal.Lost):
			if dr.Attention.Score > 0 {
				// A won deal's onboarding that needs someone.
				// Its close has passed: no close to sort it before an open
				// deal's of the same score.
				// Its size is won: it weighs 1.
				pf.Ranking = append(pf.Ranking, RankedDeal{Deal: dr.ID, Title: dr.Title, Score: dr.Attention.Score,
					Value: dr.Value, Reasons: dr.Attention.Reasons, Onboarding: true, weight: 100})
			}
			if row.Recent {
				recent++
				if row.Covered {
					covered++
				}
			}
			won := dr.Outcome == string(deal.Won)
			if won {
				pf.Won++
				pf.WonValue += dr.Value
			} else {
				pf.Lost++
			}
			if hasPlan {
				endedPlan++
				// The plan's share done when the deal ended: the sale's
				// tasks, not the onboarding after it.
				doneEnded += saleDone
				totalEnded += saleTotal
				if won {
					wonPlan++
				}
			} else {
				endedNo++
				if won {
					wonNo++
				}
			}
		}
	}
	pf.Coverage = ratio(covered, pf.Open+recent)
	pf.Completion = ratio(doneEnded, totalEnded)
	pf.WinRateWithPlan = ratio(wonPlan, endedPlan)
	pf.WinRateWithoutPlan = ratio(wonNo, endedNo)
	pf.BySize = bySize(deals)
	// Highest priority first (the points times the size weight); then the
	// sooner close, the larger value, the id.
	for i := range pf.Ranking {
		rd := &pf.Ranking[i]
		rd.SizeWeight = float64(rd.weight) / 100
		rd.Priority = float64(int64(rd.Score)*rd.weight) / 100
	}
	sort.SliceStable(pf.Ranking, func(i, j int) bool {
		a, b := pf.Ranking[i], pf.Ranking[j]
		if pa, pb := int64(a.Score)*a.weight, int64(b.Score)*b.weight; pa != pb {
			return pa > pb
		}
		ac, bc := closeKey(a.DaysToClose), closeKey(b.DaysToClose)
		if ac != bc {
			return ac < bc
		}
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		return a.Deal < b.Deal
	})
	for i := range pf.Ranking {
		pf.Ranking[i].Rank = i + 1
	}
	return pf
}

// committed says whether an open deal's value is committed pipeline: its
// plan is current (domain.md: a current, dated plan is the gate of a
// committed forecast), so it passes check, has steps, its close date is
// ahead and the plan still fits before it (neither the plan's remaining
// work, SignalOverrun, nor a step moved past the close,
// history.SignalPastClose, says the deal cannot sign on that date), no step
// of its critical path, nor one other late steps wait on, is late at alert
// (the dates after it are not current), no step the close waits on is
// blocked (SignalBlocked at alert: it does not move), its completion is not flat (a zombie plan is not current), the buyer owns
// some of its steps (a seller's to-do list is no mutual plan), and the
// buyer has it: a room published, someone on the buyer's side to have one.
func committed(dr *DealReport) bool {
	if dr.Plan != PlanOK || dr.DaysToClose == nil || *dr.DaysToClose < 0 {
		return false
	}
	if _, total := saleProgress(dr); total == 0 {
		return false // milestones without a step: nothing dated to commit on
	}
	onboarding := map[string]bool{} // after the close: not on the way to the signature
	for _, m := range dr.Milestones {
		if m.Onboarding {
			onboarding[m.ID] = true
		}
	}
	holds := func(o OverdueTask) bool { // other late work of the sale waits on it
		return slices.ContainsFunc(dr.Overdue, func(w OverdueTask) bool { return w.WaitsOn == o.Task && !onboarding[w.Milestone] })
	}
	if slices.ContainsFunc(dr.Overdue, func(o OverdueTask) bool {
		return o.Severity == SeverityAlert && !onboarding[o.Milestone] && (o.Critical || holds(o))
	}) || slices.ContainsFunc(dr.Signals, func(s Signal) bool { return s.Kind == SignalBlocked && s.holdsClose }) {
		// A step the close hangs on late at alert (on the critical path,
		// or holding up other late steps), or blocked: the plan's dates
		// after it are not current, whatever they say.
		return false
	}
	return !slices.ContainsFunc(dr.Signals, func(s Signal) bool {
		switch s.Kind {
		case history.SignalFlat, SignalNotPublished, SignalNoBuyers, SignalNoBuyerStep, SignalOverrun, history.SignalPastClose:
			return true
		}
		return false
	})
}

// The size weight of a ranked deal, in hundredths: its value against the
// median value of the open deals with one (Portfolio.SizeMedian), clipped
// to [sizeWeightMin, sizeWeightMax]. A VP calls first about the most value
// at risk: a tiny deal's paperwork does not come before the biggest deal
// in trouble, nor does a big deal's small trouble come before everything.
const (
	sizeWeightMin = 50  // 0.5
	sizeWeightMax = 300 // 3
	// sizeMinDeals is how many open deals need a value for a median to
	// weigh sizes against.
	sizeMinDeals = 3
)

// openMedian is the median value of the open deals with a value (the mean
// of the middle two of an even count); 0 when fewer than sizeMinDeals have
// one.
func openMedian(deals []DealReport) int64 {
	var values []int64
	for i := range deals {
		if deals[i].Outcome == string(deal.Open) && deals[i].Value > 0 {
			values = append(values, deals[i].Value)
		}
	}
	if len(values) < sizeMinDeals {
		return 0
	}
	slices.Sort(values)
	n := len(values)
	if n%2 == 1 {
		return values[n/2]
	}
	return (values[n/2-1] + values[n/2]) / 2
}

// sizeWeight is the size weight of a deal of value, in hundredths, against
// median: rounded, clipped; 1 (100) for a deal without a value, or with no
// median.
func sizeWeight(value, median int64) int64 {
	if value <= 0 || median <= 0 {
		return 100
	}
	w := (value*100 + median/2) / median
	return min(max(w, sizeWeightMin), sizeWeightMax)
}

// bySize splits the ended deals with a value in two, under and from the
// value nearest their median (the upper middle of an even count) that
// leaves deals on both sides, and gives each band's win rates with and
// without a plan; nil with fewer than two such deals or one value only.
func bySize(deals []DealReport) []SizeBand {
	var values []int64
	for i := range deals {
		if o := deals[i].Outcome; (o == string(deal.Won) || o == string(deal.Lost)) && deals[i].Value > 0 {
			values = append(values, deals[i].Value)
		}
	}
	if len(values) < 2 {
		return nil
	}
	slices.Sort(values)
	// The split: the value nearest the middle that has deals below it,
	// so neither band is empty; none when every value is the same.
	split := -1
	for off := 0; off < len(values); off++ {
		for _, i := range []int{len(values)/2 + off, len(values)/2 - off} {
			if split < 0 && i > 0 && i < len(values) && values[i] > values[i-1] {
				split = i
			}
		}
	}
	if split < 0 {
		return nil
	}
	mid := values[split]
	type counts struct{ wonP, endedP, wonN, endedN int }
	var c [2]counts
	for i := range deals {
		dr := &deals[i]
		if o := dr.Outcome; (o != string(deal.Won) && o != string(deal.Lost)) || dr.Value <= 0 {
			continue
		}
		k := &c[0]
		if dr.Value >= mid {
			k = &c[1]
		}
		won := dr.Outcome == string(deal.Won)
		if dr.Plan != PlanNone {
			k.endedP++
			if won {
				k.wonP++
			}
		} else {
			k.endedN++
			if won {
				k.wonN++
			}
		}
	}
	return []SizeBand{
		{Min: 0, Max: mid, WithPlan: ratio(c[0].wonP, c[0].endedP), WithoutPlan: ratio(c[0].wonN, c[0].endedN)},
		{Min: mid, WithPlan: ratio(c[1].wonP, c[1].endedP), WithoutPlan: ratio(c[1].wonN, c[1].endedN)},
	}
}

func closeKey(n *int) int {
	if n == nil {
		return 1 << 30
	}
	return *n
}

// lastStart is when the last of the visits began (0 without one): the
// last visit as the activity list shows it, not its last page-load.
func lastStart(spans []span) int64 {
	if len(spans) == 0 {
		return 0
	}
	return spans[len(spans)-1].first
}

// threadSignals are the signals of a plan's make-up, with or without an
// event log: a plan that names one person from the buyer, or nobody who
// signs (SignalSingleThreaded), and a plan whose steps the seller owns
// alone (SignalNoBuyerStep). A plan naming nobody from the buyer has
// SignalNoBuyers instead of both.
func threadSignals(d *deal.Deal, buyers []*personAgg, dr *DealReport) []Signal {
	if len(buyers) == 0 {
		return nil
	}
	var sigs []Signal
	var ev []string
	summary := ""
	if len(buyers) == 1 {
		p := buyers[0].s
		summary = fmt.Sprintf("single-threaded: the plan names one person from %s", d.Buyer)
		ev = append(ev, fmt.Sprintf("%s (%s) is the only buyer-side stakeholder: if they leave, go quiet or lose the internal argument, nobody else knows the plan", p.Name, p.Role))
	}
	if !slices.ContainsFunc(buyers, func(p *personAgg) bool { return p.s.Role.Decides() }) {
		if summary == "" {
			summary = fmt.Sprintf("nobody who signs: the plan names no economic buyer or approver from %s", d.Buyer)
		}
		ev = append(ev, "no economic buyer or approver among the stakeholders: who signs? ask your contact to introduce them, add them to the plan and send them their room")
	} else if len(buyers) == 1 {
		ev = append(ev, "ask them who else takes part in the decision (security, legal, procurement, the people who own the buyer's steps), add them to the plan and send them their rooms")
	}
	if summary != "" {
		sev := SeverityFlag
		if dr.DaysToClose != nil && *dr.DaysToClose <= closingSoonDays {
			sev = SeverityAlert
			if *dr.DaysToClose < 0 {
				ev = append(ev, "its close date passed "+closeIn(*dr.DaysToClose))
			} else {
				ev = append(ev, "the deal closes "+closeIn(*dr.DaysToClose))
			}
		}
		sigs = append(sigs, Signal{Kind: SignalSingleThreaded, Severity: sev, Summary: summary, Evidence: ev})
	}

	var sale, buyerOwned int
	owners := map[string]bool{}
	for _, t := range d.Tasks() {
		if d.Onboarding(t) {
			continue
		}
		sale++
		if side, ok := d.OwnerSide(t.Owner); ok && side == deal.Buyer {
			buyerOwned++
		}
		owners[t.Owner] = true
	}
	if sale > 0 && buyerOwned == 0 {
		var names []string
		for _, id := range slices.Sorted(maps.Keys(owners)) {
			if s, ok := d.Stakeholder(id); ok {
				id = s.Name
			}
			names = append(names, id)
		}
		sigs = append(sigs, Signal{Kind: SignalNoBuyerStep, Severity: SeverityFlag,
			Summary: "no step is owned by the buyer: a seller's to-do list, not a mutual plan",
			Evidence: []string{
				fmt.Sprintf("%s, owned by %s on the seller's side", plural(sale, "step", "steps"), strings.Join(names, ", ")),
				"agree with the buyer which steps are theirs (their security review, legal, the signature) and give each its owner",
			}})
	}
	return sigs
}

// task returns d's task id; nil when d has none.
func task(d *deal.Deal, id string) *deal.Task {
	t, _ := d.Task(id)
	return t
}

// sideLabel says whose side a step is on, "buyer side", or that its owner
// is no one the plan names (a plan that fails check).
func sideLabel(side string) string {
	if side == "" {
		return "owner not among the stakeholders"
	}
	return side + " side"
}
