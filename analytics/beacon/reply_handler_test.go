package beacon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/token"
	"github.com/maproom/maproom/themes"
)

var tokLost = token.Room(testSecret, "lost-deal", "kim", 0)

// replyManifest is testManifest with what each room may reply to: Jordan
// owns the task "poc" and leads the milestone "security"; Sam (a seller)
// and the lost deal's buyer may reply to nothing; Jordan's nda is done.
func replyManifest() *manifest.Manifest {
	m := testManifest()
	m.Site = "https://rooms.example.com/"
	m.Rooms[0].Replies = &reply.Targets{Own: []string{"poc", "nda"}, Lead: []string{"security"},
		See: []string{"poc", "sso-review", "nda"}, Milestones: []string{"security"}, Done: []string{"nda"}}
	m.Rooms = append(m.Rooms, manifest.Room{Key: token.Key(tokLost), Deal: "lost-deal", Stakeholder: "kim", Side: "buyer", Pages: []string{"room"}})
	return m
}

func replyForm(tok string, kv ...string) string {
	v := url.Values{}
	if tok != "" {
		v.Set("t", tok)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

type replyCase struct {
	name     string
	body     string
	origin   string
	ctype    string
	js       bool
	store    error
	want     int
	reason   Reason
	location string // the redirect, for a plain post that was stored
	field    string // the field the JSON answer names
	say      string // words the person reads
}

func replyCases() []replyCase {
	const site = "https://rooms.example.com"
	return []replyCase{
		{name: "confirm own task, plain post", body: replyForm(tokJordan, "kind", "confirm", "target", "poc", "target_kind", "task", "seen", "due=2026-12-01"),
			origin: "null", want: 303, location: site + "/r/" + tokJordan + "/#sent"},
		{name: "propose, from the room script", body: replyForm(tokJordan, "kind", "propose", "target", "poc", "date", "2026-12-15", "reason", "InfoSec queue", "js", "1"),
			origin: site, js: true, want: 200},
		{name: "confirm a led milestone, kind resolved", body: replyForm(tokJordan, "kind", "confirm", "target", "security"), want: 303, location: site + "/r/" + tokJordan + "/#sent"},
		{name: "question on a task seen", body: replyForm(tokJordan, "kind", "question", "target", "sso-review", "text", "Who signs?"), want: 303},
		{name: "suggest on the plan", body: replyForm(tokJordan, "kind", "suggest", "text", "Procurement review", "owner", "Lee in procurement", "date", "2026-12-20"), want: 303},
		{name: "someone else's task", body: replyForm(tokJordan, "kind", "done", "target", "sso-review", "date", "2026-11-20", "evidence", "done"),
			want: 403, reason: ReasonNotYours, say: "only your own steps"},
		{name: "someone else's task, js", body: replyForm(tokJordan, "kind", "confirm", "target", "sso-review", "js", "1"), origin: site, js: true,
			want: 403, reason: ReasonNotYours, field: "target"},
		{name: "a step no longer in the plan (renamed since the page was loaded)", body: replyForm(tokJordan, "kind", "propose", "target", "poc-old", "target_kind", "task", "date", "2026-12-15", "reason", "later"),
			want: 403, reason: ReasonNotYours, say: "no longer in the plan under that name"},
		{name: "a block on a step done already (a forged or stale page)", body: replyForm(tokJordan, "kind", "blocked", "target", "nda", "target_kind", "task", "reason", "data corrupted"),
			want: 422, reason: ReasonBadReply, say: "the step is done already"},
		{name: "a question on a step done already", body: replyForm(tokJordan, "kind", "question", "target", "nda", "text", "Where is the signed copy?"), want: 303},
		{name: "rotated-away token", body: replyForm(tokOld, "kind", "question", "text", "hello"), want: 410, reason: ReasonRetired, say: "replaced by a newer one"},
		{name: "unknown token", body: replyForm(tokUnknown, "kind", "question", "text", "hello"), want: 403, reason: ReasonUnknownToken},
		{name: "no token", body: replyForm("", "kind", "question", "text", "hello"), want: 400, reason: ReasonBadToken},
		{name: "a seller's room", body: replyForm(tokSam, "kind", "question", "text", "hello"), want: 403, reason: ReasonNoReplies, say: "change the plan itself"},
		{name: "a closed deal's room", body: replyForm(tokLost, "kind", "question", "text", "hello"), want: 403, reason: ReasonNoReplies, say: "the deal may have closed"},
		{name: "date out of bounds", body: replyForm(tokJordan, "kind", "propose", "target", "poc", "date", "2035-01-01", "reason", "later", "js", "1"), js: true,
			want: 422, reason: ReasonBadReply, field: "date"},
		{name: "no reason for a propose", body: replyForm(tokJordan, "kind", "propose", "target", "poc", "date", "2026-12-15"),
			want: 422, reason: ReasonBadReply, say: "Your reply was not sent"},
		// Every field to correct, at once: a person who fixed the one
		// named would be refused again for the next.
		{name: "neither date nor reason for a propose", body: replyForm(tokJordan, "kind", "propose", "target", "poc", "date", "", "reason", ""),
			want: 422, reason: ReasonBadReply, say: "Your reply was not sent. The reason: missing: say why the date moves. The date: missing: give a day as YYYY-MM-DD."},
		{name: "text too long", body: replyForm(tokJordan, "kind", "question", "text", strings.Repeat("é", reply.MaxText+1)), want: 422, reason: ReasonBadReply},
		{name: "a placeholder in a suggestion", body: replyForm(tokJordan, "kind", "suggest", "text", "DPA review [[owner]]"),
			want: 422, reason: ReasonBadReply, say: "Your text: [[owner]] reads as a placeholder left to fill in"},
		{name: "a placeholder in a question, js", body: replyForm(tokJordan, "kind", "question", "text", "Who signs [[TBD]]?", "js", "1"), js: true,
			want: 422, reason: ReasonBadReply, field: "text"},
		{name: "a placeholder in evidence, js", body: replyForm(tokJordan, "kind", "done", "target", "poc", "date", "2026-11-20", "evidence", "see [[link]]", "js", "1"), js: true,
			want: 422, reason: ReasonBadReply, field: "evidence"},
		{name: "a suggestion with no letter or digit", body: replyForm(tokJordan, "kind", "suggest", "text", "---", "js", "1"), js: true,
			want: 422, reason: ReasonBadReply, field: "text"},
		{name: "confirm a date gone by, without seen", body: replyForm(tokJordan, "kind", "confirm", "target", "poc", "target_kind", "task", "date", "2026-10-01"),
			want: 422, reason: ReasonBadReply, say: "2026-10-01 is gone by: a date gone by cannot be confirmed"},
		{name: "confirm a date gone by, with seen", body: replyForm(tokJordan, "kind", "confirm", "target", "poc", "target_kind", "task", "date", "2026-10-01", "seen", "due=2026-10-01;status=todo"),
			want: 422, reason: ReasonBadReply, say: "the step was due 2026-10-01: a date gone by cannot be confirmed"},
		{name: "body over the cap", body: replyForm(tokJordan, "kind", "question", "text", strings.Repeat("x", MaxReplyBody)), want: 413, reason: ReasonTooLarge},
		{name: "foreign origin", body: replyForm(tokJordan, "kind", "question", "text", "hi"), origin: "https://evil.example", want: 403, reason: ReasonOrigin},
		{name: "null origin from a script", body: replyForm(tokJordan, "kind", "question", "text", "hi", "js", "1"), origin: "null", js: true, want: 403, reason: ReasonOrigin},
		{name: "JSON body", body: `{"t":"x"}`, ctype: "application/json", want: 415, reason: ReasonContentType},
		{name: "store down", body: replyForm(tokJordan, "kind", "question", "text", "hi"), store: errors.New("disk full"), want: 503, reason: ReasonUnavailable, say: "send it again"},
	}
}

func TestReplyHandler(t *testing.T) {
	for _, tc := range replyCases() {
		t.Run(tc.name, func(t *testing.T) {
			store := &memStore{err: tc.store}
			h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store, Now: func() time.Time { return testNow },
				AllowedOrigins: []string{"https://rooms.example.com"}, Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 64))})
			r := httptest.NewRequest(http.MethodPost, ReplyPath, strings.NewReader(tc.body))
			ct := tc.ctype
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			r.Header.Set("Content-Type", ct)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, w.Header().Get(RejectHeader))
			}
			if tc.reason != "" && !strings.HasPrefix(w.Header().Get(RejectHeader), string(tc.reason)) {
				t.Errorf("reject %q, want %s", w.Header().Get(RejectHeader), tc.reason)
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location %q, want %q", w.Header().Get("Location"), tc.location)
			}
			body := w.Body.String()
			if tc.js {
				var a replyAnswer
				if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
					t.Fatalf("the room script gets no JSON: %v: %q", err, body)
				}
				if tc.want == 200 && (!reply.ValidID(a.ID) || a.State != "waiting") {
					t.Errorf("answer %+v, want an id and state waiting", a)
				}
				if tc.want >= 400 && (a.Error == "" || a.Field != tc.field) {
					t.Errorf("answer %+v, want an error naming field %q", a, tc.field)
				}
			} else if tc.want >= 400 && !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
				t.Errorf("a plain post is answered with %q, want a page", w.Header().Get("Content-Type"))
			}
			if tc.say != "" && !strings.Contains(body, tc.say) {
				t.Errorf("the answer does not say %q: %s", tc.say, body)
			}
			stored := 0
			for _, e := range store.events {
				if e.Kind == event.KindReply {
					stored++
				}
			}
			if ok := tc.want < 300 || tc.want == 303; ok != (stored == 1) {
				t.Errorf("stored %d replies for status %d", stored, tc.want)
			}
			if stored == 1 {
				e := store.events[0]
				rp := e.Reply
				if e.Deal != "acme" || e.Stakeholder != "jordan" || rp.Deal != "acme" || rp.Stakeholder != "jordan" ||
					!rp.Time.Equal(testNow.Truncate(time.Millisecond)) || !reply.ValidID(rp.ID) || rp.TargetKind == "" {
					t.Errorf("stored %+v / %+v: identity, time and id come from the beacon", e, rp)
				}
				if why := e.Problem(); why != "" {
					t.Errorf("the stored line does not read back: %s", why)
				}
			}
		})
	}
}

