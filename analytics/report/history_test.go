package report

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/schedule"
)

// historyReport is the scenarios' plans with a history: acme's security
// milestone moved later twice and a task moved past the close, one change
// by the buyer (an accepted reply), a step added and another removed by
// the seller; globex only ever edited by the seller;
// initech (won) edited by its buyer. No events are read.
func historyReport(t *testing.T) *Report {
	t.Helper()
	return historyReportWith(t, nil)
}

// historyReportWith is historyReport with its options changed by set.
func historyReportWith(t *testing.T, set func(*ReportOptions)) *Report {
	t.Helper()
	deals, s := scenarioSite(t)
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time().Add(10 * time.Hour) }
	buyer := history.Author{Name: "Jordan Park", Email: "jordan@acme.example", Stakeholder: "jordan", Side: deal.Buyer}
	seller := history.Author{Name: "Sam Lee", Email: "sam@north.example", Side: deal.Seller}
	stories := map[string]*history.Story{
		"acme": {Deal: "acme", Commits: 5, First: at("2026-09-01"), Last: at("2026-11-10"),
			Changes: []history.Change{
				{When: at("2026-09-01"), Kind: history.PlanCreated, Author: seller},
				{When: at("2026-10-01"), Kind: history.MilestoneDue, Item: "security", Title: "Security review approved", From: "2026-12-04", To: "2026-12-11", Days: 7, Close: deal.NewDate(2027, 1, 29), Author: seller},
				{When: at("2026-10-01"), Kind: history.TaskAdded, Item: "poc-scenarios", Milestone: "tech-eval", Title: "Proof-of-concept scenarios run", To: "2026-11-27", Close: deal.NewDate(2027, 1, 29), Author: seller},
				{When: at("2026-10-20"), Kind: history.TaskDue, Item: "sample-data", Title: "Anonymised sample datasets delivered", From: "2026-11-10", To: "2026-11-17", Days: 7, Close: deal.NewDate(2027, 1, 29), Author: buyer, Reply: "k3j5h7m2pq"},
				{When: at("2026-11-02"), Kind: history.MilestoneDue, Item: "security", Title: "Security review approved", From: "2026-12-11", To: "2026-12-18", Days: 7, Close: deal.NewDate(2027, 1, 29), Author: seller},
				{When: at("2026-11-02"), Kind: history.TaskRemoved, Item: "reference-call", Milestone: "needs", Title: "Customer reference call", From: "2026-10-28", Close: deal.NewDate(2027, 1, 29), Author: seller},
				{When: at("2026-11-10"), Kind: history.TaskDue, Item: "order-form", Title: "Order form countersigned", From: "2027-01-29", To: "2027-02-05", Days: 7, Close: deal.NewDate(2027, 1, 29), Author: seller},
			},
			Points: []history.Point{{When: at("2026-09-01"), Done: 0, Total: 8}, {When: at("2026-10-01"), Done: 2, Total: 8}, {When: at("2026-11-10"), Done: 3, Total: 8}}},
		"globex": {Deal: "globex", Commits: 1, First: at("2026-09-15"), Last: at("2026-09-15"),
			Changes: []history.Change{{When: at("2026-09-15"), Kind: history.PlanCreated, Author: seller}},
			Points:  []history.Point{{When: at("2026-09-15"), Done: 1, Total: 5}}},
		"initech": {Deal: "initech", Commits: 3, First: at("2026-08-01"), Last: at("2026-10-15"),
			Changes: []history.Change{{When: at("2026-08-01"), Kind: history.PlanCreated, Author: seller},
				{When: at("2026-09-01"), Kind: history.TaskStatus, Item: "quote-reviewed", Title: "Quote reviewed", From: "todo", To: "done", Author: history.Author{Name: "Daniel Ortiz", Side: deal.Buyer}},
				{When: at("2026-10-15"), Kind: history.OutcomeSet, From: "open", To: "won", Author: seller}},
			Points: []history.Point{{When: at("2026-08-01"), Done: 0, Total: 2}, {When: at("2026-09-01"), Done: 2, Total: 2}}},
	}
	for i := range deals {
		deals[i].Story = stories[deals[i].Deal.ID]
		if deals[i].Deal.ID == "acme" {
			// The plan as the story leaves it: the order form moved past
			// the close on 10 November, and still there.
			for _, t := range deals[i].Deal.Tasks() {
				if t.ID == "order-form" {
					t.Due = deal.NewDate(2027, 2, 5)
				}
			}
			plan, err := schedule.Compute(deals[i].Deal, scenarioToday, schedule.NewCalendar(s.Config.HolidayDays...))
			if err != nil {
				t.Fatal(err)
			}
			deals[i].Plan = plan
		}
	}
	opts := ReportOptions{Title: s.Config.Title, Location: s.Config.Location, Today: scenarioToday, Manifest: s.Manifest}
	if set != nil {
		set(&opts)
	}
	return NewAggregator(deals, opts).Report()
}

