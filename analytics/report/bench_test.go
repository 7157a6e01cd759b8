package report_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/testkit/synthlog"
)

// benchSite is a synthetic site and its event logs, made once per process.
type benchSite struct {
	deals    []report.ReportDeal
	manifest *manifest.Manifest
	logs     string
	events   int
	today    deal.Date
}

// loadBenchSite writes a 1,000-deal site (internal/testkit/synth) and a log of about
// n events (internal/testkit/synthlog: about 16,700 a day, 60 days for 1M,
// from two beacon instances that each hold a copy of 1% of the other's
// events; 1 page-load in 20 is a crawler's).
// The site is written under root, once per n.
func loadBenchSite(b testing.TB, root string, n int) *benchSite {
	b.Helper()
	root = filepath.Join(root, fmt.Sprint(n))
	if err := synth.Write(root, synth.Options{Deals: 1000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	today := deal.NewDate(2027, time.March, 1)
	site, ps := generator.Load(generator.LoadOptions{Root: root, Today: today})
	if ps.Errors() > 0 {
		b.Fatalf("synthetic site: %v", ps[0])
	}
	secret := []byte("bench-secret-0123456789abcdef0123456789")
	s := &benchSite{manifest: &manifest.Manifest{Version: manifest.Version}, logs: filepath.Join(root, "events"), today: today}
	for _, bd := range site.Bundles {
		s.deals = append(s.deals, report.ReportDeal{Deal: bd.Deal, Plan: bd.Plan})
		s.manifest.Rooms = append(s.manifest.Rooms, generator.RoomsOf(bd.Deal, secret)...)
	}
	var deals []*deal.Deal
	for _, d := range s.deals {
		deals = append(deals, d.Deal)
	}
	var err error
	if s.events, err = synthlog.Write(s.logs, deals, secret, today, n); err != nil {
		b.Fatal(err)
	}
	return s
}

// peakHeap samples the heap in use until stop is closed and returns the
// largest value seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func benchmarkReport(b *testing.B, s *benchSite) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	b.ReportAllocs()
	b.ResetTimer()
	stop := make(chan struct{})
	peak := peakHeap(stop)
	for i := 0; i < b.N; i++ {
		a := report.NewAggregator(s.deals, report.ReportOptions{Today: s.today, Manifest: s.manifest})
		if err := a.ReadLogs(context.Background(), []string{s.logs}); err != nil {
			b.Fatal(err)
		}
		rep := a.Report()
		if err := rep.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		if rep.Input.Events < s.events || rep.Input.Duplicates == 0 {
			b.Fatalf("read %+v, wrote %d events", rep.Input, s.events)
		}
	}
	b.StopTimer()
	close(stop)
	// What the aggregator holds once every event is read, before Report.
	a := report.NewAggregator(s.deals, report.ReportOptions{Today: s.today, Manifest: s.manifest})
	if err := a.ReadLogs(context.Background(), []string{s.logs}); err != nil {
		b.Fatal(err)
	}
	var held runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&held)
	runtime.KeepAlive(a)
	b.ReportMetric(float64(int64(held.HeapAlloc)-int64(base.HeapAlloc))/(1<<20), "held-MB")
	b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "site-heap-MB")
	b.ReportMetric(float64(s.events), "events")
}

// BenchmarkReport is issue 4's benchmark: a report over about 1,000,000
// events for 1,000 deals, read from two instances' daily logs, written as
// JSON. The 2M variant is the same traffic over twice the days: held-MB
// (what the aggregator holds once every event is read) stays the same, as it
// is bounded by deals, stakeholders and two days of page-loads, not by the
// events read.
//
//	go test -run '^$' -bench 'BenchmarkReport$/' -benchtime 5x ./analytics/report/
func BenchmarkReport(b *testing.B) {
	root := b.TempDir() // kept until every sub-benchmark is done
	var once [2]sync.Once
	var sites [2]*benchSite
	for i, n := range []int{1_000_000, 2_000_000} {
		b.Run(fmt.Sprintf("%dM", n/1_000_000), func(b *testing.B) {
			once[i].Do(func() { sites[i] = loadBenchSite(b, root, n) })
			benchmarkReport(b, sites[i])
		})
	}
}