// TestReplyIdentityFromTokenOnly: fields naming another deal, person or id
// are ignored; only the token says who sends.
func TestReplyIdentityFromTokenOnly(t *testing.T) {
	store := &memStore{}
	m := replyManifest()
	m.Site = ""
	h := NewHandler(HandlerConfig{Manifest: m, Store: store, Now: func() time.Time { return testNow }})
	body := replyForm(tokJordan, "kind", "question", "text", "hi", "deal", "other", "stakeholder", "ceo", "id", "aaaaaaaaaa", "time", "2020-01-01T00:00:00Z")
	r := httptest.NewRequest(http.MethodPost, ReplyPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || len(store.events) != 1 { // no Site in this manifest: the beacon's own page
		t.Fatalf("status %d, %d stored", w.Code, len(store.events))
	}
	if !strings.Contains(w.Body.String(), "Your reply was sent") || !strings.Contains(w.Body.String(), "Back button to return to your room.") {
		t.Errorf("no confirmation page, or no way back: %s", w.Body.String())
	}
	// Nothing is left to keep: the page does not suggest sending it again.
	if strings.Contains(w.Body.String(), "keeps what you wrote") {
		t.Errorf("the confirmation says the Back button keeps what was written, as a refusal does: %s", w.Body.String())
	}
	rp := store.events[0].Reply
	if rp.Deal != "acme" || rp.Stakeholder != "jordan" || rp.ID == "aaaaaaaaaa" || rp.Time.Year() != 2026 {
		t.Errorf("the client set identity: %+v", rp)
	}
}

func TestReplyRateLimitTellsThePerson(t *testing.T) {
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store, Now: func() time.Time { return testNow },
		ReplyRate: Rate{PerSecond: 1.0 / 60, Burst: 3}})
	send := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, ReplyPath, strings.NewReader(replyForm(tokJordan, "kind", "question", "text", "hi", "js", "1")))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 3 {
		if w := send(); w.Code != 200 {
			t.Fatalf("reply %d: %d", i, w.Code)
		}
	}
	w := send()
	if w.Code != 429 || !strings.Contains(w.Body.String(), "Wait a few minutes") || w.Header().Get("Retry-After") == "" {
		t.Fatalf("the 4th reply: %d %q", w.Code, w.Body.String())
	}
	if len(store.events) != 3 {
		t.Errorf("%d stored, want 3", len(store.events))
	}
}

