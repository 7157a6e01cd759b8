// Package handoff owns the customer-success handoff of a deal: the whole
// trail a signed deal hands on to the people who onboard the customer (the
// goal and the criteria promised, who's who with their engagement, the
// completed steps with their dates and evidence, the replies and answers,
// the review notes, and what is still open, with its owner).
//
// New gathers a Bundle from a loaded deal and its records; the caller adds
// the engagement the report judged from the event log with Engage (the
// package reads no log itself). JSON, Markdown and HTML render the same Bundle; HTML is one
// self-contained file (inline CSS, no script, no request to anywhere), so it
// opens offline from a mail attachment or a shared drive.
package handoff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/reply"
)

// Version is the JSON schema version of a Bundle.
const Version = 1

// Bundle is one deal's handoff. Dates are YYYY-MM-DD in the site timezone.
// It holds nothing of the deal's value.
type Bundle struct {
	Version   int      `json:"version"`
	Generated string   `json:"generated"` // the day it was made
	Deal      DealInfo `json:"deal"`
	Criteria  []string `json:"criteria"`
	People    []Person `json:"people"`
	Completed []Step   `json:"completed"` // done steps, by done date
	Open      []Step   `json:"open"`      // open steps, by due date
	// Replies are the replies sent from the rooms, by day sent: those
	// decided, and those waiting for an answer (State "waiting"), which
	// are open items too (Waiting).
	Replies []Reply  `json:"replies"`
	Reviews []Review `json:"reviews"` // by day
	// History is the plan's story from git, oldest first, one line per
	// change ("12 Oct: task "X" moved 3 days later, 10 Oct to 13 Oct, by
	// Jordan Park"); HistoryRead is false when the site is not in git (or
	// its history was not read), which is not "nothing changed".
	History     []string `json:"history"`
	HistoryRead bool     `json:"history_read"`
	// HistoryNote says why the history was not read: the site is not in
	// git, the plan not committed yet.
	HistoryNote string `json:"history_note,omitempty"`
	// Engaged is true once an event log was read (the caller sets it):
	// without one, nobody's engagement is known, which is not "never
	// opened".
	Engaged bool           `json:"engagement_read"`
	people  map[string]int // stakeholder id -> index in People
	tz      *time.Location
}

// DealInfo is what the deal is and where it stands.
type DealInfo struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Buyer   string `json:"buyer"`
	Seller  string `json:"seller"`
	Goal    string `json:"goal"`
	Outcome string `json:"outcome"`
	Close   string `json:"close"`
	// Signed is the day the contract was signed, where Close is the date
	// it was planned for: the day the sale's last step was done, else the
	// day the plan's history marked the deal won; empty when neither says
	// (or the deal is not won).
	Signed string `json:"signed,omitempty"`
	GoLive string `json:"golive,omitempty"`
}

// Person is a stakeholder and what their room shows they engaged with, as
// the report counts it (see Visits): Visits counts their visits (a
// scanner's, a crawler's, the seller's local preview and a glance are
// none), ActiveMinutes their active use, Opened the documents they read
// (titles). The seller side has none: their views are previews.
type Person struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Title         string   `json:"title,omitempty"`
	Side          string   `json:"side"`
	Role          string   `json:"role"`
	Email         string   `json:"email,omitempty"`
	Visits        int      `json:"visits"`
	ActiveMinutes int      `json:"active_minutes"`
	FirstVisit    string   `json:"first_visit,omitempty"`
	LastVisit     string   `json:"last_visit,omitempty"`
	Opened        []string `json:"opened,omitempty"`
	// Replies counts the replies they sent from their room, LastReply
	// the day of the last: a person who replied opened it.
	Replies   int    `json:"replies,omitempty"`
	LastReply string `json:"last_reply,omitempty"`
}

