//go:build unix

package history

import (
	"fmt"
	"io"
	"syscall"
)

// mapFile maps f, of size bytes, read-only into memory; a file without a
// descriptor (not on the OS's file system) is read instead.
func mapFile(f io.ReaderAt, size int64) ([]byte, func() error, error) {
	fd, ok := f.(interface{ Fd() uintptr })
	if !ok || size == 0 {
		return readFile(f, size)
	}
	if int64(int(size)) != size {
		return nil, nil, fmt.Errorf("%d bytes is too large to map", size)
	}
	b, err := syscall.Mmap(int(fd.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return readFile(f, size)
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
