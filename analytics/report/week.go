package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// WeekDays is the window of "what changed": the seven days up to and
// including the report's day.
const WeekDays = 7

// ActivityItems caps a deal's activity list: its latest items.
const ActivityItems = 15

// WeekChange is what changed in a deal over the WeekDays up to the
// report's day: the steps done in them, the progress a week before, the
// steps that turned late in them, and the buyer side's visits.
type WeekChange struct {
	// Since is the day before the window, YYYY-MM-DD: "since" it.
	Since string `json:"since"`
	// Done lists the steps done in the window, by day.
	Done []TaskRef `json:"done"`
	// PercentBefore is the share of steps done as of Since (the plan's
	// steps now, those done by then), against Progress.Percent now.
	PercentBefore int `json:"percent_before"`
	// NewOverdue lists the open steps late now that were not late on Since
	// (a step done then and reopened since was not).
	NewOverdue []TaskRef `json:"new_overdue"`
	// Reopened lists the steps done on Since, by the plan's history, and
	// open now, each with the day it was set back: the plan went back.
	// Empty outside git.
	Reopened []TaskRef `json:"reopened"`
	// Visits counts the buyer side's human-verified visits that began in
	// the window; Visitors names who made them, in plan order, and
	// VisitorIDs are their stakeholder ids, in the same order (two people
	// may share a name).
	Visits     int      `json:"visits"`
	Visitors   []string `json:"visitors"`
	VisitorIDs []string `json:"visitor_ids"`
	// Replies counts the replies the buyer side sent from their rooms in
	// the window, waiting or decided; Repliers names who sent them, in plan
	// order.
	Replies  int      `json:"replies"`
	Repliers []string `json:"repliers"`
	// VisitsFrom is set when the report reads events from a day inside
	// the window (ReportOptions.Since): the visits are counted from that
	// day, the days before it not read.
	VisitsFrom string `json:"visits_from,omitempty"`
	// VisitsUnknown is set when no event was read at all (no log, no
	// store): who visited is not known, and Visits is 0 for it.
	VisitsUnknown bool `json:"visits_unknown,omitempty"`
}

// TaskRef names a step with its owner and the day that matters (done,
// or due).
type TaskRef struct {
	Task      string `json:"task"`
	Title     string `json:"title"`
	OwnerName string `json:"owner_name"`
	Side      string `json:"side"`
	Day       string `json:"day"`
}

// Activity is one thing that happened in a deal, for the time-ordered
// activity list: a visit of a buyer-side person, a document they read, a
// step done, a reply sent from a room.
type Activity struct {
	// Time is RFC 3339 in the site timezone for what the log timed, or
	// YYYY-MM-DD for what the plan dates (a step done).
	Time string `json:"time"`
	Kind string `json:"kind"` // "visit", "read", "done" or "reply"
	Who  string `json:"who"`
	Side string `json:"side,omitempty"`
	What string `json:"what"`
}

// Activity kinds.
const (
	ActivityVisit = "visit"
	ActivityRead  = "read"
	ActivityDone  = "done"
	ActivityReply = "reply"
)

