package beacon

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// BenchmarkLoad is the beacon's load benchmark. In one run it measures the
// real beacon (a child process serving as `maproom beacon` does, with
// --sync always, logging to a temporary folder); as the ceiling, a bare
// net/http handler that answers 204 (another child process); and as the
// floor of durability, that bare handler made to append one fixed event to
// a log with sync always before it answers (a third child: what any beacon
// that acknowledges only durable events must at least do, with no decoding,
// lookup or limit). Each is measured at 32 keep-alive connections, in
// alternating rounds. Each request is one event,
// as the room script sends them, from one of 20,000 rooms and 131,072
// forwarded client addresses (so the rate limits are exercised, not hit).
// After the rounds the beacon is stopped with SIGTERM and its log is read
// back: every acknowledged event must be there.
//
//	go test ./analytics/beacon -run '^$' -bench Load -benchtime 1x
//
// MAPROOM_LOAD_ROUNDS (default 5) and MAPROOM_LOAD_SECONDS (default 5) set
// the rounds and each target's seconds per round; MAPROOM_LOAD_DIR puts the
// log elsewhere than a temporary folder; MAPROOM_LOAD_SYNC=none measures
// the beacon without fsync, for comparison. Reported: the medians over rounds
// of acknowledged events/s and p99 latency of the beacon and the ceiling,
// their ratio, the floor's rate and its ratio to the ceiling (how much of
// the ceiling durability alone leaves on this machine), the beacon's rate
// against the floor's, the acknowledged events missing from the log, and
// the beacon's peak RSS.
func BenchmarkLoad(b *testing.B) {
	rounds := loadgen.EnvInt("MAPROOM_LOAD_ROUNDS", 5)
	secs := loadgen.EnvInt("MAPROOM_LOAD_SECONDS", 5)
	const conns = 32
	dir := os.Getenv("MAPROOM_LOAD_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		var err error
		if dir, err = os.MkdirTemp(dir, "maproom-load-"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	toks := writeManifest(b, dir, 20000)
	bare := startChild(b, "bare", dir, "always")
	floor := startChild(b, "floor", dir, "always")
	beacon := startChild(b, "beacon", dir, envStr("MAPROOM_LOAD_SYNC", "always"))

	type result struct {
		rate   float64       // acknowledged per second
		p99    time.Duration // of acknowledged requests
		errors int           // non-204 answers and connection errors
		cpu    time.Duration // the server's CPU time per acknowledged request
	}
	var bareRes, floorRes, beaconRes []result
	// acked[round][conn] lists the acknowledged seqs of that page-load.
	acked := make([][][]int32, rounds)
	seqBase := 0

	run := func(c *child, round int, record bool) result {
		l := loadgen.Load{Addrs: []string{c.addr}, Path: NotePath, Conns: conns, Duration: time.Duration(secs) * time.Second,
			MaxRequests: MaxSeq, Tokens: toks, Base: seqBase,
			Note: func(g, i int) (string, int) { return fmt.Sprintf("%016x%016x", round, g), i }}
		cpu0 := c.CPUTime()
		res := l.Run()
		cpu := c.CPUTime() - cpu0
		if record {
			acked[round] = res.Acked
		}
		seqBase += len(res.Latencies)
		r := result{rate: res.Rate(), errors: res.Errors, p99: loadgen.P99(res.Latencies)}
		if len(res.Latencies) > 0 {
			r.cpu = cpu / time.Duration(len(res.Latencies))
		}
		return r
	}

	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		br := run(bare, r, false)
		fl := run(floor, r, false)
		bc := run(beacon, r, true)
		bareRes = append(bareRes, br)
		floorRes = append(floorRes, fl)
		beaconRes = append(beaconRes, bc)
		b.Logf("round %d: bare %.0f req/s p99 %v cpu %v/req (%d errors); floor %.0f events/s p99 %v cpu %v/event (%d errors); "+
			"beacon %.0f events/s p99 %v cpu %v/event (%d errors); ratio %.2f, floor %.2f",
			r+1, br.rate, br.p99.Round(time.Microsecond), br.cpu, br.errors, fl.rate, fl.p99.Round(time.Microsecond), fl.cpu, fl.errors,
			bc.rate, bc.p99.Round(time.Microsecond), bc.cpu, bc.errors, bc.rate/br.rate, fl.rate/br.rate)
	}
	b.StopTimer()
	rss := beacon.PeakRSS()
	bareRSS := bare.PeakRSS()
	beacon.stop(b)
	bare.stop(b)
	floor.stop(b)

	// Every acknowledged event must be in the log.
	inLog := map[string]map[int32]bool{}
	st, err := eventlog.ReadLogs([]string{filepath.Join(dir, "events")}, func(e event.Event) error {
		m := inLog[e.Load]
		if m == nil {
			m = map[int32]bool{}
			inLog[e.Load] = m
		}
		m[int32(e.Seq)] = true
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	missing, total := 0, 0
	for r := range acked {
		for g, seqs := range acked[r] {
			lid := fmt.Sprintf("%016x%016x", r, g)
			for _, s := range seqs {
				total++
				if !inLog[lid][s] {
					missing++
				}
			}
		}
	}
	median := func(rs []result, f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		return loadgen.Median(v)
	}
	rate := func(r result) float64 { return r.rate }
	p99 := func(r result) float64 { return float64(r.p99) / float64(time.Millisecond) }
	bareRate, floorRate, beaconRate := median(bareRes, rate), median(floorRes, rate), median(beaconRes, rate)
	b.ReportMetric(beaconRate, "events/s")
	b.ReportMetric(median(beaconRes, p99), "p99-ms")
	b.ReportMetric(bareRate, "ceiling-req/s")
	b.ReportMetric(median(bareRes, p99), "ceiling-p99-ms")
	b.ReportMetric(beaconRate/bareRate, "ratio")
	b.ReportMetric(floorRate, "floor-events/s")
	b.ReportMetric(floorRate/bareRate, "floor-ratio")
	b.ReportMetric(beaconRate/floorRate, "beacon/floor")
	b.ReportMetric(float64(missing), "missing")
	b.ReportMetric(float64(rss)/(1<<20), "beacon-peak-RSS-MB")
	b.Logf("medians of %d rounds of %d s at %d connections: beacon %.0f events/s, bare %.0f req/s, ratio %.2f; "+
		"floor %.0f events/s, %.2f of bare, beacon %.2f of floor; "+
		"%d acknowledged, %d missing from the log (%d lines, %d corrupt); peak RSS beacon %.1f MB, bare %.1f MB",
		rounds, secs, conns, beaconRate, bareRate, beaconRate/bareRate, floorRate, floorRate/bareRate, beaconRate/floorRate,
		total, missing, st.Lines, st.Corrupt,
		float64(rss)/(1<<20), float64(bareRSS)/(1<<20))
	if missing > 0 {
		b.Fatalf("%d acknowledged events missing from the log", missing)
	}
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
