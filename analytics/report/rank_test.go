package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/schedule"
)

// lateAdmin is patternDeal with n steps of the seller's, each late by
// late days on today.
func lateAdmin(n int, today deal.Date, late int) *deal.Deal {
	d := patternDeal()
	for i := 1; i <= n; i++ {
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: fmt.Sprintf("admin%d", i), Title: fmt.Sprintf("Admin step %d", i),
			Owner: "sam", Status: deal.Todo, Due: today.AddDays(-late), Milestone: "m"})
	}
	return d
}

// TestAttentionOverdueGrouped: a deal's overdue work is one reason, worth
// its three most severe tasks: six late admin steps weigh as three do, and
// the late work piling up on one side, the same tasks, is said on that
// line, not counted again. Its line counts them by grade and names the
// worst by title, and the reasons come heaviest first, so the formats that
// list the first few show it.
func TestAttentionOverdueGrouped(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	overdue := func(dr *DealReport) []AttentionReason {
		return slices.DeleteFunc(slices.Clone(dr.Attention.Reasons), func(r AttentionReason) bool { return !strings.Contains(r.Why, "overdue") })
	}
	six := ruleReport(t, lateAdmin(6, today, 11), today)
	three := ruleReport(t, lateAdmin(3, today, 11), today)
	got := overdue(six)
	if len(got) != 1 {
		t.Fatalf("six late steps: reasons %+v, want one line for the overdue work", six.Attention.Reasons)
	}
	want := `6 overdue tasks: 6 alert, piling up on the seller side; the worst: "Admin step 1" (seller side) 11 calendar days late, "Admin step 2" (seller side) 11 calendar days late, "Admin step 3" (seller side) 11 calendar days late`
	if got[0].Why != want || got[0].Points != 3*attentionPoints["overdue-"+SeverityAlert] {
		t.Errorf("six late steps: %d points %q\nwant %d points %q", got[0].Points, got[0].Why, 3*attentionPoints["overdue-"+SeverityAlert], want)
	}
	if six.Attention.Score != three.Attention.Score {
		t.Errorf("six late steps score %d, three %d: want the same", six.Attention.Score, three.Attention.Score)
	}
	if findSignal(six, SignalLatePiling) == nil {
		t.Errorf("signals %+v: the late work piling up is still a signal of the deal", six.Signals)
	}
	if !slices.IsSortedFunc(six.Attention.Reasons, func(a, b AttentionReason) int { return b.Points - a.Points }) {
		t.Errorf("reasons %+v, want the heaviest first", six.Attention.Reasons)
	}
	if w := reasonsText(six.Attention.Reasons, 3); !strings.Contains(w, "6 overdue tasks") {
		t.Errorf("the ranking's why %q hides the overdue work", w)
	}

	// Graded by severity first: an alert and two flags outweigh a late
	// step, whatever the order; one task is told in the singular.
	d := patternDeal()
	for i, late := range []int{1, 8, 4, 5} {
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: fmt.Sprintf("t%d", i), Title: fmt.Sprintf("Step %d", i),
			Owner: "ch", Status: deal.Todo, Due: today.AddDays(-late), Milestone: "m"})
	}
	got = overdue(ruleReport(t, d, today))
	want = `4 overdue tasks: 1 alert, 2 flag, 1 late, piling up on the buyer side; the worst: "Step 1" (buyer side) 8 calendar days late, "Step 3" (buyer side) 5 calendar days late, "Step 2" (buyer side) 4 calendar days late`
	if len(got) != 1 || got[0].Why != want || got[0].Points != 4+2+2 {
		t.Errorf("four late steps: %+v\nwant 8 points %q", got, want)
	}
	one := ruleReport(t, lateAdmin(1, today, 3), today)
	if got := overdue(one); len(got) != 1 || got[0].Why != `1 overdue task (flag): "Admin step 1" (seller side) 3 calendar days late` {
		t.Errorf("one late step: %+v", got)
	}
	// An owner the plan does not name (a plan that fails check) leaves
	// no empty side: it says so.
	stray := lateAdmin(1, today, 3)
	stray.Milestones[0].Tasks[len(stray.Milestones[0].Tasks)-1].Owner = "nobody"
	if got := overdue(ruleReport(t, stray, today)); len(got) != 1 || !strings.Contains(got[0].Why, `"Admin step 1" (owner not among the stakeholders) 3 calendar days late`) {
		t.Errorf("a step of an owner the plan does not name: %+v", got)
	}
	// nor when it is held up by another late step
	held := lateAdmin(2, today, 11)
	ts := held.Milestones[0].Tasks
	ts[len(ts)-1].Owner, ts[len(ts)-1].After, ts[len(ts)-1].Due = "nobody", []string{ts[len(ts)-2].ID}, today.AddDays(-4)
	if got := overdue(ruleReport(t, held, today)); len(got) != 1 || !strings.Contains(got[0].Why, `holding up "Admin step 2" (owner not among the stakeholders, 4 calendar days late)`) {
		t.Errorf("a held-up step of an owner the plan does not name: %+v", got)
	}
}

