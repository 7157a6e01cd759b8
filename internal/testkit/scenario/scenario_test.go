package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the scenario site from this package's folder.
var root = filepath.Join("..", "..", "..", "analytics", "testdata", "report", "site")

// TestWriteLogsSameBytes: the same site gives the same files, byte for
// byte, and the two folders in order.
func TestWriteLogsSameBytes(t *testing.T) {
	s, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	var trees [2]map[string][]byte
	for i := range trees {
		dir := t.TempDir()
		folders, err := s.WriteLogs(dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{filepath.Join(dir, "beacon-a"), filepath.Join(dir, "beacon-b")}; strings.Join(folders, " ") != strings.Join(want, " ") {
			t.Fatalf("folders %v, want %v", folders, want)
		}
		trees[i] = map[string][]byte{}
		for _, f := range folders {
			names, err := filepath.Glob(filepath.Join(f, "events-*.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				b, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(dir, name)
				trees[i][rel] = b
			}
		}
	}
	if len(trees[0]) < 2 || len(trees[0]) != len(trees[1]) {
		t.Fatalf("%d and %d files", len(trees[0]), len(trees[1]))
	}
	for name, b := range trees[0] {
		if !bytes.Equal(b, trees[1][name]) {
			t.Errorf("%s differs between two writes", name)
		}
	}
}

// TestWriteLogsMissingDeal: a visit of a deal the site lacks is an error.
func TestWriteLogsMissingDeal(t *testing.T) {
	s, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	s.Deals = s.Deals[1:] // without acme, the first
	if _, err := s.WriteLogs(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no deal acme") {
		t.Fatalf("got %v, want an error naming acme", err)
	}
}

// TestLoadWrongRoot: a folder that is not the scenario site is an error.
func TestLoadWrongRoot(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("loaded an empty folder")
	}
}