func TestReportHistory(t *testing.T) {
	r := historyReport(t)
	acme := findDeal(t, r, "acme")
	h := acme.History
	if h == nil || h.Commits != 5 || h.BuyerEdits != 1 || h.First != "2026-09-01" {
		t.Fatalf("acme history = %+v", h)
	}
	if h.LastBuyerEdit == nil || h.LastBuyerEdit.Day != "2026-10-20" || !strings.HasPrefix(h.LastBuyerEdit.Who, "Jordan Park (reply)") {
		t.Errorf("last buyer edit = %+v", h.LastBuyerEdit)
	}
	if len(h.Slips) != 3 || h.Slips[0].ID != "security" || h.Slips[0].Moves != 2 || h.Slips[0].Days != 14 {
		t.Errorf("slips = %+v, want security twice first", h.Slips)
	}
	if n := len(h.Burnup); n == 0 || h.Burnup[n-1] != (BurnupWeek{Week: "2026-11-22", Done: 3, Total: 8}) {
		t.Errorf("burn-up = %+v", h.Burnup)
	}
	kinds := func(d *DealReport) []string {
		var out []string
		for _, s := range d.Signals {
			out = append(out, s.Kind)
		}
		return out
	}
	for _, k := range []string{history.SignalSlipped, history.SignalPastClose} {
		if !slices.Contains(kinds(acme), k) {
			t.Errorf("acme lacks the %s signal: %q", k, kinds(acme))
		}
	}
	if slices.Contains(kinds(acme), history.SignalNoBuyerEdit) {
		t.Errorf("acme, edited by its buyer, is signalled for no buyer edit")
	}
	// globex: 1 of 5 done since 15 September, but its first open step came
	// due on 17 November, 5 days ago: flat while nothing was due is no
	// zombie (completion-flat counts from the first due date after the
	// last progress).
	globex := findDeal(t, r, "globex")
	if !slices.Contains(kinds(globex), history.SignalNoBuyerEdit) || slices.Contains(kinds(globex), history.SignalFlat) {
		t.Errorf("globex signals = %q, want no-buyer-edit and no completion-flat", kinds(globex))
	}
	if hooli := findDeal(t, r, "hooli"); hooli.History != nil || slices.Contains(kinds(hooli), history.SignalFlat) {
		t.Errorf("hooli has no story and the report was not told the site is outside git: no history signal, got %q", kinds(hooli))
	}
	ph := r.Portfolio.History
	nd := func(r Ratio) [2]int { return [2]int{r.Num, r.Den} }
	if ph == nil || ph.Deals != 3 || nd(ph.WithBuyerEdits) != [2]int{2, 3} || nd(ph.WinRateWithBuyerEdits) != [2]int{1, 1} || nd(ph.WinRateWithoutBuyerEdits) != [2]int{0, 0} {
		t.Errorf("portfolio history = %+v", ph)
	}
	// Every move later counts: security's two, and one each of two others.
	if ph != nil && (ph.MedianSlipDays == nil || *ph.MedianSlipDays != 7 || ph.Slips != 4) {
		t.Errorf("median slip = %v of %d", ph.MedianSlipDays, ph.Slips)
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := reportSchema(t).Validate(decodeJSON(t, b.Bytes())); err != nil {
		t.Errorf("the history report does not validate: %v", err)
	}
	b.Reset()
	r.WriteHTML(&b)
	if !strings.Contains(b.String(), `<svg class="burnup"`) || !strings.Contains(b.String(), `class="slip"`) {
		t.Errorf("the HTML report lacks the burn-up or the slips on the timeline")
	}
	// The chart's figures are in words under it, for a printed page.
	if !strings.Contains(b.String(), `<p class="meta">Done of all tasks by week: 0 of 8 in the week to 2026-09-06, 3 of 8 in the week to 2026-11-22.</p>`) {
		t.Errorf("the burn-up's figures are not written under it")
	}

	// Outside git, the report is told so: completion flat from the done:
	// dates.
	deals, _ := scenarioSite(t)
	out := NewAggregator(deals, ReportOptions{Today: scenarioToday, HistoryNote: "not in git"}).Report()
	if out.HistoryNote != "not in git" || out.Portfolio.History != nil {
		t.Errorf("outside git: note %q, portfolio history %+v", out.HistoryNote, out.Portfolio.History)
	}
}

// TestReportHistoryGoldens pins every format of the history report.
func TestReportHistoryGoldens(t *testing.T) {
	r := historyReport(t)
	for _, g := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"history.txt", func(w io.Writer) error { return r.WriteTable(w, false) }},
		{"history.md", r.WriteMarkdown},
		{"history.json", r.WriteJSON},
		{"history.csv", r.WriteCSV},
		{"history.html", r.WriteHTML},
		{"history-portfolio.txt", func(w io.Writer) error { return r.WritePortfolioTable(w, false) }},
		{"history-portfolio.md", r.WritePortfolioMarkdown},
		{"history-portfolio.html", r.WritePortfolioHTML},
		{"history-portfolio.csv", r.WritePortfolioCSV},
		{"history-portfolio.json", r.WritePortfolioJSON},
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

// TestPortfolioJSONCarriesTheHistory: the portfolio's JSON gives each
// deal's history figures, as its CSV does, and keeps to the schema: a
// reader can tell which deals the buyer-edit share, the median slip and
// the win rates with and without buyer edits count.
func TestPortfolioJSONCarriesTheHistory(t *testing.T) {
	r := historyReport(t)
	var b bytes.Buffer
	if err := r.WritePortfolioJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := reportSchema(t).Validate(decodeJSON(t, b.Bytes())); err != nil {
		t.Errorf("the portfolio JSON with history breaks the schema: %v", err)
	}
	var c bytes.Buffer
	if err := r.WritePortfolioCSV(&c); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, row := range r.Portfolio.Rows {
		if row.History == nil {
			continue
		}
		rows++
		h := row.History
		each := make([]string, len(h.SlipEachDays))
		for i, d := range h.SlipEachDays {
			each[i] = fmt.Sprint(d)
		}
		want := fmt.Sprintf(",%d,%d,%d,%d,%s,%v,", h.Commits, h.BuyerEdits, h.Slips, h.SlipDays, strings.Join(each, ";"), h.InHistoryFigures)
		if !strings.Contains(c.String(), "\n"+row.Deal+",") || !strings.Contains(c.String(), want) {
			t.Errorf("%s: the JSON's history %+v is not the CSV's (%s):\n%s", row.Deal, h, want, c.String())
		}
	}
	if rows == 0 {
		t.Fatal("no portfolio row has a history")
	}
}

// TestPortfolioMedianSlip: the median slip is over every move later of
// every deal, not over items: moves of 1, 1 and 28 days in one deal and
// of 2 in another have the median 1.5, rounded to 2, of 4 slips. A move
// earlier is no slip.
func TestPortfolioMedianSlip(t *testing.T) {
	move := func(item string, from, to string, days int) history.Change {
		return history.Change{Kind: history.TaskDue, Item: item, Title: item, From: from, To: to, Days: days}
	}
	d := patternDeal()
	one := &history.Story{Commits: 4, Changes: []history.Change{
		move("t1", "2026-11-01", "2026-11-02", 1), move("t1", "2026-11-02", "2026-11-03", 1),
		move("t1", "2026-11-03", "2026-12-01", 28), move("t1", "2026-12-01", "2026-11-20", -11)}}
	two := &history.Story{Commits: 1, Changes: []history.Change{move("t1", "2026-11-01", "2026-11-03", 2)}}
	today := deal.NewDate(2026, time.December, 5)
	var opts ReportOptions
	ph := portfolioHistory([]DealReport{
		{ID: "one", Outcome: "open", History: dealHistory(d, one, today, &opts)},
		{ID: "two", Outcome: "open", History: dealHistory(d, two, today, &opts)},
	})
	if ph == nil || ph.MedianSlipDays == nil || *ph.MedianSlipDays != 2 || ph.Slips != 4 {
		t.Errorf("portfolio history %+v, want the median slip 2 days (1.5 rounded) of 4 slips", ph)
	}
}

// TestPortfolioSlipWithItsMilestone: a step moved later in the commit
// that moves its milestone later is one slip, the milestone's: a milestone
// moved twice with its last step, and the step once more alone, is three
// slips across deals, not five; the deal's list still shows both items.
func TestPortfolioSlipWithItsMilestone(t *testing.T) {
	mk := func(commit string, k history.Kind, item, ms, from, to string) history.Change {
		f, _ := deal.ParseDate(from)
		t, _ := deal.ParseDate(to)
		return history.Change{Commit: commit, Kind: k, Item: item, Milestone: ms, Title: item, From: from, To: to, Days: f.DaysUntil(t)}
	}
	st := &history.Story{Commits: 3, Changes: []history.Change{
		mk("c1", history.MilestoneDue, "m", "", "2026-12-01", "2026-12-15"), mk("c1", history.TaskDue, "t", "m", "2026-12-01", "2026-12-15"),
		mk("c2", history.MilestoneDue, "m", "", "2026-12-15", "2026-12-29"), mk("c2", history.TaskDue, "t", "m", "2026-12-15", "2026-12-29"),
		mk("c3", history.TaskDue, "t", "m", "2026-12-29", "2027-01-05")}}
	var opts ReportOptions
	h := dealHistory(patternDeal(), st, deal.NewDate(2026, time.December, 5), &opts)
	if len(h.Slips) != 2 {
		t.Errorf("the deal's slips %+v, want the milestone's and the step's", h.Slips)
	} else if i := slices.IndexFunc(h.Slips, func(sl SlipLine) bool { return sl.ID == "t" }); i < 0 || h.Slips[i].WithMilestone != 2 || h.Slips[i].along() != "; 2 moves of them in the same commit as a move of its milestone" {
		t.Errorf("the deal's slips %+v, want the step's 2 of 3 moves with its milestone's", h.Slips)
	}
	ph := portfolioHistory([]DealReport{{ID: "d", Outcome: "open", History: h}})
	if ph == nil || ph.Slips != 3 || ph.MedianSlipDays == nil || *ph.MedianSlipDays != 14 {
		t.Errorf("portfolio history %+v, want 3 slips (14, 14 and 7 days), the median 14", ph)
	}

	// A step that went to another milestone slips with the milestone it
	// is in at that commit: in c2, t (now in m2) slips while m, no longer
	// its milestone, slips too: two slips; in c3 t slips with m2: one.
	st = &history.Story{Commits: 3, Changes: []history.Change{
		mk("c1", history.TaskDue, "t", "m", "2026-12-01", "2026-12-08"),
		mk("c2", history.TaskDue, "t", "m2", "2026-12-08", "2026-12-22"), mk("c2", history.MilestoneDue, "m", "", "2026-12-15", "2026-12-25"),
		mk("c3", history.MilestoneDue, "m2", "", "2027-01-05", "2027-01-16"), mk("c3", history.TaskDue, "t", "m2", "2026-12-22", "2027-01-05")}}
	h = dealHistory(patternDeal(), st, deal.NewDate(2026, time.December, 5), &opts)
	if got := slices.Sorted(slices.Values(h.moves)); !slices.Equal(got, []int{7, 10, 11, 14}) {
		t.Errorf("the slips of a step that changed milestones: %v, want 7, 14 (c2, its own), 10 (m in c2) and 11 (m2 in c3; t's 14 with it)", got)
	}
}

// TestPortfolioSlipWithTheClose: a milestone and a step moved later in
// the commit that moved the close date later are one slip, the close's:
// the deal pushed three times, its signing milestone and step with it, and
// a step moved alone once, is four slips (15, 16, 31 and 5 days), not ten;
// the deal's list still shows each item.
func TestPortfolioSlipWithTheClose(t *testing.T) {
	mk := func(commit string, k history.Kind, item, ms, from, to string) history.Change {
		f, _ := deal.ParseDate(from)
		t, _ := deal.ParseDate(to)
		return history.Change{Commit: commit, Kind: k, Item: item, Milestone: ms, Title: item, From: from, To: to, Days: f.DaysUntil(t)}
	}
	var changes []history.Change
	for i, c := range [][2]string{{"2026-06-30", "2026-07-15"}, {"2026-07-15", "2026-07-31"}, {"2026-07-31", "2026-08-31"}} {
		commit := fmt.Sprintf("c%d", i+1)
		changes = append(changes, mk(commit, history.CloseMoved, "", "", c[0], c[1]),
			mk(commit, history.MilestoneDue, "signed", "", c[0], c[1]), mk(commit, history.TaskDue, "sign", "signed", c[0], c[1]))
	}
	changes = append(changes, mk("c4", history.TaskDue, "legal", "terms", "2026-06-01", "2026-06-06"))
	var opts ReportOptions
	h := dealHistory(patternDeal(), &history.Story{Commits: 4, Changes: changes}, deal.NewDate(2026, time.June, 10), &opts)
	if len(h.Slips) != 4 {
		t.Errorf("the deal's slips %+v, want the close's, the milestone's and both steps'", h.Slips)
	}
	// Each line says which of its moves came with the close's: the deal
	// slipped once for them, as the portfolio counts.
	var withClose []string
	for _, sl := range h.Slips {
		withClose = append(withClose, fmt.Sprintf("%s %d/%d%s", sl.ID, sl.WithClose, sl.Moves, sl.along()))
	}
	slices.Sort(withClose)
	if want := []string{" 0/3", "legal 0/1", "sign 3/3; each move in the same commit as a move of the close", "signed 3/3; each move in the same commit as a move of the close"}; !slices.Equal(withClose, want) {
		t.Errorf("moves with the close %q, want %q", withClose, want)
	}
	ph := portfolioHistory([]DealReport{{ID: "d", Outcome: "open", History: h}})
	if ph == nil || ph.Slips != 4 || ph.MedianSlipDays == nil || *ph.MedianSlipDays != 16 {
		t.Errorf("portfolio history %+v, want 4 slips (5, 15, 16 and 31 days), the median 16 (15.5 rounded)", ph)
	}
}

// TestPortfolioHistoryRunPlans: the figures across deals' histories count
// plans that git holds while the deal ran: a deal without a plan, and one
// first committed already won or lost (written up after the fact), are
// left out of the share with buyer edits and of both win rates.
func TestPortfolioHistoryRunPlans(t *testing.T) {
	d := patternDeal()
	won := *d
	won.Outcome = deal.Won
	lost := *d
	lost.Outcome = deal.Lost
	seller := history.Author{Name: "Sam Lee", Side: deal.Seller}
	created := history.Change{Kind: history.PlanCreated, Author: seller}
	ran := func(to deal.Outcome) *history.Story {
		return &history.Story{Commits: 2, Changes: []history.Change{created, {Kind: history.OutcomeSet, From: "open", To: string(to), Author: seller}}}
	}
	afterwards := &history.Story{Commits: 1, Changes: []history.Change{created}}
	today := deal.NewDate(2026, time.December, 5)
	var opts ReportOptions
	ph := portfolioHistory([]DealReport{
		{ID: "ran-won", Outcome: "won", Plan: PlanOK, History: dealHistory(&won, ran(deal.Won), today, &opts)},
		{ID: "ran-lost", Outcome: "lost", Plan: PlanOK, History: dealHistory(&lost, ran(deal.Lost), today, &opts)},
		{ID: "open", Outcome: "open", Plan: PlanOK, History: dealHistory(d, afterwards, today, &opts)},
		{ID: "written-up-won", Outcome: "won", Plan: PlanOK, History: dealHistory(&won, afterwards, today, &opts)},
		{ID: "no-plan-lost", Outcome: "lost", Plan: PlanNone, History: dealHistory(&lost, ran(deal.Lost), today, &opts)},
	})
	if ph == nil || ph.Deals != 3 || ph.WinRateWithoutBuyerEdits.Num != 1 || ph.WinRateWithoutBuyerEdits.Den != 2 || ph.WinRateWithBuyerEdits.Den != 0 {
		t.Errorf("portfolio history %+v, want 3 deals and a win rate of 1 in 2 without buyer edits (ran-won, ran-lost)", ph)
	}
}

// TestReportHistoryAsOfItsDay: a report for a past day reads the history
// up to that day's end: acme on 25 October has three commits, the
// security milestone moved once, and its buyer's edit of the 20th.
func TestReportHistoryAsOfItsDay(t *testing.T) {
	r := historyReportWith(t, func(o *ReportOptions) { o.Today = deal.NewDate(2026, time.October, 25) })
	h := findDeal(t, r, "acme").History
	if h.Commits != 3 || h.LastBuyerEdit == nil || h.LastBuyerEdit.Day != "2026-10-20" {
		t.Fatalf("acme history on 25 October = %+v, want 3 commits, the buyer's edit of the 20th", h)
	}
	if len(h.Slips) != 2 || h.Slips[0].Moves != 1 || h.Slips[1].Moves != 1 || h.Slips[0].ID+" "+h.Slips[1].ID != "sample-data security" {
		t.Errorf("slips on 25 October = %+v, want security and sample-data once each", h.Slips)
	}
	if s := findSignal(findDeal(t, r, "acme"), history.SignalPastClose); s != nil {
		t.Errorf("on 25 October the order form had not moved past the close yet: %+v", s)
	}
}

// TestReportFlatHeadline: the completion-flat signal's headline says the
// threshold maproom.toml sets, not always three weeks.
func TestReportFlatHeadline(t *testing.T) {
	for _, c := range []struct {
		days int
		want string
	}{{0, "flat for three weeks or more"}, {14, "flat for two weeks or more"}, {10, "flat for 10 days or more"}} {
		// 9 December: globex's first open step came due 22 days before.
		r := historyReportWith(t, func(o *ReportOptions) { o.History.FlatDays, o.Today = c.days, deal.NewDate(2026, time.December, 9) })
		s := findSignal(findDeal(t, r, "globex"), history.SignalFlat)
		if s == nil || !strings.Contains(s.Summary, c.want) {
			t.Errorf("flat_days %d: signal %+v, want %q", c.days, s, c.want)
		}
	}
}

// TestHistoryLinesSayRenameAndNoCommit: a deal whose folder was renamed
// says so in every format's history lines (they all print historyLines),
// and a deal with no commit by the report's day says that, not "0 commits
// since ".
func TestHistoryLinesSayRenameAndNoCommit(t *testing.T) {
	lines := historyLines(&DealHistory{Commits: 3, First: "2026-10-01", Former: []string{"globex-security-review"}})
	if !slices.Contains(lines, "the deal's folder was renamed from globex-security-review") {
		t.Errorf("renamed: %q", lines)
	}
	if lines := historyLines(&DealHistory{}); len(lines) == 0 || lines[0] != "no commit of the plan by the report's day" {
		t.Errorf("no commit: %q", lines)
	}
}

// TestBurnupWeekUnderWay: the week under way ends on the report's day, so
// the chart never reads "in the week to" a day still to come.
func TestBurnupWeekUnderWay(t *testing.T) {
	d := &deal.Deal{ID: "acme", Outcome: deal.Open, Milestones: []deal.Milestone{{ID: "m", Tasks: []deal.Task{{ID: "t", Status: deal.Todo}}}}}
	st := &history.Story{Deal: "acme", Commits: 1, First: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), Last: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC),
		Points: []history.Point{{When: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), Done: 0, Total: 1}}}
	h := dealHistory(d, st, deal.NewDate(2026, time.November, 20), &ReportOptions{Location: time.UTC})
	if n := len(h.Burnup); n == 0 || h.Burnup[n-1].Week != "2026-11-20" {
		t.Errorf("burn-up %+v, want the last week to end on the report's day, 2026-11-20", h.Burnup)
	}
}

