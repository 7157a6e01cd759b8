package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// emptyLog returns a folder holding one empty log file: a beacon that ran
// and recorded nothing, so a report reading it knows nobody visited.
func emptyLog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "events-2026-11-01-a1.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ruleReport reports deal d alone on today, scheduled as the build
// schedules it.
func ruleReport(t *testing.T, d *deal.Deal, today deal.Date) *DealReport {
	t.Helper()
	cal := schedule.NewCalendar()
	plan, err := schedule.Compute(d, today, cal)
	if err != nil {
		t.Fatal(err)
	}
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today, Calendar: cal}).Report()
	return &r.Deals[0]
}

// TestReportRoleOwnerSide: a task owned by a role nobody holds yet
// ("role:legal") is the buyer's in the overdue list and the task lines, as
// the turn and the rooms give it (named "legal (unassigned)"), and counts
// towards late work piling up on the buyer's side.
func TestReportRoleOwnerSide(t *testing.T) {
	d := patternDeal()
	d.Milestones = []deal.Milestone{{ID: "m", Title: "Signed", Lead: "eb", Evidence: "Signed order form", Tasks: []deal.Task{
		{ID: "redlines", Title: "Redlines returned", Owner: "role:legal", Status: deal.Todo, Due: deal.NewDate(2026, time.November, 19), Milestone: "m"},
		{ID: "budget", Title: "Budget approved", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.November, 3), Milestone: "m"},
		{ID: "demo", Title: "Demo", Owner: "sam", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 3), Milestone: "m"},
	}}}
	dr := ruleReport(t, d, deal.NewDate(2026, time.November, 24))
	if len(dr.Overdue) != 2 {
		t.Fatalf("overdue %+v, want redlines and budget", dr.Overdue)
	}
	for _, o := range dr.Overdue {
		if o.Side != string(deal.Buyer) {
			t.Errorf("overdue %s side %q, want buyer", o.Task, o.Side)
		}
		if o.Task == "redlines" && (o.Owner != "role:legal" || o.OwnerName != "legal (unassigned)") {
			t.Errorf("overdue redlines owner %q named %q, want role:legal named legal (unassigned), as the rooms name it", o.Owner, o.OwnerName)
		}
	}
	if dr.Tasks[0].Side != string(deal.Buyer) {
		t.Errorf("task line %+v, want the buyer's side", dr.Tasks[0])
	}
	if findSignal(dr, SignalLatePiling) == nil {
		t.Errorf("signals %+v, want late work piling up on the buyer's side (2 overdue, 0 on the seller's)", dr.Signals)
	}
	if w := dr.Week; len(w.NewOverdue) != 1 || w.NewOverdue[0].Task != "redlines" || w.NewOverdue[0].Side != string(deal.Buyer) {
		t.Errorf("this week %+v, want redlines newly overdue on the buyer's side", w)
	}
}

// TestReportDoneLateOnComputedDue: a task with no due date of its own,
// done after the date the schedule gives it, is done late.
func TestReportDoneLateOnComputedDue(t *testing.T) {
	d := patternDeal()
	d.Close = deal.NewDate(2026, time.December, 31)
	d.Milestones = []deal.Milestone{{ID: "m", Title: "Signed", Lead: "eb", Evidence: "Signed order form", Tasks: []deal.Task{
		{ID: "poc", Title: "Proof of concept", Owner: "ch", Status: deal.Done, Duration: 3, Done: deal.NewDate(2026, time.November, 25), Milestone: "m"},
		{ID: "security", Title: "Security review", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.November, 23), After: []string{"poc"}, Duration: 2, Milestone: "m"},
	}}}
	dr := ruleReport(t, d, deal.NewDate(2026, time.November, 26))
	if due := dr.Tasks[0].Due; due != "2026-11-19" {
		t.Fatalf("poc's computed due %s, want 2026-11-19 (two business days before security's 23rd)", due)
	}
	if p := dr.Progress; p.DoneLate != 1 || p.DoneOnTime != 0 {
		t.Errorf("progress %+v, want poc done late (on the 25th, due the 19th)", p)
	}
}

// TestReportAsOfItsDay: a task marked done on a day after the report's is
// open on the report's day: not counted done, late when its due date has
// passed, its milestone not done, and this week's figures agree.
func TestReportAsOfItsDay(t *testing.T) {
	d := patternDeal()
	d.Milestones = []deal.Milestone{{ID: "m", Title: "Commercials agreed", Lead: "eb", Evidence: "Signed pricing sheet", Tasks: []deal.Task{
		{ID: "pricing", Title: "Pricing reviewed", Owner: "eb", Status: deal.Done, Due: deal.NewDate(2026, time.November, 10),
			Done: deal.NewDate(2026, time.December, 5), Evidence: "Initialled pricing sheet", Milestone: "m"},
		{ID: "terms", Title: "Terms agreed", Owner: "sam", Status: deal.Done, Due: deal.NewDate(2026, time.November, 20),
			Done: deal.NewDate(2026, time.November, 19), Evidence: "Agreed terms", Milestone: "m"},
	}}}
	dr := ruleReport(t, d, deal.NewDate(2026, time.November, 24))
	if p := dr.Progress; p.Done != 1 || p.Open != 1 || p.Overdue != 1 {
		t.Errorf("progress %+v, want 1 done, 1 open and overdue", p)
	}
	if len(dr.Overdue) != 1 || dr.Overdue[0].Task != "pricing" || dr.Overdue[0].DaysLate != 14 {
		t.Errorf("overdue %+v, want pricing 14 days late", dr.Overdue)
	}
	if m := dr.Milestones[0]; m.Done || m.DoneOn != "" {
		t.Errorf("milestone %+v, want it not done on the 24th", m)
	}
	if w := dr.Week; len(w.Done) != 1 || w.Done[0].Task != "terms" || w.PercentBefore != 0 {
		t.Errorf("week %+v, want terms done this week, from 0%%", w)
	}
	if d.Milestones[0].Tasks[0].Status != deal.Done {
		t.Error("the report changed the plan it was given")
	}
	// On the day it was done, and after, it is done.
	dr = ruleReport(t, d, deal.NewDate(2026, time.December, 5))
	if p := dr.Progress; p.Done != 2 || p.DoneLate != 1 || len(dr.Overdue) != 0 || !dr.Milestones[0].Done {
		t.Errorf("on 5 December: progress %+v, overdue %+v, milestone %+v; want both done, pricing late", p, dr.Overdue, dr.Milestones[0])
	}
}

// TestReportNoBuyers: a plan with nobody on the buyer's side says so, and
// does not report that nobody from the buyer visited a room none of them
// has.
func TestReportNoBuyers(t *testing.T) {
	d := patternDeal()
	d.Stakeholders = d.Stakeholders[2:] // sam, the seller, alone
	d.Milestones = []deal.Milestone{{ID: "m", Title: "Signed", Lead: "sam", Evidence: "Signed order form", Tasks: []deal.Task{
		{ID: "demo", Title: "Demo", Owner: "sam", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 3), Milestone: "m"},
	}}}
	dr := ruleReport(t, d, deal.NewDate(2026, time.November, 24))
	if s := findSignal(dr, SignalNoBuyers); s == nil || s.Severity != SeverityAlert {
		t.Errorf("signals %+v, want a no-buyer-side alert", dr.Signals)
	}
	for _, k := range []string{SignalQuiet, SignalUnopened} {
		if s := findSignal(dr, k); s != nil {
			t.Errorf("%s signal with no buyer stakeholder: %+v", k, s)
		}
	}
	// With a buyer, no such signal.
	dr = ruleReport(t, patternDeal(), deal.NewDate(2026, time.November, 24))
	if s := findSignal(dr, SignalNoBuyers); s != nil {
		t.Errorf("no-buyer-side signal on a plan with buyers: %+v", s)
	}
}

// TestPortfolioCompletionLeavesOnboardingOut: the share of a plan done
// when the deal ended counts the sale's tasks; a won deal's onboarding,
// which goes on after the close, is not part of it.
func TestPortfolioCompletionLeavesOnboardingOut(t *testing.T) {
	won := patternDeal()
	won.ID, won.Outcome, won.Close = "won", deal.Won, deal.NewDate(2026, time.November, 5)
	won.Milestones = append(won.Milestones, deal.Milestone{ID: "onboard", Title: "Live", Lead: "sam", Evidence: "First report run", Onboarding: true,
		Tasks: []deal.Task{
			{ID: "sso", Title: "SSO set up", Owner: "sam", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 12), Milestone: "onboard"},
			{ID: "training", Title: "Training", Owner: "ch", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 15), Milestone: "onboard"},
		}})
	lost := patternDeal()
	lost.ID, lost.Outcome = "lost", deal.Lost
	lost.Milestones[0].Tasks = append(lost.Milestones[0].Tasks, deal.Task{ID: "terms", Title: "Terms", Owner: "sam", Status: deal.Todo, Milestone: "m"})
	today := deal.NewDate(2026, time.November, 24)
	var in []ReportDeal
	for _, d := range []*deal.Deal{won, lost} {
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, ReportDeal{Deal: d, Plan: plan})
	}
	r := NewAggregator(in, ReportOptions{Today: today}).Report()
	if c := r.Portfolio.Completion; c.Num != 2 || c.Den != 3 {
		t.Errorf("completion %+v, want 2 of 3: won's pricing, lost's pricing of pricing and terms; won's onboarding left out", c)
	}
	if m := r.Deals[0].Milestones; len(m) != 2 || m[0].Onboarding || !m[1].Onboarding {
		t.Errorf("won's milestones %+v, want the second marked onboarding", m)
	}
	// The rows add up to it.
	done, total := 0, 0
	for _, row := range r.Portfolio.Rows {
		done, total = done+row.Done, total+row.Total
	}
	if done != 2 || total != 3 {
		t.Errorf("rows %+v add up to %d of %d, want 2 of 3", r.Portfolio.Rows, done, total)
	}
}

// TestReportLeavesLocalPreviewOut: the events `maproom serve`'s preview
// records (the seller clicking through a buyer's room from the printed
// links) are no buyer's visit, read from a log as from events added one
// by one; the same page-load from a beacon is one.
func TestReportLeavesLocalPreviewOut(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	visit := pload{steps: heartbeats(4, 15000)}
	for _, instance := range []string{event.PreviewInstance, "beacon-1"} {
		evs := visit.events(0)
		for i := range evs {
			evs[i].Instance = instance
		}
		dir := t.TempDir()
		var log []byte
		for _, e := range evs {
			log = e.AppendJSON(log)
		}
		if err := os.WriteFile(filepath.Join(dir, "events-2026-11-20-x.jsonl"), log, 0o644); err != nil {
			t.Fatal(err)
		}
		fromLog := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
		if err := fromLog.ReadLogs(context.Background(), []string{dir}); err != nil {
			t.Fatal(err)
		}
		added := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
		for _, e := range evs {
			added.Add(e)
		}
		for how, a := range map[string]*Aggregator{"from a log": fromLog, "added": added} {
			r := a.Report()
			eve := findPerson(t, &r.Deals[0], "eb")
			want, wantLeft := 1, 0
			if instance == event.PreviewInstance {
				want, wantLeft = 0, len(evs)
			}
			if eve.Visits != want || r.Input.LocalPreview != wantLeft {
				t.Errorf("%s, instance %s: eve's visits %d, local preview events %d; want %d, %d", how, instance, eve.Visits, r.Input.LocalPreview, want, wantLeft)
			}
		}
	}
}