// weekChange computes what changed in the deal of dr over the window.
func (a *Aggregator) weekChange(da *dealAgg, dr *DealReport, dueOf func(*deal.Task) (deal.Date, bool), today deal.Date) *WeekChange {
	d := da.in.Deal
	since := today.AddDays(-WeekDays)
	wc := &WeekChange{Since: since.String(), Done: []TaskRef{}, NewOverdue: []TaskRef{}, Reopened: []TaskRef{}, Visitors: []string{}, VisitorIDs: []string{}, Repliers: []string{}}
	ref := func(t *deal.Task, day deal.Date) TaskRef {
		r := TaskRef{Task: t.ID, Title: t.Title, Day: day.String()}
		r.OwnerName, r.Side = ownerOf(d, t.Owner)
		return r
	}
	// In git, the week is told against the plan as it stood on Since, as
	// that day's report told it: a step marked done in the window with an
	// earlier done date was done this week for whoever reads the reports
	// week by week, and a step late on Since and given another date gone
	// by since is not newly late.
	st := da.in.Story
	sinceEnd, todayEnd := time.UnixMilli(startOf(since.AddDays(1), a.loc)), time.UnixMilli(startOf(today.AddDays(1), a.loc))
	then, inGit := history.Point{}, false
	markedDone, addedSince := map[string]bool{}, map[string]bool{}
	reopenedOn := map[string]deal.Date{} // the last day a step done was set back, in the window
	if st != nil {
		then, inGit = st.ProgressOn(since, a.loc)
		for _, c := range st.Changes {
			if c.InPlan().Before(sinceEnd) {
				continue
			}
			switch {
			case c.Kind == history.TaskStatus && c.To == string(deal.Done) && c.InPlan().Before(todayEnd):
				markedDone[c.Item] = true
			case c.Kind == history.TaskStatus && c.From == string(deal.Done) && c.InPlan().Before(todayEnd):
				reopenedOn[c.Item] = history.DayOf(c.InPlan(), a.loc)
			case c.Kind == history.TaskAdded:
				addedSince[c.Item] = true // not in the plan a week ago
			}
		}
	}
	doneBefore, total := 0, 0
	for _, t := range d.Tasks() {
		total++
		if t.Status == deal.Done && !t.Done.IsZero() {
			if t.Done.After(since) && !t.Done.After(today) || inGit && markedDone[t.ID] && !t.Done.After(since) {
				wc.Done = append(wc.Done, ref(t, t.Done))
			} else if !t.Done.After(since) {
				doneBefore++
			}
			continue
		}
		due, _ := dueOf(t)
		was := due
		if inGit && t.Due == due {
			was = dueOn(st, t.ID, due, sinceEnd)
		}
		reopened := false
		if on, ok := reopenedOn[t.ID]; ok && inGit {
			if done, known := st.TaskDoneOn(t.ID, since, a.loc); done && known {
				reopened = true
				wc.Reopened = append(wc.Reopened, ref(t, on))
			}
		}
		// A step added to the plan since was not late in it then, nor was
		// one done then.
		if deal.DaysLate(d, t, due, today) > 0 && (addedSince[t.ID] || reopened || deal.DaysLate(d, t, was, since) == 0) {
			wc.NewOverdue = append(wc.NewOverdue, ref(t, due))
		}
	}
	sort.SliceStable(wc.Done, func(i, j int) bool { return wc.Done[i].Day < wc.Done[j].Day })
	sort.SliceStable(wc.Reopened, func(i, j int) bool { return wc.Reopened[i].Day < wc.Reopened[j].Day })
	wc.PercentBefore = percent(doneBefore, total)
	if inGit {
		wc.PercentBefore = percent(then.Done, then.Total)
	}
	from, to := startOf(since.AddDays(1), a.loc), startOf(today.AddDays(1), a.loc)
	if s := a.opts.Since; !s.IsZero() && s.After(since.AddDays(1)) {
		wc.VisitsFrom = s.String()
	}
	wc.VisitsUnknown = !a.fed
	replied := countReplies(da.in, max(from, a.fromMS), to)
	for i := range d.Stakeholders {
		if r := replied[d.Stakeholders[i].ID]; r.n > 0 {
			wc.Replies += r.n
			wc.Repliers = append(wc.Repliers, d.Stakeholders[i].Name)
		}
	}
	for i := range d.Stakeholders {
		p := &a.people[da.people[d.Stakeholders[i].ID]]
		if p.seller {
			continue
		}
		n := 0
		for _, v := range p.spans {
			if v.first >= from && v.first < to {
				n++
			}
		}
		if n > 0 {
			wc.Visits += n
			wc.Visitors = append(wc.Visitors, p.s.Name)
			wc.VisitorIDs = append(wc.VisitorIDs, p.s.ID)
		}
	}
	return wc
}

