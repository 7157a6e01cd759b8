package report

import (
	"cmp"
	"encoding/binary"
	"slices"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// ReportDeal is one deal as the report reads it: the plan from the content
// and its schedule.
type ReportDeal struct {
	Deal *deal.Deal
	// Plan is the deal's schedule for the report's day; nil when it cannot
	// be worked out (a dependency cycle). A plan with other errors keeps
	// its schedule's signals (what waits on what, each step's due date)
	// but not its forecast: the report shows no schedule line for it.
	Plan *schedule.Plan
	// CheckErrors is the number of `maproom check` errors of the deal: a
	// plan with errors does not count towards coverage.
	CheckErrors int
	// Template is the template the plan was started from (template:),
	// and UsualMissing its milestones the plan has no milestone or step
	// for (generator.UsualOf): deals of the kind usually need them.
	Template     string
	UsualMissing []deal.Milestone
	// CheckMessages are those errors as check gives them ("file:line:
	// what to change"), in check's order; the report shows the first few,
	// so a manager sees whether it is a typo or a missing close date.
	CheckMessages []string
	// Waiting are the replies sent from the deal's rooms that wait for the
	// seller, no bundle record deciding them (reply.WaitingReplies), in any
	// order. The report lists them, and warns of a proposed date that
	// would move the close (SignalProposalMovesClose); replies sent after
	// the report's day are left out. nil: none.
	Waiting []reply.Reply
	// Decided are the replies sent from the deal's rooms that a bundle
	// record decides (accepted, declined, answered), for the activity list:
	// a buyer who answered the plan engaged with it, whatever the seller
	// did with the answer. nil: none.
	Decided []reply.Record
	// Story is the plan's git history (internal/history); nil when the
	// site is not in git. Reviews are the days of the deal's review notes
	// (reviews/YYYY-MM-DD.md), for the missed-reviews signal.
	Story   *history.Story
	Reviews []deal.Date
	// Former are ids the deal had before its folder was renamed, whose
	// logged views are its own, as Story.Former's are: for a caller that
	// judges the deal's engagement without its history (the review, the
	// handoff).
	Former []string
	// Uncommitted marks a plan whose file differs from the version its
	// history's last commit holds (history.Story.Committed): the report
	// reads it as it is, and says the history stops short of it.
	Uncommitted bool
	// Unreadable marks a deal whose index.md could not be read at all
	// (its YAML does not parse): Deal holds only its folder's name as ID
	// and Title. It is listed as a plan that fails check, counts as an
	// open deal not covered, and nothing else of it is judged.
	Unreadable bool
	// RoomsUnknown marks a deal whose rooms the manifest cannot tell of
	// for the report's day: withdrawn since (its rooms taken down and out
	// of the manifest), in a report of a day before. Its publication is
	// not judged ("not published"), nor the rooms' age from it.
	RoomsUnknown bool
}

// ReportOptions configures an [Aggregator].
type ReportOptions struct {
	Title string // the site title, shown as the report's heading
	// UnopenedDays is how old a room is before its person not opening it
	// says something (a decider never opened, a room nobody opened):
	// ReportUnopenedDays when 0. maproom passes [notify] unopened_days, so
	// the report and notify tell one story.
	UnopenedDays int
	// Today is the report's day: events after it are left out, a task
	// done after it is open (deal.Deal.AsOf), rescheduled on that day, and
	// the plan's history ends with it (history.Story.Until).
	Today deal.Date
	Since deal.Date // events before this day are left out; zero: none
	// Purged holds the days before which maproom events purge deleted the
	// events, of every deal ("") or of one (its id): whether a person whose
	// room was out before it opened it then is not known, so they are
	// judged from that day on, once it is UnopenedDays back ("has not
	// opened the room since ...", never "never"), and left out of what
	// says who is missing until then; a room out since is judged as ever.
	Purged map[string]deal.Date
	// Location is the site timezone: days, weeks and "today" are in it.
	// nil means UTC.
	Location *time.Location
	// FlagDays and AlertDays are the overdue thresholds (maproom.toml
	// [overdue]); 0 means 3 and 7.
	FlagDays, AlertDays int
	// Deal, when set, limits the report to that deal; the other deals'
	// events are counted as OtherDeals.
	Deal string
	// Manifest is the private room manifest: it says which stakeholders
	// have a published room and which documents their room holds. nil
	// takes every stakeholder as published and the scope from the content.
	Manifest *manifest.Manifest
	// Engagement holds the thresholds of what counts as a person, a visit
	// and a read (maproom.toml [engagement]; see engagement.go).
	// Its zero fields take their defaults.
	Engagement Engagement
	// Calendar is the site's business days (maproom.toml holidays), the
	// calendar the deals' plans were scheduled with: the report schedules
	// a plan again with a waiting proposed date to tell how far the close
	// would move. The zero Calendar has no holidays.
	Calendar schedule.Calendar
	// History holds the thresholds of the history's signals (maproom.toml
	// [history]); its zero fields take their defaults. HistoryNote says
	// why the report has no history (the site is not in git), "" when it
	// has one. HistoryRead says the site's git history was read: a deal
	// with no Story then has no commit yet, and gets the signals a site
	// outside git gets (completion flat from its done: dates, missed
	// reviews from its notes).
	History     history.Thresholds
	HistoryNote string
	HistoryRead bool
	// SettingsErrors are the errors of the settings file, as check names
	// them (file:line and what to change): the report left those settings
	// out, their defaults standing in. Each report names them.
	SettingsErrors []string
}

// loadWindow is how long a page-load is kept open after its last event, in
// the time of the newest event read: an event of it that comes later is
// taken for a new page-load. It is the log reader's dedupe window
// (eventlog.DedupeWindow), so that the page-loads the report keeps are
// those whose copies the reader recognises.
const loadWindow = eventlog.DedupeWindow

// sweepEvery is how often, in the time of the events, page-loads that fell
// out of loadWindow are closed.
const sweepEvery = 6 * time.Hour

// Aggregator builds a [Report] from a stream of events, holding a summary per
// deal and stakeholder and, for classification, the page-loads of
// the last two days of events only: memory is bounded by deals,
// stakeholders and the page-loads of two days, not by the events read.
//
// Feed it with [Aggregator.ReadLogs], [Aggregator.ReadStream] or
// [Aggregator.Add], then call [Aggregator.Report] once. An Aggregator is not
// safe for concurrent use.
type Aggregator struct {
	opts   ReportOptions
	eng    Engagement // opts.Engagement with its defaults
	loc    *time.Location
	deals  []*dealAgg
	byID   map[string]*dealAgg
	people []personAgg
	stats  InputStats

	fromMS, toMS int64 // events kept: [fromMS, toMS)
	weeks        []deal.Date

	loads map[[event.LoadLen / 2]byte]int32
	ls    []loadState
	free  []int32
	// bySlot finds an open page-load by the log reader's slot for it
	// (eventlog.Reader.Slot): index into ls plus one, 0 for none. Checked
	// against the page-load's id, as the reader reuses slots.
	bySlot []int32

	maxAt, nextSweep int64
	closed           []uint64 // a bit per hash of the page-loads closed by a sweep
	interned         map[string]string
	done             bool
	rd               *eventlog.Reader // ReadLogs' and ReadStream's, made on first use
	// fed is set once events are given (ReadLogs, ReadStream, Add,
	// AddLoad, AddLeftOut): without them the report judges no one's
	// engagement (nobody "never opened" a room for want of a log).
	fed bool
}

type dealAgg struct {
	in        ReportDeal
	people    map[string]int32 // stakeholder id -> index into Aggregator.people
	coll      map[string]int16 // collateral id -> index into Deal.Collateral
	published map[string][]string
	// later is the pages of the rooms the manifest dates after the
	// report's day, by stakeholder id: published by then all the same
	// when a page-load of the link came by then.
	later     map[string][]string
	lastVisit int64 // unix ms, 0 when none
	previews  int
	// replied is, by stakeholder id, the replies each sent from their
	// room in the days the report reads (Waiting and Decided).
	replied map[string]replies

	// firstPublished is the day the deal's first buyer room was published
	// (manifest.FirstPublished), "" when unknown; roomPublished the day each
	// stakeholder's room was, by stakeholder id (absent when unknown).
	firstPublished string
	roomPublished  map[string]string
	// roomFirst is the day each person's first room (of any rotation)
	// was published, by the report's day: a step they did after it was
	// done with a room to read in.
	roomFirst map[string]string
}

type personAgg struct {
	d       *dealAgg
	s       *deal.Stakeholder
	seller  bool
	spans   []span // the visits, in time order (see addSpan)
	human   int    // human page-loads
	scanner int
	glances int
	// lastScanner is when the latest scanner-like page-load began (ms).
	lastScanner int64
	// oldLinks are the visits through a rotated-away link (its human
	// page-loads, joined as spans are): not the person's visits.
	oldLinks []span
	first    int64
	last     int64
	linked   int64 // the first page-load of their link of any class, unix ms; 0: none
	active   int64
	nets     []string
	opened   []openAgg // by collateral index, allocated on first open
	weekly   [ReportWeeks]int64
}

// openAgg is what a person read of one document.
type openAgg struct {
	reads  []int64 // when each read began, unix ms: Times counts their visits
	active int64   // active ms on its own page, in human page-loads
	last   int64
}

const maxNets = 64 // distinct networks remembered per stakeholder

// Page-load flags.
const (
	lfView uint8 = 1 << iota
	lfHB
	lfHide
	lfOpen
	lfBot // crawler or empty User-Agent
	lfWebdriver
	lfRetired
	lfRoom // a load of the room's own page (the plan), not a document's
)

type loadState struct {
	id        [event.LoadLen / 2]byte
	open      bool // in loads, not yet closed by a sweep
	person    int32
	page      int16 // collateral index of the page, -1 for the room
	flags     uint8
	first     int64
	last      int64
	active    int64
	openFirst int64
	openLast  int64
	opened    []int16 // distinct collateral opened
	net       string
	// segs are the stretches of the page-load's events with no gap of a
	// visit's length (Engagement.VisitGap) between them, in time order:
	// coming back to a tab left open is another visit. Empty for a
	// page-load added as a summary (one stretch: first to last).
	segs []span
}

// NewAggregator returns an Aggregator for the deals, in the order given.
func NewAggregator(deals []ReportDeal, opts ReportOptions) *Aggregator {
	if opts.FlagDays <= 0 {
		opts.FlagDays = 3
	}
	if opts.AlertDays <= 0 {
		opts.AlertDays = 7
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	a := &Aggregator{opts: opts, eng: opts.Engagement.WithDefaults(), loc: loc, byID: make(map[string]*dealAgg, len(deals)),
		loads: make(map[[event.LoadLen / 2]byte]int32), interned: make(map[string]string)}
	a.toMS = startOf(opts.Today.AddDays(1), loc)
	if !opts.Since.IsZero() {
		a.fromMS = startOf(opts.Since, loc)
	} else {
		a.fromMS = -1 << 62
	}
	monday := opts.Today.AddDays(-((int(opts.Today.Weekday()) + 6) % 7))
	for i := ReportWeeks - 1; i >= 0; i-- {
		a.weeks = append(a.weeks, monday.AddDays(-7*i))
	}
	published := map[string]map[string][]string{}
	roomPublished := map[string]map[string]string{}
	roomFirst := map[string]map[string]string{}
	later := map[string]map[string][]string{}
	var firstPublished map[string]string
	if opts.Manifest != nil {
		firstPublished = opts.Manifest.FirstPublished()
		// A person had a room on the report's day when a room of theirs,
		// at any rotation, was published by then (or on a day not known:
		// a manifest written before maproom recorded it); the rooms a
		// build made after the day were not there yet.
		day := opts.Today.String()
		by := map[string]bool{}
		// The room they had on the day: the latest published by then (a
		// link rotated after the day was still the old one's).
		onDay := map[string]string{}
		for _, r := range opts.Manifest.Rooms {
			k := manifest.RotationKey(r.Deal, r.Stakeholder)
			if r.Published != "" && r.Published <= day {
				if roomFirst[r.Deal] == nil {
					roomFirst[r.Deal] = map[string]string{}
				}
				if f := roomFirst[r.Deal][r.Stakeholder]; f == "" || r.Published < f {
					roomFirst[r.Deal][r.Stakeholder] = r.Published
				}
			}
			if r.Published == "" || r.Published <= day {
				by[k] = true
			}
			if r.Published != "" && r.Published <= day && r.Published > onDay[k] {
				onDay[k] = r.Published
			}
		}
		for _, r := range opts.Manifest.Rooms {
			if !r.Retired && !by[manifest.RotationKey(r.Deal, r.Stakeholder)] {
				// Published after the day by the manifest (one rebuilt
				// from scratch records its own day): out by then if a
				// page-load of its link came by then (dealReport).
				if later[r.Deal] == nil {
					later[r.Deal] = map[string][]string{}
				}
				later[r.Deal][r.Stakeholder] = r.Pages
			}
			if r.Retired || !by[manifest.RotationKey(r.Deal, r.Stakeholder)] {
				continue
			}
			if published[r.Deal] == nil {
				published[r.Deal], roomPublished[r.Deal] = map[string][]string{}, map[string]string{}
			}
			published[r.Deal][r.Stakeholder] = r.Pages
			switch k := manifest.RotationKey(r.Deal, r.Stakeholder); {
			case r.Published != "" && r.Published <= day:
				roomPublished[r.Deal][r.Stakeholder] = r.Published
			case onDay[k] != "":
				roomPublished[r.Deal][r.Stakeholder] = onDay[k]
			}
		}
	}
	n := 0
	for _, in := range deals {
		n += len(in.Deal.Stakeholders)
	}
	a.people = make([]personAgg, 0, n)
	for _, in := range deals {
		if asOf := in.Deal.AsOf(opts.Today); asOf != in.Deal {
			// A task done after the report's day was open on it: the
			// report counts and schedules the plan as that day saw it.
			in.Deal = asOf
			if in.Plan != nil {
				if p, err := schedule.Compute(asOf, opts.Today, opts.Calendar); err == nil {
					in.Plan = p
				}
			}
		}
		if in.Story != nil {
			// So is its history: what was committed after the day is not
			// yet written. The views logged under a name the folder has
			// had are the deal's all the same, a name it had until after
			// the day too.
			in.Former = append(slices.Clone(in.Former), in.Story.Former...)
			in.Story = in.Story.Until(time.UnixMilli(a.toMS))
		}
		d := in.Deal
		da := &dealAgg{in: in, people: make(map[string]int32, len(d.Stakeholders)),
			coll: make(map[string]int16, len(d.Collateral)), published: published[d.ID], later: later[d.ID], firstPublished: firstPublished[d.ID],
			roomPublished: roomPublished[d.ID], roomFirst: roomFirst[d.ID], replied: countReplies(in, a.fromMS, a.toMS)}
		for i := range d.Stakeholders {
			s := &d.Stakeholders[i]
			da.people[s.ID] = int32(len(a.people))
			a.people = append(a.people, personAgg{d: da, s: s, seller: s.Side == deal.Seller})
		}
		for i, c := range d.Collateral {
			da.coll[c.ID] = int16(i)
		}
		a.deals = append(a.deals, da)
		a.byID[d.ID] = da
	}
	// A deal whose folder was renamed in git keeps the views its rooms
	// had under the former id, which the events logged then carry.
	for _, da := range a.deals {
		former := da.in.Former
		if st := da.in.Story; st != nil {
			former = append(slices.Clone(former), st.Former...)
		}
		for _, f := range former {
			if _, taken := a.byID[f]; !taken {
				a.byID[f] = da
			}
		}
	}
	return a
}

// PurgedDay is the day before which deal id's events were purged, of
// purged as ReportOptions.Purged holds them: the later of every deal's
// purge ("") and its own; zero when none were.
func PurgedDay(purged map[string]deal.Date, id string) deal.Date {
	p, own := purged[""], purged[id]
	if own.After(p) {
		return own
	}
	return p
}

// purgedDay is PurgedDay of the report's options.
func (a *Aggregator) purgedDay(id string) deal.Date { return PurgedDay(a.opts.Purged, id) }

// knownFrom is the day the events tell a deal's engagement from: the
// latest of Since and the purges of it (ReportOptions.Purged); zero when
// they tell all of it.
func (a *Aggregator) knownFrom(id string) deal.Date {
	if p := a.purgedDay(id); p.After(a.opts.Since) {
		return p
	}
	return a.opts.Since
}

// otherDeal reports whether events of deal id are left out by the -deal
// filter: the filter names the deal, a former id of it counts as it.
func (a *Aggregator) otherDeal(id string) bool {
	if a.opts.Deal == "" || id == a.opts.Deal {
		return false
	}
	da := a.byID[id]
	return da == nil || da.in.Deal.ID != a.opts.Deal
}

// addToStretches adds an event at at (unix ms) with active ms to a
// page-load's stretches, in time order, events less than gap apart in one
// stretch. Events most often come in time order; one that comes late (the
// page-load's events spread over beacon instances, read one file after
// the other) goes where its time puts it, joining the stretches it falls
// between when it closes the gap.
func addToStretches(segs []span, at, active, gap int64) []span {
	n := len(segs)
	switch {
	case n == 0 || at-segs[n-1].last > gap:
		return append(segs, span{first: at, last: at, active: active})
	case at >= segs[n-1].first:
		sg := &segs[n-1]
		sg.last = max(sg.last, at)
		sg.active += active
		return segs
	default:
		segs = append(segs, span{first: at, last: at, active: active})
		slices.SortStableFunc(segs, func(a, b span) int { return cmp.Compare(a.first, b.first) })
	}
	// Join the stretches the event brought within gap of each other.
	out := segs[:1]
	for _, sg := range segs[1:] {
		if last := &out[len(out)-1]; sg.first-last.last <= gap {
			*last = merged(*last, sg)
			continue
		}
		out = append(out, sg)
	}
	return out
}

// addVisits adds the stretches of one page-load to visits: each is a visit
// of its own, joined to the others close to it (addSpan); a stretch with
// no active time (a tab left open idle, closed hours later, or opened and
// read only later) is no visit when another stretch of it has some. It
// returns the start of the first stretch it counted.
func addVisits(visits, segs []span, gap int64) ([]span, int64) {
	active := slices.ContainsFunc(segs, func(sg span) bool { return sg.active > 0 })
	var first int64
	for i, sg := range segs {
		if sg.active == 0 && (i > 0 || active) {
			continue
		}
		if first == 0 {
			first = sg.first
		}
		visits = addSpan(visits, sg, gap)
	}
	return visits, first
}

// startOf returns the first instant of day d in loc, as unix milliseconds.
func startOf(d deal.Date, loc *time.Location) int64 {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).UnixMilli()
}

// replies counts a person's replies: how many, and when the last was sent
// (unix ms).
type replies struct {
	n    int
	last int64
}

// countReplies counts, by stakeholder id, the replies of ReportDeal in
// sent in [from, to) (unix ms): those waiting and those decided, but for
// one sent from a link rotated away since that was not accepted.
func countReplies(in ReportDeal, from, to int64) map[string]replies {
	out := map[string]replies{}
	add := func(r reply.Reply, accepted bool) {
		if r.Preview {
			return // the seller's click in the preview
		}
		if s, ok := in.Deal.Stakeholder(r.Stakeholder); ok && r.Rotation < s.Rotate && !accepted {
			// Sent from a link rotated away since (leaked, or sent to the
			// wrong person): not the person's word until the seller
			// confirms it and accepts it, as their old link's visits are
			// not their visits.
			return
		}
		if ms := r.Time.UnixMilli(); ms >= from && ms < to {
			c := out[r.Stakeholder]
			c.n++
			c.last = max(c.last, ms)
			out[r.Stakeholder] = c
		}
	}
	for _, r := range in.Waiting {
		add(r, false)
	}
	for _, rec := range in.Decided {
		add(rec.Reply, rec.Accepted())
	}
	return out
}

// Add adds one event. Events may come in any order, but each must come
// once: the log's reader (eventlog.Reader, which ReadLogs and ReadStream
// use) and the PostgreSQL store deliver each (load, seq) once; Add does not
// dedupe.
func (a *Aggregator) Add(e event.Event) {
	a.fed = true
	if e.Kind == event.KindReply && event.CheckReplyEvent(&e) == nil {
		return // a reply is not a page view: see eventlog.ReadReplies
	}
	a.stats.Lines++
	if e.Problem() != "" || e.Kind == event.KindReply {
		a.stats.Corrupt++
		return
	}
	r := event.RowOf(&e)
	a.add(&r, -1)
}

// add takes one valid event; stats.Lines was counted by the caller. slot
// is the log reader's slot for the event's page-load, -1 when none.
func (a *Aggregator) add(r *event.Row, slot int32) {
	a.stats.Events++
	if r.At < a.fromMS || r.At >= a.toMS {
		a.stats.OutsideDates++
		return
	}
	if a.otherDeal(string(r.Deal)) {
		a.stats.OtherDeals++
		return
	}
	if string(r.Instance) == event.PreviewInstance {
		a.stats.LocalPreview++
		return
	}
	if r.At > a.maxAt {
		a.maxAt = r.At
		if r.At >= a.nextSweep {
			a.sweep(r.At - loadWindow.Milliseconds())
			a.nextSweep = r.At + sweepEvery.Milliseconds()
		}
	}
	li, ok := int32(-1), false
	if slot >= 0 && int(slot) < len(a.bySlot) {
		if j := a.bySlot[slot] - 1; j >= 0 && a.ls[j].open && a.ls[j].id == r.Load {
			li, ok = j, true
		}
	}
	if !ok {
		li, ok = a.loads[r.Load]
	}
	if !ok {
		da := a.byID[string(r.Deal)]
		if da == nil {
			a.stats.Unknown++
			return
		}
		pi, ok := da.people[string(r.Stakeholder)]
		if !ok {
			a.stats.Unknown++
			return
		}
		if r.At < a.maxAt-loadWindow.Milliseconds() && a.wasClosed(r.Load) {
			a.stats.OutOfOrder++
		}
		li = a.newLoad()
		l := &a.ls[li]
		l.person, l.first, l.last = pi, r.At, r.At
		l.page = -1
		if string(r.Page) != manifest.PageRoom {
			if ci, ok := da.coll[string(r.Page)]; ok {
				l.page = ci
			}
		} else {
			l.flags |= lfRoom
		}
		l.net = a.intern(r.Net)
		l.id, l.open = r.Load, true
		a.loads[r.Load] = li
	}
	if slot >= 0 {
		if int(slot) >= len(a.bySlot) {
			a.bySlot = append(a.bySlot, make([]int32, int(slot)+1-len(a.bySlot))...)
		}
		a.bySlot[slot] = li + 1
	}
	l := &a.ls[li]
	l.first, l.last = min(l.first, r.At), max(l.last, r.At)
	l.active += r.ActiveMS
	l.segs = addToStretches(l.segs, r.At, r.ActiveMS, a.eng.VisitGap.Milliseconds())
	switch r.Kind {
	case event.KindView:
		l.flags |= lfView
	case event.KindHB:
		l.flags |= lfHB
	case event.KindHide:
		l.flags |= lfHide
	case event.KindOpen, event.KindDL:
		if l.flags&lfOpen == 0 || r.At < l.openFirst {
			l.openFirst = r.At
		}
		if l.flags&lfOpen == 0 || r.At > l.openLast {
			l.openLast = r.At
		}
		l.flags |= lfOpen
		if ci, ok := a.people[l.person].d.coll[string(r.Collateral)]; ok {
			found := false
			for _, c := range l.opened {
				found = found || c == ci
			}
			if !found {
				l.opened = append(l.opened, ci)
			}
		}
	}
	if string(r.UA) != event.UABrowser {
		l.flags |= lfBot
	}
	if r.Webdriver {
		l.flags |= lfWebdriver
	}
	if r.Retired {
		l.flags |= lfRetired
	}
}

func (a *Aggregator) intern(b []byte) string {
	if s, ok := a.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	a.interned[s] = s
	return s
}

func (a *Aggregator) newLoad() int32 {
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		a.ls[i] = loadState{opened: a.ls[i].opened[:0], segs: a.ls[i].segs[:0]}
		return i
	}
	a.ls = append(a.ls, loadState{})
	return int32(len(a.ls) - 1)
}

