package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// addRemoveReport is the scenarios' report with acme's plan history one of
// steps added and removed: on 20 September Elena (a buyer stakeholder
// committing as "enovak (MacBook-Pro)") adds the pen test; on 5 October
// the seller adds the legal milestone with two steps; on 12 October the
// seller removes the reference call; on 20 October Jordan's accepted
// reply adds an executive briefing, which the seller removes again on 2
// November. A date moved (the same step under the id it has now, as the
// story tells a renamed one) is no addition. The report is of day today.
func addRemoveReport(t *testing.T, today deal.Date) *Report {
	t.Helper()
	deals, s := scenarioSite(t)
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time().Add(10 * time.Hour) }
	seller := history.Author{Name: "Sam Lee", Email: "sam@north.example", Side: deal.Seller}
	elena := history.Author{Name: "enovak (MacBook-Pro)", Email: "elena@acme.example", Stakeholder: "elena", Side: deal.Buyer}
	jordan := history.Author{Name: "Jordan Park", Email: "jordan@acme.example", Stakeholder: "jordan", Side: deal.Buyer}
	close := deal.NewDate(2027, 1, 29)
	ch := func(commit, day string, k history.Kind, item, ms, title, from, to string, a history.Author) history.Change {
		return history.Change{Commit: commit, When: at(day), Kind: k, Item: item, Milestone: ms, Title: title, From: from, To: to, Close: close, Author: a}
	}
	reply := ch("c5", "2026-10-20", history.TaskAdded, "exec-brief", "security", "Executive briefing held", "", "2026-12-10", jordan)
	reply.Reply = "k3j5h7m2pq"
	st := &history.Story{Deal: "acme", Commits: 7, First: at("2026-09-01"), Last: at("2026-11-02"),
		Changes: []history.Change{
			{Commit: "c1", When: at("2026-09-01"), Kind: history.PlanCreated, Author: seller},
			ch("c2", "2026-09-20", history.TaskAdded, "pen-test", "security", "Penetration test report shared", "", "2026-12-01", elena),
			ch("c3", "2026-10-05", history.MilestoneAdded, "legal", "", "Legal review done", "", "2027-01-15", seller),
			ch("c3", "2026-10-05", history.TaskAdded, "msa", "legal", "MSA redlines agreed", "", "2027-01-08", seller),
			ch("c3", "2026-10-05", history.TaskAdded, "dpa", "legal", "DPA signed", "", "2027-01-15", seller),
			ch("c4", "2026-10-12", history.TaskRemoved, "reference-call", "needs", "Customer reference call", "2026-10-28", "", seller),
			ch("c4", "2026-10-12", history.TaskDue, "sample-data", "tech-eval", "Anonymised sample datasets delivered", "2026-11-01", "2026-11-08", seller),
			reply,
			ch("c6", "2026-11-02", history.TaskRemoved, "exec-brief", "security", "Executive briefing held", "2026-12-10", "", seller),
		},
		Points: []history.Point{{When: at("2026-09-01"), Done: 0, Total: 8}}}
	for i := range deals {
		if deals[i].Deal.ID == "acme" {
			deals[i].Story = st
		}
	}
	return NewAggregator(deals, ReportOptions{Title: s.Config.Title, Location: s.Config.Location, Today: today, Manifest: s.Manifest}).Report()
}