// onboardingDeal closes on 31 December and goes live on 15 February: its
// sale ends with the order form (3 days of work), its onboarding milestone
// follows (two tasks of 5 days each, the first after the order form).
func onboardingDeal() *deal.Deal {
	d := patternDeal()
	d.Close, d.GoLive = deal.NewDate(2026, time.December, 31), deal.NewDate(2027, time.February, 15)
	d.Milestones = []deal.Milestone{
		{ID: "sign", Title: "Signed", Lead: "eb", Evidence: "Counter-signed order form", Tasks: []deal.Task{
			{ID: "order", Title: "Order form signed", Owner: "eb", Status: deal.Todo, Duration: 3, Milestone: "sign"}}},
		{ID: "live", Title: "Live", Lead: "sam", Evidence: "First report run", Onboarding: true, Tasks: []deal.Task{
			{ID: "setup", Title: "Set up", Owner: "sam", Status: deal.Todo, Duration: 5, After: []string{"order"}, Due: deal.NewDate(2027, time.January, 20), Milestone: "live"},
			{ID: "train", Title: "Training", Owner: "ch", Status: deal.Todo, Duration: 5, After: []string{"setup"}, Milestone: "live"}}},
	}
	return d
}

// TestReportOnboardingAfterClose: an open deal's onboarding, due after the
// close, is neither late by the close nor part of what must fit before it;
// once the deal is won, a late onboarding step is overdue.
func TestReportOnboardingAfterClose(t *testing.T) {
	dr := ruleReport(t, onboardingDeal(), deal.NewDate(2026, time.December, 1))
	s := dr.Schedule
	if s == nil || s.Open != 1 || !s.Fits || s.OverrunDays != 0 || s.Finish != "2026-12-03" {
		t.Fatalf("schedule %+v, want the order form alone, finishing 2026-12-03, fitting", s)
	}
	if a := dr.Attention; slices.ContainsFunc(a.Reasons, func(r AttentionReason) bool { return strings.Contains(r.Why, "after the close date") }) {
		t.Errorf("attention %+v counts onboarding as an overrun", a)
	}
	// Training has no date of its own: due before go-live, not by the close.
	if due := dr.Tasks[2].Due; due != "2027-02-12" {
		t.Errorf("training's due date %s, want 2027-02-12, the last business day before go-live", due)
	}
	dr = ruleReport(t, onboardingDeal(), deal.NewDate(2027, time.January, 8))
	if len(dr.Overdue) != 1 || dr.Overdue[0].Task != "order" {
		t.Errorf("on 8 January: overdue %+v, want the order form alone", dr.Overdue)
	}

	won := onboardingDeal()
	won.Outcome = deal.Won
	won.Milestones[0].Tasks[0].Status, won.Milestones[0].Tasks[0].Done = deal.Done, deal.NewDate(2026, time.December, 20)
	dr = ruleReport(t, won, deal.NewDate(2027, time.January, 25))
	if len(dr.Overdue) != 1 || dr.Overdue[0].Task != "setup" || dr.Overdue[0].DaysLate != 5 {
		t.Errorf("won, on 25 January: overdue %+v, want setup 5 days late", dr.Overdue)
	}
}

// TestProposalOnOnboardingMovesNoClose: a buyer asking for a later date on
// an onboarding step, after the close, is waiting for the seller but does
// not move the close; the same ask on the order form does.
func TestProposalOnOnboardingMovesNoClose(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	sent := time.Date(2026, time.November, 30, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		target, date string
		moves        bool
	}{{"setup", "2027-02-01", false}, {"order", "2027-01-08", true}} {
		d := onboardingDeal()
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		w := []reply.Reply{{ID: "ask" + c.target, Time: sent, Deal: d.ID, Stakeholder: "eb", Kind: reply.Propose, Target: c.target, TargetKind: reply.TargetTask, Date: c.date, Reason: "Holidays"}}
		r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan, Waiting: w}}, ReportOptions{Today: today}).Report()
		dr := &r.Deals[0]
		if dr.RepliesWaiting != 1 {
			t.Errorf("%s: %d replies waiting, want 1", c.target, dr.RepliesWaiting)
		}
		if got := findSignal(dr, SignalProposalMovesClose) != nil; got != c.moves {
			t.Errorf("%s to %s: proposal signal %v, want %v (%+v)", c.target, c.date, got, c.moves, dr.Signals)
		}
	}
}

// TestReportDealNotCommittedYet: in a site whose history was read, a deal
// with no commit yet gets the signals a site outside git gets: completion
// flat from its done: dates.
func TestReportDealNotCommittedYet(t *testing.T) {
	d := patternDeal() // pricing reviewed on 10 November, the rest open
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "terms", Title: "Terms", Owner: "sam", Status: deal.Todo, Milestone: "m"})
	today := deal.NewDate(2026, time.December, 5)
	for _, read := range []bool{false, true} {
		r := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: today, HistoryRead: read}).Report()
		if got := findSignal(&r.Deals[0], history.SignalFlat) != nil; got != read {
			t.Errorf("history read %v: flat signal %v, want %v", read, got, read)
		}
	}
}

// TestReportJudgesEngagementOnlyFromEvents: with no event log read, or
// before any buyer room of the deal is published, nobody "never opened"
// the room and nobody is quiet; a deal with no room published says so.
func TestReportJudgesEngagementOnlyFromEvents(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	engagement := func(dr *DealReport) []string {
		var out []string
		for _, s := range dr.Signals {
			switch s.Kind {
			case SignalDeciderAbsent, SignalQuiet, SignalUnopened, SignalOnlyChampion, SignalDoneUnread:
				out = append(out, s.Kind)
			}
		}
		return out
	}
	// No events at all: the plan alone.
	r := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today}).Report()
	if got := engagement(&r.Deals[0]); len(got) != 0 {
		t.Errorf("no events read: %q", got)
	}
	// A folder named as the log with no log file in it: no event read
	// either, the plan alone.
	a0 := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
	if err := a0.ReadLogs(context.Background(), []string{t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if r0 := a0.Report(); len(engagement(&r0.Deals[0])) != 0 || !r0.Input.PlansOnly {
		t.Errorf("a folder without a log file: %q, plans only %v; want no engagement judged", engagement(&r0.Deals[0]), r0.Input.PlansOnly)
	}
	// A log read, in which nobody from the deal came: eve never opened it.
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
	if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
		t.Fatal(err)
	}
	r = a.Report()
	if got := engagement(&r.Deals[0]); !slices.Contains(got, SignalDeciderAbsent) || !slices.Contains(got, SignalQuiet) {
		t.Errorf("an empty log read: %q, want eve never opened and nobody visited", got)
	}
	// A manifest that lists no room of the deal: nothing published yet.
	m := &manifest.Manifest{Rooms: []manifest.Room{{Key: "k", Deal: "other", Stakeholder: "x", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}}}}
	a = NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: m})
	if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
		t.Fatal(err)
	}
	r = a.Report()
	if got := engagement(&r.Deals[0]); len(got) != 0 || findSignal(&r.Deals[0], SignalNotPublished) == nil {
		t.Errorf("no room published: engagement %q, signals %+v; want none, and not-published", got, r.Deals[0].Signals)
	}
	// Rooms a build published after the report's day were not there on
	// it: a report of an earlier day says so as when no room is listed,
	// and one of their day or later does not.
	var rooms []manifest.Room
	for _, s := range patternDeal().Stakeholders {
		rooms = append(rooms, manifest.Room{Key: "k-" + s.ID, Deal: patternDeal().ID, Stakeholder: s.ID, Side: string(s.Side), Pages: []string{manifest.PageRoom}, Published: today.AddDays(1).String()})
	}
	m = &manifest.Manifest{Rooms: rooms}
	for _, tc := range []struct {
		day  deal.Date
		want bool
	}{{today, true}, {today.AddDays(1), false}} {
		a = NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: tc.day, Manifest: m})
		if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
			t.Fatal(err)
		}
		r = a.Report()
		if got := findSignal(&r.Deals[0], SignalNotPublished) != nil; got != tc.want {
			t.Errorf("rooms published on %s, the report of %s: not-published %v, want %v", today.AddDays(1), tc.day, got, tc.want)
		}
		for _, p := range r.Deals[0].Stakeholders {
			if p.Room == tc.want {
				t.Errorf("rooms published on %s, the report of %s: %s has a room %v", today.AddDays(1), tc.day, p.ID, p.Room)
			}
		}
	}
}

// TestScheduleAfterTheClosePassed: a plan of due dates only, its close
// date passed with work open, does not fit, whatever its due dates say,
// and is counted once as past its close.
func TestScheduleAfterTheClosePassed(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	dr := ruleReport(t, dueDateDeal(deal.NewDate(2027, time.January, 29)), today)
	if s := dr.Schedule; s == nil || !s.Fits || s.ClosePassed {
		t.Fatalf("before the close: %+v, want it to fit", s)
	}
	d := dueDateDeal(deal.NewDate(2026, time.November, 13))
	for _, t := range d.Tasks() {
		if t.Status != deal.Done {
			t.Due = deal.NewDate(2026, time.November, 12)
		}
	}
	dr = ruleReport(t, d, today)
	s := dr.Schedule
	if s == nil || s.Fits || !s.ClosePassed || s.OverrunDays < 1 {
		t.Fatalf("close passed: %+v, want it not to fit", s)
	}
	if txt := scheduleText(s, dr.Close); !strings.Contains(txt, "still open after the close date 2026-11-13") {
		t.Errorf("schedule line %q", txt)
	}
	var why []string
	for _, r := range dr.Attention.Reasons {
		why = append(why, r.Why)
	}
	if !slices.ContainsFunc(why, func(w string) bool { return strings.Contains(w, "after its close date") }) ||
		slices.ContainsFunc(why, func(w string) bool { return strings.Contains(w, "after the close date") }) {
		t.Errorf("attention %q, want past-close once, no overrun", why)
	}
}

// TestReportDeciderSince: read from a day on, the report says a decider has
// not opened the room since then, not that they never did; read from under
// a week ago, it says nothing of it, as a few days are no absence.
func TestReportDeciderSince(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		since deal.Date
		want  string
	}{
		{deal.NewDate(2026, time.November, 14), "the economic buyer Eve Buyer has not opened the room since 2026-11-14"},
		{deal.NewDate(2026, time.November, 17), "the economic buyer Eve Buyer has not opened the room since 2026-11-17"},
		{deal.NewDate(2026, time.November, 21), ""},
	} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Since: c.since})
		if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
			t.Fatal(err)
		}
		s := findSignal(&a.Report().Deals[0], SignalDeciderAbsent)
		if got := ""; s != nil {
			got = s.Summary
			if got != c.want {
				t.Errorf("since %s: decider signal %q, want %q", c.since, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("since %s: no decider signal, want %q", c.since, c.want)
		}
	}
}