// TestRepliesThroughTheLog: a reply the beacon acknowledged is in the log,
// read back by eventlog.ReadReplies and by the read endpoint with the key, once; the
// page-event readers skip it; a v1 log still reads.
func TestRepliesThroughTheLog(t *testing.T) {
	dir := t.TempDir()
	l, err := eventlog.OpenLog(dir, eventlog.LogOptions{Instance: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: l, Now: func() time.Time { return testNow }, ReadKey: "s3cret-read-key"})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(kv ...string) {
		t.Helper()
		res, err := http.Post(srv.URL+ReplyPath, "application/x-www-form-urlencoded", strings.NewReader(replyForm(tokJordan, append(kv, "js", "1")...)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("status %d: %s", res.StatusCode, res.Header.Get(RejectHeader))
		}
	}
	post("kind", "propose", "target", "poc", "date", "2026-12-15", "reason", "InfoSec queue\r\nsecond line", "seen", "due=2026-12-01;status=open")
	post("kind", "question", "text", "Who signs the <order>?")
	// A page event and a v1 line beside them.
	ev := testEvent(loadID(3), 0, testNow)
	if err := l.Append(context.Background(), []event.Event{ev}); err != nil {
		t.Fatal(err)
	}
	old := testEvent(loadID(4), 0, testNow.Add(-24*time.Hour))
	os.WriteFile(filepath.Join(dir, "events-2026-11-21-old.jsonl"), bytes.Replace(old.AppendJSON(nil), []byte(`{"v":2`), []byte(`{"v":1`), 1), 0o644)

	rs, st, err := eventlog.ReadReplies(context.Background(), time.Time{}, dir)
	if err != nil || len(rs) != 2 || st.Corrupt != 0 {
		t.Fatalf("ReadReplies: %v, %d replies, %+v", err, len(rs), st)
	}
	if rs[0].Kind != reply.Propose || rs[0].Reason != "InfoSec queue\nsecond line" || rs[0].Seen != "due=2026-12-01;status=open" || rs[1].Text != "Who signs the <order>?" {
		t.Errorf("read back %+v", rs)
	}
	var events int
	rst, err := eventlog.ReadLogs([]string{dir}, func(event.Event) error { events++; return nil })
	if err != nil || events != 2 || rst.Replies != 2 || rst.Corrupt != 0 {
		t.Errorf("ReadLogs: %v, %d page events, %+v", err, events, rst)
	}

	get := func(key, query string) (*http.Response, []reply.Reply) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+RepliesPath+query, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out []reply.Reply
		json.NewDecoder(res.Body).Decode(&out)
		return res, out
	}
	if res, _ := get("", ""); res.StatusCode != 404 {
		t.Errorf("without the key: %d, want 404", res.StatusCode)
	}
	if res, _ := get("wrong", ""); res.StatusCode != 404 {
		t.Errorf("a wrong key: %d, want 404", res.StatusCode)
	}
	res, got := get("s3cret-read-key", "")
	if res.StatusCode != 200 || len(got) != 2 || got[0].ID != rs[0].ID {
		t.Errorf("with the key: %d, %+v", res.StatusCode, got)
	}
	if _, got := get("s3cret-read-key", "?after="+testNow.Add(time.Second).Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("after a later time: %+v", got)
	}
	// The scheme's name in any case, as HTTP allows.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+RepliesPath, nil)
	req.Header.Set("Authorization", "bearer s3cret-read-key")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("with the key after \"bearer\": %v %v, want 200", res, err)
	} else {
		res.Body.Close()
	}
	fetched, err := FetchReplies(context.Background(), srv.Client(), srv.URL, "s3cret-read-key", time.Time{})
	if err != nil || len(fetched) != 2 || fetched[1].Text != rs[1].Text {
		t.Errorf("FetchReplies: %v, %+v", err, fetched)
	}
	if _, err := FetchReplies(context.Background(), srv.Client(), srv.URL, "wrong", time.Time{}); err == nil || !strings.Contains(err.Error(), "key") {
		t.Errorf("FetchReplies with a wrong key: %v", err)
	}
}

