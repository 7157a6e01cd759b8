package notify

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// byKind indexes notices by kind and recipient: "overdue/sam".
func byKind(ns []Notice) map[string][]Notice {
	m := map[string][]Notice{}
	for _, n := range ns {
		k := string(n.Kind) + "/" + n.To.ID
		m[k] = append(m[k], n)
	}
	return m
}

func TestDecideTellsEachThingToTheRightPerson(t *testing.T) {
	ns, notes := Decide(Input{Today: today, Deals: []Facts{testFacts()}})
	if len(notes) != 0 {
		t.Errorf("notes: %v", notes)
	}
	got := byKind(ns)

	// Jordan's task is a buyer's at alert: the account executive is told,
	// and the champion is emailed in words for the buyer.
	var alert, flag *Notice
	for i, n := range got["overdue/sam"] {
		switch n.Task {
		case "sample-data":
			alert = &got["overdue/sam"][i]
		case "poc-report":
			t.Errorf("Rita's own late task went to Sam: %s", n.Subject)
		}
	}
	if alert == nil || alert.Severity != deal.SeverityAlert || !strings.HasPrefix(alert.Subject, "Alert:") {
		t.Fatalf("no alert to the account executive for the buyer's late task: %+v", got["overdue/sam"])
	}
	if !strings.Contains(alert.Text(), "10 calendar days late") || !strings.Contains(alert.Text(), "Marcus Chen (champion) was emailed") {
		t.Errorf("alert text:\n%s", alert.Text())
	}
	// Rita's task is seller-side at flag: Rita herself is told.
	if rs := got["overdue/rita"]; len(rs) != 1 {
		t.Fatalf("Rita got %d overdue notices, want 1", len(rs))
	} else {
		flag = &rs[0]
	}
	if flag.Severity != deal.SeverityFlag || !strings.HasPrefix(flag.Subject, "Flag:") || !strings.Contains(flag.Do, "finish it") {
		t.Errorf("flag to Rita: %+v", flag)
	}
	// The task only one day late tells nobody.
	for _, n := range ns {
		if n.Task == "dpa" {
			t.Errorf("a task under the flag threshold was told: %s", n.Subject)
		}
	}

	champ := got["champion-reminder/marcus"]
	if len(champ) != 1 {
		t.Fatalf("champion reminders: %d, want 1", len(champ))
	}
	c := champ[0]
	if c.Audience != Buyer || c.To.Email != "marcus@acme.example" || c.ReplyTo != "sam@northwind.example" {
		t.Errorf("champion reminder routing: %+v", c)
	}
	text := c.Text()
	if !strings.Contains(text, "https://rooms.example/r/marcus-token/") {
		t.Errorf("the champion's reminder lacks their own link:\n%s", text)
	}
	for _, p := range testPeople(testDeal()) {
		if p.ID != "marcus" && strings.Contains(text, p.Link) {
			t.Errorf("the champion's reminder holds %s's link:\n%s", p.Name, text)
		}
	}
	if !strings.HasPrefix(text, "Hello Marcus,") || !strings.Contains(text, "Saturday 14 November") || !strings.Contains(text, "Sam Lee") {
		t.Errorf("the champion's reminder is not addressed and signed for a buyer:\n%s", text)
	}

	if rs := got["reply-waiting/sam"]; len(rs) != 1 || !strings.Contains(rs[0].Do, "maproom accept r-7f3a") || !strings.Contains(rs[0].Text(), "InfoSec lead is away") {
		t.Errorf("reply waiting: %+v", rs)
	}
	// Grace (approver) published 9 days ago, never visited: told. Jordan
	// never visited either, but is no decider and was published 2 days ago.
	un := got["decider-unopened/sam"]
	if len(un) != 1 || !strings.Contains(un[0].Subject, "Grace Okafor (approver)") || !strings.Contains(un[0].Subject, "9 calendar days") {
		t.Errorf("decider unopened: %+v", un)
	}
	fv := got["first-visit/sam"]
	if len(fv) != 1 || !strings.Contains(fv[0].Subject, "Good news: Priya Raman (economic buyer)") || !strings.Contains(fv[0].Text(), "2026-11-23 at 14:05") {
		t.Errorf("first visit: %+v", fv)
	}
	if len(ns) != 6 {
		for _, n := range ns {
			t.Logf("%s -> %s: %s", n.Kind, n.To.ID, n.Subject)
		}
		t.Errorf("%d notices, want 6", len(ns))
	}
	// Keys hold ids and dates, never names or links.
	for _, n := range ns {
		if strings.ContainsAny(n.Key, " @:") {
			t.Errorf("key %q holds a name, an address or a link", n.Key)
		}
	}
}

