package history

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// Thresholds are the settings of the history's signals (maproom.toml
// [history]). The zero value of a field takes its default.
type Thresholds struct {
	// BuyerEditDays: a plan this many days old with no buyer-side edit in
	// its history is signalled (default 14).
	BuyerEditDays int
	// FlatDays: completion unchanged this many days is signalled (21).
	FlatDays int
	// Slips: a milestone whose date moved later this many times is (2).
	Slips int
	// MissedReviews: this many weekly reviews in a row without a note
	// (reviews/YYYY-MM-DD.md) is signalled (3).
	MissedReviews int
	// LateAddDays: a step or milestone added this many days or fewer
	// before the close date is signalled ("oh, we also need X", late: the
	// plan's template missed it) (30).
	LateAddDays int
}

// DefaultThresholds are domain.md's: three weeks flat, three reviews
// skipped, a milestone slipped twice.
var DefaultThresholds = Thresholds{BuyerEditDays: 14, FlatDays: 21, Slips: 2, MissedReviews: 3, LateAddDays: 30}

// WithDefaults fills the zero fields.
func (th Thresholds) WithDefaults() Thresholds {
	th.BuyerEditDays = cmp.Or(th.BuyerEditDays, DefaultThresholds.BuyerEditDays)
	th.FlatDays = cmp.Or(th.FlatDays, DefaultThresholds.FlatDays)
	th.Slips = cmp.Or(th.Slips, DefaultThresholds.Slips)
	th.MissedReviews = cmp.Or(th.MissedReviews, DefaultThresholds.MissedReviews)
	th.LateAddDays = cmp.Or(th.LateAddDays, DefaultThresholds.LateAddDays)
	return th
}

// The signals' names, as the report's JSON and CSV give them.
const (
	SignalNoBuyerEdit   = "no-buyer-edit"
	SignalFlat          = "completion-flat"
	SignalSlipped       = "milestone-slipped"
	SignalPastClose     = "moved-past-close"
	SignalMissedReviews = "reviews-missed"
	SignalAddedLate     = "added-late"
)

// IsSignal reports whether name is one of the signals above: a reader
// that says the history's signals itself (the weekly review) leaves them
// out of the report's.
func IsSignal(name string) bool {
	switch name {
	case SignalNoBuyerEdit, SignalFlat, SignalSlipped, SignalPastClose, SignalMissedReviews, SignalAddedLate:
		return true
	}
	return false
}

// settleDays is how long a plan is being written after its first commit:
// steps added in its first week are its making, not late news.
const settleDays = 7

// Signal is a warning sign read from the plan's history, with its evidence
// in a sentence.
type Signal struct {
	Name     string
	Evidence string
}

// Input is what Signals reads. Story is nil when the site is not in git;
// Reviews are the days of the deal's review notes.
type Input struct {
	Deal    *deal.Deal
	Story   *Story
	Reviews []deal.Date
	Today   deal.Date
	Loc     *time.Location
	Th      Thresholds
	// Published is the day the deal's first room was published (zero when
	// not known): since when a plan with no history and no done: date has
	// been flat.
	Published deal.Date
	// DueOf is a task's date as the schedule plans it (schedule.Plan's
	// DueOf: its own, or the latest finish computed for a step dated by
	// its duration); nil takes its own date, else its milestone's.
	DueOf func(*deal.Task) deal.Date
	// Holiday reports whether a day is a holiday of the site's calendar
	// (maproom.toml holidays): a weekly review falling on one is not
	// held, and not missed either. nil: none is.
	Holiday func(deal.Date) bool
}

// DayOf returns the calendar day of t in loc (nil: UTC).
func DayOf(t time.Time, loc *time.Location) deal.Date {
	return deal.DateOf(t.In(cmp.Or(loc, time.UTC)))
}