// endedWithBuyerEdit reports on the scenario's deals with initech ended
// (won or lost) on 15 October, its plan created on 1 August, and one
// buyer edit on the day edit: the portfolio's history figures.
func endedWithBuyerEdit(t *testing.T, outcome deal.Outcome, edit string) *PortfolioHistory {
	t.Helper()
	deals, s := scenarioSite(t)
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time().Add(10 * time.Hour) }
	seller := history.Author{Name: "Sam Lee", Email: "sam@north.example", Side: deal.Seller}
	buyer := history.Author{Name: "Daniel Ortiz", Side: deal.Buyer}
	for i := range deals {
		deals[i].Story = nil
		if deals[i].Deal.ID != "initech" {
			continue
		}
		ended := *deals[i].Deal
		ended.Outcome = outcome
		deals[i].Deal = &ended
		changes := []history.Change{{When: at("2026-08-01"), Kind: history.PlanCreated, Author: seller},
			{When: at("2026-10-15"), Kind: history.OutcomeSet, From: "open", To: string(outcome), Author: seller},
			{When: at(edit), Kind: history.PlanEdited, Author: buyer}}
		if edit < "2026-10-15" {
			changes[1], changes[2] = changes[2], changes[1] // in time order
		}
		deals[i].Story = &history.Story{Deal: "initech", Commits: 3, First: at("2026-08-01"), Last: at(edit),
			Changes: changes, Points: []history.Point{{When: at("2026-08-01"), Done: 0, Total: 2}}}
	}
	return NewAggregator(deals, ReportOptions{Title: s.Config.Title, Location: s.Config.Location, Today: scenarioToday, Manifest: s.Manifest}).Report().Portfolio.History
}

