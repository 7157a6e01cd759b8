// Package report is what `maproom report` says about each deal and across
// deals: the aggregator that reads events into it, the engagement rules,
// the signals, the report model and its five writers.
//
// This file holds the report's data model. It is also the JSON document
// (ReportSchemaVersion 1; testdata/schema.json is its JSON Schema). The
// aggregation that fills it is in aggregate.go, deal.go and replies.go (the
// replies waiting for the seller); its events come from a [Source]
// (read.go: the event log through analytics/eventlog's reader, or the
// PostgreSQL store); the writers are text.go (terminal table), markdown.go,
// json.go, csv.go and html.go.
//
// # What the report counts
//
// What counts as a person, a visit and a read is decided in one place,
// engagement.go, whose comment defines a human page-load, a glance,
// a scanner-like page-load, a visit and a read of a document, with the
// thresholds [Engagement] holds (maproom.toml [engagement]). Every figure,
// format and signal of the report reads those judgements. Seller-side
// rooms are previews of what buyers see: counted as previews, never as
// engagement. Events that came through a rotated-away link (retired) count
// as the stakeholder's but are flagged as "old link".
package report

import (
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// ReportSchemaVersion is the version of the report's JSON document.
const ReportSchemaVersion = 1

// Default thresholds of a page-load's class (see [Engagement]), and of the
// signals.
const (
	ReportHumanActive = 5 * time.Second  // active time that makes a page-load a person's
	ReportRapidOpens  = 3                // distinct documents opened ...
	ReportRapidSpan   = 10 * time.Second // ... within this span with no real activity: a scanner
	ReportQuietDays   = 21               // "nobody visited" after this many days
	// ReportUnopenedDays is when a room nobody opened since it was
	// published earns a note, before it can be ReportQuietDays quiet.
	ReportUnopenedDays = 7
	ReportWeeks        = 12 // weeks of engagement history in the charts
)

// Severities of overdue tasks and warning signals.
const (
	SeverityLate  = "late"  // overdue, under the flag threshold
	SeverityFlag  = "flag"  // at least flag_days late
	SeverityAlert = "alert" // at least alert_days late
)

// Plan states of a deal in the report.
const (
	PlanOK     = "ok"     // milestones, and the plan passes check
	PlanErrors = "errors" // the plan fails check: progress is shown, no schedule
	PlanNone   = "none"   // no milestones: the deal has no plan
)

// Signal kinds: the warning signals of domain.md's failure table.
const (
	SignalDeciderAbsent = "decider-never-opened" // the economic buyer or approver never opened the room
	SignalOnlyChampion  = "only-champion"        // only the champion engaged
	// SignalChampionQuiet: the champion engaged, and has not in the last
	// ReportQuietDays, while others of the buyer's side have.
	SignalChampionQuiet = "champion-went-quiet"
	SignalDoneUnread    = "done-without-reading"       // a task done while its owner never read its collateral
	SignalNoEvidence    = "milestone-without-evidence" // a milestone done without a named artifact
	SignalUsualMissing  = "usual-milestone-missing"    // a milestone the plan's template has, which the plan lacks
	SignalQuiet         = "nobody-visited"             // no human-verified visit for ReportQuietDays
	SignalUnopened      = "not-opened-since-published" // no visit in the ReportUnopenedDays or more since the rooms were published
	SignalLatePiling    = "late-work-one-side"         // late work piling up on one side
	SignalNoBuyers      = "no-buyer-side"              // the plan names nobody on the buyer's side: no buyer has a room
	SignalNotPublished  = "not-published"              // the manifest lists no buyer room of the deal: nobody can open one
	SignalBlocked       = "step-blocked"               // a step the plan marks blocked
	// SignalOpenPastClose: an open deal whose close date has passed; a flag,
	// an alert from alert_days after it. The plan no longer says when the
	// deal signs: move the close with the buyer, or set the outcome.
	SignalOpenPastClose = "open-past-close"
	// SignalSaleDone: an open deal whose steps of the sale are all done
	// while its close date is ahead (or it has none): the plan says the
	// sale is over, the outcome is what is missing, and the win rates,
	// the won value and the handoff wait on it. A flag. Past the close
	// date, SignalOpenPastClose says it. Not a risk: it adds nothing to
	// the deal's attention score.
	SignalSaleDone = "sale-done-still-open"
	// SignalOwnerAbsent: buyer-side people who own open steps never
	// opened their room (nor replied from it), once it is a week old: the
	// fake-mutual plan, whose dates someone agreed for the people who own
	// them. Deciders have SignalDeciderAbsent instead. A flag; an alert
	// when one of their steps is late or due within a week.
	SignalOwnerAbsent = "owner-never-opened"
	// SignalMilestoneLate: a milestone past its date and not reached while
	// none of its open tasks is overdue (their dates are later, or it has
	// none open): overdue tasks do not show it. A flag from flag_days
	// after its date, an alert from alert_days.
	SignalMilestoneLate = "milestone-late"
	// SignalProposalMovesClose: a waiting reply proposes a later date for
	// a task or milestone, and accepting it would move the close: the
	// schedule, run again with the task done on the proposed date, would
	// finish past the close date (or later than it already does), or the
	// date proposed is itself after the close date (the go-live date for
	// a deal without one). A proposal of an earlier date, or one the
	// task's slack before the close absorbs, raises none; nor does a won
	// or lost deal. An alert when the date proposed is after the close or
	// the close would move alert_days or more (calendar days, as late
	// work is graded), else a flag.
	SignalProposalMovesClose = "proposal-moves-close"
	// SignalSingleThreaded: the plan names one person from the buyer, or
	// no economic buyer or approver: the deal hangs on one contact, or on
	// nobody who can sign. A flag; an alert when the deal closes within
	// closingSoonDays (or its close has passed).
	SignalSingleThreaded = "single-threaded"
	// SignalNoBuyerStep: the plan has steps of the sale and the buyer's
	// side owns none of them (done ones included): a seller's to-do
	// list. A flag.
	SignalNoBuyerStep = "no-buyer-step"
	// SignalOverrun: the plan's remaining work cannot be done by the close
	// date (the schedule's forecast, or a step dated after it), while the
	// close is ahead: the rooms say the target signature is at risk. A
	// flag; an alert from alert_days (calendar days) past the close. The
	// ranking counts it as "overrun".
	SignalOverrun = "plan-overrun"
	// SignalGoLivePassed: a won deal's go-live date has passed with
	// onboarding steps still open. A flag; an alert from alert_days after
	// it.
	SignalGoLivePassed = "golive-passed"
)

// Report is the status report for one day: per deal, and across deals.
type Report struct {
	SchemaVersion int        `json:"schema_version"`
	Title         string     `json:"title,omitempty"`
	Today         string     `json:"today"`
	Since         string     `json:"since,omitempty"`
	Timezone      string     `json:"timezone"`
	FlagDays      int        `json:"flag_days"`
	AlertDays     int        `json:"alert_days"`
	Input         InputStats `json:"input"`
	// Weeks are the Mondays (YYYY-MM-DD) of the weeks in each stakeholder's
	// Weekly engagement, oldest first, the last holding today.
	Weeks     []string     `json:"weeks"`
	Deals     []DealReport `json:"deals"`
	Portfolio *Portfolio   `json:"portfolio,omitempty"`
	// HistoryNote says why the deals have no history (the site is not in
	// git); empty when they have one.
	HistoryNote string `json:"history_note,omitempty"`
	// SettingsErrors are the errors of maproom.toml, file:line and what to
	// change: the report left those settings out and used their defaults.
	SettingsErrors []string `json:"settings_errors,omitempty"`
}

// InputStats says what was read and what was left out.
type InputStats struct {
	// PlansOnly is a report given no events at all (no log, no store):
	// it reports the plans, and says nothing of who visited or read what.
	PlansOnly  bool     `json:"plans_only,omitempty"`
	Files      int      `json:"files"`
	Lines      int      `json:"lines"`
	Events     int      `json:"events"`     // distinct events read
	Duplicates int      `json:"duplicates"` // (load, seq) seen before: another instance's copy or a retry
	Corrupt    int      `json:"corrupt"`    // lines that are not valid events
	CorruptAt  []string `json:"corrupt_at,omitempty"`
	// OutsideDates counts events before --since or after today.
	OutsideDates int `json:"outside_dates"`
	// OtherDeals counts events of deals left out by --deal.
	OtherDeals int `json:"other_deals"`
	// Unknown counts events of a deal or stakeholder the content no longer has.
	Unknown int `json:"unknown"`
	// LocalPreview counts the page-view events of `maproom serve`'s local
	// preview (event.PreviewInstance), left out: the seller looking.
	LocalPreview int `json:"local_preview"`
	// OutOfOrder counts events of a page-load that was closed, more than two
	// days of events earlier, before they were read (a log read out of day
	// order): if they are copies they count twice. Pass log folders (read
	// in day order), not files concatenated in another order.
	OutOfOrder int `json:"out_of_order"`
	PageLoads  int `json:"page_loads"`
	// Visits are the buyers' visits: their human page-loads close together
	// in time, counted once (see engagement.go).
	Visits     int `json:"visits"`
	HumanLoads int `json:"human_loads"` // human buyer page-loads, in Visits
	Scanner    int `json:"scanner"`     // scanner-like page-loads
	Glances    int `json:"glances"`     // too short to count, not scanner-like
	Previews   int `json:"previews"`    // human seller-side page-loads
}

// DealReport is one deal's status.
type DealReport struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Buyer   string `json:"buyer"`
	Outcome string `json:"outcome"`
	Value   int64  `json:"value,omitempty"`
	Close   string `json:"close,omitempty"`
	// DaysToClose is the calendar days from today to the close date,
	// negative once it has passed; absent without a close date.
	DaysToClose *int   `json:"days_to_close,omitempty"`
	Plan        string `json:"plan"` // PlanOK, PlanErrors or PlanNone
	// CheckErrors is how many errors `maproom check` reports for the deal.
	CheckErrors int `json:"check_errors"`
	// CheckMessages are the errors themselves, as check gives them
	// ("file:line: what to change"); absent when there is none.
	CheckMessages []string            `json:"check_messages,omitempty"`
	Progress      Progress            `json:"progress"`
	Milestones    []MilestoneProgress `json:"milestones"`
	// Overdue lists open tasks past their due date, most late first. Lost
	// deals have none; won deals only their late onboarding steps.
	Overdue  []OverdueTask    `json:"overdue"`
	Turn     *Turn            `json:"turn,omitempty"`
	Schedule *ScheduleSummary `json:"schedule,omitempty"`
	Tasks    []TaskLine       `json:"tasks"`
	// Stakeholders are the buyer-side people, in plan order.
	Stakeholders []StakeholderReport `json:"stakeholders"`
	// LastVisit is the last human-verified buyer visit (RFC 3339, site
	// timezone), empty when none.
	LastVisit string `json:"last_visit,omitempty"`
	// Published is the day the deal's first buyer room was published
	// (YYYY-MM-DD, as the builds recorded it in the manifest), empty when
	// the manifest does not say (built before maproom recorded it, or no
	// manifest). The quiet window of the signals starts no earlier, nor
	// before the first day the report reads (Since).
	Published      string `json:"published,omitempty"`
	SellerPreviews int    `json:"seller_previews"`
	// RepliesWaiting is how many replies wait for the seller: len(Replies).
	RepliesWaiting int `json:"replies_waiting"`
	// Replies are the replies the deal's people sent from their rooms, up
	// to the report's day, that no bundle record decides yet (accepted,
	// declined or answered), oldest first. Ended deals list theirs too.
	Replies []WaitingReply `json:"replies"`
	// Week is what changed over the WeekDays up to the report's day.
	Week *WeekChange `json:"week"`
	// Activity is what happened, the latest first (at most ActivityItems).
	Activity []Activity `json:"activity"`
	// History is what the plan's git history tells; absent when the site
	// is not in git.
	History *DealHistory `json:"history,omitempty"`
	// endedOn is the day the plan's history marked the deal won or lost
	// (zero: not known): its completion counts what was done by then.
	endedOn deal.Date
	// doneAtEnd is whether each task the history knows was done on
	// endedOn, by its commits.
	doneAtEnd map[string]bool
	// notAtEnd are the tasks the history says were not in the plan on
	// endedOn (added after, or removed then and put back): not the sale's.
	notAtEnd map[string]bool
	// unreadable: the plan's file cannot be read (its plan is PlanErrors).
	unreadable bool
	// forecast is Schedule, or for a plan that fails check the schedule
	// its steps still give: not shown as the deal's schedule line, but
	// its overrun is still a signal (one error elsewhere in the plan
	// does not hide that the close waits on work that cannot fit).
	forecast  *ScheduleSummary
	Signals   []Signal  `json:"signals"`
	Attention Attention `json:"attention"`
}

