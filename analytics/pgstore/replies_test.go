package pgstore

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/reply"
)

var _ beacon.ReplyReader = (*Store)(nil)

// replyEvent is the event a beacon stores for a reply: r with its envelope.
func replyEvent(r reply.Reply) event.Event {
	return event.Event{V: event.SchemaVersion, Time: r.Time, Deal: r.Deal, Stakeholder: r.Stakeholder,
		Side: "buyer", Role: "champion", Room: strings.Repeat("cd", 32), Rotation: r.Rotation, Page: "room",
		Kind: event.KindReply, Net: "203.0.113.0/24", UA: event.UABrowser, Instance: "b1", Reply: &r}
}

// testReplies are replies of every kind, every field used by one of them,
// at times with nanoseconds (the store keeps them exactly), sent from links
// of rotation 2 (the store reads it back from the envelope).
func testReplies() []reply.Reply {
	at := func(min, ns int) time.Time {
		return time.Date(2026, 11, 22, 10, min, 0, ns, time.UTC)
	}
	rs := []reply.Reply{
		{ID: "aaaaaaaaa2", Time: at(1, 500), Deal: "acme", Stakeholder: "jordan", Kind: reply.Propose, Target: "sample-data",
			TargetKind: reply.TargetTask, Date: "2026-12-04", Reason: "InfoSec queue, \"two weeks\"\nat least", Seen: "due=2026-11-27;status=todo"},
		{ID: "aaaaaaaaa3", Time: at(2, 0), Deal: "acme", Stakeholder: "jordan", Kind: reply.Question, TargetKind: reply.TargetPlan,
			Text: "Can Snowflake <b>stay</b> our warehouse? ünïcode"},
		{ID: "aaaaaaaaa4", Time: at(3, 0), Deal: "globex", Stakeholder: "priya", Kind: reply.Done, Target: "security-review",
			TargetKind: reply.TargetTask, Date: "2026-11-21", Evidence: "https://globex.example/sec?x=1&y=2", Seen: "due=2026-11-25;status=in-progress"},
		{ID: "aaaaaaaaa5", Time: at(4, 0), Deal: "acme", Stakeholder: "marcus", Kind: reply.Suggest, TargetKind: reply.TargetPlan,
			Text: "A legal review", Owner: "Dana (legal)", Date: "2026-12-10"},
	}
	for i := range rs {
		rs[i].Rotation = 2
	}
	return rs
}

func wantReplies(t *testing.T, what string, got, want []reply.Reply) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d replies, want %d:\n got %+v\nwant %+v", what, len(got), len(want), got, want)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: reply %d:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