// TestReportDoneUnreadSince: a task done before the first day the report
// reads is not called "done but never read" (its owner's reads lie before
// the events read); one done since that day still is.
func TestReportDoneUnreadSince(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		since  deal.Date
		unread bool
	}{
		{deal.Date{}, true},                            // every event read: never read
		{deal.NewDate(2026, time.November, 21), false}, // done on the 10th, before the window
		{deal.NewDate(2026, time.November, 10), true},  // done on the first day read
	} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Since: c.since})
		if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
			t.Fatal(err)
		}
		r := a.Report()
		s := findSignal(&r.Deals[0], SignalDoneUnread)
		if (s != nil) != c.unread {
			t.Errorf("since %s: done-without-reading %+v, want one: %v", c.since, s, c.unread)
		}
		// Read from a day on, the headline says since then, as the
		// evidence does: what came before was not read.
		want := "Eve Buyer never read what it relies on"
		if !c.since.IsZero() {
			want = "Eve Buyer has not read since " + c.since.String() + " what it relies on"
		}
		if s != nil && !strings.Contains(s.Summary, want) {
			t.Errorf("since %s: summary %q, want %q", c.since, s.Summary, want)
		}
	}
	// Done on the 10th, before the owner's room was published: there was
	// nothing to read it in. Published before: never read.
	for _, c := range []struct {
		published string
		unread    bool
	}{{"2026-11-15", false}, {"2026-11-05", true}} {
		m := &manifest.Manifest{Rooms: []manifest.Room{{Key: "k", Deal: "d", Stakeholder: "eb", Side: manifest.SideBuyer,
			Pages: []string{manifest.PageRoom, "pricing"}, Published: c.published}}}
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: m})
		if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
			t.Fatal(err)
		}
		if s := findSignal(&a.Report().Deals[0], SignalDoneUnread); (s != nil) != c.unread {
			t.Errorf("room published %s: done-without-reading %+v, want one: %v", c.published, s, c.unread)
		}
	}
}

// TestPercentOneRule: a deal's progress and the portfolio's ratios round
// alike, so the same counts read the same percent everywhere, and a
// percent never claims all or nothing when that is not so.
func TestPercentOneRule(t *testing.T) {
	for _, c := range []struct{ n, total, want int }{
		{0, 0, 0}, {0, 5, 0}, {5, 5, 100}, {1, 3, 33}, {2, 3, 67}, {5, 12, 42},
		{199, 200, 99}, {1, 300, 1}, {1, 2, 50},
	} {
		if got := percent(c.n, c.total); got != c.want {
			t.Errorf("percent(%d, %d) = %d, want %d", c.n, c.total, got, c.want)
		}
		if r := ratio(c.n, c.total); c.total > 0 && *r.Percent != c.want {
			t.Errorf("ratio(%d, %d) = %d%%, want %d%% as the deal's progress says", c.n, c.total, *r.Percent, c.want)
		}
	}
}

// TestReportAllDonePastClose: an open deal past its close date whose sale
// tasks are all done asks the seller to record the outcome; one with work
// left does not.
func TestReportAllDonePastClose(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, done := range []bool{true, false} {
		d := patternDeal()
		d.Close = deal.NewDate(2026, time.November, 13)
		if !done {
			d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb",
				Status: deal.Todo, Due: deal.NewDate(2026, time.November, 12), Evidence: "Signed order form", Milestone: "m"})
		}
		dr := ruleReport(t, d, today)
		var why []string
		for _, r := range dr.Attention.Reasons {
			why = append(why, r.Why)
		}
		asks := slices.ContainsFunc(why, func(w string) bool {
			return strings.Contains(w, "still open 11 days after its close date 2026-11-13 with every task of the sale done (1 of 1): set outcome: won, or lost, in the plan")
		})
		if asks != done {
			t.Errorf("all done %v: attention %q, want the outcome asked for: %v", done, why, done)
		}
	}
}

// TestAttentionClosingSoonWords: the closing-soon reason says "today" and
// "in 1 day", as the Close column does, never "in 0 days" or "in 1 days".
func TestAttentionClosingSoonWords(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for days, want := range map[int]string{0: "closes today", 1: "closes in 1 day", 12: "closes in 12 days"} {
		d := patternDeal()
		d.Close = today.AddDays(days)
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "late", Title: "Late", Owner: "ch", Due: today.AddDays(-10), Status: deal.Todo, Milestone: "m"})
		r := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: today}).Report()
		if !slices.ContainsFunc(r.Deals[0].Attention.Reasons, func(a AttentionReason) bool { return a.Why == want }) {
			t.Errorf("close in %d days: attention %+v, want %q", days, r.Deals[0].Attention.Reasons, want)
		}
	}
}

// TestBlockedStepSignal: a step the plan marks blocked is a signal even
// before it is late: an alert when the close waits on it, a flag when
// nothing does.
func TestBlockedStepSignal(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	d := patternDeal()
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "dpa", Title: "DPA reviewed", Owner: "ch", Due: today.AddDays(8), Status: deal.Blocked, Milestone: "m"},
		deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: today.AddDays(20), Status: deal.Todo, After: []string{"dpa"}, Milestone: "m"},
		deal.Task{ID: "logo", Title: "Logo sent", Owner: "ch", Due: today.AddDays(3), Status: deal.Blocked, Milestone: "m"})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	dr := &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0]
	var got []string
	for _, s := range dr.Signals {
		if s.Kind == SignalBlocked {
			got = append(got, s.Severity+" "+s.Summary)
		}
	}
	want := []string{`alert "DPA reviewed" is blocked`, `flag "Logo sent" is blocked`}
	if !slices.Equal(got, want) {
		t.Errorf("blocked signals %q, want %q (schedule %+v)", got, want, dr.Schedule)
	}
	if !slices.ContainsFunc(dr.Attention.Reasons, func(a AttentionReason) bool { return a.Why == `"DPA reviewed" is blocked` && a.Points == 5 }) { // an alert: 3, and 2 for the grade
		t.Errorf("attention %+v does not count the blocked step", dr.Attention)
	}
	// The same plan with an error check reports elsewhere in it (a step
	// without a date, say): the close still waits on the blocked step,
	// and the report says so; it shows no schedule line for it.
	dr = &NewAggregator([]ReportDeal{{Deal: d, Plan: plan, CheckErrors: 1}}, ReportOptions{Today: today}).Report().Deals[0]
	got = nil
	for _, s := range dr.Signals {
		if s.Kind == SignalBlocked {
			got = append(got, s.Severity+" "+s.Summary)
		}
	}
	if !slices.Equal(got, want) || dr.Plan != PlanErrors || dr.Schedule != nil {
		t.Errorf("with a check error: blocked signals %q, plan %s, schedule %+v; want %q, errors, none", got, dr.Plan, dr.Schedule, want)
	}
	// Ten days on, the logo is long overdue as well: one grade, the
	// overdue list's, and the signal says how late it is.
	later := today.AddDays(10)
	plan, err = schedule.Compute(d, later, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	dr = &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: later}).Report().Deals[0]
	for _, s := range dr.Signals {
		if s.Kind == SignalBlocked && s.Summary == `"Logo sent" is blocked` {
			if s.Severity != SeverityAlert || !slices.Contains(s.Evidence, "7 calendar days late (alert)") {
				t.Errorf("blocked and 7 days late: %s %q, want an alert saying how late", s.Severity, s.Evidence)
			}
		}
	}
}

// TestBlockedStepTheCloseWaitsOn: a blocked step the signature waits on
// through after: is an alert, and keeps the deal out of the committed
// pipeline, however much room its date leaves: a blocked step does not
// move. So when the signature waits on it through another step, and
// whichever of the signature's two prerequisites is due later.
func TestBlockedStepTheCloseWaitsOn(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		name      string
		redlines  deal.Date // the blocked step's due date
		pricing   deal.Date // the other prerequisite's
		via       bool      // the signature waits on it through another step
		wantChain string
	}{
		{"the earlier of two", today.AddDays(30), today.AddDays(40), false, "the close waits on it: redlines -> sign"},
		{"the later of two", today.AddDays(40), today.AddDays(30), false, "the close waits on it: sign"},
		{"through another step", today.AddDays(10), today.AddDays(40), true, "the close waits on it: redlines -> approve -> sign"},
	} {
		t.Run(c.name, func(t *testing.T) {
			build := func(status deal.Status) (*deal.Deal, *schedule.Plan) {
				d := patternDeal()
				d.Close = today.AddDays(60)
				redlinesAfter, signAfter := []string(nil), []string{"redlines", "pricing"}
				tasks := []deal.Task{
					{ID: "redlines", Title: "MSA redlines agreed", Owner: "ch", Due: c.redlines, Status: status, Evidence: "Redlined MSA", Milestone: "m", After: redlinesAfter},
					{ID: "pricing", Title: "Pricing approved", Owner: "eb", Due: c.pricing, Status: deal.Todo, Evidence: "Signed quote", Milestone: "m"},
				}
				if c.via {
					tasks = append(tasks, deal.Task{ID: "approve", Title: "Legal approval", Owner: "eb", Due: c.redlines.AddDays(5), Status: deal.Todo, Evidence: "Approval email", After: []string{"redlines"}, Milestone: "m"})
					signAfter = []string{"approve", "pricing"}
				}
				tasks = append(tasks, deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: today.AddDays(50), Status: deal.Todo, Evidence: "Countersigned order form", After: signAfter, Milestone: "m"})
				d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, tasks...)
				plan, err := schedule.Compute(d, today, schedule.NewCalendar())
				if err != nil {
					t.Fatal(err)
				}
				return d, plan
			}
			d, plan := build(deal.Todo)
			dr := &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0]
			if !committed(dr) {
				t.Fatalf("the plan with nothing blocked is not committed (signals %+v): the test says nothing", dr.Signals)
			}
			d, plan = build(deal.Blocked)
			dr = &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0]
			s := findSignal(dr, SignalBlocked)
			if s == nil || s.Severity != SeverityAlert || !slices.ContainsFunc(s.Evidence, func(e string) bool { return strings.HasPrefix(e, "the close waits on it") }) {
				t.Fatalf("blocked signal %+v, want an alert saying the close waits on it", s)
			}
			if c.wantChain != "the close waits on it: sign" && !slices.Contains(s.Evidence, c.wantChain) {
				t.Errorf("evidence %q, want %q", s.Evidence, c.wantChain)
			}
			if committed(dr) {
				t.Errorf("a deal whose signature waits on a blocked step is in the committed pipeline")
			}
		})
	}
}

// TestBlockedStepBehindADoneStep: a blocked step that only a done step
// came after holds nothing up: the signature waits on the done step, which
// waits on nothing any more. A flag, and the deal stays committed.
func TestBlockedStepBehindADoneStep(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	d := patternDeal()
	d.Close = today.AddDays(60)
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "recap", Title: "Kickoff recap sent", Owner: "ch", Due: today.AddDays(30), Status: deal.Blocked, Evidence: "Recap email", Milestone: "m"},
		deal.Task{ID: "scope", Title: "Scope agreed", Owner: "eb", Status: deal.Done, Done: today.AddDays(-3), Evidence: "Signed scope", After: []string{"recap"}, Milestone: "m"},
		deal.Task{ID: "pricing", Title: "Pricing approved", Owner: "eb", Due: today.AddDays(40), Status: deal.Todo, Evidence: "Signed quote", Milestone: "m"},
		deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: today.AddDays(50), Status: deal.Todo, Evidence: "Countersigned order form", After: []string{"scope", "pricing"}, Milestone: "m"})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	dr := &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0]
	if s := findSignal(dr, SignalBlocked); s == nil || s.Severity != SeverityFlag {
		t.Errorf("blocked signal %+v, want a flag: the signature waits on nothing open through it", s)
	}
	if !committed(dr) {
		t.Errorf("the deal is not committed (signals %+v): a blocked step nothing open waits on does not hold the close", dr.Signals)
	}
}

