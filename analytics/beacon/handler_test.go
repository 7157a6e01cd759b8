package beacon

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

var testSecret = []byte("test secret, not for production")

// Tokens of the test manifest.
var (
	tokJordan  = token.Room(testSecret, "acme", "jordan", 0)
	tokOld     = token.Room(testSecret, "acme", "jordan", -1) // retired
	tokSam     = token.Room(testSecret, "acme", "sam", 0)
	tokUnknown = token.Room(testSecret, "acme", "nobody", 0)
)

func testManifest() *manifest.Manifest {
	return &manifest.Manifest{Version: manifest.Version, Rooms: []manifest.Room{
		{Key: token.Key(tokJordan), Deal: "acme", Stakeholder: "jordan", Side: "buyer", Role: "technical-evaluator",
			Rotation: 0, Pages: []string{"room", "security-whitepaper", "pricing"}},
		{Key: token.Key(tokOld), Deal: "acme", Stakeholder: "jordan", Side: "buyer", Role: "technical-evaluator",
			Rotation: -1, Retired: true, Pages: []string{"room", "security-whitepaper"}},
		{Key: token.Key(tokSam), Deal: "acme", Stakeholder: "sam", Side: "seller", Role: "account-executive",
			Pages: []string{"room"}},
	}}
}

// memStore keeps events in memory.
type memStore struct {
	mu     sync.Mutex
	events []event.Event
	err    error
}

func (s *memStore) Append(ctx context.Context, events []event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.events = append(s.events, events...)
	return nil
}

// testEvent is a page event of jordan's room, as the log stores it.
func testEvent(load string, seq int64, at time.Time) event.Event {
	return event.Event{V: event.SchemaVersion, Time: at.UTC().Truncate(time.Millisecond), Deal: "acme", Stakeholder: "jordan",
		Side: "buyer", Role: "champion", Room: token.Key(tokJordan), Page: "room", Kind: event.KindHB, Load: load, Seq: seq,
		ActiveMS: 100, VisibleMS: 200, Net: "192.0.2.0/24", UA: event.UABrowser, Instance: "i1"}
}

func loadID(i int) string { return fmt.Sprintf("%032x", i) }

const testLoad = "0123456789abcdef0123456789abcdef"

var testNow = time.Date(2026, 11, 22, 14, 3, 7, 412_345_678, time.UTC)

