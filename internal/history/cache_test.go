package history

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

// TestCacheLayoutHasItsVersion: the cache holds commitRecs as gob; a field
// added, removed or retyped in them reads an older cache with the field
// empty, which is wrong, not rebuilt. The layout's fingerprint is tied to
// cacheVersion: change the layout, raise cacheVersion and set the new
// fingerprint here.
func TestCacheLayoutHasItsVersion(t *testing.T) {
	const version, want = 21, "dd77ab55"
	got := layoutOf(reflect.TypeFor[commitRec]())
	sum := sha256.Sum256([]byte(got))
	if fp := hex.EncodeToString(sum[:4]); cacheVersion != version || fp != want {
		t.Errorf("cacheVersion %d, layout fingerprint %s; this test knows version %d as %s: a change of the cached records needs cacheVersion raised (then set both here)\n%s", cacheVersion, fp, version, want, got)
	}
}

// layoutOf writes out t's fields, names and types, recursively.
func layoutOf(t reflect.Type) string {
	var b strings.Builder
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			b.WriteString(t.Kind().String() + " ")
			if t.Kind() == reflect.Map {
				walk(t.Key(), depth)
				b.WriteString(" ")
			}
			walk(t.Elem(), depth)
		case reflect.Struct:
			if depth > 4 || t.PkgPath() != "" && t.PkgPath() != reflect.TypeFor[commitRec]().PkgPath() {
				b.WriteString(t.String())
				return
			}
			b.WriteString("{")
			for i := range t.NumField() {
				f := t.Field(i)
				b.WriteString(f.Name + " ")
				walk(f.Type, depth+1)
				b.WriteString("; ")
			}
			b.WriteString("}")
		default:
			b.WriteString(t.String())
		}
	}
	walk(t, 0)
	return b.String()
}
