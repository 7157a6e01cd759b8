package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/schedule"
)

var updateGolden = flag.Bool("update", false, "rewrite the report goldens in testdata/golden from the actual output")

// scenarioReport builds the scenarios' report from their two instances' logs
// and the replies waiting (see scenarioReplies). Its manifest records no
// publish day, as one written before maproom recorded them.
func scenarioReport(t testing.TB, opts ReportOptions) *Report {
	t.Helper()
	return publishedReport(t, opts, nil)
}

// publishedReport is scenarioReport with the manifest changed by publish
// first, typically to record the days the rooms were first published.
func publishedReport(t testing.TB, opts ReportOptions, publish func(*manifest.Manifest)) *Report {
	t.Helper()
	deals, s := scenarioSite(t)
	if publish != nil {
		publish(s.Manifest)
	}
	scenarioReplies(t, deals, s)
	dir := t.TempDir()
	folders := writeScenarioLogs(t, s, dir)
	opts.Title, opts.Location, opts.Calendar = s.Config.Title, s.Config.Location, schedule.NewCalendar(s.Config.HolidayDays...)
	opts.FlagDays, opts.AlertDays, opts.Manifest = s.Config.Overdue.FlagDays, s.Config.Overdue.AlertDays, s.Manifest
	if opts.Today.IsZero() {
		opts.Today = scenarioToday
	}
	a := NewAggregator(deals, opts)
	if err := a.ReadLogs(context.Background(), folders); err != nil {
		t.Fatal(err)
	}
	r := a.Report()
	for i, at := range r.Input.CorruptAt { // name the logs as the goldens do
		r.Input.CorruptAt[i] = "logs" + strings.TrimPrefix(at, dir)
	}
	return r
}

func findDeal(t *testing.T, r *Report, id string) *DealReport {
	t.Helper()
	for i := range r.Deals {
		if r.Deals[i].ID == id {
			return &r.Deals[i]
		}
	}
	t.Fatalf("no deal %s in the report", id)
	return nil
}

func findPerson(t *testing.T, d *DealReport, id string) *StakeholderReport {
	t.Helper()
	for i := range d.Stakeholders {
		if d.Stakeholders[i].ID == id {
			return &d.Stakeholders[i]
		}
	}
	t.Fatalf("no stakeholder %s in %s", id, d.ID)
	return nil
}

func findSignal(d *DealReport, kind string) *Signal {
	for i := range d.Signals {
		if d.Signals[i].Kind == kind {
			return &d.Signals[i]
		}
	}
	return nil
}