func note(tok, page, kind string, extra ...string) string {
	s := fmt.Sprintf(`{"t":%q,"p":%q,"k":%q,"l":%q,"s":1,"a":1000,"v":2000`, tok, page, kind, testLoad)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

type handlerCase struct {
	name    string
	method  string
	path    string
	header  map[string]string
	body    string
	store   error
	want    int
	reason  Reason
	stored  int
	checkFn func(t *testing.T, e []event.Event)
}

func handlerCases() []handlerCase {
	ok := "[" + note(tokJordan, "room", "view") + "]"
	big := "[" + note(tokJordan, "room", "hb", `"x":"`+strings.Repeat("a", MaxBody)+`"`) + "]"
	many := "[" + strings.TrimSuffix(strings.Repeat(note(tokJordan, "room", "hb")+",", MaxNotes+1), ",") + "]"
	return []handlerCase{
		{name: "view", body: ok, want: 204, stored: 1, checkFn: func(t *testing.T, e []event.Event) {
			want := event.Event{V: event.SchemaVersion, Time: testNow.Truncate(time.Millisecond), Deal: "acme", Stakeholder: "jordan",
				Side: "buyer", Role: "technical-evaluator", Room: token.Key(tokJordan), Page: "room", Kind: event.KindView,
				Load: testLoad, Seq: 1, ActiveMS: 1000, VisibleMS: 2000, Net: "192.0.2.0/24", UA: event.UABrowser,
				Instance: "test-1"}
			if e[0] != want {
				t.Errorf("stored\n%+v\nwant\n%+v", e[0], want)
			}
		}},
		{name: "batch of every kind", want: 204, stored: 5, body: "[" + strings.Join([]string{
			note(tokJordan, "room", "view"), note(tokJordan, "room", "hb"), note(tokJordan, "room", "open", `"c":"pricing"`),
			note(tokJordan, "room", "dl", `"c":"security-whitepaper"`), note(tokJordan, "pricing", "hide")}, ",") + "]"},
		{name: "retired token kept, marked", body: "[" + note(tokOld, "room", "view") + "]", want: 204, stored: 1,
			checkFn: func(t *testing.T, e []event.Event) {
				if !e[0].Retired || e[0].Rotation != -1 {
					t.Errorf("retired event stored as %+v", e[0])
				}
			}},
		{name: "webdriver and crawler signals", body: "[" + note(tokJordan, "room", "view", `"w":true`) + "]",
			header: map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36"},
			want:   204, stored: 1, checkFn: func(t *testing.T, e []event.Event) {
				if !e[0].Webdriver || e[0].UA != event.UACrawler || e[0].Crawler != "HeadlessChrome" {
					t.Errorf("signals stored as %+v", e[0])
				}
			}},
		{name: "empty user agent", body: ok, header: map[string]string{"User-Agent": ""}, want: 204, stored: 1,
			checkFn: func(t *testing.T, e []event.Event) {
				if e[0].UA != event.UAEmpty {
					t.Errorf("ua %q, want empty", e[0].UA)
				}
			}},
		{name: "unknown keys ignored", body: "[" + note(tokJordan, "room", "view", `"zz":1`) + "]", want: 204, stored: 1},
		{name: "allowed origin", body: ok, header: map[string]string{"Origin": "https://rooms.example.com"}, want: 204, stored: 1},
		// Firefox's sendBeacon from a page without a referrer says "null".
		{name: "null origin (Firefox's beacon)", body: ok, header: map[string]string{"Origin": "null", "Sec-Fetch-Mode": "no-cors"}, want: 204, stored: 1},
		{name: "json content type", body: ok, header: map[string]string{"Content-Type": "application/json"}, want: 204, stored: 1},
		{name: "preflight", method: "OPTIONS", header: map[string]string{"Origin": "https://rooms.example.com"}, want: 204},

		{name: "not found", path: "/beacon", body: ok, want: 404, reason: ReasonNotFound},
		{name: "method", method: "GET", body: ok, want: 405, reason: ReasonMethod},
		{name: "origin", body: ok, header: map[string]string{"Origin": "https://evil.example"}, want: 403, reason: ReasonOrigin},
		{name: "prefetch", body: ok, header: map[string]string{"Sec-Purpose": "prefetch;prerender"}, want: 204, reason: ReasonPrefetch},
		{name: "legacy prefetch", body: ok, header: map[string]string{"Purpose": "prefetch"}, want: 204, reason: ReasonPrefetch},
		{name: "content type", body: ok, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, want: 415, reason: ReasonContentType},
		{name: "too large", body: big, want: 413, reason: ReasonTooLarge},
		{name: "too many", body: many, want: 413, reason: ReasonTooMany},
		{name: "malformed", body: `[{"t":`, want: 400, reason: ReasonMalformed},
		{name: "not an array", body: `{"t":"x"}`, want: 400, reason: ReasonMalformed},
		{name: "wrong type", body: `[{"t":"x","s":"1"}]`, want: 400, reason: ReasonMalformed},
		{name: "fraction", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"a":1000`, `"a":10.5`, 1) + "]", want: 400, reason: ReasonMalformed},
		{name: "trailing data", body: ok + "x", want: 400, reason: ReasonMalformed},
		{name: "empty", body: `[]`, want: 400, reason: ReasonEmpty},
		{name: "null", body: `null`, want: 400, reason: ReasonMalformed},
		{name: "bad token", body: "[" + note("not-a-token", "room", "view") + "]", want: 400, reason: ReasonBadToken},
		{name: "unknown token", body: "[" + note(tokUnknown, "room", "view") + "]", want: 403, reason: ReasonUnknownToken},
		{name: "bad kind", body: "[" + note(tokJordan, "room", "click") + "]", want: 422, reason: ReasonBadKind},
		{name: "unknown page", body: "[" + note(tokJordan, "board-deck", "view") + "]", want: 422, reason: ReasonUnknownPage},
		{name: "page of another room", body: "[" + note(tokSam, "pricing", "view") + "]", want: 422, reason: ReasonUnknownPage},
		{name: "open without collateral", body: "[" + note(tokJordan, "room", "open") + "]", want: 422, reason: ReasonCollateral},
		{name: "view with collateral", body: "[" + note(tokJordan, "room", "view", `"c":"pricing"`) + "]", want: 422, reason: ReasonCollateral},
		{name: "collateral not in room", body: "[" + note(tokOld, "room", "dl", `"c":"pricing"`) + "]", want: 422, reason: ReasonCollateral},
		{name: "collateral is the room", body: "[" + note(tokJordan, "room", "open", `"c":"room"`) + "]", want: 422, reason: ReasonCollateral},
		{name: "bad load", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), testLoad, "ABCDEF", 1) + "]", want: 422, reason: ReasonBadLoad},
		{name: "negative seq", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"s":1`, `"s":-1`, 1) + "]", want: 422, reason: ReasonOutOfRange},
		{name: "active over cap", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"a":1000,"v":2000`, `"a":75001,"v":75001`, 1) + "]", want: 422, reason: ReasonOutOfRange},
		{name: "visible over cap", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"v":2000`, `"v":90000`, 1) + "]", want: 422, reason: ReasonOutOfRange},
		{name: "negative active", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"a":1000`, `"a":-5`, 1) + "]", want: 422, reason: ReasonOutOfRange},
		{name: "active over visible", body: "[" + strings.Replace(note(tokJordan, "room", "hb"), `"a":1000`, `"a":3000`, 1) + "]", want: 422, reason: ReasonOutOfRange},
		{name: "one bad event rejects the batch", body: "[" + note(tokJordan, "room", "view") + "," + note(tokUnknown, "room", "view") + "]", want: 403, reason: ReasonUnknownToken},
		{name: "store fails", body: ok, store: errors.New("disk full"), want: 503, reason: ReasonUnavailable},
	}
}

func TestHandler(t *testing.T) {
	for _, tc := range handlerCases() {
		t.Run(tc.name, func(t *testing.T) {
			store := &memStore{err: tc.store}
			h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store, Now: func() time.Time { return testNow },
				AllowedOrigins: []string{"https://rooms.example.com"}, Instance: "test-1"})
			method, path := tc.method, tc.path
			if method == "" {
				method = "POST"
			}
			if path == "" {
				path = NotePath
			}
			r := httptest.NewRequest(method, path, strings.NewReader(tc.body))
			r.RemoteAddr = "192.0.2.77:5123"
			r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
			r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("status %d, want %d (%s: %q)", w.Code, tc.want, RejectHeader, w.Header().Get(RejectHeader))
			}
			got := w.Header().Get(RejectHeader)
			if tc.reason == "" && got != "" {
				t.Errorf("%s: %q, want none", RejectHeader, got)
			}
			if tc.reason != "" {
				if !strings.HasPrefix(got, string(tc.reason)) {
					t.Errorf("%s: %q, want reason %q", RejectHeader, got, tc.reason)
				}
				if n := h.Health().Rejected[tc.reason]; n != 1 {
					t.Errorf("counter %s = %d, want 1", tc.reason, n)
				}
			}
			if len(store.events) != tc.stored {
				t.Errorf("stored %d events, want %d", len(store.events), tc.stored)
			}
			if tc.checkFn != nil && len(store.events) > 0 {
				tc.checkFn(t, store.events)
			}
			if o := r.Header.Get("Origin"); o != "" && tc.want < 400 {
				if o == "null" {
					o = "" // let through as from no origin: no page may read the answer
				}
				if got := w.Header().Get("Access-Control-Allow-Origin"); got != o {
					t.Errorf("Access-Control-Allow-Origin %q, want %q", got, o)
				}
			}
		})
	}
}

// TestHandlerCoversEveryReason makes the table grow with Reasons: every
// reason but the rate limits (TestHandlerRateLimits) needs a case.
func TestHandlerCoversEveryReason(t *testing.T) {
	covered := map[Reason]bool{ReasonRateAddr: true, ReasonRateToken: true}
	for _, tc := range handlerCases() {
		covered[tc.reason] = true
	}
	for _, tc := range replyCases() {
		covered[tc.reason] = true
	}
	covered[ReasonRateReply] = true // TestReplyRateLimitTellsThePerson
	for _, r := range Reasons {
		if !covered[r] {
			t.Errorf("no table case for reason %q", r)
		}
	}
}

func TestHandlerRateLimits(t *testing.T) {
	now := testNow
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store, Now: func() time.Time { return now },
		TokenRate: Rate{PerSecond: 1, Burst: 3}, AddrRate: Rate{PerSecond: 1, Burst: 5}})
	post := func(addr, body string) (int, string) {
		r := httptest.NewRequest("POST", NotePath, strings.NewReader(body))
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Header().Get(RejectHeader)
	}
	ev := "[" + note(tokJordan, "room", "hb") + "]"
	for i := 0; i < 3; i++ {
		if code, why := post(fmt.Sprintf("192.0.2.%d:1", i), ev); code != 204 {
			t.Fatalf("event %d: %d %s", i, code, why)
		}
	}
	if code, why := post("192.0.2.9:1", ev); code != 429 || !strings.HasPrefix(why, string(ReasonRateToken)) {
		t.Fatalf("4th event for one room from a new address: %d %q, want 429 %s", code, why, ReasonRateToken)
	}
	// Another room is not affected.
	if code, why := post("192.0.2.10:1", "["+note(tokSam, "room", "hb")+"]"); code != 204 {
		t.Fatalf("other room: %d %s", code, why)
	}
	now = now.Add(time.Second)
	if code, why := post("192.0.2.11:1", ev); code != 204 {
		t.Fatalf("after a second: %d %s", code, why)
	}
	// One address: burst 5, then refused, before the body is read.
	for i := 0; i < 5; i++ {
		post("198.51.100.7:1", "[]")
	}
	if code, why := post("198.51.100.7:2", "[]"); code != 429 || !strings.HasPrefix(why, string(ReasonRateAddr)) {
		t.Fatalf("6th request from one address: %d %q, want 429 %s", code, why, ReasonRateAddr)
	}
	// IPv6: one /64 is one address.
	for i := 0; i < 5; i++ {
		post(fmt.Sprintf("[2001:db8:1:2::%x]:1", i+1), "[]")
	}
	if code, _ := post("[2001:db8:1:2:ffff::1]:1", "[]"); code != 429 {
		t.Fatalf("6th request from one /64: %d, want 429", code)
	}
	if code, _ := post("[2001:db8:1:3::1]:1", "[]"); code == 429 {
		t.Fatalf("another /64 limited")
	}
	hl := h.Health()
	if hl.Rejected[ReasonRateToken] != 1 || hl.Rejected[ReasonRateAddr] != 2 {
		t.Fatalf("counters %v", hl.Rejected)
	}
}

func TestHandlerForwardedFor(t *testing.T) {
	tests := []struct {
		remote  string
		xff     []string
		trusted string
		want    string
	}{
		{"192.0.2.1:1", nil, "", "192.0.2.0/24"},
		{"192.0.2.1:1", []string{"203.0.113.9"}, "", "192.0.2.0/24"},                          // untrusted peer: header ignored
		{"10.0.0.2:1", []string{"203.0.113.9"}, "10.0.0.0/8", "203.0.113.0/24"},               // trusted proxy
		{"10.0.0.2:1", []string{"198.51.100.1, 203.0.113.9"}, "10.0.0.0/8", "203.0.113.0/24"}, // right-most untrusted
		{"10.0.0.2:1", []string{"203.0.113.9, 10.0.0.7"}, "10.0.0.0/8", "203.0.113.0/24"},     // skip inner proxies
		{"10.0.0.2:1", []string{"203.0.113.9", "10.1.1.1"}, "10.0.0.0/8", "203.0.113.0/24"},   // several headers
		{"10.0.0.2:1", []string{"garbage"}, "10.0.0.0/8", "10.0.0.0/24"},                      // unreadable: the proxy
		{"[2001:db8:aa:bb::1]:1", nil, "", "2001:db8:aa::/48"},
		{"[::ffff:192.0.2.1]:1", nil, "", "192.0.2.0/24"},
		{"127.0.0.1:1", []string{"2001:db8:cc:dd::9"}, "127.0.0.1", "2001:db8:cc::/48"},
	}
	for _, tc := range tests {
		ps, err := ParsePrefixes(tc.trusted)
		if err != nil {
			t.Fatal(err)
		}
		store := &memStore{}
		h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store, Now: func() time.Time { return testNow }, TrustedProxies: ps})
		r := httptest.NewRequest("POST", NotePath, strings.NewReader("["+note(tokJordan, "room", "view")+"]"))
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 204 {
			t.Fatalf("%v: %d %s", tc, w.Code, w.Header().Get(RejectHeader))
		}
		if got := store.events[0].Net; got != tc.want {
			t.Errorf("%s %v trusted %q: net %q, want %q", tc.remote, tc.xff, tc.trusted, got, tc.want)
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	ps, err := ParsePrefixes(" 10.0.0.0/8, 192.0.2.7 ,::1, ::ffff:10.0.0.0/104")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}
	if fmt.Sprint(ps) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", ps, want)
	}
	if _, err := ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Error("bad prefix accepted")
	}
	if _, err := ParsePrefixes("proxy.example"); err == nil {
		t.Error("host name accepted")
	}
}

func TestHandlerReload(t *testing.T) {
	store := &memStore{}
	h := NewHandler(HandlerConfig{Store: store, Now: func() time.Time { return testNow }})
	post := func() int {
		r := httptest.NewRequest("POST", NotePath, strings.NewReader("["+note(tokJordan, "room", "view")+"]"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := post(); c != 403 {
		t.Fatalf("no manifest: %d, want 403", c)
	}
	h.Reload(testManifest())
	if c := post(); c != 204 {
		t.Fatalf("after reload: %d, want 204", c)
	}
	if n := h.Health().Rooms; n != 3 {
		t.Fatalf("rooms %d", n)
	}
}

func TestHealth(t *testing.T) {
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: &memStore{}, Instance: "b1"})
	for _, tc := range []struct {
		drain bool
		code  int
		body  string
	}{{false, 200, `"status": "ok"`}, {true, 503, `"status": "draining"`}} {
		if tc.drain {
			h.Drain()
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", HealthPath, nil)
		r.RemoteAddr = "127.0.0.1:5123"
		h.ServeHTTP(w, r)
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.body) || !strings.Contains(w.Body.String(), `"unknown-token": 0`) {
			t.Errorf("healthz %d %s", w.Code, w.Body)
		}
	}
}

// TestHealthDetails: anyone may read the beacon's status; its counters and
// its store's document (whose errors name a database's user, name and
// host) only a request from this machine or with the read key.
func TestHealthDetails(t *testing.T) {
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: &memStore{}, Instance: "b1", ReadKey: "0123456789abcdef0123"})
	for _, tc := range []struct {
		name, remote, auth string
		whole              bool
	}{
		{"from afar", "198.51.100.7:4000", "", false},
		{"from afar, a wrong key", "198.51.100.7:4000", "Bearer nope", false},
		{"from afar, the read key", "198.51.100.7:4000", "Bearer 0123456789abcdef0123", true},
		{"from this machine", "127.0.0.1:4000", "", true},
		{"from this machine, IPv6", "[::1]:4000", "", true},
		// A proxy on this machine the beacon does not trust: the client
		// is anywhere.
		{"through an untrusted local proxy", "127.0.0.1:4000", "xff", false},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", HealthPath, nil)
		r.RemoteAddr = tc.remote
		switch tc.auth {
		case "":
		case "xff":
			r.Header.Set("X-Forwarded-For", "198.51.100.7")
		default:
			r.Header.Set("Authorization", tc.auth)
		}
		h.ServeHTTP(w, r)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, `"status": "ok"`) {
			t.Errorf("%s: %d %s", tc.name, w.Code, body)
		}
		if got := strings.Contains(body, `"instance"`) || strings.Contains(body, `"events"`); got != tc.whole {
			t.Errorf("%s: the whole document %v, want %v:\n%s", tc.name, got, tc.whole, body)
		}
	}
}

// TestHandlerStoreFailureRefundsRate: requests refused with 503 because the
// store failed do not spend their rooms' rate budget (issue 13): after an
// outage longer than the budget, the room's next events are stored. A batch
// refused for one room's budget spends no other room's either.
func TestHandlerStoreFailureRefundsRate(t *testing.T) {
	now := testNow
	store := &memStore{err: errors.New("database down")}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store, Now: func() time.Time { return now },
		TokenRate: Rate{PerSecond: 1, Burst: 3}, AddrRate: Rate{PerSecond: 1000, Burst: 1000}})
	post := func(body string) (int, string) {
		r := httptest.NewRequest("POST", NotePath, strings.NewReader(body))
		r.RemoteAddr = "192.0.2.1:1"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Header().Get(RejectHeader)
	}
	ev := "[" + note(tokJordan, "room", "hb") + "]"
	for i := range 10 {
		if code, why := post(ev); code != 503 {
			t.Fatalf("request %d while the store is down: %d %q, want 503", i, code, why)
		}
	}
	store.mu.Lock()
	store.err = nil
	store.mu.Unlock()
	for i := range 3 {
		if code, why := post(ev); code != 204 {
			t.Fatalf("event %d after the store recovered: %d %q, want 204 (failed appends spent the budget)", i, code, why)
		}
	}
	if code, why := post(ev); code != 429 || !strings.HasPrefix(why, string(ReasonRateToken)) {
		t.Fatalf("4th stored event of a burst of 3: %d %q, want 429", code, why)
	}
	// Jordan's budget is spent: a batch of Sam's and Jordan's events is
	// refused, and Sam's budget is left whole.
	both := "[" + note(tokSam, "room", "hb") + "," + note(tokJordan, "room", "hb") + "]"
	if code, _ := post(both); code != 429 {
		t.Fatalf("batch with a spent room: %d, want 429", code)
	}
	for i := range 3 {
		if code, why := post("[" + note(tokSam, "room", "hb") + "]"); code != 204 {
			t.Fatalf("Sam's event %d after a refused batch: %d %q", i, code, why)
		}
	}
	if got := len(store.events); got != 6 {
		t.Fatalf("stored %d events, want 6", got)
	}
}

// The stores the beacon runs with: the embedded log, and the PostgreSQL
// store (asserted in its own tests), each a Store that reports its health
// and lists its replies.
var (
	_ Store         = (*eventlog.Log)(nil)
	_ StoreReporter = (*eventlog.Log)(nil)
	_ ReplyReader   = (*eventlog.Log)(nil)
)

// TestThrottle: a store that fails every request (a full disk) is logged
// once a minute, not once a request.
func TestThrottle(t *testing.T) {
	var th throttle
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	got := 0
	for i := range 120 {
		if th.allow(at.Add(time.Duration(i) * time.Second)) {
			got++
		}
	}
	if got != 2 {
		t.Errorf("%d lines in two minutes of failures, want 2", got)
	}
}
