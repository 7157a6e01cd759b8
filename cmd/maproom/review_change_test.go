package main

import (
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
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
		if got := describeChange(c.ch, d, time.UTC, false); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s: %q, want it to end %q", c.ch.Kind, got, c.want)
		}
	}
}
