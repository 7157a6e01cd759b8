package synth

import (
	"io/fs"
	"os"
	"path/filepath"
)

// CopyTree copies the site folder src (a content/ folder, say) to dst,
// leaving out build output (public/) and private state (.maproom/), so
// tests can build the example site without writing into the repository.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != src && (d.Name() == "public" || d.Name() == ".maproom") {
				return fs.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
