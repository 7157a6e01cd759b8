package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/generator"
)

// The reply loop runs the real program: these bound its steps.
const (
	buildWait  = 5 * time.Minute  // go build of cmd/maproom (a cold cache on two cores)
	serveStart = 60 * time.Second // maproom serve builds the preview and listens
	serveStop  = 10 * time.Second // it drains and exits after an interrupt
	cmdWait    = 60 * time.Second // one maproom replies, maproom accept or git command
	roomWait   = 20 * time.Second // serve renders a reply or a changed plan into the rooms
)

// TestReplyLoop drives the whole reply loop through the real program and a
// real browser, on a copy of the example site in a git repository:
// `maproom serve` runs the preview and the beacon; Jordan Park proposes a
// new date for his task from his room with JavaScript off (the form posts,
// the beacon sends him back to the room's #sent confirmation) and asks a
// question with JavaScript on (the room script sends it in place); `maproom
// replies` lists both; `maproom accept` applies the proposal to the plan in
// a commit authored by Jordan and committed by the seller; and serve's
// watcher puts the new date, and who moved it, in every room (and, once it
// sees the commit land, in "What changed"), while the question stays in
// Jordan's room only.
//
// The beacon in serve stamps a reply with the machine's clock and refuses
// a proposed date before its yesterday: Jordan proposes a day four weeks
// from the machine's today.
func TestReplyLoop(t *testing.T) {
	s := env(t)
	day := time.Now().UTC().AddDate(0, 0, 28)
	newISO, newShown := day.Format(time.DateOnly), day.Format("2 Jan 2006")
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("no git binary (%v): the loop commits with maproom accept and reads the history with git; install git", err)
	}
	tmp := t.TempDir()
	root := filepath.Join(tmp, "site")
	seedRepo(t, gitBin, root)
	bin := buildMaproom(t, filepath.Join(tmp, "bin"))
	srv := startServe(t, bin, root)
	jordanRoom := srv.room(t, acme, "Jordan Park")
	elenaRoom := srv.room(t, acme, "Elena Novak")
	o := srv.origin()

	// 1. Without JavaScript: propose another date for sample-data.
	tb := s.open(t, false, o)
	tb.disableScripts(t)
	tb.navigate(t, jordanRoom)
	if shown(t, tb, "#sent") {
		t.Error("the #sent confirmation shows before anything was sent")
	}
	const form = `//form[@id="r-sample-data"]`
	tb.do(t, "opening the reply form of sample-data, typing the proposal",
		chromedp.Click(chromedp.CSS(`details:has(> #r-sample-data) > summary`)),
		chromedp.Click(chromedp.Search(form+`//label[normalize-space(.)="Propose another date"]`)),
		chromedp.Click(chromedp.Search(form+`//label[starts-with(normalize-space(.), "Date (YYYY-MM-DD)")]/input`)),
		chromedp.SendKeys(chromedp.Search(form+`//label[starts-with(normalize-space(.), "Date (YYYY-MM-DD)")]/input`), newISO),
		chromedp.Click(chromedp.Search(form+`//label[starts-with(normalize-space(.), "Reason")]/textarea`)),
		chromedp.SendKeys(chromedp.Search(form+`//label[starts-with(normalize-space(.), "Reason")]/textarea`), "InfoSec queue"),
	)
	if got := eval[string](t, tb, `document.querySelector('#r-sample-data input[name=kind]:checked').value`); got != "propose" {
		t.Fatalf("after a click on \"Propose another date\" the checked kind is %q", got)
	}
	tb.submit(t, form+`//button[normalize-space(.)="Send"]`)
	if at := eval[string](t, tb, "location.href"); at != jordanRoom+"#sent" {
		t.Fatalf("after sending the form the tab is at %s, want %s#sent; the page says:\n%s", at, jordanRoom, bodyText(t, tb))
	}
	if !shown(t, tb, "#sent") {
		t.Error("the #sent confirmation is not shown after the redirect")
	}
	if got := texts(t, tb, "#sent"); len(got) != 1 || !strings.HasPrefix(got[0], "Sent to Sam Lee.") {
		t.Errorf("the confirmation says %s, want \"Sent to Sam Lee. ...\"", quoted(got))
	}
	proposal := "Another date · Anonymised sample datasets delivered: " + newShown + ": InfoSec queue"
	tb.reloadUntil(t, "Jordan's room lists the proposal as waiting", func() bool {
		return anyHas(texts(t, tb, ".replies .mine li"), proposal, "waiting for Sam Lee")
	})

	// 2. With JavaScript: ask a question in place. The preview's
	// live-reload script, which reloads every open page after each
	// rebuild (a reply arriving is one), is kept out of this tab: the
	// published rooms have no such script, and this step checks that the
	// room's own reply script leaves the page where it is.
	tj := s.open(t, false, o)
	if _, err := chromedp.Call(tj.ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
		URLPatterns: []*network.BlockPattern{{URLPattern: srv.base + "/_maproom/live.js", Block: true}},
	}); err != nil {
		t.Fatalf("keeping the live-reload script out: %v", err)
	}
	tj.expect("ERR_BLOCKED_BY_CLIENT") // should this Chromium log the blocked script
	tj.navigate(t, jordanRoom)
	eval[bool](t, tj, `(window.mrBefore = "still here", true)`)
	const question = "Can we run the scenarios on staging?"
	tj.do(t, "asking a question",
		chromedp.Click(chromedp.CSS(`details:has(> #rq) > summary`)),
		chromedp.Click(chromedp.Search(`//form[@id="rq"]//label[starts-with(normalize-space(.), "Your question")]/textarea`)),
		chromedp.SendKeys(chromedp.Search(`//form[@id="rq"]//label[starts-with(normalize-space(.), "Your question")]/textarea`), question),
		chromedp.Click(chromedp.Search(`//form[@id="rq"]//button[normalize-space(.)="Send"]`)),
	)
	status := tj.waitText(t, `#rq p.rs[role=status]`, func(s string) bool { return s != "" && s != "Sending…" })
	if !strings.HasPrefix(status, "Sent to Sam Lee.") {
		t.Errorf("the question form's status says %q, want \"Sent to Sam Lee. ...\"", status)
	}
	time.Sleep(time.Second) // a navigation the submit caused would have begun
	if got := eval[string](t, tj, `location.href + " " + (window.mrBefore || "gone")`); got != jordanRoom+" still here" {
		t.Errorf("after sending in place the tab shows %s, want %s still here (the same page, never reloaded)", got, jordanRoom)
	}
	if got := eval[string](t, tj, `document.querySelector('#rq textarea').value`); got != "" {
		t.Errorf("the question form still holds %q after it was sent, want it cleared", got)
	}
	// Words typed under one kind of reply, then another kind chosen that
	// does not take them (the field hidden with it): refused, and the
	// field shown again with the words in it, not dropped unseen.
	const evidence = `//form[@id="r-sample-data"]//label[starts-with(normalize-space(.), "Evidence")]/input`
	tj.expect("status of 422") // the refusal, as the browser logs it
	srv.refused = map[string]int64{"bad-reply": 1}
	tj.do(t, "typing evidence under Mark done, then proposing a date",
		chromedp.Click(chromedp.CSS(`details:has(> #r-sample-data) > summary`)),
		chromedp.Click(chromedp.Search(form+`//label[normalize-space(.)="Mark done"]`)),
		chromedp.SendKeys(chromedp.Search(evidence), "signed PDF"),
		chromedp.Click(chromedp.Search(form+`//label[normalize-space(.)="Propose another date"]`)),
		chromedp.SendKeys(chromedp.Search(form+`//label[starts-with(normalize-space(.), "Date (YYYY-MM-DD)")]/input`), newISO),
		chromedp.Click(chromedp.Search(form+`//button[normalize-space(.)="Send"]`)),
	)
	refused := tj.waitText(t, `#r-sample-data p.rs[role=status]`, func(s string) bool { return s != "" && s != "Sending…" })
	if !strings.Contains(refused, `"Propose another date" does not take it`) {
		t.Errorf("the form's status says %q, want the evidence refused for a proposal", refused)
	}
	if got := eval[string](t, tj, `getComputedStyle(document.querySelector('#r-sample-data input[name=evidence]').closest('label')).display + " " + document.querySelector('#r-sample-data input[name=evidence]').value`); got != "grid signed PDF" {
		t.Errorf("the evidence field after the refusal: %q, want it shown (grid) with the words typed", got)
	}

	// 3. maproom replies lists both, from Jordan.
	out := srv.maproom(t, nil, "replies", "-format", "json", "-today", today.String())
	var rows []struct {
		ID, Deal, Stakeholder, Person, Kind, Target, Reason, What, State string
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("maproom replies -format json: %v\n%s", err, out)
	}
	var proposeID string
	kinds := map[string]bool{}
	for _, r := range rows {
		if r.Deal != acme || r.Stakeholder != "jordan" || r.Person != "Jordan Park" || r.State != "waiting" {
			t.Errorf("maproom replies lists %+v, want a waiting reply of Jordan Park (jordan) in %s", r, acme)
		}
		kinds[r.Kind] = true
		switch r.Kind {
		case "propose":
			proposeID = r.ID
			if r.Target != "sample-data" || r.Reason != "InfoSec queue" || !strings.Contains(r.What, newISO) {
				t.Errorf("the proposal is listed as %+v, want sample-data moved to %s for \"InfoSec queue\"", r, newISO)
			}
		case "question":
			if r.What != question {
				t.Errorf("the question is listed as %+v, want %q", r, question)
			}
		}
	}
	if len(rows) != 2 || !kinds["propose"] || !kinds["question"] {
		t.Fatalf("maproom replies lists %d replies (%v), want the proposal and the question:\n%s", len(rows), kinds, out)
	}

	// 4. maproom accept commits the new date: Jordan the author, the
	// seller the committer.
	out = srv.maproom(t, []string{
		"MAPROOM_COMMITTER_NAME=Sam Lee", "MAPROOM_COMMITTER_EMAIL=sam.lee@northwind.example", "MAPROOM_TODAY=" + today.String(),
	}, "accept", proposeID)
	t.Logf("maproom accept %s: %s", proposeID, strings.TrimSpace(out))
	history := runIn(t, root, nil, gitBin, "log", "--format=%an <%ae> | %cn | %s")
	t.Logf("git log --format='%%an <%%ae> | %%cn | %%s':\n%s", history)
	newest, _, _ := strings.Cut(history, "\n")
	if want := `Jordan Park <jordan.park@acme.example> | Sam Lee | Jordan Park: move "Anonymised sample datasets delivered" to ` + newISO; newest != want {
		t.Errorf("the newest commit is\n  %s\nwant\n  %s", newest, want)
	}
	if n := strings.Count(strings.TrimSpace(history), "\n") + 1; n != 2 {
		t.Errorf("the history has %d commits, want 2 (the seed and the accepted reply)", n)
	}
	if show := runIn(t, root, nil, gitBin, "show", "HEAD"); !regexp.MustCompile(`(?m)^\s*Maproom-Reply: ` + proposeID + `$`).MatchString(show) {
		t.Errorf("git show HEAD has no Maproom-Reply: %s trailer:\n%s", proposeID, show)
	}

	// 5. The watcher rebuilds the rooms with the new date, and, once
	// serve sees the commit land, "What changed" tells the move, by whom
	// and with his reason, listed once (not again among the replies'
	// changes).
	moved := `Step "Anonymised sample datasets delivered" moved later, from 10 Nov 2026 to ` + newShown + ", by Jordan Park (from their reply)"
	tb.navigate(t, jordanRoom)
	tb.reloadUntil(t, "Jordan's room shows sample-data due "+newShown, func() bool {
		return sameSeq(texts(t, tb, "#t-sample-data time"), []string{newShown})
	})
	tb.reloadUntil(t, "Jordan's room tells the move under What changed", func() bool {
		return anyHas(texts(t, tb, ".changed li"), moved)
	})
	if got := texts(t, tb, ".changed li"); !anyHas(got, moved, ": InfoSec queue") {
		t.Errorf("Jordan's room lists what changed as %s, want %q...\": InfoSec queue\"", quoted(got), moved)
	}
	if got := texts(t, tb, ".replies .changes li"); anyHas(got, "Anonymised sample datasets delivered") {
		t.Errorf("Jordan's room lists the move twice: among the replies' changes too, %s", quoted(got))
	}
	if got := texts(t, tb, "#reply-"+proposeID+" .rst"); !sameSeq(got, []string{"accepted 22 Nov 2026"}) {
		t.Errorf("Jordan's room shows the state of his proposal as %s, want \"accepted 22 Nov 2026\"", quoted(got))
	}
	if got := texts(t, tb, ".replies .mine li"); !anyHas(got, "Question · the plan: "+question, "waiting for Sam Lee") {
		t.Errorf("Jordan's room lists his replies as %s, want the question still waiting", quoted(got))
	}

	tb.navigate(t, elenaRoom)
	if got := texts(t, tb, "#t-sample-data time"); !sameSeq(got, []string{newShown}) {
		t.Errorf("Elena's room shows sample-data due %s, want %s", quoted(got), newShown)
	}
	// Elena is not of the step (Jordan owns it and leads its milestone):
	// she reads what changed, by whom and when, not Jordan's reason.
	if got := texts(t, tb, ".changed li"); !anyHas(got, moved) || anyHas(got, "InfoSec queue") {
		t.Errorf("Elena's room lists what changed as %s, want %q... without Jordan's reason", quoted(got), moved)
	}
	if body := bodyText(t, tb); strings.Contains(body, question) {
		t.Error("Elena's room shows Jordan's question")
	}
	if n := count(t, tb, ".replies .mine li"); n != 0 {
		t.Errorf("Elena's room lists %d replies as hers; she sent none: %s", n, quoted(texts(t, tb, ".replies .mine li")))
	}
}

