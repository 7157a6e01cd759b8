package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
)

// patternDeal is a deal whose economic buyer, eb, owns a done task that
// relies on the pricing page: what eb's page-loads count as decides the
// decider alert and the done-without-reading flag.
func patternDeal() *deal.Deal {
	return &deal.Deal{ID: "d", Title: "D", Buyer: "Buyer Co", Close: deal.NewDate(2027, time.January, 29),
		Stakeholders: []deal.Stakeholder{
			{ID: "eb", Name: "Eve Buyer", Title: "CFO", Side: deal.Buyer, Role: "economic-buyer"},
			{ID: "ch", Name: "Carl Champion", Title: "Director", Side: deal.Buyer, Role: "champion"},
			{ID: "sam", Name: "Sam Seller", Side: deal.Seller, Role: "account-executive"},
		},
		Collateral: []deal.Collateral{
			{ID: "pricing", Title: "Pricing", File: "pricing.md"},
			{ID: "faq", Title: "FAQ", File: "faq.md"},
			{ID: "terms", Title: "Terms", File: "terms.pdf"},
		},
		Milestones: []deal.Milestone{{ID: "m", Title: "Commercials agreed", Lead: "eb", Evidence: "Signed pricing sheet",
			Tasks: []deal.Task{{ID: "review-pricing", Title: "Pricing reviewed", Owner: "eb", Status: deal.Done,
				Done: deal.NewDate(2026, time.November, 10), Evidence: "Pricing sheet initialled by the CFO", Collateral: []string{"pricing"}, Milestone: "m"}}}},
	}
}

// step is one event of a page-load: at ms after the page-load began, its
// kind, the collateral of an open or dl, and the active and visible ms it
// reports since the previous event.
type step struct {
	at             int64
	kind           event.Kind
	coll           string
	active, visibl int64
}

// pload is one page-load of eb's.
type pload struct {
	page      string        // "room" when empty
	start     time.Duration // after 2026-11-20 12:00 UTC
	steps     []step
	ua        string // event.UABrowser when empty
	webdriver bool
}

// heartbeats returns a view at 0 and n heartbeats 15 s apart, each with
// active ms of activity, then a hide.
func heartbeats(n int, active int64, opens ...step) []step {
	s := []step{{at: 0, kind: event.KindView}}
	for i := 1; i <= n; i++ {
		s = append(s, step{at: int64(i) * 15000, kind: event.KindHB, active: active, visibl: 15000})
	}
	s = append(s, opens...)
	slices.SortStableFunc(s, func(a, b step) int { return int(a.at - b.at) })
	return append(s, step{at: int64(n)*15000 + 2000, kind: event.KindHide, visibl: 2000})
}

func (p pload) events(n int) []event.Event {
	at0 := time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC).Add(p.start)
	page, ua := p.page, p.ua
	if page == "" {
		page = manifest.PageRoom
	}
	if ua == "" {
		ua = event.UABrowser
	}
	var evs []event.Event
	for i, s := range p.steps {
		evs = append(evs, event.Event{V: event.SchemaVersion, Time: at0.Add(time.Duration(s.at) * time.Millisecond), Deal: "d", Stakeholder: "eb",
			Side: "buyer", Role: "economic-buyer", Room: "room-of-eb", Page: page, Kind: s.kind, Collateral: s.coll,
			Load: fmt.Sprintf("%032x", n+1), Seq: int64(i), ActiveMS: s.active, VisibleMS: s.visibl, Net: "198.51.100.0/24",
			UA: ua, Webdriver: p.webdriver})
	}
	return evs
}

// summary is p as a store summarises it (LoadSummary).
func (p pload) summary(n int) *LoadSummary {
	evs := p.events(n)
	s := &LoadSummary{Deal: "d", Stakeholder: "eb", Page: evs[0].Page, Net: evs[0].Net, First: evs[0].Time, Last: evs[len(evs)-1].Time,
		Events: len(evs), Bot: evs[0].UA != event.UABrowser, Webdriver: p.webdriver}
	for _, e := range evs {
		s.ActiveMS += e.ActiveMS
		switch e.Kind {
		case event.KindView:
			s.View = true
		case event.KindHB:
			s.HB = true
		case event.KindHide:
			s.Hide = true
		case event.KindOpen, event.KindDL:
			if !s.Opens || e.Time.Before(s.OpenFirst) {
				s.OpenFirst = e.Time
			}
			if !s.Opens || e.Time.After(s.OpenLast) {
				s.OpenLast = e.Time
			}
			s.Opens = true
			s.Opened = append(s.Opened, e.Collateral)
		}
	}
	return s
}

