package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// DealHistory is what the plan's git history tells of a deal (see
// internal/history): how often its dates moved, who edited it, and how its
// completion went by week. Absent when the site is not in git.
type DealHistory struct {
	// Commits counts the commits that changed the plan; First is the day
	// of the first (YYYY-MM-DD, site timezone).
	Commits int `json:"commits"`
	// Unreadable counts the commits whose version of the plan did not
	// parse (not in Commits: what such a commit changed counts with the
	// one that fixed it).
	Unreadable int    `json:"unreadable_commits,omitempty"`
	First      string `json:"first,omitempty"`
	// Former are the deal's earlier folder names (renamed in git).
	Former []string `json:"former_ids,omitempty"`
	// BuyerEdits counts the changes made by buyer-side people (a commit
	// whose author email is a buyer stakeholder's, an accepted reply).
	BuyerEdits int `json:"buyer_edits"`
	// BuyerEditsOpen counts those made by the day the deal was marked won
	// or lost (all of them for an open deal): the portfolio's win rates
	// with and without buyer edits count a deal by them, as an edit made
	// during onboarding did not win it.
	BuyerEditsOpen int   `json:"buyer_edits_while_open"`
	LastBuyerEdit  *Edit `json:"last_buyer_edit,omitempty"`
	// Slips lists the tasks, milestones and close date whose date moved
	// later, the most moves first.
	Slips []SlipLine `json:"slips"`
	// AddedRemoved lists the steps and milestones added after the plan's
	// first version and the steps removed, oldest first: a step added and
	// removed again is there twice. An id renamed (its title the same) is
	// neither: the story follows it.
	AddedRemoved []StepChange `json:"added_removed"`
	// Burnup is done against total tasks at the end of each week (the
	// latest 26 weeks at most); the week under way counts the plan as it
	// is when it has changes not committed yet.
	Burnup []BurnupWeek `json:"burnup"`
	// Uncommitted is true when the plan has changes not committed yet:
	// the report reads the plan as it is, the history (slips, edits)
	// stops at its last commit.
	Uncommitted bool `json:"uncommitted,omitempty"`
	// Shallow is true when the history is a shallow clone's that starts
	// after the plan did (history.Story.Shallow): First is the clone's
	// first commit, and the slips and buyer edits are of what it holds.
	// The portfolio's history figures leave such a deal out.
	Shallow bool `json:"shallow,omitempty"`

	// moves are the days of each slip (history.Slip.MoveDays), for the
	// portfolio's count and median: a step's slip in the commit that
	// slipped its milestone is the milestone's.
	moves []int
	// ranOpen is whether git holds the plan while the deal was open: an
	// ended deal first committed already won or lost (written up after
	// the fact) tells nothing of how a plan was run.
	ranOpen bool
}

// Edit is one change of the plan: the day, who and what.
type Edit struct {
	Day  string `json:"day"`
	Who  string `json:"who"`
	What string `json:"what"`
}

// SlipLine is an item whose date moved later: Moves times, Days days in
// all, Net days from its first date to its date now.
type SlipLine struct {
	Kind  string `json:"kind"` // task, milestone or close
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
	Moves int    `json:"moves"`
	Days  int    `json:"days"`
	Net   int    `json:"net_days"`
	First string `json:"first"`
	Now   string `json:"now"`
	// WithClose and WithMilestone count its moves made in the commit that
	// moved the close, or (a task's) its milestone, later too: one slip
	// of the deal, which the portfolio counts there.
	WithClose     int `json:"moves_with_close,omitempty"`
	WithMilestone int `json:"moves_with_milestone,omitempty"`

	// committed are Now and Net as the history's last commit has them:
	// a plan with changes not committed yet is told from its commits
	// alone, as its moves and days are.
	committedNow string
	committedNet int
}

// StepChange is a step (task) or a milestone added to the plan after its
// first version, or a step removed from it: on Day (when the change was in
// the plan: a branch's when it was merged), by Who (a stakeholder as the
// plan names them, else the commit's author; "(reply)" for an accepted
// reply), of Side when the author is a stakeholder of the plan. Due is the
// date it had when added or removed; Milestone holds a step.
type StepChange struct {
	Change    string `json:"change"` // added or removed
	Kind      string `json:"kind"`   // task or milestone
	ID        string `json:"id"`
	Title     string `json:"title"`
	Milestone string `json:"milestone,omitempty"`
	Due       string `json:"due,omitempty"`
	Day       string `json:"day"`
	Who       string `json:"who"`
	Side      string `json:"side,omitempty"`

	commit string // the change's commit: a milestone's steps added with it are told with it
}

