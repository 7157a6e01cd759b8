package report

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
)

// TestWeekActivityPipeline checks, on the report scenario for 22 November
// 2026, what a manager reads first: what changed in the week (the visits
// of the week and who made them, the steps newly overdue), the activity
// list (newest first, capped, each kind present), the turn's days late
// (the overdue table's for the same task) and the pipeline (the open
// deals' value, the won deals' apart).
func TestWeekActivityPipeline(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	byID := map[string]*DealReport{}
	for i := range r.Deals {
		byID[r.Deals[i].ID] = &r.Deals[i]
	}
	acme, globex := byID["acme"], byID["globex"]
	if acme == nil || globex == nil {
		t.Fatal("the scenario lost acme or globex")
	}
	// Tom's page-load came through his old link: not his visit.
	if w := acme.Week; w == nil || w.Since != "2026-11-15" || w.Visits != 3 || len(w.Visitors) != 2 || w.Visitors[0] != "Priya Raman" {
		t.Errorf("acme's week: %+v; want 3 visits since 2026-11-15 by Priya Raman, Marcus Chen", acme.Week)
	}
	if w := globex.Week; w == nil || len(w.NewOverdue) != 2 || w.Visits != 0 {
		t.Errorf("globex's week: %+v; want 2 steps newly overdue and no visit", globex.Week)
	}
	for _, d := range r.Deals {
		if len(d.Activity) > ActivityItems {
			t.Errorf("%s lists %d activities, more than %d", d.ID, len(d.Activity), ActivityItems)
		}
		if !sort.SliceIsSorted(d.Activity, func(i, j int) bool { return d.Activity[i].Time > d.Activity[j].Time }) {
			t.Errorf("%s's activity is not newest first: %+v", d.ID, d.Activity)
		}
		for _, a := range d.Activity {
			if a.Time > r.Today+"T99" {
				t.Errorf("%s lists %s of %s, after the report's day", d.ID, a.Kind, a.Time)
			}
		}
	}
	kinds := map[string]bool{}
	for _, a := range acme.Activity {
		kinds[a.Kind] = true
	}
	for _, k := range []string{ActivityVisit, ActivityRead, ActivityDone, ActivityReply} {
		if !kinds[k] {
			t.Errorf("acme's activity has no %s: %+v", k, acme.Activity)
		}
	}
	for _, d := range r.Deals {
		if d.Turn == nil {
			continue
		}
		late := 0
		for _, o := range d.Overdue {
			if o.Task == d.Turn.Task {
				late = o.DaysLate
			}
		}
		if d.Turn.DaysLate != late || (late > 0) != (d.Turn.Severity != "") {
			t.Errorf("%s's turn %s is %d days late (%q); the overdue table says %d", d.ID, d.Turn.Task, d.Turn.DaysLate, d.Turn.Severity, late)
		}
	}
	var open, won int64
	for _, d := range r.Deals {
		switch d.Outcome {
		case "open":
			open += d.Value
		case "won":
			won += d.Value
		}
	}
	if p := r.Portfolio; p == nil || p.Pipeline != open || p.WonValue != won || open == 0 {
		t.Errorf("portfolio pipeline %v; want %d open and %d won", p, open, won)
	}
}