// dueOn returns task id's own due date in the plan as it stood at t, by
// the story's date changes (the last one before t, else the first one
// after, from where it moved), else now: its date now.
func dueOn(st *history.Story, id string, now deal.Date, t time.Time) deal.Date {
	var after *history.Change
	for i := len(st.Changes) - 1; i >= 0; i-- {
		c := &st.Changes[i]
		if c.Kind != history.TaskDue || c.Item != id {
			continue
		}
		if c.InPlan().Before(t) {
			if d, err := deal.ParseDate(c.To); err == nil {
				return d
			}
			return now
		}
		after = c
	}
	if after != nil {
		if d, err := deal.ParseDate(after.From); err == nil {
			return d
		}
	}
	return now
}

// activity lists what happened in the deal up to the report's day, the
// latest first, at most ActivityItems: buyer-side visits (with the minutes
// of activity they held), the documents read, the steps done, the replies
// sent (a decided one with the seller's last decision by the day).
func (a *Aggregator) activity(da *dealAgg, dr *DealReport, today deal.Date) []Activity {
	d := da.in.Deal
	var out []Activity
	end := startOf(today.AddDays(1), a.loc)
	for i := range d.Stakeholders {
		p := &a.people[da.people[d.Stakeholders[i].ID]]
		if p.seller {
			continue
		}
		for _, v := range p.spans {
			if v.first >= end {
				continue
			}
			what := "visited the room"
			if !v.plan {
				// Page-loads of documents only: the plan itself not seen.
				what = "opened the room's documents, not the plan"
			}
			// Time the person was active on the pages, not the time from
			// the first page-load to the last: a room left open in a tab
			// over lunch is not an hour's reading.
			// Under a minute in seconds, else to the nearest minute, as the
			// stakeholder table gives active time, in its words.
			if sec := v.active / 1000; sec > 0 {
				what += " (" + hoursMinutes(sec) + " active)"
			}
			out = append(out, Activity{Time: a.stamp(v.first), Kind: ActivityVisit, Who: p.s.Name, Side: string(deal.Buyer), What: what})
		}
		for ci, o := range p.opened {
			for _, at := range o.reads {
				if at < end && ci < len(d.Collateral) {
					out = append(out, Activity{Time: a.stamp(at), Kind: ActivityRead, Who: p.s.Name, Side: string(deal.Buyer), What: "read " + d.Collateral[ci].Title})
				}
			}
		}
	}
	// Who marked each step done in the plan, when the history says: the
	// owner did the step, someone else may have written it down.
	marked := map[string]history.Change{}
	if st := da.in.Story; st != nil {
		for _, c := range st.Changes {
			if c.Kind == history.TaskStatus && c.To == string(deal.Done) {
				marked[c.Item] = c
			}
		}
	}
	for _, t := range d.Tasks() {
		if t.Status == deal.Done && !t.Done.IsZero() && !t.Done.After(today) {
			who, side := ownerOf(d, t.Owner)
			what := "done: " + t.Title
			if c, ok := marked[t.ID]; ok && c.Author.Stakeholder != t.Owner && c.Author.NameIn(d) != who {
				what += " (marked done in the plan by " + authorIn(d, c) + ")"
			}
			out = append(out, Activity{Time: t.Done.String(), Kind: ActivityDone, Who: who, Side: side, What: what})
		}
	}
	for _, r := range dr.Replies {
		if r.Preview {
			continue // the seller's click in the preview, not the person's
		}
		what := fmt.Sprintf("sent a reply (%s) about %s", r.Kind, r.About)
		if r.OldLink {
			what += " from a link rotated since, maybe not theirs"
		}
		out = append(out, Activity{Time: r.Sent, Kind: ActivityReply, Who: r.Person, Side: r.Side, What: what})
	}
	for _, rec := range da.in.Decided {
		r := rec.Reply
		if r.Time.UnixMilli() >= end || r.Preview {
			continue
		}
		who, side := ownerOf(d, r.Stakeholder)
		what := fmt.Sprintf("sent a reply (%s) about %s", r.Kind, aboutOf(d, r))
		// The seller's last decision by the report's day; one made later
		// is not known on that day.
		for i := len(rec.Decisions) - 1; i >= 0; i-- {
			if dec := rec.Decisions[i]; dec.Time.UnixMilli() < end {
				what += fmt.Sprintf(": %s on %s", dec.State, deal.DateOf(dec.Time.In(a.loc)))
				if dec.By != "" {
					what += " by " + dec.By
				}
				break
			}
		}
		out = append(out, Activity{Time: a.stamp(r.Time.UnixMilli()), Kind: ActivityReply, Who: who, Side: side, What: what})
	}
	// Newest first; a dated step sorts as its day's start, before the
	// day's timed items (RFC 3339 and YYYY-MM-DD compare as text).
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time > out[j].Time })
	if len(out) > ActivityItems {
		out = out[:ActivityItems]
	}
	if out == nil {
		out = []Activity{}
	}
	return out
}

