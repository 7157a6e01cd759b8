package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// slackReceiver is an httptest stand-in for a Slack incoming webhook: it
// answers as Slack does ("ok", or an error word with 4xx/5xx) and keeps
// the messages.
type slackReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	msgs     []map[string]any
	statuses []int
}

func newSlack(t *testing.T, statuses ...int) *slackReceiver {
	r := &slackReceiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(req.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		code := http.StatusOK
		if len(r.statuses) > 0 {
			code, r.statuses = r.statuses[0], r.statuses[1:]
		}
		if code == http.StatusOK {
			r.msgs = append(r.msgs, m)
		}
		r.mu.Unlock()
		if code != http.StatusOK {
			http.Error(w, "internal_error", code)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *slackReceiver) messages() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.msgs...)
}

// blockTexts lists each block's type and text.
func blockTexts(m map[string]any) (types []string, texts []string) {
	blocks, _ := m["blocks"].([]any)
	for _, b := range blocks {
		bm := b.(map[string]any)
		types = append(types, bm["type"].(string))
		if tx, ok := bm["text"].(map[string]any); ok {
			texts = append(texts, tx["text"].(string))
		}
		if els, ok := bm["elements"].([]any); ok {
			for _, e := range els {
				texts = append(texts, e.(map[string]any)["text"].(string))
			}
		}
	}
	return types, texts
}

