package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
	"github.com/maproom/maproom/internal/testkit/scenario"
)

// scenarioReplies gives each scenario deal the replies that wait for the
// seller: those its people sent (testdata/replies.json, every reply
// as a reply source holds it) that no record in its bundle decides (acme's
// replies/ holds the one accepted, vriskagree), and the decided ones, as
// maproom report does. Each reply must be one
// the beacon would have taken when it was sent.
func scenarioReplies(t testing.TB, deals []ReportDeal, s *scenario.Site) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "replies.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sent []reply.Reply
	if err := json.Unmarshal(b, &sent); err != nil {
		t.Fatalf("testdata/replies.json: %v", err)
	}
	var recs []reply.Record
	for _, bd := range s.Bundles {
		rs, err := reply.ReadRecords(bd.Dir)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rs...)
	}
	for _, r := range sent {
		if err := r.Validate(r.Time); err != nil {
			t.Fatalf("testdata/replies.json: reply %s: %v", r.ID, err)
		}
	}
	for _, rec := range reply.Join(sent, recs) {
		r := rec.Reply
		i := slices.IndexFunc(deals, func(d ReportDeal) bool { return d.Deal.ID == r.Deal })
		if i < 0 {
			t.Fatalf("testdata/replies.json: reply %s of deal %s, not in the scenario site", r.ID, r.Deal)
		}
		if rec.State() == reply.Waiting {
			deals[i].Waiting = append(deals[i].Waiting, r)
		} else {
			deals[i].Decided = append(deals[i].Decided, rec)
		}
	}
}

func waitingIDs(d *DealReport) []string {
	var ids []string
	for _, w := range d.Replies {
		ids = append(ids, w.ID)
	}
	return ids
}

// proposalSignal returns the deal's SignalProposalMovesClose naming reply
// id, or nil.
func proposalSignal(d *DealReport, id string) *Signal {
	for i, s := range d.Signals {
		if s.Kind == SignalProposalMovesClose && strings.Contains(strings.Join(s.Evidence, "\n"), "reply "+id+",") {
			return &d.Signals[i]
		}
	}
	return nil
}