// seedRepo copies the example site into root and commits it as the seed
// of a new git repository, with a fixed identity and date.
func seedRepo(t *testing.T, gitBin, root string) {
	t.Helper()
	if err := copyExample(root); err != nil {
		t.Fatal(err)
	}
	seed := []string{
		"GIT_AUTHOR_NAME=Seed", "GIT_AUTHOR_EMAIL=seed@example.com", "GIT_AUTHOR_DATE=2026-11-20T09:00:00Z",
		"GIT_COMMITTER_NAME=Seed", "GIT_COMMITTER_EMAIL=seed@example.com", "GIT_COMMITTER_DATE=2026-11-20T09:00:00Z",
	}
	runIn(t, root, nil, gitBin, "init", "-q")
	runIn(t, root, nil, gitBin, "add", "content")
	runIn(t, root, seed, gitBin, "commit", "-q", "-m", "seed: the example site")
}

// buildMaproom builds cmd/maproom into dir and returns the binary's path.
func buildMaproom(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build cmd/maproom with (%v): put the Go toolchain on PATH", err)
	}
	bin := filepath.Join(dir, "maproom")
	ctx, cancel := context.WithTimeout(context.Background(), buildWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "github.com/maproom/maproom/cmd/maproom")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/maproom: %v (bounded by %v)\n%s", err, buildWait, out)
	}
	return bin
}