// BurnupWeek is the plan's progress at the end of a week (Sunday), or on
// the report's day for the week under way; Week is that day.
type BurnupWeek struct {
	Week  string `json:"week"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// PortfolioHistory is what the plans' histories say across deals: the
// deals with a plan (a milestone) that git holds from while the deal was
// open. A deal without a plan, or one first committed after it was won or
// lost, is left out, so the win rates with and without buyer edits compare
// plans that were run.
type PortfolioHistory struct {
	// Deals counts the deals whose plan has history in git.
	Deals int `json:"deals"`
	// WithBuyerEdits is deals with at least one buyer-side edit, of them:
	// one made during a won deal's onboarding too (the plan is mutual),
	// which the win rates leave out (DealHistory.BuyerEditsOpen); not one
	// made after a deal was lost.
	WithBuyerEdits Ratio `json:"with_buyer_edits"`
	// MedianSlipDays is the median of the days each date slipped (moved
	// later than it had ever been: history.Slip), over every slip of every
	// deal's tasks, milestones and close date (Slips counts them), rounded
	// to the nearest day (a half up); absent without a slip.
	MedianSlipDays *int `json:"median_slip_days,omitempty"`
	Slips          int  `json:"slips"`
	// WinRateWithBuyerEdits and WinRateWithoutBuyerEdits are won deals of
	// ended deals counted in Deals, with buyer-side edits and without:
	// edits by the day the deal was marked won or lost (one made during
	// onboarding did not win it).
	WinRateWithBuyerEdits    Ratio `json:"win_rate_with_buyer_edits"`
	WinRateWithoutBuyerEdits Ratio `json:"win_rate_without_buyer_edits"`
	// Shallow counts the deals left out because a shallow clone cuts
	// their history (DealHistory.Shallow).
	Shallow int `json:"shallow_left_out,omitempty"`
}

// shallowText says which deals the history figures leave out for a
// shallow clone; "" for none.
func shallowText(h *PortfolioHistory) string {
	if h.Shallow == 0 {
		return ""
	}
	return plural(h.Shallow, "deal", "deals") + " left out: a shallow clone cuts their history (git fetch --unshallow reads it)"
}

// burnupWeeks is how many weeks a deal's burn-up shows at most.
const burnupWeeks = 26

// dealHistory sums up the story of deal d, nil without one.
func dealHistory(d *deal.Deal, st *history.Story, today deal.Date, opts *ReportOptions) *DealHistory {
	if st == nil {
		return nil
	}
	h := &DealHistory{Commits: st.Commits, Unreadable: st.Unreadable, Former: st.Former, Slips: []SlipLine{}, AddedRemoved: []StepChange{}, Burnup: []BurnupWeek{}, Shallow: st.Shallow}
	if !st.First.IsZero() {
		h.First = history.DayOf(st.First, opts.Location).String()
	}
	h.ranOpen = d.Outcome != deal.Won && d.Outcome != deal.Lost
	end, ended := st.EndedOn(d.Outcome, opts.Location)
	for _, c := range st.Changes {
		if c.Author.Side == deal.Buyer && !c.Author.Preview { // a reply sent from the preview is the seller's click
			h.BuyerEdits++
			if !ended || !history.DayOf(c.InPlan(), opts.Location).After(end) {
				h.BuyerEditsOpen++
			}
		}
		if c.Kind == history.OutcomeSet && (c.From == "" || c.From == string(deal.Open)) {
			h.ranOpen = true
		}
	}
	if c, ok := st.LastBy(deal.Buyer); ok {
		h.LastBuyerEdit = &Edit{Day: history.DayOf(c.InPlan(), opts.Location).String(), Who: authorIn(d, c), What: changeText(c)}
	}
	h.AddedRemoved = stepChanges(d, st, opts)
	slips := st.Slips()
	// A step moved later in the commit that moved its milestone later is
	// that milestone's slip, not one more, and a milestone or step moved
	// later in the commit that moved the close later is the close's (the
	// deal slipped once): the portfolio's count and median slip count it
	// once (the deal's list still shows each).
	type msIn struct{ commit, milestone string }
	msSlipped, closeSlipped := map[msIn]bool{}, map[string]bool{}
	for _, sl := range slips {
		for _, c := range sl.MoveIn {
			switch sl.Kind {
			case history.MilestoneDue:
				msSlipped[msIn{c, sl.Item}] = true
			case history.CloseMoved:
				closeSlipped[c] = true
			}
		}
	}
	for _, sl := range slips {
		kind := map[history.Kind]string{history.TaskDue: "task", history.MilestoneDue: "milestone", history.CloseMoved: "close"}[sl.Kind]
		title := sl.Title
		if sl.Kind == history.CloseMoved {
			title = "Close date"
		}
		withClose, withMs := 0, 0
		for j, days := range sl.MoveDays {
			switch {
			case sl.Kind != history.CloseMoved && closeSlipped[sl.MoveIn[j]]:
				withClose++
			case sl.Kind == history.TaskDue && msSlipped[msIn{sl.MoveIn[j], sl.MoveMs[j]}]:
				withMs++
			default:
				h.moves = append(h.moves, days)
			}
		}
		// The date now is the plan's (a merge may have settled on a
		// branch's date, which the history tells as the branch's change).
		now, net := sl.Now, sl.Net
		if cur, ok := dueNowOf(d, sl.Kind, sl.Item); ok && cur != now {
			now = cur
			if f, err := deal.ParseDate(sl.First); err == nil {
				if c, err := deal.ParseDate(cur); err == nil {
					net = f.DaysUntil(c)
				}
			}
		}
		h.Slips = append(h.Slips, SlipLine{Kind: kind, ID: sl.Item, Title: title, Moves: sl.Moves, Days: sl.Days, Net: net, First: sl.First, Now: now,
			WithClose: withClose, WithMilestone: withMs, committedNow: sl.Now, committedNet: sl.Net})
	}
	for _, w := range history.Burnup(st, today, opts.Location, burnupWeeks) {
		if w.End.After(today) {
			w.End = today // the week under way counts to the report's day
		}
		h.Burnup = append(h.Burnup, BurnupWeek{Week: w.End.String(), Done: w.Done, Total: w.Total})
	}
	return h
}

// authorIn names who made change c as plan d names them, "(reply)" after
// an accepted reply.
func authorIn(d *deal.Deal, c history.Change) string {
	who := c.Author.NameIn(d)
	switch {
	case c.Author.Preview:
		who += " (a reply sent from the local preview)"
	case c.Reply != "":
		who += " (reply)"
	}
	return who
}

// stepChanges lists the steps and milestones the story added after the
// plan's first version (the first version is one change, not an addition
// per step) and the steps it removed, by the day they were in the plan.
func stepChanges(d *deal.Deal, st *history.Story, opts *ReportOptions) []StepChange {
	out := []StepChange{}
	for _, c := range st.Changes {
		sc := StepChange{ID: c.Item, Title: c.Title, Day: history.DayOf(c.InPlan(), opts.Location).String(),
			Who: authorIn(d, c), Side: string(c.Author.Side), commit: c.Commit}
		if c.Author.Preview {
			sc.Side = "" // the seller's click in the preview: no side's edit
		}
		switch c.Kind {
		case history.TaskAdded:
			sc.Change, sc.Kind, sc.Milestone, sc.Due = "added", "task", c.Milestone, c.To
		case history.MilestoneAdded:
			sc.Change, sc.Kind, sc.Due = "added", "milestone", c.To
		case history.TaskRemoved:
			sc.Change, sc.Kind, sc.Milestone, sc.Due = "removed", "task", c.Milestone, c.From
		default:
			continue
		}
		out = append(out, sc)
	}
	// Changes are in the order they were made; a branch's are in the
	// plan from its merge.
	slices.SortStableFunc(out, func(a, b StepChange) int { return strings.Compare(a.Day, b.Day) })
	return out
}

// addedRemovedShown is how many of the steps added and removed the
// history's lines name: the latest; the JSON and CSV have them all.
const addedRemovedShown = 3

// addedRemovedLines says the steps added and removed: how many, then the
// latest few, a milestone's steps added with it told with it.
func addedRemovedLines(all []StepChange) []string {
	if len(all) == 0 {
		return nil
	}
	var addT, addM, rem int
	for _, s := range all {
		switch {
		case s.Change == "removed":
			rem++
		case s.Kind == "milestone":
			addM++
		default:
			addT++
		}
	}
	// A step added in the commit that added its milestone is part of
	// that addition.
	type key struct{ commit, milestone string }
	withMs := map[key]int{}
	for _, s := range all {
		if s.Change == "added" && s.Kind == "milestone" {
			withMs[key{s.commit, s.ID}] = 0
		}
	}
	var told []StepChange
	for _, s := range all {
		if s.Change == "added" && s.Kind == "task" && s.commit != "" {
			if n, ok := withMs[key{s.commit, s.Milestone}]; ok {
				withMs[key{s.commit, s.Milestone}] = n + 1
				continue
			}
		}
		told = append(told, s)
	}
	var counts []string
	if addT > 0 || addM > 0 {
		var what []string
		if addT > 0 {
			what = append(what, plural(addT, "step", "steps"))
		}
		if addM > 0 {
			what = append(what, plural(addM, "milestone", "milestones"))
		}
		counts = append(counts, "added after the plan's first version: "+strings.Join(what, ", "))
	}
	if rem > 0 {
		counts = append(counts, "removed: "+plural(rem, "step", "steps"))
	}
	head := strings.Join(counts, "; ")
	from := max(0, len(told)-addedRemovedShown)
	if from > 0 {
		head += fmt.Sprintf(" (the latest %d below)", len(told)-from)
	}
	out := []string{head}
	for _, s := range told[from:] {
		what := "step"
		if s.Kind == "milestone" {
			what = "milestone"
		}
		line := fmt.Sprintf("%s %s %s \"%s\"", s.Day, s.Change, what, s.Title)
		if s.Kind == "milestone" {
			if n := withMs[key{s.commit, s.ID}]; n > 0 {
				line += " with " + plural(n, "step", "steps")
			}
		}
		if s.Who != "" {
			line += " by " + s.Who
		}
		out = append(out, line)
	}
	return out
}

// changeText says a change in a few words.
func changeText(c history.Change) string {
	switch c.Kind {
	case history.TaskDue, history.MilestoneDue:
		return fmt.Sprintf("\"%s\" %s → %s", c.Title, orNone(c.From), orNone(c.To))
	case history.TaskStatus:
		return fmt.Sprintf("\"%s\" %s → %s", c.Title, c.From, c.To)
	case history.TaskAdded:
		return fmt.Sprintf("added \"%s\"", c.Title)
	case history.TaskRemoved:
		return fmt.Sprintf("removed \"%s\"", c.Title)
	case history.MilestoneAdded:
		return fmt.Sprintf("added milestone \"%s\"", c.Title)
	case history.CloseMoved:
		return fmt.Sprintf("close %s → %s", orNone(c.From), orNone(c.To))
	case history.DocAdded:
		return fmt.Sprintf("added document \"%s\"", c.Title)
	case history.TaskOwner:
		return fmt.Sprintf("\"%s\" owner %s → %s", c.Title, c.From, c.To)
	case history.TaskRetitled:
		return fmt.Sprintf("renamed task \"%s\" to \"%s\"", c.From, c.To)
	case history.MilestoneRetitled:
		return fmt.Sprintf("renamed milestone \"%s\" to \"%s\"", c.From, c.To)
	case history.PlanEdited:
		return "edited the plan's wording"
	case history.OutcomeSet:
		return "marked the deal " + c.To
	}
	return "wrote the plan"
}

// orNoDate is a date, or says there is none now (a date taken out).
func orNoDate(s string) string {
	if s == "" {
		return "no date now"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// historySignals are the signals of the plan's history (history.Signals),
// as report signals.
func historySignals(d *deal.Deal, st *history.Story, reviews []deal.Date, published string, dueOf func(*deal.Task) deal.Date, opts *ReportOptions) []Signal {
	var out []Signal
	pub, _ := deal.ParseDate(published)
	holiday := func(day deal.Date) bool {
		return !opts.Calendar.IsBusinessDay(day) && day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
	}
	for _, s := range history.Signals(history.Input{Deal: d, Story: st, Reviews: reviews, Today: opts.Today, Loc: opts.Location, Th: opts.History, Published: pub, DueOf: dueOf, Holiday: holiday}) {
		sg := Signal{Kind: s.Name, Severity: SeverityFlag, Evidence: []string{s.Evidence}}
		switch s.Name {
		case history.SignalNoBuyerEdit:
			sg.Summary = "no buyer-side edit in the plan's history: the seller has written the plan alone, the buyer has not made it theirs"
			if st != nil && st.Shallow {
				sg.Summary = "no buyer-side edit in the history a shallow clone holds: the buyer may not have made the plan theirs"
			}
		case history.SignalFlat:
			sg.Summary = fmt.Sprintf("completion flat for %s or more: a zombie plan", spanOfDays(opts.History.WithDefaults().FlatDays))
			sg.Severity = SeverityAlert
		case history.SignalSlipped:
			sg.Summary = "a milestone slipped again and again"
		case history.SignalPastClose:
			sg.Summary = "a date moved past the close date"
			sg.Severity = SeverityAlert
		case history.SignalMissedReviews:
			sg.Summary = "weekly reviews missed in a row"
			sg.Severity = SeverityAlert
		case history.SignalAddedLate:
			sg.Summary = "steps added late, near the close: \"oh, we also need X\" (the plan missed them)"
		}
		out = append(out, sg)
	}
	// One signal per kind, its evidence joined: a plan with three dates
	// moved past the close has one signal with three lines.
	var merged []Signal
	for _, s := range out {
		if i := slices.IndexFunc(merged, func(m Signal) bool { return m.Kind == s.Kind }); i >= 0 {
			merged[i].Evidence = append(merged[i].Evidence, s.Evidence...)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// inHistoryFigures reports whether the portfolio's history figures count
// deal d: it has a plan that git holds from while the deal was open, and
// from its start (not cut by a shallow clone).
func inHistoryFigures(d *DealReport) bool {
	return d.History != nil && d.History.ranOpen && d.Plan != PlanNone && !d.History.Shallow
}

// portfolioHistory sums the deals' histories; nil when none has one.
func portfolioHistory(deals []DealReport) *PortfolioHistory {
	ph := &PortfolioHistory{}
	var days []int
	wonB, endedB, wonN, endedN := 0, 0, 0, 0
	for i := range deals {
		h := deals[i].History
		if !inHistoryFigures(&deals[i]) {
			if h != nil && h.Shallow {
				ph.Shallow++
			}
			continue
		}
		ph.Deals++
		// A lost deal's plan ended when it was lost: an edit after it is
		// no part of a mutual plan (a won deal's onboarding is).
		edits := h.BuyerEdits
		if deals[i].Outcome == string(deal.Lost) {
			edits = h.BuyerEditsOpen
		}
		if edits > 0 {
			ph.WithBuyerEdits.Num++
		}
		edited := h.BuyerEditsOpen > 0
		days = append(days, h.moves...)
		switch deals[i].Outcome {
		case string(deal.Won), string(deal.Lost):
			won := deals[i].Outcome == string(deal.Won)
			if edited {
				endedB++
				if won {
					wonB++
				}
			} else {
				endedN++
				if won {
					wonN++
				}
			}
		}
	}
	if ph.Deals == 0 && ph.Shallow == 0 {
		return nil
	}
	ph.WithBuyerEdits = ratio(ph.WithBuyerEdits.Num, ph.Deals)
	ph.WinRateWithBuyerEdits, ph.WinRateWithoutBuyerEdits = ratio(wonB, endedB), ratio(wonN, endedN)
	ph.Slips = len(days)
	if len(days) > 0 {
		slices.Sort(days)
		m := days[len(days)/2]
		if len(days)%2 == 0 {
			m = (days[len(days)/2-1] + days[len(days)/2] + 1) / 2
		}
		ph.MedianSlipDays = &m
	}
	return ph
}

// historyText is the history's lines for the text and Markdown writers.
func historyLines(h *DealHistory) []string {
	if h == nil {
		return nil
	}
	var out []string
	who := "no buyer-side edit"
	if h.LastBuyerEdit != nil {
		who = fmt.Sprintf("last buyer-side edit %s by %s (%s)", h.LastBuyerEdit.Day, h.LastBuyerEdit.Who, h.LastBuyerEdit.What)
	}
	if h.Commits == 0 || h.First == "" {
		out = append(out, "no commit of the plan by the report's day")
	} else {
		commits := plural(h.Commits, "commit", "commits")
		if h.Unreadable > 0 {
			// Their changes count with the commit that fixed the plan.
			commits += fmt.Sprintf(" (and %s whose plan did not parse)", plural(h.Unreadable, "commit", "commits"))
		}
		out = append(out, fmt.Sprintf("%s since %s, %s; %s", commits, h.First, plural(h.BuyerEdits, "buyer-side change", "buyer-side changes"), who))
	}
	if h.Uncommitted {
		out = append(out, "the plan has changes not committed yet: the history stops at its last commit (commit them)")
	}
	if h.Shallow {
		out = append(out, "a shallow clone: the history read starts at "+h.First+", and the plan is older; its slips and buyer edits are of what the clone holds (git fetch --unshallow reads the rest)")
	}
	if len(h.Former) > 0 {
		// The deal was renamed: last month's report named it so.
		out = append(out, "the deal's folder was renamed from "+strings.Join(h.Former, ", then "))
	}
	for _, s := range h.Slips {
		out = append(out, fmt.Sprintf("slipped: %s moved later %s, %s in all (%s → %s, net %+d)%s", s.what(), plural(s.Moves, "time", "times"), plural(s.Days, "day", "days"), s.First, orNoDate(s.Now), s.Net, s.along()))
	}
	out = append(out, addedRemovedLines(h.AddedRemoved)...)
	if n := len(h.Burnup); n > 0 {
		var pts []string
		from := max(0, n-6)
		for _, w := range h.Burnup[from:] {
			pts = append(pts, fmt.Sprintf("%s %d/%d", w.Week[5:], w.Done, w.Total))
		}
		out = append(out, "done by week: "+strings.Join(pts, ", "))
	}
	return out
}

// burnupSVG draws the burn-up chart of a deal: total tasks as a line, done
// tasks as a filled area, one step a week. Inline SVG, no script.
func burnupSVG(h *DealHistory) template.HTML {
	if h == nil || len(h.Burnup) == 0 {
		return ""
	}
	// The plot, with room on the left for the count axis and below for
	// the dates: points stand at their week's last day (the last one at
	// the report's day, nearer the week before when the week has only
	// begun), each with its figures as its title.
	const w, ht, left, right, top, bottom = 340.0, 120.0, 30.0, 8.0, 8.0, 18.0
	most := 1
	for _, b := range h.Burnup {
		most = max(most, b.Total)
	}
	n := len(h.Burnup)
	day0, _ := deal.ParseDate(h.Burnup[0].Week)
	dayN, _ := deal.ParseDate(h.Burnup[n-1].Week)
	span := float64(max(1, day0.DaysUntil(dayN)))
	x := func(i int) float64 {
		if n == 1 {
			return left + (w-left-right)/2
		}
		d, _ := deal.ParseDate(h.Burnup[i].Week)
		return left + float64(day0.DaysUntil(d))*(w-left-right)/span
	}
	y := func(v int) float64 { return ht - bottom - float64(v)*(ht-top-bottom)/float64(most) }
	var done, total strings.Builder
	fmt.Fprintf(&done, "%.1f,%.1f ", x(0), y(0))
	for i, b := range h.Burnup {
		fmt.Fprintf(&done, "%.1f,%.1f ", x(i), y(b.Done))
		fmt.Fprintf(&total, "%.1f,%.1f ", x(i), y(b.Total))
	}
	fmt.Fprintf(&done, "%.1f,%.1f", x(n-1), y(0))
	last := h.Burnup[n-1]
	label := fmt.Sprintf("Burn-up: %d of %d tasks done in the week to %s; %s", last.Done, last.Total, last.Week, plural(n, "week", "weeks"))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="burnup" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`, w, ht, w, ht, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(label))
	// axes: the count (0 and the most tasks the plan had), the dates of
	// the first and the last week
	fmt.Fprintf(&b, `<path d="M%.1f %.1fV%.1fH%.1f" fill="none" stroke="#9ca3af" stroke-width="1"/>`, left, top, ht-bottom, w-right)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#4b5563">%d</text>`, left-4, y(most)+4, most)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#4b5563">0</text>`, left-4, y(0)+3)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="#4b5563">%s</text>`, left, ht-4, template.HTMLEscapeString(shortDate(day0)))
	if n > 1 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#4b5563">%s</text>`, w-right, ht-4, template.HTMLEscapeString(shortDate(dayN)))
	}
	fmt.Fprintf(&b, `<polygon points="%s" fill="#bbf7d0" stroke="#15803d" stroke-width="1.5"/>`, done.String())
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f2937" stroke-width="1.5" stroke-dasharray="4 2"/>`, strings.TrimSpace(total.String()))
	for i, p := range h.Burnup {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="#15803d"><title>%s</title></circle>`, x(i), y(p.Done),
			template.HTMLEscapeString(fmt.Sprintf("week to %s: %d of %d tasks done", p.Week, p.Done, p.Total)))
	}
	b.WriteString(`</svg>`)
	// The figures in words under the chart, for a printed page (the
	// chart's title shows only on hover).
	first := h.Burnup[0]
	fmt.Fprintf(&b, `<p class="meta">%s</p>`, template.HTMLEscapeString(fmt.Sprintf("Done of all tasks by week: %d of %d in the week to %s, %d of %d in the week to %s.",
		first.Done, first.Total, first.Week, last.Done, last.Total, last.Week)))
	return template.HTML(b.String())
}

// shortDate is a day as a chart's axis says it: "7 Dec 2026".
func shortDate(d deal.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2 Jan 2006")
}

// medianSlipText says the median slip in words.
func medianSlipText(h *PortfolioHistory) string {
	if h.MedianSlipDays == nil {
		return "no slip"
	}
	return fmt.Sprintf("%s (%s)", plural(*h.MedianSlipDays, "day", "days"), plural(h.Slips, "slip", "slips"))
}

// along says which of the line's moves came with the close's or its
// milestone's, in the same commit: one slip of the deal, not another.
func (s SlipLine) along() string {
	var parts []string
	all := func(n int) string {
		if n == s.Moves {
			if n == 1 {
				return "the move"
			}
			return "each move"
		}
		return plural(n, "move", "moves") + " of them"
	}
	if s.WithClose > 0 {
		parts = append(parts, all(s.WithClose)+" in the same commit as a move of the close")
	}
	if s.WithMilestone > 0 {
		parts = append(parts, all(s.WithMilestone)+" in the same commit as a move of its milestone")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// slipMarks draws each slipped task and milestone on its timeline row
// (rowOf: "task:" or "milestone:" and the id, to the row's top): a line
// from its first date to its date now, titled with what moved, from when
// to when and how many times.
func slipMarks(d *DealReport, xOf func(string) (float64, bool), rowOf map[string]float64) []svgLine {
	if d.History == nil {
		return nil
	}
	var out []svgLine
	for _, s := range d.History.Slips {
		if s.Kind != "task" && s.Kind != "milestone" {
			continue
		}
		top, ok := rowOf[s.Kind+":"+s.ID]
		x1, ok1 := xOf(s.First)
		x2, ok2 := xOf(s.Now)
		if !ok || !ok1 || !ok2 {
			continue
		}
		y := top + rowH - 4
		out = append(out, svgLine{X1: max(labelW, x1), Y1: y, X2: max(labelW, x2), Y2: y, Class: "slip", Title: slipTitle(s)})
	}
	return out
}

// slipTitle says a slip as its mark's title: what moved, how many times,
// from its first date to its date now.
func slipTitle(s SlipLine) string {
	return fmt.Sprintf("%s moved later %s, %s in all: from %s to %s (net %+d days)", s.what(), plural(s.Moves, "time", "times"), plural(s.Days, "day", "days"), s.First, orNoDate(s.Now), s.Net)
}

// what names the slip's item: its kind and title, or "the close date".
func (s SlipLine) what() string {
	if s.Kind == "close" {
		return "the close date"
	}
	return fmt.Sprintf("%s \"%s\"", s.Kind, s.Title)
}

// spanOfDays says n days as the signals' headlines do: in weeks when it is
// whole weeks ("three weeks"), else in days.
func spanOfDays(n int) string {
	words := []string{"", "one week", "two weeks", "three weeks", "four weeks", "five weeks", "six weeks"}
	if n%7 == 0 && n/7 > 0 && n/7 < len(words) {
		return words[n/7]
	}
	return plural(n, "day", "days")
}

// dueNowOf is the date the plan d gives now to a slip's item (the close,
// a milestone, a task's own date); ok false when d has no such item.
func dueNowOf(d *deal.Deal, k history.Kind, id string) (string, bool) {
	switch k {
	case history.CloseMoved:
		return d.Close.String(), true
	case history.MilestoneDue:
		if m, ok := d.Milestone(id); ok {
			return m.Due.String(), true
		}
	case history.TaskDue:
		if t, ok := d.Task(id); ok {
			return t.Due.String(), true
		}
	}
	return "", false
}