// TestReportScenarios checks what the goldens show, fact by fact.
func TestReportScenarios(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	in := r.Input

	// Two instances' logs: the copies and the retry are dropped, once each.
	// marcus's second visit's room page-load has 8 events (a view, 4
	// heartbeats, 2 opens, a hide), all copied; priya's retried heartbeat is
	// one more.
	if in.Duplicates != 8+1 {
		t.Errorf("duplicates = %d, want 9 (marcus's copied visit, priya's retry)", in.Duplicates)
	}
	if in.Corrupt != 2 || len(in.CorruptAt) != 2 || !strings.Contains(in.CorruptAt[1], "schema version 9 is newer") {
		t.Errorf("corrupt = %d %q, want the two bad lines named", in.Corrupt, in.CorruptAt)
	}
	if in.Unknown != 1 || in.OutsideDates != 4 || in.OutOfOrder != 0 {
		t.Errorf("unknown %d (want 1), outside dates %d (want 4, priya's visit on the 23rd), out of order %d", in.Unknown, in.OutsideDates, in.OutOfOrder)
	}

	acme := findDeal(t, r, "acme")
	// A buyer task two weeks late: an alert, and the buyer's turn. It is
	// off the critical path: the evaluation it leads to can finish
	// 2026-12-03, while the order form waits on the vendor risk
	// assessment, dated 2026-12-18.
	if len(acme.Overdue) != 1 {
		t.Fatalf("acme overdue = %+v", acme.Overdue)
	}
	if o := acme.Overdue[0]; o.Task != "sample-data" || o.DaysLate != 14 || o.Severity != SeverityAlert || o.Side != "buyer" || o.Critical {
		t.Errorf("sample-data overdue = %+v, want 14 days late, alert, buyer, not critical", o)
	}
	// Jordan proposed another date for it from his room (sampleslip),
	// which waits for the seller: the move is the seller's now.
	if acme.Turn == nil || acme.Turn.Side != "seller" || acme.Turn.Owner != "jordan" || acme.Turn.Task != "sample-data" || acme.Turn.Critical ||
		acme.Turn.Answer == nil || acme.Turn.Answer.Reply != "sampleslip" || acme.Turn.Answer.Kind != "propose" || acme.Turn.Answer.Date != "2027-01-20" {
		t.Errorf("acme turn = %+v, want the seller to decide Jordan's proposal (sampleslip) for his sample-data, off the critical path", acme.Turn)
	}
	if a := acme.Overdue[0].Answer; a == nil || a.Reply != "sampleslip" || acme.Overdue[0].StatusLine() != "in-progress, 2027-01-20 proposed (reply sampleslip)" {
		t.Errorf("sample-data overdue answer %+v, status %q", a, acme.Overdue[0].StatusLine())
	}
	// Reported the next day, Jordan has reported it done since
	// (sampledone), superseding his proposal: that is the answer.
	if next := findDeal(t, scenarioReport(t, ReportOptions{Today: scenarioToday.AddDays(1)}), "acme"); next.Turn == nil || next.Turn.Answer == nil ||
		next.Turn.Answer.Reply != "sampledone" || next.Turn.Answer.Kind != "done" || !strings.Contains(turnText(next.Turn), "Jordan Park reported it done") {
		t.Errorf("on the 23rd, acme turn = %+v, want the seller to decide Jordan's report that it is done", next.Turn)
	}
	if s := acme.Schedule; s == nil || s.Finish != "2027-01-29" || strings.Join(s.CriticalPath, " ") != "vendor-risk order-form" {
		t.Errorf("acme schedule = %+v, want the order form signed on its date, 2027-01-29, after vendor-risk", s)
	}
	if acme.Progress.Done != 3 || acme.Progress.Total != 8 || acme.Progress.DoneLate != 1 {
		t.Errorf("acme progress = %+v, want 3/8 done, 1 late", acme.Progress)
	}

	// The approver never opened: the bot, the bare view, the webdriver
	// page-load and the mail scanner that followed the pricing link half a
	// second after the room showed are scanner-like, and its second on the
	// pricing page a glance: no visit, no read.
	grace := findPerson(t, acme, "grace")
	if grace.Visits != 0 || grace.Scanner != 4 || grace.Glances != 1 || len(grace.Opened) != 0 {
		t.Errorf("grace = %+v, want 0 visits, 4 scanner-like, 1 glance, nothing read", grace)
	}
	if s := findSignal(acme, SignalDeciderAbsent); s == nil || !strings.Contains(s.Summary, "Grace Okafor") ||
		!strings.Contains(strings.Join(s.Evidence, "\n"), "4 scanner-like page-loads") {
		t.Errorf("decider signal = %+v, want Grace with the 4 scanner-like page-loads as evidence", s)
	}

	// The scanner that opened everything in two seconds is not a read; the
	// room and the plan's own page, read right after, are one visit and one
	// read.
	jordan := findPerson(t, acme, "jordan")
	if jordan.Visits != 1 || jordan.Scanner != 1 || jordan.Glances != 1 {
		t.Errorf("jordan = %+v, want 1 visit, 1 scanner-like, 1 glance", jordan)
	}
	if len(jordan.Opened) != 1 || jordan.Opened[0].ID != "poc-plan" || jordan.Opened[0].Times != 1 || jordan.Opened[0].ActiveSeconds != 45 {
		t.Errorf("jordan read %+v, want only poc-plan, once, 45 s (the scanner's opens do not count)", jordan.Opened)
	}

	// The champion: every visit once despite the copies, three networks;
	// the room and pricing read in a second tab are one visit; pricing was
	// read in two visits, the proof-of-concept plan only clicked.
	marcus := findPerson(t, acme, "marcus")
	if marcus.Visits != 3 || marcus.Networks != 3 || marcus.ActiveSeconds != 45+60+40+27 {
		t.Errorf("marcus = %+v, want 3 visits, 3 networks, 172 s", marcus)
	}
	if len(marcus.Opened) != 1 || marcus.Opened[0].ID != "pricing" || marcus.Opened[0].Times != 2 || marcus.Opened[0].ActiveSeconds != 40+27 {
		t.Errorf("marcus read %+v, want pricing in 2 visits for 67 s, not poc-plan", marcus.Opened)
	}
	if marcus.FirstVisit != "2026-11-02T16:00:00Z" || marcus.LastVisit != "2026-11-21T09:00:00Z" {
		t.Errorf("marcus first %s last %s", marcus.FirstVisit, marcus.LastVisit)
	}
	// The old link's page-load is counted apart, never as Tom's visit:
	// whoever holds a replaced link is not Tom.
	if tom := findPerson(t, acme, "tom"); tom.Visits != 0 || tom.OldLinkVisits != 1 {
		t.Errorf("tom = %+v, want no visit and 1 page-load through the old link", tom)
	}
	// The seller's preview is not engagement.
	if acme.SellerPreviews != 1 {
		t.Errorf("seller previews = %d, want 1", acme.SellerPreviews)
	}
	for _, s := range acme.Stakeholders {
		if s.ID == "sam" {
			t.Errorf("the seller is listed as a stakeholder: %+v", s)
		}
	}
	if s := findSignal(acme, SignalDoneUnread); s == nil || !strings.Contains(s.Summary, "Elena Novak") ||
		!strings.Contains(strings.Join(s.Evidence, " "), "Security whitepaper") {
		t.Errorf("done-unread signal = %+v, want Elena's questionnaire and the whitepaper", s)
	}
	if s := findSignal(acme, SignalNoEvidence); s == nil || !strings.Contains(strings.Join(s.Evidence, " "), `"Done"`) {
		t.Errorf("evidence signal = %+v, want the needs milestone with nda's vague evidence", s)
	}
	if findSignal(acme, SignalQuiet) != nil || findSignal(acme, SignalOnlyChampion) != nil {
		t.Errorf("acme signals %+v: it was visited this week, by more than the champion", acme.Signals)
	}

	globex := findDeal(t, r, "globex")
	for _, k := range []string{SignalLatePiling, SignalDeciderAbsent} {
		if findSignal(globex, k) == nil {
			t.Errorf("globex has no %s signal: %+v", k, globex.Signals)
		}
	}
	// Only Nadia, the champion, visited, four weeks ago; but Claire (legal)
	// replied from her room six days ago: the plan is shared, and the deal
	// is not quiet.
	if claire := findPerson(t, globex, "claire"); claire.Visits != 0 || claire.Replies != 1 || claire.LastReply != "2026-11-16T08:30:00Z" {
		t.Errorf("claire = %+v, want no visit and 1 reply on 16 November", claire)
	}
	for _, k := range []string{SignalOnlyChampion, SignalQuiet} {
		if s := findSignal(globex, k); s != nil {
			t.Errorf("globex has a %s signal, though Claire replied: %+v", k, s)
		}
	}
	if globex.Schedule == nil || globex.Schedule.Fits || globex.Schedule.OverrunDays == 0 {
		t.Errorf("globex schedule = %+v, want an overrun", globex.Schedule)
	}

	initech := findDeal(t, r, "initech")
	if len(initech.Overdue) != 0 || initech.Turn != nil || len(initech.Signals) != 0 || initech.Attention.Score != 0 {
		t.Errorf("a won deal reports overdue work or signals: %+v", initech)
	}
	if hooli := findDeal(t, r, "hooli"); hooli.Plan != PlanErrors || hooli.Schedule != nil || hooli.CheckErrors != 1 {
		t.Errorf("hooli plan %s schedule %+v errors %d, want errors, none, 1", hooli.Plan, hooli.Schedule, hooli.CheckErrors)
	}

	p := r.Portfolio
	if p.Coverage.Num != 4 || p.Coverage.Den != 5 {
		t.Errorf("coverage = %+v, want 4 of 5: the open deals (hooli's plan fails check, but it is the plan hooli is run with, as the win rates count it), initech won on 15 October with a plan, umbrella lost this month without one", p.Coverage)
	}
	if p.Completion.Num != 3 || p.Completion.Den != 4 {
		t.Errorf("completion = %+v, want 3 of 4 (initech; umbrella had no plan)", p.Completion)
	}
	if p.WinRateWithPlan.Num != 1 || p.WinRateWithPlan.Den != 1 || p.WinRateWithoutPlan.Num != 0 || p.WinRateWithoutPlan.Den != 1 {
		t.Errorf("win rates %+v / %+v", p.WinRateWithPlan, p.WinRateWithoutPlan)
	}
	if len(p.Ranking) != 3 || p.Ranking[0].Deal != "globex" {
		t.Errorf("ranking = %+v, want globex first of 3", p.Ranking)
	}
}

