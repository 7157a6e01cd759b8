package generator

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/maproom/maproom/internal/deal"
)

// The view types are what templates see. They hold display strings and
// relative hrefs only: no OS paths, no deal value, nothing the room's person
// may not see.

type assets struct {
	CSS   string   // relative to the site root
	JS    string   // the room script; "" when no beacon is configured
	Reply string   // the reply forms' script; "" when no beacon is configured
	Extra []string // absolute script paths added in serve mode only
}

type pageBase struct {
	PageTitle string
	CSP       string
	Root      string // relative path from the page to the site root
	Assets    assets
	Token     string
	Beacon    string
	Deal      dealView
	Me        personView
	Brand     brandView
}

// brandView holds the header's logos: site-root-relative paths ("" for
// none, and the name is written instead) with their size in CSS pixels.
type brandView struct {
	Seller, Buyer   string
	SellerW, BuyerW int
	SellerH, BuyerH int
}

type dealView struct {
	Title, Buyer, Seller, Goal string
	Close, CloseLabel          string
	GoLive, GoLiveLabel        string
	DaysLabel                  string
	Outcome, OutcomeLabel      string
	// Closed is a lost deal: its rooms show ClosingLine instead of next
	// steps, and no lateness, review or calendar of tasks.
	Closed      bool
	ClosingLine string
	// GoLiveDays counts down to go-live once a deal is won ("" before
	// signature, without a go-live date, or once it is past).
	GoLiveDays string
	// Onboarding names the seller's customer-success people of a won deal,
	// who carry the plan on after signature ("" when none).
	Onboarding string
	// LiveSince labels a won deal's go-live once it has passed with its
	// onboarding done; GoLivePassed once it has passed with onboarding
	// steps left: the room does not say the customer is live then.
	LiveSince    string
	GoLivePassed string
	// Forecast labels, for an open deal whose remaining work cannot be
	// done by the target signature (the schedule's SalesFinish after the
	// close), the earliest day it can be: the room says the date is at
	// risk rather than count down to a day the plan no longer makes.
	Forecast, ForecastDate string
	// HeldBy names the step (and its owner) that holds the plan past the
	// target signature, when Forecast is set.
	HeldBy string
}

type personView struct {
	ID, Name, Title, Side, Org, Role string
	// Part is the role as the rooms' "Who's who" shows it: "" for the
	// seller's own labels of buyer-side people (champion, economic
	// buyer, other), which their colleagues read in every room; the
	// preview's index, the seller's, shows Role.
	Part   string
	Seller bool
}

type roomView struct {
	pageBase
	TodayLabel string
	Progress   progress
	Welcome    template.HTML
	NextSteps  []taskView
	// RepliesWaiting is, in a room of the seller's team, how many replies
	// from the buyer's rooms wait for a decision ("" when none, and in
	// every buyer's room).
	RepliesWaiting string
	DueICS         string
	Plan           template.HTML // the "plan" part, shared by rooms that see the same documents
	DealParts      template.HTML // the "deal-parts" part, shared by every room of the deal
	Docs           []docView
	Review         *reviewView
	Replies        repliesView
	// History is the plan's latest changes and the meeting log (the
	// review notes); the zero value shows neither.
	History historyView
	Waiting *waitingView // whose move it is; nil for an ended deal or nothing open
	Contact *contactView // the seller's contact; nil when the deal has no seller stakeholder
}

// waitingView is the room's "waiting on" line (deal.WaitingOn).
type waitingView struct {
	You              bool   // the task is the room's person's own
	Org, Side        string // the owner's company and side
	Name             string // the owner's name, or "Unassigned (role)"
	TaskID, Task     string
	Due, DueLabel    string
	LateLabel, Class string // as a task's
	SevLabel         string // the severity in words ("" when not late)
}

// contactView is the seller's contact card. Mailto is a link built from
// a checked address; Phone is shown as text (phones offer to call it).
type contactView struct {
	Name, Title, Org string
	Email            string
	Mailto           template.URL
	Phone, Booking   string
}

// dealPartsView is the data of the "deal-parts" template.
type dealPartsView struct {
	Timeline   *timelineView
	Milestones []milestoneView
	People     []personView
	Criteria   []string
}

type progress struct{ Done, Total, Tenth int }

type milestoneView struct {
	ID, Title, Due, DueLabel, Lead, LeadSide, Evidence string
	LeadID                                             string
	Seen                                               string // reply.SeenMilestone, for the reply forms
	StatusLabel, Class                                 string
	// LateLabel, SevLabel and SevClass say how late a milestone not
	// reached past its date is ("" otherwise), as the report grades it.
	LateLabel, SevLabel, SevClass string
	Tasks                         []taskView
	// Confirmable: the reply form offers to confirm its date (it has one,
	// not gone by: the beacon refuses a confirmation of a past date).
	Confirmable bool
}

