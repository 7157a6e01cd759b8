package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/token"
)

// roomDir is stakeholder s's room folder of deal d in out.
func roomDir(t *testing.T, res *Result, out, d, s string) string {
	t.Helper()
	for _, b := range res.Site.Bundles {
		if st, ok := b.Deal.Stakeholder(s); ok && b.Deal.ID == d {
			return filepath.Join(out, "r", token.Room(testSecret, d, s, st.Rotate))
		}
	}
	t.Fatalf("no stakeholder %s in %s", s, d)
	return ""
}

// TestLostDealRoomIsClosed checks that the rooms of a lost deal stop
// asking anything: no next steps, nothing late, no critical path or slack,
// no weekly review and no calendar of tasks, and a plain closing line.
func TestLostDealRoomIsClosed(t *testing.T) {
	root := exampleSite(t)
	// Four weeks after the close date: Greg's budget step is well past due.
	res, out := buildSite(t, root, deal.NewDate(2026, 12, 22))
	for _, who := range []string{"greg", "tara", "mia"} {
		dir := roomDir(t, res, out, "umbrella-pilot", who)
		html, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		room := string(html)
		if !strings.Contains(room, "This plan is closed") || !strings.Contains(room, "have closed this plan without a signature") {
			t.Errorf("%s's room has no closing line", who)
		}
		for _, nag := range []string{"Your next steps", "late</strong>", "Past due", "Overdue", "weekly review", "Weekly review", "critical path", "behind", "slack", "Timeline", "calendar.ics", `name="kind"`} {
			if strings.Contains(room, nag) {
				t.Errorf("%s's room of a lost deal still says %q", who, nag)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "calendar.ics")); err == nil {
			t.Errorf("%s's room of a lost deal still has a calendar.ics", who)
		}
	}
}

// TestWithdrawnDealIsTakenDown checks that withdraw: true on a lost deal
// removes its rooms at the next build, drops them from the manifest (the
// beacon refuses their tokens) and from the links, and leaves the other
// deals' rooms alone.
func TestWithdrawnDealIsTakenDown(t *testing.T) {
	root := exampleSite(t)
	// A file among its documents, whose link a buyer may still hold.
	dir := filepath.Join(root, "content", "umbrella-pilot")
	if err := os.WriteFile(filepath.Join(dir, "figures.csv"), []byte("week,claims\n1,40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	idx = []byte(strings.Replace(string(idx), "file: pilot-scope.md}\n", "file: pilot-scope.md}\n  - {id: figures, title: Pilot figures, file: figures.csv}\n", 1))
	if err := os.WriteFile(filepath.Join(dir, "index.md"), idx, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"), Secret: testSecret, Today: deal.NewDate(2026, 12, 1)}
	res, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	greg := roomDir(t, res, out, "umbrella-pilot", "greg")
	jordan := roomDir(t, res, out, "acme-data-platform", "jordan")
	if _, err := os.Stat(filepath.Join(greg, "index.html")); err != nil {
		t.Fatalf("before withdrawal: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "f", "*", "figures.csv"))
	if len(files) != 1 {
		t.Fatalf("before withdrawal: the deal's file published as %v", files)
	}
	plan := filepath.Join(root, "content", "umbrella-pilot", "index.md")
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), "outcome: lost\n", "outcome: lost\nwithdraw: true\n", 1))
	if err := os.WriteFile(plan, src, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(greg); !os.IsNotExist(err) {
		t.Errorf("the withdrawn deal's room is still published: %v", err)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the withdrawn deal's file is still published at %s: %v", files[0], err)
	}
	if _, err := os.Stat(filepath.Join(jordan, "index.html")); err != nil {
		t.Errorf("another deal's room went with it: %v", err)
	}
	for _, r := range res.Manifest.Rooms {
		if r.Deal == "umbrella-pilot" {
			t.Errorf("the manifest still lists a room of the withdrawn deal: %+v", r)
		}
	}
	for _, l := range Links(res.Site, testSecret) {
		if l.Deal == "umbrella-pilot" {
			t.Errorf("links still lists %s", l.URL)
		}
	}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "Umbrella") {
				t.Errorf("%s still mentions the withdrawn deal", p)
			}
		}
		return nil
	})
}