// TestReportReplies: the replies waiting for the seller in each deal, and
// the signal of a proposed date that would move the close. acme closes on
// 2027-01-29, when its order form is to be signed: its critical path is
// vendor-risk (dated 2026-12-18) then the order form; sample-data leads
// the other chain into it (poc-scenarios, 5 days, then evaluation-report,
// 3 days, finishing 2026-12-03).
func TestReportReplies(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	acme := findDeal(t, r, "acme")

	// (d) The accepted reply, recorded in the bundle, is not waiting
	// although the source still holds it; the reply sent on the 23rd is
	// after the report's day. The rest, oldest first.
	want := []string{"zedgonetsk", "euquestion", "vriskslack", "sampleslip", "orderslip2", "evalsooner"}
	if got := waitingIDs(acme); !slices.Equal(got, want) || acme.RepliesWaiting != len(want) {
		t.Fatalf("acme waiting %v (count %d), want %v", got, acme.RepliesWaiting, want)
	}
	w := acme.Replies[3]
	if w.Person != "Jordan Park" || w.Side != "buyer" || w.Role != "technical-evaluator" || w.Kind != "propose" ||
		w.TargetKind != "task" || w.About != "Anonymised sample datasets delivered" || w.Due != "2026-11-08" ||
		w.Date != "2027-01-20" || w.Reason != "Legal must approve the transfer first" ||
		w.Sent != "2026-11-20T09:12:00Z" || w.AgeDays != 2 {
		t.Errorf("sampleslip = %+v", w)
	}
	if got := replyWhat(&w); got != "2027-01-20 (now 2026-11-08): Legal must approve the transfer first" {
		t.Errorf("sampleslip says %q", got)
	}
	// Someone the plan no longer has, about a task it no longer has: listed
	// as the reply says.
	if z := acme.Replies[0]; z.Person != "zed" || z.Side != "" || z.TargetKind != "" || z.About != "gone-task (not in the plan)" {
		t.Errorf("zed's reply = %+v", z)
	}
	if q := acme.Replies[1]; q.TargetKind != "plan" || q.About != "the plan" || replyWhat(&q) != "Can the pilot include the EU region?" {
		t.Errorf("marcus's question = %+v", q)
	}
	// Reported the next day, the reply sent on the 23rd waits too, and
	// Jordan's earlier proposal on the same step is marked superseded by
	// it, as maproom replies marks it.
	next := findDeal(t, scenarioReport(t, ReportOptions{Today: scenarioToday.AddDays(1)}), "acme")
	if !slices.Contains(waitingIDs(next), "sampledone") {
		t.Errorf("reported on the 23rd, acme waiting %v, want sampledone among them", waitingIDs(next))
	}
	for _, w := range next.Replies {
		if w.ID == "sampleslip" && !strings.Contains(replyWhat(&w), "[superseded by sampledone, their later reply on the same step]") {
			t.Errorf("reported on the 23rd, sampleslip says %q, want it superseded by sampledone", replyWhat(&w))
		}
	}
	// Superseded, the proposal no longer asks to move anything: Jordan's
	// later word stands, and accept would refuse this one.
	if s := proposalSignal(next, "sampleslip"); s != nil {
		t.Errorf("reported on the 23rd, the superseded sampleslip still raises %+v", s)
	}

	// (a) Sample data on 20 January: the evaluation then ends on 1
	// February, a business day after the close.
	s := proposalSignal(acme, "sampleslip")
	if s == nil {
		t.Fatalf("no signal for jordan's proposal: %+v", acme.Signals)
	}
	ev := strings.Join(s.Evidence, "\n")
	if s.Severity != SeverityFlag || s.Summary != `Jordan Park asks to move "Anonymised sample datasets delivered" from 2026-11-08 to 2027-01-20: the close would move 1 business day` ||
		!strings.Contains(ev, `proposed on 2026-11-20 by Jordan Park (buyer, technical-evaluator) for task sample-data: "Legal must approve the transfer first"`) ||
		!strings.Contains(ev, "the task is off the critical path, already 1 business day past 2026-11-20, the latest the plan's later dates leave it; the date asked is 42 business days past that") ||
		!strings.Contains(ev, "the remaining work would finish 2027-02-01, 1 business day after the close date 2027-01-29") {
		t.Errorf("sampleslip signal = %+v", s)
	}
	// (b) Vendor risk three weeks later: its slack takes it, the order
	// form can still be signed by the close. (An earlier date neither.)
	for _, id := range []string{"vriskslack", "evalsooner", "euquestion"} {
		if s := proposalSignal(acme, id); s != nil {
			t.Errorf("%s raises %+v", id, s)
		}
	}
	// (c) The order form after the close date: an alert, whatever the
	// schedule.
	s = proposalSignal(acme, "orderslip2")
	if s == nil {
		t.Fatalf("no signal for priya's proposal after the close: %+v", acme.Signals)
	}
	ev = strings.Join(s.Evidence, "\n")
	if s.Severity != SeverityAlert || !strings.HasSuffix(s.Summary, "from 2027-01-29 to 2027-02-12: the close would move 10 business days") ||
		!strings.Contains(ev, "2027-02-12 is after the close date 2027-01-29") || !strings.Contains(ev, "the task is on the critical path, with no room: the plan's later dates leave it until 2027-01-29, its due date; the date asked is 10 business days past that") ||
		!strings.Contains(ev, `reply orderslip2, waiting 1 day: maproom accept orderslip2 takes the date`) {
		t.Errorf("orderslip2 signal = %+v", s)
	}
	n := 0
	for _, s := range acme.Signals {
		if s.Kind == SignalProposalMovesClose {
			n++
		}
	}
	if n != 2 {
		t.Errorf("acme has %d proposal signals, want 2 (sampleslip, orderslip2)", n)
	}
	// An alert (the close would move 10 business days): its kind's 4
	// points and 2 for the grade.
	if !slices.ContainsFunc(acme.Attention.Reasons, func(a AttentionReason) bool { return a.Points == 6 && strings.HasPrefix(a.Why, "Priya Raman asks") }) {
		t.Errorf("acme attention %+v does not count priya's proposal", acme.Attention)
	}

	// globex already finishes after its close: the DPA on the 27th pushes
	// the redlines, and the finish, four business days further (the 25th
	// of December is a holiday).
	globex := findDeal(t, r, "globex")
	if s := proposalSignal(globex, "dpareview2"); s == nil || !strings.HasSuffix(s.Summary, "the close would move 4 business days more") ||
		!strings.Contains(strings.Join(s.Evidence, "\n"), "would finish 2026-12-28, 4 business days later than 2026-12-21, already after the close date 2026-12-11") {
		t.Errorf("globex dpareview2 signal = %+v", s)
	}

	// (e) A won deal lists its replies and raises no signal; the same deal
	// open would.
	initech := findDeal(t, r, "initech")
	if got := waitingIDs(initech); !slices.Equal(got, []string{"initechsig"}) || len(initech.Signals) != 0 {
		t.Errorf("initech waiting %v signals %+v, want initechsig and no signal", got, initech.Signals)
	}
	if initech.Replies[0].TargetKind != "milestone" || initech.Replies[0].Due != "2026-10-15" {
		t.Errorf("initech reply = %+v, want the signature milestone due 2026-10-15", initech.Replies[0])
	}
	deals, site := scenarioSite(t)
	scenarioReplies(t, deals, site)
	for i := range deals {
		if deals[i].Deal.ID == "initech" {
			open := *deals[i].Deal
			open.Outcome = deal.Open
			deals[i].Deal = &open
		}
	}
	reopened := findDeal(t, NewAggregator(deals, ReportOptions{Today: scenarioToday, Deal: "initech"}).Report(), "initech")
	if s := proposalSignal(reopened, "initechsig"); s == nil || s.Severity != SeverityAlert ||
		!strings.Contains(s.Summary, `Daniel Ortiz asks to move "Order form signed" from 2026-10-15 to 2026-11-30`) ||
		!strings.Contains(strings.Join(s.Evidence, "\n"), "for milestone signature") {
		t.Errorf("initech open: signal %+v, want daniel's proposal after the close", s)
	}
}