func TestReportSinceAndDeal(t *testing.T) {
	r := scenarioReport(t, ReportOptions{Deal: "acme", Since: scenarioToday.AddDays(-12)})
	if len(r.Deals) != 1 || r.Deals[0].ID != "acme" {
		t.Fatalf("deals = %d, want acme only", len(r.Deals))
	}
	if r.Input.OtherDeals != 3 {
		t.Errorf("other deals' events = %d, want devika's 3 on the 12th", r.Input.OtherDeals)
	}
	marcus := findPerson(t, &r.Deals[0], "marcus")
	if marcus.Visits != 2 || marcus.FirstVisit != "2026-11-20T10:00:00Z" {
		t.Errorf("marcus since the 10th = %+v, want 2 visits from the 20th", marcus)
	}
}

// TestReportGoldens pins every format of the scenarios' report.
func TestReportGoldens(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	for _, g := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"report.txt", func(w io.Writer) error { return r.WriteTable(w, false) }},
		{"report-color.txt", func(w io.Writer) error { return r.WriteTable(w, true) }},
		{"report.md", r.WriteMarkdown},
		{"report.json", r.WriteJSON},
		{"report.csv", r.WriteCSV},
		{"report.html", r.WriteHTML},
		{"portfolio.txt", func(w io.Writer) error { return r.WritePortfolioTable(w, false) }},
		{"portfolio.md", r.WritePortfolioMarkdown},
		{"portfolio.json", r.WritePortfolioJSON},
		{"portfolio.csv", r.WritePortfolioCSV},
		{"portfolio.html", r.WritePortfolioHTML},
	} {
		t.Run(g.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := g.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", g.name), b.Bytes())
		})
	}
}