func nd(r Ratio) [2]int { return [2]int{r.Num, r.Den} }

// TestBuyerEditsShareLeavesOutAfterLoss: a buyer's edit made after the
// deal was lost is no sign of a mutual plan: the share of deals with buyer
// edits leaves it out, as the win rates do.
func TestBuyerEditsShareLeavesOutAfterLoss(t *testing.T) {
	for _, tc := range []struct {
		edit string
		want [2]int
	}{{"2026-10-14", [2]int{1, 1}}, {"2026-10-20", [2]int{0, 1}}} {
		if ph := endedWithBuyerEdit(t, deal.Lost, tc.edit); ph == nil || nd(ph.WithBuyerEdits) != tc.want {
			t.Errorf("buyer edit on %s of a deal lost on 2026-10-15: portfolio history %+v, want with buyer edits %v", tc.edit, ph, tc.want)
		}
	}
}

// TestWinRateCountsEditsBeforeTheEnd: the win rate with buyer edits
// counts the edits made by the day the deal was marked won or lost; a
// buyer's edit during onboarding did not win it (the share of deals with
// buyer edits still counts it).
func TestWinRateCountsEditsBeforeTheEnd(t *testing.T) {
	for _, tc := range []struct {
		edit          string
		with, without [2]int
	}{
		{"2026-10-15", [2]int{1, 1}, [2]int{0, 0}}, // the day it was won
		{"2026-10-20", [2]int{0, 0}, [2]int{1, 1}}, // onboarding
	} {
		ph := endedWithBuyerEdit(t, deal.Won, tc.edit)
		if ph == nil || nd(ph.WithBuyerEdits) != [2]int{1, 1} || nd(ph.WinRateWithBuyerEdits) != tc.with || nd(ph.WinRateWithoutBuyerEdits) != tc.without {
			t.Errorf("buyer edit on %s: portfolio history %+v, want win rate with %v, without %v", tc.edit, ph, tc.with, tc.without)
		}
	}
}

