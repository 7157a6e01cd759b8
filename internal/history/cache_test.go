package history

import (
	"crypto/sha256"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// FuzzCache: whatever the cache file holds, loadCache returns a usable
// cache (read, or empty to rebuild) and never panics; a body with a valid
// checksum but a damaged gob is rebuilt too.
func FuzzCache(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good")
	c := &cache{Version: cacheVersion, Path: "content", Head: plumbing.Hash{1}, Recs: map[plumbing.Hash]*commitRec{
		{1}: {When: 1, Name: "a", Files: []fileRec{{Deal: "d", New: plumbing.Hash{2}, Changes: []fieldChange{{Kind: TaskDue, Item: "t"}}}}}}}
	if err := c.save(good); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	f.Add(data, false)
	f.Add(data[len(cacheMagic)+sha256.Size:], true)
	f.Add([]byte("maproom history cache\n"), false)
	f.Fuzz(func(t *testing.T, b []byte, resum bool) {
		if resum { // a valid checksum over whatever body
			sum := sha256.Sum256(b)
			b = append(append([]byte(cacheMagic), sum[:]...), b...)
		}
		p := filepath.Join(t.TempDir(), "cache")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		got := loadCache(p, "content", slog.New(slog.DiscardHandler))
		if got == nil || got.Recs == nil {
			t.Fatal("no usable cache")
		}
		if got.state == "used" {
			for _, rec := range got.Recs {
				if rec == nil {
					t.Fatal("a used cache holds an empty record")
				}
				for _, p := range rec.Parents {
					if got.Recs[p] == nil {
						t.Fatal("a used cache holds a commit without its parent")
					}
				}
			}
		}
	})
}