// TestAttentionClosingSoonScales: with something else wrong, a deal
// closing within a week weighs more than one closing within 30 days, and
// one closing later nothing for it; with nothing else wrong, nothing.
func TestAttentionClosingSoonScales(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	closing := func(dr *DealReport) int {
		for _, r := range dr.Attention.Reasons {
			if strings.HasPrefix(r.Why, "closes ") {
				return r.Points
			}
		}
		return 0
	}
	for _, c := range []struct{ days, want int }{{0, 6}, {5, 6}, {7, 6}, {8, 3}, {30, 3}, {31, 0}} {
		d := lateAdmin(1, today, 10)
		d.Close = today.AddDays(c.days)
		if got := closing(ruleReport(t, d, today)); got != c.want {
			t.Errorf("close in %d days, a step late: %d points for closing, want %d", c.days, got, c.want)
		}
		healthy := patternDeal()
		healthy.Close = today.AddDays(c.days)
		if dr := ruleReport(t, healthy, today); dr.Attention.Score != 0 {
			t.Errorf("close in %d days, nothing wrong: attention %+v, want none", c.days, dr.Attention)
		}
	}
}

// TestAttentionAlertWeighsMore: a signal at alert weighs two points more
// than one of its kind at flag, single-threaded and open-past-close too
// (the latter through its past-close reason).
func TestAttentionAlertWeighsMore(t *testing.T) {
	points := func(dr *DealReport, part string) int {
		for _, r := range dr.Attention.Reasons {
			if strings.Contains(r.Why, part) {
				return r.Points
			}
		}
		return -1
	}
	one := patternDeal()
	one.Stakeholders = one.Stakeholders[1:] // the champion and the seller
	one.Milestones[0].Lead = "ch"
	flag := ruleReport(t, one, deal.NewDate(2026, time.November, 24)) // 66 days before the close
	alert := ruleReport(t, one, deal.NewDate(2027, time.January, 4))  // 25 days before
	if s := findSignal(alert, SignalSingleThreaded); s == nil || s.Severity != SeverityAlert || findSignal(flag, SignalSingleThreaded).Severity != SeverityFlag {
		t.Fatalf("signals %+v and %+v, want a single-threaded flag, then an alert", flag.Signals, alert.Signals)
	}
	if f, a := points(flag, "single-threaded"), points(alert, "single-threaded"); f != attentionPoints[SignalSingleThreaded] || a != f+2 {
		t.Errorf("single-threaded: %d points at flag, %d at alert; want %d and %d", f, a, attentionPoints[SignalSingleThreaded], attentionPoints[SignalSingleThreaded]+2)
	}

	today := deal.NewDate(2026, time.November, 24)
	for _, c := range []struct {
		ago  int
		sev  string
		want int
	}{{5, SeverityFlag, 6}, {7, SeverityAlert, 8}} {
		d := patternDeal()
		d.Close = today.AddDays(-c.ago)
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "sign", Title: "Order form signed", Owner: "eb", Status: deal.Todo, Due: deal.NewDate(2026, time.December, 20), Milestone: "m"})
		dr := ruleReport(t, d, today)
		if s := findSignal(dr, SignalOpenPastClose); s == nil || s.Severity != c.sev {
			t.Fatalf("close %d days ago: signals %+v, want open-past-close at %s", c.ago, dr.Signals, c.sev)
		}
		if got := points(dr, "after its close date"); got != c.want {
			t.Errorf("close %d days ago (%s): %d points, want %d", c.ago, c.sev, got, c.want)
		}
	}
}