// sweep closes the page-loads whose last event is before cutoff.
func (a *Aggregator) sweep(cutoff int64) {
	for k, i := range a.loads {
		if a.ls[i].last < cutoff {
			a.close(&a.ls[i])
			a.ls[i].open = false
			delete(a.loads, k)
			a.free = append(a.free, i)
			a.markClosed(k)
		}
	}
}

// closedBits is the size of the filter of closed page-loads: 128 KiB,
// whatever the number of events.
const closedBits = 1 << 20

// markClosed and wasClosed keep a one-hash Bloom filter of the page-loads
// closed by a sweep, so that an event of one of them that comes much later
// (a log read out of day order) is counted as OutOfOrder. Page-load ids are
// random, so their first bytes are a fine hash.
func (a *Aggregator) markClosed(load [event.LoadLen / 2]byte) {
	if a.closed == nil {
		a.closed = make([]uint64, closedBits/64)
	}
	h := binary.LittleEndian.Uint64(load[:8]) % closedBits
	a.closed[h/64] |= 1 << (h % 64)
}

func (a *Aggregator) wasClosed(load [event.LoadLen / 2]byte) bool {
	if a.closed == nil {
		return false
	}
	h := binary.LittleEndian.Uint64(load[:8]) % closedBits
	return a.closed[h/64]&(1<<(h%64)) != 0
}