// TestReportNoReplies: a deal without a reply source lists none and
// raises no proposal signal; the JSON says so with an empty list.
func TestReportNoReplies(t *testing.T) {
	deals, _ := scenarioSite(t)
	r := NewAggregator(deals, ReportOptions{Today: scenarioToday}).Report()
	for i := range r.Deals {
		d := &r.Deals[i]
		if d.RepliesWaiting != 0 || d.Replies == nil || len(d.Replies) != 0 || findSignal(d, SignalProposalMovesClose) != nil {
			t.Errorf("%s without replies: %d waiting, %v, signals %+v", d.ID, d.RepliesWaiting, d.Replies, d.Signals)
		}
	}
}

// TestReplyWhat: what each kind of reply says in the report's tables, on
// one line, without what a terminal would take as a command.
func TestReplyWhat(t *testing.T) {
	for _, c := range []struct {
		w    WaitingReply
		want string
	}{
		{WaitingReply{Kind: "confirm", Date: "2026-12-04"}, "confirms 2026-12-04"},
		{WaitingReply{Kind: "confirm"}, "confirms"},
		{WaitingReply{Kind: "propose", Date: "2026-12-11", Due: "2026-12-04", Reason: "Legal\nreview"}, "2026-12-11 (now 2026-12-04): Legal review"},
		{WaitingReply{Kind: "propose", Date: "2026-12-11", Reason: "no date before"}, "2026-12-11: no date before"},
		{WaitingReply{Kind: "done", Date: "2026-11-20", Evidence: "https://files.example/1"}, "done 2026-11-20: https://files.example/1"},
		{WaitingReply{Kind: "blocked", Reason: "waiting for the DPO"}, "blocked: waiting for the DPO"},
		{WaitingReply{Kind: "question", Text: "Who signs?\x1b[2J\x07"}, "Who signs?[2J"},
		{WaitingReply{Kind: "suggest", Text: "Data protection review", Owner: "Claire", Date: "2026-12-01"}, `"Data protection review", owner Claire, by 2026-12-01`},
	} {
		if got := replyWhat(&c.w); got != c.want {
			t.Errorf("%s %+v says %q, want %q", c.w.Kind, c.w, got, c.want)
		}
	}
}

// TestCriticalProposalBeforeClose: a later date on the critical path is
// signalled even while the close still holds (a flag: the slack to the
// close is being spent); the same slip off the critical path is not. The
// order form is given no date of its own, so that it is signed when the
// work before it is done: on 2026-12-18, after vendor-risk, which the
// close waits on; the evaluation sample-data leads to finishes earlier.
func TestCriticalProposalBeforeClose(t *testing.T) {
	deals, s := scenarioSite(t)
	i := slices.IndexFunc(deals, func(d ReportDeal) bool { return d.Deal.ID == "acme" })
	if i < 0 {
		t.Fatal("no acme in the scenario")
	}
	cal := schedule.NewCalendar(s.Config.HolidayDays...)
	d := deals[i].Deal
	order, _ := d.Task("order-form")
	order.Due = deal.Date{}
	plan, err := schedule.Compute(d, scenarioToday, cal)
	if err != nil {
		t.Fatal(err)
	}
	deals[i].Plan = plan
	if !slices.Equal(plan.CriticalPath, []string{"vendor-risk", "order-form"}) {
		t.Fatalf("critical path %v, want vendor-risk -> order-form", plan.CriticalPath)
	}
	sent := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	deals[i].Waiting = []reply.Reply{
		{ID: "samplesoon", Time: sent, Deal: "acme", Stakeholder: "jordan", Kind: reply.Propose, Target: "sample-data", TargetKind: reply.TargetTask, Date: "2026-11-27", Reason: "Legal review"},
		{ID: "vrisklater", Time: sent, Deal: "acme", Stakeholder: "elena", Kind: reply.Propose, Target: "vendor-risk", TargetKind: reply.TargetTask, Date: "2026-12-22", Reason: "Committee"},
	}
	opts := ReportOptions{Title: s.Config.Title, Location: s.Config.Location, Calendar: cal,
		FlagDays: s.Config.Overdue.FlagDays, AlertDays: s.Config.Overdue.AlertDays, Manifest: s.Manifest, Today: scenarioToday}
	acme := findDeal(t, NewAggregator(deals, opts).Report(), "acme")
	sig := proposalSignal(acme, "vrisklater")
	if sig == nil {
		t.Fatalf("no signal for a later date on the critical path: %+v", acme.Signals)
	}
	ev := strings.Join(sig.Evidence, "\n")
	if sig.Severity != SeverityFlag || !strings.Contains(sig.Summary, "it is on the critical path, the remaining work would finish 2 business days later") ||
		!strings.Contains(ev, "on the critical path, so the plan's end moves, before the close date 2027-01-29") {
		t.Errorf("vrisklater signal = %+v", sig)
	}
	if sig := proposalSignal(acme, "samplesoon"); sig != nil {
		t.Errorf("a slip within slack off the critical path raises %+v", sig)
	}
}