func TestDecideStagesAndThresholds(t *testing.T) {
	f := testFacts()
	f.Waiting, f.Engagement = nil, nil
	f.Overdue = f.Overdue[:1]
	// At flag, the same task: one notice to Sam, no champion.
	f.Overdue[0].Severity, f.Overdue[0].DaysLate = deal.SeverityFlag, 4
	flagged, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	if len(flagged) != 1 || flagged[0].Kind != KindOverdue || flagged[0].Severity != deal.SeverityFlag {
		t.Fatalf("at flag: %+v", flagged)
	}
	// At alert, another key: the stage is new, so it is told again.
	f.Overdue[0].Severity, f.Overdue[0].DaysLate = deal.SeverityAlert, 8
	alerted, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	if alerted[0].Key == flagged[0].Key {
		t.Errorf("flag and alert share the key %q: the alert would never be sent", alerted[0].Key)
	}
	// Moved and late again: a new key too.
	f.Overdue[0].Due = deal.NewDate(2026, 11, 16)
	moved, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	if moved[0].Key == alerted[0].Key {
		t.Errorf("a task moved and late again keeps its old key %q", moved[0].Key)
	}
	// UnopenedDays: Grace published 9 days ago is not told at 10.
	f = testFacts()
	f.Overdue, f.Waiting = nil, nil
	ns, _ := Decide(Input{Today: today, UnopenedDays: 10, Deals: []Facts{f}})
	if len(byKind(ns)["decider-unopened/sam"]) != 0 {
		t.Errorf("told at 9 days with unopened_days 10")
	}
	// A decider who replied from their room opened it: not told.
	g := testFacts()
	g.Overdue, g.Waiting = nil, nil
	for i := range g.Engagement {
		g.Engagement[i].Replies = 1
	}
	if ns, _ := Decide(Input{Today: today, Deals: []Facts{g}}); len(byKind(ns)["decider-unopened/sam"]) != 0 {
		t.Errorf("a decider who replied is told as unopened")
	}
	// A first visit older than the window is not news.
	f.Engagement[0].FirstVisit = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	ns, _ = Decide(Input{Today: today, Deals: []Facts{f}})
	if len(byKind(ns)["first-visit/sam"]) != 0 {
		t.Errorf("a first visit 23 days old was announced")
	}
}

func TestDecideNotesWhoCannotBeTold(t *testing.T) {
	f := testFacts()
	var people []Person
	for _, p := range f.People {
		switch p.ID {
		case "sam":
			continue // no account executive
		case "marcus":
			p.Email = "" // a champion without email
		}
		people = append(people, p)
	}
	f.People = people
	ns, notes := Decide(Input{Today: today, Deals: []Facts{f}})
	for _, n := range ns {
		if n.To.ID == "sam" || n.Kind == KindChampion {
			t.Errorf("told %s: %s", n.To.ID, n.Subject)
		}
	}
	joined := ""
	for _, n := range notes {
		joined += n.Text + "\n"
	}
	if !strings.Contains(joined, "no account executive to tell: add a seller stakeholder with role: account-executive") {
		t.Errorf("notes lack the missing account executive:\n%s", joined)
	}
	// Rita's own task still reaches Rita.
	if len(byKind(ns)["overdue/rita"]) != 1 {
		t.Errorf("Rita's flag was lost with the account executive")
	}

	// With the account executive back, the champion without email is a
	// note naming the plan to fix, and Sam's alert does not claim an email.
	f.People = append(f.People, testPeople(testDeal())[5])
	ns, notes = Decide(Input{Today: today, Deals: []Facts{f}})
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "Marcus Chen (champion) has no email to be reminded at: add email: to them in content/acme/index.md") {
		t.Errorf("notes: %+v", notes)
	}
	for _, n := range byKind(ns)["overdue/sam"] {
		if strings.Contains(n.Text(), "was emailed") {
			t.Errorf("the alert says the champion was emailed:\n%s", n.Text())
		}
	}
}