// publishDays records each deal's rooms in the manifest as first published
// on the day days gives the deal; the rooms of a deal it does not name keep
// no day.
func publishDays(days map[string]deal.Date) func(*manifest.Manifest) {
	return func(m *manifest.Manifest) {
		for i := range m.Rooms {
			if d, ok := days[m.Rooms[i].Deal]; ok {
				m.Rooms[i].Published = d.String()
			}
		}
	}
}

// TestReportPublishedGoldens pins the report of the scenarios once the
// manifest records when the rooms were first published (today is
// 2026-11-22): hooli's, nobody opened since the 12th, get a note instead
// of "nobody visited in 21 days"; globex's last visit, on 25 October,
// still makes it quiet although its manifest was rebuilt on the 10th.
func TestReportPublishedGoldens(t *testing.T) {
	r := publishedReport(t, ReportOptions{}, publishDays(map[string]deal.Date{
		"acme": deal.NewDate(2026, 9, 28), "globex": deal.NewDate(2026, 11, 10), "hooli": deal.NewDate(2026, 11, 12),
		"initech": deal.NewDate(2026, 8, 3), "umbrella": deal.NewDate(2026, 9, 1),
	}))
	var doc bytes.Buffer
	if err := r.WriteJSON(&doc); err != nil {
		t.Fatal(err)
	}
	if err := reportSchema(t).Validate(decodeJSON(t, doc.Bytes())); err != nil {
		t.Errorf("the report with publish days does not fit schema.json: %v", err)
	}
	for _, g := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"report-published.txt", func(w io.Writer) error { return r.WriteTable(w, false) }},
		{"report-published.json", r.WriteJSON},
	} {
		t.Run(g.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := g.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", g.name), b.Bytes())
		})
	}
}