// TestTimelineSlips: the HTML timeline has a row per milestone above its
// tasks, and draws every slip of a task or a milestone on its row, the
// mark titled with what moved, how many times, from when to when: acme's
// security milestone (moved later twice) on the milestone's row.
func TestTimelineSlips(t *testing.T) {
	r := historyReport(t)
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	i := strings.Index(page, `<h2>Northwind for Acme`)
	j := strings.Index(page[i:], `<h3>Plan timeline</h3>`)
	if i < 0 || j < 0 {
		t.Fatal("no timeline for acme")
	}
	svg := page[i+j:]
	svg = svg[:strings.Index(svg, `</svg>`)]
	slips := regexp.MustCompile(`<line x1="[^"]*" y1="([^"]*)" x2="[^"]*" y2="[^"]*" class="slip"(?:/>|><title>([^<]*)</title></line>)`).FindAllStringSubmatch(svg, -1)
	want := map[string]bool{
		`milestone &#34;Security review approved&#34; moved later 2 times, 14 days in all: from 2026-12-04 to 2026-12-18 (net &#43;14 days)`: false,
		`task &#34;Order form countersigned&#34; moved later 1 time, 7 days in all: from 2027-01-29 to 2027-02-05 (net &#43;7 days)`:         false,
		`task &#34;Anonymised sample datasets delivered&#34; moved later 1 time, 7 days in all: from 2026-11-10 to 2026-11-08 (net -2 days)`: false,
	}
	var securityY string
	for _, m := range slips {
		if _, ok := want[m[2]]; !ok {
			t.Errorf("slip mark titled %q, want one of %q", m[2], slices.Collect(maps.Keys(want)))
			continue
		}
		want[m[2]] = true
		if strings.HasPrefix(m[2], "milestone") {
			securityY = m[1]
		}
	}
	for title, seen := range want {
		if !seen {
			t.Errorf("no slip mark titled %q on the timeline", title)
		}
	}
	// The milestone's slip is on its row: the row's label is 15 below its
	// top, the slip rowH-4.
	label := regexp.MustCompile(`<text x="[^"]*" y="([^"]*)" text-anchor="end" class="ms">Security review approved</text>`).FindStringSubmatch(svg)
	if label == nil {
		t.Fatalf("no milestone row for the security review in the timeline:\n%s", svg)
	}
	ly, _ := strconv.ParseFloat(label[1], 64)
	if sy, err := strconv.ParseFloat(securityY, 64); err != nil || sy != ly+rowH-4-15 {
		t.Errorf("the security milestone's slip at y %q, its row's label at %s", securityY, label[1])
	}
	if !strings.Contains(svg, `<polygon points=`) || !strings.Contains(svg, `<title>Security review approved (milestone, lead Elena Novak): due 2026-12-18`) {
		t.Errorf("the milestone's date is not marked on its row")
	}
}

