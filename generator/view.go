package generator

import (
	"fmt"
	"html/template"
	"sort"
	"strings"

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
}

type personView struct {
	ID, Name, Title, Side, Org, Role string
	Seller                           bool
}

type roomView struct {
	pageBase
	TodayLabel string
	Progress   progress
	Welcome    template.HTML
	NextSteps  []taskView
	DueICS     string
	Plan       template.HTML // the "plan" part, shared by rooms that see the same documents
	DealParts  template.HTML // the "deal-parts" part, shared by every room of the deal
	Docs       []docView
	Review     *reviewView
	Replies    repliesView
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
	Tasks                                              []taskView
}

type taskView struct {
	ID, Title, Owner, Side string
	OwnerID                string
	Due, DueLabel          string
	Computed               bool
	Critical               bool
	SlackLabel             string // open tasks: business days this task can slip without moving the close
	Status, StatusLabel    string
	LateLabel, Class       string
	Evidence               string
	Seen                   string // reply.Seen, for the reply forms
	After                  []refView
	Docs                   []docView
	DaysLate               int
}

type refView struct{ ID, Title string }

type docView struct {
	ID, Title, Href, Kind string
	Page                  bool
}

type reviewView struct {
	Day, Time, TZ string
	Minutes       int
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
	Title, Heading, Text, CSP, Root string
	Assets                          assets
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
	return personView{ID: s.ID, Name: s.Name, Title: s.Title, Side: string(s.Side), Org: org, Role: roleLabel(s.Role), Seller: s.Side == deal.Seller}
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
