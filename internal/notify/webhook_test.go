package notify

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is an httptest webhook receiver that verifies every request's
// signature and answers with the statuses queued (then 200).
type receiver struct {
	t      *testing.T
	secret []byte
	srv    *httptest.Server

	mu       sync.Mutex
	statuses []int
	reqs     []received
}

type received struct {
	Body        []byte
	Timestamp   string
	Idempotency string
	SigOK       bool
	Payload     Payload
}

func newReceiver(t *testing.T, secret string, statuses ...int) *receiver {
	r := &receiver{t: t, secret: []byte(secret), statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	rec := received{Body: body, Timestamp: req.Header.Get(HeaderTimestamp), Idempotency: req.Header.Get(HeaderIdempotency)}
	rec.SigOK = Verify(r.secret, rec.Timestamp, req.Header.Get(HeaderSignature), body, time.Now(), 5*time.Minute) == nil
	if err := json.Unmarshal(body, &rec.Payload); err != nil {
		r.t.Errorf("webhook body is not JSON: %v\n%s", err, body)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	code := http.StatusOK
	if len(r.statuses) > 0 {
		code, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.mu.Unlock()
	w.WriteHeader(code)
	io.WriteString(w, http.StatusText(code))
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

// noWait is a Retry that does not sleep, and counts its waits.
func noWait(attempts int, waits *[]time.Duration) Retry {
	return Retry{Attempts: attempts, Backoff: 10 * time.Millisecond, Sleep: func(_ context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return nil
	}}
}

func sellerNotices(t *testing.T) []Notice {
	ns, _ := Decide(Input{Today: today, Deals: []Facts{testFacts()}})
	var out []Notice
	for _, n := range ns {
		if n.Audience == Seller {
			out = append(out, n)
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d seller notices", len(out))
	}
	return out
}

func TestWebhookSignedRetriedAfter500AndNotResent(t *testing.T) {
	rcv := newReceiver(t, "s3cret-for-tests", http.StatusInternalServerError)
	var waits []time.Duration
	wh := &Webhook{URL: rcv.srv.URL, Secret: []byte("s3cret-for-tests"), Retry: noWait(4, &waits), Now: time.Now}
	dir := t.TempDir()
	ns := sellerNotices(t)
	s := &Sender{Channels: []Channel{wh}, Store: openStore(t, dir), Now: fixedNow}
	outs, err := s.Send(context.Background(), ns)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	reqs := rcv.requests()
	if len(reqs) != len(ns)+1 {
		t.Fatalf("%d requests for %d notices and one 500, want %d", len(reqs), len(ns), len(ns)+1)
	}
	if len(waits) != 1 || waits[0] != 10*time.Millisecond {
		t.Errorf("backoff waits %v, want one of 10ms", waits)
	}
	// The first notice was tried twice: the same key both times, each
	// attempt signed.
	if reqs[0].Idempotency == "" || reqs[0].Idempotency != reqs[1].Idempotency || reqs[0].Idempotency != ns[0].ID() {
		t.Errorf("idempotency keys %q, %q; want both %q", reqs[0].Idempotency, reqs[1].Idempotency, ns[0].ID())
	}
	for i, r := range reqs {
		if !r.SigOK {
			t.Errorf("request %d: signature does not verify", i)
		}
		if strings.Contains(string(r.Body), "@") || strings.Contains(string(r.Body), "rooms.example") {
			t.Errorf("request %d carries an address or a room link: %s", i, r.Body)
		}
	}
	if p := reqs[1].Payload; p.Version != 1 || p.ID != ns[0].ID() || p.Kind != ns[0].Kind || p.Deal != "acme" || p.To.ID != ns[0].To.ID || p.Subject != ns[0].Subject || p.Do == "" {
		t.Errorf("payload: %+v", p)
	}
	for _, o := range outs {
		if o.Status != StatusSent {
			t.Errorf("%s: %s", o.Notice.Subject, o.Status)
		}
	}

	// A second run, from the record on disk: nothing is sent again.
	s2 := &Sender{Channels: []Channel{wh}, Store: openStore(t, dir), Now: fixedNow}
	outs, err = s2.Send(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.requests()); n != len(reqs) {
		t.Errorf("the second run sent %d more requests", n-len(reqs))
	}
	for _, o := range outs {
		if o.Status != StatusAlready || !o.When.Equal(fixedNow()) {
			t.Errorf("second run: %s %s at %v", o.Notice.Subject, o.Status, o.When)
		}
	}
}

func TestWebhookNoRetryOn4xxAndNothingMarked(t *testing.T) {
	rcv := newReceiver(t, "k", http.StatusBadRequest)
	var waits []time.Duration
	wh := &Webhook{URL: rcv.srv.URL, Secret: []byte("k"), Retry: noWait(4, &waits)}
	ns := sellerNotices(t)[:1]
	st := openStore(t, t.TempDir())
	_, err := (&Sender{Channels: []Channel{wh}, Store: st, Now: fixedNow}).Send(context.Background(), ns)
	if err == nil || !strings.Contains(err.Error(), "400 Bad Request") || !strings.HasPrefix(err.Error(), "webhook: ") {
		t.Fatalf("error %v, want the 400 named with the channel", err)
	}
	if len(rcv.requests()) != 1 || len(waits) != 0 {
		t.Errorf("a 400 was retried: %d requests", len(rcv.requests()))
	}
	if _, ok := st.Sent(ns[0].Key, "webhook"); ok {
		t.Errorf("a refused notice was recorded as sent")
	}
}

func TestWebhookUnreachableRetriesAndHidesTheURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook/T0SECRET"
	srv.Close() // nothing listens there now
	var waits []time.Duration
	wh := &Webhook{URL: url, Secret: []byte("k"), Retry: noWait(3, &waits)}
	st := openStore(t, t.TempDir())
	ns := sellerNotices(t)[:1]
	_, err := (&Sender{Channels: []Channel{wh}, Store: st, Now: fixedNow}).Send(context.Background(), ns)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server") || !strings.Contains(err.Error(), "tried 3 times") {
		t.Fatalf("error: %v", err)
	}
	if strings.Contains(err.Error(), "T0SECRET") {
		t.Errorf("the error shows the URL: %v", err)
	}
	if len(waits) != 2 || waits[1] != 2*waits[0] {
		t.Errorf("waits %v, want two, doubling", waits)
	}
	if _, ok := st.Sent(ns[0].Key, "webhook"); ok {
		t.Errorf("recorded as sent")
	}
}

// silentServer is a receiver that never answers (until the test ends),
// and counts the requests it got.
func silentServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	release := make(chan struct{})
	calls := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv.URL, calls
}

// TestWebhookSlowServerRetried: a receiver that does not answer within the
// client's timeout is tried again, as an unreachable one is (it was given
// one try: the timeout read as the run's own end).
func TestWebhookSlowServerRetried(t *testing.T) {
	url, calls := silentServer(t)
	var waits []time.Duration
	wh := &Webhook{URL: url, Secret: []byte("k"), Retry: noWait(3, &waits), Client: &http.Client{Timeout: 50 * time.Millisecond}}
	st := openStore(t, t.TempDir())
	_, err := (&Sender{Channels: []Channel{wh}, Store: st, Now: fixedNow}).Send(context.Background(), sellerNotices(t)[:1])
	if err == nil || !strings.Contains(err.Error(), "tried 3 times") {
		t.Fatalf("error %v, want the slow server tried 3 times", err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestSlackSlowServerNotRepeated: Slack keeps no key to drop a repeat by,
// so a message it may have taken and answered late is not sent again (a
// refused connection still is).
func TestSlackSlowServerNotRepeated(t *testing.T) {
	url, calls := silentServer(t)
	var waits []time.Duration
	sl := &Slack{URL: url, Retry: noWait(3, &waits), Client: &http.Client{Timeout: 50 * time.Millisecond}}
	_, err := (&Sender{Channels: []Channel{sl}, Store: openStore(t, t.TempDir()), Now: fixedNow}).Send(context.Background(), sellerNotices(t)[:1])
	if err == nil {
		t.Fatal("a message Slack never answered counts as sent")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d requests to a Slack that answered late, want 1: it may show twice", n)
	}
	// Nor by the next run: it is recorded, and the error says to check.
	if !strings.Contains(err.Error(), "recorded as sent") {
		t.Errorf("error %v, want it to say the message is recorded", err)
	}
	st := openStore(t, t.TempDir())
	s := &Sender{Channels: []Channel{sl}, Store: st, Now: fixedNow}
	s.Send(context.Background(), sellerNotices(t)[:1])
	before := calls.Load()
	if _, err := s.Send(context.Background(), sellerNotices(t)[:1]); err != nil || calls.Load() != before {
		t.Errorf("the next run: %v, %d more requests; want the message not sent again", err, calls.Load()-before)
	}
}

func TestVerifyRefusesTamperingAndOldTimestamps(t *testing.T) {
	body := []byte(`{"version":1}`)
	now := time.Unix(1_800_000_000, 0)
	ts := "1800000000"
	sig := Sign([]byte("k"), ts, body)
	if err := Verify([]byte("k"), ts, sig, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other body":   Verify([]byte("k"), ts, sig, []byte(`{"version":2}`), now, time.Minute),
		"other secret": Verify([]byte("x"), ts, sig, body, now, time.Minute),
		"other time":   Verify([]byte("k"), "1800000001", sig, body, now, time.Minute),
		"replayed":     Verify([]byte("k"), ts, sig, body, now.Add(time.Hour), time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// TestWebhookRedirectIsNotSent: a receiver that answers with a redirect
// has not taken the notice: followed, the POST would arrive as a GET
// without its body (or at another host). It is an error, and the notice
// is not recorded as sent.
func TestWebhookRedirectIsNotSent(t *testing.T) {
	var got atomic.Int32
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer final.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, final.URL+"/elsewhere", http.StatusFound)
	}))
	defer redirect.Close()
	var waits []time.Duration
	wh := &Webhook{URL: redirect.URL + "/hook", Secret: []byte("k"), Retry: noWait(3, &waits)}
	st := openStore(t, t.TempDir())
	ns := sellerNotices(t)[:1]
	_, err := (&Sender{Channels: []Channel{wh}, Store: st, Now: fixedNow}).Send(context.Background(), ns)
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("error %v, want the redirect named", err)
	}
	if got.Load() != 0 {
		t.Errorf("the redirect was followed: the other server got %d requests", got.Load())
	}
	if _, ok := st.Sent(ns[0].Key, "webhook"); ok {
		t.Errorf("a redirected notice was recorded as sent")
	}
}

// TestSlackNeverReachedIsRetried: a Slack whose connection never gets as
// far as the request (a TLS handshake that never ends, a dropped
// connection) has not taken the message: it is tried again, and not
// recorded as sent, so the next run sends it.
func TestSlackNeverReachedIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { <-done; c.Close() }() // never a TLS handshake
		}
	}()
	t.Cleanup(func() { close(done); ln.Close() })
	var waits []time.Duration
	sl := &Slack{URL: "https://" + ln.Addr().String() + "/services/T0/B0/x", Retry: noWait(3, &waits), Client: &http.Client{Timeout: 100 * time.Millisecond}}
	st := openStore(t, t.TempDir())
	ns := sellerNotices(t)[:1]
	_, err = (&Sender{Channels: []Channel{sl}, Store: st, Now: fixedNow}).Send(context.Background(), ns)
	if err == nil || strings.Contains(err.Error(), "recorded as sent") {
		t.Fatalf("error %v, want a failure not recorded", err)
	}
	if _, ok := st.Sent(ns[0].Key, "slack"); ok {
		t.Error("a message that never reached Slack is recorded as sent")
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3: a message that reached no one is tried again", n)
	}
}