// TestActivityNamesWhoMarkedDone: a step done is its owner's in the
// activity list, and names who wrote it down in the plan when the history
// says that was someone else (the seller recording the buyer's step).
func TestActivityNamesWhoMarkedDone(t *testing.T) {
	today := deal.NewDate(2026, time.December, 1)
	d := patternDeal()
	sam := history.Author{Name: "Sam Seller", Email: "sam@seller.example", Stakeholder: "sam", Side: deal.Seller}
	st := &history.Story{Commits: 2, Changes: []history.Change{
		{Commit: "c1", When: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Kind: history.PlanCreated, Author: sam},
		{Commit: "c2", When: time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC), Kind: history.TaskStatus, Item: "review-pricing", From: "todo", To: "done", Author: sam}}}
	plan, err := schedule.Compute(d, today, schedule.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	r := NewAggregator([]ReportDeal{{Deal: d, Plan: plan, Story: st}}, ReportOptions{Today: today, HistoryRead: true}).Report()
	i := slices.IndexFunc(r.Deals[0].Activity, func(a Activity) bool { return a.Kind == ActivityDone })
	if i < 0 {
		t.Fatalf("activity %+v, want the step done", r.Deals[0].Activity)
	}
	if a := r.Deals[0].Activity[i]; a.Who != "Eve Buyer" || a.What != "done: Pricing reviewed (marked done in the plan by Sam Seller)" {
		t.Errorf("activity %+v, want Eve Buyer's step, marked done by Sam Seller", a)
	}
}