// TestWithdrawnWithoutBuildState: the build's state lost (a CI checkout,
// another machine, a moved site), a withdrawn deal's rooms and files are
// taken down all the same, though no room or file of this build goes
// where theirs were.
func TestWithdrawnWithoutBuildState(t *testing.T) {
	root := exampleSite(t)
	dir := filepath.Join(root, "content", "umbrella-pilot")
	idx, err := os.ReadFile(filepath.Join(dir, "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "figures.csv"), []byte("week,claims\n1,40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(idx), "file: pilot-scope.md}\n", "file: pilot-scope.md}\n  - {id: figures, title: Pilot figures, file: figures.csv}\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "index.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The other deals go, so that nothing of the next build is under r/
	// or f/.
	ents, _ := os.ReadDir(filepath.Join(root, "content"))
	for _, e := range ents {
		if e.IsDir() && e.Name() != "umbrella-pilot" {
			os.RemoveAll(filepath.Join(root, "content", e.Name()))
		}
	}
	out := filepath.Join(t.TempDir(), "public")
	state := filepath.Join(t.TempDir(), "state")
	opts := Options{Root: root, Out: out, StateDir: state, Secret: testSecret, Today: deal.NewDate(2026, 12, 1)}
	res, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	greg := roomDir(t, res, out, "umbrella-pilot", "greg")
	files, _ := filepath.Glob(filepath.Join(out, "f", "*", "figures.csv"))
	if len(files) != 1 {
		t.Fatalf("before withdrawal: the deal's file published as %v", files)
	}
	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	src = strings.Replace(src, "outcome: lost\n", "outcome: lost\nwithdraw: true\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "index.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(greg); !os.IsNotExist(err) {
		t.Errorf("the withdrawn deal's room is still published: %v", err)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the withdrawn deal's file is still published at %s: %v", files[0], err)
	}
}

// TestWithdrawOnlyLost checks that only a lost deal can be withdrawn.
func TestWithdrawOnlyLost(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	writePlan(t, dir, strings.Replace(lifecyclePlan, "outcome: won", "outcome: open\nwithdraw: true", 1))
	_, ps := LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 11, 2))
	if !hasProblem(ps, Error, 8, "withdraw: true takes down the rooms of a lost deal, and this one is open: set `outcome: lost` too") {
		t.Errorf("withdrawing an open deal: %v", ps)
	}
}

// TestOnboardingAfterClose checks that a milestone after the close date
// is expected when it is marked onboarding, and a warning when not.
func TestOnboardingAfterClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	writePlan(t, dir, lifecyclePlan)
	_, ps := LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 11, 2))
	for _, p := range ps {
		if strings.Contains(p.Msg, "after the close date") {
			t.Errorf("an onboarding milestone is warned about: %v", p)
		}
	}
	writePlan(t, dir, strings.Replace(lifecyclePlan, "    onboarding: true\n", "", 1))
	_, ps = LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 11, 2))
	if !hasProblem(ps, Warning, 22, `milestone "go-live" is due 2027-01-15, after the close date 2026-12-15`) ||
		!hasProblem(ps, Warning, 29, `task "rollout" is due 2027-01-15, after the close date 2026-12-15`) {
		t.Errorf("a milestone after the close date, not marked onboarding, is not warned about: %v", ps)
	}
}