type taskView struct {
	// Confirmable: the reply form offers to confirm its date (it has one,
	// not gone by: the beacon refuses a confirmation of a past date).
	Confirmable            bool
	ID, Title, Owner, Side string
	OwnerID                string
	Due, DueLabel          string
	Computed               bool
	Critical               bool
	SlackLabel             string // open tasks: business days this task can slip without moving the close
	// WaitsLabel says, for a late step that waits on open work, on what
	// and whose ("" otherwise): the report's waits_on. RiskLabel says
	// when an open step cannot keep its date: the steps it comes after
	// finish later, or its own work does ("" otherwise); the plan's row
	// and the person's next steps both show it.
	WaitsLabel, RiskLabel string
	// ReplyLabel says, in the person's next steps, that their reply about
	// the step waits for the seller ("" when none does): the room offers
	// its forms again, and a second reply would replace the first.
	ReplyLabel          string
	Status, StatusLabel string
	LateLabel, Class    string
	Evidence            string
	Seen                string // reply.Seen, for the reply forms
	After               []refView
	Docs                []docView
	DaysLate            int
	SevLabel            string // the severity in words: "Late", "Overdue", "Long overdue"
	Mine                bool   // the room's person owns it
}

// severityWords name the grades of lateness in a room, so that the grade
// reads without its colour.
var severityWords = map[deal.Severity]string{deal.SeverityLate: "Late", deal.SeverityFlag: "Overdue", deal.SeverityAlert: "Long overdue"}

// planView is the data of the "plan" part.
type planView struct {
	Milestones []milestoneView
	Legend     string // what each grade of lateness means, in days
}

// legendOf says what each grade of lateness means under th.
func legendOf(th deal.Thresholds) string {
	late := fmt.Sprintf("%s: under %s", severityWords[deal.SeverityLate], plural(th.FlagDays, "day", "days"))
	if th.FlagDays == 1 {
		late = ""
	}
	flag := fmt.Sprintf("%s: %s or more", severityWords[deal.SeverityFlag], plural(th.FlagDays, "day", "days"))
	alert := fmt.Sprintf("%s: %s or more", severityWords[deal.SeverityAlert], plural(th.AlertDays, "day", "days"))
	parts := []string{}
	if late != "" {
		parts = append(parts, late)
	}
	if th.AlertDays > th.FlagDays {
		parts = append(parts, flag)
	}
	return strings.Join(append(parts, alert), " · ")
}

type refView struct{ ID, Title string }

type docView struct {
	ID, Title, Href, Kind string
	Page                  bool
	// Audience, in a seller's preview only, says which buyer stakeholders
	// see the document.
	Audience string
}

type reviewView struct {
	Day, Time, TZ string
	Minutes       int
	Part          int    // the minutes of each of its three parts
	Weekly        bool   // a series goes on; false: only the next review is planned (the series ended)
	Next          string // the next review's day, as a label
	ICS           string
}

type pageView struct {
	pageBase
	Page struct {
		ID, Title string
		Body      template.HTML
	}
}

type bareView struct {
	Title, Heading, Text, CSP string
	Style                     template.CSS // the page's own style (bareCSS), allowed by its hash in the CSP
}