// TestRankingBySizeWeightedPriority: the ranking calls first about the
// most value at risk, soonest. A 1.2M deal closing in 5 days, its economic
// buyer absent and one step of the buyer's 17 days late, comes before a
// 15k deal with six late admin steps and nothing else closer: the order is
// the points times the size weight, the value against the median value of
// the open deals with one, clipped to [0.5, 3]. The JSON and every format
// say the weight and the priority.
func TestRankingBySizeWeightedPriority(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	big := patternDeal()
	big.ID, big.Title, big.Value, big.Close = "apex", "Apex", 1_200_000, today.AddDays(5)
	big.Milestones[0].Tasks = append(big.Milestones[0].Tasks, deal.Task{ID: "risk", Title: "Security review", Owner: "ch",
		Status: deal.Todo, Due: today.AddDays(-17), Milestone: "m"})
	small := lateAdmin(6, today, 11)
	small.ID, small.Title, small.Value, small.Close = "bolt", "Bolt", 15_000, today.AddDays(73)
	mid := patternDeal()
	mid.ID, mid.Title, mid.Value = "core", "Core", 300_000
	novalue := lateAdmin(1, today, 3)
	novalue.ID, novalue.Title = "kilo", "Kilo"
	only := "" // -deal
	report := func(ds ...*deal.Deal) *Report {
		var in []ReportDeal
		cal := schedule.NewCalendar()
		for _, d := range ds {
			d.Milestones[0].Tasks[0].Collateral = nil // nothing to have read: not a reason here
			plan, err := schedule.Compute(d, today, cal)
			if err != nil {
				t.Fatal(err)
			}
			in = append(in, ReportDeal{Deal: d, Plan: plan})
		}
		a := NewAggregator(in, ReportOptions{Today: today, Calendar: cal, Deal: only})
		// A log read in which nobody came: every economic buyer is absent.
		if err := a.ReadLogs(context.Background(), []string{emptyLog(t)}); err != nil {
			t.Fatal(err)
		}
		return a.Report()
	}
	// A won deal ranked for its onboarding: its size is won, it weighs 1.
	won := onboardingDeal()
	won.ID, won.Title, won.Value, won.Outcome, won.Close = "pike", "Pike", 5_000_000, deal.Won, today.AddDays(-20)
	won.Milestones[0].Tasks[0].Status, won.Milestones[0].Tasks[0].Done = deal.Done, today.AddDays(-20)
	won.Milestones[1].Tasks[0].Due = today.AddDays(-10)
	// The report of one deal (-deal) weighs it as the whole portfolio does.
	only = "apex"
	if rk := report(big, small, mid, novalue, won).Portfolio.Ranking; len(rk) != 1 || rk[0].SizeWeight != 3 || rk[0].Priority != 63 {
		t.Errorf("-deal apex: ranking %+v, want apex weighed 3, priority 63", rk)
	}
	only = ""
	r := report(big, small, mid, novalue, won)
	p := r.Portfolio
	if p.SizeMedian != 300_000 {
		t.Errorf("size median %d, want 300,000 (of the open deals' 15k, 300k and 1.2M; kilo has no value)", p.SizeMedian)
	}
	var order []string
	byID := map[string]RankedDeal{}
	for _, rd := range p.Ranking {
		order = append(order, rd.Deal)
		byID[rd.Deal] = rd
	}
	if len(order) == 0 || order[0] != "apex" || slices.Index(order, "apex") > slices.Index(order, "bolt") {
		t.Errorf("ranking %q, want apex first and before bolt", order)
	}
	if !byID["pike"].Onboarding {
		t.Errorf("ranking %+v, want pike ranked for its onboarding", p.Ranking)
	}
	for id, want := range map[string]float64{"apex": 3, "bolt": 0.5, "core": 1, "kilo": 1, "pike": 1} {
		rd := byID[id]
		if rd.SizeWeight != want || rd.Priority != float64(rd.Score)*want {
			t.Errorf("%s: %d points, size weight %g, priority %g; want weight %g and priority %g", id, rd.Score, rd.SizeWeight, rd.Priority, want, float64(rd.Score)*want)
		}
	}
	if !slices.IsSortedFunc(p.Ranking, func(a, b RankedDeal) int { return cmp.Compare(b.Priority, a.Priority) }) {
		t.Errorf("ranking %+v, want the highest priority first", p.Ranking)
	}
	apex := byID["apex"]
	if apex.Score != 6+5+4+6 { // the decider, nobody visited, the late step at alert, closing this week
		t.Errorf("apex attention %+v, want 21 points", apex.Reasons)
	}

	// Each format says the weight and the priority on the ranking line.
	line := fmt.Sprintf("%d points × 3 (size)", apex.Score)
	for name, write := range map[string]func(io.Writer) error{
		"table":    func(w io.Writer) error { return r.WritePortfolioTable(w, false) },
		"markdown": r.WritePortfolioMarkdown,
		"html":     r.WritePortfolioHTML,
		"json":     r.WritePortfolioJSON,
		"csv":      r.WritePortfolioCSV,
	} {
		var b strings.Builder
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		want := map[string][]string{"json": {`"size_weight": 3,`, fmt.Sprintf(`"priority": %g`, apex.Priority)},
			"csv": {"apex,Apex,open,ok,true,1,2,5,1,"}}[name]
		if want == nil {
			want = []string{line, fmt.Sprint(apex.Priority)}
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", name, w, out)
			}
		}
		if name == "csv" && !strings.Contains(out, ",1,1200000,") {
			t.Errorf("csv: apex not ranked first:\n%s", out)
		}
		if name == "json" {
			if err := reportSchema(t).Validate(decodeJSON(t, []byte(out))); err != nil {
				t.Errorf("the JSON does not validate: %v", err)
			}
		}
	}

	// Fewer than 3 open deals with a value: no median, every weight 1,
	// the points alone; bolt's paperwork then outranks apex.
	r = report(big, small, novalue)
	if p := r.Portfolio; p.SizeMedian != 0 || slices.ContainsFunc(p.Ranking, func(rd RankedDeal) bool { return rd.SizeWeight != 1 }) {
		t.Errorf("two values: median %d, ranking %+v; want no median and every weight 1", p.SizeMedian, p.Ranking)
	}
}