// TestEngagementPatterns: what the page-load patterns that reach a room
// count as (visits, reads with their reading time, scanner-like
// page-loads, glances) and which alerts they leave, whether the report
// reads their events or a store's summaries of them.
func TestEngagementPatterns(t *testing.T) {
	click := func(at int64, coll string) step { return step{at: at, kind: event.KindOpen, coll: coll} }
	download := func(at int64, coll string) step { return step{at: at, kind: event.KindDL, coll: coll} }
	for _, c := range []struct {
		name    string
		loads   []pload
		eng     Engagement
		visits  int
		reads   string // "id xTimes Ns" of each document read, comma separated
		scanner int
		glances int
		decider bool // "the economic buyer never opened the room"
		unread  bool // "Pricing reviewed is done but Eve Buyer never read what it relies on"
		// events: one page-load of stretches far apart, which a store's
		// summary of a page-load (one stretch) cannot hold
		events bool
	}{
		{name: "a real read of the room",
			loads:  []pload{{steps: heartbeats(3, 15000)}},
			visits: 1, decider: false, unread: true},
		{name: "a read that spans the room and a document page",
			loads: []pload{
				{steps: heartbeats(2, 15000, click(16000, "pricing"), download(20000, "terms"))},
				{page: "pricing", start: 17 * time.Second, steps: heartbeats(3, 15000)},
			},
			visits: 1, reads: "pricing x1 45s, terms x1 0s"},
		{name: "a scanner click-through with a desktop user agent",
			loads: []pload{
				{steps: []step{{at: 0, kind: event.KindView}, click(500, "pricing"), {at: 900, kind: event.KindHide, visibl: 900}}},
				{page: "pricing", start: time.Second, steps: []step{{at: 0, kind: event.KindView}, {at: 800, kind: event.KindHide, visibl: 800}}},
			},
			scanner: 1, glances: 1, decider: true, unread: true},
		{name: "an open with no visible time",
			loads:   []pload{{steps: []step{{at: 0, kind: event.KindView}, click(2000, "pricing"), {at: 2500, kind: event.KindHide}}}},
			glances: 1, decider: true, unread: true},
		{name: "a burst of opens",
			loads: []pload{{steps: heartbeats(1, 3000, click(16000, "pricing"), click(16300, "faq"), download(16600, "terms"))},
				{page: "pricing", start: 16500 * time.Millisecond, steps: []step{{at: 0, kind: event.KindView}}}},
			scanner: 2, decider: true, unread: true},
		{name: "webdriver reading for a minute",
			loads:   []pload{{page: "pricing", steps: heartbeats(4, 15000), webdriver: true}},
			scanner: 1, decider: true, unread: true},
		{name: "a crawler",
			loads:   []pload{{page: "pricing", steps: heartbeats(4, 15000), ua: event.UACrawler}},
			scanner: 1, decider: true, unread: true},
		{name: "two tabs",
			loads: []pload{
				{steps: heartbeats(4, 15000, click(5000, "pricing"), click(9000, "faq"))},
				{page: "pricing", start: 6 * time.Second, steps: heartbeats(6, 15000)},
				{page: "faq", start: 10 * time.Second, steps: heartbeats(2, 10000)},
			},
			visits: 1, reads: "pricing x1 90s, faq x1 20s"},
		{name: "a reader who comes back after lunch",
			loads: []pload{
				{steps: heartbeats(2, 15000, click(20000, "pricing"))},
				{page: "pricing", start: 21 * time.Second, steps: heartbeats(2, 15000)},
				{page: "pricing", start: 2 * time.Hour, steps: heartbeats(2, 10000)},
			},
			visits: 2, reads: "pricing x2 50s"},
		{name: "a reader who comes back after lunch, with a visit gap of three hours",
			loads: []pload{
				{steps: heartbeats(2, 15000, click(20000, "pricing"))},
				{page: "pricing", start: 21 * time.Second, steps: heartbeats(2, 15000)},
				{page: "pricing", start: 2 * time.Hour, steps: heartbeats(2, 10000)},
			},
			eng:    Engagement{VisitGap: 3 * time.Hour},
			visits: 1, reads: "pricing x1 50s"},
		{name: "a tab opened and left idle, read hours later",
			loads: []pload{{steps: func() []step {
				s := []step{{at: 0, kind: event.KindView}}
				for i := int64(1); i <= 20; i++ { // five idle minutes
					s = append(s, step{at: i * 15000, kind: event.KindHB, visibl: 15000})
				}
				const later = 3 * 3600 * 1000
				for i := int64(0); i < 4; i++ {
					s = append(s, step{at: later + i*15000, kind: event.KindHB, active: 12000, visibl: 15000})
				}
				return append(s, step{at: later + 62000, kind: event.KindHide, visibl: 2000})
			}()}},
			visits: 1, unread: true, events: true},
		{name: "a glance at the pricing page",
			loads:   []pload{{page: "pricing", steps: []step{{at: 0, kind: event.KindView}, {at: 3000, kind: event.KindHide, active: 3000, visibl: 3000}}}},
			glances: 1, decider: true, unread: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, via := range []string{"events", "summaries"} {
				if via == "summaries" && c.events {
					continue
				}
				d := patternDeal()
				// A week after the loads: without a manifest the rooms are
				// out since the first of them, and a decider is judged a
				// week after.
				a := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: deal.NewDate(2026, time.November, 27), Engagement: c.eng})
				for n, l := range c.loads {
					if via == "events" {
						for _, e := range l.events(n) {
							a.Add(e)
						}
					} else {
						a.AddLoad(l.summary(n))
					}
				}
				r := a.Report()
				dr := &r.Deals[0]
				eb := findPerson(t, dr, "eb")
				var reads []string
				for _, o := range eb.Opened {
					reads = append(reads, fmt.Sprintf("%s x%d %ds", o.ID, o.Times, o.ActiveSeconds))
				}
				if got := strings.Join(reads, ", "); eb.Visits != c.visits || got != c.reads || eb.Scanner != c.scanner || eb.Glances != c.glances {
					t.Errorf("from %s: %d visits, read %q, %d scanner-like, %d glances; want %d, %q, %d, %d",
						via, eb.Visits, got, eb.Scanner, eb.Glances, c.visits, c.reads, c.scanner, c.glances)
				}
				if r.Input.Visits != c.visits {
					t.Errorf("from %s: input visits %d, want %d", via, r.Input.Visits, c.visits)
				}
				decider := findSignal(dr, SignalDeciderAbsent)
				if (decider != nil) != c.decider {
					t.Errorf("from %s: decider alert %+v, want one: %v", via, decider, c.decider)
				}
				unread := findSignal(dr, SignalDoneUnread)
				if (unread != nil) != c.unread {
					t.Errorf("from %s: done-without-reading %+v, want one: %v", via, unread, c.unread)
				}
			}
		})
	}
}