// WaitingReply is a reply that waits for the seller: maproom accept,
// decline or answer takes its ID.
type WaitingReply struct {
	ID          string `json:"id"`
	Stakeholder string `json:"stakeholder"`
	// Person is the stakeholder's name; their id when the deal no longer
	// has them, and then Side and Role are empty.
	Person string `json:"person"`
	Side   string `json:"side"`
	Role   string `json:"role"`
	Kind   string `json:"kind"` // confirm, propose, done, blocked, question or suggest
	// TargetKind is what the reply is about: "plan", "task" or
	// "milestone"; empty when Target names nothing the plan has now.
	TargetKind string `json:"target_kind"`
	Target     string `json:"target,omitempty"` // the task or milestone id
	// About is the task's or milestone's title, "the plan", or, for a
	// target the plan no longer has, its id and "(not in the plan)".
	About string `json:"about"`
	// Due is the target's due date now: a task's effective due date (see
	// TaskLine.Due), a milestone's own; empty without one.
	Due      string `json:"due,omitempty"`
	Date     string `json:"date,omitempty"`     // the date confirmed, proposed or done, or a suggestion's by-when
	Reason   string `json:"reason,omitempty"`   // propose, blocked
	Text     string `json:"text,omitempty"`     // a question, a suggestion's title
	Evidence string `json:"evidence,omitempty"` // done
	Owner    string `json:"owner,omitempty"`    // suggest: who would own it, as the person wrote it
	Sent     string `json:"sent"`               // RFC 3339, site timezone
	// AgeDays is the calendar days from the day it was sent to the
	// report's day.
	AgeDays int `json:"age_days"`
	// Note says what makes it stale, as maproom replies notes it: the
	// person replied again on the same step since ("superseded by <id>"),
	// or the step it would change is done since.
	Note string `json:"note,omitempty"`
	// Preview: sent from the local preview (maproom serve), the seller's
	// own click in the person's room: not their engagement, and no signal.
	Preview bool `json:"preview,omitempty"`
	// OldLink: sent from a link of theirs rotated since (rotate: in the
	// plan), which may have leaked: not known to be theirs (Note says so),
	// nor counted as their engagement.
	OldLink bool `json:"old_link,omitempty"`
	// supersededBy is the person's later reply on the same step, if any.
	supersededBy string
}

