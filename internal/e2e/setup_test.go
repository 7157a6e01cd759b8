package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// The example site is built with a fixed secret and date, so that its
// rooms, and the tasks late on that date, are the same on every run.
var (
	secret = []byte("e2e-secret-0123456789abcdef0123456789abcdef")
	today  = deal.NewDate(2026, 11, 22)
)

// The deal whose rooms the tests visit (content/acme-data-platform).
const acme = "acme-data-platform"

// Timeouts: every wait of the suite is bounded by one of them.
const (
	browserStart = 30 * time.Second // chromium starts and answers
	tabLife      = 90 * time.Second // everything one tab does
	logWait      = 10 * time.Second // an event the page sent reaches the log
)

// suite is what every test shares: the built site, the server that serves
// it and the beacon, and one browser. Each test opens its own tabs and its
// own event log.
type suite struct {
	root   string                    // the suite's temporary folder: site, build, state, profile
	public string                    // the built site
	site   *generator.Site           // the example site as the build loaded it
	links  map[string]generator.Link // by "deal/stakeholder"
	srv    *http.Server
	base   string // http://127.0.0.1:<port>
	host   string // 127.0.0.1:<port>
	store  *switchStore
	beacon *beacon.Handler
	posted atomic.Int64 // posts to the beacon the browser sent

	browser     context.Context    // the chromedp context that owns the browser
	stopBrowser context.CancelFunc // ends the browser's process
	output      *lockedBuffer      // chromium's own stdout and stderr
}

var (
	setupOnce sync.Once
	shared    *suite
	setupErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

// required reports whether a missing browser or axe-core fails the tests
// instead of skipping them (CI sets MAPROOM_E2E_REQUIRE).
func required() bool { return os.Getenv("MAPROOM_E2E_REQUIRE") != "" }

// chromiumPath is the browser to drive: MAPROOM_CHROMIUM or Debian's.
func chromiumPath() string {
	if p := os.Getenv("MAPROOM_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// env returns the shared suite, setting it up on first use. It skips the
// test when chromium is missing (and MAPROOM_E2E_REQUIRE is not set); any
// other setup problem fails it.
func env(t *testing.T) *suite {
	t.Helper()
	p := chromiumPath()
	if _, err := exec.LookPath(p); err != nil {
		msg := fmt.Sprintf("no chromium at %s (%v): install Debian's (apt-get install -y chromium) or set MAPROOM_CHROMIUM", p, err)
		if required() {
			t.Fatal(msg + "; MAPROOM_E2E_REQUIRE is set, so this is a failure")
		}
		t.Skip(msg)
	}
	setupOnce.Do(func() { shared, setupErr = setup(p) })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return shared
}

func setup(chromium string) (s *suite, err error) {
	s = &suite{store: &switchStore{}}
	defer func() {
		if err != nil {
			s.close()
			s = nil
		}
	}()
	tmp, err := os.MkdirTemp("", "maproom-e2e-")
	if err != nil {
		return s, err
	}
	s.root = tmp
	if err := copyExample(filepath.Join(tmp, "site")); err != nil {
		return s, err
	}
	if err := s.build(); err != nil {
		return s, err
	}
	if err := s.serve(); err != nil {
		return s, err
	}
	if err := s.startBrowser(chromium); err != nil {
		return s, err
	}
	return s, nil
}

// copyExample copies the repository's example site (content/, with its
// maproom.toml) into root/content, leaving out build output and state.
func copyExample(root string) error {
	return synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content"))
}

// build builds the example site with the beacon on the site's own origin.
func (s *suite) build() error {
	root := filepath.Join(s.root, "site")
	s.public = filepath.Join(s.root, "public")
	note := beacon.NotePath
	res, err := generator.Build(context.Background(), generator.Options{
		Root: root, Out: s.public, StateDir: filepath.Join(s.root, "state"),
		Secret: secret, Today: today, Beacon: &note, Workers: 1,
	})
	if err != nil {
		var b strings.Builder
		if res != nil {
			for _, p := range res.Problems {
				fmt.Fprintln(&b, p)
			}
		}
		return fmt.Errorf("building the example site: %w\n%s", err, b.String())
	}
	s.site = res.Site
	s.links = map[string]generator.Link{}
	for _, l := range generator.Links(res.Site, secret) {
		s.links[l.Deal+"/"+l.Stakeholder] = l
	}
	s.beacon = beacon.NewHandler(beacon.HandlerConfig{
		Manifest: res.Manifest,
		Store:    s.store,
		Instance: "e2e",
	})
	return nil
}

// serve serves the site with net/http's FileServer and the beacon at its
// note and health paths, on 127.0.0.1.
func (s *suite) serve() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(s.public)))
	mux.Handle(beacon.NotePath, s.beacon)
	mux.Handle(beacon.HealthPath, s.beacon)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.host = ln.Addr().String()
	s.base = "http://" + s.host
	go s.srv.Serve(ln)
	return nil
}