// TestAddSpanOrder: visits are the same whatever order the page-loads are
// closed in (a sweep closes them in map order).
func TestAddSpanOrder(t *testing.T) {
	loads := []span{{first: 0, last: 10}, {first: 100, last: 200}, {first: 5000, last: 5100}, {first: 205, last: 300}, {first: 20, last: 95}}
	want := []span{{first: 0, last: 300}, {first: 5000, last: 5100}}
	perm := [][]int{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {3, 2, 1, 4, 0}}
	for _, p := range perm {
		var got []span
		for _, i := range p {
			got = addSpan(got, loads[i], 50)
		}
		if !slices.Equal(got, want) {
			t.Errorf("order %v: visits %v, want %v", p, got, want)
		}
	}
}

// TestActivityCountsActiveMinutes: the activity list gives a visit the
// minutes the person was active, not the time the room stayed open: a room
// left in a tab for ten minutes with two minutes of reading is two.
func TestActivityCountsActiveMinutes(t *testing.T) {
	// 40 heartbeats 15 s apart (10 minutes open), 3 s active in each (2 minutes).
	l := pload{steps: heartbeats(40, 3000)}
	for _, via := range []string{"events", "summaries"} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.November, 22)})
		if via == "events" {
			for _, e := range l.events(0) {
				a.Add(e)
			}
		} else {
			a.AddLoad(l.summary(0))
		}
		r := a.Report()
		var visits []string
		for _, act := range r.Deals[0].Activity {
			if act.Kind == ActivityVisit {
				visits = append(visits, act.What)
			}
		}
		if want := []string{"visited the room (2m active)"}; !slices.Equal(visits, want) {
			t.Errorf("from %s: activity %q, want %q", via, visits, want)
		}
	}
}

// TestRepliesAreEngagement: a reply from a person's room shows they
// opened it, whatever the page-loads say (the room works without
// JavaScript): it clears "never opened" for a decider, counts them as
// engaged beside the champion, and is the deal's latest sign of life
// when it came after the last visit. A reply after the report's day does
// not count.
func TestRepliesAreEngagement(t *testing.T) {
	today := deal.NewDate(2026, time.December, 15)
	champ := champVisit() // Carl, the champion, visits on 20 November
	sent := func(day int) reply.Reply {
		return reply.Reply{ID: fmt.Sprintf("r%d", day), Deal: "d", Stakeholder: "eb", Kind: reply.Question, Text: "Yearly billing?",
			Time: time.Date(2026, time.December, day, 9, 0, 0, 0, time.UTC)}
	}
	for _, c := range []struct {
		name    string
		in      ReportDeal
		replies int
		want    []string // the engagement signals
	}{
		// (Eve is the only one beside the champion: her absence is one
		// signal, not "only the champion" again.)
		{"no reply", ReportDeal{}, 0, []string{SignalDeciderAbsent, SignalQuiet}},
		{"a reply waiting", ReportDeal{Waiting: []reply.Reply{sent(1)}}, 1, nil},
		{"a reply decided", ReportDeal{Decided: []reply.Record{{Reply: sent(1), Decisions: []reply.Decision{{State: reply.Answered, Time: time.Date(2026, time.December, 2, 9, 0, 0, 0, time.UTC)}}}}}, 1, nil},
		{"a reply after the day", ReportDeal{Waiting: []reply.Reply{sent(16)}}, 0, []string{SignalDeciderAbsent, SignalQuiet}},
	} {
		c.in.Deal = patternDeal()
		a := NewAggregator([]ReportDeal{c.in}, ReportOptions{Today: today})
		for _, e := range champ {
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		got := engagementKinds(dr)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: engagement signals %q, want %q", c.name, got, c.want)
		}
		if eve := findPerson(t, dr, "eb"); eve.Replies != c.replies || (c.replies > 0) != (eve.LastReply == "2026-12-01T09:00:00Z") {
			t.Errorf("%s: eve = %d replies, the last %q; want %d", c.name, eve.Replies, eve.LastReply, c.replies)
		}
	}
	// Sent from Eve's link rotated away since (leaked, or sent to the
	// wrong person): not her word, nor her engagement, until accepted.
	in := ReportDeal{Deal: patternDeal(), Waiting: []reply.Reply{sent(1), sent(14)}}
	for i := range in.Deal.Stakeholders {
		if in.Deal.Stakeholders[i].ID == "eb" {
			in.Deal.Stakeholders[i].Rotate = 1
		}
	}
	a := NewAggregator([]ReportDeal{in}, ReportOptions{Today: today})
	for _, e := range champ {
		a.Add(e)
	}
	dr := &a.Report().Deals[0]
	if got := engagementKinds(dr); !slices.Equal(got, []string{SignalDeciderAbsent, SignalQuiet}) || findPerson(t, dr, "eb").Replies != 0 {
		t.Errorf("a reply from a rotated link: signals %q, %d replies; want her absence said, no reply counted", got, findPerson(t, dr, "eb").Replies)
	}
	if w := dr.Week; w == nil || w.Replies != 0 {
		t.Errorf("a reply from a rotated link counts in the week: %+v", w)
	}
}

