//go:build !unix

package history

import "io"

// mapFile reads f, of size bytes, into memory.
func mapFile(f io.ReaderAt, size int64) ([]byte, func() error, error) {
	return readFile(f, size)
}
