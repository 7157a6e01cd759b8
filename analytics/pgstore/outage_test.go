package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// proxy forwards TCP connections to the database until cut, as a database
// restart or a network partition looks to the beacon.
type proxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{target: target, addr: "127.0.0.1:0", conns: map[net.Conn]bool{}}
	p.up(t)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) up(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[d] = true, true
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// throughProxy returns the test database's URL through a new proxy that
// the test can cut, a fresh schema, and the proxy.
func throughProxy(t *testing.T) (string, string, *proxy) {
	t.Helper()
	dbURL := testURL(t)
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Skipf("MAPROOM_TEST_POSTGRES is not a postgres:// URL with a host: %v", err)
	}
	schema := testSchema(t, dbURL)
	p := newProxy(t, u.Host)
	pu := *u
	pu.Host = p.addr
	return pu.String(), schema, p
}

// testBeacon serves a beacon for one room over a store, as the tests of an
// outage see it: posts of one event of page-load load, and /healthz.
type testBeacon struct {
	t    *testing.T
	srv  *httptest.Server
	tok  string
	load int
}

func newTestBeacon(t *testing.T, s *Store, load int) *testBeacon {
	tok := token.Room([]byte("outage-test-secret-0123456789abcdef"), "acme", "jordan", 0)
	m := &manifest.Manifest{Version: manifest.Version, Rooms: []manifest.Room{{Key: token.Key(tok), Deal: "acme",
		Stakeholder: "jordan", Side: "buyer", Role: "champion", Pages: []string{"room"}}}}
	h := beacon.NewHandler(beacon.HandlerConfig{Manifest: m, Store: s, Instance: "beacon-a"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testBeacon{t: t, srv: srv, tok: tok, load: load}
}

// post sends one heartbeat with sequence number seq and returns the status
// and the reason header.
func (b *testBeacon) post(seq int) (int, string) {
	body := fmt.Sprintf(`[{"t":%q,"p":"room","k":"hb","l":"%032x","s":%d,"a":1000,"v":1000}]`, b.tok, b.load, seq)
	resp, err := http.Post(b.srv.URL+beacon.NotePath, "text/plain", strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(beacon.RejectHeader)
}

// health returns /healthz's status and its "store" object.
func (b *testBeacon) health() (int, map[string]any) {
	resp, err := http.Get(b.srv.URL + beacon.HealthPath)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	st, _ := doc["store"].(map[string]any)
	return resp.StatusCode, st
}

// TestOutage: the database goes away in the middle of a load and comes
// back. Appends fail (the handler answers 503) while it is away, /healthz
// says so, the store recovers by itself, and no acknowledged event is lost.
func TestOutage(t *testing.T) {
	proxied, schema, p := throughProxy(t)
	s := openTest(t, proxied, schema, Options{Timeout: 2 * time.Second})
	b := newTestBeacon(t, s, 777)
	post, health := b.post, b.health
	if code, why := post(1); code != http.StatusNoContent {
		t.Fatalf("POST before: %d %s", code, why)
	}
	if code, st := health(); code != 200 || st["status"] != "ok" {
		t.Fatalf("healthz before: %d %v", code, st)
	}

	ctx := context.Background()
	var (
		mu         sync.Mutex
		acked      = map[string]bool{}
		failed, ok atomic.Int64
		stop       = make(chan struct{})
		wg         sync.WaitGroup
	)
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				e := testEvent(c*1_000_000+i, 0, "beacon-a")
				actx, cancel := context.WithTimeout(ctx, 3*time.Second)
				err := s.Append(actx, []event.Event{e})
				cancel()
				if err != nil {
					failed.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				ok.Add(1)
				mu.Lock()
				acked[e.Load] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	p.cut()
	time.Sleep(200 * time.Millisecond)
	before := failed.Load()
	time.Sleep(500 * time.Millisecond)
	if failed.Load() == before {
		t.Error("appends did not fail while the database was away")
	}
	if code, st := health(); code != http.StatusServiceUnavailable || st["status"] != "unreachable" {
		t.Errorf("healthz while away: %d %v", code, st)
	}
	if err := s.Append(ctx, []event.Event{testEvent(999_999_999, 0, "x")}); err == nil {
		t.Error("Append succeeded while the database was away")
	}
	if code, why := post(2); code != http.StatusServiceUnavailable || !strings.HasPrefix(why, "unavailable") {
		t.Errorf("POST while away: %d %q, want 503 unavailable", code, why)
	}
	p.up(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if code, _ := health(); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the store did not recover within 15 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, why := post(2); code != http.StatusNoContent {
		t.Errorf("POST after: %d %s", code, why)
	}
	okAt := ok.Load()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if ok.Load() == okAt {
		t.Error("no append succeeded after the database returned")
	}
	var keys []string
	rows, err := s.pool.Query(ctx, `SELECT encode(load, 'hex') FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		stored[k] = true
	}
	for k := range acked {
		if !stored[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		t.Fatalf("%d acknowledged events lost, e.g. %v", len(keys), keys[0])
	}
	t.Logf("%d acknowledged, %d refused during the outage, %d stored", len(acked), failed.Load(), len(stored))
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestStartWhileDown: a beacon whose database does not answer when it
// starts still starts (Options.Retry), refuses events with 503, says so in
// /healthz and its log, and takes events once the database appears.
func TestStartWhileDown(t *testing.T) {
	proxied, schema, p := throughProxy(t)
	p.cut() // nothing listens at p.addr until p.up
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	if _, err := Open(context.Background(), proxied, Options{Schema: schema}); err == nil {
		t.Fatal("Open without Retry succeeded with the database down")
	}
	s := openTest(t, proxied, schema, Options{Retry: true, Logger: logger, Timeout: 2 * time.Second})
	b := newTestBeacon(t, s, 778)
	post, health := b.post, b.health
	if code, why := post(0); code != http.StatusServiceUnavailable {
		t.Fatalf("POST while down: %d %q, want 503", code, why)
	}
	if code, st := health(); code != http.StatusServiceUnavailable || st["status"] != "unreachable" || st["error"] == "" {
		t.Fatalf("healthz while down: %d %v", code, st)
	}
	if !strings.Contains(logs.String(), "event store unreachable") {
		t.Fatalf("the log does not say the store is unreachable:\n%s", logs.String())
	}
	p.up(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := health()
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not connect within 15 s of the database appearing; log:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, why := post(1); code != http.StatusNoContent {
		t.Fatalf("POST once the database is up: %d %s", code, why)
	}
	if !strings.Contains(logs.String(), "event store reachable again") {
		t.Errorf("the log does not say the store recovered:\n%s", logs.String())
	}
	n, err := s.Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("stored %d events (%v), want the one acknowledged", n, err)
	}
}
