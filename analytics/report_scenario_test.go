package analytics

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// The report scenarios: the site in testdata/report/site (content), the
// visits below (event logs from two beacon instances, written by the test),
// and the day they are reported on.

var (
	scenarioSecret = []byte("report-scenario-secret-0123456789abcdef")
	scenarioToday  = deal.NewDate(2026, time.November, 22)
)

// visit is one page-load as a person or a program made it.
type visit struct {
	deal, who string
	rotation  int    // the token's rotation; below the person's current one it is retired
	at        string // RFC 3339 start, UTC
	page      string // "room" when empty
	active    []int  // active seconds in each heartbeat, 15 s apart
	opens     []string
	kind      Kind // the kind of the opens; KindOpen when empty
	rapid     bool // the opens come 0.5 s apart, right after the view, with no activity
	viewOnly  bool // nothing after the view
	glance    int  // a hide after this many active seconds, no heartbeat
	ua        string
	crawler   string
	webdriver bool
	net       string
	instance  int  // 0 or 1: beacon-a or beacon-b
	copy      bool // the other instance logged a copy of every event too
	retry     int  // the same instance logged the event at this seq twice (0: none)
}

// scenarioVisits is the story of the report scenarios, as of 2026-11-22.
var scenarioVisits = []visit{
	// acme: the champion reads a lot, from three networks; the first visit
	// reached both beacon instances.
	{deal: "acme", who: "marcus", at: "2026-11-02T16:00:00Z", active: []int{15, 15, 15}, net: "192.0.2.0/24"},
	{deal: "acme", who: "marcus", at: "2026-11-20T10:00:00Z", active: []int{15, 15, 15, 15}, opens: []string{"pricing", "poc-plan"},
		net: "203.0.113.0/24", copy: true},
	{deal: "acme", who: "marcus", at: "2026-11-21T09:00:00Z", page: "pricing", active: []int{15, 12}, net: "198.51.100.0/24", instance: 1},
	// the technical evaluator visited, opened the plan, then glanced once
	{deal: "acme", who: "jordan", at: "2026-11-05T11:00:00Z", active: []int{10}, opens: []string{"poc-plan"}, net: "203.0.113.0/24"},
	{deal: "acme", who: "jordan", at: "2026-11-19T17:30:00Z", glance: 2, net: "203.0.113.0/24", instance: 1},
	// a mail security scanner with a real browser opened everything in his
	// room within two seconds
	{deal: "acme", who: "jordan", at: "2026-11-21T07:59:58Z", opens: []string{"security-whitepaper", "poc-plan", "case-study"},
		rapid: true, net: "100.64.7.0/24"},
	// security read the room but never the whitepaper her done task relies on
	{deal: "acme", who: "elena", at: "2026-11-10T14:00:00Z", active: []int{15, 15, 15}, net: "203.0.113.0/24", instance: 1},
	// procurement came through the link from before its rotation
	{deal: "acme", who: "tom", rotation: 0, at: "2026-11-18T12:00:00Z", active: []int{15, 15}, net: "198.18.0.0/24"},
	// the approver's link was only ever unfurled by a chat bot and fetched
	// by something that ran the script and did nothing else
	{deal: "acme", who: "grace", at: "2026-11-15T09:00:00Z", viewOnly: true, ua: UACrawler, crawler: "Slackbot", net: "192.0.2.0/24"},
	{deal: "acme", who: "grace", at: "2026-11-16T09:00:00Z", viewOnly: true, net: "192.0.2.0/24", instance: 1},
	{deal: "acme", who: "grace", at: "2026-11-17T09:00:00Z", active: []int{15, 15}, webdriver: true, net: "192.0.2.0/24"},
	// the economic buyer looked once; one heartbeat was retried
	{deal: "acme", who: "priya", at: "2026-11-19T08:15:00Z", active: []int{15, 5}, net: "198.51.100.0/24", retry: 1},
	// the seller previewing the room
	{deal: "acme", who: "sam", at: "2026-11-20T10:30:00Z", active: []int{15, 15}, net: "203.0.113.0/24"},
	// after the report's day: left out
	{deal: "acme", who: "priya", at: "2026-11-23T08:15:00Z", active: []int{15, 15}, net: "198.51.100.0/24"},

	// globex: only the champion, and not for four weeks
	{deal: "globex", who: "nadia", at: "2026-10-25T10:00:00Z", active: []int{15, 15, 15}, opens: []string{"dpa"}, net: "203.0.113.0/24"},
	{deal: "globex", who: "devika", at: "2026-11-12T10:00:00Z", active: []int{15}, net: "203.0.113.0/24"},

	// initech (won): the history customer success takes over
	{deal: "initech", who: "rachel", at: "2026-09-20T10:00:00Z", active: []int{15, 15}, net: "203.0.113.0/24"},
	{deal: "initech", who: "daniel", at: "2026-10-13T10:00:00Z", active: []int{15}, net: "203.0.113.0/24", instance: 1},

	// umbrella (lost, no plan)
	{deal: "umbrella", who: "tara", at: "2026-11-02T10:00:00Z", active: []int{15}, net: "203.0.113.0/24"},
}

