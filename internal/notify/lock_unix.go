//go:build unix

package notify

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// lockFile takes an exclusive, non-blocking flock on path (created if need
// be).
func lockFile(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("another maproom notify or invite is running on this site (" + path + " is locked): wait for it to finish")
		}
		return nil, err
	}
	return f, nil
}