// TestWonRoomCountsDownToGoLive checks that a won deal's room counts down
// to go-live, names its customer-success people, and keeps the onboarding
// steps as next steps without a review promise once the review is off.
func TestWonRoomCountsDownToGoLive(t *testing.T) {
	root := t.TempDir()
	writePlan(t, filepath.Join(root, "content", "acme"), lifecyclePlan)
	res, out := buildSite(t, root, deal.NewDate(2026, 12, 21))
	html, err := os.ReadFile(filepath.Join(roomDir(t, res, out, "acme", "kofi"), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	room := string(html)
	for _, want := range []string{"<dt>Days to go-live</dt><dd>25 days</dd>", "<dt>Outcome</dt><dd>Signed</dd>",
		"carries on into onboarding with Kofi Asante (Northwind customer success)", `<span class="step-title">Rollout to the first team</span>`,
		"Add my due dates to my calendar (.ics)"} {
		if !strings.Contains(room, want) {
			t.Errorf("the won deal's room has no %q", want)
		}
	}
	if strings.Contains(room, "Days to close") {
		t.Errorf("the won deal's room still counts down to the close")
	}
}

// TestWonRoomOnboardingLate checks that a won deal's room still counts days
// late for its onboarding steps, in the plan and on the timeline, and never
// for the sale's steps left open (deal.DaysLate).
func TestWonRoomOnboardingLate(t *testing.T) {
	plan := strings.Replace(lifecyclePlan, "evidence: Countersigned order form}\n",
		"evidence: Countersigned order form}\n      - {id: po, title: Purchase order issued, owner: jordan, due: 2026-12-15, evidence: Purchase order number from procurement}\n", 1)
	if plan == lifecyclePlan {
		t.Fatal("the plan has no open sales step")
	}
	// Five days after the rollout's due date, five weeks after the po's.
	_, html := jordanRoom(t, plan, deal.NewDate(2027, 1, 20))
	room := string(html)
	row := func(id string) string { return taskRow(t, room, id) }
	if r := row("rollout"); !strings.Contains(r, "5 days late</strong>") {
		t.Errorf("the onboarding step is not 5 days late: %s", r)
	}
	if r := row("po"); strings.Contains(r, "late</strong>") {
		t.Errorf("the won deal's sales step is late: %s", r)
	}
	for _, want := range []string{`<g class="ms-row open"><text x="4" y="30" class="row-l">Contract signed</text>`,
		`class="row-l">Purchase order issued</text>`, `<g class="late`} {
		if !strings.Contains(room, want) {
			t.Errorf("the timeline has no %q", want)
		}
	}
	if i := strings.Index(room, `class="row-l">Purchase order issued</text>`); i >= 0 && strings.Contains(room[max(0, i-60):i], `class="late`) {
		t.Errorf("the timeline shows the won deal's sales step late")
	}
	if i := strings.Index(room, `class="row-l">Rollout to the first team</text>`); i < 0 || !strings.Contains(room[max(0, i-60):i], `<g class="late`) {
		t.Errorf("the timeline does not show the onboarding step late")
	}
}

// TestOverrunLeavesOnboardingOut checks the warning of an open deal whose
// work due by the close no longer fits: it names when that work finishes
// and by how much, whatever onboarding work comes after the close.
func TestOverrunLeavesOnboardingOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	plan := strings.Replace(lifecyclePlan, "outcome: won", "outcome: open", 1)
	plan = strings.Replace(plan, "due: 2026-12-15, status: done, done: 2026-12-14,", "duration: 2,", 1)
	plan = strings.Replace(plan, "        due: 2027-01-15\n        after: [order]", "        duration: 10\n        after: [order]", 1)
	// Seen on Monday 21 December: the order form takes Monday and Tuesday,
	// five business days after the close; the rollout's ten days after it
	// (to 6 January) are onboarding, due before go-live.
	writePlan(t, dir, plan)
	_, ps := LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 12, 21))
	want := "the remaining work no longer fits before the close date 2026-12-15: it finishes 2026-12-22 at the earliest, 5 business days late (critical path: order)"
	found := false
	for _, p := range ps {
		found = found || strings.Contains(p.Msg, want)
		if p.Severity == Error {
			t.Errorf("unexpected error: %v", p)
		}
	}
	if !found {
		t.Errorf("no warning %q in %v", want, ps)
	}
}

// TestOverrunOfADatedStep: a step with a date and no duration, due after
// the close, makes the work end after the close on that date: check says
// so of the step, and the overrun warning does not repeat it. When the
// work before it pushes it later still, the overrun warning says when the
// work finishes.
func TestOverrunOfADatedStep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	plan := strings.Replace(lifecyclePlan, "outcome: won", "outcome: open", 1)
	plan = strings.Replace(plan, "due: 2026-12-15, status: done, done: 2026-12-14,", "due: 2026-12-22,", 1)
	if !strings.Contains(plan, "due: 2026-12-22,") {
		t.Fatal("the plan has no open order form")
	}
	overrun := "the remaining work no longer fits before the close date"
	for _, c := range []struct {
		name, plan string
		warn       string // "" for none
	}{
		{"on its date", plan, ""},
		{"pushed by the work before it", strings.Replace(plan, "  - id: signed\n", "  - id: prep\n    title: Preparation\n    lead: jordan\n    evidence: Draft\n    tasks:\n      - {id: draft, title: Draft the order form, owner: kofi, duration: 10, evidence: Draft order form}\n  - id: signed\n", 1),
			"it finishes 2026-12-31 at the earliest, 12 business days late (critical path: draft -> order)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.warn != "" {
				c.plan = strings.Replace(c.plan, "due: 2026-12-22,", "due: 2026-12-22, after: [draft],", 1)
			}
			writePlan(t, dir, c.plan)
			_, ps := LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 12, 18))
			var got []string
			dated := false
			for _, p := range ps {
				if strings.Contains(p.Msg, overrun) {
					got = append(got, p.Msg)
				}
				dated = dated || p.Severity == Warning && strings.Contains(p.Msg, `task "order" is due 2026-12-22, after the close date 2026-12-15`)
			}
			if !dated {
				t.Errorf("no warning that the order form is due after the close: %v", ps)
			}
			switch {
			case c.warn == "" && len(got) > 0:
				t.Errorf("the overrun is the step's own date, warned twice: %q", got)
			case c.warn != "" && (len(got) != 1 || !strings.Contains(got[0], c.warn)):
				t.Errorf("overrun warnings %q, want one saying %q", got, c.warn)
			}
		})
	}
}

