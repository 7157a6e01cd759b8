package beacon

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

func postNote(h http.Handler, tok string) int {
	r, _ := http.NewRequest("POST", NotePath, strings.NewReader("["+note(tok, "room", "view")+"]"))
	r.RemoteAddr = "192.0.2.1:1"
	w := newRecorder()
	h.ServeHTTP(w, r)
	return w.code
}

type recorder struct {
	h    http.Header
	code int
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}, code: 200} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func TestWatchManifest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rooms.json")
	m := testManifest()
	m.Rooms = m.Rooms[:1] // jordan only
	if err := manifest.Write(path, m); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(HandlerConfig{Manifest: m, Store: &memStore{}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poke := make(chan struct{})
	done := make(chan struct{})
	go func() { WatchManifest(ctx, path, 10*time.Millisecond, poke, h, nil); close(done) }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	if postNote(h, tokSam) != 403 {
		t.Fatal("sam accepted before he is in the manifest")
	}
	// A rebuild adds sam: picked up on change.
	if err := manifest.Write(path, testManifest()); err != nil {
		t.Fatal(err)
	}
	waitFor("the new manifest", func() bool { return postNote(h, tokSam) == 204 })

	// A broken manifest keeps the last good one.
	os.WriteFile(path, []byte("{not json"), 0o600)
	poke <- struct{}{}
	time.Sleep(50 * time.Millisecond)
	if postNote(h, tokSam) != 204 || postNote(h, tokJordan) != 204 {
		t.Fatal("a broken manifest emptied the beacon")
	}
	// SIGHUP (poke) reloads even when the file looks unchanged.
	m2 := testManifest()
	m2.Rooms = append(m2.Rooms, manifest.Room{Key: token.Key(tokUnknown), Deal: "acme", Stakeholder: "nobody", Pages: []string{"room"}})
	manifest.Write(path, m2)
	poke <- struct{}{}
	waitFor("the poked manifest", func() bool { return postNote(h, tokUnknown) == 204 })
	cancel()
	<-done
}

// slowStore holds each Append until released.
type slowStore struct {
	memStore
	entered chan struct{}
	release chan struct{}
}

func (s *slowStore) Append(ctx context.Context, events []event.Event) error {
	s.entered <- struct{}{}
	<-s.release
	return s.memStore.Append(ctx, events)
}

// TestServeDrains: on cancel, Serve stops listening, turns /healthz to 503
// and lets a request waiting for its events to be stored finish with 204.
func TestServeDrains(t *testing.T) {
	store := &slowStore{entered: make(chan struct{}), release: make(chan struct{})}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- Serve(ctx, ln, h, nil) }()
	url := "http://" + ln.Addr().String()

	var code atomic.Int64
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		resp, err := http.Post(url+NotePath, "text/plain", strings.NewReader("["+note(tokJordan, "room", "view")+"]"))
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		code.Store(int64(resp.StatusCode))
	}()
	<-store.entered // the request is in flight
	cancel()
	// Serve turns to draining on its own goroutine: wait for it, within 5 s.
	refused := func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}
	for deadline := time.Now().Add(5 * time.Second); (h.Health().Status != "draining" || !refused()) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if h.Health().Status != "draining" {
		t.Error("healthz not draining")
	}
	if !refused() {
		t.Error("still accepting connections while draining")
	}
	close(store.release)
	<-posted
	if code.Load() != 204 {
		t.Fatalf("in-flight request answered %d, want 204", code.Load())
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if len(store.events) != 1 {
		t.Fatalf("stored %d events", len(store.events))
	}
}

// TestServeConnectionCap: connections opened past the cap and left idle
// (some never send a byte, some made one request and keep the connection)
// cannot keep a real event out: at the cap the longest idle ones are
// closed, the event is answered 204 at once, and no more than the cap are
// ever open.
func TestServeConnectionCap(t *testing.T) {
	const max, attack = 8, 40
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store})
	ln, addr := serveCapped(t, h, max, nil)

	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := range attack {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		idle = append(idle, c)
		if i%2 == 1 {
			// One request, then the connection stays open, idle. It may
			// already have been closed at the cap: then this fails, as a
			// shed client's would.
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte("GET " + HealthPath + " HTTP/1.1\r\nHost: beacon\r\n\r\n")); err == nil {
				if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
					resp.Body.Close()
				}
			}
			c.SetDeadline(time.Time{})
		}
	}

	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Post("http://"+addr+NotePath, "text/plain", strings.NewReader("["+note(tokJordan, "room", "view")+"]"))
	if err != nil {
		t.Fatalf("a real event past %d idle connections (cap %d): %v", attack, max, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("a real event past %d idle connections: %d, want 204", attack, resp.StatusCode)
	}

	// The server closed all but (at most) max of the idle connections.
	open := 0
	for _, c := range idle {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			open++
		}
	}
	ln.mu.Lock()
	n, shed := ln.open, ln.shed
	ln.mu.Unlock()
	if open > max || n > max {
		t.Fatalf("%d of %d idle connections still open (server counts %d); the cap is %d", open, attack, n, max)
	}
	t.Logf("%d of %d idle connections left open, %d shed at the cap of %d", open, attack, shed, max)
}

