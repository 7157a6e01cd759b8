package deal

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The rules in this file are the ones a room and a report both show. They
// live here, once, so that the generator and the analytics packages give
// the same answer for the same plan on the same day.

// Severity grades an open task that is past its due date.
type Severity string

// The severities, mildest first. SeverityNone is a task that is not late.
const (
	SeverityNone  Severity = ""
	SeverityLate  Severity = "late"  // overdue, under the flag threshold
	SeverityFlag  Severity = "flag"  // at least FlagDays late
	SeverityAlert Severity = "alert" // at least AlertDays late
)

// Thresholds are the escalation thresholds in calendar days late. The zero
// value is not usable: callers take the site's settings, whose defaults are
// DefaultThresholds.
type Thresholds struct {
	FlagDays, AlertDays int
}

// DefaultThresholds flag a task at 3 days late and alert at 7, as domain.md
// stages escalation.
var DefaultThresholds = Thresholds{FlagDays: 3, AlertDays: 7}

// Severity grades daysLate: SeverityNone for 0 or less, then late, flag
// and alert at the thresholds.
func (th Thresholds) Severity(daysLate int) Severity {
	switch {
	case daysLate <= 0:
		return SeverityNone
	case daysLate >= th.AlertDays:
		return SeverityAlert
	case daysLate >= th.FlagDays:
		return SeverityFlag
	}
	return SeverityLate
}

// Ended reports whether the deal is won or lost: the sale is over. A lost
// deal has no late work at all; a won deal's sales work is over too, but its
// plan carries on into onboarding, whose tasks still count days late (see
// DaysLate). Ended alone does not say that nothing is late.
func (d *Deal) Ended() bool { return d.Outcome == Won || d.Outcome == Lost }

// Pending reports whether task t of d is work still to do: not done, and
// not work an ended deal left behind (a lost deal asks nothing more of
// anyone; a won deal's sale is over and only its onboarding goes on), the
// rule DaysLate and the rooms' next steps follow.
func (d *Deal) Pending(t *Task) bool {
	switch {
	case t.Status == Done, d.Outcome == Lost:
		return false
	case d.Outcome == Won:
		return d.Onboarding(t)
	}
	return true
}

// Closed reports whether the deal was lost: its rooms show a closed plan
// (no next steps, no lateness, no review, no calendar of tasks).
func (d *Deal) Closed() bool { return d.Outcome == Lost }

// OnboardingLeft reports whether an onboarding task of d is not done:
// what a won deal's rooms, replies and reviews carry on for.
func (d *Deal) OnboardingLeft() bool {
	for _, t := range d.Tasks() {
		if d.Onboarding(t) && t.Status != Done {
			return true
		}
	}
	return false
}

// Onboarding reports whether task t belongs to an onboarding milestone of d:
// the milestone t.Milestone names (as the loader sets it), or, when
// t.Milestone is not set (a deal built by hand), the milestone whose Tasks
// hold t itself. A task of no milestone of d is not onboarding.
func (d *Deal) Onboarding(t *Task) bool {
	for i := range d.Milestones {
		m := &d.Milestones[i]
		if t.Milestone != "" {
			if m.ID == t.Milestone {
				return m.Onboarding
			}
			continue
		}
		for j := range m.Tasks {
			if &m.Tasks[j] == t {
				return m.Onboarding
			}
		}
	}
	return false
}

// DaysLate returns how many calendar days task t of deal d is past due on
// today, where due is the task's effective due date (the plan's own date,
// else the schedule's: see schedule.Plan.DueOf). It is 0 for a done task, a
// task without a date, a task due today or later, and for the work an
// outcome has ended: every task of a lost deal, and every task of a won
// deal but its onboarding tasks (Onboarding). A won deal's plan carries on
// into onboarding after signature, so an onboarding task past its due date
// is late whatever the outcome says; its sales tasks are over.
//
// The due date is a day as the schedule gives it: a computed due date is a
// business day (a close on a Saturday is met on the Friday before), so such
// a task is already a day late on that Saturday.
func DaysLate(d *Deal, t *Task, due, today Date) int {
	switch {
	case d.Outcome == Lost, d.Outcome == Won && !d.Onboarding(t):
		return 0
	case t.Status == Done || due.IsZero() || !due.Before(today):
		return 0
	}
	return due.DaysUntil(today)
}

