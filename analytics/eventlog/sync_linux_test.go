package eventlog

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDatasync measures one group commit's write and fdatasync on
// this machine's disk, alone: "append" grows the file with each commit (so
// each fdatasync must also commit the new length to the file system's
// journal), "padded" writes into zeros written and synced beforehand, as
// the log does (see padChunk). Each commit is 2 KiB, about what the load
// benchmark's groups of 8-9 events hold. "padded-busy" is "padded" while
// one shell loop per CPU spins, as the CPUs are busy under the load
// benchmark (its load generator and its server share them): on this
// machine's virtual disk, the fdatasync then takes two to three times as
// long, and more CPU. Reported besides ns/op: the process's CPU time
// (user and system) per commit, which the beacon pays for every sync.
//
//	go test ./analytics/eventlog -run '^$' -bench Datasync -benchtime 2000x
//
// The folder is the test's temporary folder ($TMPDIR): point TMPDIR at the
// disk the beacon's log uses.
func BenchmarkDatasync(b *testing.B) {
	line := make([]byte, 2048)
	for i := range line {
		line[i] = 'x'
	}
	line[len(line)-1] = '\n'
	for _, c := range []struct {
		name         string
		padded, busy bool
	}{{"append", false, false}, {"padded", true, false}, {"padded-busy", true, true}} {
		padded := c.padded
		b.Run(c.name, func(b *testing.B) {
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
			if c.busy {
				spin(b, runtime.NumCPU())
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

// spin starts n processes that spin until b ends.
func spin(b *testing.B, n int) {
	for range n {
		cmd := exec.Command("/bin/sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
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