// TestLastDueOnATie: two steps due on the same last day, one waiting on
// the other: the schedule names the one that waits as the last due,
// whichever the plan lists first, as its critical path ends with it; so
// with a chain of three tied steps listed out of order.
func TestLastDueOnATie(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, signFirst := range []bool{false, true} {
		d := patternDeal()
		d.Close = deal.NewDate(2026, time.December, 7)
		blk := deal.Task{ID: "blk", Title: "Budget released", Owner: "ch", Due: d.Close, Status: deal.Blocked, Milestone: "m"}
		sign := deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: d.Close, Status: deal.Todo, After: []string{"blk"}, Milestone: "m"}
		if signFirst {
			d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, sign, blk)
		} else {
			d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, blk, sign)
		}
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		s := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0].Schedule
		if s == nil || s.LastDueTask != "sign" || !slices.Equal(s.CriticalPath, []string{"blk", "sign"}) {
			t.Errorf("sign listed first %v: schedule %+v, want the last due sign, after blk", signFirst, s)
		}
	}
	d := patternDeal()
	d.Close = deal.NewDate(2026, time.December, 7)
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "a", Title: "Budget released", Owner: "ch", Due: d.Close, Status: deal.Todo, Milestone: "m"},
		deal.Task{ID: "c", Title: "Order form signed", Owner: "eb", Due: d.Close, Status: deal.Todo, After: []string{"b"}, Milestone: "m"},
		deal.Task{ID: "b", Title: "Terms agreed", Owner: "ch", Due: d.Close, Status: deal.Todo, After: []string{"a"}, Milestone: "m"})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	s := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0].Schedule
	if s == nil || s.LastDueTask != "c" || !slices.Equal(s.CriticalPath, []string{"a", "b", "c"}) {
		t.Errorf("a chain of three tied: schedule %+v, want the last due c, after a and b", s)
	}
}

// TestCriticalFromDueDates: in a plan with due dates only, "critical"
// means one thing across the report: on the chain the last due date
// waits on (the schedule's critical path), not "due soonest". A
// proposal's evidence gives the task's room before the plan's later
// dates, not its time left from today.
func TestCriticalFromDueDates(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24) // a Tuesday
	d := patternDeal()
	d.Close = deal.NewDate(2026, time.December, 18)
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "a", Title: "Security review", Owner: "ch", Due: deal.NewDate(2026, time.November, 27), Status: deal.Todo, Milestone: "m"},
		deal.Task{ID: "b", Title: "Legal review", Owner: "ch", Due: deal.NewDate(2026, time.December, 4), Status: deal.Todo, After: []string{"a"}, Milestone: "m"},
		deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: d.Close, Status: deal.Todo, After: []string{"b"}, Milestone: "m"},
		deal.Task{ID: "logo", Title: "Logo sent", Owner: "sam", Due: deal.NewDate(2026, time.November, 16), Status: deal.Todo, Milestone: "m"})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	ask := func(id, target, date string) reply.Reply {
		return reply.Reply{ID: id, Time: sent, Deal: d.ID, Stakeholder: "eb", Kind: reply.Propose, Target: target, TargetKind: reply.TargetTask, Date: date, Reason: "Holidays"}
	}
	w := []reply.Reply{ask("signlater", "sign", "2027-01-08"), ask("alater", "a", "2026-12-02")}
	dr := &NewAggregator([]ReportDeal{{Deal: d, Plan: plan, Waiting: w}}, ReportOptions{Today: today}).Report().Deals[0]

	if s := dr.Schedule; s == nil || s.Basis != ScheduleDueDates || !slices.Equal(s.CriticalPath, []string{"a", "b", "sign"}) {
		t.Fatalf("schedule %+v, want due dates, a -> b -> sign", dr.Schedule)
	}
	var crit []string
	for _, tl := range dr.Tasks {
		if tl.Critical {
			crit = append(crit, tl.ID)
		}
	}
	if !slices.Equal(crit, []string{"a", "b", "sign"}) {
		t.Errorf("critical tasks %q, want those of the critical path", crit)
	}
	if len(dr.Overdue) != 1 || dr.Overdue[0].Task != "logo" || dr.Overdue[0].Critical {
		t.Errorf("overdue %+v, want logo, off the critical path", dr.Overdue)
	}
	if dr.Turn == nil || dr.Turn.Critical != slices.Contains(crit, dr.Turn.Task) {
		t.Errorf("turn %+v: critical must be what the task lines say", dr.Turn)
	}
	var got []string
	for _, s := range dr.Signals {
		if s.Kind == SignalProposalMovesClose {
			got = append(got, s.Summary+" | "+strings.Join(s.Evidence, " | "))
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "asks to move \"Order form signed\" from 2026-12-18 to 2027-01-08: the close would move 15 business days") ||
		!strings.Contains(got[0], "the task is on the critical path, with no room: the plan's later dates leave it until 2026-12-18, its due date; the date asked is 15 business days past that") {
		t.Errorf("proposal signals:\n%s\nwant the order form's alone (a's date moves within its room before b's), with no room", strings.Join(got, "\n"))
	}
}

// TestOnboardingShownApart: a deal with onboarding milestones gives the
// sale's and the onboarding's progress apart (the portfolio counts the
// sale's) and marks the onboarding milestones, in the table and in
// Markdown.
func TestOnboardingShownApart(t *testing.T) {
	d := onboardingDeal()
	d.Outcome = deal.Won
	d.Milestones[0].Tasks[0].Status, d.Milestones[0].Tasks[0].Done = deal.Done, deal.NewDate(2026, time.December, 20)
	r := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: deal.NewDate(2027, time.January, 5)}).Report()
	var table, markdown strings.Builder
	if err := r.WriteTable(&table, false); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&markdown); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"progress  1/3 tasks done (33%): 1 on time, 0 done late (sale 1/1, onboarding 0/2)", "Live (onboarding)",
		`turn      seller side: Sam Seller, "Set up"`} { // whose move goes on through onboarding
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table has no %q:\n%s", want, table.String())
		}
	}
	for _, want := range []string{"(sale 1/1, onboarding 0/2)", "| Live (onboarding) |"} {
		if !strings.Contains(markdown.String(), want) {
			t.Errorf("the Markdown has no %q:\n%s", want, markdown.String())
		}
	}
}

// TestMilestoneLate: a milestone past its date and not reached shows how
// late it is, graded as tasks are; it is a signal only when none of its
// open tasks is overdue (their dates come after it), since overdue tasks
// already say the rest. A won deal's sale milestones are not late.
func TestMilestoneLate(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		name    string
		due     deal.Date // the open task's
		ms      deal.Date // the milestone's
		outcome deal.Outcome
		late    int
		sev     string
		signal  string
	}{
		{"tasks dated after it", today.AddDays(10), today.AddDays(-31), deal.Open, 31, SeverityAlert, `alert milestone "Commercials agreed" is 31 calendar days past its date`},
		{"a few days", today.AddDays(10), today.AddDays(-4), deal.Open, 4, SeverityFlag, `flag milestone "Commercials agreed" is 4 calendar days past its date`},
		{"under the flag", today.AddDays(10), today.AddDays(-1), deal.Open, 1, SeverityLate, ""},
		{"its task overdue", today.AddDays(-20), today.AddDays(-10), deal.Open, 10, SeverityAlert, ""},
		{"not yet", today.AddDays(10), today.AddDays(3), deal.Open, 0, "", ""},
		{"won", today.AddDays(10), today.AddDays(-31), deal.Won, 0, "", ""},
	} {
		d := patternDeal()
		d.Outcome = c.outcome
		d.Milestones[0].Due = c.ms
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb",
			Status: deal.Todo, Due: c.due, Evidence: "Signed order form", Milestone: "m"})
		dr := ruleReport(t, d, today)
		if mp := dr.Milestones[0]; mp.DaysLate != c.late || mp.Severity != c.sev {
			t.Errorf("%s: milestone %d days late (%q), want %d (%q)", c.name, mp.DaysLate, mp.Severity, c.late, c.sev)
		}
		var got string
		for _, s := range dr.Signals {
			if s.Kind == SignalMilestoneLate {
				got = s.Severity + " " + s.Summary
			}
		}
		if got != c.signal {
			t.Errorf("%s: signal %q, want %q", c.name, got, c.signal)
		}
	}
}

// TestOpenPastCloseSignal: an open deal whose close date has passed is a
// signal of its own: a flag, an alert from alert_days on, saying what to
// do; an ended deal is not.
func TestOpenPastCloseSignal(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		closeAgo int
		outcome  deal.Outcome
		want     string
	}{
		{5, deal.Open, "flag still open 5 days after its close date"},
		{7, deal.Open, "alert still open 7 days after its close date"},
		{0, deal.Open, ""},
		{10, deal.Lost, ""},
	} {
		d := patternDeal()
		d.Outcome = c.outcome
		d.Close = today.AddDays(-c.closeAgo)
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb",
			Status: deal.Todo, Due: d.Close, Evidence: "Signed order form", Milestone: "m"})
		// Onboarding, after the close, is not the sale's.
		d.Milestones = append(d.Milestones, deal.Milestone{ID: "live", Title: "Live", Lead: "sam", Onboarding: true, Tasks: []deal.Task{
			{ID: "setup", Title: "Set up", Owner: "sam", Status: deal.Todo, Due: today.AddDays(30), Milestone: "live"}}})
		dr := ruleReport(t, d, today)
		var got string
		for _, s := range dr.Signals {
			if s.Kind == SignalOpenPastClose {
				got = s.Severity + " " + s.Summary
				if !strings.Contains(s.Evidence[0], "1 of 2 tasks of the sale done") {
					t.Errorf("close %d days ago: evidence %q counts other than the sale's tasks", c.closeAgo, s.Evidence[0])
				}
				if !strings.Contains(strings.Join(s.Evidence, "\n"), "agree a new close date with the buyer") {
					t.Errorf("close %d days ago: evidence %q says not what to do", c.closeAgo, s.Evidence)
				}
			}
		}
		if got != c.want {
			t.Errorf("close %d days ago, %s: signal %q, want %q", c.closeAgo, c.outcome, got, c.want)
		}
		// The attention score counts it once, as past-close.
		n := 0
		for _, r := range dr.Attention.Reasons {
			if strings.Contains(r.Why, "after its close date") {
				n++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[c.want != ""]; n != want {
			t.Errorf("close %d days ago: %d attention reasons for it, want %d", c.closeAgo, n, want)
		}
	}
}