// SaleDoneOn returns the latest done date of d's sale (its tasks before
// onboarding): the signature, in a plan that ends with it. ok is false
// unless every one of them is done with a date.
func (d *Deal) SaleDoneOn() (last Date, ok bool) {
	for _, t := range d.Tasks() {
		if d.Onboarding(t) {
			continue
		}
		if t.Status != Done || t.Done.IsZero() {
			return Date{}, false
		}
		if t.Done.After(last) {
			last = t.Done
		}
	}
	return last, !last.IsZero()
}

// Reached reports whether milestone m is reached: it has tasks, and every
// one is done.
func (m *Milestone) Reached() bool {
	for _, t := range m.Tasks {
		if t.Status != Done {
			return false
		}
	}
	return len(m.Tasks) > 0
}

// MilestoneDaysLate returns how many calendar days milestone m of deal d is
// past its date on today, as DaysLate counts a task: 0 for a milestone
// reached (every task done), without a date or due today or later, and for
// the work an outcome has ended (every milestone of a lost deal, a won
// deal's but its onboarding ones).
func MilestoneDaysLate(d *Deal, m *Milestone, today Date) int {
	switch {
	case d.Outcome == Lost, d.Outcome == Won && !m.Onboarding:
		return 0
	case m.Reached() || m.Due.IsZero() || !m.Due.Before(today):
		return 0
	}
	return m.Due.DaysUntil(today)
}

// vagueWords are completion conditions that name no artifact.
var vagueWords = map[string]bool{"done": true, "complete": true, "completed": true, "ok": true, "okay": true,
	"yes": true, "finished": true, "tbd": true, "n/a": true, "na": true, "agreed": true, "approved": true}

// VagueEvidence says why the completion condition ev names no artifact:
// "missing" when it is empty, a sentence quoting it when it is an opinion
// ("done", "approved", "ok"), and "" when it names something that proves
// the work done.
func VagueEvidence(ev string) string {
	if strings.TrimSpace(ev) == "" {
		return "missing"
	}
	if !strings.ContainsFunc(ev, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return fmt.Sprintf("%q names no artifact", ev) // "-", "..."
	}
	if letters := strings.TrimFunc(ev, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); utf8.RuneCountInString(letters) < 2 {
		return fmt.Sprintf("%q names no artifact", ev) // "x"
	}
	words := strings.Fields(strings.ToLower(strings.Trim(ev, ".!\"' ")))
	if len(words) > 0 && len(words) <= 3 && vagueWords[strings.Trim(words[len(words)-1], ".!,")] {
		return fmt.Sprintf("%q names no artifact", ev)
	}
	// A few words, each a verdict or a filler ("signed", "sign-off",
	// "done ✔", "confirmed by all"), name nothing either; one word that
	// names a thing ("Order form signed") is an artifact.
	tokens := strings.FieldsFunc(strings.ToLower(ev), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(tokens) <= 3 && !slices.ContainsFunc(tokens, func(w string) bool { return !vagueWords[w] && !verdictWords[w] }) {
		return fmt.Sprintf("%q names no artifact", ev)
	}
	return ""
}

// verdictWords are, with vagueWords, the words a completion condition
// made only of them names no artifact with.
var verdictWords = map[string]bool{"signed": true, "sign": true, "off": true, "signoff": true, "confirmed": true, "confirm": true,
	"accepted": true, "verified": true, "checked": true, "ready": true, "good": true, "go": true, "fine": true, "all": true,
	"by": true, "both": true, "everyone": true, "see": true, "it": true, "is": true, "are": true, "we": true, "the": true}

// TakesReplies reports whether s may reply to the plan from their room: a
// buyer stakeholder, while the deal is open, or won with onboarding steps
// left (about those only: reply.TargetsFor).
func (d *Deal) TakesReplies(s *Stakeholder) bool {
	if s.Side != Buyer || d.Outcome == Lost {
		return false
	}
	if d.Outcome == Won {
		// Signed: the plan carries on into onboarding, and its steps are
		// still the buyer's to confirm, move or mark done.
		return d.OnboardingLeft()
	}
	return true
}

// Progress counts the plan's tasks: how many are done, of how many.
func (d *Deal) Progress() (done, total int) {
	for _, t := range d.Tasks() {
		total++
		if t.Status == Done {
			done++
		}
	}
	return done, total
}

// ReviewMeetings returns the deal's weekly review as a calendar holds it:
// the first meeting on or after today at the review's time in loc, the
// day the series ends (ReviewSeries), and the meetings of the series that
// fall on one of holidays, which are not held (from the first up to
// until; the first alone when the series ends before it). ok is false when
// the deal holds no review.
func (d *Deal) ReviewMeetings(today Date, loc *time.Location, holidays []Date) (first time.Time, until Date, skipped []time.Time, ok bool) {
	until, ok = d.ReviewSeries()
	if !ok {
		return time.Time{}, Date{}, nil, false
	}
	var hh, mm int
	fmt.Sscanf(d.Review.Time, "%d:%d", &hh, &mm)
	day := today
	for day.Weekday() != d.Review.Day {
		day = day.AddDays(1)
	}
	at := func(day Date) time.Time {
		t := day.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), hh, mm, 0, 0, loc)
	}
	for h := day; h == day || !h.After(until); h = h.AddDays(7) {
		if slices.Contains(holidays, h) {
			skipped = append(skipped, at(h))
		}
	}
	return at(day), until, skipped, true
}