// commandEnv is the environment of the programs the loop runs: this
// process's, without its MAPROOM_ and GIT_ settings and git's global and
// system configuration, with the suite's secret and extra.
func commandEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAPROOM_") && !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "MAPROOM_SECRET="+string(secret), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	return append(env, extra...)
}

// runIn runs a program in dir, bounded by cmdWait, and returns its
// standard output; it fails the test when the program fails.
func runIn(t *testing.T, dir string, extra []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = commandEnv(extra)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v (bounded by %v)\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, cmdWait, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// served is a running `maproom serve`.
type served struct {
	bin, root string
	base      string        // http://127.0.0.1:<port>
	out       *lockedBuffer // its standard output
	errs      *lockedBuffer // its standard error
	posted    atomic.Int64  // posts the browser sent to its beacon
	// refused counts, by reason, the requests the test means its beacon
	// to reject (set before the test ends; read by the cleanup).
	refused map[string]int64
}

// startServe starts `maproom serve` on a free loopback port in root and
// waits until it watches for changes; the test's cleanup interrupts it
// (and kills it if it does not stop in time).
func startServe(t *testing.T, bin, root string) *served {
	t.Helper()
	sv := &served{bin: bin, root: root, out: &lockedBuffer{}, errs: &lockedBuffer{}}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-today", today.String())
	cmd.Dir = root
	cmd.Env = commandEnv(nil)
	cmd.Stdout, cmd.Stderr = sv.out, sv.errs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting maproom serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("maproom serve ended with %v after the interrupt\nstderr:\n%s", err, sv.errs.String())
			}
		case <-time.After(serveStop):
			cmd.Process.Kill()
			<-exited
			t.Errorf("maproom serve did not stop within %v of an interrupt: killed", serveStop)
		}
		if t.Failed() {
			t.Logf("maproom serve's output:\n%s\nstderr:\n%s", sv.out.String(), sv.errs.String())
		}
	})
	serving := regexp.MustCompile(`(?m)^maproom is serving a preview of .* at (http://127\.0\.0\.1:\d+)$`)
	deadline := time.Now().Add(serveStart)
	for {
		out := sv.out.String()
		if m := serving.FindStringSubmatch(out); m != nil && strings.Contains(out, "watching for changes") {
			sv.base = m[1]
			break
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("maproom serve exited (%v) before it served:\n%s\nstderr:\n%s", err, out, sv.errs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("maproom serve did not serve within %v:\n%s\nstderr:\n%s", serveStart, out, sv.errs.String())
		}
	}
	// Every request the tabs sent it was taken: checked once they have left.
	t.Cleanup(func() {
		h, err := sv.health()
		if err != nil {
			t.Error(err)
			return
		}
		for r, n := range h.Rejected {
			if n != sv.refused[string(r)] {
				t.Errorf("the beacon of maproom serve rejected %d requests for %q, want %d", n, r, sv.refused[string(r)])
			}
		}
		for r, n := range sv.refused {
			if h.Rejected[beacon.Reason(r)] != n {
				t.Errorf("the beacon of maproom serve rejected %d requests for %q, want %d", h.Rejected[beacon.Reason(r)], r, n)
			}
		}
	})
	return sv
}