// TestNoChampionReminderToASharedAddress: a champion whose email another
// stakeholder shares is not reminded (the reminder carries their own room
// link, which would reach the other), as invite does not invite them; a
// note says why, and the seller's alert does not claim an email.
func TestNoChampionReminderToASharedAddress(t *testing.T) {
	if ns, _ := Decide(Input{Today: today, Deals: []Facts{testFacts()}}); !slices.ContainsFunc(ns, func(n Notice) bool { return n.Kind == KindChampion }) {
		t.Fatal("the fixture reminds no champion: the test proves nothing")
	}
	f := testFacts()
	var champ string
	for _, p := range f.People {
		if p.Role == "champion" {
			champ = p.Email
		}
	}
	for i := range f.People {
		if f.People[i].ID == "jordan" {
			f.People[i].Email = "  " + strings.ToUpper(champ)
		}
	}
	ns, notes := Decide(Input{Today: today, Deals: []Facts{f}})
	for _, n := range ns {
		if n.Kind == KindChampion {
			t.Errorf("a champion reminder to an address Jordan shares: %s", n.Subject)
		}
		if strings.Contains(n.Text(), "was emailed") {
			t.Errorf("%s claims an email", n.Subject)
		}
	}
	if !slices.ContainsFunc(notes, func(n Note) bool {
		return strings.Contains(n.Text, "Marcus Chen (champion) is not reminded: ") && strings.Contains(n.Text, "share the email")
	}) {
		t.Errorf("notes %+v, want the shared address named", notes)
	}
}

// TestDecideWithoutEmail: with no email channel the champion is not
// reminded, the seller's alert does not say they were, and a note says
// why.
func TestDecideWithoutEmail(t *testing.T) {
	ns, notes := Decide(Input{Today: today, NoEmail: true, Deals: []Facts{testFacts()}})
	for _, n := range ns {
		if n.Kind == KindChampion {
			t.Errorf("a champion reminder with no email channel: %+v", n)
		}
		if strings.Contains(strings.Join(n.Body, " "), "was emailed") {
			t.Errorf("%s claims an email: %q", n.Subject, n.Body)
		}
	}
	if !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Text, "Marcus Chen (champion) is not reminded") }) {
		t.Errorf("notes %+v, want the champion not reminded", notes)
	}
}

// TestChampionReminderWithoutReplies: when the rooms take no replies, the
// champion's reminder asks them to answer the email, not to use a form
// their room does not have.
func TestChampionReminderWithoutReplies(t *testing.T) {
	for _, noReplies := range []bool{false, true} {
		ns, _ := Decide(Input{Today: today, NoReplies: noReplies, Deals: []Facts{testFacts()}})
		found := false
		for _, n := range ns {
			if n.Kind != KindChampion {
				continue
			}
			found = true
			body := strings.Join(n.Body, " ")
			if room := strings.Contains(body, "room"); room == noReplies {
				t.Errorf("replies off %v: the reminder says %q", noReplies, body)
			}
			if noReplies && !strings.Contains(body, "eply to this email") {
				t.Errorf("replies off: the reminder does not ask for an answer by email: %q", body)
			}
		}
		for _, n := range ns {
			if n.Kind == KindOverdue && noReplies && strings.Contains(n.Text(), "from their room") {
				t.Errorf("replies off: the seller's notice says the buyer can reply from their room: %s", n.Text())
			}
		}
		if !found {
			t.Fatalf("replies off %v: no champion reminder to test", noReplies)
		}
	}
}