// TestNoteRefusesReplyKind: a room script cannot write a reply line as a
// page event.
func TestNoteRefusesReplyKind(t *testing.T) {
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store})
	r := httptest.NewRequest(http.MethodPost, NotePath, strings.NewReader("["+note(tokJordan, "room", "reply")+"]"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code < 400 || len(store.events) != 0 {
		t.Fatalf("status %d, stored %d", w.Code, len(store.events))
	}
}

// postReply posts a reply form to srv as a browser does: a plain form
// post, or with js the room script's, which names js=1 in the address
// too, so that the beacon knows it before it reads the body.
func postReply(t *testing.T, srv *httptest.Server, js bool, body string) (*http.Response, string) {
	t.Helper()
	u := srv.URL + ReplyPath
	if js {
		u += "?js=1"
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if js {
		req.Header.Set("Origin", "https://rooms.example.com")
	}
	cl := *srv.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestReplyWithinTheFormLimitsIsTaken: a "Mark done" with each of its
// boxes filled to the form's maxlength in characters that take the most
// bytes percent-encoded (1000 CJK characters of evidence and of reason:
// 18,202 bytes) is stored, from a plain form post and from the room
// script; the cap on the body admits every reply the form allows.
func TestReplyWithinTheFormLimitsIsTaken(t *testing.T) {
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store, Now: func() time.Time { return testNow },
		AllowedOrigins: []string{"https://rooms.example.com"}})
	srv := httptest.NewServer(h)
	defer srv.Close()
	full := strings.Repeat("検", reply.MaxText)
	for _, js := range []bool{false, true} {
		// The task form's fields, in the order a browser sends them.
		body := replyForm(tokJordan, "target", "poc", "target_kind", "task", "seen", "due=2026-12-01;status=todo;ev=0123abcd;ti=89abcdef",
			"kind", "done", "date", "2026-11-20", "reason", full, "evidence", full)
		if js {
			body += "&js=1"
		}
		res, got := postReply(t, srv, js, body)
		want := 303
		if js {
			want = 200
		}
		if res.StatusCode != want {
			t.Fatalf("js %v: a reply of %d bytes within the form's limits: %d %s", js, len(body), res.StatusCode, res.Header.Get(RejectHeader))
		}
		if js && !strings.Contains(got, `"state":"waiting"`) {
			t.Errorf("js: answer %s", got)
		}
	}
	if len(store.events) != 2 || store.events[0].Reply.Evidence != full || store.events[1].Reply.Reason != full {
		t.Errorf("stored %d replies, want both whole", len(store.events))
	}
}

// TestReplyOverTheCap: a body over the cap (no form sends one) is refused
// with 413; the room script reads the JSON it shows, and a plain post gets
// a page that says what to do and links back to the room.
func TestReplyOverTheCap(t *testing.T) {
	store := &memStore{}
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: store, Now: func() time.Time { return testNow },
		AllowedOrigins: []string{"https://rooms.example.com"}})
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := replyForm(tokJordan, "kind", "question", "text", strings.Repeat("x", MaxReplyBody))
	for _, js := range []bool{false, true} {
		b := body
		if js {
			b += "&js=1"
		}
		res, got := postReply(t, srv, js, b)
		if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get(RejectHeader), string(ReasonTooLarge)) {
			t.Fatalf("js %v: %d %q, want 413 too-large", js, res.StatusCode, res.Header.Get(RejectHeader))
		}
		if js {
			var a replyAnswer
			if err := json.Unmarshal([]byte(got), &a); err != nil || !strings.Contains(a.Error, "at most 1000 characters") {
				t.Errorf("the room script gets %q (%v), want the JSON error it shows", got, err)
			}
			continue
		}
		if !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(got, "at most 1000 characters") ||
			!strings.Contains(got, `<a href="https://rooms.example.com/r/`+tokJordan+`/">Back to your room</a>`) {
			t.Errorf("the page:\n%s\nwant what to change and a link back to the room", got)
		}
	}
	if len(store.events) != 0 {
		t.Errorf("stored %d", len(store.events))
	}
}