// startBrowser starts chromium: headless, with a fresh profile, and with
// every background service that would reach the network turned off (this
// machine's network is closed, and a test must not depend on it anyway).
func (s *suite) startBrowser(path string) error {
	s.output = &lockedBuffer{}
	var err error
	s.browser, s.stopBrowser, err = launch(path, filepath.Join(s.root, "profile"), s.output)
	return err
}

// launch starts a chromium with the suite's flags and any extra ones, and
// returns the context that owns it and the function that stops it.
func launch(path, profile string, output *lockedBuffer, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("hide-scrollbars", true),
		// A wheel event otherwise scrolls in an animation; a click
		// aimed while it runs lands beside its link.
		chromedp.Flag("disable-smooth-scrolling", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(output),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	browser, browserStop := chromedp.NewContext(allocCtx)
	stop := func() { browserStop(); allocCancel() }
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(browser) }()
	select {
	case err := <-errc:
		if err != nil {
			stop()
			return nil, stop, fmt.Errorf("starting %s: %w\n%s", path, err, output.String())
		}
		return browser, stop, nil
	case <-time.After(browserStart):
		stop()
		return nil, stop, fmt.Errorf("starting %s: no answer in %v\n%s", path, browserStart, output.String())
	}
}

func (s *suite) close() {
	if s.stopBrowser != nil {
		s.stopBrowser()
	}
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.srv.Shutdown(ctx)
		cancel()
	}
	s.store.set(nil)
	if s.root != "" {
		os.RemoveAll(s.root)
	}
}

// link returns the room URL of a stakeholder of the deal.
func (s *suite) link(t *testing.T, dealID, who string) string {
	t.Helper()
	l, ok := s.links[dealID+"/"+who]
	if !ok {
		t.Fatalf("no room for %s/%s", dealID, who)
	}
	return s.base + "/" + l.Path
}

// switchStore is the beacon's store: it passes events to the current
// test's log, so that each test reads only the events of its own tabs.
type switchStore struct {
	cur atomic.Pointer[eventlog.Log]
}

func (s *switchStore) set(l *eventlog.Log) {
	if old := s.cur.Swap(l); old != nil {
		old.Close()
	}
}

func (s *switchStore) Append(ctx context.Context, events []event.Event) error {
	l := s.cur.Load()
	if l == nil {
		return errors.New("no event log (between tests)")
	}
	return l.Append(ctx, events)
}

// eventLog is one test's event log.
type eventLog struct {
	dir string
}

// newLog gives the test a fresh event log (sync none: the tests need no
// power-loss safety) and makes the beacon write to it.
func (s *suite) newLog(t *testing.T) *eventLog {
	t.Helper()
	dir := t.TempDir()
	l, err := eventlog.OpenLog(dir, eventlog.LogOptions{Instance: "e2e", Sync: eventlog.SyncNone})
	if err != nil {
		t.Fatal(err)
	}
	s.store.set(l)
	before := s.health(t)
	// Cleanups run last in first out: this one runs after the test's tabs
	// have left their pages and seen every post answered.
	t.Cleanup(func() {
		after := s.health(t)
		for r, n := range after.Rejected {
			if d := n - before.Rejected[r]; d > 0 {
				t.Errorf("%s: the beacon rejected %d requests for %q during the test", beacon.HealthPath, d, r)
			}
		}
		if s.store.cur.CompareAndSwap(l, nil) {
			l.Close()
		}
	})
	return &eventLog{dir: dir}
}

// health reads the beacon's health document over HTTP.
func (s *suite) health(t *testing.T) beacon.Health {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.base + beacon.HealthPath)
	if err != nil {
		t.Fatalf("GET %s: %v", beacon.HealthPath, err)
	}
	defer resp.Body.Close()
	var h beacon.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != http.StatusOK || h.Status != "ok" {
		t.Fatalf("GET %s: %d %+v %v", beacon.HealthPath, resp.StatusCode, h, err)
	}
	return h
}