// TestPreviewReplies: a reply sent from the local preview (maproom serve)
// is the seller's own click in a buyer's room: listed as waiting, marked,
// but never the person's engagement, their activity, nor a signal.
func TestPreviewReplies(t *testing.T) {
	deals, s := scenarioSite(t)
	scenarioReplies(t, deals, s)
	for i := range deals {
		for j := range deals[i].Waiting {
			if deals[i].Waiting[j].Stakeholder == "jordan" {
				deals[i].Waiting[j].Preview = true
			}
		}
	}
	opts := ReportOptions{Today: scenarioToday, Location: s.Config.Location, Calendar: schedule.NewCalendar(s.Config.HolidayDays...),
		FlagDays: s.Config.Overdue.FlagDays, AlertDays: s.Config.Overdue.AlertDays, Manifest: s.Manifest}
	plain := findDeal(t, scenarioReport(t, ReportOptions{}), "acme")
	r := NewAggregator(deals, opts).Report()
	acme := findDeal(t, r, "acme")
	if !slices.Equal(waitingIDs(acme), waitingIDs(plain)) {
		t.Fatalf("waiting %v, want the same replies listed %v", waitingIDs(acme), waitingIDs(plain))
	}
	for _, w := range acme.Replies {
		if w.Stakeholder == "jordan" && (!w.Preview || !strings.Contains(w.Note, "local preview")) {
			t.Errorf("jordan's %s = %+v, want it marked as sent from the preview", w.ID, w)
		}
	}
	if proposalSignal(plain, "sampleslip") == nil {
		t.Fatal("without the preview, sampleslip raises no signal: the test proves nothing")
	}
	if s := proposalSignal(acme, "sampleslip"); s != nil {
		t.Errorf("a proposal sent from the preview raises %+v", s)
	}
	for _, a := range acme.Activity {
		if a.Kind == ActivityReply && a.Who == "Jordan Park" {
			t.Errorf("activity %+v: a preview reply is not Jordan's activity", a)
		}
	}
	if w := acme.Week; w != nil && slices.Contains(w.Repliers, "Jordan Park") {
		t.Errorf("the week's repliers %v name Jordan for a preview reply", w.Repliers)
	}
}

// TestOldLinkReplies: a reply sent from a link of the person's rotated
// since may not be theirs (a leaked link is why links are rotated): the
// waiting list and the activity say so, as maproom replies does.
func TestOldLinkReplies(t *testing.T) {
	deals, s := scenarioSite(t)
	scenarioReplies(t, deals, s)
	opts := ReportOptions{Today: scenarioToday, Location: s.Config.Location, Calendar: schedule.NewCalendar(s.Config.HolidayDays...),
		FlagDays: s.Config.Overdue.FlagDays, AlertDays: s.Config.Overdue.AlertDays, Manifest: s.Manifest}
	for i := range deals {
		for j := range deals[i].Deal.Stakeholders {
			if p := &deals[i].Deal.Stakeholders[j]; p.ID == "jordan" {
				p.Rotate = 1 // rotated after the replies: they came from rotation 0
			}
		}
	}
	acme := findDeal(t, NewAggregator(deals, opts).Report(), "acme")
	n := 0
	for _, w := range acme.Replies {
		if w.Stakeholder != "jordan" {
			continue
		}
		n++
		if !w.OldLink || !strings.Contains(w.Note, "sent from a link rotated since (rotation 0, now 1): confirm with Jordan Park it is theirs") {
			t.Errorf("jordan's %s = %+v, want it marked as from a link rotated since", w.ID, w)
		}
	}
	if n == 0 {
		t.Fatal("no reply of jordan's waits: the test proves nothing")
	}
	for _, a := range acme.Activity {
		if a.Kind == ActivityReply && a.Who == "Jordan Park" && !strings.Contains(a.What, "from a link rotated since, maybe not theirs") {
			t.Errorf("activity %+v: want the old link said", a)
		}
	}
}
