package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/synth"
)

// TestBuildRecordsPublishDays builds a site on one day, rotates one link and
// builds again later: every room keeps the day of the build that first
// wrote it, and the new link gets the later day.
func TestBuildRecordsPublishDays(t *testing.T) {
	root := t.TempDir()
	if err := synth.Write(root, synth.Options{Deals: 2, Stakeholders: 3, Pages: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: root, Secret: []byte("publish-day-secret-0123456789abcdef"), Today: deal.NewDate(2026, 11, 2)}
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, manifest.DefaultPath)
	m, err := manifest.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]string{}
	for _, r := range m.Rooms {
		if r.Published != "2026-11-02" {
			t.Fatalf("first build: room %s/%s published %q, want 2026-11-02", r.Deal, r.Stakeholder, r.Published)
		}
		first[r.Key] = r.Published
	}

	index := filepath.Join(root, ContentDir, synth.DealID(0), BundleIndex)
	src, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	// p0's link is rotated: a new key, the old one retired.
	rotated := string(src)
	for _, n := range []string{"1", "0"} { // bump the counter by one, whichever it is
		before := "role: economic-buyer, rotate: " + n + "}"
		if strings.Contains(rotated, before) {
			rotated = strings.Replace(rotated, before, "role: economic-buyer, rotate: "+string(rune(n[0]+1))+"}", 1)
			break
		}
	}
	if rotated == string(src) {
		t.Fatalf("%s: no p0 to rotate:\n%s", index, src)
	}
	if err := os.WriteFile(index, []byte(rotated), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Today = deal.NewDate(2026, 11, 16)
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if m, err = manifest.Read(path); err != nil {
		t.Fatal(err)
	}
	fresh := 0
	for _, r := range m.Rooms {
		want := first[r.Key]
		if want == "" {
			want = "2026-11-16"
			fresh++
		}
		if r.Published != want {
			t.Errorf("second build: room %s/%s rotation %d published %q, want %s", r.Deal, r.Stakeholder, r.Rotation, r.Published, want)
		}
	}
	if fresh != 1 {
		t.Errorf("%d rooms new in the second build, want 1 (p0's rotated link)", fresh)
	}
}