// TestActivityListsDecidedReplies checks that a reply the seller decided
// stays in the activity list (the buyer engaged, whatever was decided),
// with the seller's last decision made by the report's day, and none made
// after it; a reply sent after the day is left out.
func TestActivityListsDecidedReplies(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2026, time.November, day, hour, 0, 0, 0, time.UTC) }
	decided := []reply.Record{
		{Reply: reply.Reply{ID: "r1", Deal: "d", Stakeholder: "ch", Kind: reply.Propose, Target: "review-pricing", Date: "2026-12-01", Time: at(18, 9)},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(19, 10), By: "Sam Seller"}}},
		{Reply: reply.Reply{ID: "r2", Deal: "d", Stakeholder: "eb", Kind: reply.Question, Text: "Can we pay yearly?", Time: at(20, 9)},
			Decisions: []reply.Decision{{State: reply.Answered, Time: at(23, 10), By: "Sam Seller"}}},
		{Reply: reply.Reply{ID: "r3", Deal: "d", Stakeholder: "eb", Kind: reply.Confirm, Target: "m", Time: at(23, 9)},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(23, 10)}}},
	}
	a := NewAggregator([]ReportDeal{{Deal: patternDeal(), Decided: decided}}, ReportOptions{Today: deal.NewDate(2026, time.November, 22)})
	var got []string
	for _, act := range a.Report().Deals[0].Activity {
		if act.Kind == ActivityReply {
			got = append(got, act.Time+" "+act.Who+" "+act.Side+": "+act.What)
		}
	}
	want := []string{
		"2026-11-20T09:00:00Z Eve Buyer buyer: sent a reply (question) about the plan",
		"2026-11-18T09:00:00Z Carl Champion buyer: sent a reply (propose) about Pricing reviewed: accepted on 2026-11-19 by Sam Seller",
	}
	if !slices.Equal(got, want) {
		t.Errorf("replies in the activity list:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestWeekVisitsFromSince: read from a day inside the week (-since), the
// week line counts the visits from that day and says so, as the days
// before it were not read.
func TestWeekVisitsFromSince(t *testing.T) {
	for _, c := range []struct {
		since deal.Date
		from  string
	}{{deal.Date{}, ""}, {deal.NewDate(2026, time.November, 10), ""}, {deal.NewDate(2026, time.November, 20), "2026-11-20"}} {
		r := scenarioReport(t, ReportOptions{Since: c.since})
		for _, d := range r.Deals {
			if d.Week == nil || d.Week.VisitsFrom != c.from {
				t.Errorf("since %s: %s's week %+v, want visits from %q", c.since, d.ID, d.Week, c.from)
			}
		}
		acme := r.Deals[slices.IndexFunc(r.Deals, func(d DealReport) bool { return d.ID == "acme" })]
		if line := weekText(acme.Week, acme.Progress.Percent); (c.from != "") != strings.Contains(line, "from 2026-11-20 (-since: the days before not read)") {
			t.Errorf("since %s: week line %q", c.since, line)
		}
	}
}

// TestActiveTimeRounds: active time reads in seconds under a minute, else
// to the nearest minute, never cut down (100 s is 2 minutes, not 1).
func TestActiveTimeRounds(t *testing.T) {
	for sec, want := range map[int64]string{0: "0", 40: "40s", 89: "1m", 100: "2m", 3569: "59m", 3570: "1h00m", 5430: "1h31m"} {
		if got := hoursMinutes(sec); got != want {
			t.Errorf("hoursMinutes(%d) = %q, want %q", sec, got, want)
		}
	}
}

// TestFirstColumnSaysSince: read from a day on (-since), the table's first
// visit is the first since that day, and its header says so.
func TestFirstColumnSaysSince(t *testing.T) {
	for since, want := range map[string]string{"": "  FIRST ", "2026-11-10": "  FIRST FROM 2026-11-10 "} {
		var opts ReportOptions
		if since != "" {
			opts.Since, _ = deal.ParseDate(since)
		}
		var b strings.Builder
		if err := scenarioReport(t, opts).WriteTable(&b, false); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("since %q: no %q in the stakeholder tables", since, want)
		}
		// The Markdown and HTML headers say the same.
		wantMD, wantHTML := "| First |", "<th>First</th>"
		if since != "" {
			wantMD, wantHTML = "| First from "+since+" |", "<th>First from "+since+"</th>"
		}
		b.Reset()
		if err := scenarioReport(t, opts).WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), wantMD) {
			t.Errorf("since %q: no %q in the Markdown stakeholder tables", since, wantMD)
		}
		b.Reset()
		if err := scenarioReport(t, opts).WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), wantHTML) {
			t.Errorf("since %q: no %q in the HTML stakeholder tables", since, wantHTML)
		}
	}
}