// TestReportAddedRemoved: every format's history lists the steps and
// milestones added after the plan's first version and the steps removed,
// with the day, who (a buyer as the plan names them) and the title; the
// table, Markdown and HTML the latest few with the counts, the JSON and
// CSV all of them. A step added and removed again is there twice.
func TestReportAddedRemoved(t *testing.T) {
	r := addRemoveReport(t, scenarioToday)
	type row struct{ change, kind, id, day, who, side string }
	want := []row{
		{"added", "task", "pen-test", "2026-09-20", "Elena Novak", "buyer"},
		{"added", "milestone", "legal", "2026-10-05", "Sam Lee", "seller"},
		{"added", "task", "msa", "2026-10-05", "Sam Lee", "seller"},
		{"added", "task", "dpa", "2026-10-05", "Sam Lee", "seller"},
		{"removed", "task", "reference-call", "2026-10-12", "Sam Lee", "seller"},
		{"added", "task", "exec-brief", "2026-10-20", "Jordan Park (reply)", "buyer"},
		{"removed", "task", "exec-brief", "2026-11-02", "Sam Lee", "seller"},
	}

	// JSON: all of them, and the schema takes them.
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := reportSchema(t).Validate(decodeJSON(t, b.Bytes())); err != nil {
		t.Errorf("the report does not validate: %v", err)
	}
	var doc struct {
		Deals []struct {
			ID      string `json:"id"`
			History *struct {
				AddedRemoved []map[string]string `json:"added_removed"`
			} `json:"history"`
		} `json:"deals"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var got []row
	for _, d := range doc.Deals {
		if d.ID == "acme" && d.History != nil {
			for _, s := range d.History.AddedRemoved {
				got = append(got, row{s["change"], s["kind"], s["id"], s["day"], s["who"], s["side"]})
				if s["title"] == "" {
					t.Errorf("JSON: %v has no title", s)
				}
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("JSON added_removed:\n got %v\nwant %v", got, want)
	}

	// CSV: an added or removed row each, its day in the day column.
	b.Reset()
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	got = nil
	for _, rec := range recs[1:] {
		if rec[0] == "added" || rec[0] == "removed" {
			got = append(got, row{rec[0], rec[col["status"]], rec[col["id"]], rec[col["day"]], rec[col["owner"]], rec[col["side"]]})
		}
	}
	if _, ok := col["day"]; !ok || !slices.Equal(got, want) {
		t.Errorf("CSV added and removed rows:\n got %v\nwant %v", got, want)
	}

	// Table, Markdown, HTML: the counts and the latest three.
	lines := []string{
		`added after the plan's first version: 4 steps, 1 milestone; removed: 2 steps (the latest 3 below)`,
		`2026-10-12 removed step "Customer reference call" by Sam Lee`,
		`2026-10-20 added step "Executive briefing held" by Jordan Park (reply)`,
		`2026-11-02 removed step "Executive briefing held" by Sam Lee`,
	}
	b.Reset()
	if err := r.WriteTable(&b, false); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	markdown := b.String()
	b.Reset()
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, l := range lines {
		if !strings.Contains(table, "            "+l+"\n") {
			t.Errorf("the table lacks %q:\n%s", l, table)
		}
		if !strings.Contains(markdown, "- "+md(l)+"\n") {
			t.Errorf("the Markdown lacks %q:\n%s", l, markdown)
		}
		if !strings.Contains(page, "<li>"+html.EscapeString(l)+"</li>") {
			t.Errorf("the HTML lacks %q", l)
		}
	}
	for name, out := range map[string]string{"table": table, "markdown": markdown, "html": page} {
		if strings.Contains(out, "enovak") {
			t.Errorf("%s names Elena by her laptop's git name", name)
		}
		if strings.Contains(out, "Anonymised sample datasets delivered\" by") {
			t.Errorf("%s lists a date moved as a step added", name)
		}
	}
}

// TestReportAddedRemovedAsOfItsDay: a report of a past day lists what was
// added by then; a milestone added with its steps is one line in the
// table, which says how many steps came with it.
func TestReportAddedRemovedAsOfItsDay(t *testing.T) {
	r := addRemoveReport(t, deal.NewDate(2026, time.October, 6))
	h := findDeal(t, r, "acme").History
	if h == nil || len(h.AddedRemoved) != 4 {
		t.Fatalf("acme on 6 October: %+v, want the pen test, the legal milestone and its two steps", h)
	}
	lines := historyLines(h)
	for _, l := range []string{
		`added after the plan's first version: 3 steps, 1 milestone`,
		`2026-09-20 added step "Penetration test report shared" by Elena Novak`,
		`2026-10-05 added milestone "Legal review done" with 2 steps by Sam Lee`,
	} {
		if !slices.Contains(lines, l) {
			t.Errorf("history lines on 6 October lack %q: %q", l, lines)
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "MSA redlines") || strings.Contains(l, "removed") {
			t.Errorf("history lines on 6 October: %q", l)
		}
	}

	// Without an addition or a removal, no line says so.
	if lines := historyLines(&DealHistory{Commits: 1, First: "2026-10-01"}); len(lines) != 1 {
		t.Errorf("a plan never added to: %q", lines)
	}
}