// Superseded reports whether the person replied again on the same step
// since: their later reply stands.
func (w WaitingReply) Superseded() bool { return w.supersededBy != "" }

// Progress counts a set of tasks.
type Progress struct {
	Done       int `json:"done"`
	Total      int `json:"total"`
	DoneOnTime int `json:"done_on_time"` // done on or before the effective due date (its own, or the computed one), or with none
	DoneLate   int `json:"done_late"`
	Open       int `json:"open"`
	Overdue    int `json:"overdue"` // open and past due
	Percent    int `json:"percent"` // done / total, rounded down; 0 with no tasks
}

// MilestoneProgress is one milestone's progress. A milestone is done when
// it has tasks and all of them are done; DoneOn is then its last task's
// done date.
type MilestoneProgress struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Due      string   `json:"due,omitempty"`
	Lead     string   `json:"lead"`
	LeadName string   `json:"lead_name"`
	Done     bool     `json:"done"`
	DoneOn   string   `json:"done_on,omitempty"`
	Progress Progress `json:"progress"`
	// DaysLate is the calendar days a milestone not reached is past its
	// date (deal.MilestoneDaysLate), graded as a task's lateness
	// (Severity), and BusinessDaysLate the site calendar's business days;
	// absent when it is not late.
	DaysLate         int    `json:"days_late,omitempty"`
	BusinessDaysLate int    `json:"business_days_late,omitempty"`
	Severity         string `json:"severity,omitempty"`
	// Onboarding marks a milestone after the close (onboarding: true):
	// work of the customer's onboarding, not of the sale, left out of the
	// portfolio's completion.
	Onboarding bool `json:"onboarding,omitempty"`
}

