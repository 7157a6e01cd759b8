package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
)

// The milestones of the example deal, in plan order, and its task count.
var acmeMilestones = []string{
	"Needs and success criteria agreed",
	"Proof of concept passed",
	"Security review approved",
	"Business case approved by the COO",
	"Contract signed",
}

const acmeTasks = 12

// TestPlanRendersWithoutJavaScript loads a room with JavaScript disabled
// (Emulation.setScriptExecutionDisabled): the plan is plain HTML, so the
// milestones, every task row, the person's next steps, the timeline and
// the documents are there; the room script does not run, so nothing is
// sent to the beacon.
func TestPlanRendersWithoutJavaScript(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	tb := s.newTab(t)
	tb.disableScripts(t)
	tb.navigate(t, s.link(t, acme, "elena"))

	if got := count(t, tb, ".milestone h3"); got != len(acmeMilestones) {
		t.Errorf("%d milestone headings, want %d", got, len(acmeMilestones))
	}
	for i, h := range texts(t, tb, ".milestone h3") {
		if i < len(acmeMilestones) && !strings.HasPrefix(h, acmeMilestones[i]) {
			t.Errorf("milestone heading %d is %q, want %q first", i+1, h, acmeMilestones[i])
		}
	}
	if got := count(t, tb, ".milestone tbody tr[id^='t-']"); got != acmeTasks {
		t.Errorf("%d task rows, want %d", got, acmeTasks)
	}
	for _, id := range []string{"t-nda", "t-sample-data", "t-vendor-risk-assessment", "t-order-form-signed"} {
		if count(t, tb, "#"+id) != 1 {
			t.Errorf("no task row #%s", id)
		}
	}
	if got := texts(t, tb, ".next .step-title"); !sameSet(got, []string{"Vendor risk assessment signed off"}) {
		t.Errorf("elena's next steps without JavaScript: %s", quoted(got))
	}
	if count(t, tb, "svg.tl") != 1 {
		t.Error("no timeline")
	}
	if got := count(t, tb, ".documents a"); got != 3 { // security whitepaper, proof-of-concept plan, case study
		t.Errorf("%d documents, want 3", got)
	}

	// The script did not run: no request to the beacon, no event.
	time.Sleep(time.Second)
	for _, u := range tb.Requests() {
		if strings.HasSuffix(u, beacon.NotePath) {
			t.Errorf("with JavaScript off the page still posted to %s", u)
		}
	}
	if evs := log.events(t); len(evs) != 0 {
		t.Errorf("with JavaScript off the log holds events:\n%s", dumpEvents(evs))
	}
}

// TestPagesContactOnlyTheSite walks through a room as a person would (use
// it, open a document, come back, switch tabs) and checks, from the
// browser's network log (Network.requestWillBeSent), that every request
// went to the site's own origin, where the beacon is too. Every other test
// makes the same check on each of its tabs when it ends; this one also
// shows that the log sees the beacon's posts, and that the pages' CSP is in
// force.
func TestPagesContactOnlyTheSite(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	tb := s.newTab(t)
	room := s.link(t, acme, "jordan")
	tb.navigate(t, room)
	for i := range 3 {
		tb.do(t, "acting in the page", activity(i))
	}
	tb.clickNavigate(t, `.documents a[data-mr-open="case-study"]`)
	tb.clickNavigate(t, `header nav a[href="../"]`)
	if loc := eval[string](t, tb, "location.href"); loc != room {
		t.Errorf("back to the plan led to %s, want %s", loc, room)
	}
	s.switchAway(t, tb)
	log.waitFor(t, "two hides and the page's view", func(evs []event.Event) bool {
		n := 0
		for _, e := range byPerson(evs, "jordan") {
			if e.Kind == event.KindHide {
				n++
			}
		}
		return n >= 3 && hasKind(evs, "case-study", event.KindView)
	})

	reqs := tb.Requests()
	var notes, off int
	for _, u := range reqs {
		if strings.HasSuffix(u, beacon.NotePath) {
			notes++
		}
		if err := s.ownOrigin(u); err != nil {
			off++
			t.Errorf("request off the site: %v", err)
		}
	}
	t.Logf("%d requests, %d of them to the beacon, %d off the site:\n  %s", len(reqs), notes, off, strings.Join(reqs, "\n  "))
	if notes < 5 {
		t.Errorf("the network log saw %d posts to the beacon, want at least 5 (views, open, hides): it misses requests", notes)
	}

	// The CSP is in force: an inline script is refused (and evaluation
	// through DevTools, as the accessibility test injects axe-core, is not
	// subject to it).
	csp := eval[string](t, tb, `document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`)
	if !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q: want script-src 'self' and connect-src 'self' (the beacon is on the site's origin)", csp)
	}
	tb.expect("inline script")
	got := evalWith[string](t, tb, `new Promise(done => {
		document.addEventListener('securitypolicyviolation', e => done('refused: ' + e.violatedDirective), {once: true});
		const s = document.createElement('script');
		s.textContent = 'window.mrInline = 1';
		document.head.append(s);
		setTimeout(() => done(window.mrInline ? 'ran' : 'silent'), 2000);
	})`, chromedp.EvalAwaitPromise)
	if !strings.HasPrefix(got, "refused: script-src") {
		t.Errorf("an inline script in the room: %s, want refused by the CSP", got)
	}
}