// room returns the room link serve printed for the named person of a deal,
// after checking it against the link the suite's secret gives.
func (sv *served) room(t *testing.T, dealID, name string) string {
	t.Helper()
	var got string
	for _, line := range strings.Split(sv.out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == dealID && strings.Contains(line, " "+name+" ") && strings.HasPrefix(f[len(f)-1], sv.base+"/") {
			got = f[len(f)-1]
		}
	}
	if got == "" {
		t.Fatalf("maproom serve printed no room link for %s of %s:\n%s", name, dealID, sv.out.String())
	}
	site, ps := generator.Load(generator.LoadOptions{Root: sv.root, Today: today})
	if ps.Errors() > 0 {
		t.Fatalf("loading %s: %v", sv.root, ps)
	}
	for _, l := range generator.Links(site, secret) {
		if l.Deal == dealID && l.Name == name {
			if want := sv.base + "/" + l.Path; got != want {
				t.Fatalf("maproom serve printed %s for %s, want %s (the link of the secret it was given)", got, name, want)
			}
			return got
		}
	}
	t.Fatalf("no stakeholder named %s in %s", name, dealID)
	return ""
}

// origin is serve's address, where a tab's page may go, with its beacon.
func (sv *served) origin() origin {
	u, _ := url.Parse(sv.base)
	return origin{host: u.Host, posted: &sv.posted, received: func() (int64, error) {
		h, err := sv.health()
		if err != nil {
			return 0, err
		}
		n := h.Requests
		for _, r := range h.Rejected {
			n += r
		}
		return n, nil
	}}
}

