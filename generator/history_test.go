package generator

import (
	"html/template"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/themes"
)

// TestDecodePlanAsLoaded: a plan decoded from bytes (as the history reads
// each version from git) is the deal the loader reads from the folder.
func TestDecodePlanAsLoaded(t *testing.T) {
	site, ps := Load(LoadOptions{Root: "..", Today: deal.NewDate(2026, 11, 22)})
	if ps.Errors() > 0 {
		t.Fatalf("example site: %v", ps)
	}
	for _, b := range site.Bundles {
		d, err := DecodePlan(b.Deal.ID, b.Source)
		if err != nil {
			t.Fatalf("%s: %v", b.Deal.ID, err)
		}
		d.File, b.Deal.File = "", ""
		if !reflect.DeepEqual(d, b.Deal) {
			t.Errorf("%s: DecodePlan differs from the loaded deal", b.Deal.ID)
		}
	}
	if _, err := DecodePlan("x", []byte("---\ntitle: T\nclose: soon\n---\n")); err == nil {
		t.Errorf("a plan with a bad close date decoded without error")
	}
}

func BenchmarkDecodePlan(b *testing.B) {
	root := b.TempDir()
	if err := synth.Write(root, synth.Options{Deals: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, ContentDir, synth.DealID(0), BundleIndex))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := DecodePlan("d", src); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHistorySettings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	os.WriteFile(p, []byte("title = \"x\"\n[history]\nslips = 3\nflat_days = 14\n"), 0o644)
	c, ps := LoadConfig(p)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if th := c.History.Thresholds(); th.Slips != 3 || th.FlatDays != 14 || th.MissedReviews != 3 || th.BuyerEditDays != 14 || th.LateAddDays != 30 {
		t.Errorf("thresholds = %+v", th)
	}
	os.WriteFile(p, []byte("title = \"x\"\n[history]\nmissed_reviews = -1\n"), 0o644)
	if _, ps := LoadConfig(p); len(ps) != 1 || ps[0].Line != 3 || !strings.Contains(ps[0].Msg, "[history] missed_reviews = -1") {
		t.Errorf("a negative threshold: %v", ps)
	}
}