// TestSlipOfAPlanNotCommitted: a plan with a date moved on disk and not
// committed tells its slips from its commits alone: the date now and the
// net days are the last commit's, as the moves and days are.
func TestSlipOfAPlanNotCommitted(t *testing.T) {
	today := deal.NewDate(2026, time.September, 30)
	d := patternDeal()
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "t3", Title: "Terms", Owner: "sam", Status: deal.Todo,
		Due: deal.NewDate(2026, time.November, 11), Milestone: "m"}) // moved on disk from 4 November
	sam := history.Author{Name: "Sam Seller", Stakeholder: "sam", Side: deal.Seller}
	st := &history.Story{Commits: 2, Changes: []history.Change{
		{Commit: "c1", When: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC), Kind: history.PlanCreated, Author: sam},
		{Commit: "c2", When: time.Date(2026, 9, 10, 9, 0, 0, 0, time.UTC), Kind: history.TaskDue, Item: "t3", Milestone: "m", Title: "Terms",
			From: "2026-10-23", To: "2026-11-04", Days: 12, Author: sam}}}
	for _, uncommitted := range []bool{false, true} {
		r := NewAggregator([]ReportDeal{{Deal: d, Story: st, Uncommitted: uncommitted}}, ReportOptions{Today: today, HistoryRead: true}).Report()
		h := r.Deals[0].History
		want := SlipLine{Kind: "task", ID: "t3", Title: "Terms", Moves: 1, Days: 12, Net: 19, First: "2026-10-23", Now: "2026-11-11"}
		if uncommitted {
			want.Net, want.Now = 12, "2026-11-04"
		}
		if len(h.Slips) != 1 || h.Slips[0].Net != want.Net || h.Slips[0].Now != want.Now || h.Slips[0].Days != want.Days {
			t.Errorf("uncommitted %v: slips %+v, want %+v", uncommitted, h.Slips, want)
		}
	}
}