// events reads the log: the handler answers only once an event is written,
// so what a 204 acknowledged is there.
func (l *eventLog) events(t *testing.T) []event.Event {
	t.Helper()
	var evs []event.Event
	st, err := eventlog.ReadLogs([]string{l.dir}, func(e event.Event) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Corrupt > 0 {
		t.Fatalf("event log has %d corrupt lines: %v", st.Corrupt, st.CorruptAt)
	}
	return evs
}

// waitFor polls the log until ok accepts its events, for at most logWait.
// The room script sends with navigator.sendBeacon, which does not wait for
// the answer, so the test cannot know when an event lands but by looking.
func (l *eventLog) waitFor(t *testing.T, what string, ok func([]event.Event) bool) []event.Event {
	t.Helper()
	deadline := time.Now().Add(logWait)
	for {
		evs := l.events(t)
		if ok(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the log still lacks %s; it holds:\n%s", logWait, what, dumpEvents(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dumpEvents(evs []event.Event) string {
	if len(evs) == 0 {
		return "  (nothing)"
	}
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %s/%s page=%s kind=%s coll=%s load=%.8s seq=%d a=%d v=%d ua=%s webdriver=%v\n",
			e.Time.Format("15:04:05.000"), e.Deal, e.Stakeholder, e.Page, e.Kind, e.Collateral, e.Load, e.Seq, e.ActiveMS, e.VisibleMS, e.UA, e.Webdriver)
	}
	return b.String()
}

// tab is one browser tab of a test, bounded by tabLife. It records every
// request the page makes, and the page's uncaught exceptions and console
// errors (a CSP violation is one), and checks them when the test ends.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	requests []string // URL of every request, in order
	problems []string // exceptions and console errors
	expected []string // problems that contain one of these are expected
	// posts are the page's posts to the beacon, by request id: "" while
	// unanswered, then the status (and rejection) or the failure; the
	// origin counts them for every tab on it.
	posts  map[network.RequestID]string
	origin origin
}

// origin is a server tabs load pages from, with the beacon on it: the
// suite's own, or a `maproom serve` a test started. A tab's page may
// contact its origin only.
type origin struct {
	host     string                // 127.0.0.1:<port>
	file     string                // or a file:// page, the one URL the tab may load
	posted   *atomic.Int64         // posts to the beacon the browser sent, from every tab on the origin
	received func() (int64, error) // posts the beacon took or refused
}

// own is the suite's origin: the built site and its beacon.
func (s *suite) own() origin {
	return origin{host: s.host, posted: &s.posted, received: func() (int64, error) { return s.received(), nil }}
}

// expect marks console errors that contain s as expected by the test.
func (tb *tab) expect(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.expected = append(tb.expected, s)
}

// newTab opens a tab in the browser's first window, as a person opens a
// tab: the new tab is in front (visible and focused) and the tab that was
// in front of that window is hidden, which is how switchAway hides a page.
func (s *suite) newTab(t *testing.T) *tab { return s.open(t, false, s.own()) }

// newWindow opens a tab in a window of its own. Every window of headless
// chromium is visible and focused at once, so tests in separate windows can
// run in parallel; minimize hides one.
func (s *suite) newWindow(t *testing.T) *tab { return s.open(t, true, s.own()) }

// open opens a tab that lives at most tabLife and is checked when the test
// ends: its page may contact o only.
//
// Emulation.setFocusEmulationEnabled is deliberately not used: in this
// Chromium it pins the page visible and focused, so that neither a tab
// switch nor a minimized window hides it any more. Headless windows report
// document.hasFocus() true for their front tab without it.
func (s *suite) open(t *testing.T, window bool, o origin) *tab {
	t.Helper()
	return s.openIn(t, s.browser, window, o)
}