// TestCommittedPipelineCurrentPlan: a committed forecast needs a current
// plan (domain.md): not a zombie plan (completion flat), nor one the buyer
// does not have (no room published, or nobody on the buyer's side).
func TestCommittedPipelineCurrentPlan(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	mk := func(id string, value int64, lastDone deal.Date) *deal.Deal {
		d := patternDeal()
		d.ID, d.Value = id, value
		d.Milestones[0].Tasks[0].Done = lastDone
		d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "terms", Title: "Terms agreed", Owner: "ch", Status: deal.Todo,
			Due: today.AddDays(20), Milestone: "m"})
		return d
	}
	good := mk("good", 1000, today.AddDays(-3))
	flat := mk("flat", 2000, today.AddDays(-30))
	flat.Milestones[0].Tasks[1].Due = today.AddDays(-25) // due weeks ago, and nothing done for a month
	unpublished := mk("unpublished", 4000, today.AddDays(-3))
	nobuyers := mk("nobuyers", 8000, today.AddDays(-3))
	nobuyers.Stakeholders = nobuyers.Stakeholders[2:] // the seller alone
	nobuyers.Milestones[0].Lead = "sam"
	for i := range nobuyers.Milestones[0].Tasks {
		nobuyers.Milestones[0].Tasks[i].Owner = "sam"
	}
	m := &manifest.Manifest{}
	for _, id := range []string{"good", "flat"} {
		for _, who := range []string{"eb", "ch"} {
			m.Rooms = append(m.Rooms, manifest.Room{Key: id + who, Deal: id, Stakeholder: who, Side: manifest.SideBuyer,
				Pages: []string{manifest.PageRoom}, Published: "2026-10-01"})
		}
	}
	var in []ReportDeal
	for _, d := range []*deal.Deal{good, flat, unpublished, nobuyers} {
		plan, err := schedule.Compute(d, today, schedule.NewCalendar())
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, ReportDeal{Deal: d, Plan: plan})
	}
	r := NewAggregator(in, ReportOptions{Today: today, Manifest: m, HistoryRead: true}).Report()
	for i, want := range []string{"", history.SignalFlat, SignalNotPublished, SignalNoBuyers} {
		if dr := &r.Deals[i]; dr.Plan != PlanOK || want != "" && findSignal(dr, want) == nil {
			t.Errorf("%s: plan %s, signals %+v; want a plan that passes check with %q", dr.ID, dr.Plan, dr.Signals, want)
		}
	}
	if p := r.Portfolio; p.Pipeline != 15000 || p.Committed != 1000 {
		t.Errorf("pipeline %d, committed %d; want 15000 and 1000 (the current plan alone)", p.Pipeline, p.Committed)
	}
}

