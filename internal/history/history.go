// Package history reads the story of each deal's plan from the site's git
// repository: every commit that changed content/<deal>/index.md, parsed
// into field changes (a due date moved, a status changed, a task added or
// removed, the close date moved), who made each (the commit author matched
// by email to a stakeholder of the plan, so a buyer's commit or an accepted
// reply counts as the buyer's), and how much of the plan was done after each.
//
// It uses go-git (no git binary). A site outside git has no history: Read
// says so in History.Note and returns no error. Reading is incremental: with
// a cache file (Options.Cache, kept under .maproom/), only commits the cache
// does not hold are read; a cache that cannot be read is rebuilt, never
// trusted. Deal folders renamed in git keep their history under their
// current name.
//
// The package imports only the domain: the caller passes the generator's
// plan decoder (Options.Decode), used for every version the package's own
// fast reader of the common plan layout does not read.
package history

import (
	"bytes"
	"cmp"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/maproom/maproom/internal/deal"
)

// Kind is what a Change did.
type Kind string

// The kinds of change, as the report, the rooms and the review name them.
const (
	TaskAdded      Kind = "task-added"
	TaskRemoved    Kind = "task-removed"
	TaskDue        Kind = "task-due"      // a task's due date changed
	TaskStatus     Kind = "task-status"   // a task's status changed
	MilestoneDue   Kind = "milestone-due" // a milestone's due date changed
	MilestoneAdded Kind = "milestone-added"
	CloseMoved     Kind = "close"        // the deal's close date changed
	DocAdded       Kind = "doc-added"    // a collateral entry appeared
	PlanCreated    Kind = "plan-created" // the first version of the plan
	TaskOwner      Kind = "task-owner"   // a task changed hands: From and To are owner ids
	OutcomeSet     Kind = "outcome"      // the deal was won, lost or opened again: From and To are outcomes
	// A task's or a milestone's title changed, its id the same (spaces
	// aside): From and To are the titles, Title the new one.
	TaskRetitled      Kind = "task-retitled"
	MilestoneRetitled Kind = "milestone-retitled"
	// PlanEdited is a version that changed none of the fields above but
	// ids, if any (its wording, evidence, criteria, people, welcome note,
	// or a step's id alone): one change, so that the commit and its author
	// count, a buyer's edit too.
	PlanEdited Kind = "plan-edited"

	// A task's or a milestone's id changed, its title the same: Item is
	// the new id, From the old one. A story never holds one: the story's
	// changes of the item are told under its latest id, so its slips
	// still add up.
	taskRenamed      Kind = "task-renamed"
	milestoneRenamed Kind = "milestone-renamed"
)

// Change is one field change of one commit. For a date change From and To
// are YYYY-MM-DD ("" for none) and Days is To minus From in calendar days
// (positive: later); for a status change they are statuses.
type Change struct {
	Commit    string // hex
	When      time.Time
	Kind      Kind
	Item      string // task, milestone or document id; "" for the close date and the plan
	Milestone string // the milestone holding a task
	Title     string // the item's title in that version
	From, To  string
	Days      int
	Close     deal.Date // the plan's close date in that version
	Author    Author
	Reply     string // the Maproom-Reply trailer: the change applied a buyer's reply
	Merge     bool   // made by a merge commit's own resolution
	// Landed is when the change came into the plan, when later than When:
	// a branch's change when its merge was committed, a main-line change
	// rebased, cherry-picked or amended later when it was committed; zero
	// otherwise.
	Landed time.Time
}

// InPlan is when the change was in the main line's plan: when it was
// made, or when its branch was merged.
func (c Change) InPlan() time.Time {
	if c.Landed.After(c.When) {
		return c.Landed
	}
	return c.When
}

// Slipped reports whether the change moved a date later.
func (c Change) Slipped() bool {
	return (c.Kind == TaskDue || c.Kind == MilestoneDue || c.Kind == CloseMoved) && c.From != "" && c.To != "" && c.Days > 0
}

