package eventlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPurgeFileZeroBytes: purge keeps a line holding a zero byte whole (a
// zero byte is not a line break) and drops the zero padding a beacon left
// at the end of a file, which is not a line.
func TestPurgeFileZeroBytes(t *testing.T) {
	old := `{"v":1,"time":"2026-11-18T10:00:00Z","deal":"acme"}` + "\n"
	recent := `{"v":1,"time":"2026-11-20T10:00:00Z","deal":"acme"}` + "\n"
	junk := "junk\x00" + recent
	name := filepath.Join(t.TempDir(), "events-2026-11-18-b1.jsonl")
	if err := os.WriteFile(name, []byte(old+junk+recent+strings.Repeat("\x00", 5000)), 0o640); err != nil {
		t.Fatal(err)
	}
	purged, kept, err := purgeFile(name, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), "", nil, &PurgeStats{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	if purged != 1 || kept != 2 || string(b) != junk+recent {
		t.Fatalf("purged %d, kept %d, file now %q; want 1, 2 and %q", purged, kept, b, junk+recent)
	}
}

// TestPurgePulledCopies: a copy report -from pulled is named for the day
// of the pull, after the cut, yet holds events of earlier days: purge
// reads it, and deletes those.
func TestPurgePulledCopies(t *testing.T) {
	dir := t.TempDir()
	old := `{"v":1,"time":"2026-11-01T10:00:00Z","deal":"acme"}` + "\n"
	recent := `{"v":1,"time":"2026-12-05T10:00:00Z","deal":"acme"}` + "\n"
	pulled := filepath.Join(dir, LogFileName("2026-12-07", "pull-000001"))
	if err := os.WriteFile(pulled, []byte(old+recent), 0o600); err != nil {
		t.Fatal(err)
	}
	// A beacon instance whose name holds "pull" is no copy: its file of
	// the cut's day or later is not read.
	live := filepath.Join(dir, LogFileName("2026-12-07", "eu-pull-1"))
	if err := os.WriteFile(live, []byte(recent), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Purge([]string{dir}, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pulled)
	if st.Purged != 1 || string(b) != recent || st.Scanned != 1 {
		t.Errorf("purged %d of %d files read, the copy now %q; want the November event gone, the live file not read", st.Purged, st.Scanned, b)
	}
}