// activityDay is an activity's time as a short label: "2026-11-20 14:05"
// for a logged time, the day alone for a dated step.
func activityDay(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format("2006-01-02 15:04")
	}
	return s
}

// weekSpan names the window's days, both counted: "2026-11-16 to
// 2026-11-22" for a Since of 2026-11-15.
func weekSpan(w *WeekChange) string {
	since, err := deal.ParseDate(w.Since)
	if err != nil {
		return "since " + w.Since
	}
	return since.AddDays(1).String() + " to " + since.AddDays(WeekDays).String()
}

// weekText says what changed over the week in one line: steps done and
// progress, steps that turned late, visits.
func weekText(w *WeekChange, now int) string {
	if w == nil {
		return ""
	}
	var parts []string
	if len(w.Done) > 0 {
		parts = append(parts, fmt.Sprintf("%s done (%d%% -> %d%%)", plural(len(w.Done), "step", "steps"), w.PercentBefore, now))
	} else if w.PercentBefore != now {
		parts = append(parts, fmt.Sprintf("no step done (%d%% -> %d%%)", w.PercentBefore, now))
	} else {
		parts = append(parts, fmt.Sprintf("no step done (%d%%)", now))
	}
	if len(w.Reopened) > 0 {
		parts = append(parts, fmt.Sprintf("%s reopened", plural(len(w.Reopened), "step", "steps")))
	}
	if len(w.NewOverdue) > 0 {
		parts = append(parts, fmt.Sprintf("%s newly overdue", plural(len(w.NewOverdue), "step", "steps")))
	} else {
		parts = append(parts, "nothing newly overdue")
	}
	switch {
	case w.VisitsUnknown:
		parts = append(parts, "visits not known (no event log read)")
	case w.Visits > 0:
		parts = append(parts, fmt.Sprintf("%s by %s", plural(w.Visits, "visit", "visits"), strings.Join(w.Visitors, ", ")))
	default:
		parts = append(parts, "no visit")
	}
	if w.Replies > 0 {
		parts[len(parts)-1] += fmt.Sprintf(", %s by %s", plural(w.Replies, "reply", "replies"), strings.Join(w.Repliers, ", "))
	}
	if w.VisitsFrom != "" {
		parts[len(parts)-1] += " from " + w.VisitsFrom + " (-since: the days before not read)"
	}
	return strings.Join(parts, "; ")
}

// refsText lists task refs as "title (owner, day)".
func refsText(rs []TaskRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = fmt.Sprintf("%s (%s, %s)", r.Title, r.OwnerName, r.Day)
	}
	return strings.Join(s, "; ")
}

// money writes a deal value with thousands separators: 380,000.
func money(v int64) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