// TestRoomMixedDatesAndDurations: in a plan that mixes steps with a date
// and steps with a duration, a step with a date and no duration happens
// on its date: the room marks the whole chain the close waits on as the
// critical path (t1, due 31 March, then t2, due 30 April, then t3's three
// days), and a dated step off it shows its room: how far its date can
// move before its milestone's must (8 business days from 19 to 31 March),
// not the days from today to its date.
func TestRoomMixedDatesAndDurations(t *testing.T) {
	plan := acmePlan("2027-05-28", "", `  - id: m1
    title: Evaluation
    due: 2027-03-31
    lead: jordan
    evidence: Evaluation report
    tasks:
      - {id: t1, title: Evaluation signed off, owner: jordan, due: 2027-03-31, evidence: Signed evaluation}
      - {id: side, title: Reference call, owner: kofi, due: 2027-03-19, evidence: Call notes}
  - id: m2
    title: Business case
    due: 2027-04-30
    lead: jordan
    evidence: Approved business case
    tasks:
      - {id: t2, title: Business case approved, owner: jordan, due: 2027-04-30, after: [t1], evidence: Approval email}
  - id: m3
    title: Contract
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: t3, title: Contract redlines, owner: kofi, duration: 3, after: [t2], evidence: Redlined contract}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2027, 3, 1))
	room := string(html)
	row := func(id string) string { return taskRow(t, room, id) }
	for _, id := range []string{"t1", "t2", "t3"} {
		if r := row(id); !strings.Contains(r, `class="crit-l">critical path`) {
			t.Errorf("%s is not marked on the critical path: %s", id, r)
		}
	}
	if r := row("side"); strings.Contains(r, "crit-l") || !strings.Contains(r, `<span class="slack">8 business days of slack</span>`) {
		t.Errorf("the reference call, off the path: %s", r)
	}
}

// TestRoomSlackFromTheStepsDate: a step with a duration and a date of its
// own (as every step maproom new writes) shows its room from that date,
// not the days from today its forecast leaves: the pricing review, due 24
// March, that the order form (five days, due 31 March, the close) waits
// on, has none, though it could start today; the reference call, due 10
// March with nothing after it but the close, has fifteen business days.
func TestRoomSlackFromTheStepsDate(t *testing.T) {
	plan := acmePlan("2027-03-31", "", `  - id: m1
    title: Signed
    due: 2027-03-31
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: pricing, title: Pricing reviewed, owner: jordan, duration: 3, due: 2027-03-24, evidence: Pricing feedback}
      - {id: order, title: Order form signed, owner: jordan, duration: 5, due: 2027-03-31, after: [pricing], evidence: Signed order form}
      - {id: call, title: Reference call, owner: kofi, duration: 1, due: 2027-03-10, evidence: Call notes}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 7))
	room := string(html)
	row := func(id string) string { return taskRow(t, room, id) }
	if r := row("pricing"); strings.Contains(r, "of slack") {
		t.Errorf("the pricing review, due the day the order form must start: %s", r)
	}
	if r := row("call"); !strings.Contains(r, `<span class="slack">15 business days of slack</span>`) {
		t.Errorf("the reference call, due 10 March, the close on the 31st: %s", r)
	}
}

const lifecyclePlan = `---
title: Northwind for Acme
buyer: Acme Corp
seller: Northwind
goal: Signed by 15 December so the January rollout runs on the new pipeline
close: 2026-12-15
outcome: won
golive: 2027-01-15
stakeholders:
  - {id: jordan, name: Jordan Park, title: CFO, side: buyer, role: economic-buyer}
  - {id: kofi, name: Kofi Asante, title: Customer Success Manager, side: seller, role: customer-success}
milestones:
  - id: signed
    title: Contract signed
    due: 2026-12-15
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: order, title: Order form signed, owner: jordan, due: 2026-12-15, status: done, done: 2026-12-14, evidence: Countersigned order form}
  - id: go-live
    title: Live for the first team
    due: 2027-01-15
    onboarding: true
    lead: jordan
    evidence: First team's reports running on the new pipeline
    tasks:
      - id: rollout
        title: Rollout to the first team
        owner: kofi
        due: 2027-01-15
        after: [order]
        evidence: Rollout checklist signed off by Jordan Park
---
Hello Acme team.
`

func writePlan(t *testing.T, dir, src string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, BundleIndex), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hasProblem(ps Problems, sev Severity, line int, msg string) bool {
	for _, p := range ps {
		if p.Severity == sev && p.Line == line && strings.Contains(p.Msg, msg) {
			return true
		}
	}
	return false
}