// TestBurnupAxes: the burn-up chart says its scale (0 and the most tasks,
// the first and the last week's dates), puts each week where its day
// falls (a week just begun stands near the one before, not a whole week
// on), and titles each point with its figures.
func TestBurnupAxes(t *testing.T) {
	h := &DealHistory{Burnup: []BurnupWeek{{"2026-11-01", 0, 8}, {"2026-11-08", 2, 8}, {"2026-11-15", 3, 9}, {"2026-11-16", 4, 9}}}
	svg := string(burnupSVG(h))
	for _, want := range []string{">9</text>", ">0</text>", ">1 Nov 2026</text>", ">16 Nov 2026</text>", "<title>week to 2026-11-08: 2 of 8 tasks done</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the burn-up lacks %q:\n%s", want, svg)
		}
	}
	var xs []float64
	for _, m := range regexp.MustCompile(`<circle cx="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		xs = append(xs, x)
	}
	if len(xs) != 4 {
		t.Fatalf("%d points, want 4:\n%s", len(xs), svg)
	}
	week, part := xs[1]-xs[0], xs[3]-xs[2]
	if d := part*7 - week; d < -1 || d > 1 {
		t.Errorf("a day's step is %.1f px beside a week's %.1f px, want a seventh of it", part, week)
	}
}

// TestHistoryCountsUnparsedCommits: the history line says how many commits
// left the plan unparsable beside those it counts, so that it matches the
// commits a seller sees in git log.
func TestHistoryCountsUnparsedCommits(t *testing.T) {
	st := &history.Story{Deal: "acme", Commits: 3, Unreadable: 2, First: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)}
	d := patternDeal()
	h := dealHistory(d, st, deal.NewDate(2026, 12, 7), &ReportOptions{})
	if h == nil || h.Unreadable != 2 {
		t.Fatalf("history %+v, want 2 unreadable commits", h)
	}
	if lines := strings.Join(historyLines(h), "\n"); !strings.Contains(lines, "3 commits (and 2 commits whose plan did not parse) since") {
		t.Errorf("history lines:\n%s", lines)
	}
}

// TestShallowHistorySaysSo: a shallow clone (a CI checkout) cuts globex's
// history after its plan began. The report says so in the deal's history
// lines and JSON, the no-buyer-edit signal claims nothing of who wrote the
// plan before, and the portfolio's history figures leave the deal out,
// saying how many it left out.
func TestShallowHistorySaysSo(t *testing.T) {
	deals, s := scenarioSite(t) // globex's the only story
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time().Add(10 * time.Hour) }
	seller := history.Author{Name: "Sam Lee", Email: "sam@north.example", Side: deal.Seller}
	for i := range deals {
		if deals[i].Deal.ID == "globex" {
			deals[i].Story = &history.Story{Deal: "globex", Commits: 2, First: at("2026-10-01"), Last: at("2026-10-08"), Shallow: true,
				Changes: []history.Change{{When: at("2026-10-08"), Kind: history.TaskStatus, Item: "x", From: "todo", To: "in-progress", Author: seller}},
				Points:  []history.Point{{When: at("2026-10-01"), Done: 1, Total: 5}}}
		}
	}
	rep := NewAggregator(deals, ReportOptions{Title: s.Config.Title, Location: s.Config.Location, Today: scenarioToday, Manifest: s.Manifest}).Report()
	var g *DealReport
	for i := range rep.Deals {
		if rep.Deals[i].ID == "globex" {
			g = &rep.Deals[i]
		}
	}
	if g == nil || g.History == nil || !g.History.Shallow {
		t.Fatalf("globex's history %+v, want it marked shallow", g)
	}
	if lines := strings.Join(historyLines(g.History), "\n"); !strings.Contains(lines, "a shallow clone: the history read starts at 2026-10-01") {
		t.Errorf("history lines %q, want the shallow clone said", lines)
	}
	found := false
	for _, sg := range g.Signals {
		if sg.Kind == history.SignalNoBuyerEdit {
			found = true
			if all := sg.Summary + strings.Join(sg.Evidence, " "); strings.Contains(all, "alone") || !strings.Contains(all, "shallow clone") {
				t.Errorf("no-buyer-edit in a shallow clone: %q, want it said of what the clone holds, not that the seller wrote alone", all)
			}
		}
	}
	if !found {
		t.Errorf("signals %+v, want no-buyer-edit of the history the clone holds", g.Signals)
	}
	ph := rep.Portfolio.History
	if ph == nil || ph.Shallow != 1 || ph.Deals != 0 {
		t.Errorf("portfolio history %+v, want globex left out and counted as such", ph)
	}
	var md bytes.Buffer
	if err := rep.WritePortfolioMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| Left out | 1 deal | a shallow clone cuts their history") {
		t.Errorf("the Markdown portfolio does not say globex was left out")
	}
}