// TestWonDealOnboardingSignals: a won deal with onboarding left keeps the
// signals of a plan under way (rooms gone quiet, a blocked or late step)
// and none of the sale's (a decider who never opened, the champion alone);
// with its onboarding done it has none.
func TestWonDealOnboardingSignals(t *testing.T) {
	champ := champVisit() // Carl, the champion, visits on 20 November
	for _, c := range []struct {
		name     string
		today    deal.Date
		doneOnbo bool
		want     []string
	}{
		{"quiet 25 days", deal.NewDate(2026, time.December, 15), false, []string{SignalQuiet, SignalBlocked}},
		{"visited 15 days ago", deal.NewDate(2026, time.December, 5), false, []string{SignalBlocked}},
		{"onboarding done", deal.NewDate(2026, time.December, 15), true, nil},
	} {
		d := onboardingDeal()
		d.Outcome = deal.Won
		d.Close = deal.NewDate(2026, time.November, 10)
		order := &d.Milestones[0].Tasks[0]
		order.Status, order.Done = deal.Done, deal.NewDate(2026, time.November, 10)
		setup := &d.Milestones[1].Tasks[0]
		setup.Status, setup.Due = deal.Blocked, deal.NewDate(2027, time.January, 20)
		if c.doneOnbo {
			for i := range d.Milestones[1].Tasks {
				t := &d.Milestones[1].Tasks[i]
				t.Status, t.Done = deal.Done, deal.NewDate(2026, time.November, 30)
			}
		}
		a := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: c.today})
		for _, e := range champ {
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		var got []string
		for _, s := range dr.Signals {
			got = append(got, s.Kind)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: signals %q, want %q", c.name, got, c.want)
		}
		// Ranked for its onboarding while it needs someone.
		r := a.Report()
		ranked := slices.ContainsFunc(r.Portfolio.Ranking, func(rd RankedDeal) bool { return rd.Deal == "d" && rd.Onboarding && rd.Score > 0 })
		if ranked != (len(c.want) > 0) {
			t.Errorf("%s: ranking %+v, want the won deal ranked for its onboarding: %v", c.name, r.Portfolio.Ranking, len(c.want) > 0)
		}
		if len(c.want) > 0 {
			var b strings.Builder
			if err := r.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if err := reportSchema(t).Validate(decodeJSON(t, []byte(b.String()))); err != nil {
				t.Errorf("%s: the JSON does not validate: %v", c.name, err)
			}
		}
	}
}

// TestOwnerNeverOpened: a buyer-side person who owns open steps and never
// opened their room, while others did, is the fake-mutual plan: someone
// agreed their dates for them. An alert when one of the steps is due
// within a week; nothing once they visit or reply, and nothing for a
// decider with a signal of their own (see TestYoungDeciderOwningAStepDueSoon).
func TestOwnerNeverOpened(t *testing.T) {
	champ := champVisit() // Carl, the champion, visits on 20 November
	today := deal.NewDate(2026, time.December, 5)
	for _, c := range []struct {
		name    string
		due     deal.Date
		replied bool
		want    string
	}{
		{"due in three weeks", today.AddDays(21), false, SeverityFlag},
		{"due in five days", today.AddDays(5), false, SeverityAlert},
		{"replied from the room", today.AddDays(21), true, ""},
		{"no room published for them", today.AddDays(21), false, ""},
		{"glanced at it", today.AddDays(21), false, SeverityFlag},
		// A room three days old has its week of grace, unless a step of
		// its owner falls due within the week.
		{"room three days old", today.AddDays(21), false, ""},
		{"room three days old, due in five days", today.AddDays(5), false, SeverityAlert},
		{"room a day old, due in five days", today.AddDays(5), false, ""},
	} {
		d := patternDeal()
		d.Stakeholders = append(d.Stakeholders, deal.Stakeholder{ID: "lg", Name: "Lena Legal", Side: deal.Buyer, Role: "legal"})
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
			deal.Task{ID: "msa", Title: "MSA redlines agreed", Owner: "lg", Status: deal.Todo, Due: c.due, Milestone: "m"},
			deal.Task{ID: "budget", Title: "Budget approved", Owner: "eb", Status: deal.Todo, Due: c.due, Milestone: "m"})
		in := ReportDeal{Deal: d}
		if c.replied {
			in.Waiting = []reply.Reply{{ID: "r1", Deal: "d", Stakeholder: "lg", Kind: reply.Confirm, Target: "msa", TargetKind: reply.TargetTask,
				Time: time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC)}}
		}
		opts := ReportOptions{Today: today}
		if c.name == "no room published for them" || strings.HasPrefix(c.name, "room ") {
			// The manifest has rooms for the others: Lena's was never
			// built, or three days ago.
			var rooms []manifest.Room
			for _, id := range []string{"eb", "ch"} {
				rooms = append(rooms, manifest.Room{Key: "k-" + id, Deal: "d", Stakeholder: id, Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: "2026-11-01"})
			}
			switch {
			case strings.HasPrefix(c.name, "room three days old"):
				rooms = append(rooms, manifest.Room{Key: "k-lg", Deal: "d", Stakeholder: "lg", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: today.AddDays(-3).String()})
			case strings.HasPrefix(c.name, "room a day old"):
				rooms = append(rooms, manifest.Room{Key: "k-lg", Deal: "d", Stakeholder: "lg", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: today.AddDays(-1).String()})
			}
			opts.Manifest = &manifest.Manifest{Rooms: rooms}
		}
		a := NewAggregator([]ReportDeal{in}, opts)
		for _, e := range champ {
			a.Add(e)
		}
		if c.name == "glanced at it" {
			// A page-load of Lena's link with 2 s in use: not a read.
			for _, e := range (pload{steps: []step{{at: 0, kind: event.KindView}, {at: 2000, kind: event.KindHide, active: 2000, visibl: 2000}}}).events(7) {
				e.Stakeholder, e.Role, e.Room = "lg", "legal", "room-of-lg"
				a.Add(e)
			}
		}
		dr := &a.Report().Deals[0]
		var got *Signal
		for i := range dr.Signals {
			if dr.Signals[i].Kind == SignalOwnerAbsent {
				got = &dr.Signals[i]
			}
		}
		if c.name == "glanced at it" && (got == nil || !strings.Contains(got.Evidence[0], "(1 page-load of under")) {
			t.Errorf("%s: signal %+v, want the glance said, not counted as a visit", c.name, got)
		}
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%s: signal %+v, want none", c.name, got)
		case c.want != "" && (got == nil || got.Severity != c.want || !strings.Contains(got.Evidence[0], `Lena Legal (legal) owns 1 open step and never opened the room: "MSA redlines agreed"`) || strings.Contains(strings.Join(got.Evidence, "\n"), "Eve Buyer")):
			t.Errorf("%s: signal %+v, want a %s naming Lena Legal's step alone", c.name, got, c.want)
		}
	}
}

// TestYoungDeciderOwningAStepDueSoon: a decider whose room is three days
// old is not yet "never opened" (a week of grace), but one of their steps
// falls due within the week: the fake-mutual signal names them, as it
// would anyone; once their room is a week old, their own signal does and
// this one does not.
func TestYoungDeciderOwningAStepDueSoon(t *testing.T) {
	champ := champVisit() // Carl, the champion, visits on 20 November
	today := deal.NewDate(2026, time.December, 5)
	for _, c := range []struct {
		age                int // days Eve's room has been out
		wantOwner, wantDec bool
	}{{3, true, false}, {8, false, true}} {
		d := patternDeal()
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
			deal.Task{ID: "budget", Title: "Budget approved", Owner: "eb", Status: deal.Todo, Due: today.AddDays(4), Milestone: "m"})
		rooms := []manifest.Room{
			{Key: "k-ch", Deal: "d", Stakeholder: "ch", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: "2026-11-01"},
			{Key: "k-eb", Deal: "d", Stakeholder: "eb", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: today.AddDays(-c.age).String()},
		}
		a := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: today, Manifest: &manifest.Manifest{Rooms: rooms}})
		for _, e := range champ {
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		owner, dec := findSignal(dr, SignalOwnerAbsent), findSignal(dr, SignalDeciderAbsent)
		if (owner != nil) != c.wantOwner || (dec != nil) != c.wantDec {
			t.Errorf("Eve's room %d days old: owner-never-opened %+v, decider-never-opened %+v; want %v and %v", c.age, owner, dec, c.wantOwner, c.wantDec)
		}
		if owner != nil && (owner.Severity != SeverityAlert || !strings.Contains(owner.Evidence[0], `Eve Buyer (economic-buyer) owns 1 open step and never opened the room: "Budget approved"`)) {
			t.Errorf("Eve's room %d days old: %+v, want an alert naming Eve's step", c.age, owner)
		}
	}
}

// TestRenamedDealKeepsItsViews: a deal whose folder was renamed in git
// keeps the views logged under its former id (the events then carry it),
// also when the report is of that deal alone (-deal) and from a store's
// summaries; an id no deal ever had is still unknown.
func TestRenamedDealKeepsItsViews(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	for _, how := range []string{"events", "summaries", "events, -deal"} {
		d := patternDeal()
		d.ID = "d-renamed"
		in := ReportDeal{Deal: d, Story: &history.Story{Deal: d.ID, Former: []string{"d"}, Commits: 2}}
		opts := ReportOptions{Today: today}
		if how == "events, -deal" {
			opts.Deal = "d-renamed"
		}
		a := NewAggregator([]ReportDeal{in}, opts)
		p := pload{steps: heartbeats(8, 15000)}
		switch how {
		case "summaries":
			a.AddLoad(p.summary(0))
		default:
			for _, e := range p.events(0) {
				a.Add(e)
			}
			stray := p.events(1)[0]
			stray.Deal = "never-a-deal"
			a.Add(stray)
		}
		r := a.Report()
		if eve := findPerson(t, &r.Deals[0], "eb"); eve.Visits != 1 {
			t.Errorf("%s: Eve's visits under the former id: %d, want 1", how, eve.Visits)
		}
		switch how {
		case "events":
			if r.Input.Unknown != 1 {
				t.Errorf("%s: unknown events %d, want the one of a deal that never was", how, r.Input.Unknown)
			}
		case "events, -deal":
			if r.Input.OtherDeals != 1 || r.Input.Unknown != 0 {
				t.Errorf("%s: other deals' events %d, unknown %d; want the one of a deal that never was left out by -deal", how, r.Input.OtherDeals, r.Input.Unknown)
			}
		}
	}
}

// TestOldLinkVisitsJoinAsVisits: page-loads through a rotated-away link
// are counted apart from the person's visits, joined into visits as the
// person's own are: two minutes apart are one, hours apart two.
func TestOldLinkVisitsJoinAsVisits(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	for _, c := range []struct {
		apart time.Duration
		want  int
	}{{5 * time.Minute, 1}, {4 * time.Hour, 2}} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
		for i, start := range []time.Duration{0, c.apart} {
			for _, e := range (pload{start: start, steps: heartbeats(4, 15000)}).events(i) {
				e.Retired = true
				a.Add(e)
			}
		}
		eve := findPerson(t, &a.Report().Deals[0], "eb")
		if eve.Visits != 0 || eve.OldLinkVisits != c.want {
			t.Errorf("%v apart: %d visits, %d through the old link; want 0 and %d", c.apart, eve.Visits, eve.OldLinkVisits, c.want)
		}
	}
}

// TestTurnOwnerNotInThePlan: whose turn it is, when the step's owner is
// nobody the plan names (a plan that fails check), says so instead of an
// empty side.
func TestTurnOwnerNotInThePlan(t *testing.T) {
	got := turnText(&Turn{Task: "poc", Title: "Poc finished", Owner: "nobody", OwnerName: "nobody"})
	if want := `"Poc finished", owned by "nobody", whom the plan does not name`; got != want {
		t.Errorf("turn %q, want %q", got, want)
	}
	if got, want := turnText(&Turn{Task: "poc", Title: "Poc finished", Owner: "nobody", OwnerName: "nobody", Due: "2026-11-29"}), `"Poc finished", owned by "nobody", whom the plan does not name, due 2026-11-29`; got != want {
		t.Errorf("turn %q, want %q", got, want)
	}
	if got := turnText(&Turn{Task: "poc", Title: "Poc finished", Owner: "ch", OwnerName: "Carl Champion", Side: "buyer", Due: "2026-12-01"}); got != `buyer side: Carl Champion, "Poc finished" due 2026-12-01` {
		t.Errorf("turn %q", got)
	}
}