// TestReportQuietCountsFromPublication checks the quiet window of a deal
// nobody visited (hooli) against the day its rooms were first published
// and the first day the report reads (--since), and that a visit
// outweighs a later recorded day (globex).
func TestReportQuietCountsFromPublication(t *testing.T) {
	for _, c := range []struct {
		name      string
		ago       int  // days before today hooli's rooms were first published
		unknown   bool // no day recorded
		oneLegacy bool // one buyer room of hooli's has no day
		since     int  // days before today the report starts reading; 0: from the first event
		want      string
		evidence  string
	}{
		{name: "unknown: the events read are the window", unknown: true, want: SignalQuiet, evidence: "no human-verified buyer visit in the events read"},
		{name: "one room from before days were recorded", ago: 4, oneLegacy: true, want: SignalQuiet, evidence: "no human-verified buyer visit in the events read"},
		{name: "published 4 days ago", ago: 4},
		{name: "published 6 days ago", ago: 6},
		{name: "published 7 days ago", ago: 7, want: SignalUnopened, evidence: "the room was first published on 2026-11-15; no human-verified buyer visit in the events read"},
		{name: "published 20 days ago", ago: 20, want: SignalUnopened, evidence: "first published on 2026-11-02"},
		{name: "published 21 days ago", ago: 21, want: SignalQuiet, evidence: "no human-verified buyer visit since the room was first published on 2026-11-01, 21 days before 2026-11-22"},
		{name: "published after the report's day", ago: -3},
		{name: "read for a week of a room published 60 days ago", ago: 60, since: 7},
		{name: "read for a week, the day unknown", unknown: true, since: 7},
		{name: "read for 20 days of a room published 60 days ago", ago: 60, since: 20},
		{name: "read for 30 days of a room published 60 days ago", ago: 60, since: 30, want: SignalQuiet,
			evidence: "no human-verified buyer visit since 2026-10-23, the first day the report reads, 30 days before 2026-11-22"},
		{name: "read for 25 days, the day unknown", unknown: true, since: 25, want: SignalQuiet,
			evidence: "no human-verified buyer visit since 2026-10-28, the first day the report reads"},
		{name: "read for 30 days of a room published 10 days ago", ago: 10, since: 30, want: SignalUnopened,
			evidence: "the room was first published on 2026-11-12; no human-verified buyer visit since 2026-10-23"},
	} {
		t.Run(c.name, func(t *testing.T) {
			days := map[string]deal.Date{"globex": scenarioToday.AddDays(-2)}
			if !c.unknown {
				days["hooli"] = scenarioToday.AddDays(-c.ago)
			}
			publish := publishDays(days)
			var opts ReportOptions
			if c.since != 0 {
				opts.Since = scenarioToday.AddDays(-c.since)
			}
			r := publishedReport(t, opts, func(m *manifest.Manifest) {
				publish(m)
				if c.oneLegacy {
					for i := range m.Rooms {
						if r := &m.Rooms[i]; r.Deal == "hooli" && r.Stakeholder == "jared" {
							r.Published = ""
						}
					}
				}
			})
			hooli := findDeal(t, r, "hooli")
			quiet, unopened := findSignal(hooli, SignalQuiet), findSignal(hooli, SignalUnopened)
			var got *Signal
			switch {
			case quiet != nil && unopened != nil:
				t.Fatalf("both signals: %+v", hooli.Signals)
			case quiet != nil:
				got = quiet
			case unopened != nil:
				got = unopened
			}
			if c.want == "" {
				if got != nil {
					t.Fatalf("hooli published %d days ago has a %s signal: %+v", c.ago, got.Kind, got)
				}
				return
			}
			if got == nil || got.Kind != c.want {
				t.Fatalf("hooli signals %+v, want %s", hooli.Signals, c.want)
			}
			if !strings.Contains(strings.Join(got.Evidence, "\n"), c.evidence) {
				t.Errorf("%s evidence %q, want %q in it", got.Kind, got.Evidence, c.evidence)
			}
			if c.want == SignalUnopened {
				if want := fmt.Sprintf("since it was published %d days ago", c.ago); !strings.Contains(got.Summary, want) || got.Severity != SeverityFlag {
					t.Errorf("summary %q severity %s, want %q, flag", got.Summary, got.Severity, want)
				}
				if !slices.ContainsFunc(hooli.Attention.Reasons, func(a AttentionReason) bool { return a.Why == got.Summary && a.Points == 2 }) {
					t.Errorf("attention %+v does not count the note (2 points)", hooli.Attention)
				}
			}
			if want := days["hooli"]; !c.unknown && !c.oneLegacy && hooli.Published != want.String() {
				t.Errorf("hooli published = %q, want %s", hooli.Published, want)
			}

			// globex's champion visited four weeks ago, but Claire
			// replied from her room on 16 November: not quiet.
			if s := findSignal(findDeal(t, r, "globex"), SignalQuiet); s != nil {
				t.Errorf("globex quiet signal = %+v, want none: Claire replied 6 days ago", s)
			}
		})
	}
}

