//go:build !unix

package notify

import (
	"io"
	"os"
)

// lockFile opens path without a lock where flock is not available: two
// runs at once may then send a notice twice.
func lockFile(path string) (io.Closer, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
