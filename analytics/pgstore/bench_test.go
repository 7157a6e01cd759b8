package pgstore

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// benchEvents is how many events a request carries in the append
// benchmarks: a page-load sends one event at a time, a retry a few.
const benchEvents = 2

// BenchmarkAppend: acknowledged events per second, each Append carrying
// benchEvents events from many concurrent requests (SetParallelism 32 per
// CPU), into two stores (two pools, as two beacon instances) on one
// database, against one log file fsynced before each acknowledgement.
//
//	go test -run '^$' -bench Append -benchtime 5s ./analytics/pgstore
func BenchmarkAppend(b *testing.B) {
	b.Run("postgres-two-instances", func(b *testing.B) {
		url := testURL(b)
		schema := testSchema(b, url)
		fl := benchFlushers()
		stores := []beacon.Store{openTest(b, url, schema, Options{Flushers: fl}), openTest(b, url, schema, Options{Flushers: fl})}
		benchAppend(b, stores)
	})
	b.Run("postgres-one-instance", func(b *testing.B) {
		url := testURL(b)
		stores := []beacon.Store{openTest(b, url, testSchema(b, url), Options{Flushers: benchFlushers()})}
		benchAppend(b, stores)
	})
	for _, sm := range []eventlog.SyncMode{eventlog.SyncAlways, eventlog.SyncNone} {
		b.Run("log-sync-"+sm.String(), func(b *testing.B) {
			l, err := eventlog.OpenLog(b.TempDir(), eventlog.LogOptions{Instance: "bench", Sync: sm})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			benchAppend(b, []beacon.Store{l})
		})
	}
}

func benchAppend(b *testing.B, stores []beacon.Store) {
	var ctr atomic.Int64
	b.SetParallelism(32)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		batch := make([]event.Event, benchEvents)
		for pb.Next() {
			n := int(ctr.Add(1))
			for i := range batch {
				batch[i] = testEvent(n, i, "bench")
			}
			if err := stores[n%len(stores)].Append(ctx, batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*benchEvents)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkReport: the report over many stored events
// (MAPROOM_BENCH_EVENTS, default 1,000,000; the target is 10M in
// under 3 s), fed from PostgreSQL into the report's aggregator by
// [Store.Feed]. MAPROOM_BENCH_SCHEMA names a schema to keep the events in
// between runs (filled on the first run, reused while it holds that many
// events); without it they go to a fresh schema dropped at the end.
//
//	MAPROOM_BENCH_EVENTS=10000000 go test -run '^$' -bench Report -benchtime 3x -timeout 30m ./analytics/pgstore
func BenchmarkReport(b *testing.B) {
	url := testURL(b)
	n := 1_000_000
	if v := os.Getenv("MAPROOM_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	deals, opts := scenarioOptions(b)
	schema := os.Getenv("MAPROOM_BENCH_SCHEMA")
	var s *Store
	if schema == "" {
		s = openTest(b, url, testSchema(b, url), Options{})
	} else {
		s = openTest(b, url, schema, Options{})
	}
	ctx := context.Background()
	if have, err := s.Count(ctx); err != nil {
		b.Fatal(err)
	} else if have != int64(n) {
		fillReportBench(b, s, deals, n)
	}
	b.ResetTimer()
	var runs []float64
	for range b.N {
		t0 := time.Now()
		a := report.NewAggregator(deals, opts)
		st, err := s.feed(ctx, a)
		if err != nil {
			b.Fatal(err)
		}
		r := a.Report()
		if r.Input.Events != n || r.Input.Visits == 0 || st.summaries == 0 {
			b.Fatalf("%d events reported (%d visits, %+v), %d stored", r.Input.Events, r.Input.Visits, st, n)
		}
		runs = append(runs, time.Since(t0).Seconds())
		b.Logf("report %d: %.3f s (%d page-loads as summaries, %d read event by event)", len(runs), runs[len(runs)-1], st.summaries, st.exact)
	}
	b.ReportMetric(loadgen.Median(runs), "median-s/report")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// fillReportBench replaces the store's events with n events of the
// scenario's people, each visiting again and again: 6 events a page-load
// (view, four heartbeats, one of them an open of pricing in one page-load
// out of ten, hide), a page-load starting every 3 s up to the report's day,
// so that the table is in time order as a beacon writes it. They are
// inserted by one SQL statement, then summed into page_loads as migration 2
// sums the events of an existing database.
func fillReportBench(b *testing.B, s *Store, deals []report.ReportDeal, n int) {
	ctx := context.Background()
	var people []string
	for _, d := range deals {
		for _, p := range d.Deal.Stakeholders {
			people = append(people, fmt.Sprintf("('%s','%s','%s','%s')", d.Deal.ID, p.ID, p.Side, p.Role))
		}
	}
	t0 := time.Now()
	if _, err := s.pool.Exec(ctx, `TRUNCATE events, page_loads`); err != nil {
		b.Fatal(err)
	}
	_, err := s.pool.Exec(ctx, fmt.Sprintf(`
		WITH people(deal, stakeholder, side, role) AS (VALUES %s),
		p AS (SELECT row_number() OVER () - 1 AS i, * FROM people),
		g AS (SELECT i, i / 6 AS l, i %% 6 AS seq FROM generate_series(0, %d - 1) AS i)
		INSERT INTO events (load, seq, time, v, deal, stakeholder, side, role, room, rotation, retired,
			page, kind, collateral, active_ms, visible_ms, net, ua, crawler, webdriver, instance)
		SELECT decode(lpad(to_hex(g.l), 32, '0'), 'hex'), g.seq,
			timestamptz '2026-11-22 00:00:00+00' - %d * interval '3 seconds' + g.l * interval '3 seconds' + g.seq * interval '15 seconds',
			1, p.deal, p.stakeholder, p.side, p.role, repeat('ab', 32), 0, false, 'room',
			CASE WHEN g.seq = 0 THEN 'view' WHEN g.seq = 5 THEN 'hide' WHEN g.seq = 3 AND g.l %% 10 = 0 THEN 'open' ELSE 'hb' END,
			CASE WHEN g.seq = 3 AND g.l %% 10 = 0 THEN 'pricing' ELSE '' END,
			CASE WHEN g.seq IN (1,2,3,4) THEN 15000 ELSE 0 END, CASE WHEN g.seq IN (1,2,3,4) THEN 15000 ELSE 0 END,
			'203.0.113.0/24', 'browser', '', false, 'bench'
		FROM g JOIN p ON p.i = g.l %% %d`, joinComma(people), n, n/6+1, len(people)))
	if err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	if _, err := s.pool.Exec(ctx, `SET LOCAL work_mem = '256MB'; INSERT INTO page_loads `+rollupSelect("events")); err != nil {
		b.Fatal(err)
	}
	t2 := time.Now()
	if _, err := s.pool.Exec(ctx, `VACUUM ANALYZE events, page_loads`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events stored in %v, summed into page_loads in %v", n, t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond))
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}

// benchFlushers is Options.Flushers for the append benchmarks
// (MAPROOM_BENCH_FLUSHERS, default the store's default).
func benchFlushers() int { return loadgen.EnvInt("MAPROOM_BENCH_FLUSHERS", 0) }
