package generator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"
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

// TestManifestBeforeRoomsGoLive: a build writes the manifest before its
// rooms go live, and puts the previous one back when they fail to: the
// beacon never lacks the token of a live room, nor holds only the tokens of
// rooms that never went live.
func TestManifestBeforeRoomsGoLive(t *testing.T) {
	root := t.TempDir()
	if err := synth.Write(root, synth.Options{Deals: 1, Stakeholders: 3, Pages: 1, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	secret := []byte("manifest-order-secret-0123456789abcdef")
	opts := Options{Root: root, Secret: secret, Today: deal.NewDate(2026, 11, 2)}
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, manifest.DefaultPath)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A new person joins the plan, so a new room; the place its page goes
	// is taken by a folder, so its rooms cannot go live.
	index := filepath.Join(root, ContentDir, synth.DealID(0), BundleIndex)
	src, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	added := strings.Replace(string(src), "stakeholders:\n", "stakeholders:\n  - {id: newcomer, name: Nia Newcomer, side: buyer, role: champion}\n", 1)
	if added == string(src) {
		t.Fatalf("%s: no stakeholders list", index)
	}
	if err := os.WriteFile(index, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	site, ps := Load(LoadOptions{Root: root, Today: opts.Today})
	if ps.Errors() > 0 {
		t.Fatal(ps)
	}
	var newPath string
	for _, l := range Links(site, secret) {
		if l.Stakeholder == "newcomer" {
			newPath = l.Path
		}
	}
	blocker := filepath.Join(root, "public", filepath.FromSlash(newPath), "index.html")
	if err := os.MkdirAll(filepath.Join(blocker, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), opts); err == nil {
		t.Fatal("the build put its rooms live over a folder")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("a build whose rooms did not go live left its manifest:\n%s", after)
	}

	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	// A manifest that cannot be written: no room goes live without it.
	badOpts := opts
	badOpts.Manifest = filepath.Join(root, "manifest-is-a-folder")
	if err := os.MkdirAll(filepath.Join(badOpts.Manifest, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), badOpts); err == nil || !strings.Contains(err.Error(), "no room changed") {
		t.Fatalf("a build that could not write its manifest: %v", err)
	}
	if _, err := os.Stat(blocker); !os.IsNotExist(err) {
		t.Errorf("the new room went live without a manifest naming it (%v)", err)
	}

	res, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range m.Rooms {
		found = found || r.Stakeholder == "newcomer"
	}
	if !found || len(m.Rooms) != len(res.Manifest.Rooms) {
		t.Errorf("the live rooms' manifest lacks the new room (%v) or differs from the build's", found)
	}
}

// TestPreviewManifestBeforeRoomsGoLive: a rebuild in maproom serve goes
// live as a full build does (the same Builder.publish): a manifest that
// cannot be written keeps the new room from going live; a new room whose
// page cannot go live leaves the previous manifest; once it can, the
// manifest names it and the room is served.
func TestPreviewManifestBeforeRoomsGoLive(t *testing.T) {
	root := t.TempDir()
	if err := synth.Write(root, synth.Options{Deals: 2, Stakeholders: 3, Pages: 1, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	secret := []byte("manifest-order-secret-0123456789abcdef")
	opts := Options{Root: root, Secret: secret, Today: deal.NewDate(2026, 11, 2)}
	ctx := context.Background()
	p, _, err := NewPreview(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	path := filepath.Join(root, manifest.DefaultPath)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(root, ContentDir, synth.DealID(1), BundleIndex)
	src, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	added := strings.Replace(string(src), "stakeholders:\n", "stakeholders:\n  - {id: newcomer, name: Nia Newcomer, side: buyer, role: champion}\n", 1)
	if err := os.WriteFile(index, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	site, _ := Load(LoadOptions{Root: root, Today: opts.Today})
	var newPath string
	for _, l := range Links(site, secret) {
		if l.Stakeholder == "newcomer" {
			newPath = l.Path
		}
	}
	blocker := filepath.Join(root, "public", filepath.FromSlash(newPath), "index.html")

	// A manifest that cannot be written: the new room does not go live.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Update(ctx, Batch{Paths: []string{index}}); err == nil || !strings.Contains(err.Error(), "no room changed") {
		t.Fatalf("a rebuild that could not write its manifest: %v", err)
	}
	if _, err := os.Stat(blocker); !os.IsNotExist(err) {
		t.Errorf("the new room went live without a manifest naming it (%v)", err)
	}
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, before, 0o644); err != nil {
		t.Fatal(err)
	}

	// A room that cannot go live: the manifest is put back.
	if err := os.MkdirAll(filepath.Join(blocker, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Update(ctx, Batch{Paths: []string{index}}); err == nil {
		t.Fatal("the rebuild put its rooms live over a folder")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("a rebuild whose rooms did not go live left its manifest:\n%s", after)
	}

	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	res, err := p.Update(ctx, Batch{Paths: []string{index}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest == nil {
		t.Fatal("a rebuild that added a room returned no manifest for the beacon")
	}
	m, err := manifest.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range m.Rooms {
		found = found || r.Stakeholder == "newcomer"
	}
	if !found || len(m.Rooms) != len(res.Manifest.Rooms) {
		t.Errorf("the written manifest lacks the new room (%v) or differs from the rebuild's", found)
	}
	if _, err := os.Stat(blocker); err != nil {
		t.Errorf("the new room is not served: %v", err)
	}
	// The rooms of the deal the edit did not touch are all still named.
	full, err := Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Manifest.Rooms) != len(m.Rooms) {
		t.Errorf("the rebuild's manifest has %d rooms, a full build's %d", len(m.Rooms), len(full.Manifest.Rooms))
	}
}

// TestPreviewKeepsChangesMadeDuringAnError: a change to one deal saved
// while another deal has an error is rendered once the error is fixed,
// though the fix touched only the other deal: a person added meanwhile
// gets their room. (The change was dropped until its deal was saved
// again: a link rotated meanwhile kept working in the preview.)
func TestPreviewKeepsChangesMadeDuringAnError(t *testing.T) {
	secret := []byte("preview-pending-secret-0123456789abcdef")
	root, opts, p := synthPreview(t, 2, secret)
	ctx := context.Background()
	index := func(i int) string { return filepath.Join(root, ContentDir, synth.DealID(i), BundleIndex) }
	edit := func(path string, f func(string) string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Deal 0 broken; deal 1 gains a person meanwhile.
	var good string
	edit(index(0), func(s string) string { good = s; return strings.Replace(s, "\ntitle:", "\ntitle: [", 1) })
	if _, err := p.Update(ctx, Batch{Paths: []string{index(0)}}); !errors.Is(err, ErrContent) {
		t.Fatalf("a broken plan: %v, want ErrContent", err)
	}
	edit(index(1), func(s string) string {
		return strings.Replace(s, "stakeholders:\n", "stakeholders:\n  - {id: newcomer, name: Nia Newcomer, side: buyer, role: champion}\n", 1)
	})
	if _, err := p.Update(ctx, Batch{Paths: []string{index(1)}}); !errors.Is(err, ErrContent) {
		t.Fatalf("another deal still broken: %v, want ErrContent", err)
	}
	// The fix touches deal 0 alone.
	edit(index(0), func(string) string { return good })
	if _, err := p.Update(ctx, Batch{Paths: []string{index(0)}}); err != nil {
		t.Fatal(err)
	}
	site, _ := Load(LoadOptions{Root: root, Today: opts.Today})
	for _, l := range Links(site, secret) {
		if l.Stakeholder == "newcomer" {
			if _, err := os.Stat(filepath.Join(root, "public", filepath.FromSlash(l.Path), "index.html")); err != nil {
				t.Errorf("the person added while another deal was broken has no room once it is fixed: %v", err)
			}
			return
		}
	}
	t.Fatal("no link for the newcomer")
}

// TestPreviewRefusesALoweredRotation: in the preview as in a build, a
// rotate: set below the rotation the manifest records is an error, and
// the retired link does not answer again. (The preview took it.)
func TestPreviewRefusesALoweredRotation(t *testing.T) {
	root, _, p := synthPreview(t, 1, []byte("preview-rotation-secret-0123456789abcd"))
	ctx := context.Background()
	index := filepath.Join(root, ContentDir, synth.DealID(0), BundleIndex)
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	rot := regexp.MustCompile(`(\{id: p0, [^}]*rotate: )\d+\}`)
	set := func(n string) {
		t.Helper()
		if err := os.WriteFile(index, rot.ReplaceAll(b, []byte("${1}"+n+"}")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set("5")
	if _, err := p.Update(ctx, Batch{Paths: []string{index}}); err != nil {
		t.Fatal(err)
	}
	set("3")
	res, err := p.Update(ctx, Batch{Paths: []string{index}})
	if !errors.Is(err, ErrContent) || res == nil || !strings.Contains(fmt.Sprint(res.Problems), `rotate 3 for "p0" is below 5`) {
		t.Fatalf("a lowered rotation in the preview: %v, %v; want the error", err, res)
	}
}

// synthPreview writes a synthetic site of deals deals (3 people each) and
// starts a preview of it on 2 November 2026, closed when the test ends.
func synthPreview(t *testing.T, deals int, secret []byte) (string, Options, *Preview) {
	t.Helper()
	root := t.TempDir()
	if err := synth.Write(root, synth.Options{Deals: deals, Stakeholders: 3, Pages: 1, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: root, Secret: secret, Today: deal.NewDate(2026, 11, 2)}
	p, _, err := NewPreview(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return root, opts, p
}

// TestSameSecret: a manifest's fingerprints compare with a person's only
// under the secret its rooms were built with: its mark says so, and one
// written before the mark tells it by its rooms' keys.
func TestSameSecret(t *testing.T) {
	secret, other := []byte("0123456789abcdef0123456789abcdef"), []byte("another secret that built nothing here")
	old := &manifest.Manifest{Rooms: []manifest.Room{{Key: token.Key(token.Room(secret, "acme", "elena", 0)), Deal: "acme", Stakeholder: "elena"}}}
	if !SameSecret(old, secret) || SameSecret(old, other) || SameSecret(old, nil) {
		t.Error("a manifest without a mark: told by its keys")
	}
	marked := &manifest.Manifest{Keyed: manifest.KeyMark(secret)}
	if !SameSecret(marked, secret) || SameSecret(marked, other) {
		t.Error("a marked manifest: told by its mark")
	}
}