// TestCommittedPipeline: the committed part of the pipeline is the open
// deals run with a current, dated plan (domain.md): not a deal without a
// plan, one whose plan fails check, or one past its close date.
func TestCommittedPipeline(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	mk := func(id string, value int64, close deal.Date, noPlan bool) ReportDeal {
		d := patternDeal()
		d.ID, d.Value, d.Close = id, value, close
		if noPlan {
			d.Milestones = nil
		}
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		return ReportDeal{Deal: d, Plan: plan}
	}
	broken := mk("broken", 4000, today.AddDays(30), false)
	broken.CheckErrors = 1
	r := NewAggregator([]ReportDeal{
		mk("good", 1000, today.AddDays(30), false),
		mk("noplan", 2000, today.AddDays(30), true),
		broken,
		mk("pastclose", 8000, today.AddDays(-3), false),
	}, ReportOptions{Today: today}).Report()
	if p := r.Portfolio; p.Pipeline != 15000 || p.Committed != 1000 {
		t.Errorf("pipeline %d, committed %d; want 15000 and 1000 (the good deal alone)", p.Pipeline, p.Committed)
	}
}

// TestCommittedPipelineFitsTheClose: a deal whose own plan says it cannot
// sign by its close date (its remaining work finishes after it) is not
// committed forecast on that date, though its plan is current; and the
// portfolio rows say which deals the committed figure counts.
func TestCommittedPipelineFitsTheClose(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	mk := func(id string, value int64, due deal.Date) ReportDeal {
		d := patternDeal()
		d.ID, d.Value, d.Close = id, value, today.AddDays(30)
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "terms", Title: "Terms agreed", Owner: "ch", Status: deal.Todo,
			Due: due, Milestone: "m"})
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		return ReportDeal{Deal: d, Plan: plan}
	}
	r := NewAggregator([]ReportDeal{
		mk("fits", 1000, today.AddDays(20)),
		mk("overruns", 2000, today.AddDays(45)), // due two weeks after the close
	}, ReportOptions{Today: today}).Report()
	if dr := &r.Deals[1]; findSignal(dr, SignalOverrun) == nil {
		t.Fatalf("overruns: signals %+v, want %s", dr.Signals, SignalOverrun)
	}
	p := r.Portfolio
	if p.Pipeline != 3000 || p.Committed != 1000 {
		t.Errorf("pipeline %d, committed %d; want 3000 and 1000 (the plan that fits its close alone)", p.Pipeline, p.Committed)
	}
	var sum int64
	for _, row := range p.Rows {
		if row.Committed {
			sum += row.Value
		}
	}
	if sum != p.Committed {
		t.Errorf("the rows marked committed sum to %d, the committed pipeline is %d", sum, p.Committed)
	}
}

// TestCompletionWhenTheDealEnded: completion is the share of the sale's
// steps done when the deal ended (domain.md): a step ticked off after the
// history marked the deal lost does not count; without a history, every
// step done counts.
func TestCompletionWhenTheDealEnded(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	for _, c := range []struct {
		name string
		lost string // the day the history marked it lost; "" without one
		done int
	}{
		{"lost before the step was done", "2026-11-05", 0},
		{"lost after", "2026-11-12", 1},
		{"no history", "", 1},
	} {
		d := patternDeal() // its one step done on 10 November
		d.Outcome = deal.Lost
		in := ReportDeal{Deal: d}
		if c.lost != "" {
			on, _ := deal.ParseDate(c.lost)
			in.Story = &history.Story{Deal: d.ID, Commits: 2, Changes: []history.Change{
				{Kind: history.PlanCreated}, {When: on.Time().Add(10 * time.Hour), Kind: history.OutcomeSet, From: "open", To: "lost"}}}
		}
		p := NewAggregator([]ReportDeal{in}, ReportOptions{Today: today}).Report().Portfolio
		if p.Completion.Num != c.done || p.Completion.Den != 1 {
			t.Errorf("%s: completion %d of %d, want %d of 1", c.name, p.Completion.Num, p.Completion.Den, c.done)
		}
	}
}

// TestWinRateBySize: the win rates with and without a plan are also given
// at comparable size (domain.md): the ended deals with a value, split at
// their median value; deals without a value, and open ones, are left out.
func TestWinRateBySize(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	mk := func(id string, value int64, o deal.Outcome, withPlan bool) ReportDeal {
		d := patternDeal()
		d.ID, d.Value, d.Outcome, d.Close = id, value, o, today.AddDays(-10)
		if !withPlan {
			d.Milestones = nil
		}
		return ReportDeal{Deal: d}
	}
	r := NewAggregator([]ReportDeal{
		mk("s1", 10000, deal.Won, true), mk("s2", 20000, deal.Lost, false), mk("s3", 30000, deal.Lost, true),
		mk("l1", 200000, deal.Won, true), mk("l2", 300000, deal.Lost, false), mk("l3", 400000, deal.Won, false),
		mk("novalue", 0, deal.Won, true), mk("open", 50000, deal.Open, true),
	}, ReportOptions{Today: today}).Report()
	b := r.Portfolio.BySize
	if len(b) != 2 || b[0].Max != 200000 || b[1].Min != 200000 ||
		b[0].WithPlan.Num != 1 || b[0].WithPlan.Den != 2 || b[0].WithoutPlan.Num != 0 || b[0].WithoutPlan.Den != 1 ||
		b[1].WithPlan.Num != 1 || b[1].WithPlan.Den != 1 || b[1].WithoutPlan.Num != 1 || b[1].WithoutPlan.Den != 2 {
		t.Fatalf("by size %+v", b)
	}
	if b[0].Label() != "under 200,000" || b[1].Label() != "200,000 and over" {
		t.Errorf("labels %q, %q", b[0].Label(), b[1].Label())
	}
	var out strings.Builder
	if err := r.WritePortfolioTable(&out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "under 200,000:    50% (1 of 2) with a plan, 0% (0 of 1) without") {
		t.Errorf("the table lacks the size bands:\n%s", out.String())
	}

	// Many deals of the median's value: the split moves to the nearest
	// value with deals below it, never leaving a band empty.
	r = NewAggregator([]ReportDeal{
		mk("a", 10000, deal.Won, true), mk("b", 10000, deal.Lost, true), mk("c", 10000, deal.Won, false), mk("d", 50000, deal.Lost, true),
	}, ReportOptions{Today: today}).Report()
	if b := r.Portfolio.BySize; len(b) != 2 || b[0].Max != 50000 || b[0].WithPlan.Den+b[0].WithoutPlan.Den != 3 || b[1].WithPlan.Den+b[1].WithoutPlan.Den != 1 {
		t.Errorf("three deals of 10,000 and one of 50,000: by size %+v, want under 50,000 (3) and 50,000 and over (1)", b)
	}
	// One value for all: no split to make.
	r = NewAggregator([]ReportDeal{mk("a", 10000, deal.Won, true), mk("b", 10000, deal.Lost, false)}, ReportOptions{Today: today}).Report()
	if b := r.Portfolio.BySize; b != nil {
		t.Errorf("two deals of one value: by size %+v, want none", b)
	}
}

// TestWonDealCriticalAsTheRooms: a won deal's critical steps in the report
// are the path its rooms show (schedule.Plan.Path over its onboarding).
func TestWonDealCriticalAsTheRooms(t *testing.T) {
	today := deal.NewDate(2027, time.January, 5)
	d := onboardingDeal()
	d.Outcome = deal.Won
	order := &d.Milestones[0].Tasks[0]
	order.Status, order.Done = deal.Done, deal.NewDate(2026, time.December, 20)
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	path, _ := plan.Path(d, today)
	if len(path) == 0 {
		t.Fatal("no path for the won deal's onboarding")
	}
	dr := ruleReport(t, d, today)
	for _, tl := range dr.Tasks {
		if tl.Critical != slices.Contains(path, tl.ID) {
			t.Errorf("%s: critical %v in the report, on the rooms' path %v", tl.ID, tl.Critical, path)
		}
	}
}

// TestReportThreadSignals: a plan that names one person from the buyer,
// or nobody who signs, is single-threaded (an alert near the close), and
// one whose steps are all the seller's is a to-do list; neither needs an
// event log, and a plan with two buyers, one who decides and owns a step,
// raises neither.
func TestReportThreadSignals(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	dr := ruleReport(t, patternDeal(), today)
	for _, k := range []string{SignalSingleThreaded, SignalNoBuyerStep} {
		if s := findSignal(dr, k); s != nil {
			t.Errorf("%s on a plan with a decider, a champion and a buyer's step: %+v", k, s)
		}
	}

	one := patternDeal()
	one.Stakeholders = one.Stakeholders[1:] // the champion and the seller
	one.Milestones[0].Lead = "ch"
	one.Milestones[0].Tasks[0].Owner = "sam"
	dr = ruleReport(t, one, today)
	s := findSignal(dr, SignalSingleThreaded)
	if s == nil || s.Severity != SeverityFlag || !strings.Contains(s.Summary, "one person from Buyer Co") {
		t.Fatalf("signals %+v, want a single-threaded flag, 66 days before the close", dr.Signals)
	}
	if ev := strings.Join(s.Evidence, "\n"); !strings.Contains(ev, "Carl Champion (champion)") || !strings.Contains(ev, "no economic buyer or approver") {
		t.Errorf("evidence %q, want the one contact named and the missing signer", ev)
	}
	if s := findSignal(dr, SignalNoBuyerStep); s == nil || !strings.Contains(strings.Join(s.Evidence, " "), "Sam Seller") {
		t.Errorf("signals %+v, want no-buyer-step naming the seller who owns every step", dr.Signals)
	}
	if !slices.ContainsFunc(dr.Attention.Reasons, func(r AttentionReason) bool { return strings.Contains(r.Why, "single-threaded") }) {
		t.Errorf("attention %+v, want the single-threaded plan ranked", dr.Attention)
	}
	// Within 30 days of the close it is an alert.
	dr = ruleReport(t, one, deal.NewDate(2027, time.January, 4))
	if s := findSignal(dr, SignalSingleThreaded); s == nil || s.Severity != SeverityAlert {
		t.Errorf("25 days before the close: %+v, want a single-threaded alert", s)
	}

	// Two buyers, neither of whom signs.
	nobody := patternDeal()
	nobody.Stakeholders[0].Role = "technical-evaluator"
	dr = ruleReport(t, nobody, today)
	if s := findSignal(dr, SignalSingleThreaded); s == nil || !strings.Contains(s.Summary, "nobody who signs") {
		t.Errorf("signals %+v, want the plan with no signer flagged", dr.Signals)
	}
	// A step owned by a buyer's role nobody holds yet is the buyer's.
	role := patternDeal()
	role.Milestones[0].Tasks[0].Owner = "role:legal"
	if s := findSignal(ruleReport(t, role, today), SignalNoBuyerStep); s != nil {
		t.Errorf("a step owned by role:legal is the buyer's: %+v", s)
	}
	// Lost: no signal of the plan's make-up.
	one.Outcome = deal.Lost
	if dr := ruleReport(t, one, today); len(dr.Signals) != 0 {
		t.Errorf("lost deal signals %+v, want none", dr.Signals)
	}
}