// TestOwnerNameOfARole: a step still owned by a role names who holds it.
func TestOwnerNameOfARole(t *testing.T) {
	f := testFacts()
	if got := f.ownerName("role:security"); got != "Elena Novak (security; the step is not assigned to one person yet)" {
		t.Errorf("role:security = %q", got)
	}
	if got := f.ownerName("role:legal"); got != "the legal, not assigned yet" {
		t.Errorf("role:legal = %q", got)
	}
}

// TestDecideWonDealTellsCustomerSuccess: once the deal is won, its
// customer-success person is told of late steps and signs the champion's
// reminder; before, the account executive.
func TestDecideWonDealTellsCustomerSuccess(t *testing.T) {
	f := testFacts()
	f.People = append(f.People, Person{Deal: f.ID, ID: "kofi", Name: "Kofi Asante", Email: "kofi@northwind.example", Side: deal.Seller, Role: "customer-success"})
	for _, won := range []bool{false, true} {
		f.Won = won
		ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
		want, sig := "sam", "Sam Lee"
		if won {
			want, sig = "kofi", "Kofi Asante"
		}
		for _, n := range ns {
			switch {
			case n.Kind == KindOverdue && n.Task == "sample-data" && n.To.ID != want:
				t.Errorf("won %v: the buyer's late step told to %s, want %s", won, n.To.ID, want)
			case n.Kind == KindChampion && !strings.HasSuffix(n.Signature, sig):
				t.Errorf("won %v: the champion's reminder signed %q, want %s", won, n.Signature, sig)
			}
		}
	}
}

// TestDecideUnheldRole: a late step of a role nobody holds asks for an
// owner, not for a date from nobody.
func TestDecideUnheldRole(t *testing.T) {
	f := testFacts()
	f.Overdue = []Overdue{{Task: "dpa", Title: "DPA redlines returned", Owner: "role:legal", Due: deal.NewDate(2026, 11, 14), DaysLate: 10, Severity: deal.SeverityAlert}}
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	for _, n := range ns {
		if n.Kind == KindOverdue && (!strings.Contains(n.Do, "give it an owner: add the buyer's legal") || strings.Contains(n.Do, "ask the legal")) {
			t.Errorf("what to do: %q", n.Do)
		}
		if strings.Contains(strings.Join(append(n.Body, n.Do), " "), "nobody yet") {
			t.Errorf("%s says nobody yet: %q", n.Subject, n.Body)
		}
	}
}

// TestNoChampionReminderWhileAReplyWaits: a late buyer step about which a
// reply waits for the seller is the seller's move: the champion is not
// reminded, and a note says why; the seller's alert still goes.
func TestNoChampionReminderWhileAReplyWaits(t *testing.T) {
	f := testFacts()
	f.Waiting = append(f.Waiting, Waiting{ID: "r-sample", From: "jordan", Kind: "propose", About: "Anonymised sample datasets delivered", Target: "sample-data", Date: "2026-12-01", Sent: deal.NewDate(2026, 11, 23)})
	ns, notes := Decide(Input{Today: deal.NewDate(2026, 11, 24), Deals: []Facts{f}})
	if got := byKind(ns); len(got["champion-reminder/marcus"]) != 0 || len(got["overdue/sam"]) == 0 {
		t.Errorf("with a reply waiting on the late step: champion reminders %d (want 0), alerts to sam %d (want 1)", len(got["champion-reminder/marcus"]), len(got["overdue/sam"]))
	}
	if !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Text, "reply r-sample about it waits for you") }) {
		t.Errorf("notes %+v: want one saying the champion waits for the reply's decision", notes)
	}
}