// activeGrace is the active time a page-load may count beyond the span of
// its events' times: one heartbeat's interval.
const activeGrace = 15_000

// close folds a finished page-load into its stakeholder's summary.
func (a *Aggregator) close(l *loadState) {
	p := &a.people[l.person]
	a.stats.PageLoads++
	// Active time cannot exceed the time that passed: the beacon stamps
	// each event's time itself, and caps one event's delta, but a page
	// could send many deltas at once. One heartbeat's worth is allowed
	// beyond each stretch's span, for a lost view or a tab come back to.
	segs := l.segs
	if len(segs) == 0 {
		segs = []span{{first: l.first, last: l.last, active: l.active}}
	}
	l.active = 0
	for i := range segs {
		segs[i].active = min(segs[i].active, segs[i].last-segs[i].first+activeGrace)
		l.active += segs[i].active
	}
	if l.flags&lfRetired == 0 && (p.linked == 0 || l.first < p.linked) {
		// A load of the current link, a scanner's too, shows the room
		// was out; one of a link rotated away shows only the old one was.
		p.linked = l.first
	}
	switch a.eng.classify(l) {
	case classScanner:
		a.stats.Scanner++
		p.scanner++
		p.lastScanner = max(p.lastScanner, l.first)
		return
	case classGlance:
		a.stats.Glances++
		p.glances++
		return
	}
	if p.seller {
		a.stats.Previews++
		p.d.previews++
		return
	}
	if l.flags&lfRetired != 0 {
		// Through a link rotated away (replaced, often because it was
		// passed on): whoever holds it, not evidence the person read
		// anything. Counted apart, never as their visit.
		p.oldLinks, _ = addVisits(p.oldLinks, segs, a.eng.VisitGap.Milliseconds())
		return
	}
	a.stats.HumanLoads++
	p.human++
	for i := range segs {
		segs[i].plan = l.flags&lfRoom != 0 // the room's own page, not a document's
	}
	var first int64
	p.spans, first = addVisits(p.spans, segs, a.eng.VisitGap.Milliseconds())
	if p.first == 0 || first < p.first {
		p.first = first
	}
	p.active += l.active
	if l.net != "" && len(p.nets) < maxNets {
		found := false
		for _, n := range p.nets {
			found = found || n == l.net
		}
		if !found {
			p.nets = append(p.nets, l.net)
		}
	}
	readBy(l, p.d.in.Deal.Collateral, func(c int16, active, at int64) {
		if p.opened == nil {
			p.opened = make([]openAgg, len(p.d.in.Deal.Collateral))
		}
		o := &p.opened[c]
		o.reads = append(o.reads, at)
		o.active += active
		o.last = max(o.last, at)
	})
	for _, sg := range segs {
		day := deal.DateOf(time.UnixMilli(sg.first).In(a.loc))
		monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
		if back := monday.DaysUntil(a.weeks[ReportWeeks-1]) / 7; back >= 0 && back < ReportWeeks {
			p.weekly[ReportWeeks-1-back] += sg.active
		}
	}
}

