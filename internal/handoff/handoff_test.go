package handoff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/reply"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the actual output")

// fixture is the handoff of testdata's won deal: two replies (one
// answered), two review notes, an onboarding milestone still open, and
// some engagement as the event log would give it.
func fixture(t *testing.T) *handoff.Bundle {
	t.Helper()
	return fixtureOn(t, deal.NewDate(2026, 12, 21))
}

// fixtureOn is fixture's handoff made on today.
func fixtureOn(t *testing.T, today deal.Date) *handoff.Bundle {
	t.Helper()
	dir := filepath.Join("testdata", "site", "content", "acme")
	cfg, ps := generator.LoadConfig(filepath.Join("testdata", "site", "maproom.toml"))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	b, ps := generator.LoadBundle(dir, cfg, today)
	if b == nil || ps.Errors() > 0 {
		t.Fatalf("the fixture does not load: %v", ps)
	}
	recs, err := reply.ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	reviews, err := handoff.ReadReviews(dir)
	if err != nil {
		t.Fatal(err)
	}
	hb := handoff.New(handoff.Input{Deal: b.Deal, Records: recs, Reviews: reviews, Today: today, TZ: cfg.Location,
		DueOf: func(t *deal.Task) deal.Date { d, _ := b.Plan.DueOf(t); return d }})
	hb.Engaged = true
	hb.Engage("marcus", handoff.Visits{Visits: 2, First: "2026-11-10", Last: "2026-11-17", ActiveSeconds: 295, Opened: []string{"Proof-of-concept plan"}})
	hb.Engage("jordan", handoff.Visits{Visits: 1, First: "2026-12-14", Last: "2026-12-14", ActiveSeconds: 40})
	hb.Engage("nobody", handoff.Visits{Visits: 1, First: "2026-12-14", Last: "2026-12-14", ActiveSeconds: 40}) // no longer in the deal
	return hb
}

// TestGolden pins the three files of the fixture's handoff. Run with
// -update after an intended change and review the diff.
func TestGolden(t *testing.T) {
	hb := fixture(t)
	html, err := hb.HTML()
	if err != nil {
		t.Fatal(err)
	}
	js, err := hb.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"handoff.html": html, "handoff.md": hb.Markdown(), "handoff.json": js} {
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; if the change is intended, run go test ./internal/handoff -update and review the diff", name, golden)
		}
	}
}

// TestContent checks what customer success relies on, whatever the
// layout: the trail, the open items with owners, the replies with their
// answers, the notes and the engagement; and never the deal's value.
func TestContent(t *testing.T) {
	hb := fixture(t)
	md := string(hb.Markdown())
	for _, want := range []string{
		"Signed. Signature planned 2026-12-15, go-live 2027-01-15.",
		"- SSO through Okta works for all three test groups",
		// the plan's condition, and the artifact the buyer's accepted
		// done reply sent
		"| 2026-11-18 | Proof of concept run | Evaluation passed | Marcus Chen | Scenario results table, each row initialled by Marcus Chen; received: https://acme.example/poc-results |",
		`| 2027-01-08 | Admin training \| two sessions | Live for the first team (onboarding) | Kofi Asante | todo | Attendance list of both sessions |`,
		"| Marcus Chen | Director of Data | buyer | champion | marcus@acme.example | 2 visits (2026-11-10 to 2026-11-17), 5 minutes active; opened Proof-of-concept plan |",
		"| Sam Lee | Account Executive | seller | account-executive |  | seller's team |", // not "never opened": the seller's own rooms are previews
		`- 2026-12-01, Marcus Chen, question on Admin training \| two sessions: Who runs the admin training? (answered). Answer: Kofi Asante runs both sessions in January.`,
		// a declined reply says why; what the buyer and the seller typed
		// reads as their words, never a link or a tag
		`- 2026-12-03, Jordan Park, propose on Admin training \| two sessions: `,
		`Our \*admins\* are away; see \[the rota\](https://rota.example) (declined). Reason: The go-live date is fixed by contract \<b\>15 January\</b\>`,
		"- 2026-11-18, Marcus Chen, done on Proof of concept run: done on 2026-11-18; https://acme.example/poc-results (accepted)",
		"### 2026-11-24\n\nProof of concept passed on all three scenarios.\n\n### 2026-12-08",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown has no %q:\n%s", want, md)
		}
	}
	js, _ := hb.JSON()
	if bytes.Contains(js, []byte("380000")) || strings.Contains(md, "380000") {
		t.Errorf("the handoff carries the deal's value")
	}
	var back handoff.Bundle
	if err := json.Unmarshal(js, &back); err != nil || back.Version != handoff.Version || len(back.Open) != 2 || len(back.Completed) != 2 {
		t.Errorf("the JSON reads back as %+v (%v)", back, err)
	}
}

// TestOpenItemsLate: an onboarding step past its due date on the
// handoff's day says how late it is, as the report and notify do.
func TestOpenItemsLate(t *testing.T) {
	hb := fixtureOn(t, deal.NewDate(2027, 1, 14))
	md := string(hb.Markdown())
	if !strings.Contains(md, "| Kofi Asante | todo, 6 days late | Attendance list of both sessions |") {
		t.Errorf("the late onboarding step is not said late:\n%s", md)
	}
	if html, err := hb.HTML(); err != nil || !bytes.Contains(html, []byte("todo, 6 days late")) {
		t.Errorf("the HTML does not say the step is late")
	}
	js, _ := hb.JSON()
	if !bytes.Contains(js, []byte(`"days_late": 6`)) {
		t.Errorf("the JSON does not give days_late: %s", js)
	}
}

