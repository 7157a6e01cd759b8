package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// This file is the one place where the report decides what its figures
// mean: which page-loads are a person's, what a visit and a read are. Every
// output format, signal and contradiction reads the figures these rules
// produce, and nothing else.
//
// # Definitions
//
// A page-load is one "load" id: one showing of a room or document page in
// one browser tab, with all its events (view, heartbeats, hide, opens and
// downloads). Each page-load is one of:
//
//   - scanner-like: a program, not a person. Its User-Agent matched the
//     crawler list or was empty; or navigator.webdriver was set (which
//     HeadlessChrome and browser automation set); or it followed a link
//     sooner than a person can, under [Engagement.FastestClick] after the
//     page was shown (mail-security scanners such as Safe Links render the
//     page in a real browser with a desktop User-Agent and follow its links
//     within a second); or it followed links to [Engagement.BurstOpens] or
//     more documents within [Engagement.BurstSpan] with less active time
//     than a person's ([Engagement.HumanActive]); or it sent nothing but a
//     view (no heartbeat, no hide, no interaction).
//   - human: otherwise, with at least [Engagement.HumanActive] of active
//     time. The room script counts active time only while the page is
//     visible, focused and the person did something (moved, scrolled,
//     typed) in the last minute, so active time is also visible time.
//     An open or a download is evidence of a click, not of a reader: a
//     page-load with an open and no active time is not human.
//   - a glance: the rest, a page seen too briefly to count. Counted, never
//     a visit or a read.
//
// A visit is one buyer's human page-loads close together in time: page-loads
// (of the room and of its documents, in any tab) whose spans are less than
// [Engagement.VisitGap] apart belong to the same visit, counted once. A
// person who reads the room, follows the link to pricing and reads it makes
// one visit; one who comes back after lunch makes two. Seller-side rooms are
// previews, never visits.
//
// A read of a document is its own human page-load (a Markdown document has
// a page of its own: the person's active time on it is its reading time),
// or, for a document published as a file, a download or open of it from a
// human page-load. A link followed from the room to a document page is not
// a read: the document's page-load is. A document read several times in
// one visit is read once in that visit: [OpenedDoc.Times] counts the visits
// that read it. Nothing a scanner-like page-load or a glance does is a
// visit or a read, so neither can clear "never opened the room", mark a
// document read, or answer "done but never read".

// Engagement holds the thresholds of the definitions above (maproom.toml
// [engagement]). The zero value of a field takes its default (the Report*
// constants).
type Engagement struct {
	// HumanActive is the active time a page-load needs to be a person's.
	// Default ReportHumanActive, 5 s.
	HumanActive time.Duration
	// FastestClick: a page-load that followed a link sooner than this after
	// it was shown is scanner-like. Default ReportFastestClick, 1 s.
	FastestClick time.Duration
	// BurstOpens and BurstSpan: a page-load that opened this many distinct
	// documents within this span, with less than HumanActive of active
	// time, is scanner-like. Default ReportRapidOpens, 3, and
	// ReportRapidSpan, 10 s.
	BurstOpens int
	BurstSpan  time.Duration
	// VisitGap: human page-loads of one person less than this apart are one
	// visit. Default ReportVisitGap, 30 minutes.
	VisitGap time.Duration
}

// Defaults of [Engagement].
const (
	ReportFastestClick = time.Second
	ReportVisitGap     = 30 * time.Minute
)

// WithDefaults returns e with each zero field set to its default.
func (e Engagement) WithDefaults() Engagement {
	if e.HumanActive <= 0 {
		e.HumanActive = ReportHumanActive
	}
	if e.FastestClick <= 0 {
		e.FastestClick = ReportFastestClick
	}
	if e.BurstOpens <= 0 {
		e.BurstOpens = ReportRapidOpens
	}
	if e.BurstSpan <= 0 {
		e.BurstSpan = ReportRapidSpan
	}
	if e.VisitGap <= 0 {
		e.VisitGap = ReportVisitGap
	}
	return e
}

// Page-load classes: see the file comment.
const (
	classHuman = iota
	classScanner
	classGlance
)

// classify says what page-load l is (see the file comment). e has its
// defaults.
func (e *Engagement) classify(l *loadState) int {
	human := l.active >= e.HumanActive.Milliseconds()
	switch {
	case l.flags&(lfBot|lfWebdriver) != 0:
		return classScanner
	case l.flags&lfOpen != 0 && l.openFirst-l.first < e.FastestClick.Milliseconds():
		return classScanner
	case len(l.opened) >= e.BurstOpens && l.openLast-l.openFirst <= e.BurstSpan.Milliseconds() && !human:
		return classScanner
	case l.flags&^(lfRetired|lfRoom) == lfView:
		return classScanner
	case human:
		return classHuman
	}
	return classGlance
}

// span is one visit of a person: the first event of its first human
// page-load to the last event of its last, unix ms.
type span struct {
	first, last int64
	active      int64 // ms of activity its page-loads reported, summed
	plan        bool  // a page-load of the room's own page (the plan) is among them
}

// addSpan adds the span of a human page-load to the person's visits, kept
// sorted and merged: page-loads less than gap ms apart join one visit,
// whatever the order they are added in.
func addSpan(spans []span, s span, gap int64) []span {
	i, _ := slices.BinarySearchFunc(spans, s.first, func(v span, t int64) int {
		switch {
		case v.first < t:
			return -1
		case v.first > t:
			return 1
		}
		return 0
	})
	spans = slices.Insert(spans, i, s)
	// merge with the visits before and after while they are close
	for i > 0 && spans[i].first-spans[i-1].last < gap {
		spans[i-1] = merged(spans[i-1], spans[i])
		spans = slices.Delete(spans, i, i+1)
		i--
	}
	for i+1 < len(spans) && spans[i+1].first-spans[i].last < gap {
		spans[i] = merged(spans[i], spans[i+1])
		spans = slices.Delete(spans, i+1, i+2)
	}
	return spans
}

func merged(a, b span) span {
	return span{first: min(a.first, b.first), last: max(a.last, b.last), active: a.active + b.active, plan: a.plan || b.plan}
}

// visitOf returns the index of the visit holding instant at, -1 if none.
func visitOf(spans []span, at int64) int {
	for i, s := range spans {
		if at >= s.first && at <= s.last {
			return i
		}
	}
	return -1
}

// readBy says which documents human page-load l reads: its own page when it
// is a document's, and the documents published as files that it followed
// links to (see the file comment).
func readBy(l *loadState, coll []deal.Collateral, read func(c int16, active, at int64)) {
	if l.page >= 0 {
		read(l.page, l.active, l.first)
	}
	for _, c := range l.opened {
		if c != l.page && !coll[c].IsPage() {
			// A file opened from the page: read when it was opened, which
			// may be long after the page-load began (a tab come back to).
			read(c, 0, cmp.Or(l.openFirst, l.first))
		}
	}
}