// TestRoomAsOfToday: a step marked done on a day after the build's is open
// in the rooms built that day (as the report counts it), and done once
// that day has come.
func TestRoomAsOfToday(t *testing.T) {
	plan := strings.Replace(strings.Replace(lifecyclePlan, "outcome: won", "outcome: open", 1),
		"status: done, done: 2026-12-14", "status: done, done: 2026-12-10", 1)
	for _, c := range []struct {
		today deal.Date
		done  bool
	}{{deal.NewDate(2026, 12, 1), false}, {deal.NewDate(2026, 12, 10), true}} {
		_, html := jordanRoom(t, plan, c.today)
		if got := strings.Contains(string(html), "Done 10 Dec 2026"); got != c.done {
			t.Errorf("built on %s: the room shows the order form done on 10 December: %v, want %v", c.today, got, c.done)
		}
	}
}

// jordanRoom builds a site of the one plan acme on today and returns
// Jordan's room folder and its page.
func jordanRoom(t *testing.T, plan string, today deal.Date) (string, []byte) {
	t.Helper()
	root := t.TempDir()
	writePlan(t, filepath.Join(root, "content", "acme"), plan)
	res, out := buildSite(t, root, today)
	dir := roomDir(t, res, out, "acme", "jordan")
	html, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, html
}

// TestWonRoomNextStepsAreOnboarding: once the deal is won, a sale's step
// left open is no next step and no date in the person's calendar; the
// onboarding steps are.
func TestWonRoomNextStepsAreOnboarding(t *testing.T) {
	plan := strings.Replace(lifecyclePlan,
		"      - {id: order, title: Order form signed, owner: jordan, due: 2026-12-15, status: done, done: 2026-12-14, evidence: Countersigned order form}\n",
		"      - {id: order, title: Order form signed, owner: jordan, due: 2026-12-15, status: done, done: 2026-12-14, evidence: Countersigned order form}\n"+
			"      - {id: refcall, title: Reference call held, owner: jordan, due: 2026-12-10, evidence: Call notes sent}\n"+
			"  - id: launch\n    title: Launch plan agreed\n    due: 2027-01-10\n    onboarding: true\n    lead: jordan\n    evidence: Launch plan signed off\n    tasks:\n"+
			"      - {id: launchplan, title: Launch plan signed off, owner: jordan, due: 2027-01-08, evidence: Signed launch plan}\n", 1)
	dir, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 21))
	// Next steps are the room's only step titles.
	if room := string(html); !strings.Contains(room, `<span class="step-title">Launch plan signed off</span>`) ||
		strings.Contains(room, `<span class="step-title">Reference call held</span>`) {
		t.Errorf("jordan's next steps: want the launch plan, not the reference call")
	}
	cal, err := os.ReadFile(filepath.Join(dir, "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cal), "Reference call held") || !strings.Contains(string(cal), "Launch plan signed off") {
		t.Errorf("the won deal's calendar:\n%s\nwant the launch plan, not the reference call", cal)
	}
}

// TestWonRoomKeepsReviewThroughOnboarding: the review carries on into
// onboarding with the plan: a won deal with onboarding work left offers
// the weekly review until go-live; once that work is done, no review.
func TestWonRoomKeepsReviewThroughOnboarding(t *testing.T) {
	plan := strings.Replace(lifecyclePlan, "golive: 2027-01-15\n", "golive: 2027-01-15\nreview: {day: tuesday, time: \"15:00\", length: 15m}\n", 1)
	if plan == lifecyclePlan {
		t.Fatal("the plan has no go-live line")
	}
	dir, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 21))
	if !strings.Contains(string(html), "Weekly review") {
		t.Errorf("the won deal's room in onboarding offers no weekly review")
	}
	// Whose move it is goes on through onboarding.
	if !strings.Contains(string(html), `<span class="w-k">Waiting on</span>`) || !strings.Contains(string(html), `href="#t-rollout"`) {
		t.Errorf("the won deal's room in onboarding says nobody's move: want the rollout")
	}
	cal, err := os.ReadFile(filepath.Join(dir, "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if c := string(cal); !strings.Contains(c, "SUMMARY:MAP review: Northwind for Acme") || !strings.Contains(c, "RRULE:FREQ=WEEKLY;UNTIL=20270115") {
		t.Errorf("the won deal's calendar:\n%s\nwant the weekly review until go-live", c)
	}

	// Onboarding done: nothing left to review.
	done := strings.Replace(plan, "        after: [order]\n", "        after: [order]\n        status: done\n        done: 2027-01-12\n", 1)
	if done == plan {
		t.Fatal("the plan has no rollout task to finish")
	}
	_, html = jordanRoom(t, done, deal.NewDate(2027, 1, 13))
	if strings.Contains(string(html), "Weekly review") {
		t.Errorf("a won deal with its onboarding done still offers a weekly review")
	}
	if strings.Contains(string(html), `<span class="w-k">Waiting on</span>`) {
		t.Errorf("a won deal with its onboarding done still waits on someone")
	}
}