// PastClose reports whether the change moved a task's or a milestone's
// date past the plan's close date (an onboarding milestone excepted: the
// caller knows which those are and filters them out).
func (c Change) PastClose() bool {
	if c.Kind != TaskDue && c.Kind != MilestoneDue || c.Close.IsZero() || c.To == "" {
		return false
	}
	to, err := deal.ParseDate(c.To)
	return err == nil && to.After(c.Close) && (c.From == "" || !mustDate(c.From).After(c.Close))
}

func mustDate(s string) deal.Date { d, _ := deal.ParseDate(s); return d }

// later returns the later of two dates.
func later(a, b deal.Date) deal.Date {
	if a.After(b) {
		return a
	}
	return b
}

// Author is who made a commit: Stakeholder and Side are set when the
// commit's author email is a stakeholder's in the plan (the version the
// commit wrote, else the current plan).
type Author struct {
	Name, Email string
	Stakeholder string
	Side        deal.Side
	// Preview: the change applied a reply sent from the local preview,
	// the seller's click in the person's room: named as theirs (the reply
	// was in their room), it is no edit of theirs (LastBy, the report's
	// buyer edits).
	Preview bool
}

// NameIn names the author as deal d does: the stakeholder's name when
// their email matched one of d's people, else the commit's author name
// (a laptop's "bboss (MacBook-Pro)" is not how the plan names Ben Boss).
func (a Author) NameIn(d *deal.Deal) string {
	if d != nil && a.Stakeholder != "" {
		if s, ok := d.Stakeholder(a.Stakeholder); ok {
			return s.Name
		}
	}
	return a.Name
}

// Point is the plan's progress after a commit.
type Point struct {
	When        time.Time
	Done, Total int
	// ahead are done dates of tasks the version counts in Done that fall
	// after When's day, or about it: ProgressOn leaves out those after
	// the day it is asked about.
	ahead []deal.Date
}

// Story is one deal's history, oldest first.
type Story struct {
	Deal    string
	Former  []string // folder names the deal had before, oldest first
	Commits int      // commits that changed the plan
	// First is when the plan was first committed; in a shallow clone
	// (Shallow), when the clone's history starts, for a plan older than it.
	First time.Time
	// Shallow: the history read is a shallow clone's (History.Shallow),
	// and First is one of its first commits, whose parents it lacks: the
	// plan may be older.
	Shallow bool
	Last    time.Time
	// Reused is when the deal's folder name was last another deal's, one
	// removed on the main line then and not this one put back (another
	// buyer's, or other people's: see Read): the links sent under that
	// name, for the ids both deals have, open this deal's rooms. Zero when
	// the name was no other deal's.
	Reused time.Time
	// Written is when the plan was last written on the main line (HEAD's
	// first parents): the latest version a past day's plan could differ
	// from the current one by, a merge taking in a branch's edits
	// included.
	Written time.Time
	Changes []Change
	// Points are the share done after each version of the main line: a
	// branch's versions were never the plan until merged.
	Points []Point
	// Unreadable counts versions that could not be decoded (their changes
	// count with the next readable version).
	Unreadable int

	// formerAt is when the deal's folder left each name of Former: when
	// the rename came into the plan (Change.InPlan's rule).
	formerAt []time.Time
	// reviews are the main line's changes of the weekly review day (""
	// for none), oldest first: the last is the plan's (see ReviewSince).
	reviews []reviewAt
	// buyersSince is when a main-line version first named someone on the
	// buyer's side: before, nobody there could edit the plan.
	buyersSince time.Time
	// gone are the spans the deal's folder was removed on the main line,
	// each from its removal to when it was put back (zero: not put back).
	gone []span

	// renamed maps the ids tasks and milestones had before a rename (the
	// same title, another id) to the ids they have now: "task:" or
	// "milestone:" and the old id.
	renamed map[string]string
	// head is the plan's blob as the main line's last version holds it.
	head plumbing.Hash
	// reverts maps each commit of the story made by git revert to the
	// commit it reverts (hex).
	reverts map[string]string
}