// Signals returns the history's warning signals of an open deal, in a
// fixed order. An ended deal has none, but for a won deal's weekly reviews
// missed while its onboarding lasts.
func Signals(in Input) []Signal {
	d, st := in.Deal, in.Story
	th := in.Th.WithDefaults()
	if d.Ended() {
		// A won deal's weekly review goes on while onboarding is left;
		// the sale's signals are over.
		if n, last, dropped := missedReviews(in); n >= th.MissedReviews {
			return []Signal{missedSignal(n, last, dropped)}
		}
		return nil
	}
	var out []Signal
	// No buyer-side edit is a plan's signal: of a plan with steps and
	// someone on the buyer's side to edit it (a plan naming nobody there
	// has its own signal).
	hasBuyer := slices.ContainsFunc(d.Stakeholders, func(s deal.Stakeholder) bool { return s.Side == deal.Buyer })
	if st != nil && st.Commits > 0 && hasBuyer && len(d.Tasks()) > 0 {
		if _, ok := st.LastBy(deal.Buyer); !ok {
			// From when the plan first named someone on the buyer's side:
			// a seller's draft before it had nobody there to edit it.
			from, since := DayOf(st.First, in.Loc), ""
			if b := DayOf(st.buyersSince, in.Loc); !st.buyersSince.IsZero() && b.After(from) {
				from, since = b, ", when the plan first named someone on the buyer's side"
			}
			if age := from.DaysUntil(in.Today); age >= th.BuyerEditDays {
				ev := fmt.Sprintf("no buyer-side edit in %s of history since %s", count(st.Commits, "commit", "commits"), from)
				if since != "" {
					ev = fmt.Sprintf("no buyer-side edit since %s%s", from, since)
				}
				// An author the plan does not name may be a buyer
				// writing from another address: not the seller's for sure,
				// unless they write from the seller's own domain (a
				// colleague the plan does not list).
				ours := map[string]bool{}
				for _, p := range d.Stakeholders {
					if _, dom, ok := strings.Cut(p.Email, "@"); ok && p.Side == deal.Seller {
						ours[strings.ToLower(strings.TrimSpace(dom))] = true
					}
				}
				var strangers []string
				for _, c := range st.Changes {
					e := strings.ToLower(strings.TrimSpace(c.Author.Email))
					_, dom, _ := strings.Cut(e, "@")
					if c.Author.Side == "" && e != "" && !ours[dom] && !slices.Contains(strangers, e) {
						strangers = append(strangers, e)
					}
				}
				if len(strangers) > 3 {
					strangers = append(strangers[:3], fmt.Sprintf("and %d more", len(strangers)-3))
				}
				switch {
				case st.Shallow:
					// The clone starts after the plan did: an older buyer
					// edit is not read, so nothing is said of who wrote it.
					ev = fmt.Sprintf("no buyer-side edit in the %s this shallow clone holds, since %s; older ones are not read (git fetch --unshallow reads them)", count(st.Commits, "commit", "commits"), DayOf(st.First, in.Loc))
				case len(strangers) == 0:
					ev += ": the seller has written the plan alone"
				default:
					who := "an author has"
					if len(strangers) > 1 {
						who = "authors have"
					}
					ev += fmt.Sprintf("; %s no stakeholder's email (%s): if a buyer wrote from it, give them that email: in the plan and their edits count", who, strings.Join(strangers, ", "))
				}
				out = append(out, Signal{SignalNoBuyerEdit, ev})
			}
		}
	}
	if since, from, ok := FlatSince(in); ok {
		progressed := since // the last progress, before the count's start moves on
		if re, ok := st.ReopenedOn(in.Loc); ok && re.After(since) && !re.After(in.Today) {
			// Closed, the plan was not stalled: it counts from the day
			// the deal was opened again.
			since, from = re, "counted from "+re.String()+", when the deal was opened again"
		}
		// Flat counts from when work was first due after the last
		// progress: a plan nothing was due in is not stalled, nor is one
		// whose first step is a day late after weeks with nothing due.
		due, ok := firstDue(d, in.DueOf)
		// A date moved once it had come (the step late, given a new date)
		// was due all the same: pushing the open steps' dates on does not
		// start the count again.
		moved, wasDue := cameDue(d, st, since, in.Loc)
		if wasDue && (!ok || moved.Before(due)) {
			due, ok = moved, true
		}
		if ok && due.After(in.Today) {
			since = deal.Date{} // nothing due yet
		} else if ok && due.After(since) {
			from = fmt.Sprintf("counted from %s, when the first open step was due: nothing was due before it", due)
			if wasDue && due == moved {
				from = fmt.Sprintf("counted from %s, when an open step was first due: its date was moved on after it came; nothing was due before it", due)
			}
			since = due
		}
		if days := since.DaysUntil(in.Today); !since.IsZero() && days >= th.FlatDays {
			done, total := d.Progress()
			ev := fmt.Sprintf("completion flat at %d of %d tasks for %d days, since %s (%s)", done, total, days, since, from)
			if st != nil {
				then, ok := st.ProgressOn(progressed, in.Loc)
				if peak := max(then.Done, st.peakAfter(progressed, in.Today, in.Loc)); ok && peak > done {
					// Steps reopened, or done ones taken out (or ticked
					// done and unticked since): the plan went back, which
					// is no progress either.
					ev = fmt.Sprintf("no step done for %d days, since %s (%s); completion went back from %d to %d of %d tasks since (a step reopened or a done step taken out)", days, since, from, peak, done, total)
				}
			}
			out = append(out, Signal{SignalFlat, ev})
		}
	}
	if st != nil {
		// Both read the plan as it is: a milestone reached, or taken out,
		// no longer slips; a date moved back before the close, or an item
		// taken out, is no longer past it.
		for _, sl := range st.Slips() {
			if m, ok := d.Milestone(sl.Item); sl.Kind == MilestoneDue && sl.Moves >= th.Slips && ok && !m.Reached() {
				out = append(out, Signal{SignalSlipped, fmt.Sprintf("milestone \"%s\" slipped %d times, %d days in all (%s, now %s)", sl.Title, sl.Moves, sl.Days, sl.First, sl.Now)})
			}
		}
		last := map[string]int{} // the latest change past the close, by item
		var items []string
		for i, c := range st.Changes {
			if !c.PastClose() || onboarding(d, c) {
				continue
			}
			key := string(c.Kind) + "\x00" + c.Item
			if _, ok := last[key]; !ok {
				items = append(items, key)
			}
			last[key] = i
		}
		for _, key := range items {
			c := st.Changes[last[key]]
			due, open := dueNow(d, c)
			if !open || d.Close.IsZero() || !due.After(d.Close) {
				continue
			}
			what := "task"
			if c.Kind == MilestoneDue {
				what = "milestone"
			}
			out = append(out, Signal{SignalPastClose, fmt.Sprintf("%s \"%s\" moved to %s, past the close date %s, on %s", what, c.Title, c.To, c.Close, DayOf(c.InPlan(), in.Loc))})
		}
	}
	if st != nil {
		// Steps the plan missed: added close to the close date, once the
		// plan had been written ("oh, we also need X", late). Only what is
		// still in the plan, and not onboarding, which comes after.
		first := DayOf(st.First, in.Loc)
		// A milestone added with its steps is one addition: its steps
		// are not listed apart.
		type added struct{ commit, milestone string }
		withMilestone := map[added]bool{}
		for _, c := range st.Changes {
			if c.Kind == MilestoneAdded {
				withMilestone[added{c.Commit, c.Item}] = true
			}
		}
		// A step taken out and put back was in the plan before: the plan
		// did not miss it.
		wasIn := map[string]bool{}
		for _, c := range st.Changes {
			if c.Kind == TaskRemoved {
				wasIn[c.Item] = true
			}
			if c.Kind != TaskAdded && c.Kind != MilestoneAdded || c.Close.IsZero() || onboarding(d, c) ||
				c.Kind == TaskAdded && (withMilestone[added{c.Commit, c.Milestone}] || wasIn[c.Item]) {
				continue
			}
			on := DayOf(c.InPlan(), in.Loc) // a branch's step is added when it is merged
			before := on.DaysUntil(c.Close)
			if first.DaysUntil(on) < settleDays || before > th.LateAddDays || on.After(in.Today) {
				continue
			}
			what := "step"
			if c.Kind == MilestoneAdded {
				if _, ok := d.Milestone(c.Item); !ok {
					continue
				}
				what = "milestone"
			} else if _, ok := d.Task(c.Item); !ok {
				continue
			}
			when := fmt.Sprintf("%s before the close date %s", count(before, "day", "days"), c.Close)
			if before <= 0 {
				when = fmt.Sprintf("after the close date %s", c.Close)
			}
			if !d.Close.IsZero() && d.Close.String() != c.Close.String() {
				when += fmt.Sprintf(" (the close date was moved to %s since)", d.Close) // the addition was late then
			}
			by := ""
			if name := c.Author.NameIn(d); name != "" && !c.Author.Preview {
				by = " by " + name
			} else if c.Author.Preview {
				by = " from a reply sent from the local preview"
			}
			out = append(out, Signal{SignalAddedLate, fmt.Sprintf("%s \"%s\" added on %s%s, %s", what, c.Title, on, by, when)})
		}
	}
	if n, last, dropped := missedReviews(in); n >= th.MissedReviews {
		out = append(out, missedSignal(n, last, dropped))
	}
	return out
}

