package notify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/ics/icstest"
)

func london(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	return loc
}

func testEmail(srv *smtpServer) *Email {
	return &Email{Host: srv.Host, Port: srv.Port, From: "Northwind deal desk <deals@northwind.example>", RootCAs: srv.pool, Timeout: 5 * time.Second, Now: fixedNow}
}

func invites(t *testing.T, d *deal.Deal, links map[string]string, st *Store, only ...string) []Notice {
	t.Helper()
	ns, _, err := Invites(InviteInput{Deal: d, Links: links, Template: DefaultTemplate(), Location: london(t), Timezone: "Europe/London", Today: today, Only: only, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestInviteEmailsEachPersonTheirOwnLinkOnce(t *testing.T) {
	srv := startSMTP(t, true)
	d := testDeal()
	links := testLinks(d, "")
	dir := t.TempDir()
	st := openStore(t, dir)
	ns, notes, err := Invites(InviteInput{Deal: d, Links: links, Template: DefaultTemplate(), Location: london(t), Timezone: "Europe/London", Today: today, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	// Five buyers; Elena has no email: four invites and a note naming her line.
	if len(ns) != 4 || len(notes) != 1 || !strings.Contains(notes[0].Text, "Elena Novak (elena) has no email: add email: to them in content/acme/index.md (line 15)") {
		t.Fatalf("%d invites, notes %+v", len(ns), notes)
	}
	em := testEmail(srv)
	s := &Sender{Channels: []Channel{em}, Store: st, Now: fixedNow}
	if _, err := s.Send(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	s.Close()
	msgs := srv.messages()
	if len(msgs) != 4 {
		t.Fatalf("the server got %d messages, want 4", len(msgs))
	}
	byEmail := map[string]string{}
	for _, p := range d.Stakeholders {
		byEmail[p.Email] = p.ID
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if !m.TLS {
			t.Errorf("a message went over a connection without STARTTLS")
		}
		if len(m.To) != 1 {
			t.Fatalf("one message to %d recipients: %v", len(m.To), m.To)
		}
		id := byEmail[m.To[0]]
		seen[id] = true
		pm := parseMail(t, m.Data)
		if got := pm.Header.Get("To"); !strings.Contains(got, m.To[0]) {
			t.Errorf("envelope to %s, header To %q", m.To[0], got)
		}
		if !strings.Contains(pm.Text, links[id]) {
			t.Errorf("%s's invite lacks their own link %s:\n%s", id, links[id], pm.Text)
		}
		for other, l := range links {
			if other != id && strings.Contains(string(m.Data), strings.TrimSuffix(strings.TrimPrefix(l, "https://rooms.example/r/"), "/")) {
				t.Errorf("%s's invite holds %s's link", id, other)
			}
		}
		if rt := pm.Header.Get("Reply-To"); !strings.Contains(rt, "sam@northwind.example") {
			t.Errorf("Reply-To %q, want the account executive", rt)
		}
		if pm.Header.Get("Auto-Submitted") != "" {
			t.Errorf("an invite is a personal email, not auto-submitted")
		}
		cal, ok := pm.Attachments["review.ics"]
		if !ok {
			t.Fatalf("no review.ics attached to %s's invite", id)
		}
		evs, err := icstest.Check(cal)
		if err != nil {
			t.Fatalf("review.ics: %v\n%s", err, cal)
		}
		if len(evs) != 1 || !evs[0].Recurs || evs[0].Start.Weekday() != time.Tuesday || evs[0].Start.Hour() != 15 || evs[0].Start.Location().String() != "Europe/London" {
			t.Errorf("review event: %+v", evs)
		}
		if !strings.Contains(pm.Text, "on Tuesdays at 15:00 (Europe/London), for 15 minutes") {
			t.Errorf("the text does not say when the review is:\n%s", pm.Text)
		}
	}
	for _, id := range []string{"priya", "marcus", "jordan", "grace"} {
		if !seen[id] {
			t.Errorf("%s was not invited", id)
		}
	}

	// Again, from the record on disk: nobody is invited twice.
	st2 := openStore(t, dir)
	s2 := &Sender{Channels: []Channel{testEmail(srv)}, Store: st2, Now: fixedNow}
	outs, err := s2.Send(context.Background(), invites(t, d, links, st2))
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if len(srv.messages()) != 4 {
		t.Errorf("the second run sent %d more", len(srv.messages())-4)
	}
	for _, o := range outs {
		if o.Status != StatusAlready {
			t.Errorf("%s: %s", o.Notice.To.ID, o.Status)
		}
	}

	// Jordan's link is rotated: Jordan alone is invited again, told the
	// new link replaces the old.
	rotated := testLinks(d, "")
	rotated["jordan"] = "https://rooms.example/r/jordan-token-rotated/"
	s3 := &Sender{Channels: []Channel{testEmail(srv)}, Store: st2, Now: func() time.Time { return fixedNow().Add(48 * time.Hour) }}
	if _, err := s3.Send(context.Background(), invites(t, d, rotated, st2)); err != nil {
		t.Fatal(err)
	}
	s3.Close()
	msgs = srv.messages()
	if len(msgs) != 5 || msgs[4].To[0] != "jordan@acme.example" {
		t.Fatalf("after rotating Jordan's link: %d messages, last to %v", len(msgs), msgs[len(msgs)-1].To)
	}
	pm := parseMail(t, msgs[4].Data)
	if !strings.Contains(pm.Text, "jordan-token-rotated") || strings.Contains(string(msgs[4].Data), "jordan-token/") || !strings.Contains(pm.Text, "replaces the one we sent on 24 November 2026") {
		t.Errorf("the new invite:\n%s", pm.Text)
	}

	// -resend sends again what was sent.
	s4 := &Sender{Channels: []Channel{testEmail(srv)}, Store: st2, Now: fixedNow, Resend: true}
	if _, err := s4.Send(context.Background(), invites(t, d, rotated, st2, "priya")); err != nil {
		t.Fatal(err)
	}
	s4.Close()
	if msgs = srv.messages(); len(msgs) != 6 || msgs[5].To[0] != "priya@acme.example" {
		t.Errorf("resend to Priya: %d messages", len(msgs))
	}
}

func TestChampionReminderByEmail(t *testing.T) {
	srv := startSMTP(t, true)
	ns, _ := Decide(Input{Today: today, Deals: []Facts{testFacts()}})
	em := testEmail(srv)
	s := &Sender{Channels: []Channel{em}, Store: openStore(t, t.TempDir()), Now: fixedNow}
	if _, err := s.Send(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var champ *captured
	for i, m := range srv.messages() {
		if m.To[0] == "marcus@acme.example" {
			champ = &srv.messages()[i]
		}
	}
	if champ == nil {
		t.Fatal("the champion got no email")
	}
	pm := parseMail(t, champ.Data)
	if !strings.Contains(pm.Text, "https://rooms.example/r/marcus-token/") || strings.Contains(pm.Text, "jordan-token") || strings.Contains(pm.Text, "maproom") {
		t.Errorf("the champion's email:\n%s", pm.Text)
	}
	if pm.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("a reminder should say it is automatic")
	}
}

func TestEmailRefusesAServerWithoutSTARTTLS(t *testing.T) {
	srv := startSMTP(t, false)
	st := openStore(t, t.TempDir())
	ns := invites(t, testDeal(), testLinks(testDeal(), ""), st)
	s := &Sender{Channels: []Channel{testEmail(srv)}, Store: st, Now: fixedNow}
	_, err := s.Send(context.Background(), ns)
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("error: %v", err)
	}
	if len(srv.messages()) != 0 {
		t.Errorf("sent in clear text")
	}
	for _, n := range ns {
		if _, ok := st.Sent(n.Key, "email"); ok {
			t.Errorf("recorded as sent: %s", n.To.ID)
		}
	}
}

func TestEmailVerifiesTheCertificate(t *testing.T) {
	srv := startSMTP(t, true)
	st := openStore(t, t.TempDir())
	em := testEmail(srv)
	em.RootCAs = nil // the system's roots do not know the test's certificate
	s := &Sender{Channels: []Channel{em}, Store: st, Now: fixedNow}
	_, err := s.Send(context.Background(), invites(t, testDeal(), testLinks(testDeal(), ""), st))
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("error: %v", err)
	}
	if len(srv.messages()) != 0 {
		t.Errorf("sent to a server whose certificate does not verify")
	}
}

func TestEmailOneRefusedRecipientDoesNotStopTheOthers(t *testing.T) {
	srv := startSMTP(t, true)
	srv.rejectTo["marcus@acme.example"] = true
	st := openStore(t, t.TempDir())
	ns := invites(t, testDeal(), testLinks(testDeal(), ""), st)
	s := &Sender{Channels: []Channel{testEmail(srv)}, Store: st, Now: fixedNow}
	_, err := s.Send(context.Background(), ns)
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "Marcus Chen") || !strings.Contains(err.Error(), "550") {
		t.Fatalf("error: %v", err)
	}
	if len(srv.messages()) != 3 {
		t.Errorf("%d sent, want the 3 others", len(srv.messages()))
	}
	for _, n := range ns {
		_, ok := st.Sent(n.Key, "email")
		if ok == (n.To.ID == "marcus") {
			t.Errorf("%s recorded: %v", n.To.ID, ok)
		}
	}
}

// TestSellerAlertSaysOnlyWhatWasSent: the seller's alert says the champion
// was emailed a reminder only when that email went: it is sent after it
// (whatever the order of their ids), and without the line when the
// champion's address refused it.
func TestSellerAlertSaysOnlyWhatWasSent(t *testing.T) {
	for _, refused := range []bool{false, true} {
		srv := startSMTP(t, true)
		if refused {
			srv.rejectTo["marcus@acme.example"] = true
		}
		st := openStore(t, t.TempDir())
		f := testFacts()
		f.Overdue = f.Overdue[:1] // Jordan's step, 10 days late: an alert, and Marcus reminded
		for i := range f.People {
			if f.People[i].ID == "sam" {
				f.People[i].ID = "aaron" // the account executive's id sorts before the champion's
			}
		}
		ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
		if !slices.ContainsFunc(ns, func(n Notice) bool { return n.Claims != "" }) {
			t.Fatal("no alert claims the champion's reminder")
		}
		s := &Sender{Channels: []Channel{testEmail(srv)}, Store: st, Now: fixedNow}
		s.Send(context.Background(), ns)
		s.Close()
		said := false
		for _, m := range srv.messages() {
			said = said || strings.Contains(strings.ReplaceAll(string(m.Data), "=\r\n", ""), "was emailed a short reminder")
		}
		if said == refused {
			t.Errorf("champion's address refused %v: the seller's alert says the champion was emailed: %v", refused, said)
		}
		alerts := 0
		for _, m := range srv.messages() {
			if slices.Contains(m.To, "sam@northwind.example") && strings.Contains(string(m.Data), "was emailed") == !refused && strings.Contains(string(m.Data), "10 calendar days late") {
				alerts++
			}
		}
		if alerts != 1 {
			t.Errorf("champion's address refused %v: %d alerts to the seller, want 1", refused, alerts)
		}
	}
}

// TestEmailReconnectsAfterADroppedConnection: a connection that drops in
// the middle of a run fails the message it was sending, not every message
// after it: the next one connects again.
func TestEmailReconnectsAfterADroppedConnection(t *testing.T) {
	srv := startSMTP(t, true)
	srv.dropAt["marcus@acme.example"] = true
	st := openStore(t, t.TempDir())
	ns := invites(t, testDeal(), testLinks(testDeal(), ""), st)
	s := &Sender{Channels: []Channel{testEmail(srv)}, Store: st, Now: fixedNow}
	_, err := s.Send(context.Background(), ns)
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "Marcus Chen") {
		t.Fatalf("error: %v, want Marcus's message failed", err)
	}
	if got, want := len(srv.messages()), len(ns)-1; got != want {
		t.Errorf("%d sent, want the %d others (the ones after the drop too)", got, want)
	}
	for _, n := range ns {
		if _, ok := st.Sent(n.Key, "email"); ok == (n.To.ID == "marcus") {
			t.Errorf("%s recorded: %v", n.To.ID, ok)
		}
	}
}

// TestNoFalseEmailedClaim: the seller is told the champion was emailed
// only of an email that went, in digests too (the champion's digest goes
// first, on email, and the sellers' after it), and never when no email
// channel could carry it (a mail server whose secret is not set leaves
// the run without one). Slack said "was emailed" of a refused digest, and
// of an email never sent.
func TestNoFalseEmailedClaim(t *testing.T) {
	emailed := func(rcv *slackReceiver) bool {
		for _, m := range rcv.messages() {
			if _, texts := blockTexts(m); strings.Contains(strings.Join(texts, " "), "was emailed a short reminder") {
				return true
			}
		}
		return false
	}
	f := testFacts()
	f.Overdue = f.Overdue[:1] // Jordan's step, 10 days late: an alert, and Marcus reminded
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	for _, digest := range []bool{false, true} {
		for _, refused := range []bool{false, true} {
			srv := startSMTP(t, true)
			if refused {
				srv.rejectTo["marcus@acme.example"] = true
			}
			sl := newSlack(t)
			s := &Sender{Channels: []Channel{&Slack{URL: sl.srv.URL}, testEmail(srv)}, Store: openStore(t, t.TempDir()), Now: fixedNow, Digest: digest, Day: today}
			s.Send(context.Background(), ns)
			s.Close()
			if got := emailed(sl); got == refused {
				t.Errorf("digest %v, champion's address refused %v: Slack says the champion was emailed: %v", digest, refused, got)
			}
		}
		// No email channel at all: nothing was emailed.
		sl := newSlack(t)
		s := &Sender{Channels: []Channel{&Slack{URL: sl.srv.URL}}, Store: openStore(t, t.TempDir()), Now: fixedNow, Digest: digest, Day: today}
		if _, err := s.Send(context.Background(), ns); err != nil {
			t.Fatal(err)
		}
		if emailed(sl) {
			t.Errorf("digest %v, no email channel: Slack says the champion was emailed", digest)
		}
	}
}