// TestAccessibility runs axe-core (from npm, injected through DevTools)
// on a room and on collateral pages, and fails on serious or critical
// violations.
func TestAccessibility(t *testing.T) {
	s := env(t)
	src := axeSource(t)
	s.newLog(t)
	pages := []struct{ name, url string }{
		{"jordan's room", s.link(t, acme, "jordan")},
		{"jordan's proof-of-concept plan page", s.link(t, acme, "jordan") + "poc-plan/"},
		{"priya's pricing page", s.link(t, acme, "priya") + "pricing/"},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			tb := s.newTab(t)
			tb.navigate(t, pg.url)
			tb.do(t, "injecting axe-core", chromedp.Evaluate[chromedp.Void](src))
			if !eval[bool](t, tb, `typeof axe === 'object' && typeof axe.run === 'function'`) {
				t.Fatal("axe-core did not load in the page")
			}
			type node struct {
				Target  []any  `json:"target"`
				Summary string `json:"summary"`
			}
			type violation struct {
				ID      string `json:"id"`
				Impact  string `json:"impact"`
				Help    string `json:"help"`
				HelpURL string `json:"helpURL"`
				Nodes   []node `json:"nodes"`
			}
			vs := evalWith[[]violation](t, tb, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
				id: v.id, impact: v.impact, help: v.help, helpURL: v.helpUrl,
				nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})))`, chromedp.EvalAwaitPromise)
			version := eval[string](t, tb, "axe.version")
			bad := 0
			for _, v := range vs {
				report := t.Logf
				if v.Impact == "serious" || v.Impact == "critical" {
					report = t.Errorf
					bad++
				}
				var b strings.Builder
				for _, n := range v.Nodes {
					fmt.Fprintf(&b, "\n    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
				}
				report("axe %s: %s (%s): %s (%s)%s", version, v.ID, v.Impact, v.Help, v.HelpURL, b.String())
			}
			t.Logf("axe-core %s: %d violations, %d serious or critical", version, len(vs), bad)
		})
	}
}

// axeSource reads axe.min.js: MAPROOM_AXE, or node_modules/axe-core here
// (npm ci in this folder installs it). The test skips without it, unless
// MAPROOM_E2E_REQUIRE is set.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("MAPROOM_AXE")
	if p == "" {
		p = filepath.Join("node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		msg := fmt.Sprintf("no axe-core (%v): run `npm ci --prefix internal/e2e` or set MAPROOM_AXE to axe.min.js", err)
		if required() {
			t.Fatal(msg + "; MAPROOM_E2E_REQUIRE is set, so this is a failure")
		}
		t.Skip(msg)
	}
	return string(b)
}

// TestScreenshots saves a room at phone (390x844 CSS pixels, device scale
// 2) and desktop (1280x900, full page) widths, and a collateral page at
// phone width, for a reviewer to look at; the folder is named in the log.
// It also checks that nothing makes the phone layout wider than the screen.
func TestScreenshots(t *testing.T) {
	s := env(t)
	s.newLog(t)
	dir := os.Getenv("MAPROOM_SCREENSHOTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "maproom-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	room := s.link(t, acme, "jordan")
	shots := []struct {
		file, url     string
		width, height int64
		phone, full   bool
	}{
		{"room-phone-390x844.png", room, 390, 844, true, false},
		{"room-phone-390-full.png", room, 390, 844, true, true},
		{"room-desktop-1280-full.png", room, 1280, 900, false, true},
		{"page-phone-390-full.png", room + "poc-plan/", 390, 844, true, true},
	}
	for _, sh := range shots {
		tb := s.newTab(t)
		emulate := chromedp.EmulateViewport(sh.width, sh.height)
		if sh.phone {
			emulate = chromedp.EmulateViewport(sh.width, sh.height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		tb.do(t, "emulating the screen", emulate)
		tb.navigate(t, sh.url)
		if sh.phone {
			if w := eval[int](t, tb, "document.documentElement.scrollWidth"); int64(w) > sh.width {
				t.Errorf("%s: the page is %d px wide on a %d px screen: it scrolls sideways", sh.file, w, sh.width)
			}
			// A document's table keeps its column headings on a phone: the
			// plan's tables may stack their cells (each row starts with its
			// step), but "41 million" or "210,000" mean nothing without
			// "Rows" or "Annual price" above them.
			if hidden := eval[[]string](t, tb, `Array.from(document.querySelectorAll('main.doc table'))
				.filter(t => t.tHead && t.tHead.getBoundingClientRect().height === 0)
				.map(t => Array.from(t.tHead.querySelectorAll('th'), th => th.textContent.trim()).join(' | '))`); len(hidden) > 0 {
				t.Errorf("%s: at %d px the column headings of %d document tables are hidden: %s", sh.file, sh.width, len(hidden), quoted(hidden))
			}
			if px := eval[float64](t, tb, `(() => { const l = document.querySelector('svg.tl text.row-l'); return l ? l.getBoundingClientRect().height : 0 })()`); px > 0 {
				t.Logf("%s: the timeline's labels are %.1f CSS px tall at %d px wide", sh.file, px, sh.width)
			}
		}
		var png []byte
		var err error
		if sh.full {
			png, err = chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
		} else {
			png, err = chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatalf("%s: %v", sh.file, err)
		}
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Fatalf("%s: not a PNG (%.20s)", sh.file, base64.StdEncoding.EncodeToString(png))
		}
		if err := os.WriteFile(filepath.Join(dir, sh.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		tb.cancel()
	}
	t.Logf("screenshots in %s", dir)
}

// evalWith is eval with evaluation options.
func evalWith[T any](t *testing.T, tb *tab, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluating %.60s: %v", expr, err)
	}
	return v
}
