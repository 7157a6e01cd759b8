//go:build unix

package filelock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestLock: a second holder is refused at once by TryLock, waits with
// Lock until the first lets go, and gives up when its context ends.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	first, err := TryLock(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path, 0o600); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second TryLock: %v, want ErrLocked", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path, 0o600, 10*time.Millisecond, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held: %v, want the context's end", err)
	}
	waited := false
	go func() {
		time.Sleep(30 * time.Millisecond)
		first.Close()
	}()
	second, err := Lock(context.Background(), path, 0o600, 5*time.Millisecond, func() { waited = true })
	if err != nil || !waited {
		t.Fatalf("Lock after the first let go: %v, waited %v", err, waited)
	}
	second.Close()
}