// TestWeekCountsReplies: the week line counts the replies sent in its
// days beside the visits, and the stakeholder table shows them by the
// person's visits.
func TestWeekCountsReplies(t *testing.T) {
	today := deal.NewDate(2026, time.December, 15)
	in := ReportDeal{Deal: patternDeal(), Waiting: []reply.Reply{
		{ID: "inweekaaaa", Deal: "d", Stakeholder: "eb", Kind: reply.Question, Text: "Yearly?", Time: time.Date(2026, time.December, 14, 9, 0, 0, 0, time.UTC)},
		{ID: "beforeaaaa", Deal: "d", Stakeholder: "ch", Kind: reply.Question, Text: "Monthly?", Time: time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC)},
	}}
	dr := &NewAggregator([]ReportDeal{in}, ReportOptions{Today: today}).Report().Deals[0]
	if w := dr.Week; w == nil || w.Replies != 1 || !slices.Equal(w.Repliers, []string{"Eve Buyer"}) {
		t.Fatalf("week %+v, want 1 reply by Eve Buyer", dr.Week)
	}
	if line := weekText(dr.Week, dr.Progress.Percent); !strings.HasSuffix(line, "visits not known (no event log read), 1 reply by Eve Buyer") {
		t.Errorf("week line %q", line)
	}
	var table strings.Builder
	r := NewAggregator([]ReportDeal{in}, ReportOptions{Today: today}).Report()
	if err := r.WriteTable(&table, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "0 (+ 1 reply)") {
		t.Errorf("the stakeholder table does not show the replies by the visits:\n%s", table.String())
	}
}

// TestOnlyChampionAfterAWeek: the champion alone engaged is judged on the
// others whose rooms are a week old, as a decider's absence is: rooms
// published three days ago have had no time to be opened. With only the
// absent decider beside the champion, their own signal says it all.
func TestOnlyChampionAfterAWeek(t *testing.T) {
	today := deal.NewDate(2026, time.December, 15)
	for _, c := range []struct {
		ago  int
		want []string
	}{{3, nil}, {6, nil}, {7, []string{SignalDeciderAbsent, SignalOnlyChampion}}, {30, []string{SignalDeciderAbsent, SignalOnlyChampion}}} {
		m := &manifest.Manifest{}
		for _, id := range []string{"eb", "ch", "tl"} {
			m.Rooms = append(m.Rooms, manifest.Room{Key: "k-" + id, Deal: "d", Stakeholder: id, Side: "buyer", Pages: []string{manifest.PageRoom},
				Published: today.AddDays(-c.ago).String()})
		}
		d := patternDeal() // and a technical lead, who never looked either
		d.Stakeholders = append(d.Stakeholders, deal.Stakeholder{ID: "tl", Name: "Tara Lead", Side: deal.Buyer, Role: "technical-evaluator"})
		a := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: today, Manifest: m})
		for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) {
			e.Stakeholder, e.Role, e.Room = "ch", "champion", "k-ch" // on 20 November
			a.Add(e)
		}
		var got []string
		for _, s := range a.Report().Deals[0].Signals {
			if s.Kind == SignalDeciderAbsent || s.Kind == SignalOnlyChampion {
				got = append(got, s.Kind)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("rooms published %d days ago: signals %q, want %q", c.ago, got, c.want)
		}
	}
}

// TestActiveTimeWithinItsSpan: a page-load counts no more active time than
// passed between its first and last events (and one heartbeat for a lost
// view): fifty deltas of 75 s sent within half a second are not an hour.
func TestActiveTimeWithinItsSpan(t *testing.T) {
	steps := []step{{at: 0, kind: event.KindView}}
	for i := 1; i <= 49; i++ {
		steps = append(steps, step{at: int64(i) * 10, kind: event.KindHB, active: 75000, visibl: 75000})
	}
	honest := pload{start: time.Hour, steps: heartbeats(12, 15000)} // 3 minutes read
	for _, via := range []string{"events", "summaries"} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.November, 22)})
		for n, l := range []pload{{steps: steps}, honest} {
			if via == "events" {
				for _, e := range l.events(n) {
					a.Add(e)
				}
			} else {
				a.AddLoad(l.summary(n))
			}
		}
		eb := findPerson(t, &a.Report().Deals[0], "eb")
		if eb.ActiveSeconds > 180+15 || eb.ActiveSeconds < 180 {
			t.Errorf("from %s: %d s active, want the honest 180 s and at most a heartbeat more", via, eb.ActiveSeconds)
		}
	}
}

