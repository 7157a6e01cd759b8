package notify

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

func TestParseTemplateErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"Hello\n\n{{.Link}}", "invite.txt:1: the first line is the email's subject"},
		{"Subject: x\nnot blank\n{{.Link}}", "invite.txt:2: leave the line after the subject blank"},
		{"Subject: x\n\nHello {{.Name}}\nno link here\n", "invite.txt:3: the body never writes {{.Link}}"},
		{"Subject: x\n\nHello\n\n{{.Link}}\n[[why this deal matters to them]]\n", "invite.txt:6: [[why this deal matters to them]] is still to write"},
		{"Subject: x\n\nHello\n{{.Link}}\n{{.Nmae}}\n", "invite.txt:5: "},
		{"Subject: x\n\nHello\n{{.Link}\n", "invite.txt:4: "},
		{"Subject: {{.Bogus}}\n\n{{.Link}}\n", "invite.txt:1: "},
	} {
		_, err := ParseTemplate("invite.txt", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
	_, err := ParseTemplate("invite.txt", []byte("Subject: x\n\n{{.Nmae}} {{.Link}}\n"))
	if err == nil || !strings.Contains(err.Error(), "use .Name, .FirstName") {
		t.Errorf("an unknown field does not list the known ones: %v", err)
	}
}

func TestSiteTemplateIsUsed(t *testing.T) {
	tmpl, err := ParseTemplate("templates/invite.txt", []byte("Subject: {{.DealTitle}} for {{.FirstName}}\n\nHi {{.FirstName}}, here it is: {{.Link}}\r\n-- {{.Sender}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := testDeal()
	ns, _, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: tmpl, Location: london(t), Today: today, Only: []string{"priya", "rita"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 || ns[0].Subject != "Northwind for Acme: data platform for Priya" || ns[0].Text() != "Hi Priya, here it is: https://rooms.example/r/priya-token/\n-- Sam Lee\n" {
		t.Errorf("%d invites; first %q:\n%q", len(ns), ns[0].Subject, ns[0].Text())
	}
	if ns[1].To.ID != "rita" {
		t.Errorf("-to a seller stakeholder: %+v", ns[1].To)
	}
	if _, _, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: tmpl, Location: london(t), Today: today, Only: []string{"nobody"}}); err == nil || !strings.Contains(err.Error(), "acme has no stakeholder nobody") {
		t.Errorf("unknown -to: %v", err)
	}
	// Once won, the invitation comes from customer success, who runs the
	// onboarding, and answers go to them.
	won := testDeal()
	won.Outcome = deal.Won
	won.Stakeholders = append(won.Stakeholders, deal.Stakeholder{ID: "kofi", Name: "Kofi Asante", Side: deal.Seller, Role: "customer-success", Email: "kofi@northwind.example"})
	ns, _, err = Invites(InviteInput{Deal: won, Links: testLinks(won, ""), Template: tmpl, Location: london(t), Today: today, Only: []string{"priya"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Fatalf("%d invites for priya of the won deal, want 1", len(ns))
	}
	if !strings.HasSuffix(ns[0].Text(), "-- Kofi Asante\n") || ns[0].ReplyTo != "kofi@northwind.example" {
		t.Errorf("the won deal's invite comes from %q, reply to %q; want Kofi Asante (customer success)", ns[0].Text(), ns[0].ReplyTo)
	}
	d.Outcome = deal.Lost
	if _, _, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: tmpl, Location: london(t), Today: today}); err == nil || !strings.Contains(err.Error(), "lost") {
		t.Errorf("a lost deal invited: %v", err)
	}
}

func TestReviewCalendarMatchesTheRoom(t *testing.T) {
	d := testDeal()
	// A holiday on a review day (Tuesday 29 December) is no meeting; one
	// on another day changes nothing.
	holidays := []deal.Date{deal.NewDate(2026, 12, 29), deal.NewDate(2026, 12, 25)}
	cal := string(ReviewCalendar(d, london(t), today, holidays))
	// 2026-11-24 is a Tuesday: the first review is today at 15:00 London,
	// weekly until go-live.
	for _, want := range []string{"DTSTART;TZID=Europe/London:20261124T150000", "RRULE:FREQ=WEEKLY;UNTIL=20270301T235959Z", "SUMMARY:MAP review: Northwind for Acme: data platform", "EXDATE;TZID=Europe/London:20261229T150000"} {
		if !strings.Contains(cal, want) {
			t.Errorf("calendar lacks %q:\n%s", want, cal)
		}
	}
	if strings.Count(cal, "EXDATE") != 1 {
		t.Errorf("calendar has other exceptions than 29 December:\n%s", cal)
	}
	// Sent again a day later (the review moved since, say), the event is
	// a later revision of the same UID: a calendar takes it as an update.
	seq := func(cal string) int {
		i := strings.Index(cal, "SEQUENCE:")
		if i < 0 {
			t.Fatalf("no SEQUENCE:\n%s", cal)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(cal[i+9 : i+9+strings.Index(cal[i+9:], "\r\n")]))
		return n
	}
	later := string(ReviewCalendar(d, london(t), today.AddDays(1), holidays))
	if a, b := seq(cal), seq(later); b <= a || a <= 0 {
		t.Errorf("sequences %d then %d a day later: want them rising", a, b)
	}
	d.Review.HasDay = false
	if ReviewCalendar(d, london(t), today, nil) != nil {
		t.Errorf("a calendar for a deal without a review")
	}
}

func TestStoreIsAtomicAndRefusesAStrangeFile(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	n := Notice{Key: "reply/acme/r1/sam", Kind: KindReply, Deal: "acme", To: Person{ID: "sam"}}
	if err := st.Mark(n, "slack", fixedNow()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "sent.json" {
		t.Errorf("files left beside the record: %v", entries)
	}
	again := openStore(t, dir)
	if r, ok := again.Sent(n.Key, "slack"); !ok || !r.Sent.Equal(fixedNow()) || r.ID != n.ID() {
		t.Errorf("reread: %+v %v", r, ok)
	}
	if _, ok := again.Sent(n.Key, "email"); ok {
		t.Errorf("sent on slack reads as sent by email")
	}
	os.WriteFile(filepath.Join(dir, "sent.json"), []byte("{not json"), 0o600)
	if _, err := OpenStore(filepath.Join(dir, "sent.json")); err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Errorf("a torn record opens: %v", err)
	}
	// A store whose folder cannot be written reports it, and keeps nothing
	// it could not write.
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o500)
	bad, _ := OpenStore(filepath.Join(ro, "sent.json"))
	if err := bad.Mark(n, "slack", fixedNow()); err == nil && os.Geteuid() != 0 {
		t.Errorf("marking in a read-only folder succeeded")
	}
}

func TestLockKeepsASecondRunOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sent.json")
	l, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(path); err == nil || !strings.Contains(err.Error(), "another maproom notify or invite is running") {
		t.Errorf("second lock: %v", err)
	}
	l.Close()
	l2, err := Lock(path)
	if err != nil {
		t.Errorf("lock after release: %v", err)
	} else {
		l2.Close()
	}
}