// missedSignal is the signal of n weekly reviews missed in a row, the
// last note of day last, counted on a review day taken out of the plan
// when dropped.ok.
func missedSignal(n int, last deal.Date, dropped droppedReview) Signal {
	ev := fmt.Sprintf("%d weekly reviews in a row without a note in reviews/", n)
	switch {
	case !last.IsZero() && last.After(dropped.latest.AddDays(4)):
		// A note written ahead, for a review still to come.
		ev += fmt.Sprintf(" (the last note, of %s, is for a review after them)", last)
	case !last.IsZero():
		ev += fmt.Sprintf(" (the last note is of %s)", last)
	}
	switch {
	case dropped.ok && dropped.out.IsZero():
		ev += fmt.Sprintf("; counted on %ss, the review day of the plan's last commit (the plan on disk has no review: line): put the weekly review back in the plan", dropped.day)
	case dropped.ok:
		ev += fmt.Sprintf("; counted on %ss, the plan's review day until its review: line was taken out on %s: put the weekly review back in the plan", dropped.day, dropped.out)
	}
	return Signal{SignalMissedReviews, ev}
}

// dueNow returns the date the plan gives now to the task or milestone a
// date change c was of, and whether it is still open in the plan (there,
// and not done or reached).
func dueNow(d *deal.Deal, c Change) (deal.Date, bool) {
	if c.Kind == MilestoneDue {
		if m, ok := d.Milestone(c.Item); ok {
			return m.Due, !m.Reached()
		}
		return deal.Date{}, false
	}
	if t, ok := d.Task(c.Item); ok {
		return t.Due, t.Status != deal.Done
	}
	return deal.Date{}, false
}