// TestReplyCapFitsTheRoomForms reads the default theme's reply forms: each
// box the person types in has a maxlength no more than what reply.Parse
// takes in that field, and each form filled to its limits (every
// character 4 bytes of UTF-8, percent-encoded, the hidden fields at their
// limits) fits in MaxReplyBody, so no reply the form allows is refused for
// its size.
func TestReplyCapFitsTheRoomForms(t *testing.T) {
	src, err := fs.ReadFile(themes.Default(), "layouts/room.html")
	if err != nil {
		t.Fatal(err)
	}
	// The most characters each field may hold: what the beacon takes of it.
	limit := map[string]int{"t": token.Len, "kind": len("question"), "target": reply.MaxTarget, "target_kind": len("milestone"),
		"seen": reply.MaxSeen, "date": len("2026-12-01"), "reason": reply.MaxText, "evidence": reply.MaxText, "text": reply.MaxText,
		"owner": reply.MaxOwner}
	formRe := regexp.MustCompile(`(?s)<form [^>]*data-mr-reply>.*?</form>`)
	fieldRe := regexp.MustCompile(`<(input|textarea|select)\b[^>]*>`)
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `(?:="([^"]*)")?[\s>]`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	forms := formRe.FindAllString(string(src), -1)
	if len(forms) < 3 {
		t.Fatalf("found %d reply forms in room.html, want the task's, the milestone's, the question's and the suggestion's", len(forms))
	}
	for _, f := range forms {
		id, _ := attr(f[:strings.Index(f, ">")+1], "id")
		size := len("&js=1")
		seen := map[string]bool{}
		for _, tag := range fieldRe.FindAllString(f, -1) {
			name, _ := attr(tag, "name")
			max, known := limit[name]
			if !known {
				t.Errorf("form %s: field %q is one the beacon does not read", id, name)
				continue
			}
			typ, _ := attr(tag, "type")
			if typ != "hidden" && typ != "radio" && !strings.HasPrefix(tag, "<select") {
				ml, ok := attr(tag, "maxlength")
				n, err := strconv.Atoi(ml)
				if !ok || err != nil {
					t.Errorf("form %s: %s has no maxlength: the beacon's cap on a reply's size cannot admit it", id, tag)
					continue
				}
				if n > max {
					t.Errorf("form %s: %s lets the person type %d characters, the beacon takes %d", id, name, n, max)
				}
				max = n
			}
			if !seen[name] { // a radio group sends one value
				seen[name] = true
				size += len("&") + len(name) + len("=") + max*maxEncodedRune
			}
		}
		if size > MaxReplyBody {
			t.Errorf("form %s filled to its limits is %d bytes, over MaxReplyBody (%d)", id, size, MaxReplyBody)
		}
		t.Logf("form %s: at most %d bytes", id, size)
	}
}