// TestDoneUnreadOnlyWhatTheirRoomHolds: a task done while its owner never
// read its document is no signal when the document is not in the owner's
// room (its audience leaves them out): there was nothing to read.
func TestDoneUnreadOnlyWhatTheirRoomHolds(t *testing.T) {
	for _, c := range []struct {
		audience []string
		want     bool
	}{{nil, true}, {[]string{"ch"}, false}} {
		d := patternDeal()
		d.Collateral[0].Audience = c.audience
		a := NewAggregator([]ReportDeal{{Deal: d}}, ReportOptions{Today: deal.NewDate(2026, time.November, 22)})
		for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) { // eb visits the room, reads nothing
			a.Add(e)
		}
		if got := findSignal(&a.Report().Deals[0], SignalDoneUnread) != nil; got != c.want {
			t.Errorf("pricing's audience %v: done-unread signal %v, want %v", c.audience, got, c.want)
		}
	}
}

// TestReturningToAnOpenTab: coming back to a tab left open is a visit of
// its own, counted when it happened: three days of reading in one
// page-load are three visits, the last on the third day, each day's time
// in its week; a hide after hours idle is no visit.
func TestReturningToAnOpenTab(t *testing.T) {
	day := int64(24 * time.Hour / time.Millisecond)
	steps := []step{{at: 0, kind: event.KindView}}
	for d := int64(0); d < 3; d++ {
		if d > 0 {
			steps = append(steps, step{at: d * day, kind: event.KindHB}) // shown again: nothing active while hidden
		}
		steps = append(steps,
			step{at: d*day + 15000, kind: event.KindHB, active: 15000, visibl: 15000},
			step{at: d*day + 20000, kind: event.KindHide, active: 5000, visibl: 5000})
	}
	steps = append(steps, step{at: 2*day + 16000, kind: event.KindDL, coll: "terms"}) // the terms downloaded on the third day
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	steps = append(steps, step{at: 3*day + 5*3600*1000, kind: event.KindHide}) // closed hours later, idle
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.November, 30)})
	for _, e := range (pload{steps: steps}).events(0) {
		a.Add(e)
	}
	eb := findPerson(t, &a.Report().Deals[0], "eb")
	if eb.Visits != 3 || eb.ActiveSeconds != 60 || eb.FirstVisit != "2026-11-20T12:00:00Z" || eb.LastVisit != "2026-11-22T12:00:00Z" {
		t.Errorf("eb: %d visits, %d s active, first %s, last %s; want 3 visits, 60 s, 20 to 22 November", eb.Visits, eb.ActiveSeconds, eb.FirstVisit, eb.LastVisit)
	}
	if len(eb.Opened) != 1 || eb.Opened[0].ID != "terms" || !strings.HasPrefix(eb.Opened[0].Last, "2026-11-22T12:00:16") {
		t.Errorf("eb opened %+v, want the terms on the third day", eb.Opened)
	}
}

// champVisit is a visit of Carl, the champion, on 20 November: a
// page-load of his room with two minutes of heartbeats.
func champVisit() []event.Event {
	var evs []event.Event
	for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) {
		e.Stakeholder, e.Role, e.Room = "ch", "champion", "room-of-ch"
		evs = append(evs, e)
	}
	return evs
}

// TestChampionWentQuiet: the mirror of only-champion: the champion looked
// on 20 November and not since, while the economic buyer looked on 16
// December: the champion went quiet, a flag naming both and their days.
// Not when the champion looked 20 days ago, nor when nobody looked of
// late (nobody-visited says that).
func TestChampionWentQuiet(t *testing.T) {
	today := deal.NewDate(2026, time.December, 30)
	for _, c := range []struct {
		name      string
		carl, eve time.Duration // after 20 November
		want      bool
	}{
		{"the champion weeks ago, the economic buyer of late", 0, 26 * 24 * time.Hour, true},
		{"the champion 20 days ago", 20 * 24 * time.Hour, 26 * 24 * time.Hour, false},
		{"nobody of late", 0, 24 * time.Hour, false},
	} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
		for _, e := range (pload{start: c.eve, steps: heartbeats(8, 15000)}).events(0) {
			a.Add(e)
		}
		for _, e := range (pload{start: c.carl, steps: heartbeats(8, 15000)}).events(1) {
			e.Stakeholder, e.Role, e.Room = "ch", "champion", "room-of-ch"
			a.Add(e)
		}
		s := findSignal(&a.Report().Deals[0], SignalChampionQuiet)
		if !c.want {
			if s != nil {
				t.Errorf("%s: %+v, want none", c.name, s)
			}
			continue
		}
		ev := strings.Join(s.Evidence, "; ")
		if s == nil || s.Severity != SeverityFlag || !strings.Contains(s.Summary, "the champion Carl Champion went quiet") ||
			!strings.Contains(ev, "Carl Champion (champion): 1 visit, the last 2026-11-20; none in the last 21 days") ||
			!strings.Contains(ev, "in the last 21 days: Eve Buyer (economic-buyer, the last 2026-12-16)") {
			t.Errorf("%s: %+v, want a flag that the champion went quiet, naming Carl's last visit and Eve's", c.name, s)
		}
	}
}