// TestLateStepWaitingOnAnother: a late step that comes after a step still
// open is not its owner's to finish: the notice names what it waits on and
// says to get that done first, not to chase the late step's owner.
func TestLateStepWaitingOnAnother(t *testing.T) {
	f := testFacts()
	f.Overdue = []Overdue{{Task: "poc-report", Title: "Proof-of-concept report written", Owner: "rita", Due: deal.NewDate(2026, 11, 20), DaysLate: 4, Severity: deal.SeverityFlag,
		WaitsOn: []Before{{Title: "Anonymised sample datasets delivered", Owner: "jordan", DaysLate: 10}}}}
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	n := 0
	for _, x := range ns {
		if x.Kind != KindOverdue {
			continue
		}
		n++
		body := strings.Join(x.Body, " ")
		if !strings.Contains(body, "It waits on “Anonymised sample datasets delivered” (Jordan Park, buyer side, 10 calendar days late), still open.") ||
			!strings.HasPrefix(x.Do, "get “Anonymised sample datasets delivered” done first (Jordan Park's)") || strings.Contains(x.Do, "finish it") {
			t.Errorf("to %s: body %q, do %q", x.To.ID, body, x.Do)
		}
	}
	if n == 0 {
		t.Error("no overdue notice")
	}
}

// TestNoChampionReminderForTheSellersDelay: a late buyer step that waits
// on the seller's own open step is not chased on the buyer's side, nor is
// one owned by a role nobody holds (there is no one to chase and no room
// to answer from); a note says why, and the seller's alert still goes.
func TestNoChampionReminderForTheSellersDelay(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Overdue
		note string
	}{
		{"waits on the seller", Overdue{Task: "sample-data", Title: "Anonymised sample datasets delivered", Owner: "jordan", Due: deal.NewDate(2026, 11, 14), DaysLate: 10, Severity: deal.SeverityAlert,
			WaitsOn: []Before{{Title: "Sandbox provisioned", Owner: "rita", DaysLate: 12}}}, "it waits on “Sandbox provisioned”, your side's"},
		{"a role nobody holds", Overdue{Task: "dpa", Title: "DPA redlines returned", Owner: "role:legal", Due: deal.NewDate(2026, 11, 14), DaysLate: 10, Severity: deal.SeverityAlert},
			"owned by the role legal, which nobody holds"},
	} {
		f := testFacts()
		f.Overdue = []Overdue{c.o}
		ns, notes := Decide(Input{Today: today, Deals: []Facts{f}})
		got := byKind(ns)
		if len(got["champion-reminder/marcus"]) != 0 || len(got["overdue/sam"]) == 0 {
			t.Errorf("%s: champion reminders %d (want 0), alerts to sam %d (want 1)", c.name, len(got["champion-reminder/marcus"]), len(got["overdue/sam"]))
		}
		for _, n := range ns {
			if strings.Contains(strings.Join(n.Body, " "), "was emailed a short reminder") {
				t.Errorf("%s: the seller is told the champion was reminded: %q", c.name, n.Body)
			}
		}
		if !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Text, c.note) }) {
			t.Errorf("%s: notes %+v, want one with %q", c.name, notes, c.note)
		}
	}
}

// TestUnopenedCountsFromTheInvite: a decider's room not opened counts from
// the invitation when maproom invite sent their link after the room was
// published; without a record of one, the notice asks to make sure they
// have their link rather than to send it "again".
func TestUnopenedCountsFromTheInvite(t *testing.T) {
	unopened := func(invited deal.Date) []Notice {
		f := testFacts()
		f.Overdue, f.Waiting = nil, nil
		for i := range f.Engagement {
			if f.Engagement[i].Person == "grace" { // published 15 November, never opened
				f.Engagement[i].Invited = invited
			}
		}
		ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
		return slices.DeleteFunc(ns, func(n Notice) bool { return n.Kind != KindUnopened })
	}
	if ns := unopened(deal.NewDate(2026, 11, 20)); len(ns) != 0 {
		t.Errorf("invited 4 days ago: %+v, want nothing yet", ns)
	}
	ns := unopened(deal.NewDate(2026, 11, 16))
	if len(ns) != 1 || !strings.Contains(ns[0].Body[0], "since they were sent their link on 2026-11-16, 8 calendar days ago") || !strings.Contains(ns[0].Do, "-resend") {
		t.Errorf("invited 8 days ago: %+v", ns)
	}
	ns = unopened(deal.Date{})
	if len(ns) != 1 || !strings.Contains(ns[0].Do, "maproom has no record of sending it") || strings.Contains(ns[0].Do, "-resend") {
		t.Errorf("no invitation on record: %+v", ns)
	}
	// An invitation of a link the room had before it was published again
	// is no record of this one.
	ns = unopened(deal.NewDate(2026, 11, 10))
	if len(ns) != 1 || !strings.Contains(ns[0].Do, "maproom has no record of sending it") {
		t.Errorf("invited before the room was published again: %+v", ns)
	}
}

