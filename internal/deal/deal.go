// Package deal holds the domain types of maproom: a deal and its mutual
// action plan (milestones, tasks), its stakeholders and its collateral.
//
// The types carry no behaviour that needs I/O. They are produced by the
// generator's loader (which validates them) and read by the renderer, the
// scheduler and the analytics reports. A Deal returned by the loader without
// error satisfies every rule of design.md's "Checking a plan" errors; values
// built by hand are not checked.
package deal

import (
	"fmt"
	"strings"
	"time"
)

// Side is the side of the table a stakeholder sits on.
type Side string

// The two sides.
const (
	Buyer  Side = "buyer"
	Seller Side = "seller"
)

// Role is a stakeholder's part in the decision.
type Role string

// BuyerRoles and SellerRoles list the roles valid on each side; RoleOther is
// valid on either.
var (
	BuyerRoles = []Role{"economic-buyer", "champion", "technical-evaluator", "security", "legal",
		"procurement", "end-user", "executive-sponsor", "approver"}
	SellerRoles = []Role{"account-executive", "solutions-engineer", "sales-manager", "customer-success"}
)

// RoleOther is valid on either side.
const RoleOther Role = "other"

// Decides reports whether r is a role whose silence stalls a deal: the
// economic buyer's or an approver's (domain.md: "the approver / economic
// buyer never opened it").
func (r Role) Decides() bool { return r == "economic-buyer" || r == "approver" }

// Status is a task's state.
type Status string

// Task states.
const (
	Todo       Status = "todo"
	InProgress Status = "in-progress"
	Done       Status = "done"
	Blocked    Status = "blocked"
)

// Statuses lists the valid task states in display order.
var Statuses = []Status{Todo, InProgress, Done, Blocked}

// Outcome is how a deal ended, or open while it runs.
type Outcome string

// Deal outcomes.
const (
	Open Outcome = "open"
	Won  Outcome = "won"
	Lost Outcome = "lost"
)

// Date is a calendar day in the site's timezone, stored as midnight UTC so
// that day arithmetic is exact. The zero Date means "not set".
type Date struct{ t time.Time }

// NewDate returns the Date for year, month and day.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date { y, m, d := t.Date(); return NewDate(y, m, d) }

// ParseDate parses YYYY-MM-DD. It accepts and refuses what time.Parse
// with time.DateOnly does (FuzzParseDate holds it to that), reading the
// common well-formed date without it.
func ParseDate(s string) (Date, error) {
	if y, m, d, ok := digitsDate(s); ok {
		return NewDate(y, time.Month(m), d), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// Plausible reports whether d is a day a plan can mean: in the years 1970
// to 2199. A date outside them is a typo (0001-01-01 reads as no date,
// and counting days to 0000-01-01 overflows: days are counted as a
// time.Duration, which holds about 292 years); the loader refuses it.
func (d Date) Plausible() bool {
	y := d.t.Year()
	return !d.IsZero() && y >= 1970 && y <= 2199
}

// digitsDate reads a valid YYYY-MM-DD; ok false for anything else, which
// time.Parse reads or refuses with its own words.
func digitsDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var ok1, ok2, ok3 bool
	y, ok1 = num(s[:4])
	m, ok2 = num(s[5:7])
	d, ok3 = num(s[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 {
		return 0, 0, 0, false
	}
	return y, m, d, d <= DaysIn(y, m)
}

// DaysIn returns the number of days of month m (1 to 12) of year y in the
// proleptic Gregorian calendar.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns d as midnight UTC.
func (d Date) Time() time.Time { return d.t }

// String formats d as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	y, m, day := d.t.Date()
	if y < 0 || y > 9999 {
		return d.t.Format(time.DateOnly)
	}
	// As time.DateOnly formats it, without parsing the layout each time:
	// the history formats a date for every change it tells.
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + day/10), byte('0' + day%10)}
	return string(b[:])
}

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// DaysUntil returns the number of calendar days from d to e (negative when e
// is before d).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// Deal is one deal: its plan, people and collateral. ID is the bundle's
// folder name; File is the index.md path relative to the site root, used in
// messages.
type Deal struct {
	ID      string
	File    string
	Title   string
	Buyer   string
	Seller  string
	Goal    string
	Close   Date
	GoLive  Date
	Outcome Outcome
	// Withdrawn asks that a lost deal's rooms be taken down: the next
	// build publishes none (their links answer 404) and the manifest lists
	// none (the beacon refuses their tokens). Only a lost deal may be
	// withdrawn; the loader refuses it on any other.
	Withdrawn bool
	Value     int64 // never rendered into a room: reports only
	// Template names the template maproom new started the plan from ("":
	// none said): the milestones deals of that kind usually need are
	// checked against the plan's ("an industry's usual milestone
	// missing", the generic template's early signal).
	Template string
	// BuyerLogo is the buyer's logo for this deal's rooms: a PNG, JPEG
	// or GIF file of the bundle (relative to it), "" for none.
	BuyerLogo    string
	Review       Review
	Stakeholders []Stakeholder
	Milestones   []Milestone
	Criteria     []string
	Collateral   []Collateral
	Body         []byte // the welcome note, Markdown
}

// Review is the weekly MAP review meeting. Zero Day means none is set.
type Review struct {
	Day    time.Weekday
	HasDay bool
	Time   string // HH:MM, site timezone
	Length time.Duration
}

