package history_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/history"
)

// TestReadPacked: a repository on disk, its objects in pack files read
// straight from them, tells every deal's story exactly as the same
// repository read through go-git's storage in memory does: with OFS and
// with REF deltas, with the newest commits still loose objects, and
// repacked by git itself (deltas on trees and commits too, deeper chains).
func TestReadPacked(t *testing.T) {
	s, err := buildSynth(12, 30)
	if err != nil {
		t.Fatal(err)
	}
	want, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan})
	if err != nil {
		t.Fatal(err)
	}
	// The commit 5 before the head: what the pack holds when the newest
	// commits are loose.
	older := s.head
	for range 5 {
		c, err := object.GetCommit(s.repo.Storer, older)
		if err != nil {
			t.Fatal(err)
		}
		older = c.ParentHashes[0]
	}
	for _, tc := range []struct {
		name      string
		packed    plumbing.Hash
		refDeltas bool
		repack    []string // a git command run on the repository after
	}{
		{name: "ofs-deltas", packed: s.head},
		{name: "ref-deltas", packed: s.head, refDeltas: true},
		{name: "newest-loose", packed: older},
		{name: "git-repack", packed: s.head, repack: []string{"repack", "-a", "-d", "-f", "--depth=250", "--window=250", "-q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := writeOnDisk(filepath.Join(dir, ".git"), s, tc.packed, tc.refDeltas); err != nil {
				t.Fatal(err)
			}
			if tc.repack != nil {
				gitBin, err := exec.LookPath("git")
				if err != nil {
					t.Skip("git is not installed: repacking the repository as git does needs it (.ci/run has it)")
				}
				cmd := exec.Command(gitBin, tc.repack...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %s: %v\n%s", strings.Join(tc.repack, " "), err, out)
				}
			}
			got, err := history.Read(context.Background(), history.Options{Root: dir, Decode: generator.DecodePlan})
			if err != nil {
				t.Fatal(err)
			}
			if got.Stats.Packed == 0 {
				t.Fatalf("no object was read from the pack files: %+v", got.Stats)
			}
			gotStats, wantStats := got.Stats, want.Stats
			gotStats.Packed = 0
			if gotStats != wantStats || got.Head != want.Head || got.InGit != want.InGit {
				t.Errorf("stats %+v head %s, want %+v head %s", got.Stats, got.Head, want.Stats, want.Head)
			}
			if !reflect.DeepEqual(got.Deals, want.Deals) {
				for id, st := range want.Deals {
					if !reflect.DeepEqual(got.Deals[id], st) {
						t.Errorf("%s: read from the packs\n got %+v\nwant %+v", id, got.Deals[id], st)
						break
					}
				}
				t.Fatalf("the packed repository tells another story")
			}
		})
	}
}

// TestReadImported: a repository where each commit changes one deal, as
// git fast-import packs it (each content tree a delta on its parent's) and
// as git gc repacks it (each parent's tree mostly a delta on its child's),
// tells every deal's story exactly as go-git's own storage reads it, with
// the walk handing over batches of commits of any size; the read builds
// most content trees on the tree it compared before, in a buffer it reuses.
func TestReadImported(t *testing.T) {
	dir := t.TempDir()
	importOneADay(t, dir, 15, 8, true)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := history.ReadRepo(context.Background(), repo, "", history.Options{Decode: generator.DecodePlan})
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { *history.TreeBatch = n }(*history.TreeBatch)
	for _, pack := range []string{"fast-import", "repack"} {
		if pack == "repack" {
			cmd := exec.Command("git", "repack", "-a", "-d", "-f", "-q")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git repack: %v\n%s", err, out)
			}
		}
		for _, batch := range []int{256, 7, 1} {
			*history.TreeBatch = batch
			got, err := history.Read(context.Background(), history.Options{Root: dir, Decode: generator.DecodePlan})
			if err != nil {
				t.Fatal(err)
			}
			if batch > 1 && got.Stats.Built < got.Stats.Commits/3 {
				t.Fatalf("%s, batches of %d: %d of %d content trees built on the tree before", pack, batch, got.Stats.Built, got.Stats.Commits)
			}
			if got.Head != want.Head || got.Stats.Commits != want.Stats.Commits {
				t.Fatalf("%s, batches of %d: head %s, stats %+v; want %s, %+v", pack, batch, got.Head, got.Stats, want.Head, want.Stats)
			}
			if !reflect.DeepEqual(got.Deals, want.Deals) {
				for id, st := range want.Deals {
					if !reflect.DeepEqual(got.Deals[id], st) {
						t.Fatalf("%s, batches of %d, %s: read from the packs\n got %+v\nwant %+v", pack, batch, id, got.Deals[id], st)
					}
				}
				t.Fatalf("%s, batches of %d: the packed repository tells another story", pack, batch)
			}
		}
	}
}

// TestReadPackedDamaged: a pack file with a damaged byte makes the read
// fail with an error naming the pack, never a story read from wrong
// content; the cache is not written. Besides bytes across the pack, each
// entry's ninth byte from its end is damaged: where Go's zlib ends a
// stream, that byte is mostly the padding of an empty last block, which
// inflating skips and zlib's checksum does not cover (the content reads
// the same); the index's CRC-32 of the entry catches it, as git fsck does.
func TestReadPackedDamaged(t *testing.T) {
	s, err := buildSynth(6, 8)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeOnDisk(filepath.Join(dir, ".git"), s, s.head, false); err != nil {
		t.Fatal(err)
	}
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d pack files", len(packs))
	}
	orig, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	ats := []int{len(orig) / 7, len(orig) / 3, len(orig) / 2, len(orig) * 4 / 5, len(orig) - 30}
	f, err := os.Open(strings.TrimSuffix(packs[0], ".pack") + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	idx := idxfile.NewMemoryIndex()
	err = idxfile.NewDecoder(f).Decode(idx)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := idx.EntriesByOffset()
	if err != nil {
		t.Fatal(err)
	}
	var starts []int
	for {
		e, err := entries.Next()
		if err != nil {
			break
		}
		starts = append(starts, int(e.Offset))
	}
	entries.Close()
	slices.Sort(starts)
	for i := range starts {
		end := len(orig) - 20
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		if end-9 > starts[i] {
			ats = append(ats, end-9)
		}
	}
	if len(ats) < 5+100 {
		t.Fatalf("%d entries in the pack", len(starts))
	}
	for _, at := range ats {
		b := append([]byte(nil), orig...)
		b[at] ^= 0x5a
		os.Chmod(packs[0], 0o644)
		if err := os.WriteFile(packs[0], b, 0o644); err != nil {
			t.Fatal(err)
		}
		cache := filepath.Join(dir, "history.cache")
		h, err := history.Read(context.Background(), history.Options{Root: dir, Decode: generator.DecodePlan, Cache: cache})
		if err == nil {
			t.Errorf("byte %d of %d damaged: read %d deals, no error", at, len(orig), len(h.Deals))
			os.Remove(cache) // each damaged byte read from git
			continue
		}
		if !strings.Contains(err.Error(), filepath.Base(packs[0])) {
			t.Errorf("byte %d damaged: the error does not name the pack file: %v", at, err)
		}
		if _, err := os.Stat(cache); err == nil {
			t.Errorf("byte %d damaged: the cache was written", at)
		}
	}
}