// onboarding reports whether change c is of onboarding work: an
// onboarding milestone, or a task of one.
func onboarding(d *deal.Deal, c Change) bool {
	ms := c.Milestone
	if c.Kind == MilestoneDue || c.Kind == MilestoneAdded {
		ms = c.Item
	}
	m, ok := d.Milestone(ms)
	return ok && m.Onboarding
}

func count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// firstDue is the earliest date by which d's open work was due: of its
// open tasks' dates as dueOf gives them (nil: a task's own), else their
// milestones'; ok false when no open task has one (nothing says when work
// was first due).
func firstDue(d *deal.Deal, dueOf func(*deal.Task) deal.Date) (first deal.Date, ok bool) {
	for _, t := range d.Tasks() {
		if t.Status == deal.Done {
			continue
		}
		due := t.Due
		if dueOf != nil {
			due = dueOf(t)
		}
		if m, found := d.Milestone(t.Milestone); due.IsZero() && found {
			due = m.Due
		}
		if !due.IsZero() && (!ok || due.Before(first)) {
			first, ok = due, true
		}
	}
	return first, ok
}

// cameDue returns the earliest date, from st's history, that an open step
// of d was due by and that came while it stood: a step's date, or its
// milestone's, changed on or after the day it named, and on or after
// since (the last progress: a step re-dated before it was not due after
// it). ok is false when no such date was moved once it had come (or st is
// nil).
func cameDue(d *deal.Deal, st *Story, since deal.Date, loc *time.Location) (first deal.Date, ok bool) {
	if st == nil {
		return deal.Date{}, false
	}
	for _, c := range st.Changes {
		switch c.Kind {
		case TaskDue:
			if t, found := d.Task(c.Item); !found || t.Status == deal.Done {
				continue
			}
		case MilestoneDue:
			if !slices.ContainsFunc(d.Tasks(), func(t *deal.Task) bool { return t.Milestone == c.Item && t.Status != deal.Done }) {
				continue
			}
		default:
			continue
		}
		from, err := deal.ParseDate(c.From)
		on := DayOf(c.InPlan(), loc)
		if err != nil || from.After(on) || on.Before(since) {
			continue // changed before its day came, or before the last progress
		}
		if !ok || from.Before(first) {
			first, ok = from, true
		}
	}
	return first, ok
}

