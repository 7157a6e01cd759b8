package analytics

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the report goldens in testdata/report/golden from the actual output")

// scenarioReport builds the scenarios' report from their two instances' logs.
func scenarioReport(t testing.TB, opts ReportOptions) *Report {
	t.Helper()
	deals, site, m := scenarioSite(t)
	dir := t.TempDir()
	folders := writeScenarioLogs(t, dir, deals, scenarioVisits)
	opts.Title, opts.Location = site.Config.Title, site.Config.Location
	opts.FlagDays, opts.AlertDays, opts.Manifest = site.Config.Overdue.FlagDays, site.Config.Overdue.AlertDays, m
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
	// marcus's second visit has 8 events (a view, 4 heartbeats, 2 opens, a
	// hide), all copied; priya's retried heartbeat is one more.
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
	// A buyer task two weeks late: an alert, on the critical path, and the
	// buyer's turn.
	if len(acme.Overdue) != 1 {
		t.Fatalf("acme overdue = %+v", acme.Overdue)
	}
	if o := acme.Overdue[0]; o.Task != "sample-data" || o.DaysLate != 14 || o.Severity != SeverityAlert || o.Side != "buyer" || !o.Critical {
		t.Errorf("sample-data overdue = %+v, want 14 days late, alert, buyer, critical", o)
	}
	if acme.Turn == nil || acme.Turn.Side != "buyer" || acme.Turn.Task != "sample-data" || !acme.Turn.Critical {
		t.Errorf("acme turn = %+v, want the buyer's sample-data on the critical path", acme.Turn)
	}
	if acme.Progress.Done != 3 || acme.Progress.Total != 8 || acme.Progress.DoneLate != 1 {
		t.Errorf("acme progress = %+v, want 3/8 done, 1 late", acme.Progress)
	}

	// The approver never opened: the bot, the bare view and the webdriver
	// page-loads are scanner-like, not visits.
	grace := findPerson(t, acme, "grace")
	if grace.Visits != 0 || grace.Scanner != 3 || len(grace.Opened) != 0 {
		t.Errorf("grace = %+v, want 0 visits, 3 scanner-like", grace)
	}
	if s := findSignal(acme, SignalDeciderAbsent); s == nil || !strings.Contains(s.Summary, "Grace Okafor") ||
		!strings.Contains(strings.Join(s.Evidence, "\n"), "3 scanner-like page-loads") {
		t.Errorf("decider signal = %+v, want Grace with the 3 scanner-like page-loads as evidence", s)
	}

	// The scanner that opened everything in two seconds is not a read.
	jordan := findPerson(t, acme, "jordan")
	if jordan.Visits != 1 || jordan.Scanner != 1 || jordan.Glances != 1 {
		t.Errorf("jordan = %+v, want 1 visit, 1 scanner-like, 1 glance", jordan)
	}
	if len(jordan.Opened) != 1 || jordan.Opened[0].ID != "poc-plan" {
		t.Errorf("jordan opened %+v, want only poc-plan (the scanner's opens do not count)", jordan.Opened)
	}

	// The champion: every visit once despite the copies, three networks.
	marcus := findPerson(t, acme, "marcus")
	if marcus.Visits != 3 || marcus.Networks != 3 || marcus.ActiveSeconds != 45+60+27 {
		t.Errorf("marcus = %+v, want 3 visits, 3 networks, 132 s", marcus)
	}
	if marcus.FirstVisit != "2026-11-02T16:00:00Z" || marcus.LastVisit != "2026-11-21T09:00:00Z" {
		t.Errorf("marcus first %s last %s", marcus.FirstVisit, marcus.LastVisit)
	}
	// The old link counts, flagged.
	if tom := findPerson(t, acme, "tom"); tom.Visits != 1 || tom.OldLinkVisits != 1 {
		t.Errorf("tom = %+v, want 1 visit through the old link", tom)
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
	for _, k := range []string{SignalOnlyChampion, SignalQuiet, SignalLatePiling, SignalDeciderAbsent} {
		if findSignal(globex, k) == nil {
			t.Errorf("globex has no %s signal: %+v", k, globex.Signals)
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
	if p.Coverage.Num != 2 || p.Coverage.Den != 3 {
		t.Errorf("coverage = %+v, want 2 of 3 (hooli's plan fails check)", p.Coverage)
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
			golden(t, filepath.Join("testdata", "report", "golden", g.name), b.Bytes())
		})
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
