package report

import (
	"time"

	"github.com/maproom/maproom/internal/manifest"
)

// LoadSummary is one page-load's events summed up: what the report needs of
// them to classify the page-load and fold it into its stakeholder's figures.
// A store that keeps such summaries (analytics/pgstore) feeds them with
// [Aggregator.AddLoad] instead of streaming every event.
type LoadSummary struct {
	// Deal, Stakeholder, Page and Net are those of every event of the
	// page-load (a page-load whose events disagree on them is not
	// summarisable: feed its events with [Aggregator.Add]).
	Deal, Stakeholder, Page, Net string
	// First and Last are the times of its first and last event.
	First, Last time.Time
	// Events is how many distinct events (load, seq) it holds.
	Events int
	// ActiveMS is the sum of the events' active milliseconds.
	ActiveMS int64
	// View, HB and Hide say whether an event of that kind is among them;
	// Opens whether an open or dl is.
	View, HB, Hide, Opens bool
	// OpenFirst and OpenLast are the times of the first and last open or
	// dl; zero when Opens is false.
	OpenFirst, OpenLast time.Time
	// Opened are the distinct collateral ids of its opens and dls, in any
	// order.
	Opened []string
	// Bot: an event's UA was not event.UABrowser (a crawler, or none). Webdriver
	// and Retired: an event had that flag.
	Bot, Webdriver, Retired bool
}

// Window returns what the aggregator reports on: events from (inclusive)
// to (exclusive), in the ReportOptions' timezone, and only the deal deal
// when it is not empty. A store may leave out the events outside it and
// count them with [Aggregator.AddLeftOut].
func (a *Aggregator) Window() (from, to time.Time, deal string) {
	return time.UnixMilli(a.fromMS).UTC(), time.UnixMilli(a.toMS).UTC(), a.opts.Deal
}

// Summarisable reports whether AddLoad adds a page-load with events from
// first to last exactly as Add would add its events: all of them in the
// [Aggregator.Window] (a page-load across its edge is partly left out),
// and no gap between them long enough for Add to take what follows for
// another visit (Engagement.VisitGap; a page-load that spans less cannot
// have one) or a new page-load (the dedupe window, 48 h, longer).
func (a *Aggregator) Summarisable(first, last time.Time) bool {
	f, l := first.UnixMilli(), last.UnixMilli()
	return f >= a.fromMS && l < a.toMS && l-f <= min(loadWindow, a.eng.VisitGap).Milliseconds()
}

// AddLoad adds one page-load given as its summary, with the result Add
// would give for its events (which must be valid events, each (load, seq)
// once): the page-load is classified and folded into its stakeholder's
// figures at once, and counted in the report's input. The caller must have
// checked [Aggregator.Summarisable]; AddLoad panics otherwise. A summary of
// another deal than the Window's is counted as OtherDeals, one of a deal or
// stakeholder the content does not have as Unknown.
func (a *Aggregator) AddLoad(s *LoadSummary) {
	if !a.Summarisable(s.First, s.Last) {
		panic("analytics: AddLoad of a page-load that is not summarisable")
	}
	a.fed = true
	a.stats.Lines += s.Events
	a.stats.Events += s.Events
	if a.otherDeal(s.Deal) {
		a.stats.OtherDeals += s.Events
		return
	}
	da := a.byID[s.Deal]
	if da == nil {
		a.stats.Unknown += s.Events
		return
	}
	pi, ok := da.people[s.Stakeholder]
	if !ok {
		a.stats.Unknown += s.Events
		return
	}
	l := loadState{person: pi, page: -1, first: s.First.UnixMilli(), last: s.Last.UnixMilli(), active: s.ActiveMS}
	if s.Page != manifest.PageRoom {
		if ci, ok := da.coll[s.Page]; ok {
			l.page = ci
		}
	} else {
		l.flags |= lfRoom
	}
	if s.Net != "" {
		l.net = a.intern([]byte(s.Net))
	}
	if s.View {
		l.flags |= lfView
	}
	if s.HB {
		l.flags |= lfHB
	}
	if s.Hide {
		l.flags |= lfHide
	}
	if s.Opens {
		l.flags |= lfOpen
		l.openFirst, l.openLast = s.OpenFirst.UnixMilli(), s.OpenLast.UnixMilli()
		var opened [16]int16
		l.opened = opened[:0]
		for _, c := range s.Opened {
			if ci, ok := da.coll[c]; ok {
				found := false
				for _, o := range l.opened {
					found = found || o == ci
				}
				if !found {
					l.opened = append(l.opened, ci)
				}
			}
		}
	}
	if s.Bot {
		l.flags |= lfBot
	}
	if s.Webdriver {
		l.flags |= lfWebdriver
	}
	if s.Retired {
		l.flags |= lfRetired
	}
	a.close(&l)
}

// AddLeftOut counts events a store did not read because they are outside
// the [Aggregator.Window]: outsideDates before or after its dates,
// otherDeals of other deals than its deal. They must be valid events that
// Add would have counted so.
func (a *Aggregator) AddLeftOut(outsideDates, otherDeals int) {
	a.fed = true
	n := outsideDates + otherDeals
	a.stats.Lines += n
	a.stats.Events += n
	a.stats.OutsideDates += outsideDates
	a.stats.OtherDeals += otherDeals
}

// Tick tells the aggregator that the stream it is fed in time order holds
// an event at t that the caller leaves out (because it fed that event's
// page-load with AddLoad): the aggregator closes the page-loads it holds as
// reading that event would have, so that a later event of one of them
// starts a new page-load exactly when it would in the whole stream. A
// caller that feeds some page-loads with Add and others with AddLoad calls
// Tick at each time where reading the whole stream would sweep (see
// [SweepEvery]); ticks and events must come in time order.
func (a *Aggregator) Tick(t time.Time) {
	at := t.UnixMilli()
	if at < a.fromMS || at >= a.toMS || at <= a.maxAt {
		return
	}
	a.maxAt = at
	if at >= a.nextSweep {
		a.sweep(at - loadWindow.Milliseconds())
		a.nextSweep = at + sweepEvery.Milliseconds()
	}
}

// SweepEvery is the span of event time between the aggregator's sweeps of
// the page-loads it holds: reading events in time order, it sweeps at the
// first event, then at the first event at least SweepEvery after the
// previous sweep. Only events inside the [Aggregator.Window] count.
const SweepEvery = sweepEvery