// FuzzParseTemplate: no input panics, and a template that parses renders
// a body holding the link.
func FuzzParseTemplate(f *testing.F) {
	f.Add(builtinInvite)
	f.Add([]byte("Subject: x\n\n{{.Link}}\n"))
	f.Add([]byte("Subject: {{if .Replaces}}new{{end}}\n\n{{range .}}{{.Link}}\n"))
	f.Add([]byte("Subject:\n\n[[x]] {{.Link}}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tmpl, err := ParseTemplate("f.txt", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.txt:") {
				t.Errorf("error without file:line: %v", err)
			}
			return
		}
		_, body, err := tmpl.render(InviteData{Link: "https://rooms.example/r/zz/", Replaces: "x", Review: "y"})
		if err == nil && !strings.Contains(body, "https://rooms.example/r/zz/") {
			// A template may hide the link behind a condition on another
			// field; with every field set it shows.
			t.Errorf("rendered without the link:\n%s", body)
		}
	})
}

// TestInviteGoalAsWritten: the built-in invitation quotes the goal on a
// line of its own, as the plan writes it (a site's own template gets it
// as written too: nothing is added to it).
func TestInviteGoalAsWritten(t *testing.T) {
	d := testDeal()
	d.Goal = "Signed by 29 January so the March launch ships"
	ns, _, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: DefaultTemplate(), Location: london(t), Today: today, Only: []string{"priya"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || !strings.Contains(ns[0].Text(), "working to one shared plan, to this goal:\n\nSigned by 29 January so the March launch ships\n") {
		t.Errorf("the invitation says\n%s", ns[0].Text())
	}
}

// TestInviteOffersRepliesOnlyWhenTheRoomsTakeThem: the built-in invite
// says the person can confirm dates, mark steps done and ask questions
// from their room only when the rooms take replies (the site has a
// beacon_url); a site's own text can say so under {{if .Replies}}.
func TestInviteOffersRepliesOnlyWhenTheRoomsTakeThem(t *testing.T) {
	const offer = "You can confirm or propose dates, mark your steps done and ask questions right from the room."
	d := testDeal()
	for _, replies := range []bool{true, false} {
		ns, _, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: DefaultTemplate(), Location: london(t), Today: today, Only: []string{"priya"}, Replies: replies})
		if err != nil {
			t.Fatal(err)
		}
		text := ns[0].Text()
		if strings.Contains(text, offer) != replies {
			t.Errorf("rooms taking replies: %v; the invitation says\n%s", replies, text)
		}
		if !strings.Contains(text, "(anyone who holds it is counted as you).\n") && !replies {
			t.Errorf("without replies, the line about the link does not end where the offer was:\n%s", text)
		}
	}
	// A won deal whose onboarding is over takes no replies: its rooms have
	// no forms, and the invitation offers none.
	won := testDeal()
	won.Outcome = deal.Won
	ns, _, err := Invites(InviteInput{Deal: won, Links: testLinks(won, ""), Template: DefaultTemplate(), Location: london(t), Today: today, Only: []string{"priya"}, Replies: true})
	if err != nil || len(ns) != 1 || strings.Contains(ns[0].Text(), offer) {
		t.Errorf("a won deal with no onboarding left (%v): the invitation says\n%v", err, ns)
	}
	tmpl, err := ParseTemplate("templates/invite.txt", []byte("Subject: x\n\n{{.Link}}{{if .Replies}} Reply from the room.{{end}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ns, _, err = Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: tmpl, Location: london(t), Today: today, Only: []string{"priya"}})
	if err != nil || strings.Contains(ns[0].Text(), "Reply from the room") {
		t.Errorf("a site's own text offers replies the rooms do not take (%v):\n%s", err, ns[0].Text())
	}
}

// TestInviteRefusesASharedEmail: two stakeholders with one address (case
// and spaces aside) would each get the other's link there: neither is
// invited, a note says why and where to fix it; the others are.
func TestInviteRefusesASharedEmail(t *testing.T) {
	d := testDeal()
	var priya, marcus int
	for i, s := range d.Stakeholders {
		switch s.ID {
		case "priya":
			priya = i
		case "marcus":
			marcus = i
		}
	}
	d.Stakeholders[marcus].Email = " " + strings.ToUpper(d.Stakeholders[priya].Email)
	ns, notes, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: DefaultTemplate(), Location: london(t), Today: today})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		for _, to := range []string{"priya", "marcus"} {
			if n.To.ID == to {
				t.Errorf("%s was invited at a shared address", to)
			}
		}
	}
	if len(ns) == 0 {
		t.Error("nobody invited: the others should be")
	}
	if n := len(slices.DeleteFunc(slices.Clone(notes), func(n Note) bool { return !strings.Contains(n.Text, "share the email priya@acme.example") })); n != 2 {
		t.Errorf("notes %+v, want one for each of the two", notes)
	}
}