// TestReportDeciderAbsentAfterAWeek: an economic buyer who never opened a
// room published days ago is no signal yet; a week after, it is an alert.
// A room whose day is not recorded is judged by the events read, as
// before. A page-load of the person's link (grace's were a scanner's and a
// chat preview's, from the 15th) shows it was out before a later recorded
// day.
func TestReportDeciderAbsentAfterAWeek(t *testing.T) {
	for _, c := range []struct {
		deal, person string
		ago          int // days before today the room was published; -1: not recorded
		absent       bool
		comment      string
	}{
		{"hooli", "gavin", 0, false, "published today"},
		{"hooli", "gavin", 6, false, "six days ago"},
		{"hooli", "gavin", 7, true, "a week ago"},
		{"hooli", "gavin", 40, true, "weeks ago"},
		{"hooli", "gavin", -1, true, "the day is not recorded"},
		{"acme", "grace", 0, true, "recorded today, her link loaded days before"},
		{"acme", "grace", -1, true, "the day is not recorded"},
	} {
		r := publishedReport(t, ReportOptions{}, func(m *manifest.Manifest) {
			for i := range m.Rooms {
				if r := &m.Rooms[i]; r.Deal == c.deal && r.Stakeholder == c.person && c.ago >= 0 {
					r.Published = scenarioToday.AddDays(-c.ago).String()
				}
			}
		})
		s := findSignal(findDeal(t, r, c.deal), SignalDeciderAbsent)
		if got := s != nil; got != c.absent {
			t.Errorf("%s's room %s: decider signal %+v, want it %v", c.person, c.comment, s, c.absent)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportGoldens -update ./analytics/ to write it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden at line %d:\n got: %s\nwant: %s\n(rerun with -update if the change is meant)", path, i+1, g, w)
			}
		}
	}
}

// The deals marshalled in parallel make the same bytes as json.Marshal.
func TestMarshalReportMatchesEncodingJSON(t *testing.T) {
	r := &Report{SchemaVersion: ReportSchemaVersion, Title: `a "title" with "deals":[]}`, Deals: []DealReport{}}
	for i := range 7 {
		r.Deals = append(r.Deals, DealReport{ID: fmt.Sprintf("deal-%d", i), Buyer: `Name "x" \ y`})
	}
	for _, n := range []int{0, 1, 2, 7} {
		rr := *r
		rr.Deals = r.Deals[:n]
		got, err := marshalReport(&rr)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(&rr)
		if !bytes.Equal(got, want) {
			t.Fatalf("%d deals:\n%s\nwant\n%s", n, got, want)
		}
	}
}

// TestCoverageOfRecentDeals: coverage counts the open deals and those that
// ended with a close date in the last quarter (or ahead: ended early), not
// deals ended long ago.
func TestCoverageOfRecentDeals(t *testing.T) {
	today := deal.NewDate(2026, 12, 15)
	deals := []DealReport{
		{ID: "open", Outcome: "open", Plan: PlanOK},
		{ID: "won-lately", Outcome: "won", Close: "2026-12-01", Plan: PlanNone},
		{ID: "lost-early", Outcome: "lost", Close: "2027-01-20", Plan: PlanOK},
		{ID: "won-on-day-90", Outcome: "won", Close: today.AddDays(-RecentDays).String(), Plan: PlanOK},
		{ID: "won-long-ago", Outcome: "won", Close: "2026-06-01", Plan: PlanNone},
	}
	if c := portfolio(deals, today, openMedian(deals)).Coverage; c.Num != 3 || c.Den != 4 {
		t.Errorf("coverage %d of %d, want 3 of 4 (the deal won in June is not recent)", c.Num, c.Den)
	}
}

// TestLeftOut: the headline's count of events read says how many the
// figures leave out, and why, every reason counted once.
func TestLeftOut(t *testing.T) {
	if got := leftOut(InputStats{Events: 10}); got != "" {
		t.Errorf("nothing left out: %q", got)
	}
	got := leftOut(InputStats{Events: 40, OutsideDates: 1, OtherDeals: 2, Unknown: 3, LocalPreview: 4})
	if want := " (10 left out: 1 outside the report's days, 2 of other deals, 3 of a deal or person the content no longer has, 4 of the local preview (maproom serve))"; got != want {
		t.Errorf("leftOut = %q, want %q", got, want)
	}
}