// TestReviewSeriesOverSaysTheNextOnly: an open deal past its go-live (the
// end of its review series) has no weekly series left in its invite, and
// its room does not promise one: it names the next review.
func TestReviewSeriesOverSaysTheNextOnly(t *testing.T) {
	root := exampleSite(t)
	out := filepath.Join(t.TempDir(), "public")
	res, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"), Secret: testSecret, Today: deal.NewDate(2027, 3, 10)})
	if err != nil {
		t.Fatal(err)
	}
	dir := roomDir(t, res, out, "acme-data-platform", "jordan")
	html, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if room := string(html); strings.Contains(room, "Every Tuesday") || !strings.Contains(room, "Next review: ") {
		t.Errorf("the room of a deal past its close promises a weekly review: %v", strings.Contains(room, "Every Tuesday"))
	}
	ics, err := os.ReadFile(filepath.Join(dir, "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ics), "RRULE") {
		t.Error("the invite still repeats weekly")
	}
}

// TestWhosWhoWithoutTheSellersLabels: the rooms' "Who's who", which every
// stakeholder reads, names the buyer's people by title and company, not by
// the seller's labels of them (champion, economic buyer); a functional
// role (security) and the seller's team's roles stay.
func TestWhosWhoWithoutTheSellersLabels(t *testing.T) {
	plan := acmePlan("2027-03-31", `  - {id: marcus, name: Marcus Chen, title: Director of Data, side: buyer, role: champion}
  - {id: elena, name: Elena Novak, title: Head of InfoSec, side: buyer, role: security}
`, `  - id: m1
    title: Signed
    due: 2027-03-31
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: order, title: Order form signed, owner: jordan, due: 2027-03-31, evidence: Signed order form}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 7))
	_, people, ok := strings.Cut(string(html), `id="people-h"`)
	if !ok {
		t.Fatal("the room has no Who's who")
	}
	people, _, _ = strings.Cut(people, "</section>")
	for _, label := range []string{"champion", "economic buyer"} {
		if strings.Contains(people, label) {
			t.Errorf("Who's who labels a buyer %q: %s", label, people)
		}
	}
	for _, want := range []string{"Director of Data", "· security", "· account executive"} {
		if !strings.Contains(people, want) {
			t.Errorf("Who's who lacks %q: %s", want, people)
		}
	}
}

// TestRoomSaysTheSignatureIsAtRisk: when the plan's remaining work cannot
// be done by the target signature (a step now dated after it), the room
// says so beside the date, with the earliest day it can be; a plan that
// fits says nothing of the kind.
func TestRoomSaysTheSignatureIsAtRisk(t *testing.T) {
	plan := acmePlan("2027-03-31", "", `  - id: m1
    title: Signed
    due: 2027-03-31
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: pricing, title: Pricing reviewed, owner: jordan, due: PRICING, evidence: Pricing feedback}
      - {id: order, title: Order form signed, owner: jordan, duration: 2, after: [pricing], evidence: Signed order form}
`)
	_, html := jordanRoom(t, strings.Replace(plan, "PRICING", "2027-04-07", 1), deal.NewDate(2027, 3, 1))
	if !strings.Contains(string(html), `At risk: the plan's steps finish <time datetime="2027-04-09">9 Apr 2027</time> at the earliest, held by Pricing reviewed (Jordan Park)`) {
		t.Errorf("a plan that finishes after the target signature does not say so:\n%s", html)
	}
	// The reason shows where the step is: on the order form's row, on the
	// critical path, and on Jordan's next step.
	if n := strings.Count(string(html), "the steps it comes after finish 7 Apr 2027; it finishes 9 Apr 2027 at the earliest"); n != 2 {
		t.Errorf("the order form's reason shows %d times, want on its row and its card:\n%s", n, html)
	}
	_, html = jordanRoom(t, strings.Replace(plan, "PRICING", "2027-03-24", 1), deal.NewDate(2027, 3, 1))
	if strings.Contains(string(html), "At risk") {
		t.Error("a plan that fits its target signature is said to be at risk")
	}
}

