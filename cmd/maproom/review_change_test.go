package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/history"
)

// TestDescribeChangeKinds: the agenda says every kind of change the
// history tells, a task handed over and a plan reworded included.
func TestDescribeChangeKinds(t *testing.T) {
	when := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	buyer := history.Author{Name: "Carl Champ", Side: deal.Buyer}
	d := &deal.Deal{Stakeholders: []deal.Stakeholder{{ID: "jane", Name: "Jane Buyer"}, {ID: "carl", Name: "Carl Champ"}}}
	for _, c := range []struct {
		ch   history.Change
		want string
	}{
		{history.Change{When: when, Kind: history.TaskOwner, Title: "Security review", From: "jane", To: "carl", Author: buyer},
			`task "Security review" handed from Jane Buyer to Carl Champ, by Carl Champ`},
		{history.Change{When: when, Kind: history.TaskOwner, Title: "DPA", From: "jane", To: "role:legal", Author: buyer},
			`task "DPA" handed from Jane Buyer to legal (unassigned), by Carl Champ`},
		{history.Change{When: when, Kind: history.PlanEdited, Author: buyer}, "the plan's wording edited, by Carl Champ"},
		{history.Change{When: when, Kind: history.OutcomeSet, From: "open", To: "won"}, "the deal marked won"},
		// What the plan says is words, never markup, when pasted into
		// Markdown or an email: a tag, an emphasis, a quote stay as written.
		{history.Change{When: when, Kind: history.TaskAdded, Title: `Order form <b>signed</b> & "countersigned" by *both*`, Author: buyer},
			`task "Order form \<b\>signed\</b\> \& "countersigned" by \*both\*" added, by Carl Champ`},
		{history.Change{When: when, Kind: history.TaskRetitled, From: "MSA", To: "<img src=x onerror=alert(1)>", Author: buyer},
			`task "MSA" renamed "\<img src=x onerror=alert(1)\>", by Carl Champ`},
	} {
		if got := describeChange(c.ch, d, time.UTC, false, md); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s: %q, want it to end %q", c.ch.Kind, got, c.want)
		}
	}
}

// TestReviewBlockersEachOnce: a blocked step that is late is one blocker
// line that says both, not in next week's list too; a step late only
// because it waits on it says so; and the report's alerts of the day (a
// decider who never opened the room) are blockers, in words.
func TestReviewBlockersEachOnce(t *testing.T) {
	today := deal.NewDate(2026, 12, 10)
	d := &deal.Deal{ID: "d", Title: "D", Buyer: "B", Seller: "S", Close: deal.NewDate(2027, 1, 29),
		Stakeholders: []deal.Stakeholder{{ID: "ann", Name: "Ann", Side: deal.Buyer}, {ID: "kofi", Name: "Kofi", Side: deal.Seller}},
		Milestones: []deal.Milestone{{ID: "m", Title: "M", Due: deal.NewDate(2027, 1, 15), Lead: "ann", Tasks: []deal.Task{
			{ID: "sso", Title: "SSO set up", Owner: "ann", Status: deal.Blocked, Due: deal.NewDate(2026, 12, 1), Milestone: "m"},
			{ID: "dpia", Title: "DPIA", Owner: "ann", Status: deal.Blocked, Due: deal.NewDate(2026, 12, 12), Milestone: "m"},
			{ID: "load", Title: "Ledgers loaded", Owner: "kofi", Status: deal.Todo, Due: deal.NewDate(2026, 12, 3), After: []string{"sso"}, Milestone: "m"},
		}}}}
	dr := &report.DealReport{
		Overdue: []report.OverdueTask{{Task: "load", WaitsOn: "sso"}},
		Signals: []report.Signal{{Kind: report.SignalDeciderAbsent, Severity: report.SeverityAlert, Summary: "the economic buyer Ann <CFO> never opened the room"},
			{Kind: report.SignalOpenPastClose, Severity: report.SeverityFlag, Summary: "still open 4 days after its close date"},
			{Kind: report.SignalMilestoneLate, Severity: report.SeverityFlag, Summary: "a flag not for the agenda"}}}
	agenda := reviewAgenda(reviewInput{Deal: d, Judged: dealJudged{dr: dr}, Due: func(t *deal.Task) deal.Date { return t.Due },
		Today: today, Loc: time.UTC, Overdue: deal.Thresholds{FlagDays: 3, AlertDays: 7}})
	for _, want := range []string{
		`- Blocked: "SSO set up" (Ann), due Tue 1 Dec, 9 days (alert).`,
		`- Late: "Ledgers loaded" (Kofi), due Thu 3 Dec, 7 days (alert), waiting on "SSO set up" (Ann).`,
		`- Blocked: "DPIA" (Ann).`,
		`- Warning: the economic buyer Ann \<CFO\> never opened the room.`,
		`- Warning: still open 4 days after its close date.`,
	} {
		if !strings.Contains(agenda, want+"\n") {
			t.Errorf("the agenda lacks %q:\n%s", want, agenda)
		}
	}
	if strings.Contains(agenda, "a flag not for the agenda") || strings.Count(agenda, `- Blocked: "SSO set up"`) != 1 || strings.Contains(agenda, `- Late: "SSO set up"`) || strings.Contains(agenda, `Due Sat 12 Dec: "DPIA"`) {
		t.Errorf("a blocked step is listed more than once:\n%s", agenda)
	}
}