// ReviewSince returns when the plan's weekly review day became the one it
// has now, on the main line: the first version with that day, after one
// with another day or none. Zero when the plan never had one.
func (s *Story) ReviewSince() time.Time {
	if s == nil {
		return time.Time{}
	}
	_, since := s.review()
	return since
}

// reviewAt is the weekly review day a version of the main line gave the
// plan, from when.
type reviewAt struct {
	when time.Time
	day  string
}

// review returns the review day of the story's last version and since
// when it has had it; "" for none (or a story read before it was kept).
func (s *Story) review() (day string, since time.Time) {
	if s == nil {
		return "", time.Time{}
	}
	if n := len(s.reviews); n > 0 {
		return s.reviews[n-1].day, s.reviews[n-1].when
	}
	return "", time.Time{}
}

// formerReview returns the last review day the story's main line gave
// the plan (none for a story whose plan never had one), since when, and
// when it was taken out (zero: not in a commit, only on disk).
func (s *Story) formerReview() (day time.Weekday, since, out time.Time, ok bool) {
	if s == nil {
		return 0, time.Time{}, time.Time{}, false
	}
	for i := len(s.reviews) - 1; i >= 0; i-- {
		r := s.reviews[i]
		if r.day == "" {
			out = r.when
			continue
		}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if strings.ToLower(wd.String()) == r.day {
				return wd, r.when, out, true
			}
		}
		return 0, time.Time{}, time.Time{}, false
	}
	return 0, time.Time{}, time.Time{}, false
}

// span is a stretch of time, From up to To (zero: open).
type span struct{ From, To time.Time }

// GoneAt reports whether the deal's folder was removed at t (on the main
// line, and not put back by then): on that day it was among no plans.
func (s *Story) GoneAt(t time.Time) bool {
	for _, g := range s.gone {
		if !t.Before(g.From) && (g.To.IsZero() || t.Before(g.To)) {
			return true
		}
	}
	return false
}

// undone returns the changes of the story that a git revert undid: each
// change of a reverted commit that its revert put back exactly (the same
// item, from the value it set to the value it had), and that change of the
// revert, both among the changes. A revert's other edits stand, and so does
// what it reverted when the revert is reverted in turn.
func (s *Story) undone() map[changeKey]bool { return s.undoneIn(s.Changes) }

// undoneIn is undone among changes, some of the story's: a change whose
// revert (or whose reverted change) is not among them stands.
func (s *Story) undoneIn(changes []Change) map[changeKey]bool {
	if len(s.reverts) == 0 {
		return nil
	}
	byCommit := map[string][]Change{}
	for _, c := range changes {
		byCommit[c.Commit] = append(byCommit[c.Commit], c)
	}
	revertedBy := map[string]bool{}
	for r, o := range s.reverts {
		if byCommit[r] != nil {
			revertedBy[o] = true
		}
	}
	out := map[changeKey]bool{}
	for r, o := range s.reverts {
		if revertedBy[r] {
			continue
		}
		for _, c := range byCommit[o] {
			for _, u := range byCommit[r] {
				if u.Kind == c.Kind && u.Item == c.Item && u.From == c.To && u.To == c.From {
					out[changeKeyOf(c)], out[changeKeyOf(u)] = true, true
				}
			}
		}
	}
	return out
}

// UndoneWithin returns whether a change among changes (some of the
// story's: a week's, say) was undone by a git revert also among them: the
// change the revert put back, and that change of the revert. Both moved
// nothing in those days; a move before them reverted within them, or one
// within them reverted after, stands.
func (s *Story) UndoneWithin(changes []Change) func(Change) bool {
	if s == nil {
		return func(Change) bool { return false }
	}
	u := s.undoneIn(changes)
	return func(c Change) bool { return u[changeKeyOf(c)] }
}