// TestOnlyChampionLately: a buyer who visited once weeks ago does not
// keep "only the champion engaged" quiet while the champion alone has
// looked for the last ReportQuietDays: the signal says who stopped and
// when they last looked. Within those days, their visit counts.
func TestOnlyChampionLately(t *testing.T) {
	today := deal.NewDate(2026, time.December, 30)
	for _, c := range []struct {
		eve  time.Duration // after 20 November
		want bool
	}{{0, true}, {20 * 24 * time.Hour, false}} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today})
		for _, e := range (pload{start: c.eve, steps: heartbeats(8, 15000)}).events(0) {
			a.Add(e)
		}
		for _, e := range (pload{start: 26 * 24 * time.Hour, steps: heartbeats(8, 15000)}).events(1) { // Carl, 16 December
			e.Stakeholder, e.Role, e.Room = "ch", "champion", "room-of-ch"
			a.Add(e)
		}
		s := findSignal(&a.Report().Deals[0], SignalOnlyChampion)
		if !c.want {
			if s != nil {
				t.Errorf("Eve on 10 December: %+v, want none: she looked 20 days ago", s)
			}
			continue
		}
		if s == nil || !strings.Contains(s.Summary, "in the last 21 days") || !strings.Contains(strings.Join(s.Evidence, "; "), "none in the last 21 days from Eve Buyer (economic-buyer, the last 2026-11-20)") {
			t.Errorf("Eve on 20 November: %+v, want only the champion engaged of late, Eve's last visit named", s)
		}
	}
}

// TestNeverOpenedWithoutManifest: without a manifest the rooms' age is
// counted from the first page-load of any of the deal's links (the rooms
// were out by then): the decider who never opened is judged a week after
// the champion's first visit, not the day after it; with no page-load of
// the deal at all, the age is not known and nobody is judged.
func TestNeverOpenedWithoutManifest(t *testing.T) {
	for _, c := range []struct {
		today  deal.Date
		loads  bool
		absent bool
	}{
		{deal.NewDate(2026, time.November, 21), true, false},
		{deal.NewDate(2026, time.November, 26), true, false},
		{deal.NewDate(2026, time.November, 27), true, true},
		{deal.NewDate(2026, time.December, 15), true, true},
		{deal.NewDate(2026, time.December, 15), false, false}, // nothing read: nothing judged
	} {
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: c.today})
		if c.loads {
			for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) {
				e.Stakeholder, e.Role = "ch", "champion" // on 20 November
				a.Add(e)
			}
		}
		var got bool
		for _, s := range a.Report().Deals[0].Signals {
			got = got || s.Kind == SignalDeciderAbsent
		}
		if got != c.absent {
			t.Errorf("on %s (the champion's visit on 20 November: %v): decider never opened %v, want %v", c.today, c.loads, got, c.absent)
		}
	}
}

// TestOnlyChampionWindowInDays: "of late" is the last 21 days of the
// site's calendar, whole days, as "nobody visited" counts them: the
// economic buyer's visit at 00:30 on 21 October in London (23:30 UTC the
// day before, clocks gone back on the 25th) is within the 21 days up to 10
// November, and the champion is not alone.
func TestOnlyChampionWindowInDays(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.November, 10), Location: london})
	base := time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC) // pload's
	for n, v := range []struct {
		who, role string
		at        time.Time
	}{
		{"ch", "champion", time.Date(2026, time.November, 9, 10, 0, 0, 0, time.UTC)},
		{"eb", "economic-buyer", time.Date(2026, time.October, 20, 23, 30, 0, 0, time.UTC)},
	} {
		for _, e := range (pload{start: v.at.Sub(base), steps: heartbeats(8, 15000)}).events(n) {
			e.Stakeholder, e.Role = v.who, v.role
			a.Add(e)
		}
	}
	for _, s := range a.Report().Deals[0].Signals {
		if s.Kind == SignalOnlyChampion {
			t.Errorf("only the champion: %+v; the economic buyer visited on 21 October, within the 21 days", s)
		}
	}
}

// TestRotatedAfterTheDay: a report of a day before a person's link was
// rotated judges them by the room they had on that day: Eve's step, done
// after her first room was published and before the rotation, is "done
// without reading" its pricing. (The later rotation's day was taken, and
// the step read as done before she had a room.)
func TestRotatedAfterTheDay(t *testing.T) {
	today := deal.NewDate(2026, time.November, 24)
	m := &manifest.Manifest{Rooms: []manifest.Room{
		{Key: "k-eb0", Deal: "d", Stakeholder: "eb", Side: "buyer", Rotation: 0, Retired: true, Pages: []string{manifest.PageRoom, "pricing"}, Published: "2026-11-01"},
		{Key: "k-eb1", Deal: "d", Stakeholder: "eb", Side: "buyer", Rotation: 1, Pages: []string{manifest.PageRoom, "pricing"}, Published: "2026-11-28"},
		{Key: "k-ch", Deal: "d", Stakeholder: "ch", Side: "buyer", Pages: []string{manifest.PageRoom, "pricing"}, Published: "2026-11-01"},
	}}
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: m})
	for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) {
		e.Stakeholder, e.Role, e.Room = "ch", "champion", "k-ch"
		a.Add(e)
	}
	r := a.Report()
	if findSignal(&r.Deals[0], SignalDoneUnread) == nil {
		t.Errorf("Eve's step done on 10 November, her room published on 1 November: no done-unread signal in %+v", r.Deals[0].Signals)
	}
	// Rotated before the day too: the step was done while she had her
	// first room, and is judged so.
	m.Rooms[1].Published = "2026-11-20"
	a = NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: m})
	for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) {
		e.Stakeholder, e.Role, e.Room = "ch", "champion", "k-ch"
		a.Add(e)
	}
	r = a.Report()
	if findSignal(&r.Deals[0], SignalDoneUnread) == nil {
		t.Errorf("rotated on 20 November, before the day: no done-unread signal in %+v", r.Deals[0].Signals)
	}
}

