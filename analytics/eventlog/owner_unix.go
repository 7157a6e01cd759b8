//go:build unix

package eventlog

import (
	"fmt"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of the file fi describes: a log
// file rewritten by root (events purge over ssh) stays the beacon's, which
// runs as its own user and opens its files for writing when it starts.
func keepOwner(f *os.File, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := f.Chown(int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("keep the owner of %s (user %d): %w; run this as that user, or as root", fi.Name(), st.Uid, err)
	}
	return nil
}