// TestWeekAgainstThePlanOfSince: in git, the week is told against the plan
// as it stood a week before, as that day's report told it: a step marked
// done this week with an earlier done date is done this week, the share
// before is the one that plan had, and a step late a week ago, given
// another date gone by since, is not newly overdue.
func TestWeekAgainstThePlanOfSince(t *testing.T) {
	day := func(m time.Month, d int) deal.Date { return deal.NewDate(2026, m, d) }
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	d := patternDeal()
	d.Milestones[0].Tasks = []deal.Task{
		{ID: "eval", Title: "Evaluation run", Owner: "eb", Status: deal.Done, Due: day(11, 18), Done: day(11, 18), Evidence: "Report", Milestone: "m"},
		{ID: "kickoff", Title: "Kickoff held", Owner: "ch", Status: deal.Done, Due: day(11, 27), Done: day(11, 27), Evidence: "Minutes", Milestone: "m"},
		{ID: "pilot", Title: "Pilot run", Owner: "ch", Status: deal.Todo, Due: day(11, 27), Evidence: "Pilot report", Milestone: "m"},
	}
	st := &history.Story{Deal: "d", Commits: 3, First: at(11, 1), Last: at(11, 30),
		Changes: []history.Change{
			{When: at(11, 1), Kind: history.PlanCreated},
			{When: at(11, 27), Kind: history.TaskStatus, Item: "kickoff", From: "todo", To: "done"},
			{When: at(11, 30), Kind: history.TaskStatus, Item: "eval", From: "todo", To: "done"},
			{When: at(11, 30), Kind: history.TaskDue, Item: "pilot", From: "2026-11-20", To: "2026-11-27", Days: 7},
		},
		Points: []history.Point{{When: at(11, 1), Done: 0, Total: 3}, {When: at(11, 27), Done: 1, Total: 3}, {When: at(11, 30), Done: 2, Total: 3}}}
	w := NewAggregator([]ReportDeal{{Deal: d, Story: st}}, ReportOptions{Today: day(12, 2)}).Report().Deals[0].Week
	var done []string
	for _, r := range w.Done {
		done = append(done, r.Task)
	}
	if !slices.Equal(done, []string{"eval", "kickoff"}) || w.PercentBefore != 0 || len(w.NewOverdue) != 0 {
		t.Errorf("week: done %v, %d%% before, newly overdue %+v; want eval and kickoff, 0%%, none (pilot was late on 25 November)", done, w.PercentBefore, w.NewOverdue)
	}
	// The date edited since the last commit: on 25 November the plan had
	// 20 November all the same.
	d.Milestones[0].Tasks[2].Due = day(11, 28)
	if w := NewAggregator([]ReportDeal{{Deal: d, Story: st}}, ReportOptions{Today: day(12, 2)}).Report().Deals[0].Week; len(w.NewOverdue) != 0 {
		t.Errorf("an edit not committed: newly overdue %+v, want none", w.NewOverdue)
	}
	d.Milestones[0].Tasks[2].Due = day(11, 27)
	// A step added since, dated in the past: not in the plan a week ago,
	// so newly overdue.
	d.Milestones[0].Tasks = append(d.Milestones[0].Tasks, deal.Task{ID: "dpa", Title: "DPA signed", Owner: "ch", Status: deal.Todo, Due: day(11, 20), Evidence: "DPA", Milestone: "m"})
	added := *st
	added.Changes = append(slices.Clone(st.Changes), history.Change{When: at(11, 30), Kind: history.TaskAdded, Item: "dpa", Title: "DPA signed"})
	w = NewAggregator([]ReportDeal{{Deal: d, Story: &added}}, ReportOptions{Today: day(12, 2)}).Report().Deals[0].Week
	if len(w.NewOverdue) != 1 || w.NewOverdue[0].Task != "dpa" {
		t.Errorf("a step added since, dated in the past: newly overdue %+v, want dpa", w.NewOverdue)
	}
	d.Milestones[0].Tasks = d.Milestones[0].Tasks[:3]
	// Outside git, the done dates and the dates as they are tell it.
	w = NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: day(12, 2)}).Report().Deals[0].Week
	if len(w.Done) != 1 || w.PercentBefore != 33 || len(w.NewOverdue) != 1 {
		t.Errorf("outside git: %+v, want kickoff done, 33%% before, pilot newly overdue", w)
	}
}
