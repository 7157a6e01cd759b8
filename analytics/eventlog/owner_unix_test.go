//go:build unix

package eventlog

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestPurgeKeepsTheOwner: a log file purged by root (over ssh on the
// server) stays its owner's, the beacon's user, which opens it for writing
// when it starts. Run as root, as CI runs.
func TestPurgeKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the file another owner first (.ci/run runs as root)")
	}
	name := filepath.Join(t.TempDir(), "events-2026-11-18-b1.jsonl")
	old := `{"v":1,"time":"2026-11-18T10:00:00Z","deal":"acme"}` + "\n"
	recent := `{"v":1,"time":"2026-11-20T10:00:00Z","deal":"acme"}` + "\n"
	if err := os.WriteFile(name, []byte(old+recent), 0o640); err != nil {
		t.Fatal(err)
	}
	const nobody = 65534
	if err := os.Chown(name, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if _, _, err := purgeFile(name, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), "", nil, &PurgeStats{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != nobody || st.Gid != nobody || fi.Mode().Perm() != 0o640 {
		t.Errorf("purged file owned by %d:%d, mode %v; want %d:%d, 0640 as before", st.Uid, st.Gid, fi.Mode().Perm(), nobody, nobody)
	}
}
