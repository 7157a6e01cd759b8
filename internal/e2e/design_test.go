package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/testkit/scenario"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// roomBudget is what a room may weigh with its stylesheet and scripts:
// HTML, CSS and JavaScript, as a phone downloads them (the site serves
// them uncompressed; logos are capped apart, by generator.MaxLogoBytes).
const roomBudget = 40 << 10

// designSite is the example site with the seller's and a buyer's logo,
// built like the suite's and served on an origin of its own, with the
// site's headers (those of _headers) on every answer, its 404 page, the
// suite's beacon at its note path, the preview's index of every room at
// /_maproom/ and, when the test made one, the HTML report at /_report/.
type designSite struct {
	root, public string
	base, host   string
	links        map[string]generator.Link
	index        []byte // the preview's /_maproom/ page
}

// newDesignSite builds and serves the branded example; the server stops
// when the test ends.
func (s *suite) newDesignSite(t *testing.T) *designSite {
	t.Helper()
	ds := &designSite{root: filepath.Join(t.TempDir(), "site")}
	content := filepath.Join(ds.root, "content")
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), content); err != nil {
		t.Fatal(err)
	}
	brand := filepath.Join("..", "..", "generator", "testdata", "brand")
	for from, to := range map[string]string{"northwind-logo.png": "northwind-logo.png", "acme-logo.png": filepath.Join(acme, "acme-logo.png")} {
		data, err := os.ReadFile(filepath.Join(brand, from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(content, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	editFile(t, filepath.Join(content, generator.ConfigFile), "[brand]\n", "[brand]\nlogo = \"northwind-logo.png\"\n")
	editFile(t, filepath.Join(content, acme, generator.BundleIndex), "\n---\n", "\nbuyer_logo: acme-logo.png\n---\n")

	note := "/note"
	opts := generator.Options{Root: ds.root, Out: filepath.Join(t.TempDir(), "public"), StateDir: filepath.Join(t.TempDir(), "state"),
		Secret: secret, Today: today, Beacon: &note, Workers: 1}
	ds.public = opts.Out
	res, err := generator.Build(context.Background(), opts)
	if err != nil {
		var b strings.Builder
		if res != nil {
			for _, p := range res.Problems {
				fmt.Fprintln(&b, p)
			}
		}
		t.Fatalf("building the branded example: %v\n%s", err, b.String())
	}
	ds.links = map[string]generator.Link{}
	for _, l := range generator.Links(res.Site, secret) {
		ds.links[l.Deal+"/"+l.Stakeholder] = l
	}
	// The preview's index, from a preview of the same site.
	popts := opts
	popts.Out, popts.StateDir = filepath.Join(t.TempDir(), "preview"), filepath.Join(t.TempDir(), "pstate")
	pv, _, err := generator.NewPreview(context.Background(), popts)
	if err != nil {
		t.Fatalf("a preview of the branded example: %v", err)
	}
	if ds.index, err = pv.IndexPage(""); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(ds.public))
	mux := http.NewServeMux()
	mux.Handle(note, s.beacon)
	mux.HandleFunc("/_maproom/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(ds.index)
	})
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(ds.public, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
		if fi, err := os.Stat(p); err != nil || (fi.IsDir() && !fileExists(filepath.Join(p, "index.html"))) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			if b, err := os.ReadFile(filepath.Join(ds.public, "404.html")); err == nil {
				w.Write(b)
			}
			return
		}
		files.ServeHTTP(w, r)
	}))
	headers := generator.SiteHeaders(note)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range headers {
			if !strings.HasPrefix(r.URL.Path, "/_report/") { // the report is a file of its own, not the site's
				w.Header().Set(h.Name, h.Value)
			}
		}
		mux.ServeHTTP(w, r)
	})}
	ds.host = ln.Addr().String()
	ds.base = "http://" + ds.host
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ds
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// editFile replaces the first old in the file at p with new.
func editFile(t *testing.T, p, old, new string) {
	t.Helper()
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), old) {
		t.Fatalf("%s no longer holds %q", p, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(src), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// room is the URL of a person's room on the design site.
func (ds *designSite) room(t *testing.T, who string) string {
	t.Helper()
	l, ok := ds.links[acme+"/"+who]
	if !ok {
		t.Fatalf("no room for %s/%s", acme, who)
	}
	return ds.base + "/" + l.Path
}

// origin is the design site as a tab's origin: its pages may contact it
// only, and its posts reach the suite's beacon.
func (ds *designSite) origin(s *suite) origin {
	return origin{host: ds.host, posted: &s.posted, received: func() (int64, error) { return s.received(), nil }}
}

// artifactsDir is where the test keeps its screenshots: $MAPROOM_ARTIFACTS,
// else a new folder under the system's temporary folder, kept and named in
// the log (never the repository).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MAPROOM_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "maproom-design-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDesign looks at the branded example as a buyer, a seller and a sales
// manager would, at 1280 and 390 CSS pixels wide: a buyer's room (jordan),
// the seller's preview (sam), the preview's index of every room, the 404
// page and the HTML report. For each it keeps a full-page screenshot of
// both widths in the artifacts folder, checks that the phone lays the
// page out at its own width (a viewport meta tag) and that nothing
// scrolls sideways there (document.scrollingElement.scrollWidth <=
// innerWidth), that the page asked nothing of another site, and that
// axe-core finds nothing serious. A room also keeps its budget (HTML, CSS
// and JavaScript under 40 KB), and works without JavaScript: the waiting
// line, the next steps with their documents and the contact card are
// there, and nothing is sent.
func TestDesign(t *testing.T) {
	s := env(t)
	s.newLog(t)
	ds := s.newDesignSite(t)
	dir := artifactsDir(t)
	bin := buildMaproom(t, t.TempDir())
	report := ds.writeReport(t, bin)
	t.Run("waiting-line-agrees-with-report", func(t *testing.T) { ds.checkTurns(t, bin) })

	pages := []struct {
		name, url, what string
		room            bool
	}{
		{"buyer-room", ds.room(t, "jordan"), "Jordan Park's room (buyer, technical evaluator): the waiting line, next steps, graded lateness, contact card, logos", true},
		{"seller-preview", ds.room(t, "sam"), "Sam Lee's seller preview: every document with who sees it", true},
		{"preview-index", ds.base + "/_maproom/", "the preview's index of every room (maproom serve's /_maproom/)", false},
		{"not-found", ds.base + "/r/nosuchroom/", "the 404 page of a link that leads to no room", false},
	}
	if report != "" {
		pages = append(pages, struct {
			name, url, what string
			room            bool
		}{"report", ds.base + report, "the HTML report of the report scenario's deals (maproom report -format html)", false})
	}
	var shots []string
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			for _, width := range []int64{1280, 390} {
				tb := s.open(t, true, ds.origin(s))
				phone := width < 600
				emulate := chromedp.EmulateViewport(width, 900)
				if phone {
					emulate = chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
				}
				tb.do(t, "emulating the screen", emulate)
				tb.expect("the server responded with a status of 404") // the 404 page's own answer
				tb.navigate(t, pg.url)
				if phone {
					sw := eval[int](t, tb, "document.scrollingElement.scrollWidth")
					iw := eval[int](t, tb, "innerWidth")
					if iw != int(width) {
						t.Errorf("%s: a %d px phone lays the page out %d px wide: it has no viewport meta tag, so the phone shows it zoomed out", pg.name, width, iw)
					}
					if sw > iw {
						wide := eval[[]string](t, tb, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))`)
						t.Errorf("%s at %d px: the page is %d px wide, it scrolls sideways (wider: %s)", pg.name, iw, sw, strings.Join(wide, ", "))
					}
				} else {
					if pg.room {
						ds.checkBudget(t, tb)
					}
					checkAxe(t, tb)
				}
				png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", pg.name, width))
				if err := os.WriteFile(file, png, 0o644); err != nil {
					t.Fatal(err)
				}
				shots = append(shots, fmt.Sprintf("%s: %s, %d px wide", file, pg.what, width))
				tb.cancel()
			}
		})
	}

	t.Run("buyer-room-without-javascript", func(t *testing.T) {
		tb := s.open(t, true, ds.origin(s))
		tb.disableScripts(t)
		tb.navigate(t, ds.room(t, "jordan"))
		if got := texts(t, tb, ".waiting"); len(got) != 1 || !strings.HasPrefix(got[0], "Waiting on you: Anonymised sample datasets delivered, due 10 Nov 2026 Long overdue: 12 days late") {
			t.Errorf("the waiting line without JavaScript: %s", quoted(got))
		}
		if got := texts(t, tb, ".next .step .need a"); !sameSeq(got, []string{"Proof-of-concept plan"}) {
			t.Errorf("the documents jordan's next steps need: %s", quoted(got))
		}
		if n := count(t, tb, `.contact a[href="mailto:sam.lee@northwind.example"]`); n != 1 {
			t.Errorf("%d email links in the contact card, want 1", n)
		}
		if got := texts(t, tb, "tr.mine th"); len(got) != 2 {
			t.Errorf("jordan's own rows: %s, want 2", quoted(got))
		}
		if got := eval[[]string](t, tb, `Array.from(document.querySelectorAll('.top img'), i => i.alt + ':' + (i.complete && i.naturalWidth > 0))`); !sameSeq(got, []string{"Northwind Analytics:true", "Acme Corp:true"}) {
			t.Errorf("the header's logos (alt:loaded): %v", got)
		}
		time.Sleep(500 * time.Millisecond)
		for _, u := range tb.Requests() {
			if strings.HasSuffix(u, "/note") {
				t.Errorf("with JavaScript off the page still posted to %s", u)
			}
		}
	})

	t.Run("styled-404", func(t *testing.T) {
		tb := s.open(t, true, ds.origin(s))
		tb.expect("the server responded with a status of 404")
		tb.navigate(t, ds.base+"/r/nosuchroom/deep/")
		if got := eval[string](t, tb, `getComputedStyle(document.querySelector('main')).borderTopWidth`); got != "4px" {
			t.Errorf("the 404 page's style did not apply under the site's policy (main's top border is %q)", got)
		}
	})
	t.Logf("screenshots in %s:\n  %s", dir, strings.Join(shots, "\n  "))
}

// checkBudget sums the HTML, CSS and JavaScript the tab loaded from the
// design site, from the built files (the site serves them as they are),
// and fails above roomBudget. Images are logged apart.
func (ds *designSite) checkBudget(t *testing.T, tb *tab) {
	t.Helper()
	var code, images int64
	var parts []string
	seen := map[string]bool{}
	for _, raw := range tb.Requests() {
		u, err := url.Parse(raw)
		if err != nil || u.Host != ds.host || seen[u.Path] || u.Path == "/note" {
			continue
		}
		seen[u.Path] = true
		p := filepath.Join(ds.public, filepath.FromSlash(u.Path))
		if strings.HasSuffix(u.Path, "/") {
			p = filepath.Join(p, "index.html")
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		switch path.Ext(p) {
		case ".html", ".css", ".js":
			code += fi.Size()
			parts = append(parts, fmt.Sprintf("%s %d", path.Base(p), fi.Size()))
		default:
			images += fi.Size()
			parts = append(parts, fmt.Sprintf("%s %d (image)", path.Base(p), fi.Size()))
		}
	}
	t.Logf("HTML, CSS and JavaScript: %d bytes of %d; images %d bytes (%s)", code, roomBudget, images, strings.Join(parts, ", "))
	if code == 0 || code >= roomBudget {
		t.Errorf("the room loads %d bytes of HTML, CSS and JavaScript; the budget is %d", code, roomBudget)
	}
}

// checkAxe runs axe-core in the tab and fails on serious or critical
// violations. Without axe-core (MAPROOM_AXE, or npm ci in this folder) the
// check is skipped with a note, unless MAPROOM_E2E_REQUIRE is set.
func checkAxe(t *testing.T, tb *tab) {
	t.Helper()
	p := os.Getenv("MAPROOM_AXE")
	if p == "" {
		p = filepath.Join("node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(p)
	if err != nil {
		if required() {
			t.Fatalf("no axe-core (%v); MAPROOM_E2E_REQUIRE is set", err)
		}
		t.Logf("no axe-core (%v): the accessibility check is skipped (npm ci --prefix internal/e2e)", err)
		return
	}
	tb.do(t, "injecting axe-core", chromedp.Evaluate[chromedp.Void](string(src)))
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	vs := evalWith[[]violation](t, tb, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise)
	bad := 0
	for _, v := range vs {
		report := t.Logf
		if v.Impact == "serious" || v.Impact == "critical" {
			report = t.Errorf
			bad++
		}
		report("axe: %s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
	}
	t.Logf("axe-core: %d violations, %d serious or critical", len(vs), bad)
}

// writeReport writes the HTML report of the report scenario (the analytics
// tests' site and logs, found wherever the analytics packages keep their
// testdata) into the design site's public folder with `maproom report`,
// and returns its path on the site; "" (with a note) when the scenario
// site is not found.
func (ds *designSite) writeReport(t *testing.T, bin string) string {
	t.Helper()
	site := ""
	for _, p := range []string{"../../analytics/testdata/report/site", "../../analytics/report/testdata/report/site", "../../analytics/report/testdata/site"} {
		if fileExists(filepath.Join(p, "content")) {
			site = p
			break
		}
	}
	if site == "" {
		t.Log("no report scenario site under analytics/: the report is not looked at")
		return ""
	}
	logs := filepath.Join(t.TempDir(), "events")
	folders, err := writeScenarioLogs(site, logs)
	if err != nil {
		t.Fatalf("writing the scenario's logs: %v", err)
	}
	out := filepath.Join(ds.public, "_report", "index.html")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(site)
	runIn(t, t.TempDir(), nil, bin, append([]string{"report", "-root", abs, "-today", "2026-11-22", "-format", "html", "-o", out}, folders...)...)
	if !fileExists(out) {
		t.Fatal(errors.New("maproom report wrote no HTML report"))
	}
	return "/_report/"
}

// writeScenarioLogs writes the report scenario's event logs for the site
// at root into dir, and returns their folders.
func writeScenarioLogs(root, dir string) ([]string, error) {
	site, err := scenario.Load(root)
	if err != nil {
		return nil, err
	}
	return site.WriteLogs(dir)
}

// checkTurns reports on the design site with `maproom report -format json`
// and checks that every buyer's room of every open deal says it waits on
// the task, and the days late, that the report gives as the deal's turn:
// the room and the report call one rule (deal.WaitingOn).
func (ds *designSite) checkTurns(t *testing.T, bin string) {
	t.Helper()
	out := runIn(t, t.TempDir(), nil, bin, "report", "-root", ds.root, "-today", today.String(), "-format", "json", t.TempDir())
	var rep struct {
		Deals []struct {
			ID   string `json:"id"`
			Turn *struct {
				Task     string `json:"task"`
				DaysLate int    `json:"days_late"`
			} `json:"turn"`
		} `json:"deals"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &rep); err != nil {
		t.Fatalf("maproom report -format json: %v\n%.400s", err, out)
	}
	line := regexp.MustCompile(`<p class="waiting[^"]*">.*?<a href="#t-([^"]+)">.*?</p>`)
	late := regexp.MustCompile(`(\d+) days? late`)
	checked := 0
	for _, d := range rep.Deals {
		for key, l := range ds.links {
			if !strings.HasPrefix(key, d.ID+"/") || l.Side != "buyer" {
				continue
			}
			page, err := os.ReadFile(filepath.Join(ds.public, filepath.FromSlash(l.Path), "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			m := line.FindSubmatch(page)
			switch {
			case d.Turn == nil && m != nil:
				t.Errorf("%s: the report gives the deal no turn, the room waits on %s", key, m[1])
			case d.Turn != nil && m == nil:
				t.Errorf("%s: the report's turn is %s, the room has no waiting line", key, d.Turn.Task)
			case d.Turn != nil:
				days := 0
				if lm := late.FindSubmatch(m[0]); lm != nil {
					days, _ = strconv.Atoi(string(lm[1]))
				}
				if string(m[1]) != d.Turn.Task || days != d.Turn.DaysLate {
					t.Errorf("%s: the room waits on %s, %d days late; the report's turn is %s, %d days late", key, m[1], days, d.Turn.Task, d.Turn.DaysLate)
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d rooms compared with the report", checked)
	}
	t.Logf("%d buyer rooms wait on the report's turn", checked)
}
