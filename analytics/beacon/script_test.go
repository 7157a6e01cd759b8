package beacon

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"

	"github.com/maproom/maproom/analytics/event"
)

// roomScript is the theme's room script, the client half of the wire
// format this package decodes.
const roomScript = "../../themes/default/assets/room.js"

// TestRoomScriptSize: the generator minifies room.js with tdewolff/minify;
// the result must stay under 2 KB and use no cookies or storage.
func TestRoomScriptSize(t *testing.T) {
	src, err := os.ReadFile(roomScript)
	if err != nil {
		t.Fatal(err)
	}
	m := minify.New()
	m.AddFunc("application/javascript", js.Minify)
	out, err := m.Bytes("application/javascript", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) >= 2048 {
		t.Errorf("room.js minifies to %d bytes, the budget is 2048", len(out))
	}
	t.Logf("room.js: %d bytes, %d minified", len(src), len(out))
	for _, bad := range []string{"cookie", "localStorage", "sessionStorage", "indexedDB", "beforeunload", "'unload'", `"unload"`} {
		if strings.Contains(string(out), bad) {
			t.Errorf("room.js uses %s", bad)
		}
	}
}

// TestRoomScriptInBrowser loads a room page with the real script in
// headless Chromium (virtual time, so that heartbeats come at once) and
// checks what reaches the real handler: a view, heartbeats about 15 s
// apart in page time carrying at most that much visible time, no active
// time before the person acts, an open and a dl from clicks and active
// time after them, one page-load id with consecutive sequence numbers.
// Skipped without chromium.
func TestRoomScriptInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no chromium (apt-get install chromium)")
	}
	script, err := os.ReadFile(roomScript)
	if err != nil {
		t.Fatal(err)
	}
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: testManifest(), Store: store, Instance: "browser"})
	mux := http.NewServeMux()
	mux.Handle(NotePath, h)
	mux.HandleFunc("/room.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(script)
	})
	mux.HandleFunc("/r/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>room</title>
<script src="/room.js" defer></script></head>
<body data-mr-t="%s" data-mr-p="room" data-mr-b="%s">
<a id="o" href="#pricing" data-mr-open="pricing">Pricing</a>
<a id="d" href="#wp" data-mr-dl="security-whitepaper">Whitepaper</a>
<script>setTimeout(function(){document.getElementById('o').click();document.getElementById('d').click()}, 20000)</script>
</body></html>`, tokJordan, "http://"+r.Host+NotePath)
	})
	srv := httptest.NewServer(mux) // 127.0.0.1 only
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless=new", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-extensions", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=40000", "--dump-dom", srv.URL+"/r/"+tokJordan+"/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	// The browser may deliver its last beacons as it exits: take the
	// events once none has arrived for 300 ms (within 5 s).
	var evs []event.Event
	for deadline, last, quiet := time.Now().Add(5*time.Second), -1, time.Now(); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		store.mu.Lock()
		evs = append(evs[:0], store.events...)
		store.mu.Unlock()
		if len(evs) != last {
			last, quiet = len(evs), time.Now()
		} else if time.Since(quiet) >= 300*time.Millisecond {
			break
		}
	}
	// Each beacon is its own request, so two sent together (the open and
	// the download) may arrive in either order; the sequence number is
	// what orders a page-load's events.
	slices.SortStableFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, fmt.Sprintf("%s%s#%d(a%d,v%d)", e.Kind, map[bool]string{true: ":" + e.Collateral}[e.Collateral != ""], e.Seq, e.ActiveMS, e.VisibleMS))
	}
	t.Logf("events: %s", strings.Join(kinds, " "))
	if len(evs) < 4 {
		t.Fatalf("got %d events, want a view, heartbeats, open and dl\n%s", len(evs), out)
	}
	if evs[0].Kind != event.KindView || evs[0].Seq != 0 {
		t.Errorf("first event %s #%d, want view #0", evs[0].Kind, evs[0].Seq)
	}
	counts := map[event.Kind]int{}
	clicked := false
	for i, e := range evs {
		counts[e.Kind]++
		if e.Load != evs[0].Load {
			t.Errorf("event %d: page-load %s, want %s", i, e.Load, evs[0].Load)
		}
		if e.Seq != int64(i) {
			t.Errorf("event %d has seq %d: sequence numbers must run from 0 without gaps or repeats", i, e.Seq)
		}
		if e.Page != "room" || e.Stakeholder != "jordan" || e.UA == "" {
			t.Errorf("event %d: %+v", i, e)
		}
		if e.Kind == event.KindHB && (e.VisibleMS < 1 || e.VisibleMS > 16000) {
			t.Errorf("heartbeat %d carries %d visible ms, want up to 15000", i, e.VisibleMS)
		}
		if e.Kind == event.KindOpen {
			clicked = true
		}
		if !clicked && e.ActiveMS != 0 {
			t.Errorf("event %d counts %d active ms before anyone acted", i, e.ActiveMS)
		}
	}
	if hb := evs[1]; hb.Kind != event.KindHB || hb.VisibleMS < 14900 || hb.VisibleMS > 15100 {
		t.Errorf("second event %s with %d visible ms, want a heartbeat of about 15000", hb.Kind, hb.VisibleMS)
	}
	if last := evs[len(evs)-1]; last.ActiveMS == 0 {
		t.Errorf("no active time after the clicks: %+v", last)
	}
	if counts[event.KindHB] < 2 || counts[event.KindOpen] != 1 || counts[event.KindDL] != 1 {
		t.Errorf("kinds %v, want at least 2 hb, 1 open, 1 dl", counts)
	}
	for _, e := range evs {
		if e.Kind == event.KindOpen && e.Collateral != "pricing" || e.Kind == event.KindDL && e.Collateral != "security-whitepaper" {
			t.Errorf("%s names %q", e.Kind, e.Collateral)
		}
	}
}

// TestRoomScriptLogic runs testdata/room_harness.js: the room script
// against a fake page and clock in node, for what a browser test cannot
// reach quickly (idle and parked time, focus, the back-forward cache,
// prerendering, the fetch fallback). Skipped without node.
func TestRoomScriptLogic(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "testdata/room_harness.js", roomScript).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatal(err)
	}
}

// replyScript is the theme's reply script, the client of ReplyPath.
const replyScript = "../../themes/default/assets/reply.js"

// TestReplyScript runs testdata/reply_harness.js: the reply script on a
// fake page whose forms post, with node's fetch, to a real handler on
// 127.0.0.1, and checks what the person is shown: a reply filled to the
// form's limits is sent; a refusal shows the beacon's words (a body over
// the cap among them) and focuses the field at fault. Skipped without
// node.
func TestReplyScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store, Now: func() time.Time { return testNow }})
	srv := httptest.NewServer(h) // 127.0.0.1 only
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "testdata/reply_harness.js", replyScript, srv.URL+ReplyPath, tokJordan).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatal(err)
	}
	if len(store.events) != 1 {
		t.Errorf("stored %d replies, want the one sent", len(store.events))
	}
}