// changeKey names a change: its commit, kind and item.
type changeKey struct {
	commit string
	kind   Kind
	item   string
}

func changeKeyOf(c Change) changeKey { return changeKey{c.Commit, c.Kind, c.Item} }

// Committed reports whether text is the plan as the history's last
// version on the main line holds it, byte for byte (its git blob): false
// for a plan edited on disk and not committed yet, whose changes the
// history does not hold. A nil story holds no version.
func (s *Story) Committed(text []byte) bool {
	if s == nil || s.head.IsZero() {
		return false
	}
	if plumbing.ComputeHash(plumbing.BlobObject, text) == s.head {
		return true
	}
	// A checkout with core.autocrlf writes the blob's line ends as CRLF:
	// the same text, committed.
	return bytes.Contains(text, []byte("\r\n")) && plumbing.ComputeHash(plumbing.BlobObject, bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))) == s.head
}

// Renamed returns the id a task (milestone false) or a milestone had
// renamed to, by the plan's history, following every later rename: what
// a reply sent before the rename is about now. ok is false when id was
// never renamed.
func (s *Story) Renamed(id string, milestone bool) (now string, ok bool) {
	if s == nil {
		return "", false
	}
	key := "task:" + id
	if milestone {
		key = "milestone:" + id
	}
	now, ok = s.renamed[key]
	return now, ok
}

// Slip is one item's due-date history. A slip is a move later than the
// latest date the item had had: a date pulled in and put back did not
// slip, nor did one moved later within the days it was pulled in by, and a
// slip counts only its days past that latest date. Moves counts the slips
// and MoveDays gives each one's days; Days adds them, so it is how far the
// item's latest date went past its first. Net is the last date against
// the first one (0 when it has no date now).
type Slip struct {
	Kind      Kind // TaskDue, MilestoneDue or CloseMoved
	Item      string
	Title     string
	Milestone string
	Moves     int
	Days      int
	MoveDays  []int
	MoveIn    []string // the commit of each slip, as MoveDays
	MoveMs    []string // a task's milestone at each slip, as MoveDays
	Net       int
	First     string
	Now       string
	Last      time.Time // when it last slipped
}

// Slips lists the items whose date moved later at least once, the most
// moves first (then the most days, then the id). A move git revert undid,
// and the revert's move back, move no date: a slip made by mistake and
// reverted is none, and the dates after it slip from where they were. A
// date moved while the deal was lost, or in the commit that opens it
// again, is the new plan of a deal taken up again, not a slip of the one
// it ran: it is where the dates slip from afterwards. A date taken out
// and put back later slips from the latest date the item had.
func (s *Story) Slips() []Slip {
	idx := map[string]int{}
	var out []Slip
	var peak []deal.Date // by out's index: the latest date the item has had
	undone := s.undone()
	// The outcome each commit found: a commit made while the deal was lost
	// (the one that opens it again included) moves no date as a slip.
	whileLost := map[string]bool{}
	outcome, last := "", "\x00"
	for _, c := range s.Changes {
		if c.Commit != last {
			last = c.Commit
			if _, seen := whileLost[c.Commit]; !seen {
				whileLost[c.Commit] = outcome == string(deal.Lost)
			}
		}
		if c.Kind == OutcomeSet {
			outcome = c.To
		}
	}
	for _, c := range s.Changes {
		if c.Kind != TaskDue && c.Kind != MilestoneDue && c.Kind != CloseMoved || undone[changeKeyOf(c)] {
			continue
		}
		key := string(c.Kind) + "\x00" + c.Item
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, Slip{Kind: c.Kind, Item: c.Item, Title: c.Title, Milestone: c.Milestone, First: c.From})
			peak = append(peak, deal.Date{})
		}
		sl := &out[i]
		sl.Title, sl.Now = c.Title, c.To
		from, to := mustDate(c.From), mustDate(c.To)
		peak[i] = later(peak[i], from)
		// A move later than the latest date the item had: a date taken
		// out and put back later slips from the one it had before.
		if c.To != "" && !peak[i].IsZero() && to.After(peak[i]) && !(c.Commit != "" && whileLost[c.Commit]) {
			days := peak[i].DaysUntil(to)
			sl.Moves++
			sl.Days += days
			sl.MoveDays = append(sl.MoveDays, days)
			sl.MoveIn, sl.MoveMs = append(sl.MoveIn, c.Commit), append(sl.MoveMs, c.Milestone)
			sl.Last = c.When
		}
		peak[i] = later(peak[i], to)
		sl.Net = 0 // no date now (taken out), or none first: no net move
		if sl.First != "" && sl.Now != "" {
			sl.Net = mustDate(sl.First).DaysUntil(mustDate(sl.Now))
		}
	}
	out = slices.DeleteFunc(out, func(sl Slip) bool { return sl.Moves == 0 })
	slices.SortStableFunc(out, func(a, b Slip) int {
		return cmp.Or(cmp.Compare(b.Moves, a.Moves), cmp.Compare(b.Days, a.Days), cmp.Compare(a.Item, b.Item))
	})
	return out
}

