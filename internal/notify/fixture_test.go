package notify

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// The test deal: Acme buys from Northwind. Sam is the account executive,
// Rita a solutions engineer; Priya the economic buyer, Marcus the
// champion, Jordan the technical evaluator, Grace the approver, Elena
// (security) has no email.
var today = deal.NewDate(2026, 11, 24)

func testDeal() *deal.Deal {
	return &deal.Deal{
		ID: "acme", File: "content/acme/index.md", Title: "Northwind for Acme: data platform",
		Buyer: "Acme Corp", Seller: "Northwind Analytics", Goal: "Signed by 29 January so the March launch ships on the new pipeline",
		Close: deal.NewDate(2027, 1, 29), GoLive: deal.NewDate(2027, 3, 1), Outcome: deal.Open,
		Review: deal.Review{Day: time.Tuesday, HasDay: true, Time: "15:00", Length: 15 * time.Minute},
		Stakeholders: []deal.Stakeholder{
			{ID: "priya", Name: "Priya Raman", Side: deal.Buyer, Role: "economic-buyer", Email: "priya@acme.example", Line: 12},
			{ID: "marcus", Name: "Marcus Chen", Side: deal.Buyer, Role: "champion", Email: "marcus@acme.example", Line: 13},
			{ID: "jordan", Name: "Jordan Park", Side: deal.Buyer, Role: "technical-evaluator", Email: "jordan@acme.example", Line: 14},
			{ID: "elena", Name: "Elena Novak", Side: deal.Buyer, Role: "security", Line: 15},
			{ID: "grace", Name: "Grace Okafor", Side: deal.Buyer, Role: "approver", Email: "grace@acme.example", Line: 16},
			{ID: "sam", Name: "Sam Lee", Side: deal.Seller, Role: "account-executive", Email: "sam@northwind.example", Line: 17},
			{ID: "rita", Name: "Rita Alvarez", Side: deal.Seller, Role: "solutions-engineer", Email: "rita@northwind.example", Line: 18},
		},
	}
}

// testLinks gives each stakeholder a distinct link.
func testLinks(d *deal.Deal, rotation string) map[string]string {
	m := map[string]string{}
	for _, s := range d.Stakeholders {
		m[s.ID] = "https://rooms.example/r/" + s.ID + "-token" + rotation + "/"
	}
	return m
}

// testPeople are the stakeholders as notice recipients, with their links.
func testPeople(d *deal.Deal) []Person {
	links := testLinks(d, "")
	var ps []Person
	for _, s := range d.Stakeholders {
		ps = append(ps, Person{Deal: d.ID, ID: s.ID, Name: s.Name, Email: s.Email, Side: s.Side, Role: s.Role, Link: links[s.ID]})
	}
	return ps
}

// testFacts: a buyer task at alert (Jordan's), a seller task at flag
// (Rita's), one only late (not told), a reply waiting, Grace never
// visited in 9 days, Priya's first visit yesterday.
func testFacts() Facts {
	d := testDeal()
	return Facts{
		ID: d.ID, Title: d.Title, File: d.File, People: testPeople(d),
		Overdue: []Overdue{
			{Task: "sample-data", Title: "Anonymised sample datasets delivered", Owner: "jordan", Due: deal.NewDate(2026, 11, 14), DaysLate: 10, Severity: deal.SeverityAlert},
			{Task: "poc-report", Title: "Proof-of-concept report written", Owner: "rita", Due: deal.NewDate(2026, 11, 20), DaysLate: 4, Severity: deal.SeverityFlag},
			{Task: "dpa", Title: "DPA redlines returned", Owner: "role:legal", Due: deal.NewDate(2026, 11, 23), DaysLate: 1, Severity: deal.SeverityLate},
		},
		Waiting: []Waiting{{ID: "r-7f3a", From: "jordan", Kind: "propose", About: "Security questionnaire returned", Date: "2026-12-04", Text: "InfoSec lead is away", Sent: deal.NewDate(2026, 11, 23)}},
		Engagement: []Engagement{
			{Person: "priya", Published: deal.NewDate(2026, 11, 10), Visits: 1, FirstVisit: time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)},
			{Person: "grace", Published: deal.NewDate(2026, 11, 15)},
			{Person: "marcus", Published: deal.NewDate(2026, 11, 10), Visits: 4, FirstVisit: time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC)},
			{Person: "jordan", Published: deal.NewDate(2026, 11, 22)},
		},
	}
}

// openStore opens a fresh store in a test folder.
func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(dir, "sent.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixedNow is the injected clock of the tests.
func fixedNow() time.Time { return time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) }