// TestReplyNotYoursSaysWhy: the header of a reply refused as not this
// room's reads as a sentence, for a step the room may not answer and for
// an id no step of the plan has.
func TestReplyNotYoursSaysWhy(t *testing.T) {
	h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: &memStore{}, Now: func() time.Time { return testNow }})
	for _, c := range []struct{ body, want string }{
		{replyForm(tokJordan, "kind", "question", "target", "no-such-task", "text", "What is this?"),
			`not-yours: question on "no-such-task": no task or milestone of the plan has this id`},
		{replyForm(tokJordan, "kind", "propose", "target", "poc-old", "target_kind", "task", "date", "2026-12-15", "reason", "later"),
			`not-yours: propose on "poc-old": no task or milestone of the plan has this id`},
		{replyForm(tokJordan, "kind", "confirm", "target", "sso-review"),
			`not-yours: confirm on task "sso-review" is not this room's to send`},
	} {
		r := httptest.NewRequest(http.MethodPost, ReplyPath, strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get(RejectHeader); w.Code != 403 || got != c.want {
			t.Errorf("%s: %d %q, want 403 %q", c.body, w.Code, got, c.want)
		}
	}
}

// TestPreviewRepliesMarked: a reply the preview's beacon (maproom serve)
// took reads back marked as sent from the preview, by the log's instance
// (the form cannot claim it); one the beacon took does not.
func TestPreviewRepliesMarked(t *testing.T) {
	dir := t.TempDir()
	for _, inst := range []string{event.PreviewInstance, "i1"} {
		l, err := eventlog.OpenLog(dir, eventlog.LogOptions{Instance: inst})
		if err != nil {
			t.Fatal(err)
		}
		h := NewHandler(HandlerConfig{Manifest: replyManifest(), Store: l, Now: func() time.Time { return testNow }, Instance: inst})
		srv := httptest.NewServer(h)
		res, err := http.Post(srv.URL+ReplyPath, "application/x-www-form-urlencoded", strings.NewReader(replyForm(tokJordan, "kind", "question", "text", "from "+inst, "preview", "1", "js", "1")))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		srv.Close()
		l.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", inst, res.StatusCode, res.Header.Get(RejectHeader))
		}
	}
	rs, _, err := eventlog.ReadReplies(context.Background(), time.Time{}, dir)
	if err != nil || len(rs) != 2 {
		t.Fatalf("ReadReplies: %v, %d replies", err, len(rs))
	}
	for _, r := range rs {
		if want := r.Text == "from "+event.PreviewInstance; r.Preview != want {
			t.Errorf("reply %q: preview %v, want %v", r.Text, r.Preview, want)
		}
	}
}