// OverdueTask is an open task past its due date.
type OverdueTask struct {
	Task      string `json:"task"`
	Title     string `json:"title"`
	Milestone string `json:"milestone"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name"`
	Side      string `json:"side"`
	Status    string `json:"status"`
	Due       string `json:"due"`
	// DueComputed is true when the task has no due date of its own and Due
	// is the latest finish the schedule computed.
	DueComputed bool `json:"due_computed,omitempty"`
	DaysLate    int  `json:"days_late"` // calendar days
	// BusinessDaysLate is the business days (the site calendar's, the
	// schedule's unit) after Due up to today.
	BusinessDaysLate int    `json:"business_days_late"`
	Severity         string `json:"severity"` // SeverityLate, SeverityFlag or SeverityAlert
	Critical         bool   `json:"critical"` // on the critical path
	// WaitsOn is the open step this one waits on through after:, directly
	// or through other open steps: one with no open dependency, the step
	// the turn would name for it (deal.Upstream); "" when it waits on no
	// open step.
	WaitsOn string `json:"waits_on,omitempty"`
	// Answer is the waiting reply that reports the task done or proposes
	// another date for it; nil when none.
	Answer *Answer `json:"answer,omitempty"`
	// DoneAhead is the done date the plan gives the task, after the
	// report's day: marked done, it is open on the day (check questions
	// the date); "" otherwise.
	DoneAhead string `json:"done_ahead,omitempty"`
}

