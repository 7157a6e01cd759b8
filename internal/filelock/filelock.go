// Package filelock takes exclusive advisory locks on files, so that two
// maproom processes never do at once what must be done by one: write the
// same event log, send the same notices, commit decisions on the same
// repository. A lock is the open file; the kernel releases it when the
// process ends, however it ends, so a crash leaves no stale lock.
package filelock

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// ErrLocked is TryLock's error when another holder has the lock.
var ErrLocked = errors.New("locked by another process")

// TryLock takes the exclusive lock of path (created with perm if need
// be) at once, or fails with ErrLocked. Closing the returned file
// releases it. Where the system has no flock it opens the file without a
// lock.
func TryLock(path string, perm os.FileMode) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Lock takes the lock of path as TryLock does, waiting while another
// holder has it, every poll, until ctx is done. waiting, when not nil, is
// called once if it has to wait.
func Lock(ctx context.Context, path string, perm os.FileMode, poll time.Duration, waiting func()) (io.Closer, error) {
	for first := true; ; first = false {
		c, err := TryLock(path, perm)
		if !errors.Is(err, ErrLocked) {
			return c, err
		}
		if first && waiting != nil {
			waiting()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}
