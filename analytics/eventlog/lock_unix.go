//go:build unix

package eventlog

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// lockDir takes an exclusive, non-blocking lock on path (created if need
// be). The kernel releases it when the process dies, however it dies.
func lockDir(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("the log is locked by another process")
		}
		return nil, err
	}
	return f, nil
}
