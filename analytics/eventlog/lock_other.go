//go:build !unix

package eventlog

import (
	"io"
	"os"
)

// lockDir creates path; without flock it cannot keep a second writer out.
func lockDir(path string) (io.Closer, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
}