// openIn is open in another browser than the suite's (one the test started
// with flags of its own).
func (s *suite) openIn(t *testing.T, browser context.Context, window bool, o origin) *tab {
	t.Helper()
	tb := &tab{origin: o}
	tabCtx, closeTab := chromedp.NewContext(browser, chromedp.WithNewWindow(window), chromedp.WithListener(tb.listen))
	ctx, cancel := context.WithTimeout(tabCtx, tabLife)
	tb.ctx = ctx
	tb.cancel = func() { cancel(); closeTab() }
	t.Cleanup(tb.cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(func() {
		leave(t, tb)
		checkTab(t, tb)
	})
	return tb
}

// postWait bounds the wait for the beacon to receive a tab's posts.
const postWait = 5 * time.Second

// leave navigates the tab away (the page sends its hide, as a person
// closing the tab would) and waits until the tab's beacon has received as
// many posts as the browser sent to it, so that no event of this test
// reaches the next test's log. (The browser reports no answer for a post
// sent as the page goes away, so the beacon's own counters are the
// measure.)
func leave(t *testing.T, tb *tab) {
	t.Helper()
	if tb.ctx.Err() == nil {
		if err := chromedp.Do(tb.ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Errorf("leaving the page: %v", err)
		}
	}
	time.Sleep(50 * time.Millisecond) // the last requestWillBeSent event
	deadline := time.Now().Add(postWait)
	for {
		got, err := tb.origin.received()
		if err != nil {
			t.Errorf("counting the posts the beacon on %s received: %v", tb.origin.host, err)
			return
		}
		sent := tb.origin.posted.Load()
		if got >= sent {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the browser sent %d posts to the beacon, the beacon received %d after %v", sent, got, postWait)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received counts the posts the beacon took or refused.
func (s *suite) received() int64 {
	h := s.beacon.Health()
	n := h.Requests
	for _, r := range h.Rejected {
		n += r
	}
	return n
}

func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tb.requests = append(tb.requests, ev.Request.URL)
		if strings.HasSuffix(ev.Request.URL, beacon.NotePath) && ev.Request.Method == http.MethodPost {
			if tb.posts == nil {
				tb.posts = map[network.RequestID]string{}
			}
			tb.posts[ev.RequestID] = ""
			tb.origin.posted.Add(1)
		}
	case *network.EventResponseReceived:
		if _, ok := tb.posts[ev.RequestID]; ok {
			st := fmt.Sprint(ev.Response.Status)
			if rej, ok := ev.Response.Headers[beacon.RejectHeader]; ok {
				st += fmt.Sprintf(" (%s: %v)", beacon.RejectHeader, rej)
			}
			tb.posts[ev.RequestID] = st
		}
	case *network.EventLoadingFailed:
		if st, ok := tb.posts[ev.RequestID]; ok && st == "" {
			tb.posts[ev.RequestID] = "failed: " + ev.ErrorText
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		// The browser asks every site for /favicon.ico by itself; the
		// example site has none, and the 404 is on the site's own origin.
		if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
			tb.problems = append(tb.problems, fmt.Sprintf("console %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			tb.problems = append(tb.problems, fmt.Sprintf("console.error: %v", ev.Args))
		}
	}
}

// Requests returns the URLs the tab requested so far.
func (tb *tab) Requests() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.requests...)
}

// checkTab fails the test when the page requested anything but the site
// and its beacon (the tab's origin), or logged an error.
func checkTab(t *testing.T, tb *tab) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, u := range tb.requests {
		if tb.origin.file != "" && u == tb.origin.file {
			continue
		}
		if err := onOrigin(u, tb.origin.host); err != nil {
			t.Errorf("the page made a request off the site: %v", err)
		}
	}
	for _, st := range tb.posts {
		if st != "" && st != "204" {
			t.Errorf("the beacon answered a post of the page with %s, want 204", st)
		}
	}
	seen := map[string]int{}
	var order []string
next:
	for _, p := range tb.problems {
		for _, e := range tb.expected {
			if strings.Contains(p, e) {
				continue next
			}
		}
		if seen[p] == 0 {
			order = append(order, p)
		}
		seen[p]++
	}
	for _, p := range order {
		t.Errorf("the page logged an error (%d times): %s", seen[p], p)
	}
}

// ownOrigin accepts a URL on the site's own origin (where the beacon is
// too), and about:blank (where every tab starts).
func (s *suite) ownOrigin(raw string) error { return onOrigin(raw, s.host) }

// onOrigin accepts a URL on http://host, and about:blank (where every tab
// starts).
func onOrigin(raw, host string) error {
	if raw == "about:blank" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %v", raw, err)
	}
	if u.Scheme != "http" || u.Host != host {
		return fmt.Errorf("%s is not on http://%s", raw, host)
	}
	return nil
}

// do runs actions in the tab.
func (tb *tab) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// lockedBuffer collects chromium's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

var _ io.Writer = (*lockedBuffer)(nil)

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 64<<10 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