// TestBuyerDigestEndsWithTheRoom: a buyer's digest of two reminders gives
// both notes, then their room's link once, last.
func TestBuyerDigestEndsWithTheRoom(t *testing.T) {
	f := testFacts()
	second := f.Overdue[0]
	second.Task, second.Title = "dpa-signed", "DPA signed"
	f.Overdue = []Overdue{f.Overdue[0], second}
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	var champ []Notice
	for _, n := range ns {
		if n.Kind == KindChampion {
			champ = append(champ, n)
		}
	}
	ds := Digest(champ, today)
	if len(champ) != 2 || len(ds) != 1 {
		t.Fatalf("%d reminders in %d digests, want 2 in 1", len(champ), len(ds))
	}
	body := ds[0].Body
	if last := body[len(body)-1]; !strings.HasPrefix(last, "Your room: ") || slices.IndexFunc(body, func(p string) bool { return strings.HasPrefix(p, "Your room: ") }) != len(body)-1 {
		t.Errorf("digest body %q, want the room's link once, last", body)
	}
}

// TestBuyerDigestOneADeal: a champion in two deals (the same address)
// gets one digest a deal, each from its own seller (signed by them, its
// replies to them) with that deal's room, never one signed for both.
func TestBuyerDigestOneADeal(t *testing.T) {
	a, b := testFacts(), testFacts()
	b.ID, b.Title = "hooli", "Northwind for Hooli"
	for i := range b.People {
		b.People[i].Deal = "hooli"
		if b.People[i].Side == deal.Seller {
			b.People[i].Name, b.People[i].Email = "Cara Success", "cara@northwind.example"
		}
		if b.People[i].Role == "champion" {
			b.People[i].Link = "https://rooms.example/r/otherroomtoken/"
		}
	}
	ns, _ := Decide(Input{Today: today, Deals: []Facts{a, b}})
	var champ []Notice
	for _, n := range ns {
		if n.Kind == KindChampion {
			champ = append(champ, n)
		}
	}
	ds := Digest(champ, today)
	if len(ds) != 2 || ds[0].Key == ds[1].Key {
		t.Fatalf("%d digests (keys %v), want one a deal, keyed apart", len(ds), ds)
	}
	for _, d := range ds {
		for _, p := range d.Parts {
			if p.Deal != d.Deal || p.ReplyTo != d.ReplyTo || p.Signature != d.Signature {
				t.Errorf("digest of %s holds a part of %s, or another seller's signature", d.Deal, p.Deal)
			}
		}
	}
}

// TestUnopenedCountsFromTheFirstLoad: a room out before the day the
// manifest records (a manifest rebuilt later records its own day), as a
// page-load of its link shows, is counted from then, as the report counts
// it: the decider's absence is told when the report tells it.
func TestUnopenedCountsFromTheFirstLoad(t *testing.T) {
	f := testFacts()
	f.Overdue, f.Waiting = nil, nil
	for i := range f.Engagement {
		if f.Engagement[i].Person == "grace" {
			f.Engagement[i].Published = today        // rebuilt today
			f.Engagement[i].Out = today.AddDays(-12) // a scanner loaded her link then
			f.Engagement[i].Invited = today.AddDays(-12)
		}
	}
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	ns = slices.DeleteFunc(ns, func(n Notice) bool { return n.Kind != KindUnopened })
	if len(ns) != 1 || !strings.Contains(ns[0].Body[0], "12 calendar days ago") || strings.Contains(ns[0].Do, "no record of sending it") {
		t.Errorf("out 12 days ago by its first page-load, published today by the manifest: %+v, want one notice counted from the first", ns)
	}
}