// FlatSince returns the day the plan last made progress that stands (see
// Story.LastDone: a step ticked done and reopened is no progress), and where that
// comes from: the history when there is one (Story.LastDone), else the
// plan's done: dates (the latest), else, with nothing done by a date, the
// day its rooms were first published (in.Published). ok is false for a
// plan with nothing open (nothing can be flat), for one that counts more
// done than its last commit (progress not committed yet), and for one
// without history, done date or publication day (nothing says since
// when).
func FlatSince(in Input) (since deal.Date, from string, ok bool) {
	done, total := in.Deal.Progress()
	if total == 0 || done == total {
		return deal.Date{}, "", false
	}
	if in.Story != nil && len(in.Story.Points) > 0 {
		if last := in.Story.Points[len(in.Story.Points)-1]; done > last.Done {
			// The plan as it is counts more done than its last commit:
			// progress not committed yet is not flat.
			return deal.Date{}, "", false
		}
		if since, ok := in.Story.LastDone(in.Today, in.Loc); ok {
			return since, "from the plan's git history", true
		}
		return deal.Date{}, "", false
	}
	var last deal.Date
	for _, t := range in.Deal.Tasks() {
		if t.Status == deal.Done && t.Done.After(last) {
			last = t.Done
		}
	}
	if last.IsZero() {
		if !in.Published.IsZero() && !in.Published.After(in.Today) {
			return in.Published, "when its rooms were first published, nothing done by a date since", true
		}
		return deal.Date{}, "", false
	}
	return last, "from the done: dates", true
}

// MissedReviews counts the weekly reviews in a row, the latest first,
// that have no note: a review on day D counts as held when a note is dated
// from two days before it (notes prepared ahead) to four days after (notes
// written up later), so each note counts for one review. The review days
// counted are those after the plan's first commit (the kickoff puts the
// review on the calendars; the first is the week after), or the commit that
// gave it the review day it has when later (none for a day moved and not
// committed yet), else after its first review note, up to the latest whose four days for a note have
// passed: a review held yesterday whose note is not written yet is not
// missed, and one that has its note ends the count. A plan with neither a
// history nor a note has 0 (nothing says since when). It returns 0 for a
// deal that never had a review day, a lost deal and a won one with no onboarding
// left (the reviews go on while it lasts), and the day of the last note.
// A plan whose review day was taken out (its history had one) is counted
// on the day it last had: taking the line out does not stop the meeting
// being missed.
func MissedReviews(in Input) (n int, lastNote deal.Date) {
	n, lastNote, _ = missedReviews(in)
	return n, lastNote
}