// TestTurnWaitsUpstream: the seller's step most past its date waits on the
// buyer's, so the turn is the buyer's step, late by its own date, holding
// up the seller's; the overdue table says what the seller's step waits on,
// in every format; and on a tie between steps as late in a plan with due
// dates only, the turn is the one the overdue table marks critical.
func TestTurnWaitsUpstream(t *testing.T) {
	today := deal.NewDate(2027, time.March, 1)
	d := patternDeal()
	d.Close = deal.NewDate(2027, time.May, 28)
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "a-up", Title: "Data shared", Owner: "ch", Due: deal.NewDate(2027, time.February, 20), Status: deal.Todo, Milestone: "m"},
		deal.Task{ID: "c-dep", Title: "Pilot run", Owner: "sam", Due: deal.NewDate(2027, time.February, 10), Status: deal.Todo, After: []string{"a-up"}, Milestone: "m"},
		deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Due: d.Close, Status: deal.Todo, After: []string{"c-dep"}, Milestone: "m"})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	dr := &r.Deals[0]
	if tn := dr.Turn; tn == nil || tn.Task != "a-up" || tn.Side != "buyer" || tn.DaysLate != 9 || tn.Due != "2027-02-20" || tn.HoldsUp != "c-dep" || !tn.Critical {
		t.Errorf("turn %+v, want the buyer's a-up, 9 days late, on the critical path, holding up c-dep", dr.Turn)
	}
	waits := map[string]string{}
	for _, o := range dr.Overdue {
		waits[o.Task] = o.WaitsOn
	}
	if want := map[string]string{"c-dep": "a-up", "a-up": ""}; !maps.Equal(waits, want) {
		t.Errorf("overdue waits on %v, want %v", waits, want)
	}
	for name, write := range map[string]func(io.Writer) error{
		"table":    func(w io.Writer) error { return r.WriteTable(w, false) },
		"markdown": r.WriteMarkdown, "csv": r.WriteCSV, "html": r.WriteHTML, "json": r.WriteJSON,
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "waits on a-up") && !strings.Contains(b.String(), `"waits_on": "a-up"`) {
			t.Errorf("%s: does not say c-dep waits on a-up:\n%s", name, b.String())
		}
		if name == "table" && !strings.Contains(b.String(), `"Data shared" due 2027-02-20, on the critical path (c-dep waits on it); 9 calendar days late`) {
			t.Errorf("table: the turn line does not name a-up, holding up c-dep:\n%s", b.String())
		}
		if name == "json" {
			if err := reportSchema(t).Validate(decodeJSON(t, b.Bytes())); err != nil {
				t.Errorf("the JSON does not validate: %v", err)
			}
		}
	}

	// A tie: as late, the critical one wins, wherever it is in plan order.
	d.Milestones[0].Tasks[1].After, d.Milestones[0].Tasks[2].After = nil, nil
	d.Milestones[0].Tasks[1].Due = d.Milestones[0].Tasks[2].Due
	d.Milestones[0].Tasks[3].After = []string{"c-dep"}
	if plan, err = schedule.Compute(d, today, schedule.NewCalendar()); err != nil {
		t.Fatal(err)
	}
	dr = &NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report().Deals[0]
	crit := map[string]bool{}
	for _, o := range dr.Overdue {
		crit[o.Task] = o.Critical
	}
	if !crit["c-dep"] || crit["a-up"] || dr.Turn == nil || dr.Turn.Task != "c-dep" || !dr.Turn.Critical || dr.Turn.HoldsUp != "" {
		t.Errorf("tie: turn %+v, overdue critical %v; want c-dep, the critical one", dr.Turn, crit)
	}
}

// TestUnopenedDaysSetting: the report judges a decider who never opened
// their room after the days [notify] unopened_days gives, as notify does;
// a week without the setting.
func TestUnopenedDaysSetting(t *testing.T) {
	today := deal.NewDate(2026, time.November, 21) // Carl visits on the 20th
	var rooms []manifest.Room
	for _, id := range []string{"eb", "ch"} {
		rooms = append(rooms, manifest.Room{Key: "k-" + id, Deal: "d", Stakeholder: id, Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: "2026-11-16"})
	}
	for _, c := range []struct {
		days int
		want bool
	}{{0, false}, {5, true}} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: &manifest.Manifest{Rooms: rooms}, UnopenedDays: c.days})
		for _, e := range champVisit() {
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		if got := findSignal(dr, SignalDeciderAbsent) != nil; got != c.want {
			t.Errorf("unopened_days %d, rooms 5 days old: decider-never-opened %v, want %v", c.days, got, c.want)
		}
	}
}

// TestLatePilingLeavesWaitingStepsOut: steps late only because they wait
// on another side's late step are not late work piling up on their own
// side: the seller's three steps after the buyer's data are the buyer's
// doing.
func TestLatePilingLeavesWaitingStepsOut(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	d := patternDeal()
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "data", Title: "Data delivered", Owner: "ch", Status: deal.Todo, Due: today.AddDays(-12), Milestone: "m"},
		deal.Task{ID: "load", Title: "Data loaded", Owner: "sam", Status: deal.Todo, Due: today.AddDays(-9), After: []string{"data"}, Milestone: "m"},
		deal.Task{ID: "tune", Title: "Tuned", Owner: "sam", Status: deal.Todo, Due: today.AddDays(-6), After: []string{"load"}, Milestone: "m"},
		deal.Task{ID: "demo", Title: "Demo", Owner: "sam", Status: deal.Todo, Due: today.AddDays(-3), After: []string{"tune"}, Milestone: "m"})
	dr := ruleReport(t, d, today)
	if s := findSignal(dr, SignalLatePiling); s != nil && strings.Contains(s.Summary, "seller side") {
		t.Errorf("the seller's steps waiting on the buyer's data are blamed on the seller: %+v", s)
	}
	waiting := 0
	for _, o := range dr.Overdue {
		if o.WaitsOn == "data" {
			waiting++
		}
	}
	if waiting != 3 {
		t.Errorf("overdue %+v, want the seller's three steps waiting on data", dr.Overdue)
	}
	// The buyer has another late step: late work piles up on the buyer's
	// side, and the ranking's overdue line names the side the signal does.
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "budget", Title: "Budget line", Owner: "eb", Status: deal.Todo, Due: today.AddDays(-4), Milestone: "m"})
	dr = ruleReport(t, d, today)
	if s := findSignal(dr, SignalLatePiling); s == nil || !strings.Contains(s.Summary, "buyer side") {
		t.Fatalf("signals %+v, want late work piling up on the buyer side", dr.Signals)
	}
	if !slices.ContainsFunc(dr.Attention.Reasons, func(r AttentionReason) bool { return strings.Contains(r.Why, "piling up on the buyer side") }) {
		t.Errorf("attention %+v, want the overdue line to name the buyer side, as the signal does", dr.Attention.Reasons)
	}
	// A seller's to-do list is no committed forecast.
	sellerOnly := patternDeal()
	sellerOnly.Value = 9000
	sellerOnly.Milestones[0].Tasks[0].Owner = "sam"
	plan, err := schedule.Compute(sellerOnly, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	if p := NewAggregator([]ReportDeal{{Deal: sellerOnly, Plan: plan}}, ReportOptions{Today: today}).Report().Portfolio; p.Committed != 0 {
		t.Errorf("committed %d: a plan whose steps are all the seller's is no mutual plan to commit on", p.Committed)
	}
}

// TestPlanOverrunAndGoLiveSignals: a plan whose remaining work no longer
// fits before the close is a signal of its own (ranked once, as the
// overrun), a won deal past its go-live with onboarding open is one, a
// blocked step that is overdue is ranked once, with the overdue work, and
// a blocked onboarding step on a won deal's path says the go-live waits on
// it, naming the chain.
func TestPlanOverrunAndGoLiveSignals(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	d := patternDeal()
	d.Close = deal.NewDate(2026, time.December, 4)
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "legal", Title: "Legal review", Owner: "ch", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 11), Milestone: "m"})
	dr := ruleReport(t, d, today)
	s := findSignal(dr, SignalOverrun)
	if s == nil || !strings.Contains(strings.Join(s.Evidence, " "), "after the close date 2026-12-04") {
		t.Fatalf("signals %+v, want the plan's overrun", dr.Signals)
	}
	n := 0
	for _, r := range dr.Attention.Reasons {
		if strings.Contains(r.Why, "after the close date") || strings.Contains(r.Why, "no longer fits") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("attention %+v, want the overrun ranked once", dr.Attention.Reasons)
	}
	// The same plan with an error elsewhere in it (a misspelt key in
	// another step, say): the close still waits on work that cannot fit,
	// and the report says so, noting the errors; it shows no schedule line.
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	bad := &NewAggregator([]ReportDeal{{Deal: d, Plan: plan, CheckErrors: 1}}, ReportOptions{Today: today}).Report().Deals[0]
	s = findSignal(bad, SignalOverrun)
	if s == nil || bad.Plan != PlanErrors || bad.Schedule != nil || !strings.Contains(strings.Join(s.Evidence, " "), "the plan fails check") {
		t.Errorf("with a check error: plan %s, schedule %+v, signals %+v; want errors, no schedule line, the overrun noting the errors", bad.Plan, bad.Schedule, bad.Signals)
	}

	// Blocked and overdue: one problem in the ranking.
	b := patternDeal()
	b.Milestones[0].Tasks = append(b.Milestones[0].Tasks,
		deal.Task{ID: "dpa", Title: "DPA reviewed", Owner: "ch", Status: deal.Blocked, Due: today.AddDays(-10), Milestone: "m"})
	dr = ruleReport(t, b, today)
	if findSignal(dr, SignalBlocked) == nil {
		t.Fatalf("signals %+v, want the blocked step", dr.Signals)
	}
	for _, r := range dr.Attention.Reasons {
		if strings.Contains(r.Why, "is blocked") {
			t.Errorf("attention %+v ranks the blocked step again beside its overdue points", dr.Attention.Reasons)
		}
	}

	// Won, go-live passed, onboarding open; its blocked step on the path.
	w := onboardingDeal()
	w.Outcome = deal.Won
	w.Milestones[0].Tasks[0].Status, w.Milestones[0].Tasks[0].Done = deal.Done, deal.NewDate(2026, time.December, 20)
	w.Milestones[1].Tasks[0].Status = deal.Blocked
	dr = ruleReport(t, w, deal.NewDate(2027, time.February, 20))
	if s := findSignal(dr, SignalGoLivePassed); s == nil || !strings.Contains(s.Summary, "go-live 2027-02-15 passed 5 days ago") {
		t.Errorf("signals %+v, want go-live passed 5 days ago", dr.Signals)
	}
	if s := findSignal(dr, SignalBlocked); s == nil || !strings.Contains(strings.Join(s.Evidence, "\n"), "the go-live waits on it: setup -> train") {
		t.Errorf("blocked onboarding step: %+v, want the go-live's chain", s)
	}
}