// TestRoomHistory: a room lists the plan's latest changes (five at most,
// newest first; a step's new title too), naming the buyer-side person who made one, and a document
// shared only to those in its audience; the meeting log shows the review
// notes as escaped text. The theme's "history" part renders both.
func TestRoomHistory(t *testing.T) {
	root := exampleSite(t)
	today := deal.NewDate(2026, 11, 22)
	site, ps := Load(LoadOptions{Root: root, Today: today})
	if ps.Errors() > 0 {
		t.Fatal(ps)
	}
	var b *Bundle
	for _, x := range site.Bundles {
		if x.Deal.ID == "acme-data-platform" {
			b = x
		}
	}
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time().Add(9 * time.Hour) }
	jordan := history.Author{Name: "J. Park", Email: "jordan.park@acme.example", Stakeholder: "jordan", Side: deal.Buyer}
	sam := history.Author{Name: "Sam Lee", Email: "sam.lee@northwind.example", Stakeholder: "sam", Side: deal.Seller}
	st := &history.Story{Deal: b.Deal.ID, Changes: []history.Change{
		{When: at("2026-10-01"), Kind: history.PlanCreated, Author: sam},
		{When: at("2026-11-02"), Kind: history.TaskStatus, Item: "nda", Title: "Mutual NDA countersigned", From: "in-progress", To: "done", Author: sam},
		{When: at("2026-11-03"), Kind: history.TaskAdded, Item: "x", Title: "Old step", Author: sam},
		{When: at("2026-11-04"), Kind: history.TaskRemoved, Item: "x", Title: "Old step", Author: sam},
		{When: at("2026-11-05"), Kind: history.PlanEdited, Author: sam}, // the value, say: no room shows it
		{When: at("2026-11-06"), Kind: history.TaskOwner, Item: "sample-data", Title: "Anonymised sample datasets delivered", From: "jordan", To: "marcus", Author: jordan},
		{When: at("2026-11-07"), Kind: history.PlanEdited, Author: jordan},
		{When: at("2026-11-08"), Kind: history.TaskRetitled, Item: "msa-redlines", Title: "MSA redlines agreed", From: "MSA redlines", To: "MSA redlines agreed", Author: sam},
		{When: at("2026-11-10"), Kind: history.TaskDue, Item: "sample-data", Title: "Anonymised sample datasets delivered", From: "2026-11-10", To: "2026-11-17", Days: 7, Author: jordan, Reply: "k3j5h7m2pq"},
		{When: at("2026-11-12"), Kind: history.DocAdded, Item: "pricing", Title: "Pricing proposal", Author: sam},
		{When: at("2026-11-20"), Kind: history.MilestoneDue, Item: "poc", Title: "Proof of concept passed", From: "2026-11-27", To: "2026-12-04", Days: 7, Author: sam},
		{When: at("2026-11-30"), Kind: history.CloseMoved, From: "2027-01-22", To: "2027-01-29", Author: sam}, // after today: not yet
	}}
	os.MkdirAll(filepath.Join(b.Dir, "reviews"), 0o755)
	os.WriteFile(filepath.Join(b.Dir, "reviews", "2026-11-17.md"), []byte("Reviewed the <script>alert(1)</script> proof of concept.\n\nJordan to confirm\nthe sample data.\n"), 0o644)
	os.WriteFile(filepath.Join(b.Dir, "reviews", "2026-11-10.md"), []byte("Kickoff.\n"), 0o644)

	jv, err := newHistoryView(b, st, mustPerson(t, b.Deal, "jordan"), time.UTC, today)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range jv.Changes {
		got = append(got, c.Day+" "+c.What+" | "+c.Who)
	}
	want := []string{
		`2026-11-20 Milestone "Proof of concept passed" moved later, from 27 Nov 2026 to 4 Dec 2026 | `,
		`2026-11-10 Step "Anonymised sample datasets delivered" moved later, from 10 Nov 2026 to 17 Nov 2026 | Jordan Park`,
		`2026-11-08 Step "MSA redlines" renamed "MSA redlines agreed" | `,
		`2026-11-07 The plan's wording was edited | Jordan Park`,
		`2026-11-06 Step "Anonymised sample datasets delivered" handed from Jordan Park to Marcus Chen | Jordan Park`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("jordan's changes:\n got %q\nwant %q", got, want)
	}
	pv, _ := newHistoryView(b, st, mustPerson(t, b.Deal, "priya"), time.UTC, today)
	if pv.Changes[1].What != `Document "Pricing proposal" shared` {
		t.Errorf("priya (in the pricing audience) does not see it shared: %+v", pv.Changes)
	}
	if len(jv.Log) != 2 || jv.Log[0].Day != "2026-11-17" || len(jv.Log[0].Paras) != 2 || jv.Log[0].Paras[1] != "Jordan to confirm the sample data." {
		t.Errorf("meeting log = %+v", jv.Log)
	}

	tpl, err := template.New("").ParseFS(themes.Default(), "layouts/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := tpl.ExecuteTemplate(&out, "history", jv); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, s := range []string{`<h2 id="changed-h">What changed</h2>`, `by Jordan Park (from their reply)`, `<h2 id="log-h">Meeting log</h2>`, `Reviewed the alert(1) proof of concept.`} {
		if !strings.Contains(html, s) {
			t.Errorf("the history part lacks %q:\n%s", s, html)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "&lt;script") || strings.Contains(html, "Pricing proposal") {
		t.Errorf("the history part shows raw HTML or a document jordan may not see:\n%s", html)
	}
	out.Reset()
	if err := tpl.ExecuteTemplate(&out, "history", historyView{}); err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("an empty history renders %q (%v)", out.String(), err)
	}
}