// missedReviews is MissedReviews, with the review day the plan had before
// it was taken out when it counted on that one (dropped.ok).
func missedReviews(in Input) (n int, lastNote deal.Date, dropped droppedReview) {
	d := in.Deal
	if d.Outcome == deal.Lost || d.Outcome == deal.Won && !d.OnboardingLeft() {
		return 0, deal.Date{}, dropped
	}
	weekday := d.Review.Day
	if !d.Review.HasDay {
		wd, since, out, ok := in.Story.formerReview()
		if !ok {
			return 0, deal.Date{}, dropped
		}
		weekday, dropped = wd, droppedReview{ok: true, day: wd, since: DayOf(since, in.Loc)}
		if !out.IsZero() {
			dropped.out = DayOf(out, in.Loc)
		}
	}
	notes := slices.Clone(in.Reviews)
	slices.SortFunc(notes, func(a, b deal.Date) int { return a.Time().Compare(b.Time()) })
	notes = slices.DeleteFunc(notes, func(nd deal.Date) bool { return nd.After(in.Today) })
	var start deal.Date
	switch {
	case in.Story != nil && !in.Story.First.IsZero():
		start = DayOf(in.Story.First, in.Loc)
	case len(notes) > 0:
		start = notes[0]
	}
	if len(notes) > 0 {
		lastNote = notes[len(notes)-1]
	}
	if start.IsZero() {
		return 0, lastNote, dropped
	}
	switch day, at := in.Story.review(); {
	case dropped.ok:
		// Counted on the day the plan had, from when it had it.
		if dropped.since.After(start) {
			start = dropped.since
		}
	case day != "":
		// Weeks before the plan had its review day held no review to
		// miss; a day moved and not committed yet is new today.
		if day != strings.ToLower(weekday.String()) {
			start = in.Today
		} else if since := DayOf(at, in.Loc); since.After(start) {
			start = since
		}
	}
	if re, ok := in.Story.ReopenedOn(in.Loc); ok && re.After(start) && !re.After(in.Today) {
		start = re // a deal won or lost held no review until it was opened again
	}
	// The reviews counted start the week (Monday to Sunday) after the one
	// the plan was first committed in: a plan committed on a Monday has
	// not missed the next day's review.
	first := start.AddDays(7 - (int(start.Weekday())+6)%7)
	day := in.Today // today's review too: a note of today ends the run of misses
	for day.Weekday() != weekday {
		day = day.AddDays(-1)
	}
	for ; !day.Before(first); day = day.AddDays(-7) {
		held := slices.ContainsFunc(notes, func(nd deal.Date) bool {
			diff := day.DaysUntil(nd)
			return diff >= -2 && diff <= 4
		})
		if held {
			break // moved off a holiday to another day, a review held is one
		}
		if in.Holiday != nil && in.Holiday(day) {
			continue // no meeting that week: not missed either
		}
		if day.AddDays(4).Before(in.Today) {
			if n == 0 {
				dropped.latest = day
			}
			n++
		}
	}
	return n, lastNote, dropped
}

// droppedReview is the review day a plan had before it was taken out
// (out: the day of the commit that took it out; zero when only the file
// on disk has lost it), counted on since the day it came (since).
type droppedReview struct {
	ok         bool
	day        time.Weekday
	since, out deal.Date
	latest     deal.Date // the latest review missed (set whether ok or not)
}

// Week is the plan's progress at the end of one week.
type Week struct {
	End         deal.Date // the Sunday that ends it
	Done, Total int
}

// Burnup returns the plan's progress at the end of each week (Monday to
// Sunday, in loc) from the week of its first commit to the week of today,
// at most max weeks (the latest). Nil without history.
func Burnup(st *Story, today deal.Date, loc *time.Location, max int) []Week {
	if st == nil || len(st.Points) == 0 {
		return nil
	}
	end := func(d deal.Date) deal.Date {
		for d.Weekday() != time.Sunday {
			d = d.AddDays(1)
		}
		return d
	}
	var out []Week
	for w := end(DayOf(st.Points[0].When, loc)); !w.After(end(today)); w = w.AddDays(7) {
		on := w
		if on.After(today) {
			on = today
		}
		p, ok := st.ProgressOn(on, loc)
		if !ok {
			continue
		}
		out = append(out, Week{End: w, Done: p.Done, Total: p.Total})
	}
	if max > 0 && len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}