// Until returns the story as it stood at t: the changes and points in the
// plan before t (a commit's author time; a branch's change once it was
// merged, a rebased one once it was committed),
// and the commits, first and last among them. A report for a past day
// reads its history up to the end of that day. It returns s itself when
// nothing is later; else a copy.
func (s *Story) Until(t time.Time) *Story {
	before := func(w time.Time) bool { return w.Before(t) }
	nc := len(s.Changes)
	for nc > 0 && !before(s.Changes[nc-1].InPlan()) {
		nc--
	}
	// A change made on a branch before t, merged after it, was not in the
	// plan yet.
	changes := s.Changes[:nc:nc]
	if slices.ContainsFunc(changes, func(c Change) bool { return !before(c.InPlan()) }) {
		changes = slices.DeleteFunc(slices.Clone(changes), func(c Change) bool { return !before(c.InPlan()) })
	}
	np := len(s.Points)
	for np > 0 && !before(s.Points[np-1].When) {
		np--
	}
	nf := len(s.Former)
	for nf > 0 && nf <= len(s.formerAt) && !before(s.formerAt[nf-1]) {
		nf--
	}
	// Changes are in the order they came into the plan, points in time
	// order (tell sorts them).
	if len(changes) == len(s.Changes) && np == len(s.Points) && nf == len(s.Former) {
		return s
	}
	c := *s
	c.Changes, c.Points = changes, s.Points[:np:np]
	nr := len(s.reviews)
	for nr > 0 && !before(s.reviews[nr-1].when) {
		nr--
	}
	c.reviews = s.reviews[:nr:nr]
	c.Former, c.formerAt = s.Former[:nf:nf], s.formerAt[:min(nf, len(s.formerAt)):min(nf, len(s.formerAt))]
	c.Commits, c.First, c.Last = 0, time.Time{}, time.Time{}
	type commit struct {
		hex  string
		when int64
	}
	seen := map[commit]bool{}
	for _, ch := range c.Changes {
		if k := (commit{ch.Commit, ch.When.UnixNano()}); !seen[k] {
			seen[k] = true
			c.Commits++
		}
		if c.First.IsZero() || ch.When.Before(c.First) {
			c.First = ch.When
		}
		if ch.When.After(c.Last) {
			c.Last = ch.When
		}
	}
	return &c
}