// TestChangeLinesGroupMoves: the moves of one date are one line, from its
// first date to its last, where its last move is; the list of changes
// stops at maxChangeLines with how many more.
func TestChangeLinesGroupMoves(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC) }
	d := &deal.Deal{Stakeholders: []deal.Stakeholder{{ID: "sasha", Name: "Sasha Iver", Side: deal.Buyer}, {ID: "sam", Name: "Sam Lee", Side: deal.Seller}}}
	sasha := history.Author{Name: "Sasha Iver", Stakeholder: "sasha", Side: deal.Buyer}
	sam := history.Author{Name: "Sam Lee", Stakeholder: "sam", Side: deal.Seller}
	var cs []history.Change
	due := deal.NewDate(2026, 11, 27)
	for i := range 9 {
		// who moved it, each named once in the order they did: the
		// buyer's moves are what the meeting wants to know of
		by := []history.Author{sasha, sam, sasha}[min(i, 2)]
		cs = append(cs, history.Change{When: at(i + 1), Kind: history.TaskDue, Item: "poc", Title: "PoC", From: due.String(), To: due.AddDays(1).String(), Days: 1, Author: by})
		due = due.AddDays(1)
		if i == 4 {
			cs = append(cs, history.Change{When: at(i + 1), Kind: history.TaskAdded, Item: "x", Title: "X"})
		}
	}
	got := changeLines(cs, d, time.UTC)
	want := []string{`Thu 5 Nov: task "X" added`, `Sun 1 Nov to Mon 9 Nov: task "PoC" moved 9 times, 27 Nov to 6 Dec (net +9 days), by Sasha Iver and Sam Lee`}
	if !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// TestReviewNoteOfTheMeetingDay: a note saved under the meeting's own day
// (while it is prepared) is that meeting's: the agenda counts from the
// review before it, not from the note. A milestone past its date says how
// late it is; a next review on a holiday says so.
func TestReviewNoteOfTheMeetingDay(t *testing.T) {
	d := &deal.Deal{ID: "d", Title: "D", Close: deal.NewDate(2027, 1, 29), Outcome: deal.Open, Review: deal.Review{Day: time.Tuesday, HasDay: true, Time: "15:00"},
		Milestones: []deal.Milestone{{ID: "m", Title: "Security", Due: deal.NewDate(2026, 11, 27), Tasks: []deal.Task{{ID: "t", Title: "T", Status: deal.Todo, Milestone: "m"}}}}}
	agenda := reviewAgenda(reviewInput{Deal: d, Notes: []handoff.Review{{Day: "2026-11-24"}, {Day: "2026-12-01"}}, Judged: dealJudged{dr: &report.DealReport{}},
		Holidays: []deal.Date{deal.NewDate(2026, 12, 8)},
		Due:      func(t *deal.Task) deal.Date { return t.Due }, Today: deal.NewDate(2026, 12, 1), Loc: time.UTC})
	if !strings.Contains(agenda, "- Last review: Tue 24 Nov (reviews/2026-11-24.md).\n") ||
		!strings.Contains(agenda, `- Milestone "Security" (lead `) || !strings.Contains(agenda, "due Fri 27 Nov): 0 of 1 done, 4 days late.\n") ||
		!strings.Contains(agenda, "- Next review: Tue 8 Dec at 15:00 (a holiday in the site's calendar: agree another day).\n") {
		t.Errorf("the agenda of 1 December, with its own note saved:\n%s", agenda)
	}
}

// TestReviewPastTheClose: an open deal past its close date says so in the
// agenda's header.
func TestReviewPastTheClose(t *testing.T) {
	d := &deal.Deal{ID: "d", Title: "D", Close: deal.NewDate(2026, 12, 18), Outcome: deal.Open}
	agenda := reviewAgenda(reviewInput{Deal: d, Judged: dealJudged{dr: &report.DealReport{}}, Due: func(t *deal.Task) deal.Date { return t.Due },
		Today: deal.NewDate(2026, 12, 24), Loc: time.UTC})
	if !strings.Contains(agenda, "Close: Fri 18 Dec (passed 6 days ago, still open) · ") {
		t.Errorf("the agenda of an open deal 6 days past its close:\n%s", agenda)
	}
}

// TestReviewChangesOverflow: past maxChangeLines the agenda says how many
// more there are and which command lists them all.
func TestReviewChangesOverflow(t *testing.T) {
	today := deal.NewDate(2026, 12, 10)
	d := &deal.Deal{ID: "acme", Title: "D", Buyer: "B", Seller: "S", Close: deal.NewDate(2027, 1, 29)}
	st := &history.Story{Deal: "acme", First: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	for i := range maxChangeLines + 4 {
		st.Changes = append(st.Changes, history.Change{When: time.Date(2026, 12, 7, 9, i, 0, 0, time.UTC), Kind: history.TaskAdded, Item: fmt.Sprint("t", i), Title: fmt.Sprint("Step ", i)})
	}
	agenda := reviewAgenda(reviewInput{Deal: d, Story: st, Judged: dealJudged{dr: &report.DealReport{}}, Due: func(t *deal.Task) deal.Date { return t.Due },
		Today: today, Loc: time.UTC, InGit: true})
	if want := "  - and 4 more: `maproom handoff acme` lists every change of the plan"; !strings.Contains(agenda, want) {
		t.Errorf("the agenda lacks %q:\n%s", want, agenda)
	}
	if strings.Count(agenda, `" added`) != maxChangeLines {
		t.Errorf("the agenda lists %d changes, want %d:\n%s", strings.Count(agenda, `" added`), maxChangeLines, agenda)
	}
}