// scenarioSite loads the scenario site: the report's deals and a manifest
// built as the generator builds it.
func scenarioSite(t testing.TB) ([]ReportDeal, *generator.Site, *manifest.Manifest) {
	t.Helper()
	site, ps := generator.Load(generator.LoadOptions{Root: filepath.Join("testdata", "report", "site"), Today: scenarioToday})
	errs := map[string]int{}
	for _, p := range ps {
		if p.Severity == generator.Error {
			errs[p.File]++
		}
	}
	m := &manifest.Manifest{Version: manifest.Version}
	var deals []ReportDeal
	for _, b := range site.Bundles {
		deals = append(deals, ReportDeal{Deal: b.Deal, Plan: b.Plan, CheckErrors: errs[filepath.Join(b.Dir, generator.BundleIndex)]})
		m.Rooms = append(m.Rooms, generator.RoomsOf(b.Deal, scenarioSecret)...)
	}
	if len(deals) != 5 {
		t.Fatalf("loaded %d deals, want 5: %v", len(deals), ps)
	}
	return deals, site, m
}

// writeScenarioLogs writes the visits as two beacon instances' logs under
// dir (dir/beacon-a and dir/beacon-b, one file per UTC day each), plus an
// event of a person no longer in the content and two corrupt lines. It
// returns the two folders.
func writeScenarioLogs(t testing.TB, dir string, deals []ReportDeal, visits []visit) []string {
	t.Helper()
	folders := []string{filepath.Join(dir, "beacon-a"), filepath.Join(dir, "beacon-b")}
	files := map[string]*bufio.Writer{}
	var closers []*os.File
	out := func(inst int, e *Event) {
		day := e.Time.UTC().Format(time.DateOnly)
		name := filepath.Join(folders[inst], fmt.Sprintf("events-%s-beacon-%c.jsonl", day, 'a'+inst))
		w := files[name]
		if w == nil {
			os.MkdirAll(folders[inst], 0o755)
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, f)
			w = bufio.NewWriter(f)
			files[name] = w
		}
		w.Write(e.AppendJSON(nil))
	}
	byID := map[string]*deal.Deal{}
	for _, d := range deals {
		byID[d.Deal.ID] = d.Deal
	}
	for i, v := range visits {
		d := byID[v.deal]
		s, ok := d.Stakeholder(v.who)
		if !ok {
			t.Fatalf("visit %d: no %s in %s", i, v.who, v.deal)
		}
		at, err := time.Parse(time.RFC3339, v.at)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.events(i, d, s, at) {
			out(v.instance, &e)
			if v.copy {
				e.Instance = fmt.Sprintf("beacon-%c", 'a'+1-v.instance)
				out(1-v.instance, &e)
			}
			if v.retry > 0 && e.Seq == int64(v.retry) {
				e.Time = e.Time.Add(2 * time.Second)
				out(v.instance, &e)
			}
		}
	}
	// someone removed from the content since
	ghost := Event{V: SchemaVersion, Time: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Deal: "acme", Stakeholder: "zed",
		Side: "buyer", Role: "legal", Room: token.Key(token.Room(scenarioSecret, "acme", "zed", 0)), Page: "room", Kind: KindView,
		Load: fmt.Sprintf("%032x", 999), UA: UABrowser, Net: "192.0.2.0/24", Instance: "beacon-a"}
	out(0, &ghost)
	for name, w := range files {
		if filepath.Base(name) == "events-2026-11-20-beacon-b.jsonl" {
			w.WriteString("{this is not an event\n")
			w.WriteString(`{"v":9,"time":"2026-11-20T12:00:00.000Z"}` + "\n")
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range closers {
		f.Close()
	}
	return folders
}

// events expands a visit into the events its page-load sent.
func (v *visit) events(n int, d *deal.Deal, s *deal.Stakeholder, at time.Time) []Event {
	ua := v.ua
	if ua == "" {
		ua = UABrowser
	}
	page := v.page
	if page == "" {
		page = manifest.PageRoom
	}
	base := Event{V: SchemaVersion, Deal: d.ID, Stakeholder: s.ID, Side: string(s.Side), Role: string(s.Role),
		Room: token.Key(token.Room(scenarioSecret, d.ID, s.ID, v.rotation)), Rotation: v.rotation, Retired: v.rotation < s.Rotate,
		Page: page, Load: fmt.Sprintf("%032x", n+1), Net: v.net, UA: ua, Crawler: v.crawler, Webdriver: v.webdriver,
		Instance: fmt.Sprintf("beacon-%c", 'a'+v.instance)}
	var evs []Event
	seq := int64(0)
	add := func(t time.Time, k Kind, coll string, active int) {
		e := base
		e.Time, e.Kind, e.Collateral, e.Seq = t.UTC().Truncate(time.Millisecond), k, coll, seq
		e.ActiveMS, e.VisibleMS = int64(active)*1000, int64(active)*1000
		if k == KindHB {
			e.VisibleMS = 15000
		}
		seq++
		evs = append(evs, e)
	}
	add(at, KindView, "", 0)
	if v.viewOnly {
		return evs
	}
	kind := v.kind
	if kind == "" {
		kind = KindOpen
	}
	if v.rapid {
		for i, c := range v.opens {
			add(at.Add(time.Duration(i+1)*500*time.Millisecond), kind, c, 0)
		}
		add(at.Add(2*time.Second), KindHide, "", 0)
		return evs
	}
	if v.glance > 0 {
		add(at.Add(time.Duration(v.glance)*time.Second), KindHide, "", v.glance)
		return evs
	}
	t := at
	for i, a := range v.active {
		t = at.Add(time.Duration(i+1) * 15 * time.Second)
		add(t, KindHB, "", a)
		if i < len(v.opens) {
			add(t.Add(time.Second), kind, v.opens[i], 0)
		}
	}
	add(t.Add(5*time.Second), KindHide, "", 0)
	return evs
}
