package report

import (
	"sort"
	"testing"
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
	if w := acme.Week; w == nil || w.Since != "2026-11-15" || w.Visits != 4 || len(w.Visitors) != 3 || w.Visitors[0] != "Priya Raman" {
		t.Errorf("acme's week: %+v; want 4 visits since 2026-11-15 by Priya Raman, Marcus Chen, Tom Bradley", acme.Week)
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
