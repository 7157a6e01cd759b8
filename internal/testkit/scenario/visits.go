package scenario

import (
	"fmt"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// visit is one page-load as a person or a program made it.
type visit struct {
	deal, who string
	rotation  int    // the token's rotation; below the person's current one it is retired
	at        string // RFC 3339 start, UTC
	page      string // "room" when empty
	active    []int  // active seconds in each heartbeat, 15 s apart
	opens     []string
	kind      event.Kind // the kind of the opens; event.KindOpen when empty
	rapid     bool       // the opens come 0.5 s apart, right after the view, with no activity
	viewOnly  bool       // nothing after the view
	glance    int        // a hide after this many active seconds, no heartbeat
	ua        string
	crawler   string
	webdriver bool
	net       string
	instance  int  // 0 or 1: beacon-a or beacon-b
	copy      bool // the other instance logged a copy of every event too
	retry     int  // the same instance logged the event at this seq twice (0: none)
}

// visits is the story of the report scenarios, as of 2026-11-22. The
// goldens of the analytics tests are reports of it: a change here changes
// them.
var visits = []visit{
	// acme: the champion reads a lot, from three networks; the first visit
	// reached both beacon instances.
	{deal: "acme", who: "marcus", at: "2026-11-02T16:00:00Z", active: []int{15, 15, 15}, net: "192.0.2.0/24"},
	{deal: "acme", who: "marcus", at: "2026-11-20T10:00:00Z", active: []int{15, 15, 15, 15}, opens: []string{"pricing", "poc-plan"},
		net: "203.0.113.0/24", copy: true},
	// ... with pricing read in a second tab beside the room (one visit, one
	// read), and the proof-of-concept plan followed but left at once: a
	// click, not a read
	{deal: "acme", who: "marcus", at: "2026-11-20T10:00:17Z", page: "pricing", active: []int{15, 15, 10}, net: "203.0.113.0/24"},
	{deal: "acme", who: "marcus", at: "2026-11-20T10:00:32Z", page: "poc-plan", glance: 3, net: "203.0.113.0/24"},
	{deal: "acme", who: "marcus", at: "2026-11-21T09:00:00Z", page: "pricing", active: []int{15, 12}, net: "198.51.100.0/24", instance: 1},
	// the technical evaluator visited and read the plan from the room (one
	// visit, one read), then glanced once
	{deal: "acme", who: "jordan", at: "2026-11-05T11:00:00Z", active: []int{10}, opens: []string{"poc-plan"}, net: "203.0.113.0/24"},
	{deal: "acme", who: "jordan", at: "2026-11-05T11:00:17Z", page: "poc-plan", active: []int{15, 15, 15}, net: "203.0.113.0/24"},
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
	{deal: "acme", who: "grace", at: "2026-11-15T09:00:00Z", viewOnly: true, ua: event.UACrawler, crawler: "Slackbot", net: "192.0.2.0/24"},
	{deal: "acme", who: "grace", at: "2026-11-16T09:00:00Z", viewOnly: true, net: "192.0.2.0/24", instance: 1},
	{deal: "acme", who: "grace", at: "2026-11-17T09:00:00Z", active: []int{15, 15}, webdriver: true, net: "192.0.2.0/24"},
	// and a mail-security scanner (a real browser, a desktop User-Agent)
	// followed the pricing link half a second after the room showed, and
	// left the pricing page within a second: neither is her reading
	{deal: "acme", who: "grace", at: "2026-11-18T07:00:00Z", opens: []string{"pricing"}, rapid: true, net: "100.64.7.0/24"},
	{deal: "acme", who: "grace", at: "2026-11-18T07:00:01Z", page: "pricing", glance: 1, net: "100.64.7.0/24"},
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

// events expands the visit, the n-th of visits, into the events its
// page-load sent, in order; s is v.who in d.
func (v *visit) events(n int, d *deal.Deal, s *deal.Stakeholder, at time.Time) []event.Event {
	ua := v.ua
	if ua == "" {
		ua = event.UABrowser
	}
	page := v.page
	if page == "" {
		page = manifest.PageRoom
	}
	base := event.Event{V: schemaVersion, Deal: d.ID, Stakeholder: s.ID, Side: string(s.Side), Role: string(s.Role),
		Room: token.Key(token.Room(Secret(), d.ID, s.ID, v.rotation)), Rotation: v.rotation, Retired: v.rotation < s.Rotate,
		Page: page, Load: fmt.Sprintf("%032x", n+1), Net: v.net, UA: ua, Crawler: v.crawler, Webdriver: v.webdriver,
		Instance: instance(v.instance)}
	var evs []event.Event
	seq := int64(0)
	add := func(t time.Time, k event.Kind, coll string, active int) {
		e := base
		e.Time, e.Kind, e.Collateral, e.Seq = t.UTC().Truncate(time.Millisecond), k, coll, seq
		e.ActiveMS, e.VisibleMS = int64(active)*1000, int64(active)*1000
		if k == event.KindHB {
			e.VisibleMS = 15000
		}
		seq++
		evs = append(evs, e)
	}
	add(at, event.KindView, "", 0)
	if v.viewOnly {
		return evs
	}
	kind := v.kind
	if kind == "" {
		kind = event.KindOpen
	}
	if v.rapid {
		for i, c := range v.opens {
			add(at.Add(time.Duration(i+1)*500*time.Millisecond), kind, c, 0)
		}
		add(at.Add(2*time.Second), event.KindHide, "", 0)
		return evs
	}
	if v.glance > 0 {
		add(at.Add(time.Duration(v.glance)*time.Second), event.KindHide, "", v.glance)
		return evs
	}
	t := at
	for i, a := range v.active {
		t = at.Add(time.Duration(i+1) * 15 * time.Second)
		add(t, event.KindHB, "", a)
		if i < len(v.opens) {
			add(t.Add(time.Second), kind, v.opens[i], 0)
		}
	}
	add(t.Add(5*time.Second), event.KindHide, "", 0)
	return evs
}