// ReviewSeries says whether the deal's weekly review still runs and until
// which day: while the deal is open, until the go-live date, else the close
// date; once won, while onboarding work is left (the plan, and its review,
// carry on into onboarding), until the go-live date, else the latest due
// date written on that work (zero when none is: the next review only). A
// lost deal, or a deal with no review day, holds no review.
func (d *Deal) ReviewSeries() (until Date, ok bool) {
	if !d.Review.HasDay {
		return Date{}, false
	}
	switch d.Outcome {
	case Open:
		if !d.GoLive.IsZero() {
			return d.GoLive, true
		}
		return d.Close, true
	case Won:
		for _, t := range d.Tasks() {
			if !d.Pending(t) {
				continue
			}
			ok = true
			if t.Due.After(until) {
				until = t.Due
			}
		}
		if ok && !d.GoLive.IsZero() {
			until = d.GoLive
		}
		return until, ok
	}
	return Date{}, false
}

// WaitsOn reports whether task t waits on the task whose id is id, itself
// or through the tasks it waits on (after:, followed to any depth; a
// cycle, which check reports, ends the search).
func (d *Deal) WaitsOn(t *Task, id string) bool {
	seen := map[string]bool{t.ID: true}
	stack := slices.Clone(t.After)
	for len(stack) > 0 {
		a := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if a == id {
			return true
		}
		if seen[a] {
			continue
		}
		seen[a] = true
		if u, ok := d.Task(a); ok {
			stack = append(stack, u.After...)
		}
	}
	return false
}

// PendingUpstream returns the pending steps t waits on through after:, at
// any depth, through pending steps only (Pending: a done step, or a won
// deal's sale step, is no longer held up by what it came after, nor is
// what comes after it). A cycle (which check reports) ends the walk.
func (d *Deal) PendingUpstream(t *Task) []*Task {
	var out []*Task
	seen := map[string]bool{t.ID: true}
	queue := slices.Clone(t.After)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		p, ok := d.Task(id)
		if !ok || !d.Pending(p) {
			continue
		}
		out = append(out, p)
		queue = append(queue, p.After...)
	}
	return out
}

// PendingChain returns, when step end waits on step id through after: at
// any depth, through pending steps (see PendingUpstream), the steps from
// id to end, each waiting on the one before (the shortest such chain);
// nil when it does not.
func (d *Deal) PendingChain(end, id string) []string {
	if end == id {
		return []string{id}
	}
	// Breadth first back from the end through after:, each step's
	// successor toward the end kept to read the chain off.
	next := map[string]string{end: ""}
	queue := []string{end}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		t, ok := d.Task(cur)
		if !ok {
			continue
		}
		for _, a := range t.After {
			if _, seen := next[a]; seen {
				continue
			}
			if at, ok := d.Task(a); !ok || !d.Pending(at) {
				continue // a step no longer pending holds nothing up: the chain ends there
			}
			next[a] = cur
			if a == id {
				out := []string{id}
				for s := cur; s != ""; s = next[s] {
					out = append(out, s)
				}
				return out
			}
			queue = append(queue, a)
		}
	}
	return nil
}
