package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".maproom", "rooms.json")
	m := &Manifest{Version: Version, Rooms: []Room{
		{Key: "bb", Deal: "acme", Stakeholder: "priya", Side: "buyer", Role: "economic-buyer", Pages: []string{PageRoom, "pricing"}},
		{Key: "aa", Deal: "acme", Stakeholder: "jordan", Side: "buyer", Role: "technical-evaluator", Rotation: 1, Pages: []string{PageRoom}},
		{Key: "a0", Deal: "acme", Stakeholder: "jordan", Rotation: 0, Retired: true, Pages: []string{PageRoom}},
	}}
	if err := Write(path, m); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("manifest mode %v, want 0600 (%v)", fi.Mode().Perm(), err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by deal, stakeholder, rotation.
	order := []string{"a0", "aa", "bb"}
	for i, r := range got.Rooms {
		if r.Key != order[i] {
			t.Fatalf("room %d key %s, want %s", i, r.Key, order[i])
		}
	}
	idx := got.Index()
	if r := idx["a0"]; r == nil || !r.Retired || r.Stakeholder != "jordan" {
		t.Fatalf("index lost the retired room: %+v", r)
	}
	// Writing the same manifest again leaves the file alone.
	before := fi.ModTime()
	if err := Write(path, got); err != nil {
		t.Fatal(err)
	}
	if fi2, _ := os.Stat(path); !fi2.ModTime().Equal(before) {
		t.Error("an unchanged manifest was rewritten")
	}
}

func TestReadSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "run maproom build first") {
		t.Errorf("missing manifest: %v", err)
	}
	p := filepath.Join(dir, "old.json")
	os.WriteFile(p, []byte(`{"version": 99, "rooms": []}`), 0o600)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "rebuild the site") {
		t.Errorf("newer manifest: %v", err)
	}
	os.WriteFile(p, []byte(`not json`), 0o600)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "not a room manifest") {
		t.Errorf("garbage: %v", err)
	}
}