// TestAttentionPastCloseIsTheOverrun: a step moved past the close date is
// the plan not fitting before it; the ranking counts that problem once.
func TestAttentionPastCloseIsTheOverrun(t *testing.T) {
	days := 40
	dr := &DealReport{ID: "d", Outcome: string(deal.Open), Plan: PlanOK, DaysToClose: &days,
		Schedule: &ScheduleSummary{Basis: ScheduleDueDates, LastDue: "2027-02-05", OverrunDays: 5},
		Signals:  []Signal{{Kind: history.SignalPastClose, Severity: SeverityAlert, Summary: "a date moved past the close date"}}}
	at := attention(dr)
	if at.Score != attentionPoints["overrun"] || len(at.Reasons) != 1 {
		t.Errorf("score %d, reasons %+v; want the overrun's %d points alone", at.Score, at.Reasons, attentionPoints["overrun"])
	}
	// The overrun's signal at alert weighs two points more, as any graded
	// kind's; counted once (the signal is the overrun's line).
	dr.Signals = append(dr.Signals, Signal{Kind: SignalOverrun, Severity: SeverityAlert, counted: true})
	if at := attention(dr); at.Score != attentionPoints["overrun"]+2 {
		t.Errorf("score %d, reasons %+v; want the overrun at alert, %d points", at.Score, at.Reasons, attentionPoints["overrun"]+2)
	}
	dr.Signals = dr.Signals[:1]
	dr.Schedule.Fits = true // without an overrun, the moved step counts
	if at := attention(dr); at.Score != attentionPoints[history.SignalPastClose] {
		t.Errorf("score %d, reasons %+v; want the moved step's %d points", at.Score, at.Reasons, attentionPoints[history.SignalPastClose])
	}
}