// TestRoomAgeFromFirstCommit: without a room manifest, no room of a deal
// was out before its plan was first committed: a deal committed yesterday
// has no decider "never opened" and no room quiet for weeks, and a first
// visit by the champion does not make the others' rooms younger than the
// plan.
func TestRoomAgeFromFirstCommit(t *testing.T) {
	at := func(day string) time.Time { d, _ := deal.ParseDate(day); return d.Time() }
	shallow := false
	signals := func(today deal.Date, first string, evs []event.Event) ([]string, *DealReport) {
		in := ReportDeal{Deal: patternDeal(), Story: &history.Story{Deal: "d", Commits: 1, First: at(first), Last: at(first), Shallow: shallow}}
		a := NewAggregator([]ReportDeal{in}, ReportOptions{Today: today, HistoryRead: true})
		other := champVisit()[0]
		other.Deal = "another-deal" // the log was read: who visited is known
		a.Add(other)
		for _, e := range evs {
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		got := engagementKinds(dr)
		return got, dr
	}
	today := deal.NewDate(2026, time.December, 15)
	if got, _ := signals(today, "2026-12-14", nil); len(got) != 0 {
		t.Errorf("a plan first committed yesterday: engagement signals %q, want none", got)
	}
	got, dr := signals(today, "2026-11-01", nil)
	if !slices.Equal(got, []string{SignalDeciderAbsent, SignalQuiet}) {
		t.Errorf("a plan first committed six weeks ago, never visited: signals %q, want the decider's absence and the quiet", got)
	} else if ev := strings.Join(findSignal(dr, SignalQuiet).Evidence, " "); !strings.Contains(ev, "since the plan was first committed on 2026-11-01, 44 days before 2026-12-15") {
		t.Errorf("the quiet's evidence %q does not say since when", ev)
	}
	// Carl's first visit on 20 November, two days before: Eve's room is
	// as old as the plan, three weeks, and she never opened it.
	if got, _ := signals(deal.NewDate(2026, time.November, 22), "2026-11-01", champVisit()); !slices.Contains(got, SignalDeciderAbsent) {
		t.Errorf("after the champion's first visit: signals %q, want the decider's absence still", got)
	}
	// A shallow clone's history starts where the clone does (a CI
	// checkout of depth 1): its first commit says nothing of the plan's age.
	shallow = true
	if got, _ := signals(today, "2026-12-14", nil); !slices.Equal(got, []string{SignalDeciderAbsent, SignalQuiet}) {
		t.Errorf("in a shallow clone starting yesterday: signals %q, want them judged as without a history", got)
	}
}

// engagementKinds lists the kinds of dr's engagement signals, in order.
func engagementKinds(dr *DealReport) []string {
	var got []string
	for _, s := range dr.Signals {
		switch s.Kind {
		case SignalDeciderAbsent, SignalOnlyChampion, SignalQuiet, SignalUnopened:
			got = append(got, s.Kind)
		}
	}
	return got
}

// TestStretchesInAnyOrder: a page-load's stretches are the same whatever
// order its events come in (spread over beacon instances, each file read
// after the other): a morning read and an afternoon one are two, and an
// event between them that closes the gap joins them.
func TestStretchesInAnyOrder(t *testing.T) {
	const gap = 30 * 60 * 1000
	h := int64(3600 * 1000)
	morning := []int64{9 * h, 9*h + 15000, 9*h + 30000}
	afternoon := []int64{14 * h, 14*h + 15000}
	build := func(ats []int64) []span {
		var segs []span
		for _, at := range ats {
			segs = addToStretches(segs, at, 1000, gap)
		}
		return segs
	}
	want := []span{{first: 9 * h, last: 9*h + 30000, active: 3000}, {first: 14 * h, last: 14*h + 15000, active: 2000}}
	for _, order := range [][]int64{append(slices.Clone(morning), afternoon...), append(slices.Clone(afternoon), morning...),
		{morning[2], afternoon[1], morning[0], afternoon[0], morning[1]}} {
		if got := build(order); !slices.Equal(got, want) {
			t.Errorf("events at %v: stretches %+v, want %+v", order, got, want)
		}
	}
	// Events every 20 minutes from 9 to 14: one stretch, in any order.
	var steady []int64
	for at := 9 * h; at <= 14*h; at += 20 * 60 * 1000 {
		steady = append(steady, at)
	}
	slices.Reverse(steady)
	if got := build(steady); len(got) != 1 || got[0].first != 9*h || got[0].last != 14*h {
		t.Errorf("steady events, latest first: %+v, want one stretch from 9 to 14", got)
	}
}

// TestPublishedByAPageLoad: a manifest rebuilt after the report's day
// dates the rooms after it; a page-load of a link by the day shows that
// room was out, so the deal is not "not published" and its person had it.
func TestPublishedByAPageLoad(t *testing.T) {
	today := deal.NewDate(2026, time.November, 28)
	m := &manifest.Manifest{Rooms: []manifest.Room{
		{Key: "k-eb", Deal: "d", Stakeholder: "eb", Side: "buyer", Pages: []string{manifest.PageRoom, "pricing"}, Published: "2026-12-08"},
		{Key: "k-ch", Deal: "d", Stakeholder: "ch", Side: "buyer", Pages: []string{manifest.PageRoom, "pricing"}, Published: "2026-12-08"},
	}}
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: today, Manifest: m})
	for _, e := range (pload{steps: heartbeats(8, 15000)}).events(0) { // 20 November
		e.Stakeholder, e.Role, e.Room = "ch", "champion", "k-ch"
		a.Add(e)
	}
	dr := &a.Report().Deals[0]
	if s := findSignal(dr, SignalNotPublished); s != nil {
		t.Errorf("Carl read his room on 20 November, and the deal is %q", s.Summary)
	}
	if ch := findPerson(t, dr, "ch"); ch.Visits != 1 || !ch.Room {
		t.Errorf("Carl: %+v, want his visit, in a room he had", ch)
	}
}

