package beacon

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
)

// TestCrashLosesNothingAcknowledged runs the real beacon in a child
// process, sends events from concurrent connections, kills it with SIGKILL
// mid-load, restarts it (which repairs a torn last line), sends more, stops
// it cleanly, and proves that every acknowledged event is in the log exactly
// once.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	toks := writeManifest(t, dir, 512)

	type key struct {
		load string
		seq  int
	}
	var mu sync.Mutex
	acked := map[key]bool{}
	const conns = 16

	// load sends from conns connections until each has sent max requests or
	// the server goes away, and returns how many were acknowledged.
	load := func(c *child, round, max int, killAfter int64, kill func()) int {
		var wg sync.WaitGroup
		var n atomic.Int64
		for g := 0; g < conns; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc, err := dialRaw(c.addr)
				if err != nil {
					return
				}
				defer rc.close()
				lid := fmt.Sprintf("%016x%016x", round, g)
				var body []byte
				for i := 0; i < max; i++ {
					body = appendNote(body[:0], toks[(g*max+i)%len(toks)], lid, i)
					code, err := rc.post(c.addr, benchAddr(g*max+i), body)
					if err != nil {
						return
					}
					if code != 204 {
						t.Errorf("status %d", code)
						return
					}
					mu.Lock()
					acked[key{lid, i}] = true
					mu.Unlock()
					if n.Add(1) == killAfter {
						kill()
					}
				}
			}()
		}
		wg.Wait()
		return int(n.Load())
	}

	c := startChild(t, "beacon", dir, "always")
	sent := load(c, 1, 2000, 3000, func() { c.cmd.Process.Kill() })
	err := c.cmd.Wait()
	if sent >= conns*2000 {
		t.Fatalf("the child was not killed mid-load (%d acknowledged, %v)", sent, err)
	}
	t.Logf("killed after %d acknowledged events (%v)", sent, err)
	files, _ := filepath.Glob(filepath.Join(dir, "events", "events-*.jsonl"))
	if len(files) == 0 {
		t.Fatal("no log file")
	}

	c = startChild(t, "beacon", dir, "always")
	if n := load(c, 2, 50, -1, nil); n != conns*50 {
		t.Fatalf("after restart %d of %d acknowledged\n%s", n, conns*50, c.out)
	}
	c.stop(t)

	// eventlog.ReadLogs counts every repeat of a (load, seq) as a duplicate: none
	// plus every acknowledged event present is "exactly once".
	lines := map[key]int{}
	st, err := eventlog.ReadLogs([]string{filepath.Join(dir, "events")}, func(e event.Event) error {
		lines[key{e.Load, int(e.Seq)}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Corrupt != 0 {
		t.Fatalf("corrupt lines after repair: %v", st.CorruptAt)
	}
	if st.Duplicates != 0 {
		t.Fatalf("%d events written twice", st.Duplicates)
	}
	missing := 0
	for k := range acked {
		if lines[k] != 1 {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged event %v is in the log %d times", k, lines[k])
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged events missing", missing, len(acked))
	}
	t.Logf("%d acknowledged, %d in the log (the rest were written but not yet acknowledged when killed)", len(acked), st.Events)
	if st.Events < len(acked) {
		t.Fatal("fewer events than acknowledged")
	}
}