func allEvents(t *testing.T, s *Store, f Filter) []event.Event {
	t.Helper()
	var evs []event.Event
	if err := s.Events(context.Background(), f, func(e event.Event) error { evs = append(evs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestReplies: replies appended with page events, in one batch, are kept
// whole in the replies table, each id once, and never read as page events.
func TestReplies(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	s := openTest(t, url, testSchema(t, url), Options{})
	rs := testReplies()

	// one batch: page events around a reply
	batch := []event.Event{testEvent(1, 0, "b1"), replyEvent(rs[1]), testEvent(1, 1, "b1")}
	if err := s.Append(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// the others one by one, as the beacon appends them; rs[1] again (a
	// retry) alone and in a batch with a new page event
	for _, r := range []reply.Reply{rs[3], rs[0], rs[2], rs[1]} {
		if err := s.Append(ctx, []event.Event{replyEvent(r)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(ctx, []event.Event{replyEvent(rs[1]), testEvent(2, 0, "b1"), replyEvent(rs[1])}); err != nil {
		t.Fatal(err)
	}

	got, err := s.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies", got, rs)

	evs := allEvents(t, s, Filter{})
	if len(evs) != 3 {
		t.Fatalf("Events: %d events, want the 3 page events: %+v", len(evs), evs)
	}
	for _, e := range evs {
		if e.Kind == event.KindReply || e.Reply != nil {
			t.Fatalf("Events gave a reply: %+v", e)
		}
	}
	if n, err := s.Count(ctx); err != nil || n != 3 {
		t.Fatalf("Count: %d, %v; want 3", n, err)
	}
	var rows int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM replies`).Scan(&rows); err != nil || rows != len(rs) {
		t.Fatalf("replies table: %d rows, %v; want %d", rows, err, len(rs))
	}
	// the envelope the reply came in is kept beside it
	var room, instance, kind string
	var rot int
	if err := s.pool.QueryRow(ctx, `SELECT room, rotation, instance, kind FROM replies WHERE id = $1`, rs[0].ID).Scan(&room, &rot, &instance, &kind); err != nil {
		t.Fatal(err)
	}
	if e := replyEvent(rs[0]); room != e.Room || rot != e.Rotation || instance != e.Instance || kind != string(reply.Propose) {
		t.Fatalf("envelope: room %q rotation %d instance %q kind %q", room, rot, instance, kind)
	}

	// after: at or after the instant, to the nanosecond
	for _, c := range []struct {
		after time.Time
		want  []reply.Reply
	}{
		{rs[0].Time, rs},
		{rs[0].Time.Add(time.Nanosecond), rs[1:]},
		{rs[0].Time.Add(-time.Nanosecond), rs},
		{rs[2].Time, rs[2:]},
		{rs[3].Time.Add(time.Hour), nil},
	} {
		got, err := s.Replies(ctx, c.after)
		if err != nil {
			t.Fatal(err)
		}
		wantReplies(t, "Replies after "+c.after.Format(time.RFC3339Nano), got, c.want)
	}

	// purge keeps replies, also those of the purged time and deal
	n, err := s.Purge(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "")
	if err != nil || n != 3 {
		t.Fatalf("purge: %d, %v; want the 3 events", n, err)
	}
	if _, err := s.Purge(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "acme"); err != nil {
		t.Fatal(err)
	}
	got, err = s.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies after purge", got, rs)

	// PurgeReplies removes the decided ones before the instant (of the
	// deal), and counts those it keeps waiting
	cut := rs[2].Time
	purged, kept, err := s.PurgeReplies(ctx, cut, "", []string{rs[0].ID, rs[3].ID, "nosuchrply"})
	if err != nil || purged != 1 || kept != 1 {
		t.Fatalf("PurgeReplies before %s of %s (the first decided, the second waiting, the fourth after the cut): purged %d, kept %d, %v; want 1 and 1",
			cut, []string{rs[0].ID, rs[3].ID}, purged, kept, err)
	}
	got, err = s.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies after PurgeReplies", got, rs[1:])

	st := s.Stats()
	if st.Inserted != 3+int64(len(rs)) || st.Failures != 0 {
		t.Fatalf("stats: %+v; want %d inserted (3 events, %d replies)", st, 3+len(rs), len(rs))
	}
}

// TestRepliesRefused: a reply event that is not a valid reply line is
// refused at Append, alone: nothing of its call is stored, and what other
// requests send meanwhile is.
func TestRepliesRefused(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	s := openTest(t, url, testSchema(t, url), Options{})
	good := testReplies()[0]
	noReply := replyEvent(good)
	noReply.Reply = nil
	badID := good
	badID.ID = "AAAAAAAAA2"
	otherDeal := replyEvent(good)
	otherDeal.Deal = "globex"
	oldSchema := replyEvent(good)
	oldSchema.V = 1
	invalid := good
	invalid.Date = "someday"
	for _, c := range []struct {
		name string
		e    event.Event
		want string
	}{
		{"no reply", noReply, "without its reply"},
		{"bad id", replyEvent(badID), "not one the beacon makes"},
		{"another deal", otherDeal, "must agree"},
		{"schema 1", oldSchema, "schema version 1"},
		{"invalid", replyEvent(invalid), "not a day"},
	} {
		err := s.Append(ctx, []event.Event{testEvent(1, 0, "b1"), c.e})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "event 1") {
			t.Errorf("%s: got %v, want an error naming event 1 and %q", c.name, err, c.want)
		}
	}
	if n, _ := s.Count(ctx); n != 0 {
		t.Fatalf("%d events stored from refused calls", n)
	}
	if err := s.Append(ctx, []event.Event{testEvent(1, 0, "b1"), replyEvent(good)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies", got, []reply.Reply{good})
}

// TestRepliesTwoInstances: two instances storing the same replies at once
// (a client retrying on the other one) store each once, without error.
func TestRepliesTwoInstances(t *testing.T) {
	url := testURL(t)
	schema := testSchema(t, url)
	ctx := context.Background()
	a, b := openTest(t, url, schema, Options{}), openTest(t, url, schema, Options{})
	rs := testReplies()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := []*Store{a, b}[i%2]
			batch := []event.Event{testEvent(i, 0, "x"), replyEvent(rs[i%len(rs)]), replyEvent(rs[(i+1)%len(rs)])}
			errs <- st.Append(ctx, batch)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies", got, rs)
}

// TestRepliesExportImport: the export writes the replies as the beacon's
// reply lines among the events, in time order, and its import into an
// empty database stores the same events and replies.
func TestRepliesExportImport(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	s := openTest(t, url, testSchema(t, url), Options{})
	rs := testReplies()
	var batch []event.Event
	for i := range 6 {
		e := testEvent(7, i, "b1") // 10:00:00 to 10:00:05
		e.Time = e.Time.Add(time.Duration(i) * time.Minute)
		batch = append(batch, e)
	}
	for _, r := range rs {
		batch = append(batch, replyEvent(r))
	}
	if err := s.Append(ctx, batch); err != nil {
		t.Fatal(err)
	}
	lines := exportLines(t, s, Filter{})
	if len(lines) != 6+len(rs) {
		t.Fatalf("export: %d lines, want 6 events and %d replies:\n%s", len(lines), len(rs), strings.Join(lines, ""))
	}
	var times []time.Time
	replyLines := 0
	for _, l := range lines {
		var e event.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("export line %q: %v", l, err)
		}
		times = append(times, e.Time)
		if e.Kind == event.KindReply {
			replyLines++
			if e.Reply == nil || e.Room != strings.Repeat("cd", 32) || e.Instance != "b1" || e.Rotation != 2 || e.Net != "" || e.UA != "" {
				t.Fatalf("reply line %q: want its reply and envelope, no network or user agent", l)
			}
		}
	}
	for i := 1; i < len(times); i++ {
		if times[i].Before(times[i-1]) {
			t.Fatalf("export out of time order at line %d:\n%s", i+1, strings.Join(lines, ""))
		}
	}
	if replyLines != len(rs) {
		t.Fatalf("%d reply lines, want %d", replyLines, len(rs))
	}
	// the log readers read the export as the beacon's log
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "events-export.jsonl"), []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	fromLog, rst, err := eventlog.ReadReplies(ctx, time.Time{}, dir)
	if err != nil || rst.Corrupt != 0 {
		t.Fatalf("ReadReplies of the export: %+v, %v", rst, err)
	}
	wantReplies(t, "ReadReplies of the export", fromLog, rs)

	// -deal: that deal's replies only
	for _, l := range exportLines(t, s, Filter{Deal: "globex"}) {
		if !strings.Contains(l, `"deal":"globex"`) {
			t.Fatalf("export of globex wrote %s", l)
		}
	}

	s2 := openTest(t, url, testSchema(t, url), Options{})
	st, err := s2.Import(ctx, []string{dir})
	if err != nil || st.Inserted != 6 || st.RepliesNew != len(rs) || st.Corrupt != 0 {
		t.Fatalf("import: %+v, %v", st, err)
	}
	got, err := s2.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies after import", got, rs)
	if again := exportLines(t, s2, Filter{}); strings.Join(again, "") != strings.Join(lines, "") {
		t.Fatalf("export, import, export differs:\n got %s\nwant %s", strings.Join(again, ""), strings.Join(lines, ""))
	}
	st, err = s2.Import(ctx, []string{dir})
	if err != nil || st.Inserted != 0 || st.Present != 6 || st.RepliesNew != 0 || st.RepliesPresent != len(rs) {
		t.Fatalf("import again: %+v, %v; want nothing new", st, err)
	}
}

// TestMigrateKeepsEvents: a database of schema version 2 holding events
// migrates to the replies table and keeps its events and page-loads.
func TestMigrateKeepsEvents(t *testing.T) {
	url := testURL(t)
	schema := testSchema(t, url)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	// version 2, as the build before replies left it
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		for _, q := range []string{
			"CREATE SCHEMA " + pgx.Identifier{schema}.Sanitize(),
			"SET LOCAL search_path = " + pgx.Identifier{schema}.Sanitize(),
			`CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
			migrations[0], migrations[1], `INSERT INTO schema_version (version) VALUES (1), (2)`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		var evs []event.Event
		for l := range 3 {
			for seq := range 4 {
				evs = append(evs, testEvent(l, seq, "old"))
			}
		}
		_, err := insertEvents(ctx, tx, evs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for seq := range 4 { // exported by time, then load
		for l := range 3 {
			want = append(want, string(AppendLine(nil, ptr(testEvent(l, seq, "old")))))
		}
	}

	s := openTest(t, url, schema, Options{})
	var v, loads, events int
	if err := s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d, %v; want %d", v, err, SchemaVersion)
	}
	if got := exportLines(t, s, Filter{}); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("export after migration:\n got %s\nwant %s", strings.Join(got, ""), strings.Join(want, ""))
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*), sum(events) FROM page_loads`).Scan(&loads, &events); err != nil || loads != 3 || events != 12 {
		t.Fatalf("page_loads after migration: %d loads, %d events, %v; want 3 and 12", loads, events, err)
	}
	r := testReplies()[0]
	if err := s.Append(ctx, []event.Event{replyEvent(r), testEvent(0, 4, "new")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Replies(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantReplies(t, "Replies after migration", got, []reply.Reply{r})
	if n, err := s.Count(ctx); err != nil || n != 13 {
		t.Fatalf("%d events, %v; want 13", n, err)
	}
}

func ptr[T any](v T) *T { return &v }