// StatusLine is the task's status as the overdue tables show it, with
// what a waiting reply answered of it: "in-progress, reported done (reply
// abc)".
func (o OverdueTask) StatusLine() string {
	switch {
	case o.DoneAhead != "":
		return o.Status + " on the day (marked done on " + o.DoneAhead + ")"
	case o.Answer == nil:
		return o.Status
	case o.Answer.Kind == "done":
		return o.Status + ", reported done (reply " + o.Answer.Reply + ")"
	}
	return o.Status + ", " + o.Answer.Date + " proposed (reply " + o.Answer.Reply + ")"
}

// Answer is a reply waiting for the seller that answers a late or next
// step from the room: its sender reported it done, or proposed another
// date. The move is then the seller's: accept it, or decline it.
type Answer struct {
	Reply  string `json:"reply"`          // its id
	Kind   string `json:"kind"`           // done or propose
	Person string `json:"person"`         // who sent it
	Sent   string `json:"sent"`           // the day it was sent, YYYY-MM-DD in the site timezone
	Date   string `json:"date,omitempty"` // the day done, or the date proposed
}

// Turn says whose move it is (deal.WaitingOn): the owner of the open task
// latest past its date, else of the first open task of the critical path
// from durations, else of the open task due first; and when that task
// waits on open work, of the step upstream with no open dependency.
//
// When the person answered that step from their room (Answer: reported
// it done, or proposed another date) and the reply waits for the seller,
// the move is the seller's: Side is "seller", the rest still the step's.
type Turn struct {
	Side      string `json:"side"`
	Task      string `json:"task"`
	Title     string `json:"title"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name"`
	Due       string `json:"due,omitempty"`
	Critical  bool   `json:"critical"`
	// DaysLate is the task's calendar days late on the report's day (0
	// when it is not late), and Severity its grade ("" when not late).
	DaysLate int    `json:"days_late"`
	Severity string `json:"severity,omitempty"`
	// HoldsUp is the step picked first (the one latest past its date, or
	// the next move) when it waits on Task: Task is named because HoldsUp
	// cannot go ahead without it; "" when Task is that step.
	HoldsUp string `json:"holds_up,omitempty"`
	// Answer is the reply waiting for the seller that answers Task; nil
	// when none.
	Answer *Answer `json:"answer,omitempty"`
}

// Schedule bases of a ScheduleSummary.
const (
	// ScheduleDurations: open work has durations, so the schedule forecasts
	// when it can finish (Finish) and compares that with the close date.
	ScheduleDurations = "durations"
	// ScheduleDueDates: the open work is written with due dates only (no
	// duration:), so nothing forecasts when it can finish: the last open
	// due date (LastDue) is compared with the close date.
	ScheduleDueDates = "due-dates"
)