// Report closes every page-load still open and returns the report. Call it
// once, after the last event.
func (a *Aggregator) Report() *Report {
	if !a.done {
		a.sweep(1 << 62) // closes every page-load still open
		a.done = true
		a.addReadStats()
		for i := range a.people {
			if p := &a.people[i]; !p.seller {
				a.stats.Visits += len(p.spans)
			}
		}
	}
	r := &Report{SchemaVersion: ReportSchemaVersion, Title: a.opts.Title, Today: a.opts.Today.String(),
		Timezone: a.loc.String(), FlagDays: a.opts.FlagDays, AlertDays: a.opts.AlertDays, Input: a.stats, Deals: []DealReport{}}
	r.Input.PlansOnly = !a.fed
	if !a.opts.Since.IsZero() {
		r.Since = a.opts.Since.String()
	}
	for _, w := range a.weeks {
		r.Weeks = append(r.Weeks, w.String())
	}
	for _, da := range a.deals {
		if a.opts.Deal != "" && da.in.Deal.ID != a.opts.Deal {
			continue
		}
		r.Deals = append(r.Deals, a.dealReport(da))
	}
	// One deal of the site (-deal) weighs its size against the median of
	// all the site's open deals, as in the whole portfolio's ranking.
	all := make([]DealReport, 0, len(a.deals))
	for _, da := range a.deals {
		all = append(all, DealReport{Outcome: string(cmp.Or(da.in.Deal.Outcome, deal.Open)), Value: da.in.Deal.Value})
	}
	r.Portfolio = portfolio(r.Deals, a.opts.Today, openMedian(all))
	r.Portfolio.PublishedUnknown = a.opts.Manifest == nil
	r.Portfolio.History = portfolioHistory(r.Deals)
	r.HistoryNote = a.opts.HistoryNote
	r.SettingsErrors = a.opts.SettingsErrors
	return r
}

// stamp formats a unix ms instant in the site timezone, RFC 3339.
func (a *Aggregator) stamp(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(a.loc).Format(time.RFC3339)
}

func unixMilli(ms int64, loc *time.Location) time.Time { return time.UnixMilli(ms).In(loc) }