// EndedOn returns the day (in loc) the plan's main line last marked the
// deal with outcome o (its branch's merge, for a change made on one), and
// ok false when the story never did.
func (s *Story) EndedOn(o deal.Outcome, loc *time.Location) (deal.Date, bool) {
	if s == nil {
		return deal.Date{}, false
	}
	for i := len(s.Changes) - 1; i >= 0; i-- {
		if c := s.Changes[i]; c.Kind == OutcomeSet && c.To == string(o) {
			return DayOf(c.InPlan(), loc), true
		}
	}
	return deal.Date{}, false
}

// TaskDoneOn reports whether task id was done at the end of day (in loc),
// by the plan's history: its status after the last status change of it
// landed by then, or before the first that landed later (a task added
// later was not done). known is false when neither tells (no status
// change of it, or only its addition by then): its status in the plan as
// it is stands. Whether it was in the plan that day is TaskInPlanOn's.
func (s *Story) TaskDoneOn(id string, day deal.Date, loc *time.Location) (done, known bool) {
	if s == nil {
		return false, false
	}
	var before, after *Change
	for i := range s.Changes {
		c := &s.Changes[i]
		if c.Item != id || c.Kind != TaskStatus && c.Kind != TaskAdded {
			continue
		}
		if DayOf(c.InPlan(), loc).After(day) {
			if after == nil || c.InPlan().Before(after.InPlan()) {
				after = c
			}
		} else if before == nil || !c.InPlan().Before(before.InPlan()) {
			before = c
		}
	}
	switch {
	case before != nil && before.Kind == TaskStatus:
		return before.To == string(deal.Done), true
	case after != nil && after.Kind == TaskStatus:
		return after.From == string(deal.Done), true // its status until then
	case after != nil && before == nil: // added later
		return false, true
	}
	return false, false
}

// TaskInPlanOn reports whether task id was in the plan at the end of day
// (in loc), by the plan's history: added or removed by the last of those
// changes landed by then; with none by then, there from the first version
// unless its first change after is its addition.
func (s *Story) TaskInPlanOn(id string, day deal.Date, loc *time.Location) bool {
	if s == nil {
		return true
	}
	var before, after *Change
	for i := range s.Changes {
		c := &s.Changes[i]
		if c.Item != id || !isTaskKind(c.Kind) {
			continue
		}
		if DayOf(c.InPlan(), loc).After(day) {
			if after == nil || c.InPlan().Before(after.InPlan()) {
				after = c
			}
		} else if (c.Kind == TaskAdded || c.Kind == TaskRemoved) && (before == nil || !c.InPlan().Before(before.InPlan())) {
			before = c
		}
	}
	if before != nil {
		return before.Kind == TaskAdded
	}
	return after == nil || after.Kind != TaskAdded
}

// isTaskKind reports whether changes of kind k are about a task (their
// Item a task's id).
func isTaskKind(k Kind) bool {
	switch k {
	case TaskAdded, TaskRemoved, TaskDue, TaskStatus, TaskOwner, TaskRetitled:
		return true
	}
	return false
}

// ReopenedOn returns the day (in loc) the plan last opened the deal again
// after it was won or lost, and ok false when it never did: the weeks it
// was closed held no work and no review.
func (s *Story) ReopenedOn(loc *time.Location) (deal.Date, bool) {
	if s == nil {
		return deal.Date{}, false
	}
	ended := func(o string) bool { return o == string(deal.Won) || o == string(deal.Lost) }
	for i := len(s.Changes) - 1; i >= 0; i-- {
		if c := s.Changes[i]; c.Kind == OutcomeSet && ended(c.From) && !ended(c.To) {
			return DayOf(c.InPlan(), loc), true
		}
	}
	return deal.Date{}, false
}

// LastBy returns the latest change made by side, if any: a change
// applying a reply sent from the local preview (Author.Preview) is
// nobody's edit.
func (s *Story) LastBy(side deal.Side) (Change, bool) {
	for i := len(s.Changes) - 1; i >= 0; i-- {
		if a := s.Changes[i].Author; a.Side == side && !a.Preview {
			return s.Changes[i], true
		}
	}
	return Change{}, false
}

