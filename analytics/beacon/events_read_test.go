package beacon

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
)

// TestEventsEndpoint: GET /events with the read key gives the log's lines
// and a cursor; FetchEvents copies them and the next fetch nothing; a
// wrong key, no key, and an answer cut short are errors.
func TestEventsEndpoint(t *testing.T) {
	dir := t.TempDir()
	l, err := eventlog.OpenLog(dir, eventlog.LogOptions{Instance: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if err := l.Append(ctx, []event.Event{testEvent(loadID(i), 1, testNow)}); err != nil {
			t.Fatal(err)
		}
	}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: l, Now: func() time.Time { return testNow }, ReadKey: "s3cret-read-key"})
	srv := httptest.NewServer(h)
	defer srv.Close()

	var b bytes.Buffer
	got, err := FetchEvents(ctx, srv.Client(), srv.URL, "s3cret-read-key", "", &b)
	if err != nil || got.Lines != 3 || got.Cursor == "" {
		t.Fatalf("FetchEvents: %+v, %v", got, err)
	}
	var want bytes.Buffer
	if _, err := eventlog.ReadLogs([]string{dir}, func(e event.Event) error { want.Write(e.AppendJSON(nil)); return nil }); err != nil {
		t.Fatal(err)
	}
	if b.String() != want.String() {
		t.Errorf("fetched\n%s\nthe log holds\n%s", b.String(), want.String())
	}
	b.Reset()
	if again, err := FetchEvents(ctx, srv.Client(), srv.URL, "s3cret-read-key", got.Cursor, &b); err != nil || again.Lines != 0 || b.Len() != 0 {
		t.Errorf("a fetch from the cursor: %+v %v %q", again, err, b.String())
	}
	if _, err := FetchEvents(ctx, srv.Client(), srv.URL, "s3cret-read-key", "made-up", &b); err == nil || !strings.Contains(err.Error(), "422") && !strings.Contains(err.Error(), "400") {
		t.Errorf("a made-up cursor: %v", err)
	}
	if _, err := FetchEvents(ctx, srv.Client(), srv.URL, "wrong-key-0123456789", "", &b); err == nil || !strings.Contains(err.Error(), "refused the read key") {
		t.Errorf("a wrong key: %v", err)
	}
	res, err := srv.Client().Get(srv.URL + EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /events without the key: %s, want 404", res.Status)
	}
	if _, err := FetchEvents(ctx, srv.Client(), "http://beacon.example.com", "s3cret-read-key", "", &b); err == nil || !strings.Contains(err.Error(), "only over https") {
		t.Errorf("plain HTTP to another machine: %v", err)
	}

	// An answer that ends before its cursor line was cut short.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(want.Bytes())
	}))
	defer cut.Close()
	if _, err := FetchEvents(ctx, cut.Client(), cut.URL, "k", "", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("an answer without its cursor line: %v", err)
	}
}

// The log is a store the events read endpoint serves.
var _ LineCopier = (*eventlog.Log)(nil)

// TestReadKeyNotSentOnRedirects: a beacon address that answers with a
// redirect gets an error naming it; the read key never reaches where the
// redirect points, for events as for replies.
func TestReadKeyNotSentOnRedirects(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer other.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirect.Close()
	var b bytes.Buffer
	if _, err := FetchEvents(context.Background(), redirect.Client(), redirect.URL, "s3cret-read-key", "", &b); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("events: %v, want the redirect refused", err)
	}
	if _, err := FetchReplies(context.Background(), nil, redirect.URL, "s3cret-read-key", time.Time{}); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("replies: %v, want the redirect refused", err)
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the read key reached the redirect's target %d times", n)
	}
}