// TestHTMLSelfContained checks that the page needs nothing but itself:
// no script, no stylesheet, image or font to fetch, no link out, and a
// policy that forbids every request; text from the plan and the notes is
// escaped.
func TestHTMLSelfContained(t *testing.T) {
	html, err := fixture(t).HTML()
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, re := range []string{`(?i)<script`, `(?i)\ssrc=`, `(?i)<link`, `(?i)url\(`, `(?i)@import`, `(?i)href=`, `(?i)<iframe`, `(?i)<img`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("the handoff page has %s, which a page opened offline cannot rely on", re)
		}
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'`) {
		t.Errorf("the handoff page does not forbid requests")
	}
	// A review note reads as the rooms show it: its words, a tag left out
	// (never rendered), its Markdown's marks too.
	if !strings.Contains(page, "<p>Open: who trains the admins alert(1)? Kofi takes it.</p>") {
		t.Errorf("a review note is not shown as its words")
	}
}

// TestEngagementCountsReplies: a person who replied from their room
// opened it, visits or not.
func TestEngagementCountsReplies(t *testing.T) {
	hb := fixture(t)
	hb.Engage("jordan", handoff.Visits{Replies: 2, LastReply: "2026-12-14"})
	hb.Engage("marcus", handoff.Visits{Visits: 2, First: "2026-11-10", Last: "2026-11-17", ActiveSeconds: 295, Replies: 1, LastReply: "2026-12-01"})
	for _, p := range hb.People {
		want := map[string]string{
			"jordan": "no visit counted; 2 replies from their room, the last 2026-12-14",
			"marcus": "2 visits (2026-11-10 to 2026-11-17), 5 minutes active; 1 reply from their room, the last 2026-12-01",
		}[p.ID]
		if got := hb.Engagement(p); want != "" && got != want {
			t.Errorf("%s: %q, want %q", p.ID, got, want)
		}
	}
}

// TestWaitingReplies: a reply sent from a room that no one has decided
// yet is an open item, waiting for an answer, beside the open steps, and
// is listed with the decided replies; without it the open items are the
// steps alone.
func TestWaitingReplies(t *testing.T) {
	today := deal.NewDate(2026, 12, 21)
	hb := fixtureOn(t, today)
	if got := hb.Waiting(); len(got) != 0 {
		t.Fatalf("the fixture's replies are all decided, yet %v wait", got)
	}
	if md := string(hb.Markdown()); strings.Contains(md, "waiting for an answer") {
		t.Errorf("nothing waits, yet the Markdown says something does:\n%s", md)
	}

	cfg, _ := generator.LoadConfig(filepath.Join("testdata", "site", "maproom.toml"))
	dir := filepath.Join("testdata", "site", "content", "acme")
	b, _ := generator.LoadBundle(dir, cfg, today)
	recs, err := reply.ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	sent := reply.Reply{ID: "w1w1w1w1w1", Time: time.Date(2026, 12, 18, 10, 0, 0, 0, time.UTC), Deal: "acme",
		Stakeholder: "jordan", Kind: reply.Question, TargetKind: reply.TargetPlan, Text: "Who is our contact for billing?"}
	hb = handoff.New(handoff.Input{Deal: b.Deal, Records: append(recs, reply.Record{Reply: sent}), Today: today, TZ: cfg.Location})
	hb.Engaged = true
	want := "- 2026-12-18, Jordan Park, question on the plan: Who is our contact for billing? (waiting for an answer)"
	md := string(hb.Markdown())
	open, replies, ok := strings.Cut(md, "## Replies and answers")
	if !ok {
		t.Fatalf("no replies section:\n%s", md)
	}
	if !strings.Contains(open, "Replies waiting for an answer:\n\n"+want+"\n") {
		t.Errorf("the open items do not list the waiting reply %q:\n%s", want, md)
	}
	if !strings.Contains(replies, want+"\n") || !strings.Contains(replies, "(answered)") {
		t.Errorf("the replies do not list the waiting reply beside the decided ones:\n%s", md)
	}
	html, err := hb.HTML()
	if err != nil || !bytes.Contains(html, []byte("<h3>Replies waiting for an answer</h3>")) || !bytes.Contains(html, []byte("(waiting for an answer)")) {
		t.Errorf("the HTML does not list the waiting reply as an open item (%v)", err)
	}
	js, _ := hb.JSON()
	if !bytes.Contains(js, []byte(`"state": "waiting"`)) {
		t.Errorf("the JSON does not give the reply as waiting: %s", js)
	}
}

// TestNoRepliesWithoutLog: with no event log read, no reply on record is
// not "no reply was sent": replies waiting in the log are not known.
func TestNoRepliesWithoutLog(t *testing.T) {
	cfg, _ := generator.LoadConfig(filepath.Join("testdata", "site", "maproom.toml"))
	today := deal.NewDate(2026, 12, 21)
	b, _ := generator.LoadBundle(filepath.Join("testdata", "site", "content", "acme"), cfg, today)
	hb := handoff.New(handoff.Input{Deal: b.Deal, Today: today, TZ: cfg.Location})
	if md := string(hb.Markdown()); !strings.Contains(md, "No replies are on record. No event log was read") {
		t.Errorf("without a log the handoff claims to know no reply was sent:\n%s", md)
	}
	hb.Engaged = true
	if md := string(hb.Markdown()); !strings.Contains(md, "No replies were sent from the rooms.") {
		t.Errorf("with a log read and no reply, the handoff does not say none was sent:\n%s", md)
	}
}