// TestPurgedVisitsJudgedPerPerson: after a purge of the events before 25
// November, a decider whose room was out before it may have opened it
// then: "has not opened the room since" the purge's day, said once that
// is a week back; one whose room came out after it lost nothing, and
// never opened it. A purge days ago silences neither the others' signals
// nor the decider whose room is newer.
func TestPurgedVisitsJudgedPerPerson(t *testing.T) {
	cut := deal.NewDate(2026, time.November, 25)
	for _, c := range []struct {
		today      deal.Date
		ebOut      deal.Date // the economic buyer's room
		wantSuffix string    // of the decider signal's summary; "" for none
	}{
		{deal.NewDate(2026, time.December, 5), deal.NewDate(2026, time.November, 10), "has not opened the room since 2026-11-25 (the events before it were purged)"},
		{deal.NewDate(2026, time.November, 28), deal.NewDate(2026, time.November, 10), ""},
		{deal.NewDate(2026, time.December, 5), deal.NewDate(2026, time.November, 26), "never opened the room"},
	} {
		rooms := []manifest.Room{
			{Key: "k-ch", Deal: "d", Stakeholder: "ch", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: "2026-11-01"},
			{Key: "k-eb", Deal: "d", Stakeholder: "eb", Side: manifest.SideBuyer, Pages: []string{manifest.PageRoom}, Published: c.ebOut.String()},
		}
		a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: c.today, Manifest: &manifest.Manifest{Rooms: rooms},
			Purged: map[string]deal.Date{"": cut}})
		// Carl, the champion, visits after the purge.
		for _, e := range (pload{start: 7 * 24 * time.Hour, steps: heartbeats(8, 15000)}).events(1) {
			e.Stakeholder, e.Role, e.Room = "ch", "champion", "k-ch"
			a.Add(e)
		}
		dr := &a.Report().Deals[0]
		s := findSignal(dr, SignalDeciderAbsent)
		switch {
		case c.wantSuffix == "" && s != nil:
			t.Errorf("today %s, room out %s: %+v, want none (the purge is days old)", c.today, c.ebOut, s)
		case c.wantSuffix != "" && (s == nil || !strings.HasSuffix(s.Summary, c.wantSuffix)):
			t.Errorf("today %s, room out %s: %+v, want a summary ending %q", c.today, c.ebOut, s, c.wantSuffix)
		}
		if c.wantSuffix == "" {
			// Nor is Eve said to be missing beside the champion.
			if oc := findSignal(dr, SignalOnlyChampion); oc != nil {
				t.Errorf("today %s: %+v, want no only-champion naming Eve, whose visits may be purged", c.today, oc)
			}
		}
	}
	// Without a manifest, a room's day is not known from the page-loads
	// left after a purge: Eve is judged from the purge's day.
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.December, 20),
		Purged: map[string]deal.Date{"": cut}})
	for _, e := range (pload{start: 7 * 24 * time.Hour, steps: heartbeats(8, 15000)}).events(1) {
		e.Stakeholder, e.Role, e.Room = "ch", "champion", "room-of-ch"
		a.Add(e)
	}
	if s := findSignal(&a.Report().Deals[0], SignalDeciderAbsent); s == nil || !strings.HasSuffix(s.Summary, "has not opened the room since 2026-11-25 (the events before it were purged)") {
		t.Errorf("without a manifest: %+v, want Eve judged from the purge's day", s)
	}
}

// TestQuietSaysWhenScannersCame: a room nobody has visited in weeks, whose
// links a mail scanner loaded on the day they were sent, says the
// scanner-like page-loads it did not count and the day of the last: they
// did not touch the room in the quiet spell.
func TestQuietSaysWhenScannersCame(t *testing.T) {
	a := NewAggregator([]ReportDeal{{Deal: patternDeal()}}, ReportOptions{Today: deal.NewDate(2026, time.December, 20)})
	crawler := pload{page: "pricing", steps: heartbeats(4, 15000), ua: event.UACrawler} // eb's, on 20 November
	for _, e := range crawler.events(0) {
		a.Add(e)
	}
	s := findSignal(&a.Report().Deals[0], SignalQuiet)
	if s == nil || !slices.Contains(s.Evidence, "1 scanner-like page-load not counted as visits (the last on 2026-11-20)") {
		t.Errorf("nobody visited: %+v, want the scanner's page-load said with its day", s)
	}
}