// ProgressOn returns the plan's progress at the end of day (in loc): the
// last point on or before it. ok is false before the first commit.
func (s *Story) ProgressOn(day deal.Date, loc *time.Location) (p Point, ok bool) {
	end := time.Date(day.Time().Year(), day.Time().Month(), day.Time().Day()+1, 0, 0, 0, 0, cmp.Or(loc, time.UTC))
	return s.progressBefore(end, day)
}

// ProgressAt returns the plan's progress at t: the last point before it
// (a task recorded done ahead of its date counts from that day, in loc).
// ok is false before the first commit.
func (s *Story) ProgressAt(t time.Time, loc *time.Location) (p Point, ok bool) {
	return s.progressBefore(t, DayOf(t, loc))
}

// progressBefore is the last point before end, less the tasks recorded
// done ahead of a date after day.
func (s *Story) progressBefore(end time.Time, day deal.Date) (p Point, ok bool) {
	// Points are in time order: the last before end.
	if i := sort.Search(len(s.Points), func(i int) bool { return !s.Points[i].When.Before(end) }); i > 0 {
		p, ok = s.Points[i-1], true
	}
	for _, d := range p.ahead {
		if d.After(day) {
			p.Done-- // recorded done ahead of its date: not done yet on day
		}
	}
	p.ahead = nil
	return p, ok
}

// LastDone returns the day (in loc) the count of done tasks last rose to
// what it is today, or the history's first day when it never did: the
// plan's last progress that stands. It counts as ProgressOn counts: a task
// recorded done ahead of its done: date is done from that date, not from
// its commit. A count that fell (a step reopened) undoes the rises it
// falls below: a step ticked done and unticked the next day, or done and
// reopened, was no progress, and the plan has stood still since the count
// first reached the level it is back at. A fall with no step set back from
// done (done steps taken out of the plan) undoes nothing: the last
// progress stands. A step
// reopened and done again is progress (the count rose again), as any step
// done is. ok is false when the history has no point on or before today.
func (s *Story) LastDone(today deal.Date, loc *time.Location) (deal.Date, bool) {
	days := s.countDays(today, loc)
	// reached[k]: the day the count last rose to k or more, having stayed
	// at k or more since.
	var reached []deal.Date
	var prevDay deal.Date
	for _, d := range days {
		p, ok := s.ProgressOn(d, loc)
		if !ok {
			continue
		}
		n := max(p.Done, 0)
		for len(reached) <= n {
			reached = append(reached, d)
		}
		if n+1 < len(reached) {
			top := reached[len(reached)-1]
			reached = reached[:n+1]
			if !s.reopenedIn(prevDay, d, loc) && top.After(reached[n]) {
				// No step set back from done: done steps taken out of
				// the plan, a clean-up, which undoes no progress: the
				// last stands.
				reached[n] = top
			}
		}
		prevDay = d
	}
	if len(reached) == 0 {
		return deal.Date{}, false
	}
	return reached[len(reached)-1], true
}

// reopenedIn reports whether a step's status was set back from done on a
// day after from, up to to (in loc).
func (s *Story) reopenedIn(from, to deal.Date, loc *time.Location) bool {
	return slices.ContainsFunc(s.Changes, func(c Change) bool {
		day := DayOf(c.InPlan(), loc)
		return c.Kind == TaskStatus && c.From == string(deal.Done) && c.To != string(deal.Done) && day.After(from) && !day.After(to)
	})
}

// countDays returns the days (in loc), up to today, the count of done
// tasks can change on: a commit's day, or a done date recorded ahead of
// its commit; in order, each once.
func (s *Story) countDays(today deal.Date, loc *time.Location) []deal.Date {
	var days []deal.Date
	for _, pt := range s.Points {
		days = append(days, DayOf(pt.When, loc))
		days = append(days, pt.ahead...)
	}
	days = slices.DeleteFunc(days, func(d deal.Date) bool { return d.After(today) })
	slices.SortFunc(days, func(a, b deal.Date) int { return a.Time().Compare(b.Time()) })
	return slices.Compact(days)
}

