package generator

import (
	"path/filepath"
	"testing"
	"time"
)

// TestCommitWithNothingWritten: an update that writes no file must still
// finish. (The writer goroutine once read the channel field after commit
// had cleared it, and then waited forever on a nil channel.)
func TestCommitWithNothingWritten(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	for i := 0; i < 500; i++ {
		o, err := newOutputState(out, &buildState{Version: stateVersion, Groups: map[string]*groupState{}})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := o.commitGroups(nil); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("commit %d with nothing written never returned", i)
		}
	}
}
