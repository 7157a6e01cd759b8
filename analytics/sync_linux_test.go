package analytics

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDatasync measures one group commit's write and fdatasync on
// this machine's disk, alone: "append" grows the file with each commit (so
// each fdatasync must also commit the new length to the file system's
// journal), "padded" writes into zeros written and synced beforehand, as
// the log does (see padChunk). Each commit is 2 KiB, about what the load
// benchmark's groups of 8-9 events hold. Reported besides ns/op: the
// process's CPU time (user and system) per commit, which the beacon pays
// for every sync.
//
//	go test ./analytics -run '^$' -bench Datasync -benchtime 2000x
//
// The folder is the test's temporary folder ($TMPDIR): point TMPDIR at the
// disk the beacon's log uses.
func BenchmarkDatasync(b *testing.B) {
	line := make([]byte, 2048)
	for i := range line {
		line[i] = 'x'
	}
	line[len(line)-1] = '\n'
	for _, padded := range []bool{false, true} {
		name := "append"
		if padded {
			name = "padded"
		}
		b.Run(name, func(b *testing.B) {
			f, err := os.OpenFile(filepath.Join(b.TempDir(), "sync.jsonl"), os.O_RDWR|os.O_CREATE, 0o600)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if padded {
				zero := make([]byte, 1<<20)
				for off := int64(0); off < int64(b.N+1)*int64(len(line)); off += int64(len(zero)) {
					if _, err := f.WriteAt(zero, off); err != nil {
						b.Fatal(err)
					}
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			cpu0 := processCPU()
			b.ResetTimer()
			for i := range b.N {
				if _, err := f.WriteAt(line, int64(i)*int64(len(line))); err != nil {
					b.Fatal(err)
				}
				if err := datasync(f); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-us/op")
		})
	}
}

// processCPU returns this process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