// ScheduleSummary is what the schedule says of the remaining work.
type ScheduleSummary struct {
	// Basis is ScheduleDurations or ScheduleDueDates: ScheduleDueDates
	// when no open task has a duration, or when the forecast would be
	// today (open checkpoints only), which says nothing while work is
	// open.
	Basis string `json:"basis"`
	// Finish is the earliest day all open work due by the close can be
	// done, from the durations, a step with a date and no duration (a
	// meeting, a signature) on its date; empty for ScheduleDueDates.
	// Onboarding work, after the close, is left out of the whole summary.
	Finish string `json:"finish,omitempty"`
	// Open is the number of open tasks due by the close.
	Open int `json:"open"`
	// LastDue is the latest effective due date of the open tasks, and
	// LastDueTask the task due then (on a tie, the one that waits on the
	// others, else the first in plan order);
	// empty when no open task has a due date.
	LastDue     string `json:"last_due,omitempty"`
	LastDueTask string `json:"last_due_task,omitempty"`
	// Fits: the open work finishes (ScheduleDurations: Finish;
	// ScheduleDueDates: LastDue) by the close date. ClosePassed: the close
	// date is before the report's day with work still open, so nothing
	// fits (ScheduleDueDates; a forecast from durations is after it too).
	Fits        bool `json:"fits"`
	ClosePassed bool `json:"close_passed,omitempty"`
	// OverrunDays is how many business days Finish (ScheduleDurations) or
	// LastDue (ScheduleDueDates) falls after the close date.
	OverrunDays int `json:"overrun_days"`
	// CriticalPath is a chain of open tasks through their after:
	// dependencies, first to last. ScheduleDurations: the chain that
	// decides Finish, the one the close waits on: back from the open task
	// that finishes last, at each step the open predecessor finishing last
	// (schedule.Plan.CriticalPath). ScheduleDueDates: the open work
	// LastDueTask waits on, back through after: (at each step the open
	// predecessor with the least room before a later date).
	CriticalPath []string `json:"critical_path"`
}

// TaskLine is one task on the plan timeline. Start and Finish are the
// schedule's earliest start and finish (the done date for a done task);
// empty when the plan has errors.
type TaskLine struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Milestone string `json:"milestone"`
	Owner     string `json:"owner"`
	Side      string `json:"side"`
	Status    string `json:"status"`
	Due       string `json:"due,omitempty"`
	Done      string `json:"done,omitempty"`
	Start     string `json:"start,omitempty"`
	Finish    string `json:"finish,omitempty"`
	Critical  bool   `json:"critical"`
	Overdue   bool   `json:"overdue"`
}

// StakeholderReport is one buyer-side person's engagement.
type StakeholderReport struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Role  string `json:"role"`
	// Room is false when the manifest has no room for them: no link was
	// published yet (run maproom build).
	Room bool `json:"room"`
	// RoomSince is the day the person's room has been out since, as the
	// report judges "never opened" by it: the day the manifest records,
	// or the first page-load of their link when earlier (without a
	// manifest, of the deal's links, not before its plan's first commit);
	// empty when not known, or not judged (an ended deal).
	RoomSince string `json:"room_since,omitempty"`
	// Visits are their visits: human page-loads close together in time,
	// the room's and its documents', counted once.
	Visits int `json:"visits"`
	// FirstVisit is when their first visit began; LastVisit when the
	// last human page-load of their last visit began (RFC 3339, site
	// timezone).
	FirstVisit    string `json:"first_visit,omitempty"`
	LastVisit     string `json:"last_visit,omitempty"`
	ActiveSeconds int64  `json:"active_seconds"`
	// Replies counts the replies they sent from their room in the days
	// the report reads, waiting or decided; LastReply is when the last was
	// sent (RFC 3339, site timezone). A reply is engagement: a person who
	// answered the plan opened their room, whatever the page-loads say (a
	// room works without JavaScript, so a reply can come with none).
	Replies   int    `json:"replies"`
	LastReply string `json:"last_reply,omitempty"`
	// Networks is how many distinct networks (/24 or /48) the visits came
	// from: more than one or two hints that the link was forwarded.
	Networks int `json:"networks"`
	// OldLinkVisits counts visits through a rotated-away link (its human
	// page-loads, joined into visits as Visits are), not in Visits:
	// whoever held the old link, not evidence the person read.
	OldLinkVisits int `json:"old_link_visits"`
	Scanner       int `json:"scanner"` // scanner-like page-loads, not counted as visits
	Glances       int `json:"glances"`
	// Opened are the documents they read, in content order; NeverOpened
	// the documents of their room they never read (a link followed from
	// the room is not a read: see engagement.go).
	Opened      []OpenedDoc     `json:"opened"`
	NeverOpened []CollateralRef `json:"never_opened"`
	// Weekly is their active minutes per week of Report.Weeks, rounded;
	// WeeklySeconds the same in seconds, which shows a week of a few
	// seconds.
	Weekly        []int   `json:"weekly"`
	WeeklySeconds []int64 `json:"weekly_seconds"`
}

// OpenedDoc is a document a stakeholder read (see engagement.go).
type OpenedDoc struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Times int    `json:"times"` // visits that read it
	// ActiveSeconds is their reading time: the active seconds of their
	// human page-loads of its own page (Markdown collateral); 0 for a
	// document published as a file, read by downloading it.
	ActiveSeconds int64  `json:"active_seconds"`
	Last          string `json:"last"` // when its last read began, RFC 3339, site timezone
}