// Step is a task of the plan. Done is set for a completed step; Due is
// its effective due date (the plan's, else the schedule's).
type Step struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Milestone  string `json:"milestone"`
	Onboarding bool   `json:"onboarding,omitempty"`
	Owner      string `json:"owner"`
	Side       string `json:"side,omitempty"`
	Status     string `json:"status"`
	Due        string `json:"due,omitempty"`
	Done       string `json:"done,omitempty"`
	Evidence   string `json:"evidence,omitempty"`
	// Received is the evidence the buyer sent with the reply, accepted,
	// that marked the step done (Evidence is what the plan asked for).
	Received string `json:"received,omitempty"`
	// DaysLate is the calendar days an open step is past its due date on
	// the handoff's day (0: not late), as the report and notify count it.
	DaysLate int `json:"days_late,omitempty"`
}

// Reply is a buyer's reply from their room and what became of it: State
// is reply.Waiting until the seller's side accepts, declines or answers it.
type Reply struct {
	Day   string `json:"day"`
	From  string `json:"from"`
	Kind  string `json:"kind"`
	About string `json:"about"`
	What  string `json:"what,omitempty"`
	State string `json:"state"`
	// Why is the reason a declined reply was given; Answer the seller's
	// answer to one answered.
	Why    string `json:"why,omitempty"`
	Answer string `json:"answer,omitempty"`
}

// Review is one review note of the bundle (reviews/YYYY-MM-DD.md).
type Review struct {
	Day  string `json:"day"`
	Text string `json:"text"` // Markdown, as written
}

// Input is what New reads. DueOf gives a task's effective due date (zero
// when it has none); Records are the bundle's reply records
// (reply.ReadRecords) with the replies sent from the rooms that no record
// decides yet (a Record without decisions: waiting); Reviews its review notes; TZ the site timezone
// (nil: UTC).
type Input struct {
	Deal    *deal.Deal
	DueOf   func(*deal.Task) deal.Date
	Records []reply.Record
	Reviews []Review
	Today   deal.Date
	TZ      *time.Location
	// Signed is the day the contract was signed (Deal.Signed; zero: not
	// known).
	Signed deal.Date
}

// New gathers the handoff of in.Deal. It reads nothing from disk.
func New(in Input) *Bundle {
	d := in.Deal
	tz := cmp.Or(in.TZ, time.UTC)
	b := &Bundle{Version: Version, Generated: in.Today.String(), people: map[string]int{}, tz: tz,
		Deal: DealInfo{ID: d.ID, Title: d.Title, Buyer: d.Buyer, Seller: d.Seller, Goal: d.Goal,
			Outcome: string(d.Outcome), Close: d.Close.String(), GoLive: d.GoLive.String()},
		Criteria: append([]string{}, d.Criteria...), Completed: []Step{}, Open: []Step{}, Replies: []Reply{},
		Reviews: append([]Review{}, in.Reviews...)}
	if d.Outcome == deal.Won && !in.Signed.IsZero() {
		b.Deal.Signed = in.Signed.String()
	}
	for _, side := range []deal.Side{deal.Buyer, deal.Seller} {
		for _, s := range d.Stakeholders {
			if s.Side == side {
				b.people[s.ID] = len(b.People)
				b.People = append(b.People, Person{ID: s.ID, Name: s.Name, Title: s.Title, Side: string(s.Side), Role: string(s.Role), Email: s.Email})
			}
		}
	}
	name := func(id string) (string, string) {
		if s, ok := d.Stakeholder(id); ok {
			return s.Name, string(s.Side)
		}
		return "Unassigned (" + strings.TrimPrefix(id, "role:") + ")", ""
	}
	// What buyers sent as evidence with a done reply the seller accepted,
	// by step: the artifact itself, beside the plan's condition.
	received := map[string]string{}
	for _, rec := range in.Records {
		if r := rec.Reply; r.Kind == reply.Done && r.Evidence != "" && rec.State() == reply.Accepted {
			received[r.Target] = r.Evidence
		}
	}
	titles := map[string]string{}
	for _, m := range d.Milestones {
		titles[m.ID] = m.Title
		for j := range m.Tasks {
			t := &m.Tasks[j] // the plan's own task: deal.Onboarding may match it by address
			titles[t.ID] = t.Title
			st := Step{ID: t.ID, Title: t.Title, Milestone: m.Title, Onboarding: m.Onboarding, Status: string(t.Status), Evidence: t.Evidence}
			if t.Status == deal.Done {
				st.Received = received[t.ID]
			}
			st.Owner, st.Side = name(t.Owner)
			if in.DueOf != nil {
				due := in.DueOf(t)
				st.Due = due.String()
				st.DaysLate = deal.DaysLate(d, t, due, in.Today)
			}
			if t.Status == deal.Done {
				st.Done = t.Done.String()
				b.Completed = append(b.Completed, st)
			} else {
				b.Open = append(b.Open, st)
			}
		}
	}
	slices.SortStableFunc(b.Completed, func(x, y Step) int { return strings.Compare(x.Done, y.Done) })
	slices.SortStableFunc(b.Open, func(x, y Step) int { return strings.Compare(orLast(x.Due), orLast(y.Due)) })
	for _, rec := range in.Records {
		r := rec.Reply
		rv := Reply{Day: r.Time.In(tz).Format(time.DateOnly), Kind: string(r.Kind), State: rec.State(), What: what(r)}
		rv.From, _ = name(r.Stakeholder)
		rv.About = cmp.Or(titles[r.Target], "the plan")
		for _, dc := range rec.Decisions {
			if dc.Answer != "" {
				rv.Answer = dc.Answer
			}
			if dc.Why != "" {
				rv.Why = dc.Why
			}
		}
		b.Replies = append(b.Replies, rv)
	}
	slices.SortStableFunc(b.Replies, func(x, y Reply) int { return strings.Compare(x.Day, y.Day) })
	slices.SortStableFunc(b.Reviews, func(x, y Review) int { return strings.Compare(x.Day, y.Day) })
	return b
}