func TestSlackBlockKitEscapedAndSellerOnly(t *testing.T) {
	rcv := newSlack(t)
	f := testFacts()
	f.Overdue[0].Title = "Sign <!channel> & <https://evil.example|click>"
	ns, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	sl := &Slack{URL: rcv.srv.URL + "/services/T0/B0/SECRET"}
	outs, err := (&Sender{Channels: []Channel{sl}, Store: openStore(t, t.TempDir()), Now: fixedNow}).Send(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	sent, skipped := 0, 0
	for _, o := range outs {
		switch {
		case o.Status == StatusSent:
			sent++
		case o.Notice.Audience == Buyer && o.Status == StatusSkipped && o.Channel == "slack":
			skipped++
		case o.Notice.Audience == Buyer && o.Status == StatusSkipped && o.Channel == "":
			// and no other channel carries it
		default:
			t.Errorf("%s: %s %s", o.Notice.Subject, o.Status, o.Why)
		}
	}
	msgs := rcv.messages()
	if skipped != 1 || sent != len(msgs) || sent != 5 {
		t.Fatalf("sent %d (Slack got %d), skipped %d buyer notices; want 5 and 1", sent, len(msgs), skipped)
	}
	for _, m := range msgs {
		types, texts := blockTexts(m)
		if strings.Join(types, ",") != "header,section,section,context" {
			t.Errorf("blocks %v", types)
		}
		all := strings.Join(texts, "\n")
		if strings.Contains(all, "marcus-token") || strings.Contains(all, "@acme.example") {
			t.Errorf("a buyer's link or address went to Slack:\n%s", all)
		}
		if !strings.Contains(all, "What to do:") || !strings.Contains(all, "For Sam Lee") && !strings.Contains(all, "For Rita Alvarez") {
			t.Errorf("message lacks what to do or whom it is for:\n%s", all)
		}
		if strings.Contains(all, "Sign") {
			for _, tx := range texts[1:] {
				if strings.Contains(tx, "<!channel>") || strings.Contains(tx, "<https://") {
					t.Errorf("unescaped mrkdwn: %q", tx)
				}
			}
			if !strings.Contains(all, "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;") {
				t.Errorf("title not escaped for mrkdwn:\n%s", all)
			}
		}
		if m["text"] == "" {
			t.Errorf("no fallback text")
		}
	}
}

func TestFailingChannelDoesNotStopTheOthers(t *testing.T) {
	sl := newSlack(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	rcv := newReceiver(t, "k")
	var waits []time.Duration
	chans := []Channel{
		&Slack{URL: sl.srv.URL, Retry: noWait(2, &waits)},
		&Webhook{URL: rcv.srv.URL, Secret: []byte("k"), Retry: noWait(2, &waits)},
	}
	dir := t.TempDir()
	ns := sellerNotices(t)
	_, err := (&Sender{Channels: chans, Store: openStore(t, dir), Now: fixedNow}).Send(context.Background(), ns)
	if err == nil || !strings.Contains(err.Error(), "slack: ") || !strings.Contains(err.Error(), "500 Internal Server Error") || strings.Contains(err.Error(), "webhook: ") {
		t.Fatalf("error: %v", err)
	}
	if len(rcv.requests()) != len(ns) {
		t.Errorf("the webhook got %d of %d notices while Slack failed", len(rcv.requests()), len(ns))
	}
	st := openStore(t, dir)
	for _, n := range ns {
		if _, ok := st.Sent(n.Key, "slack"); ok {
			t.Errorf("recorded as sent on Slack, which failed: %s", n.Subject)
		}
		if _, ok := st.Sent(n.Key, "webhook"); !ok {
			t.Errorf("not recorded on the webhook: %s", n.Subject)
		}
	}
	// Slack is back: the next run sends to Slack only what it missed.
	sl.mu.Lock()
	sl.statuses = nil
	sl.mu.Unlock()
	before := len(rcv.requests())
	if _, err := (&Sender{Channels: chans, Store: st, Now: fixedNow}).Send(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	if len(sl.messages()) != len(ns) || len(rcv.requests()) != before {
		t.Errorf("second run: Slack got %d (want %d), the webhook %d more (want 0)", len(sl.messages()), len(ns), len(rcv.requests())-before)
	}
}

func TestDigestOneMessagePerPersonPerDay(t *testing.T) {
	rcv := newSlack(t)
	ns, _ := Decide(Input{Today: today, Deals: []Facts{testFacts()}})
	dir := t.TempDir()
	sl := &Slack{URL: rcv.srv.URL}
	s := &Sender{Channels: []Channel{sl}, Store: openStore(t, dir), Now: fixedNow, Digest: true, Day: today}
	if _, err := s.Send(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	msgs := rcv.messages()
	// Sam has four notices, Rita one: two messages.
	if len(msgs) != 2 {
		t.Fatalf("%d Slack messages, want 2 (one for Sam, one for Rita)", len(msgs))
	}
	_, sam := blockTexts(msgs[1])
	_, rita := blockTexts(msgs[0])
	if !strings.Contains(sam[0], "for Sam Lee, 2026-11-24: 4 items") || !strings.Contains(rita[0], "for Rita Alvarez, 2026-11-24: 1 item") {
		t.Errorf("digest headers %q, %q", sam[0], rita[0])
	}
	// A new notice the same day waits for tomorrow's digest; what was in
	// today's is never told again.
	f := testFacts()
	f.Waiting = append(f.Waiting, Waiting{ID: "r-new", From: "priya", Kind: "question", About: "the plan", Text: "When is the review?", Sent: today})
	ns2, _ := Decide(Input{Today: today, Deals: []Facts{f}})
	s = &Sender{Channels: []Channel{sl}, Store: openStore(t, dir), Now: fixedNow, Digest: true, Day: today}
	if _, err := s.Send(context.Background(), ns2); err != nil {
		t.Fatal(err)
	}
	if len(rcv.messages()) != 2 {
		t.Errorf("a second digest went out the same day")
	}
	tomorrow := today.AddDays(1)
	s = &Sender{Channels: []Channel{sl}, Store: openStore(t, dir), Now: fixedNow, Digest: true, Day: tomorrow}
	if _, err := s.Send(context.Background(), ns2); err != nil {
		t.Fatal(err)
	}
	msgs = rcv.messages()
	if len(msgs) != 3 {
		t.Fatalf("tomorrow: %d messages in all, want 3", len(msgs))
	}
	_, texts := blockTexts(msgs[2])
	if all := strings.Join(texts, "\n"); !strings.Contains(all, "1 item") || !strings.Contains(all, "When is the review?") || strings.Contains(all, "Anonymised") {
		t.Errorf("tomorrow's digest holds more or less than the new reply:\n%s", all)
	}
}

// TestUncarriedSaysWhy holds what a seller reads when no channel carries a
// message: each channel's reason, so they know what to change: the email
// to add to the plan, or that a buyer's message goes by email only. The
// same in a digest.
func TestUncarriedSaysWhy(t *testing.T) {
	seller := Notice{Key: "k1", Kind: KindOverdue, Deal: "acme", Subject: "late", Audience: Seller, To: Person{Deal: "acme", ID: "sam", Name: "Sam Lee"}}
	buyer := Notice{Key: "k2", Kind: KindChampion, Deal: "acme", Subject: "reminder", Audience: Buyer, To: Person{Deal: "acme", ID: "ann", Name: "Ann Bell"}}
	email := func() Channel { return &Email{Host: "127.0.0.1"} }
	slack := func() Channel { return &Slack{URL: "http://127.0.0.1:1/"} }
	cases := []struct {
		name     string
		channels []Channel
		n        Notice
		want     string
	}{
		{"seller, email only", []Channel{email()}, seller,
			"no channel configured carries it (email: Sam Lee has no email in the plan: add email: to their entry under stakeholders in content/acme/index.md)"},
		{"buyer, email and Slack", []Channel{email(), slack()}, buyer,
			"no channel configured carries it (email: Ann Bell has no email in the plan: add email: to their entry under stakeholders in content/acme/index.md; slack: a buyer's message goes by email only)"},
		{"buyer, Slack only", []Channel{slack()}, buyer,
			"no channel configured carries it (slack: a buyer's message goes by email only)"},
	}
	for _, c := range cases {
		for _, digest := range []bool{false, true} {
			s := &Sender{Channels: c.channels, Store: openStore(t, t.TempDir()), Now: fixedNow, Digest: digest, Day: today}
			got := ""
			for _, o := range s.DryRun([]Notice{c.n}) {
				if o.Channel == "" && o.Status == StatusSkipped {
					got = o.Why
				}
			}
			if got != c.want {
				t.Errorf("%s (digest %v): not carried because\n%q\nwant\n%q", c.name, digest, got, c.want)
			}
		}
	}
}
