package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/testkit/synthlog"
)

// BenchmarkReportCommand runs `maproom report -format json` in process over
// issue 4's synthetic site: 1,000 deals (8 stakeholders, 3 documents each)
// and a log of about 1,000,000 events (internal/testkit/synthlog), written
// into a temporary folder first (about 20 s), or the site named by
// MAPROOM_REPORT_BENCH (one testdata/report-bench.sh wrote). It is for
// profiles of the whole command:
//
//	go test ./cmd/maproom -run '^$' -bench ReportCommand -benchtime 5x -cpuprofile cpu.prof
//
// The figures to quote are the script's: it runs the binary as a user does
// (a fresh process, whose heap growth costs page faults this benchmark's
// warm heap does not pay) and measures its peak RSS too.
func BenchmarkReportCommand(b *testing.B) {
	site := os.Getenv("MAPROOM_REPORT_BENCH")
	if site == "" {
		site = filepath.Join(b.TempDir(), "site")
		if _, err := synthlog.WriteSite(site, synth.Options{Deals: 1000, Seed: 1}, 1_000_000,
			deal.NewDate(2027, time.March, 1), []byte("bench-secret-0123456789abcdef0123456789")); err != nil {
			b.Fatal(err)
		}
	} else if _, err := os.Stat(filepath.Join(site, ".maproom", "rooms.json")); err != nil {
		b.Fatalf("MAPROOM_REPORT_BENCH=%s is not a synthetic report site: %v (testdata/report-bench.sh writes one)", site, err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := run(context.Background(), []string{"report", "-root", site, "-today", "2027-03-01", "-format", "json"},
			nil, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
