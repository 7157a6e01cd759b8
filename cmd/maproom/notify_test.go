package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/ics/icstest"
	"github.com/maproom/maproom/internal/notify"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// TestNotifyRunTwiceSendsNothingNew runs maproom notify on a copy of the
// example site against a webhook receiver on 127.0.0.1: every request is
// signed, the first run sends each notice once, the second sends nothing,
// and a receiver answering 500 then 200 gets the notice after a retry.
func TestNotifyRunTwiceSendsNothingNew(t *testing.T) {
	const secret = "webhook-secret-for-the-test"
	var mu sync.Mutex
	var got []notify.Payload
	fail := 1 // the first request is answered 500
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify([]byte(secret), r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, time.Now(), time.Minute); err != nil {
			t.Errorf("request not verified: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		var p notify.Payload
		if err := json.Unmarshal(body, &p); err != nil || p.ID != r.Header.Get(notify.HeaderIdempotency) {
			t.Errorf("payload %s: %v", body, err)
		}
		got = append(got, p)
	}))
	defer srv.Close()

	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "content", "maproom.toml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("\n[notify]\nwebhook_url = \""+srv.URL+"/hooks/maproom\"\nwebhook_secret_env = \"MAPROOM_TEST_WEBHOOK_SECRET\"\n")...)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAPROOM_SECRET", testSecret)
	t.Setenv("MAPROOM_TEST_WEBHOOK_SECRET", secret)
	t.Setenv("MAPROOM_TODAY", "")
	var stderr string
	maproom := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append(args, "-root", root), strings.NewReader(""), &out, &errb)
		if err != nil {
			t.Logf("maproom %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		stderr = errb.String()
		return out.String(), err
	}
	if _, err := maproom("build", "-today", "2026-11-16"); err != nil {
		t.Fatal(err)
	}
	// The beacon's log, in which nobody came: the deciders never opened
	// their rooms (without a log, nothing is said of who opened what).
	events := filepath.Join(root, ".maproom", "events")
	if err := os.MkdirAll(events, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(events, "events-2026-11-16-beacon-1.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := maproom("notify", "-today", "2026-11-24")
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	mu.Lock()
	first := len(got)
	kinds := map[notify.Kind]int{}
	for _, p := range got {
		kinds[p.Kind]++
		if p.To.Side != "seller" {
			t.Errorf("a notice to %s (%s side) went to the webhook", p.To.Name, p.To.Side)
		}
	}
	retried := fail == 0
	mu.Unlock()
	if !retried {
		t.Errorf("the receiver's 500 was never met")
	}
	if first == 0 || kinds[notify.KindOverdue] == 0 || kinds[notify.KindUnopened] == 0 || kinds[notify.KindChampion] != 0 {
		t.Fatalf("first run delivered %v", kinds)
	}
	mu.Lock()
	for _, p := range got {
		if strings.Contains(p.Text, "was emailed a short reminder") {
			t.Errorf("the seller's alert claims the champion was emailed, with no email channel: %s", p.Text)
		}
	}
	mu.Unlock()
	if !strings.Contains(out, "sent by webhook to Sam Lee: Alert:") || !strings.Contains(out, " sent, 0 messages already sent before") {
		t.Errorf("first run output:\n%s", out)
	}
	// The champion's reminder has no channel here (email is off): said so,
	// and the seller's alert does not claim it was sent.
	if !strings.Contains(stderr, "Marcus Chen (champion) is not reminded, as no email channel is configured (set [notify] smtp_host)") {
		t.Errorf("first run stderr:\n%s", stderr)
	}

	out, err = maproom("notify", "-today", "2026-11-24")
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	mu.Lock()
	second := len(got) - first
	mu.Unlock()
	if second != 0 || !strings.HasPrefix(out, "0 messages sent, ") {
		t.Errorf("the second run sent %d more:\n%s", second, out)
	}
}

// TestInviteReviewIsTheRoomsReview: the review.ics an invite carries is
// the same event, by UID, start, recurrence and end, as the weekly review
// in the person's room calendar.ics, so a calendar that imports both keeps
// one.
func TestInviteReviewIsTheRoomsReview(t *testing.T) {
	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAPROOM_SECRET", testSecret)
	t.Setenv("MAPROOM_TODAY", "")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"build", "-root", root, "-today", "2026-11-25"}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("build: %v\n%s", err, errb.String())
	}
	today := deal.NewDate(2026, 11, 25)
	site, ps := generator.Load(generator.LoadOptions{Root: root, Today: today})
	if ps.Errors() > 0 {
		t.Fatal(ps)
	}
	compared := 0
	for _, l := range generator.Links(site, []byte(testSecret)) {
		var d *deal.Deal
		for _, b := range site.Bundles {
			if b.Deal.ID == l.Deal {
				d = b.Deal
			}
		}
		invite := notify.ReviewCalendar(d, site.Config.Location, today, site.Config.HolidayDays)
		room, err := os.ReadFile(filepath.Join(root, "public", filepath.FromSlash(l.Path), "calendar.ics"))
		if invite == nil {
			if err == nil && bytes.Contains(room, []byte("RRULE")) {
				t.Errorf("%s/%s: the room has a review, the invite none", l.Deal, l.Stakeholder)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s/%s: the invite has a review, the room no calendar: %v", l.Deal, l.Stakeholder, err)
		}
		ie, err := icstest.Check(invite)
		if err != nil || len(ie) != 1 {
			t.Fatalf("invite calendar: %v, %d events", err, len(ie))
		}
		re, err := icstest.Check(room)
		if err != nil {
			t.Fatalf("room calendar: %v", err)
		}
		found := false
		for _, ev := range re {
			if ev.UID == ie[0].UID {
				found = true
				if !ev.Start.Equal(ie[0].Start) || ev.Recurs != ie[0].Recurs || !ev.Until.Equal(ie[0].Until) || len(ev.Occurrences) != len(ie[0].Occurrences) {
					t.Errorf("%s/%s: the room's review %+v, the invite's %+v", l.Deal, l.Stakeholder, ev, ie[0])
				}
			}
		}
		if !found {
			t.Errorf("%s/%s: the room's calendar has no event %s", l.Deal, l.Stakeholder, ie[0].UID)
		}
		compared++
	}
	if compared < 10 {
		t.Errorf("only %d rooms compared", compared)
	}
}