func dateLabel(d deal.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2 Jan 2006")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func roleLabel(r deal.Role) string { return strings.ReplaceAll(string(r), "-", " ") }

var statusLabels = map[deal.Status]string{deal.Todo: "To do", deal.InProgress: "In progress", deal.Done: "Done", deal.Blocked: "Blocked"}

// lateness returns the days late of task t of deal d on today and its
// severity class ("alert", "flag", "late" or ""), by the domain's rules.
func lateness(d *deal.Deal, t *deal.Task, due deal.Date, today deal.Date, cfg *Config) (int, string) {
	n := deal.DaysLate(d, t, due, today)
	return n, string(cfg.Overdue.Thresholds().Severity(n))
}

func newDealView(d *deal.Deal, today deal.Date) dealView {
	v := dealView{Title: d.Title, Buyer: d.Buyer, Seller: d.Seller, Goal: d.Goal,
		Close: d.Close.String(), CloseLabel: dateLabel(d.Close), GoLive: d.GoLive.String(), GoLiveLabel: dateLabel(d.GoLive),
		Outcome: string(d.Outcome)}
	switch d.Outcome {
	case deal.Won:
		v.OutcomeLabel = "Signed"
		if !d.GoLive.IsZero() {
			switch n := today.DaysUntil(d.GoLive); {
			case n > 0:
				v.GoLiveDays = plural(n, "day", "days")
			case n == 0:
				v.GoLiveDays = "Today"
			case d.OnboardingLeft():
				v.GoLivePassed = v.GoLiveLabel // the date came, the onboarding is not done
			default:
				v.LiveSince = v.GoLiveLabel // gone live: the room no longer counts down to it
			}
		}
		var cs []string
		for _, s := range d.Stakeholders {
			if s.Side == deal.Seller && s.Role == "customer-success" {
				cs = append(cs, s.Name)
			}
		}
		v.Onboarding = strings.Join(cs, " and ")
	case deal.Lost:
		v.OutcomeLabel = "Closed without signature"
		v.Closed = true
		v.ClosingLine = fmt.Sprintf("%s and %s have closed this plan without a signature. Nothing in it is waiting on anyone, and no review is scheduled. Thank you for the time you gave it.", d.Buyer, d.Seller)
	}
	n := today.DaysUntil(d.Close)
	switch {
	case n > 0:
		v.DaysLabel = plural(n, "day", "days")
	case n == 0:
		v.DaysLabel = "Today"
	default:
		v.DaysLabel = plural(-n, "day", "days") + " past the date"
	}
	return v
}

func newPersonView(d *deal.Deal, s *deal.Stakeholder) personView {
	org := d.Buyer
	if s.Side == deal.Seller {
		org = d.Seller
	}
	pv := personView{ID: s.ID, Name: s.Name, Title: s.Title, Side: string(s.Side), Org: org, Role: roleLabel(s.Role), Seller: s.Side == deal.Seller}
	pv.Part = pv.Role
	if s.Side == deal.Buyer && (s.Role == "champion" || s.Role == "economic-buyer" || s.Role == deal.RoleOther) {
		pv.Part = ""
	}
	return pv
}

// people lists buyer stakeholders then seller ones, each in plan order.
func people(d *deal.Deal) []personView {
	var out []personView
	for _, side := range []deal.Side{deal.Buyer, deal.Seller} {
		for i := range d.Stakeholders {
			if d.Stakeholders[i].Side == side {
				out = append(out, newPersonView(d, &d.Stakeholders[i]))
			}
		}
	}
	return out
}

// sortSteps orders a person's next steps: most late first, then by due date.
func sortSteps(ts []taskView) {
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Due != ts[j].Due {
			if ts[i].Due == "" {
				return false
			}
			if ts[j].Due == "" {
				return true
			}
			return ts[i].Due < ts[j].Due
		}
		return false
	})
}

// waitingView says whose move it is, as seen from s's room.
func (r *renderer) waitingView(d *deal.Deal, tn deal.Turn, s *deal.Stakeholder) *waitingView {
	w := &waitingView{You: tn.Owner == s.ID, Side: string(tn.Side), TaskID: tn.Task.ID, Task: tn.Task.Title,
		Due: tn.Due.String(), DueLabel: dateLabel(tn.Due)}
	w.Org = d.Buyer
	if tn.Side == deal.Seller {
		w.Org = d.Seller
	}
	w.Name, _ = personOrRole(d, tn.Owner)
	if tn.DaysLate > 0 {
		sev := r.cfg.Overdue.Thresholds().Severity(tn.DaysLate)
		w.Class, w.SevLabel = string(sev), severityWords[sev]
		w.LateLabel = plural(tn.DaysLate, "day late", "days late")
	}
	return w
}

// audienceOf says, in a seller's preview, which buyer stakeholders see
// collateral c.
func audienceOf(d *deal.Deal, c *deal.Collateral) string {
	if c.Audience == nil {
		return "Every buyer stakeholder"
	}
	var names []string
	for _, s := range d.Stakeholders {
		if s.Side == deal.Buyer && c.CanSee(s) {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return "No buyer stakeholder yet"
	}
	return strings.Join(names, ", ")
}

// repeatedTitle returns the text of the first heading of a Markdown
// document when it is a level-1 heading that repeats the page's title
// (the same words, or the title's words followed by more: "Pricing
// proposal for Acme Corp" under "Pricing proposal"), so that the page
// shows one title; else title itself (whose exact repetition is dropped
// as well). A shorter heading ("Pricing") is a section, and stays.
func repeatedTitle(src []byte, title string) string {
	src = bytes.TrimPrefix(src, utf8BOM)
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		h, ok := strings.CutPrefix(line, "# ")
		if !ok {
			return title
		}
		h = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(h), "#"))
		a, b := titleWords(title), titleWords(h)
		if len(a) > 0 && len(b) >= len(a) && slices.Equal(a, b[:len(a)]) {
			return h
		}
		return title
	}
	return title
}

// titleWords splits a title into lowercase words, punctuation dropped.
func titleWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