// orLast sorts an empty date after every date.
func orLast(s string) string { return cmp.Or(s, "9999") }

// what says what a reply asks or reports, in a few words.
func what(r reply.Reply) string {
	var parts []string
	switch r.Kind {
	case reply.Propose:
		parts = append(parts, "moves the date to "+r.Date, r.Reason)
	case reply.Done:
		parts = append(parts, "done on "+r.Date, r.Evidence)
	case reply.Confirm:
		parts = append(parts, "confirms the date")
	case reply.Blocked:
		parts = append(parts, r.Reason)
	case reply.Suggest:
		parts = append(parts, r.Text)
		if r.Owner != "" {
			parts = append(parts, "owner: "+r.Owner)
		}
		if r.Date != "" {
			parts = append(parts, "by "+r.Date)
		}
	default:
		parts = append(parts, r.Text)
	}
	parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
	return strings.Join(parts, "; ")
}

// Visits is one stakeholder's engagement as the report judges it
// (analytics/report/engagement.go): their visits, the days (YYYY-MM-DD,
// site timezone) the first and the last began, their active seconds, and
// the titles of the documents they read.
type Visits struct {
	Visits        int
	First, Last   string
	ActiveSeconds int64
	Opened        []string
	// Replies are the replies they sent from their room, LastReply the
	// day of the last (YYYY-MM-DD, site timezone).
	Replies   int
	LastReply string
}

// Engage gives stakeholder id the engagement v. People the deal no longer
// has are ignored. The caller judges the events (the package reads no log
// and counts no event itself) and sets Engaged once it has read a log.
func (b *Bundle) Engage(id string, v Visits) {
	i, ok := b.people[id]
	if !ok {
		return
	}
	p := &b.People[i]
	p.Visits, p.FirstVisit, p.LastVisit = v.Visits, v.First, v.Last
	p.ActiveMinutes = int((v.ActiveSeconds + 30) / 60)
	p.Opened = slices.Clone(v.Opened)
	p.Replies, p.LastReply = v.Replies, v.LastReply
}

// plural writes "1 visit", "3 visits".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