// TestCommittedNeedsSteps: milestones without a single step are no dated
// plan to commit a forecast on.
func TestCommittedNeedsSteps(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	empty := patternDeal()
	empty.ID, empty.Value = "empty", 5000
	empty.Milestones[0].Tasks = nil
	full := patternDeal()
	full.ID, full.Value = "full", 1000
	full.Milestones[0].Tasks = append(full.Milestones[0].Tasks, deal.Task{ID: "terms", Title: "Terms agreed", Owner: "ch", Status: deal.Todo, Due: today.AddDays(10), Milestone: "m"})
	var in []ReportDeal
	for _, d := range []*deal.Deal{empty, full} {
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, ReportDeal{Deal: d, Plan: plan})
	}
	r := NewAggregator(in, ReportOptions{Today: today}).Report()
	if p := r.Portfolio; p.Committed != 1000 {
		t.Errorf("committed %d, want 1000: the plan without steps is not committed", p.Committed)
	}
	// Without a room manifest, whether the rooms are published is not
	// known, and the committed line says so.
	var out strings.Builder
	if err := r.WritePortfolioTable(&out, false); err != nil {
		t.Fatal(err)
	}
	if !r.Portfolio.PublishedUnknown || !strings.Contains(out.String(), "published to the buyer (not known: no room manifest was read)") {
		t.Errorf("no manifest: %v\n%s", r.Portfolio.PublishedUnknown, out.String())
	}
}

// TestMilestoneWithoutStepsLate: a milestone past its date with no step
// says that nothing in the plan reaches it, not "0 of 0 tasks done".
func TestMilestoneWithoutStepsLate(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	d := patternDeal()
	d.Milestones = append(d.Milestones, deal.Milestone{ID: "eval", Title: "Evaluation passed", Lead: "eb", Due: today.AddDays(-10)})
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan}}, ReportOptions{Today: today}).Report()
	s := findSignal(&r.Deals[0], SignalMilestoneLate)
	if s == nil || len(s.Evidence) != 2 || !strings.Contains(s.Evidence[0], "it has no step, so nothing in the plan reaches it") || !strings.Contains(s.Evidence[1], "add the steps that reach it") {
		t.Errorf("signals %+v, want the milestone late for having no step", r.Deals[0].Signals)
	}
}

// TestCommittedPipelineCriticalLate: a plan whose critical path has a step
// late at alert is not committed forecast, though the dates after that
// step still fit before the close; a step of it late at flag leaves the
// deal committed. A late step waiting on that one is named as held up by
// it, and adds no points of its own.
func TestCommittedPipelineCriticalLate(t *testing.T) {
	today := deal.NewDate(2027, time.January, 19)
	mk := func(id string, securityDue deal.Date) ReportDeal {
		d := dueDateDeal(deal.NewDate(2027, time.January, 29))
		d.ID, d.Value = id, 1000
		d.Milestones[0].Tasks[0].Done = deal.NewDate(2027, time.January, 15) // progress four days ago: not flat
		d.Milestones[0].Tasks[1].Due = securityDue
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		return ReportDeal{Deal: d, Plan: plan}
	}
	r := NewAggregator([]ReportDeal{
		mk("flag", deal.NewDate(2027, time.January, 14)),   // 5 days late
		mk("alert", deal.NewDate(2026, time.December, 29)), // 21 days late
	}, ReportOptions{Today: today}).Report()
	for _, row := range r.Portfolio.Rows {
		if want := row.Deal == "flag"; row.Committed != want {
			t.Errorf("%s: committed %v, want %v", row.Deal, row.Committed, want)
		}
	}
	if p := r.Portfolio; p.Committed != 1000 {
		t.Errorf("committed %d, want 1000 (the deal whose critical step is late at flag)", p.Committed)
	}
	dr := &r.Deals[1]
	var why []string
	points := 0
	for _, a := range dr.Attention.Reasons {
		why = append(why, a.Why)
		if strings.Contains(a.Why, "overdue") {
			points = a.Points
		}
	}
	w := strings.Join(why, "; ")
	if !strings.Contains(w, `"Security review" (buyer side) 21 calendar days late, holding up "Legal review" (buyer side, 4 calendar days late)`) {
		t.Errorf("attention reasons %q, want the security review named as holding up the legal review", w)
	}
	if points != attentionPoints["overdue-"+SeverityAlert] {
		t.Errorf("overdue points %d, want %d: the legal review is late by the security review's doing", points, attentionPoints["overdue-"+SeverityAlert])
	}
	// Onboarding work late at alert, one step waiting on another, is not
	// on the way to the signature: the deal stays committed.
	ob := mk("onboarding", deal.NewDate(2027, time.January, 14))
	ob.Deal.Milestones = append(ob.Deal.Milestones, deal.Milestone{ID: "live", Title: "Live", Lead: "eb", Onboarding: true, Evidence: "Live", Tasks: []deal.Task{
		{ID: "prep", Title: "Kickoff prepared", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 20), Milestone: "live"},
		{ID: "migrate", Title: "Migration planned", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 28), After: []string{"prep"}, Milestone: "live"},
	}})
	plan, err := schedule.Compute(ob.Deal, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	ob.Plan = plan
	r = NewAggregator([]ReportDeal{ob}, ReportOptions{Today: today}).Report()
	if late := len(r.Deals[0].Overdue); late < 2 || !r.Portfolio.Rows[0].Committed {
		t.Errorf("onboarding late (%d overdue): committed %v, want true", late, r.Portfolio.Rows[0].Committed)
	}
}

// TestLatePilingWeighsGrades: two small delays on the buyer's side do not
// pile up against one step three weeks late on the seller's; three steps
// at alert on the buyer's side against that one do.
func TestLatePilingWeighsGrades(t *testing.T) {
	today := deal.NewDate(2026, time.December, 10)
	mk := func(buyerLate ...int) *DealReport {
		return ruleReport(t, lateBuyerSteps(today, true, buyerLate...), today)
	}
	if s := findSignal(mk(5, 1), SignalLatePiling); s != nil {
		t.Errorf("a flag and a step a day late on the buyer's side against an alert on the seller's: %+v, want no piling", s)
	}
	if s := findSignal(mk(10, 12, 15), SignalLatePiling); s == nil || !strings.Contains(s.Summary, "buyer side") || s.Severity != SeverityAlert {
		t.Errorf("three buyer steps at alert against one seller step: %+v, want late work piling up on the buyer side, at alert", s)
	}
}

// lateBuyerSteps is patternDeal with a buyer step for each of buyerLate,
// that many days late on today, and with sandbox a seller step 20 days
// late.
func lateBuyerSteps(today deal.Date, sandbox bool, buyerLate ...int) *deal.Deal {
	d := patternDeal()
	if sandbox {
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
			deal.Task{ID: "sandbox", Title: "Sandbox provisioned", Owner: "sam", Status: deal.Todo, Due: today.AddDays(-20), Milestone: "m"})
	}
	for i, n := range buyerLate {
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
			deal.Task{ID: fmt.Sprintf("b%d", i), Title: fmt.Sprintf("Buyer step %d", i), Owner: "ch", Status: deal.Todo, Due: today.AddDays(-n), Milestone: "m"})
	}
	return d
}

// TestLatePilingNeedsAFlag: two buyer steps a day or two late, under
// flag_days, are no pile of late work (domain.md flags at 3 days late);
// with one of them 4 days late, they are, at flag.
func TestLatePilingNeedsAFlag(t *testing.T) {
	today := deal.NewDate(2026, time.December, 10)
	mk := func(buyerLate ...int) *DealReport {
		return ruleReport(t, lateBuyerSteps(today, false, buyerLate...), today)
	}
	if s := findSignal(mk(1, 2), SignalLatePiling); s != nil {
		t.Errorf("two buyer steps 1 and 2 days late: %+v, want no piling", s)
	}
	if s := findSignal(mk(1, 4), SignalLatePiling); s == nil || !strings.Contains(s.Summary, "buyer side") || s.Severity != SeverityFlag {
		t.Errorf("buyer steps 1 and 4 days late: %+v, want late work piling up on the buyer side, at flag", s)
	}
}

// TestSaleDoneStillOpen: an open deal with every step of the sale done and
// its close ahead is told to set its outcome (a flag that adds nothing to
// its attention score); not while a step is open, not once the close has
// passed (open-past-close says it then), not once won.
func TestSaleDoneStillOpen(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	has := func(dr *DealReport) (Signal, bool) {
		for _, s := range dr.Signals {
			if s.Kind == SignalSaleDone {
				return s, true
			}
		}
		return Signal{}, false
	}
	d := patternDeal()
	dr := ruleReport(t, d, today)
	if s, ok := has(dr); !ok || s.Severity != SeverityFlag || !strings.Contains(s.Summary, "every step of the sale is done (1 of 1) before its close date 2027-01-29") || !strings.Contains(s.Evidence[0], "set outcome: won") {
		t.Errorf("all done, close ahead: %+v %v, want a flag to set the outcome", s, ok)
	}
	if dr.Attention.Score != 0 {
		t.Errorf("attention %+v, want none for an outcome to set", dr.Attention)
	}
	open := patternDeal()
	open.Milestones[0].Tasks[0].Status, open.Milestones[0].Tasks[0].Done = deal.Todo, deal.Date{}
	if s, ok := has(ruleReport(t, open, today)); ok {
		t.Errorf("a step open: %+v, want no signal", s)
	}
	past := patternDeal()
	past.Close = today.AddDays(-2)
	if s, ok := has(ruleReport(t, past, today)); ok {
		t.Errorf("close passed: %+v, want open-past-close alone", s)
	}
	won := patternDeal()
	won.Outcome = deal.Won
	if s, ok := has(ruleReport(t, won, today)); ok {
		t.Errorf("won: %+v, want no signal", s)
	}
}

// TestUsualMilestoneMissing: an open plan that lacks a milestone its
// template has gets the generic template's signal, naming it; a won or
// lost deal does not.
func TestUsualMilestoneMissing(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	for _, outcome := range []deal.Outcome{deal.Open, deal.Won, deal.Lost} {
		d := patternDeal()
		d.Outcome = outcome
		in := ReportDeal{Deal: d, Template: "enterprise-saas", UsualMissing: []deal.Milestone{{ID: "security-approved", Title: "Security review approved"}}}
		dr := NewAggregator([]ReportDeal{in}, ReportOptions{Today: today}).Report().Deals[0]
		s := findSignal(&dr, SignalUsualMissing)
		switch {
		case outcome == deal.Open && (s == nil || s.Severity != SeverityFlag || !strings.Contains(s.Summary, `"Security review approved"`) || !strings.Contains(s.Summary, "enterprise-saas")):
			t.Errorf("open: signal %+v, want a flag naming the milestone and the template", s)
		case outcome != deal.Open && s != nil:
			t.Errorf("%s: signal %+v, want none", outcome, s)
		}
	}
}

// TestDoneAheadSaidSo: a task the plan marks done on a day after the
// report's is open and late on the day; its overdue row says it is marked
// done later, rather than read as forgotten.
func TestDoneAheadSaidSo(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	d := patternDeal()
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks,
		deal.Task{ID: "dpa", Title: "DPA signed", Owner: "ch", Status: deal.Done, Done: today.AddDays(3), Due: today.AddDays(-5), Milestone: "m"})
	dr := ruleReport(t, d.AsOf(today), today)
	i := slices.IndexFunc(dr.Overdue, func(o OverdueTask) bool { return o.Task == "dpa" })
	if i < 0 {
		t.Fatalf("overdue %+v, want dpa open and late on the day", dr.Overdue)
	}
	if o := dr.Overdue[i]; o.DoneAhead != "2026-11-27" || o.StatusLine() != "in-progress on the day (marked done on 2026-11-27)" {
		t.Errorf("dpa overdue %+v, status %q", o, o.StatusLine())
	}
}