// Part is the minutes of each third of the review (status, blockers,
// next week): 5 of the usual 15, 10 of 30; at least one.
func (r Review) Part() int { return max(1, int((r.Length+90*time.Second)/(3*time.Minute))) }

// Agenda says the review's three parts, for its calendar invite.
func (r Review) Agenda() string {
	n := r.Part()
	return fmt.Sprintf("Weekly review of the mutual action plan: %d minutes status, %d blockers, %d next week.", n, n, n)
}

// Stakeholder is a person in the decision. Rotate is the link rotation
// counter: bumping it invalidates that person's link only.
type Stakeholder struct {
	ID        string
	Name      string
	Title     string
	Side      Side
	Role      Role
	Influence string
	Email     string
	// Phone and Booking are optional contact details a seller's contact
	// card shows: a phone number (digits, spaces, + ( ) - .) and an
	// https link to a booking page.
	Phone   string
	Booking string
	Rotate  int
	Line    int
}

// Milestone is a decision point. It has exactly one lead. An Onboarding
// milestone belongs to the joint execution plan after signature: it is
// expected after the close date, and a won deal's plan carries on with it.
type Milestone struct {
	ID         string
	Title      string
	Due        Date
	Lead       string
	Evidence   string
	Onboarding bool
	Tasks      []Task
	Line       int
}

// Task is one row of the plan with exactly one owner. Duration is in
// business days (0 when not given). After lists task ids it depends on.
type Task struct {
	ID         string
	Title      string
	Owner      string
	Due        Date
	Status     Status
	Done       Date
	After      []string
	Evidence   string
	Collateral []string
	Duration   int
	Milestone  string // id of the milestone holding the task
	Line       int
	// DoneAhead is the done date the plan gives a task marked done on a
	// day after the one the plan is read as of (AsOf): open on that day,
	// and said so; zero otherwise.
	DoneAhead Date
}

// Collateral is a document of the deal. File is relative to the bundle.
// Audience lists stakeholder ids and "role:<role>" entries. A nil Audience
// (the plan has no audience key) means every buyer stakeholder; a non-nil
// empty one admits no buyer at all, so a list emptied by mistake never
// widens who sees the document (the loader refuses it with its line).
type Collateral struct {
	ID       string
	Title    string
	File     string
	Audience []string
	Line     int
}

// IsPage reports whether the collateral renders as a page (a .md file)
// rather than being published as is.
func (c Collateral) IsPage() bool {
	n := len(c.File)
	return n > 3 && c.File[n-3:] == ".md"
}

// Milestone returns the milestone with id, if any.
func (d *Deal) Milestone(id string) (*Milestone, bool) {
	for i := range d.Milestones {
		if d.Milestones[i].ID == id {
			return &d.Milestones[i], true
		}
	}
	return nil, false
}

// Task returns the task with id, if any, in whichever milestone it is.
func (d *Deal) Task(id string) (*Task, bool) {
	for i := range d.Milestones {
		for j := range d.Milestones[i].Tasks {
			if d.Milestones[i].Tasks[j].ID == id {
				return &d.Milestones[i].Tasks[j], true
			}
		}
	}
	return nil, false
}

// Stakeholder returns the stakeholder with id, if any.
func (d *Deal) Stakeholder(id string) (*Stakeholder, bool) {
	for i := range d.Stakeholders {
		if d.Stakeholders[i].ID == id {
			return &d.Stakeholders[i], true
		}
	}
	return nil, false
}

// OwnerSide returns the side of a task's owner: the stakeholder's, or
// for an owner "role:<role>" the role's (SideOfRole); ok false for an
// owner who is neither.
func (d *Deal) OwnerSide(owner string) (side Side, ok bool) {
	if s, found := d.Stakeholder(owner); found {
		return s.Side, true
	}
	if r, isRole := cutRole(owner); isRole {
		return SideOfRole(r), true
	}
	return "", false
}

// Tasks returns every task of the plan in plan order.
func (d *Deal) Tasks() []*Task {
	var ts []*Task
	for i := range d.Milestones {
		for j := range d.Milestones[i].Tasks {
			ts = append(ts, &d.Milestones[i].Tasks[j])
		}
	}
	return ts
}

// TitleKey is a step's title as people tell steps apart: lowercase, with
// its runs of spaces as one and none at either end. Two titles with the
// same key name the same step for a reader ("Order form signed" and
// "order form  signed").
func TitleKey(title string) string {
	return strings.ToLower(strings.Join(strings.Fields(title), " "))
}

// TaskTitled returns the first task of the plan, in plan order, whose
// title has the key of title (TitleKey); none for an empty title.
func (d *Deal) TaskTitled(title string) (*Task, bool) {
	k := TitleKey(title)
	if k == "" {
		return nil, false
	}
	for _, t := range d.Tasks() {
		if TitleKey(t.Title) == k {
			return t, true
		}
	}
	return nil, false
}

// CanSee reports whether stakeholder s is in collateral c's audience. Seller
// stakeholders see every collateral (their room previews what buyers see);
// a nil audience means every buyer stakeholder, and an empty, non-nil one no
// buyer (it fails closed).
func (c Collateral) CanSee(s Stakeholder) bool {
	if s.Side == Seller {
		return true
	}
	if c.Audience == nil {
		return true
	}
	for _, a := range c.Audience {
		if a == s.ID || a == "role:"+string(s.Role) {
			return true
		}
	}
	return false
}