// TestServeConnectionsPerAddress: one client address sending its requests
// slowly holds at most its share of the places (an eighth of the cap):
// past it, its new connections are closed at once while its own are all
// in a request, or take the place of its longest idle one. (One client's
// slow uploads took every place, each for the request timeouts, and
// events waited.) This machine is exempt in Serve, as a proxy in front
// is; the test holds it to its share.
func TestServeConnectionsPerAddress(t *testing.T) {
	const max = 16 // a share of 2
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: &memStore{}})
	ln, addr := serveCapped(t, h, max, func(netip.Addr) bool { return false })
	dial := func() net.Conn {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	closedByServer := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		var b [1]byte
		_, err := c.Read(b[:])
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	}
	// Two slow uploads: headers, then a body that never comes.
	slow := func() net.Conn {
		c := dial()
		if _, err := c.Write([]byte("POST " + NotePath + " HTTP/1.1\r\nHost: beacon\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n[")); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := slow(), slow()
	waitFor(t, func() bool { ln.mu.Lock(); defer ln.mu.Unlock(); return ln.open == 2 && ln.idle.Len() == 0 })
	if c := dial(); !closedByServer(c) {
		t.Fatal("a third connection of an address whose two are in a slow request was kept: want it closed at once")
	}
	// One of them ends: a connection that makes a request and stays idle.
	a.Close()
	waitFor(t, func() bool { ln.mu.Lock(); defer ln.mu.Unlock(); return ln.open == 1 })
	kept := dial()
	kept.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := kept.Write([]byte("GET " + HealthPath + " HTTP/1.1\r\nHost: beacon\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(kept), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	kept.SetDeadline(time.Time{})
	// The server turns the connection idle once it has written the answer,
	// which the client may read first.
	waitFor(t, func() bool { ln.mu.Lock(); defer ln.mu.Unlock(); return ln.idle.Len() == 1 })
	// At its share again, a new connection takes the idle one's place.
	fresh := dial()
	if !closedByServer(kept) {
		t.Error("the address's idle connection was kept when its new one came at its share: want it closed")
	}
	if closedByServer(fresh) {
		t.Error("the address's new connection was closed while it had an idle one to give up")
	}
	b.Close() // the server drains its requests when the test ends
	ln.mu.Lock()
	refused, peers := ln.refused, len(ln.peers)
	ln.mu.Unlock()
	if refused != 1 || peers != 1 {
		t.Errorf("refused %d connections, %d addresses counted; want 1 and 1", refused, peers)
	}
}

// serveCapped serves h on 127.0.0.1 through LimitConns(max), with exempt
// as the addresses not held to a share when it is not nil, until the test
// ends (then Serve must drain cleanly).
func serveCapped(t *testing.T, h *Handler, max int, exempt func(netip.Addr) bool) (*connLimiter, string) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := LimitConns(inner, max).(*connLimiter)
	ln.exempt = exempt
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- Serve(ctx, ln, h, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln, ln.Addr().String()
}

// waitFor polls cond for at most 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPeerOfIPv6Prefix: a client's share of the connections is counted by
// its IPv6 /64, as the rate limits count it: addresses a host takes at will
// within its /64 are one client. (Each /128 had a share of its own.)
func TestPeerOfIPv6Prefix(t *testing.T) {
	conn := func(ip string) net.Conn {
		return fakeConn{remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: 4000}}
	}
	peer := func(ip string) netip.Addr { p, _ := peerOf(conn(ip)); return p }
	a, b := peer("2001:db8:1:2::10"), peer("2001:db8:1:2:abcd::99")
	if a != b {
		t.Errorf("two addresses of one /64 are two clients: %v, %v", a, b)
	}
	if c := peer("2001:db8:1:3::10"); c == a {
		t.Errorf("another /64 is the same client: %v", c)
	}
	if v4, w4 := peer("198.51.100.7"), peer("198.51.100.8"); v4 == w4 || !v4.Is4() {
		t.Errorf("IPv4 addresses: %v, %v; want each its own", v4, w4)
	}
	// This machine is told by its own address, not its /64.
	if _, ip := peerOf(conn("::1")); !ip.IsLoopback() {
		t.Errorf("::1 is not this machine: %v", ip)
	}
}

// fakeConn is a net.Conn that only has a remote address.
type fakeConn struct {
	net.Conn
	remote net.Addr
}

func (c fakeConn) RemoteAddr() net.Addr { return c.remote }