// TestInviteFollowsACorrectedAddress: an invitation recorded as sent to
// the address the plan had then is sent again to the address it has now,
// with a note that the old address holds a working link (rotate: closes
// it); the same address, in another case, is the same. (A corrected
// address was never sent the link: "already sent".)
func TestInviteFollowsACorrectedAddress(t *testing.T) {
	srv := startSMTP(t, true)
	st := openStore(t, t.TempDir())
	send := func(d *deal.Deal) ([]string, []Note) {
		t.Helper()
		ns, notes, err := Invites(InviteInput{Deal: d, Links: testLinks(d, ""), Template: DefaultTemplate(), Location: london(t), Today: today, Only: []string{"priya"}, Store: st})
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.messages())
		s := &Sender{Channels: []Channel{testEmail(srv)}, Store: st, Now: fixedNow}
		if _, err := s.Send(context.Background(), ns); err != nil {
			t.Fatal(err)
		}
		s.Close()
		var to []string
		for _, m := range srv.messages()[before:] {
			to = append(to, m.To...)
		}
		return to, notes
	}
	d := testDeal()
	if to, _ := send(d); !slices.Equal(to, []string{"priya@acme.example"}) {
		t.Fatalf("first invitation went to %v", to)
	}
	for i := range d.Stakeholders {
		if d.Stakeholders[i].ID == "priya" {
			d.Stakeholders[i].Email = "PRIYA@acme.example"
		}
	}
	if to, notes := send(d); len(to) != 0 || len(notes) != 0 {
		t.Fatalf("the same address in capitals: sent to %v, notes %+v; want nothing new", to, notes)
	}
	for i := range d.Stakeholders {
		if d.Stakeholders[i].ID == "priya" {
			d.Stakeholders[i].Email = "priya.raman@acme.example"
		}
	}
	to, notes := send(d)
	if !slices.Equal(to, []string{"priya.raman@acme.example"}) {
		t.Errorf("after the address was corrected, sent to %v; want the new address", to)
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "to priya@acme.example, not their address now (priya.raman@acme.example)") || !strings.Contains(notes[0].Text, "set rotate: on priya") {
		t.Errorf("notes %+v, want one naming the old address and rotate:", notes)
	}
	if to, _ := send(d); len(to) != 0 {
		t.Errorf("a third run sent again to %v", to)
	}
}