// health reads the health document of serve's beacon.
func (sv *served) health() (beacon.Health, error) {
	var h beacon.Health
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(sv.base + beacon.HealthPath)
	if err != nil {
		return h, fmt.Errorf("GET %s: %w", beacon.HealthPath, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("GET %s%s: %d %v", sv.base, beacon.HealthPath, resp.StatusCode, err)
	}
	return h, nil
}

// maproom runs another command of the binary in serve's site.
func (sv *served) maproom(t *testing.T, extra []string, args ...string) string {
	t.Helper()
	return runIn(t, sv.root, extra, sv.bin, args...)
}

// submit clicks a form's submit button and waits for the page the answer
// leads to (a bounded wait, as clickNavigate's).
func (tb *tab) submit(t *testing.T, button string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.Search(button)))); err != nil {
		at := eval[string](t, tb, `location.href + " " + document.readyState`)
		if !strings.HasSuffix(at, " complete") {
			t.Fatalf("sending the form with %s: %v (the tab is at %s)", button, err, at)
		}
		t.Logf("sending the form with %s: the load event was missed (%v), but the tab loaded %s", button, err, at)
	}
}

// reloadUntil reloads the tab until ok holds, for at most roomWait.
func (tb *tab) reloadUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(roomWait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v of reloads, still not: %s; the page says:\n%s", roomWait, what, bodyText(t, tb))
		}
		time.Sleep(250 * time.Millisecond)
		tb.do(t, "reloading", chromedp.Reload())
	}
}

// waitText polls the text of the element sel until ok accepts it, for at
// most roomWait, and returns it.
func (tb *tab) waitText(t *testing.T, sel string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(roomWait)
	for {
		got := texts(t, tb, sel)
		if len(got) == 1 && ok(got[0]) {
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v %s says %s", roomWait, sel, quoted(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shown reports whether the element sel is displayed (it takes room on the
// page).
func shown(t *testing.T, tb *tab, sel string) bool {
	t.Helper()
	return eval[bool](t, tb, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.getClientRects().length > 0 })()`, sel))
}

// bodyText is the page's visible text, for failure messages and checks of
// what a page does not say.
func bodyText(t *testing.T, tb *tab) string {
	t.Helper()
	return eval[string](t, tb, `document.body ? document.body.innerText : ""`)
}

// anyHas reports whether one of lines contains every one of parts.
func anyHas(lines []string, parts ...string) bool {
	for _, l := range lines {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			return true
		}
	}
	return false
}
