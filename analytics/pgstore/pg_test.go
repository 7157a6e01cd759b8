package pgstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/analytics/report"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testURL returns the database the tests run against: MAPROOM_TEST_POSTGRES,
// or the machine's local PostgreSQL when one answers; otherwise the test is
// skipped.
func testURL(t testing.TB) string {
	t.Helper()
	url, set := os.LookupEnv("MAPROOM_TEST_POSTGRES")
	if !set || url == "" {
		url = defaultTestURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		if set {
			t.Fatalf("MAPROOM_TEST_POSTGRES is set but the database does not answer: %v", err)
		}
		t.Skipf("no PostgreSQL: MAPROOM_TEST_POSTGRES is not set and %s does not answer (%v)", defaultTestURL, err)
	}
	c.Close(ctx)
	return url
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// testSchema returns a fresh schema name for t, dropped when t ends.
func testSchema(t testing.TB, url string) string {
	t.Helper()
	var r [4]byte
	rand.Read(r[:])
	name := strings.ToLower(t.Name())
	name = nonIdent.ReplaceAllString(name, "_")
	if len(name) > 30 {
		name = name[:30]
	}
	schema := "maproom_test_" + name + "_" + hex.EncodeToString(r[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Logf("dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

func openTest(t testing.TB, url, schema string, opts Options) *Store {
	t.Helper()
	opts.Schema = schema
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrate(t *testing.T) {
	url := testURL(t)
	schema := testSchema(t, url)
	ctx := context.Background()
	s := openTest(t, url, schema, Options{})
	s.Close()
	s = openTest(t, url, schema, Options{}) // again: nothing to do
	var v, n int
	if err := s.pool.QueryRow(ctx, `SELECT max(version), count(*) FROM schema_version`).Scan(&v, &n); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion || n != SchemaVersion {
		t.Fatalf("schema_version: max %d, %d rows; want %d", v, n, SchemaVersion)
	}
	var idx []string
	rows, _ := s.pool.Query(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events' ORDER BY 1`, schema)
	idx, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(idx, ",") != "events_pkey,events_time" {
		t.Errorf("indexes %v", idx)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_version (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, url, Options{Schema: schema}); err == nil || !strings.Contains(err.Error(), "upgrade maproom") {
		t.Fatalf("a newer schema: got %v, want a refusal", err)
	}
}

// TestConcurrentStart: instances starting together on a database without
// the schema all start (CREATE SCHEMA IF NOT EXISTS run at once by two
// sessions can fail in one of them), and the schema is migrated once.
func TestConcurrentStart(t *testing.T) {
	url := testURL(t)
	schema := testSchema(t, url)
	const n = 16
	errs := make(chan error, n)
	stores := make(chan *Store, n)
	for range n {
		go func() {
			s, err := Open(context.Background(), url, Options{Schema: schema})
			if err == nil {
				stores <- s
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("an instance did not start: %v", err)
		}
	}
	close(stores)
	var s *Store
	for st := range stores {
		t.Cleanup(func() { st.Close() })
		s = st
	}
	if s == nil {
		t.Fatal("no instance started")
	}
	var n2 int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_version`).Scan(&n2); err != nil {
		t.Fatal(err)
	}
	if n2 != SchemaVersion {
		t.Errorf("schema_version has %d rows, want %d: migrated more than once", n2, SchemaVersion)
	}
}

// scenarioLogs writes the report scenario's logs and returns their folders.
func scenarioLogs(t *testing.T) ([]report.ReportDeal, report.ReportOptions, []string) {
	s, deals, opts := loadScenario(t)
	folders, err := s.WriteLogs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return deals, opts, folders
}

// scenarioOptions returns the scenario's deals and report options.
func scenarioOptions(t testing.TB) ([]report.ReportDeal, report.ReportOptions) {
	_, deals, opts := loadScenario(t)
	return deals, opts
}

// reportJSON renders the per-deal and the portfolio JSON.
func reportJSON(t *testing.T, r *report.Report) []byte {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := r.WritePortfolioJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sameBytes fails t at the first line where got and want differ.
func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s: line %d differs:\n  store: %s\n   logs: %s", what, i+1, gl, wl)
		}
	}
}

// TestReportEquality: the report from PostgreSQL is the report from the
// logs holding the same events, byte for byte; only the input counters that
// describe the source (files, lines, duplicate and corrupt lines) differ, as
// the database holds each event once and no corrupt line.
func TestReportEquality(t *testing.T) {
	url := testURL(t)
	deals, base, folders := scenarioLogs(t)
	s := openTest(t, url, testSchema(t, url), Options{})
	ctx := context.Background()
	st, err := s.Import(ctx, folders)
	if err != nil {
		t.Fatal(err)
	}
	if st.Corrupt != 2 || st.Duplicates == 0 || st.Inserted != st.Events {
		t.Fatalf("import: %+v", st)
	}
	// the exported events, as one log: the same events, nothing else
	exported := filepath.Join(t.TempDir(), "events-export.jsonl")
	f, err := os.Create(exported)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Export(ctx, f, Filter{}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	variants := []struct {
		name string
		opt  func(*report.ReportOptions)
	}{
		{"all", func(*report.ReportOptions) {}},
		{"since", func(o *report.ReportOptions) { o.Since = scenarioToday.AddDays(-14) }},
		{"deal", func(o *report.ReportOptions) { o.Deal = "acme" }},
		{"earlier-day", func(o *report.ReportOptions) { o.Today = scenarioToday.AddDays(-3) }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			opts := base
			v.opt(&opts)
			fromLogs := report.NewAggregator(deals, opts)
			if err := fromLogs.ReadLogs(ctx, folders); err != nil {
				t.Fatal(err)
			}
			fromExport := report.NewAggregator(deals, opts)
			if err := fromExport.ReadLogs(ctx, []string{exported}); err != nil {
				t.Fatal(err)
			}
			fromDB := report.NewAggregator(deals, opts)
			if err := s.Events(ctx, Filter{}, func(e event.Event) error { fromDB.Add(e); return nil }); err != nil {
				t.Fatal(err)
			}
			fed := report.NewAggregator(deals, opts)
			if err := s.Feed(ctx, fed); err != nil {
				t.Fatal(err)
			}
			db, lr, er := fromDB.Report(), fromLogs.Report(), fromExport.Report()
			sameBytes(t, "Feed vs Events", reportJSON(t, fed.Report()), reportJSON(t, db))
			if db.Input.Visits == 0 && v.name == "all" {
				t.Fatal("no visits: the scenario did not load")
			}
			// the export is one file; the database none
			er.Input.Files = 0
			sameBytes(t, "store vs exported log", reportJSON(t, db), reportJSON(t, er))
			// the scenario's logs: copies, retries and corrupt lines. The
			// log reader counts copies outside the dates or of other deals
			// before it dedupes; the events it reports on are the same.
			inRange := func(in report.InputStats) int { return in.Events - in.OutsideDates - in.OtherDeals }
			if inRange(lr.Input) != inRange(db.Input) || lr.Input.Lines-lr.Input.Corrupt-lr.Input.Duplicates < db.Input.Lines {
				t.Errorf("logs: %+v\nstore: %+v", lr.Input, db.Input)
			}
			in := &lr.Input
			in.Files, in.Lines, in.Events, in.Duplicates, in.Corrupt, in.CorruptAt = 0, db.Input.Lines, db.Input.Events, 0, 0, nil
			in.OutsideDates, in.OtherDeals = db.Input.OutsideDates, db.Input.OtherDeals
			sameBytes(t, "store vs scenario logs", reportJSON(t, db), reportJSON(t, lr))
		})
	}
}

// dedupedLines reads the logs as a report does and returns each event's
// line once, in the store's order (time, load, seq).
func dedupedLines(t *testing.T, paths []string) []string {
	var evs []event.Event
	if _, err := eventlog.ReadLogs(paths, func(e event.Event) error { evs = append(evs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := &evs[i], &evs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Load != b.Load {
			return a.Load < b.Load
		}
		return a.Seq < b.Seq
	})
	lines := make([]string, len(evs))
	for i := range evs {
		lines[i] = string(AppendLine(nil, &evs[i]))
	}
	return lines
}

func exportLines(t *testing.T, s *Store, f Filter) []string {
	var b bytes.Buffer
	ne, nr, err := s.Export(context.Background(), &b, f)
	n := ne + nr
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(b.String(), "\n")
	lines = lines[:len(lines)-1]
	if n != len(lines) {
		t.Fatalf("export says %d, wrote %d lines", n, len(lines))
	}
	return lines
}

func TestImportIdempotentAndExportRoundTrip(t *testing.T) {
	url := testURL(t)
	_, _, folders := scenarioLogs(t)
	ctx := context.Background()
	s := openTest(t, url, testSchema(t, url), Options{})
	first, err := s.Import(ctx, folders)
	if err != nil {
		t.Fatal(err)
	}
	before := exportLines(t, s, Filter{})
	second, err := s.Import(ctx, folders)
	if err != nil {
		t.Fatal(err)
	}
	if second.Inserted != 0 || second.Present != first.Inserted || first.Present != 0 {
		t.Fatalf("import twice: first %+v, second %+v", first, second)
	}
	after := exportLines(t, s, Filter{})
	if strings.Join(before, "") != strings.Join(after, "") {
		t.Fatal("the second import changed the stored events")
	}
	want := dedupedLines(t, folders)
	if len(after) != len(want) || len(want) != first.Inserted {
		t.Fatalf("export: %d lines, deduped input %d, imported %d", len(after), len(want), first.Inserted)
	}
	for i := range want {
		if after[i] != want[i] {
			t.Fatalf("export line %d:\n got: %s\nwant: %s", i+1, after[i], want[i])
		}
	}
	// and back: the export imported into an empty database exports the same
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "events-export.jsonl"), []byte(strings.Join(after, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, url, testSchema(t, url), Options{})
	st, err := s2.Import(ctx, []string{dir})
	if err != nil || st.Inserted != len(want) || st.Corrupt != 0 || st.Duplicates != 0 {
		t.Fatalf("re-import: %+v, %v", st, err)
	}
	if again := exportLines(t, s2, Filter{}); strings.Join(again, "") != strings.Join(after, "") {
		t.Fatal("export, import, export: differs")
	}
}

func TestPurge(t *testing.T) {
	url := testURL(t)
	_, _, folders := scenarioLogs(t)
	ctx := context.Background()
	s := openTest(t, url, testSchema(t, url), Options{})
	if _, err := s.Import(ctx, folders); err != nil {
		t.Fatal(err)
	}
	all := exportLines(t, s, Filter{})
	cut := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	count := func(deal string) (n int64) {
		for _, l := range all {
			var day string
			fmt.Sscanf(l[strings.Index(l, `"time":"`)+8:], "%10s", &day)
			d, _ := time.Parse(time.DateOnly, day)
			if d.Before(cut) && (deal == "" || strings.Contains(l, `"deal":"`+deal+`"`)) {
				n++
			}
		}
		return n
	}
	wantGlobex, wantAll := count("globex"), count("")
	if wantGlobex == 0 || wantAll == wantGlobex {
		t.Fatalf("the scenario has %d events before %s, %d of globex: pick another date", wantAll, cut, wantGlobex)
	}
	n, err := s.Purge(ctx, cut, "globex")
	if err != nil || n != wantGlobex {
		t.Fatalf("purge globex: %d, %v; want %d", n, err, wantGlobex)
	}
	n, err = s.Purge(ctx, cut, "")
	if err != nil || n != wantAll-wantGlobex {
		t.Fatalf("purge all: %d, %v; want %d", n, err, wantAll-wantGlobex)
	}
	n, _ = s.Purge(ctx, cut, "")
	left := exportLines(t, s, Filter{})
	if n != 0 || int64(len(left)) != int64(len(all))-wantAll {
		t.Fatalf("after purge: %d purged again, %d left of %d", n, len(left), len(all))
	}
}

// testEvent is event i of page-load l.
func testEvent(l, seq int, instance string) event.Event {
	return event.Event{V: 1, Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Second),
		Deal: "acme", Stakeholder: "jordan", Side: "buyer", Role: "champion", Room: strings.Repeat("ab", 32),
		Page: "room", Kind: event.KindHB, Load: fmt.Sprintf("%032x", l), Seq: int64(seq), ActiveMS: 15000,
		VisibleMS: 15000, Net: "203.0.113.0/24", UA: event.UABrowser, Instance: instance}
}

// TestTwoInstances: two beacon stores (two pools) on one database, each
// client sending every batch to one instance and retrying it, sometimes on
// the other instance too, with overlapping batches: every acknowledged
// event is stored exactly once.
func TestTwoInstances(t *testing.T) {
	url := testURL(t)
	schema := testSchema(t, url)
	a := openTest(t, url, schema, Options{})
	b := openTest(t, url, schema, Options{})
	stores := []*Store{a, b}
	const clients, loads, perLoad = 16, 40, 12
	ctx := context.Background()
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range loads {
				id := c*loads + l
				for seq := 0; seq < perLoad; seq += 3 {
					// a batch of 3, overlapping the previous one by one event
					var batch []event.Event
					for s := max(0, seq-1); s < seq+3 && s < perLoad; s++ {
						batch = append(batch, testEvent(id, s, "x"))
					}
					first := (c + l + seq) % 2
					for try := 0; try < 2 || (try < 20 && false); try++ {
						st := stores[(first+try)%2]
						if err := st.Append(ctx, batch); err != nil {
							errs <- err
							return
						}
						if try == 0 && seq%2 == 0 {
							continue // the client did not see the answer: it retries on the other instance
						}
						break
					}
					mu.Lock()
					for _, e := range batch {
						acked[fmt.Sprintf("%s/%d", e.Load, e.Seq)]++
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rows, err := a.pool.Query(ctx, `SELECT encode(load, 'hex') || '/' || seq, count(*) FROM events GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		rows.Scan(&k, &n)
		stored[k] = n
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(acked) != clients*loads*perLoad {
		t.Fatalf("%d events acknowledged, want %d", len(acked), clients*loads*perLoad)
	}
	for k := range acked {
		if stored[k] != 1 {
			t.Fatalf("acknowledged %s stored %d times", k, stored[k])
		}
	}
	if len(stored) != len(acked) {
		t.Fatalf("%d stored, %d acknowledged", len(stored), len(acked))
	}
	ha, hb := a.Health(ctx), b.Health(ctx)
	if ha.Status != "ok" || hb.Inserted+ha.Inserted != int64(len(acked)) {
		t.Fatalf("health: %+v %+v", ha, hb)
	}
}
