//go:build !unix

package eventlog

import "os"

// keepOwner does nothing where files have no unix owner.
func keepOwner(*os.File, os.FileInfo) error { return nil }
