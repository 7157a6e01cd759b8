package pgstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/deal"
)

// edgeEvents are page-loads that Feed cannot add as summaries, among
// ordinary ones that it can: across a day's edge, resumed after three days
// and after 49 hours (the report's dedupe window is 48 h), changing network
// midway, with an event of a newer schema, with opens and dls of known and
// unknown collateral; and a page-load every five hours, so that the
// aggregator's sweeps do not all fall on the edge cases' own events.
func edgeEvents() []event.Event {
	var evs []event.Event
	n := 0
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	type ev struct {
		t      time.Time
		k      event.Kind
		active int64
		coll   string
		net    string
		v      int
	}
	load := func(dealID, who string, es ...ev) {
		n++
		for i, e := range es {
			x := event.Event{V: event.SchemaVersion, Time: e.t, Deal: dealID, Stakeholder: who, Side: "buyer",
				Role: "champion", Room: "r", Page: "room", Kind: e.k, Collateral: e.coll, Load: fmt.Sprintf("%032x", 5000+n),
				Seq: int64(i), ActiveMS: e.active, VisibleMS: e.active, Net: "203.0.113.0/24", UA: event.UABrowser, Instance: "edge"}
			if e.net != "" {
				x.Net = e.net
			}
			if e.v != 0 {
				x.V = e.v
			}
			evs = append(evs, x)
		}
	}
	view, hb, hide := event.KindView, event.KindHB, event.KindHide
	t := at("2026-11-19T23:59:50Z")
	load("acme", "marcus", ev{t: t, k: view}, ev{t: t.Add(15 * time.Second), k: hb, active: 15000}, ev{t: t.Add(20 * time.Second), k: hide})
	t = at("2026-11-10T10:00:00Z")
	load("acme", "jordan", ev{t: t, k: view}, ev{t: t.Add(15 * time.Second), k: hb, active: 15000},
		ev{t: t.Add(71 * time.Hour), k: hb, active: 15000}, ev{t: t.Add(71*time.Hour + 5*time.Second), k: hide})
	t = at("2026-11-14T08:00:00Z")
	load("acme", "elena", ev{t: t, k: view}, ev{t: t.Add(15 * time.Second), k: hb, active: 3000},
		ev{t: t.Add(49*time.Hour + 15*time.Second), k: hb, active: 15000}, ev{t: t.Add(49*time.Hour + 20*time.Second), k: hide})
	t = at("2026-11-18T12:00:00Z")
	load("acme", "tom", ev{t: t, k: view, net: "198.18.0.0/24"}, ev{t: t.Add(15 * time.Second), k: hb, active: 15000, net: "198.18.1.0/24"},
		ev{t: t.Add(20 * time.Second), k: hide, net: "198.18.1.0/24"})
	t = at("2026-11-19T08:15:00Z")
	load("acme", "priya", ev{t: t, k: view}, ev{t: t.Add(15 * time.Second), k: hb, active: 15000, v: event.SchemaVersion + 1},
		ev{t: t.Add(20 * time.Second), k: hide})
	t = at("2026-11-17T09:00:00Z")
	load("acme", "grace", ev{t: t, k: view}, ev{t: t.Add(time.Second), k: event.KindOpen, coll: "pricing"},
		ev{t: t.Add(2 * time.Second), k: event.KindDL, coll: "poc-plan"}, ev{t: t.Add(3 * time.Second), k: event.KindOpen, coll: "no-such-file"},
		ev{t: t.Add(4 * time.Second), k: event.KindOpen, coll: "pricing"}, ev{t: t.Add(5 * time.Second), k: hide})
	people := [][2]string{{"acme", "marcus"}, {"acme", "jordan"}, {"globex", "nadia"}, {"acme", "sam"}, {"globex", "devika"}, {"acme", "nobody"}}
	for i, t := 0, at("2026-11-08T01:00:00Z"); t.Before(at("2026-11-23T12:00:00Z")); i, t = i+1, t.Add(5*time.Hour) {
		p := people[i%len(people)]
		load(p[0], p[1], ev{t: t, k: view}, ev{t: t.Add(15 * time.Second), k: hb, active: int64(1000 * (i % 20))},
			ev{t: t.Add(16 * time.Second), k: event.KindOpen, coll: []string{"pricing", "dpa", "poc-plan"}[i%3]}, ev{t: t.Add(20 * time.Second), k: hide})
	}
	return evs
}

// TestFeedEdges: for many windows, Feed (summaries and page-loads read event
// by event) gives the report of the same events added one by one in time
// order, the edge cases included.
func TestFeedEdges(t *testing.T) {
	url := testURL(t)
	deals, base := scenarioOptions(t)
	s := openTest(t, url, testSchema(t, url), Options{})
	ctx := context.Background()
	evs := edgeEvents()
	// in two halves, so that page_loads rows are merged as well as created
	for _, part := range [][]event.Event{evs[:len(evs)/2], evs[len(evs)/2:]} {
		if err := s.Append(ctx, part); err != nil {
			t.Fatal(err)
		}
	}
	var sawExact, sawSweeps, sawSummaries bool
	for _, today := range []deal.Date{scenarioToday, scenarioToday.AddDays(-3), scenarioToday.AddDays(-6), scenarioToday.AddDays(-9)} {
		for _, since := range []deal.Date{{}, deal.NewDate(2026, time.November, 14), deal.NewDate(2026, time.November, 16)} {
			for _, dealID := range []string{"", "acme", "globex"} {
				name := fmt.Sprintf("today=%s,since=%s,deal=%s", today, since, dealID)
				opts := base
				opts.Today, opts.Since, opts.Deal = today, since, dealID
				want := report.NewAggregator(deals, opts)
				if err := s.Events(ctx, Filter{}, func(e event.Event) error { want.Add(e); return nil }); err != nil {
					t.Fatal(err)
				}
				got := report.NewAggregator(deals, opts)
				st, err := s.feed(ctx, got)
				if err != nil {
					t.Fatal(err)
				}
				sawExact = sawExact || st.exact > 0
				sawSweeps = sawSweeps || st.sweeps > 0
				sawSummaries = sawSummaries || st.summaries > 0
				wr, gr := want.Report(), got.Report()
				sameBytes(t, name, reportJSON(t, gr), reportJSON(t, wr))
			}
		}
	}
	if !sawExact || !sawSweeps || !sawSummaries {
		t.Fatalf("the edge cases did not take every path: event by event %v, sweeps %v, summaries %v", sawExact, sawSweeps, sawSummaries)
	}
}

// The store is a beacon store and a report source.
var (
	_ beacon.Store         = (*Store)(nil)
	_ beacon.StoreReporter = (*Store)(nil)
	_ beacon.ReplyReader   = (*Store)(nil)
	_ report.Source        = (*Store)(nil)
)