// peakAfter returns the most tasks the plan counted done (as ProgressOn
// counts) on a day after since, up to today (in loc): more than it counts
// now when steps were done since and undone again.
func (s *Story) peakAfter(since, today deal.Date, loc *time.Location) int {
	peak := 0
	for _, d := range s.countDays(today, loc) {
		if p, ok := s.ProgressOn(d, loc); ok && d.After(since) {
			peak = max(peak, p.Done)
		}
	}
	return peak
}

// FormerAt returns when the deal's folder left the name Former[i]: when
// the commit that renamed it came into the plan (committed, for a rebased
// one; merged, for a branch's); ok false for no such name.
func (s *Story) FormerAt(i int) (time.Time, bool) {
	if i < 0 || i >= len(s.formerAt) {
		return time.Time{}, false
	}
	return s.formerAt[i], true
}

// NamedAt returns the deal (by its current id) whose folder was named id
// at t, when the folder left that name after t: of the deals whose Former
// holds id, the one that left it first after t. ok is false when none did
// (the name at t is the one it has now, if a folder has it). Two folders
// that swapped names, and a name taken again by a new deal, each keep
// what was theirs. Git keeps a commit's time in whole seconds: a t in the
// second of the rename (a reply sent from the room as the rename was
// committed) is before it.
func (h *History) NamedAt(id string, t time.Time) (cur string, ok bool) {
	var at time.Time
	t = t.Truncate(time.Second)
	for d, st := range h.Deals {
		for i, f := range st.Former {
			if f != id || i >= len(st.formerAt) || st.formerAt[i].Before(t) {
				continue
			}
			if !ok || st.formerAt[i].Before(at) || st.formerAt[i].Equal(at) && d < cur {
				cur, at, ok = d, st.formerAt[i], true
			}
		}
	}
	return cur, ok
}

// History is the plan history of a site.
type History struct {
	// InGit is false when the site is not in a git repository (or the
	// repository has no commit yet); Note then says so in a sentence. In
	// git, Note says when the history read is not all of it (a shallow
	// clone).
	InGit bool
	Note  string
	// Unborn is true in a repository with no commit yet (InGit false).
	Unborn bool
	// Shallow is true when the repository is a shallow clone: the history
	// starts at its first commit there, and a deal first seen then may be
	// older.
	Shallow bool
	Head    string // the commit read, hex
	Deals   map[string]*Story
	Stats   Stats
}

// Story returns the story of deal id, or nil when git holds none.
func (h *History) Story(id string) *Story {
	if h == nil {
		return nil
	}
	return h.Deals[id]
}

// Stats says what a Read did.
type Stats struct {
	Commits  int // commits reachable from HEAD
	Read     int // commits read from git (not from the cache)
	Versions int // plan versions decoded
	Slow     int // of which by the full decoder
	Packed   int // objects read straight from the repository's pack files
	Built    int // of which content trees built on the parent's, in a buffer reused
	Cache    string
}

// Decoder decodes one version of a deal's index.md; id is the deal's
// folder name. The generator's DecodePlan is one.
type Decoder func(id string, src []byte) (*deal.Deal, error)

// Options configures Read.
type Options struct {
	Root    string  // the site root, in the repository's work tree or below it
	Content string  // the content folder under Root; default "content"
	Decode  Decoder // required
	// Cache is the cache file (e.g. .maproom/history.cache); "" reads
	// every commit each time.
	Cache string
	// People matches authors the commit's own version does not know: the
	// current plan of each deal (by id), whose stakeholders' emails count
	// too. Optional.
	People map[string][]Person
	Log    *slog.Logger
}