func mustPerson(t *testing.T, d *deal.Deal, id string) *deal.Stakeholder {
	s, ok := d.Stakeholder(id)
	if !ok {
		t.Fatalf("no stakeholder %s", id)
	}
	return s
}

// TestRoomChangesOnce: a change an accepted reply made is listed once in a
// room: "What changed" lists it (from the plan's history) with what the
// buyer wrote, as scoped for the room, and the replies' own list keeps
// only what the history does not list (a confirmation changes no date).
func TestRoomChangesOnce(t *testing.T) {
	hist := []changeLine{
		{Day: "2026-11-20", What: `Milestone "Proof of concept passed" moved later`},
		{Day: "2026-11-10", What: `Step "Anonymised sample datasets delivered" moved later`, Who: "Jordan Park", Reply: true, reply: "k3j5h7m2pq"},
	}
	replies := []replyLine{
		{ID: "k3j5h7m2pq", What: "moved from 10 Nov 2026 to 17 Nov 2026 by Jordan Park on 10 Nov 2026: InfoSec queue", said: "InfoSec queue"},
		{ID: "c0nf1rmed2", What: "confirmed by Jordan Park on 12 Nov 2026"},
	}
	h, r := joinChanges(hist, replies)
	if h[1].Said != "InfoSec queue" || h[0].Said != "" {
		t.Errorf("history lines %+v: want the reply's words on its change only", h)
	}
	if len(r) != 1 || r[0].ID != "c0nf1rmed2" {
		t.Errorf("replies' changes %+v: want only the confirmation, which the history does not list", r)
	}
	tpl, err := template.New("").ParseFS(themes.Default(), "layouts/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := tpl.ExecuteTemplate(&out, "history", historyView{Changes: h}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(from their reply)</span>: InfoSec queue</li>") {
		t.Errorf("the change does not carry the buyer's words:\n%s", out.String())
	}
}

// TestChangeSaysTheDayDone: a step recorded done later than it was done
// (an accepted reply, a catch-up commit) says the day it was done, as the
// plan gives it; one recorded the day it was done says nothing more.
func TestChangeSaysTheDayDone(t *testing.T) {
	root := exampleSite(t)
	site, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
	if ps.Errors() > 0 {
		t.Fatal(ps)
	}
	var d *deal.Deal
	for _, b := range site.Bundles {
		if b.Deal.ID == "acme-data-platform" {
			d = b.Deal
		}
	}
	nda, _ := d.Task("nda") // done 2026-10-21 in the example
	for when, want := range map[string]string{
		"2026-11-02": `Step "Mutual NDA countersigned" is now done (was in progress), done ` + dateLabel(nda.Done),
		"2026-10-21": `Step "Mutual NDA countersigned" is now done (was in progress)`,
	} {
		at, _ := deal.ParseDate(when)
		c := history.Change{When: at.Time().Add(9 * time.Hour), Kind: history.TaskStatus, Item: "nda", Title: "Mutual NDA countersigned", From: "in-progress", To: "done"}
		if got := changeWhat(c, d, at); got != want {
			t.Errorf("recorded %s: %q, want %q", when, got, want)
		}
	}
}

// TestChangeQuotesTitlesAsWritten: a title with quotes and a backslash is
// named in the room as it is written, in quotes, not escaped as a Go
// string is.
func TestChangeQuotesTitlesAsWritten(t *testing.T) {
	title := `Pen test: report #2 {urgent} & "quoted" \ [x]`
	c := history.Change{When: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Kind: history.TaskAdded, Item: "pen", Title: title, To: "2026-12-01"}
	if got, want := changeWhat(c, &deal.Deal{}, deal.NewDate(2026, 11, 2)), `Step "`+title+`" added`; got != want {
		t.Errorf("added: %s, want %s", got, want)
	}
}
