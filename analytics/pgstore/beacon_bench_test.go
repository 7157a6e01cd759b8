package pgstore

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

var benchSecret = []byte("beacon benchmark secret, not for production")

// BenchmarkBeacons is the throughput comparison, at the HTTP
// level: in one run, in alternating rounds, one beacon process on the
// event log (sync always: fsync before each acknowledgement) against two
// beacon processes on one PostgreSQL, under the same load generator: 32
// keep-alive connections in total (16 to each PostgreSQL beacon), one
// event per request, each page-load 8 events, from 20,000 rooms and
// 131,072 forwarded client addresses. After the rounds the beacons are
// stopped with SIGTERM and both stores are read back: every acknowledged
// event must be there.
//
// A third side in the same rounds is the floor: two beacons whose store
// only commits one row per group of events into PostgreSQL (floorStore),
// the least any store that acknowledges only committed events must do. It
// tells how much of the log beacon's rate the commits alone leave on this
// machine, whatever the store inserts.
//
//	go test ./analytics/pgstore -run '^$' -bench Beacons -benchtime 1x
//
// MAPROOM_LOAD_ROUNDS (default 5) and MAPROOM_LOAD_SECONDS (default 5) set
// the rounds and each side's seconds per round; MAPROOM_BENCH_FLUSHERS and
// MAPROOM_BENCH_BATCH set the PostgreSQL beacons' Options.Flushers and
// MaxBatch. Reported: the medians over rounds of acknowledged events/s and
// p99 latency of each side, the ratio postgres/log, and the floor's rate
// and its ratio to the log beacon's.
func BenchmarkBeacons(b *testing.B) {
	url := testURL(b)
	rounds := loadgen.EnvInt("MAPROOM_LOAD_ROUNDS", 5)
	secs := loadgen.EnvInt("MAPROOM_LOAD_SECONDS", 5)
	const conns, perLoad = 32, 8
	dir := b.TempDir()
	toks := loadgen.WriteManifest(b, dir, 20000, benchSecret)
	cfg := childConfig{dir: dir, store: url, schema: testSchema(b, url),
		flushers: loadgen.EnvInt("MAPROOM_BENCH_FLUSHERS", 0), batch: loadgen.EnvInt("MAPROOM_BENCH_BATCH", 0)}
	logBeacon := startChild(b, "log", "log", cfg)
	pgA := startChild(b, "postgres", "pg-a", cfg)
	pgB := startChild(b, "postgres", "pg-b", cfg)
	floorA := startChild(b, "floor", "floor-a", cfg)
	floorB := startChild(b, "floor", "floor-b", cfg)

	type side struct {
		name     string
		addrs    []string
		rate     []float64
		p99      []float64 // ms
		errors   int
		acked    map[string][]int32 // page-load id -> acknowledged seqs
		children []*loadgen.Child
	}
	logSide := &side{name: "log", addrs: []string{logBeacon.Addr}, acked: map[string][]int32{}, children: []*loadgen.Child{logBeacon}}
	pgSide := &side{name: "postgres", addrs: []string{pgA.Addr, pgB.Addr}, acked: map[string][]int32{}, children: []*loadgen.Child{pgA, pgB}}
	floorSide := &side{name: "floor", addrs: []string{floorA.Addr, floorB.Addr}, acked: map[string][]int32{}, children: []*loadgen.Child{floorA, floorB}}
	base := 0
	run := func(s *side, round int) {
		note := func(g, i int) (string, int) {
			return fmt.Sprintf("%04x%04x%08x%016x", len(s.name), round, g, i/perLoad), i % perLoad
		}
		l := loadgen.Load{Addrs: s.addrs, Path: beacon.NotePath, Conns: conns, Duration: time.Duration(secs) * time.Second,
			Tokens: toks, Base: base, Note: note}
		var cpu0 time.Duration
		for _, c := range s.children {
			cpu0 += c.CPUTime()
		}
		pg0 := postgresCPU()
		res := l.Run()
		var cpu time.Duration
		for _, c := range s.children {
			cpu += c.CPUTime()
		}
		cpu -= cpu0
		pg := postgresCPU() - pg0
		base += len(res.Latencies)
		for g, is := range res.Acked {
			for _, i := range is {
				id, seq := note(g, int(i))
				s.acked[id] = append(s.acked[id], int32(seq))
			}
		}
		s.rate = append(s.rate, res.Rate())
		s.p99 = append(s.p99, float64(loadgen.P99(res.Latencies))/float64(time.Millisecond))
		s.errors += res.Errors
		n := time.Duration(max(1, len(res.Latencies)))
		b.Logf("round %d: %s %.0f events/s p99 %.2f ms (%d errors); CPU per event: beacons %v, PostgreSQL server %v",
			round+1, s.name, res.Rate(), s.p99[len(s.p99)-1], res.Errors, cpu/n, pg/n)
	}
	b.ResetTimer()
	for r := range rounds {
		run(logSide, r)
		run(pgSide, r)
		run(floorSide, r)
	}
	b.StopTimer()
	for _, c := range []*loadgen.Child{logBeacon, pgA, pgB, floorA, floorB} {
		c.Stop(b)
	}

	// Every acknowledged event must be stored (the floor keeps none).
	stored := map[string]map[int32]bool{}
	add := func(load string, seq int64) {
		m := stored[load]
		if m == nil {
			m = map[int32]bool{}
			stored[load] = m
		}
		m[int32(seq)] = true
	}
	if _, err := eventlog.ReadLogs([]string{filepath.Join(dir, "events")}, func(e event.Event) error {
		add(e.Load, e.Seq)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	s := openTest(b, url, cfg.schema, Options{})
	rows, err := s.pool.Query(context.Background(), `SELECT load, seq FROM events`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var load []byte
		var seq int64
		if err := rows.Scan(&load, &seq); err != nil {
			b.Fatal(err)
		}
		add(hex.EncodeToString(load), seq)
	}
	if rows.Err() != nil {
		b.Fatal(rows.Err())
	}
	missing, total := 0, 0
	for _, sd := range []*side{logSide, pgSide} {
		for id, seqs := range sd.acked {
			for _, q := range seqs {
				total++
				if !stored[id][q] {
					missing++
				}
			}
		}
	}
	logRate, pgRate, floorRate := loadgen.Median(logSide.rate), loadgen.Median(pgSide.rate), loadgen.Median(floorSide.rate)
	b.ReportMetric(logRate, "log-events/s")
	b.ReportMetric(pgRate, "postgres-events/s")
	b.ReportMetric(pgRate/logRate, "ratio")
	b.ReportMetric(floorRate, "floor-events/s")
	b.ReportMetric(floorRate/logRate, "floor-ratio")
	b.ReportMetric(loadgen.Median(logSide.p99), "log-p99-ms")
	b.ReportMetric(loadgen.Median(pgSide.p99), "postgres-p99-ms")
	b.ReportMetric(float64(missing), "missing")
	b.Logf("medians of %d rounds of %d s at %d connections: one log beacon %.0f events/s, two PostgreSQL beacons %.0f events/s, ratio %.2f; "+
		"floor %.0f events/s, ratio %.2f; %d acknowledged, %d missing; errors: log %d, postgres %d, floor %d",
		rounds, secs, conns, logRate, pgRate, pgRate/logRate, floorRate, floorRate/logRate,
		total, missing, logSide.errors, pgSide.errors, floorSide.errors)
	if missing > 0 {
		b.Fatalf("%d acknowledged events missing", missing)
	}
}

// postgresCPU returns the CPU time so far of the processes named postgres
// on this machine (the server the benchmark uses, and whatever else runs
// on it meanwhile).
func postgresCPU() time.Duration {
	var d time.Duration
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); err == nil && string(comm) == "postgres\n" {
			d += loadgen.ProcessCPU(pid)
		}
	}
	return d
}