// TestReplyFormChoosesNothingForTheBuyer: a step's reply form has no kind
// chosen in advance where the date can be confirmed: opening "Reply" and
// pressing Send must not confirm a date the person never agreed to (the
// browser asks for a choice, without JavaScript too).
func TestReplyFormChoosesNothingForTheBuyer(t *testing.T) {
	plan := acmePlan("2027-03-31", "", `  - id: m1
    title: Signed
    due: 2027-03-31
    lead: jordan
    evidence: Countersigned order form
    tasks:
      - {id: order, title: Order form signed, owner: jordan, due: 2027-03-24, evidence: Signed order form}
`)
	root := t.TempDir()
	writePlan(t, filepath.Join(root, "content", "acme"), plan)
	if err := os.WriteFile(filepath.Join(root, "content", "maproom.toml"), []byte("beacon_url = \"https://beacon.example.com/note\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, out := buildSite(t, root, deal.NewDate(2027, 3, 1))
	html, err := os.ReadFile(filepath.Join(roomDir(t, res, out, "acme", "jordan"), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	_, form, ok := strings.Cut(string(html), `id="r-order"`)
	if !ok {
		t.Fatalf("the room has no reply form for the order form:\n%s", html)
	}
	form, _, _ = strings.Cut(form, "</form>")
	if !strings.Contains(form, `value="confirm" required`) || strings.Contains(form, "checked") {
		t.Errorf("the form chooses for the buyer: %s", form)
	}
}

// TestRoomSaysWhatALateStepWaitsOn: a late step that waits on open work
// says on what and whose, as the report and notify do, and a step pushed
// past its date by the steps it comes after says so instead of "holds up
// the plan's later dates".
func TestRoomSaysWhatALateStepWaitsOn(t *testing.T) {
	plan := acmePlan("2026-12-18", "", `  - id: m1
    title: Evaluation
    due: 2026-12-18
    lead: jordan
    evidence: Evaluation report
    tasks:
      - {id: scen, title: Scenarios run, owner: kofi, due: 2026-12-21, evidence: Results table}
      - {id: eval, title: Evaluation report issued, owner: jordan, due: 2026-12-04, after: [scen], evidence: Signed report}
      - {id: redl, title: Redlines agreed, owner: kofi, due: 2026-12-23, evidence: Redlined contract}
      - {id: sign, title: Order form signed, owner: jordan, due: 2026-12-18, after: [redl], evidence: Signed order form}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 9))
	row := taskRow(t, string(html), "eval")
	if !strings.Contains(row, `<span class="waits">waits on Scenarios run (Kofi Asante)</span>`) {
		t.Errorf("the late evaluation report does not say what it waits on: %s", row)
	}
	if strings.Contains(row, "holds up") || !strings.Contains(row, "the steps it comes after finish 21 Dec 2026 at the earliest") {
		t.Errorf("the evaluation report, pushed past its date by the scenarios, reads: %s", row)
	}
}

// TestRoomMilestonePastItsDate: a milestone not reached past its date says
// how late it is in its heading, as the report grades it; a reached one
// does not.
func TestRoomMilestonePastItsDate(t *testing.T) {
	plan := acmePlan("2026-12-18", "", `  - id: poc
    title: Proof of concept passed
    due: 2026-12-04
    lead: jordan
    evidence: Evaluation report
    tasks:
      - {id: eval, title: Evaluation report issued, owner: jordan, due: 2026-12-11, evidence: Signed report}
  - id: kick
    title: Kickoff held
    due: 2026-11-20
    lead: kofi
    evidence: Kickoff notes
    tasks:
      - {id: kickoff, title: Kickoff, owner: kofi, due: 2026-11-20, status: done, done: 2026-11-20, evidence: Notes sent}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2026, 12, 9))
	head := func(id string) string {
		_, h, _ := strings.Cut(string(html), `<h3 id="m-`+id+`">`)
		h, _, _ = strings.Cut(h, "</h3>")
		return h
	}
	if h := head("poc"); !strings.Contains(h, "5 days late") {
		t.Errorf("the proof of concept, 5 days past its date: %s", h)
	}
	if h := head("kick"); strings.Contains(h, "late") {
		t.Errorf("the kickoff, reached: %s", h)
	}
}

// TestRoomStepThatCannotKeepItsDate: a step whose own work finishes past
// its date says so, and one the steps it comes after push past its date
// says that instead, not the room the plan's later dates would leave it.
func TestRoomStepThatCannotKeepItsDate(t *testing.T) {
	plan := acmePlan("2026-12-31", "", `  - id: m1
    title: Evaluation
    due: 2026-12-31
    lead: jordan
    evidence: Signed order form
    tasks:
      - {id: a, title: Environment ready, owner: kofi, duration: 10, evidence: Login works}
      - {id: b, title: Evaluation run, owner: jordan, duration: 2, due: 2026-11-10, after: [a], evidence: Results}
      - {id: c, title: Data mapping, owner: jordan, duration: 8, due: 2026-11-06, evidence: Mapping sheet}
      - {id: d, title: Security review, owner: jordan, duration: 30, evidence: Signed review}
      - {id: sign, title: Order form signed, owner: jordan, due: 2026-12-31, after: [b, c, d], evidence: Signed order form}
`)
	_, html := jordanRoom(t, plan, deal.NewDate(2026, 11, 2))
	row := func(id string) string { return taskRow(t, string(html), id) }
	// The mapping's own eight days cannot end by 6 November.
	if r := row("c"); strings.Contains(r, "of slack") || !strings.Contains(r, "its work finishes 11 Nov 2026 at the earliest, after its date") {
		t.Errorf("the data mapping, which cannot be done by 6 November: %s", r)
	}
	// The evaluation cannot start before the environment is ready: not
	// its owner's doing.
	if r := row("b"); strings.Contains(r, "of slack") || !strings.Contains(r, "the steps it comes after finish 13 Nov 2026; it finishes 17 Nov 2026 at the earliest") {
		t.Errorf("the evaluation, pushed past 10 November by the environment: %s", r)
	}
}

// acmePlan is a plan of Northwind for Acme closing on close, open, whose
// people are Jordan Park (CFO, economic buyer), those of people (YAML list
// lines, each ending in a newline) and Kofi Asante (the account
// executive), with the milestones of ms (YAML under "milestones:").
func acmePlan(close, people, ms string) string {
	return "---\ntitle: Northwind for Acme\nbuyer: Acme Corp\nseller: Northwind\ngoal: Signed by the close so the launch ships\nclose: " + close +
		"\noutcome: open\nstakeholders:\n  - {id: jordan, name: Jordan Park, title: CFO, side: buyer, role: economic-buyer}\n" + people +
		"  - {id: kofi, name: Kofi Asante, title: Account Executive, side: seller, role: account-executive}\nmilestones:\n" + ms + "---\nHello Acme team.\n"
}

// taskRow is the plan table's row of task id in a room's page, from its
// opening tag to its end; a room without the row fails the test.
func taskRow(t *testing.T, room, id string) string {
	t.Helper()
	_, r, ok := strings.Cut(room, `<tr id="t-`+id+`"`)
	if !ok {
		t.Fatalf("the room has no row for %s", id)
	}
	r, _, _ = strings.Cut(r, "</tr>")
	return r
}

// TestCheckSaysWhatToChange: a step that waits on a milestone by its id is
// told which steps to name instead, and an id used twice names the line
// it was first used on.
func TestCheckSaysWhatToChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	cfg := (&Config{}).withDefaults()
	writePlan(t, dir, strings.Replace(lifecyclePlan, "after: [order]", "after: [signed]", 1))
	_, ps := LoadBundle(dir, cfg, deal.NewDate(2026, 11, 2))
	if !slices.ContainsFunc(ps, func(p Problem) bool {
		return p.Line == 31 && p.Msg == `task "rollout" depends on "signed", which is a milestone, not a task: after: lists tasks; name the steps it waits on: order`
	}) {
		t.Errorf("after: a milestone: %v", ps)
	}
	// Its own milestone: none of the others can come before it here (the
	// rollout is the only step), so the entry is to go.
	writePlan(t, dir, strings.Replace(lifecyclePlan, "after: [order]", "after: [go-live]", 1))
	_, ps = LoadBundle(dir, cfg, deal.NewDate(2026, 11, 2))
	if !slices.ContainsFunc(ps, func(p Problem) bool {
		return p.Line == 31 && strings.HasSuffix(p.Msg, "none of its steps can come before this one (this one, or steps that wait on it): remove the entry")
	}) {
		t.Errorf("after: its own milestone: %v", ps)
	}
	writePlan(t, dir, strings.Replace(lifecyclePlan, "      - id: rollout\n", "      - id: order\n", 1))
	_, ps = LoadBundle(dir, cfg, deal.NewDate(2026, 11, 2))
	if !slices.ContainsFunc(ps, func(p Problem) bool {
		return p.Line == 27 && strings.HasPrefix(p.Msg, `task id "order" is used twice (first on line 19)`)
	}) {
		t.Errorf("an id used twice: %v", ps)
	}
}

// TestOnboardingAfterGoLive: an open onboarding step, or milestone, dated
// after go-live is warned about on its line: the customer goes live
// without it.
func TestOnboardingAfterGoLive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	plan := strings.Replace(lifecyclePlan, "        due: 2027-01-15\n        after: [order]", "        due: 2027-01-20\n        after: [order]", 1)
	plan = strings.Replace(plan, "    due: 2027-01-15\n    onboarding: true", "    due: 2027-01-22\n    onboarding: true", 1)
	writePlan(t, dir, plan)
	_, ps := LoadBundle(dir, (&Config{}).withDefaults(), deal.NewDate(2026, 12, 20))
	var got []string
	for _, p := range ps {
		if strings.Contains(p.Msg, "go-live") {
			got = append(got, fmt.Sprintf("%d: %s", p.Line, p.Msg))
		}
	}
	want := []string{
		`22: onboarding milestone "go-live" is due 2027-01-22, after go-live 2027-01-15: move it, or go-live`,
		`30: onboarding task "rollout" is due 2027-01-20, after go-live 2027-01-15: the customer goes live without it; move it, or go-live`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("go-live warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
