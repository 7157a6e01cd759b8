package manifest

import (
	"fmt"
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

// TestPublishKeepsTheFirstDay follows a room key across builds: the day it
// first appears is kept, a new key gets the build's day, a key from a
// manifest written before the day was recorded stays unknown, and the same
// previous manifest and day give the same bytes.
func TestPublishKeepsTheFirstDay(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rooms.json")
	rooms := func(keys ...string) *Manifest {
		m := &Manifest{Version: Version}
		for _, k := range keys {
			m.Rooms = append(m.Rooms, Room{Key: k, Deal: "acme", Stakeholder: k, Side: SideBuyer, Pages: []string{PageRoom}})
		}
		return m
	}
	days := func() map[string]string {
		m, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range m.Rooms {
			out[r.Key] = r.Published
		}
		return out
	}
	if err := Publish(path, rooms("a", "b"), "2026-11-01"); err != nil {
		t.Fatal(err)
	}
	if d := days(); d["a"] != "2026-11-01" || d["b"] != "2026-11-01" {
		t.Fatalf("first build: %v, want both published 2026-11-01", d)
	}
	// b rotated away (gone), c is new.
	if err := Publish(path, rooms("a", "c"), "2026-11-09"); err != nil {
		t.Fatal(err)
	}
	if d := days(); d["a"] != "2026-11-01" || d["c"] != "2026-11-09" || len(d) != 2 {
		t.Fatalf("second build: %v, want a kept at 2026-11-01, c new on 2026-11-09", d)
	}
	// Reproducible: the same previous manifest and day, the same bytes.
	before, _ := os.ReadFile(path)
	copyPath := filepath.Join(dir, "copy.json")
	os.WriteFile(copyPath, before, 0o600)
	if err := Publish(path, rooms("a", "c"), "2026-11-09"); err != nil {
		t.Fatal(err)
	}
	if err := Publish(copyPath, rooms("a", "c"), "2026-11-09"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	again, _ := os.ReadFile(copyPath)
	if string(after) != string(before) || string(again) != string(before) {
		t.Errorf("a rebuild changed the manifest:\n%s\nthen\n%s", before, after)
	}

	// A manifest from before publish days were recorded still reads, and
	// its rooms stay without a day.
	old := `{"version": 1, "rooms": [{"key": "a", "deal": "acme", "stakeholder": "a", "side": "buyer", "role": "champion", "rotation": 0, "pages": ["room"]}]}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err != nil {
		t.Fatalf("an old manifest does not read: %v", err)
	}
	if err := Publish(path, rooms("a", "d"), "2026-11-20"); err != nil {
		t.Fatal(err)
	}
	if d := days(); d["a"] != "" || d["d"] != "2026-11-20" {
		t.Errorf("after an old manifest: %v, want a unknown, d 2026-11-20", d)
	}
}

func TestFirstPublished(t *testing.T) {
	m := &Manifest{Version: Version, Rooms: []Room{
		{Key: "1", Deal: "acme", Side: SideBuyer, Published: "2026-11-09"},
		{Key: "2", Deal: "acme", Side: SideBuyer, Rotation: 0, Retired: true, Published: "2026-10-01"},
		{Key: "3", Deal: "acme", Side: "seller", Published: "2026-09-01"}, // a seller preview is not a publication to the buyer
		{Key: "4", Deal: "globex", Side: SideBuyer, Published: "2026-11-01"},
		{Key: "5", Deal: "globex", Side: SideBuyer}, // published before days were recorded
		{Key: "6", Deal: "hooli", Side: "seller", Published: "2026-11-01"},
	}}
	got := m.FirstPublished()
	if len(got) != 1 || got["acme"] != "2026-10-01" {
		t.Errorf("first published = %v, want only acme on 2026-10-01 (its retired room; globex unknown; hooli has no buyer room)", got)
	}
}

// TestPublishKeepsWhoHadTheIDs: Publish keeps in each room the person its
// key was first published for, and, once their rooms leave (taken off the
// plan, the deal withdrawn), who they were and their highest rotation; the
// fingerprint is keyed with the secret, and tells a typo fixed from
// another person.
func TestPublishKeepsWhoHadTheIDs(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	elena := Who(secret, "Elena Novak", "elena.novak@acme.example")
	if other := Who([]byte("another secret, as long as this one"), "Elena Novak", "elena.novak@acme.example"); other == elena {
		t.Error("the fingerprint does not depend on the secret: a leaked manifest could be matched against guessed names")
	}
	if !SamePerson(elena, Who(secret, "Elena Novack", "elena.novak@acme.example")) || !SamePerson(elena, Who(secret, " elena novak", "e.novak@acme.example")) {
		t.Error("a typo fixed in the name or the email is another person")
	}
	if SamePerson(elena, Who(secret, "Nina Berg", "nina.berg@acme.example")) || SamePerson(Who(secret, "A", ""), Who(secret, "B", "")) {
		t.Error("another name and email is the same person")
	}
	if !SamePerson("", elena) || !SamePerson("5f32dd6303e9c321", elena) {
		t.Error("an unknown fingerprint (an older manifest) is held against the person")
	}
	path := filepath.Join(t.TempDir(), "rooms.json")
	room := func(who string, rot int) Room {
		return Room{Key: fmt.Sprintf("k%d-%s", rot, who[:3]), Deal: "acme", Stakeholder: "elena", Rotation: rot, Pages: []string{PageRoom}, Who: who}
	}
	if err := Publish(path, &Manifest{Version: Version, Rooms: []Room{room(elena, 0)}}, "2026-11-01"); err != nil {
		t.Fatal(err)
	}
	// Her name's typo fixed: the room keeps who it was first published for.
	fixed := Who(secret, "Elena Novack", "elena.novak@acme.example")
	m := &Manifest{Version: Version, Rooms: []Room{{Key: room(elena, 0).Key, Deal: "acme", Stakeholder: "elena", Pages: []string{PageRoom}, Who: fixed}}}
	if err := Publish(path, m, "2026-11-02"); err != nil {
		t.Fatal(err)
	}
	if m.Rooms[0].Who != elena {
		t.Errorf("the room's who %q, want the first one's %q", m.Rooms[0].Who, elena)
	}
	// Taken off, with the deal withdrawn: who she was is kept.
	if err := Publish(path, &Manifest{Version: Version}, "2026-11-03"); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := got.Former[RotationKey("acme", "elena")]; !ok || f.Who != elena || f.Rotation != 0 {
		t.Errorf("former %+v, want elena's fingerprint at rotation 0", got.Former)
	}
}

// TestPublishDropsUnkeyedFingerprints: a fingerprint an older build wrote
// without the secret (guessable from a name and an email) is not kept: the
// room takes this build's.
func TestPublishDropsUnkeyedFingerprints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.json")
	old := &Manifest{Version: Version, Rooms: []Room{{Key: "k0", Deal: "acme", Stakeholder: "elena", Pages: []string{PageRoom}, Who: "5f32dd6303e9c321"}}}
	if err := Write(path, old); err != nil {
		t.Fatal(err)
	}
	who := Who([]byte("0123456789abcdef0123456789abcdef"), "Elena Novak", "elena.novak@acme.example")
	m := &Manifest{Version: Version, Rooms: []Room{{Key: "k0", Deal: "acme", Stakeholder: "elena", Pages: []string{PageRoom}, Who: who}}}
	if err := Publish(path, m, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if m.Rooms[0].Who != who {
		t.Errorf("who %q, want this build's keyed %q", m.Rooms[0].Who, who)
	}
}

// TestPublishUnmarkedManifest: a manifest written before the secret's
// mark keeps its fingerprints when it lists rooms (the build told its
// secret by their keys), and drops them when it lists none (its secret is
// not known).
func TestPublishUnmarkedManifest(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	who := Who(secret, "Elena Novak", "elena.novak@acme.example")
	former := map[string]FormerPerson{RotationKey("acme", "tom"): {Who: Who(secret, "Tom Bradley", ""), Rotation: 1}}
	path := filepath.Join(t.TempDir(), "rooms.json")
	withRooms := &Manifest{Version: Version, Rooms: []Room{{Key: "k0", Deal: "acme", Stakeholder: "elena", Pages: []string{PageRoom}, Who: who}}, Former: former}
	if err := Write(path, withRooms); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Version: Version, Keyed: KeyMark(secret), Rooms: []Room{{Key: "k0", Deal: "acme", Stakeholder: "elena", Pages: []string{PageRoom}, Who: Who(secret, "Elena Novack", "elena.novak@acme.example")}}}
	if err := Publish(path, m, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if m.Rooms[0].Who != who || m.Former[RotationKey("acme", "tom")].Who == "" {
		t.Errorf("an unmarked manifest with rooms: who %q, former %+v; want both kept", m.Rooms[0].Who, m.Former)
	}
	if err := Write(path, &Manifest{Version: Version, Former: former}); err != nil {
		t.Fatal(err)
	}
	m = &Manifest{Version: Version, Keyed: KeyMark([]byte("another secret, as long as the first"))}
	if err := Publish(path, m, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if len(m.Former) != 0 {
		t.Errorf("an unmarked manifest without rooms: former %+v kept under a secret not known", m.Former)
	}
}