// CollateralRef names a document.
type CollateralRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Signal is one warning signal with the evidence behind it.
type Signal struct {
	Kind     string   `json:"kind"`     // one of the Signal* constants
	Severity string   `json:"severity"` // SeverityFlag or SeverityAlert
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`

	// counted: the ranking counts it elsewhere (a blocked step that is
	// overdue is in the overdue work's points).
	counted bool
	// holdsClose: a blocked step the close (a won deal's go-live) waits
	// on; such a deal is not committed.
	holdsClose bool
}

// Attention scores how urgently a deal needs the seller: the sum of the
// points of its reasons (see attentionPoints in deal.go), listed heaviest
// first. Its overdue work is one reason, worth its three most severe tasks.
type Attention struct {
	Score   int               `json:"score"`
	Reasons []AttentionReason `json:"reasons"`
}

// AttentionReason is one contribution to an attention score.
type AttentionReason struct {
	Points int    `json:"points"`
	Why    string `json:"why"`
}

// RecentDays is how far back a deal that ended counts as recent, for
// coverage: a quarter.
const RecentDays = 90

// Portfolio is the view across deals that sales leadership reads.
type Portfolio struct {
	Deals int `json:"deals"`
	Open  int `json:"open"`
	Won   int `json:"won"`
	Lost  int `json:"lost"`
	// Coverage is the recent deals run with a plan (at least one
	// milestone, as the win rates count it; PortfolioRow.Covered), of the
	// recent deals: the open ones, and those that ended (won or lost) with
	// a close date in the RecentDays before the report's day or after it.
	Coverage Ratio `json:"coverage"`
	// Completion is tasks done of all tasks, over ended (won or lost) deals
	// that had a plan: the sale's tasks, onboarding milestones left out.
	Completion Ratio `json:"completion"`
	// WinRateWithPlan and WinRateWithoutPlan are won deals of ended deals,
	// with a plan (at least one milestone) and without.
	WinRateWithPlan    Ratio `json:"win_rate_with_plan"`
	WinRateWithoutPlan Ratio `json:"win_rate_without_plan"`
	// BySize compares the two win rates at comparable size (domain.md):
	// the ended deals with a value, split into the smaller and the larger
	// at the value nearest their median that leaves deals on both sides;
	// absent with fewer than two such deals, or when they all have the
	// same value.
	BySize []SizeBand `json:"win_rate_by_size,omitempty"`
	// Ranking lists the deals that need attention (score above 0): the
	// open ones, and won ones for their onboarding; highest priority (the
	// score times the size weight) first.
	Ranking []RankedDeal `json:"ranking"`
	// SizeMedian is the median value of the open deals with a value, the
	// ranking's size weights are against; absent (and every weight 1) when
	// fewer than 3 open deals have a value.
	SizeMedian int64 `json:"size_median,omitempty"`
	// Pipeline is the value of the open deals; WonValue of the won ones
	// (the plans' value: fields; reports only, never a room).
	Pipeline int64 `json:"pipeline"`
	// Committed is the part of Pipeline a forecast may count: the open
	// deals run with a current, dated plan (domain.md: a deal without one
	// is not a committed forecast): one that passes check, whose close
	// date has not passed and that still fits before it (not
	// SignalOverrun nor history.SignalPastClose) and that has no step late
	// at alert on its critical path or holding up other late steps, whose
	// completion is not
	// flat (a zombie plan, history.SignalFlat), that is mutual (not SignalNoBuyerStep: the
	// buyer owns some of its steps), that has steps, and that the buyer
	// has: not a deal none of whose rooms is published
	// (SignalNotPublished) or whose plan names nobody on the buyer's side
	// (SignalNoBuyers).
	Committed int64 `json:"committed_pipeline"`
	// PublishedUnknown is true when no room manifest was read: whether
	// the rooms were published is not known, and Committed does not leave
	// out the deals whose rooms are not.
	PublishedUnknown bool  `json:"published_unknown,omitempty"`
	WonValue         int64 `json:"won_value"`
	// History sums the plans' git histories; absent without one.
	History *PortfolioHistory `json:"history,omitempty"`
	// Rows is one line per deal, in id order.
	Rows []PortfolioRow `json:"rows"`
}

// Ratio is a share: Num of Den, Percent rounded to a whole number (absent
// when Den is 0).
type Ratio struct {
	Num     int  `json:"num"`
	Den     int  `json:"den"`
	Percent *int `json:"percent,omitempty"`
}

// RankedDeal is a deal in the attention ranking.
type RankedDeal struct {
	Rank        int               `json:"rank"`
	Deal        string            `json:"deal"`
	Title       string            `json:"title"`
	Score       int               `json:"score"`
	DaysToClose *int              `json:"days_to_close,omitempty"`
	Value       int64             `json:"value,omitempty"`
	Reasons     []AttentionReason `json:"reasons"`
	// Onboarding marks a won deal ranked for its onboarding: its late
	// steps and its signals (see Signals).
	Onboarding bool `json:"onboarding,omitempty"`
	// SizeWeight is the deal's value against the open deals' median value
	// (Portfolio.SizeMedian), clipped to [0.5, 3], to two decimals; 1 for
	// a deal without a value, a won deal ranked for its onboarding, or
	// with no median. Priority is Score times SizeWeight: the ranking's
	// order, the most value at risk first.
	SizeWeight float64 `json:"size_weight"`
	Priority   float64 `json:"priority"`
	weight     int64   // SizeWeight in hundredths
}

// PortfolioRow is one deal in the portfolio.
type PortfolioRow struct {
	Deal    string `json:"deal"`
	Title   string `json:"title"`
	Outcome string `json:"outcome"`
	Plan    string `json:"plan"`
	// Covered is whether the deal is run with a plan: one with at least
	// one milestone, as the win rates with and without a plan count it
	// (a plan that fails check is still the plan the deal is run with; one
	// whose file cannot be read is not known to hold a milestone).
	Covered bool `json:"covered"`
	// Committed is whether the deal's value is in the committed pipeline
	// (Portfolio.Committed): the rows whose committed is true sum to it.
	Committed bool `json:"committed"`
	// Recent is whether coverage counts the deal: open, or ended with a
	// close date within RecentDays before the report's day or after it.
	Recent bool `json:"recent"`
	// Done and Total count the sale's tasks (onboarding milestones left
	// out), as the portfolio's completion does.
	Done        int    `json:"done"`
	Total       int    `json:"total"`
	DaysToClose *int   `json:"days_to_close,omitempty"`
	Overdue     int    `json:"overdue"`
	Alerts      int    `json:"alerts"` // overdue tasks and signals at alert severity
	Signals     int    `json:"signals"`
	Visits      int    `json:"visits"`
	LastVisit   string `json:"last_visit,omitempty"`
	Score       int    `json:"score"`
	Value       int64  `json:"value,omitempty"`
	// History is the deal's history figures the portfolio's history
	// counts (nil without a history): the rows whose in_history_figures
	// is true are its deals, as in the CSV.
	History *RowHistory `json:"history,omitempty"`
}

// RowHistory is a portfolio row's history figures.
type RowHistory struct {
	Commits        int `json:"commits"`
	BuyerEdits     int `json:"buyer_edits"`
	BuyerEditsOpen int `json:"buyer_edits_while_open"`
	// Slips are the moves later (an item moved three times is three, a
	// step moved with its milestone one), SlipDays their days in all, and
	// SlipEachDays each one's: the median slip's input.
	Slips            int   `json:"slips"`
	SlipDays         int   `json:"slip_days"`
	SlipEachDays     []int `json:"slip_each_days"`
	InHistoryFigures bool  `json:"in_history_figures"`
}

// SizeBand is the win rates with and without a plan of the ended deals
// whose value is at least Min and, when Max is not 0, under Max.
type SizeBand struct {
	Min         int64 `json:"min"`
	Max         int64 `json:"max,omitempty"`
	WithPlan    Ratio `json:"with_plan"`
	WithoutPlan Ratio `json:"without_plan"`
}

// Label says the band's values: "under 150,000", "150,000 and over".
func (b SizeBand) Label() string {
	if b.Max != 0 {
		return "under " + money(b.Max)
	}
	return money(b.Min) + " and over"
}

func ratio(num, den int) Ratio {
	r := Ratio{Num: num, Den: den}
	if den > 0 {
		p := percent(num, den)
		r.Percent = &p
	}
	return r
}

// forecastOf is the schedule the deal's overrun is judged by: its
// forecast, or its schedule line when the forecast was not worked out.
func (dr *DealReport) forecastOf() *ScheduleSummary {
	if dr.forecast != nil {
		return dr.forecast
	}
	return dr.Schedule
}
