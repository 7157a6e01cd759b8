package history

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// packEntry encodes one pack entry: its header (type, size, and the
// delta's base reference) and its zlib-compressed payload.
func packEntry(typ plumbing.ObjectType, size int, base []byte, payload []byte) []byte {
	c := byte(typ)<<4 | byte(size&15)
	size >>= 4
	var b []byte
	for size > 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	b = append(b, c)
	b = append(b, base...)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(payload)
	w.Close()
	return append(b, z.Bytes()...)
}

// seedEntries are a blob "hello world" and an OFS delta on it making
// "hello there" (source 11 bytes, target 11; copy 6 from offset 0, then
// insert "there"), and the delta alone as a REF delta.
func seedEntries() (blob, ofs, ref []byte) {
	blob = packEntry(plumbing.BlobObject, 11, nil, []byte("hello world"))
	delta := []byte{11, 11, 0x90, 6, 5, 't', 'h', 'e', 'r', 'e'}
	ofs = packEntry(plumbing.OFSDeltaObject, len(delta), []byte{byte(len(blob))}, delta)
	ref = packEntry(plumbing.REFDeltaObject, len(delta), make([]byte, 20), delta)
	return blob, ofs, ref
}

// testPack is a pack of the entries body holds, outside any repository.
func testPack(body []byte) (*packs, *packFile) {
	data := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x02"), body...)
	data = append(data, make([]byte, 20)...)
	p := &packFile{name: "test.pack", idx: idxfile.NewMemoryIndex(), data: data, unmap: func() error { return nil }}
	return &packs{files: []*packFile{p}}, p
}

// FuzzPackEntry reads every offset of a pack made of fuzzed entries: no
// input makes the reader panic or allocate beyond what the entry could
// inflate to, and what it reads without error has the size the entry says.
func FuzzPackEntry(f *testing.F) {
	blob, ofs, ref := seedEntries()
	f.Add(append(append([]byte(nil), blob...), ofs...))
	f.Add(append(append([]byte(nil), blob...), ref...))
	f.Add(packEntry(plumbing.TreeObject, 1000, nil, []byte("short")))
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, p := testPack(body)
		for off := int64(12); off < int64(len(p.data))-20; off++ {
			typ, b, err := ps.at(p, off, -1, 0, true)
			if err != nil {
				continue
			}
			h, err := p.header(off)
			if err != nil {
				t.Fatalf("offset %d read, but its header is refused: %v", off, err)
			}
			if h.typ != plumbing.OFSDeltaObject && h.typ != plumbing.REFDeltaObject && (typ != h.typ || int64(len(b)) != h.size) {
				t.Fatalf("offset %d: a %s of %d bytes, its header says a %s of %d", off, typ, len(b), h.typ, h.size)
			}
		}
	})
}

// TestPackEntrySeeds: the seeds read as they were written, so the fuzzer
// starts from entries the reader accepts.
func TestPackEntrySeeds(t *testing.T) {
	blob, ofs, _ := seedEntries()
	ps, p := testPack(append(append([]byte(nil), blob...), ofs...))
	for _, c := range []struct {
		off  int64
		want string
	}{{12, "hello world"}, {12 + int64(len(blob)), "hello there"}} {
		typ, b, err := ps.at(p, c.off, -1, 0, true)
		if err != nil || typ != plumbing.BlobObject || string(b) != c.want {
			t.Errorf("offset %d: %s %q %v, want the blob %q", c.off, typ, b, err, c.want)
		}
	}
}

// BenchmarkPackReadAll reads every object of the packed benchmark
// repository (BenchmarkReadColdPacked builds it) once, in the order of
// its index, through fresh packs: the cost of the pack reading alone.
func BenchmarkPackReadAll(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "maproom-history-bench", "packed-1000x100", ".git")
	names, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.pack"))
	if len(names) == 0 {
		b.Skip("run BenchmarkReadColdPacked first: it builds the packed repository")
	}
	var hs []plumbing.Hash
	for _, n := range names {
		hs = append(hs, plumbing.NewHash(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), "pack-"), ".pack")))
	}
	for b.Loop() {
		ps, err := openPacks(osfs.New(dir), hs)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, p := range ps.files {
			for k := range p.idx.Names {
				for i := 0; i < len(p.idx.Names[k])/20; i++ {
					var h plumbing.Hash
					copy(h[:], p.idx.Names[k][i*20:])
					if _, _, err := ps.read(h); err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
		}
		ps.Close()
		b.ReportMetric(float64(n), "objects/op")
	}
}

// TestPackIndexSearch: in a fan-out bucket of thousands of hashes, as a
// large pack's index has, every hash is found at its place and no other
// hash is found, wherever its bytes put the search's first guess, also
// among hashes that share their first 8 bytes.
func TestPackIndexSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	var hs []plumbing.Hash
	seen := map[plumbing.Hash]bool{}
	for len(hs) < 3000 {
		var h plumbing.Hash
		for i := range h {
			h[i] = byte(r.Uint32())
		}
		if len(hs)%100 == 0 { // crowd some near one place, the same to 8 bytes
			copy(h[1:8], []byte{0x80, 0, 0, 0, 0, 0, 0})
		}
		h[0] = 0xab
		if !seen[h] {
			seen[h] = true
			hs = append(hs, h)
		}
	}
	slices.SortFunc(hs, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	idx := idxfile.NewMemoryIndex()
	for i := range idx.FanoutMapping {
		idx.FanoutMapping[i] = -1
	}
	idx.FanoutMapping[0xab] = 0
	var names []byte
	for _, h := range hs {
		names = append(names, h[:]...)
	}
	idx.Names = [][]byte{names}
	p := &packFile{idx: idx, first: []int32{0}}
	for i, h := range hs {
		if ord, ok := p.ord(h); !ok || int(ord) != i {
			t.Fatalf("hash %d (%s): found %v at %d", i, h, ok, ord)
		}
	}
	for range 3000 {
		h := hs[r.IntN(len(hs))]
		h[19] ^= 1
		if _, ok := p.ord(h); ok != seen[h] {
			t.Fatalf("%s: found %v, but it is in the index: %v", h, ok, seen[h])
		}
	}
	for _, h := range []plumbing.Hash{{0xab}, {0xab, 0xff, 0xff, 0xff, 0xff, 0xff}, {0xac}} {
		if _, ok := p.ord(h); ok {
			t.Errorf("%s is found, but it is not in the index", h)
		}
	}
}

// FuzzPatch holds patch, which builds a tree in a buffer the history
// reuses, to go-git's packfile.PatchDelta: on any base and delta, the
// same result, or an error from both; and a dst large enough is reused.
// What deltaSame reads off the delta is the base's, at both ends.
func FuzzPatch(f *testing.F) {
	base := []byte("100644 a\x0001234567890123456789" + "40000 deal-1\x00abcdefghijklmnopqrst")
	// copy 14 bytes from 0, insert "X", copy the rest from 15.
	f.Add(base, []byte{byte(len(base)), byte(len(base)), 0x90, 14, 1, 'X', 0x91, 15, byte(len(base) - 15)})
	f.Add(base, []byte{byte(len(base)), 3, 3, 'a', 'b', 'c'})
	f.Add(base, []byte{byte(len(base)), byte(len(base)), 0x80}) // a copy of 0x10000 bytes
	f.Add([]byte{}, []byte{0, 1, 0})                            // opcode 0
	f.Add(base, []byte{byte(len(base)), 2, 1, 'a'})             // short of its size
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		want, werr := packfile.PatchDelta(base, delta)
		dst := make([]byte, 0, 64)
		got, err := patch(dst, base, delta)
		if (err != nil) != (werr != nil) {
			t.Fatalf("patch error %v, PatchDelta error %v", err, werr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("patch gives %q, PatchDelta %q", got, want)
		}
		if len(got) > 0 && cap(got) <= 64 && &got[:1][0] != &dst[:1][0] {
			t.Fatalf("a buffer large enough was not reused")
		}
		pre, suf := deltaSame(delta, len(base), len(got))
		if !bytes.Equal(got[:pre], base[:pre]) || !bytes.Equal(got[len(got)-suf:], base[len(base)-suf:]) {
			t.Fatalf("deltaSame says the first %d and last %d bytes are the base's: %q on %q", pre, suf, got, base)
		}
	})
}

// FuzzCommitHead holds the walk's reading of a commit to go-git's
// decoder: whatever it reads, go-git reads too, the same tree, parents,
// author (name, email, time and zone), commit time and message.
func FuzzCommitHead(f *testing.F) {
	tree := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	parent := "parent 05314f652be2df447ee757bd7afb4f08361f0cef\n"
	author := "author Ann <ann@buyer.example> 1780000000 +0200\ncommitter Ann <ann@buyer.example> 1780000000 +0200\n"
	msg := "\nmessage\n\nMaproom-Reply: r1\n"
	f.Add([]byte(tree + author + msg))
	f.Add([]byte(tree + parent + author + msg))
	f.Add([]byte(tree + parent + strings.ToUpper(parent[:7]) + parent[7:] + author + msg))
	f.Add([]byte(tree + "parent 05314f\n" + author + msg))
	f.Add([]byte(tree + parent[:len(parent)-1]))
	f.Add([]byte(tree + "gpgsig x\n" + parent + author + msg))
	f.Add([]byte(tree + parent + author + "gpgsig -----BEGIN\n \n -----END\n" + msg))
	f.Add([]byte(tree + parent + "author Ann <ann@x> 1780000000 -0130"))
	f.Add([]byte(tree + parent + author + "\n"))
	f.Add([]byte(tree + parent + author + "\r\n\n" + msg))
	f.Add([]byte(tree + parent + "author Ann <ann@x> 1780000000 +0200\ncommitter Sam <sam@x> 1780090000 -0500\n" + msg)) // rebased a day later
	f.Add([]byte(tree + parent + "author Ann <ann@x> 1780000000 +0200\ngpgsig x\ncommitter Sam <sam@x> 1780090000 -0500\n" + msg))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := commitHead(raw)
		if !ok {
			return
		}
		var o plumbing.MemoryObject
		o.SetType(plumbing.CommitObject)
		o.Write(raw)
		var c object.Commit
		if err := c.Decode(&o); err != nil {
			t.Fatalf("read a commit go-git does not: %v", err)
		}
		var a, cm object.Signature
		a.Decode(got.author)
		cm.Decode(got.committer)
		_, off := a.When.Zone()
		_, coff := c.Author.When.Zone()
		if got.tree != c.TreeHash || !slices.Equal(got.parents, c.ParentHashes) || a.Name != c.Author.Name || a.Email != c.Author.Email || a.When.Unix() != c.Author.When.Unix() || off != coff || string(got.msg) != c.Message {
			t.Fatalf("read %v %v %+v %q; go-git reads %v %v %+v %q", got.tree, got.parents, a, got.msg, c.TreeHash, c.ParentHashes, c.Author, c.Message)
		}
		if cm.When.Unix() != c.Committer.When.Unix() {
			t.Fatalf("read the commit time %v; go-git reads %v", cm.When, c.Committer.When)
		}
	})
}

// FuzzCommitMessage holds the readers of a commit message's trailers to
// what the message says: each co-author's email is text of the message,
// not empty, after a bracket, and a reverted commit is the hash after
// "This reverts commit", else none.
func FuzzCommitMessage(f *testing.F) {
	f.Add("Squash (#12)\n\nCo-authored-by: Jordan Park <jordan@acme.example>\nco-authored-by: Ann <ann@x>\n")
	f.Add("Revert \"m1\"\n\nThis reverts commit 05314f652be2df447ee757bd7afb4f08361f0cef.\n")
	f.Add("This reverts commit 05314f\n")
	f.Add("Co-authored-by: <>\nCo-authored-by: x>y<\n")
	f.Add("x\n\nCo-authored-by: A < a@b >\nCo-authored-by: < >\n")
	f.Fuzz(func(t *testing.T, msg string) {
		for _, e := range coAuthors(msg) {
			if lt := strings.IndexByte(msg, '<'); e == "" || lt < 0 || !strings.Contains(msg[lt:], e) {
				t.Fatalf("co-author %q is not between brackets in %q", e, msg)
			}
		}
		if h := revertOf(msg); !h.IsZero() && !strings.Contains(strings.ToLower(msg), "this reverts commit "+h.String()) {
			t.Fatalf("reverts %s, which %q does not say", h, msg)
		}
	})
}

// TestCoAuthorsTrailersOnly: co-authors are read from the message's last
// paragraph, where git reads trailers, not from its body.
func TestCoAuthorsTrailersOnly(t *testing.T) {
	for msg, want := range map[string][]string{
		"Squash (#12)\n\nCo-authored-by: Jordan Park <jordan@acme.example>\n":                       {"jordan@acme.example"},
		"Squash\n\nCo-authored-by: Jordan Park <jordan@acme.example>\n\nAnd some words after it.\n": nil,
		"Co-authored-by: Jordan Park <jordan@acme.example>\n":                                       nil,
	} {
		if got := coAuthors(msg); !slices.Equal(got, want) {
			t.Errorf("coAuthors(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestPlaceOffsetOutOfRange: an index whose offset lies past the pack (a
// 64-bit offset in a small pack, whose top bits a sort key would lose) is
// an error when the pack opens, never a read out of bounds later.
func TestPlaceOffsetOutOfRange(t *testing.T) {
	blob, _, _ := seedEntries()
	for _, off := range []uint64{1<<32 + 12, 3, 1 << 20} {
		_, p := testPack(blob)
		idx := p.idx
		for i := range idx.FanoutMapping {
			idx.FanoutMapping[i] = -1
		}
		idx.FanoutMapping[0xab] = 0
		idx.Names = [][]byte{append([]byte{0xab}, make([]byte, 19)...)}
		idx.CRC32 = [][]byte{make([]byte, 4)}
		if off >= 1<<31 {
			idx.Offset32 = [][]byte{{0x80, 0, 0, 0}}
			idx.Offset64 = binary.BigEndian.AppendUint64(nil, off)
		} else {
			idx.Offset32 = [][]byte{binary.BigEndian.AppendUint32(nil, uint32(off))}
		}
		if err := p.place(); err == nil || !strings.Contains(err.Error(), "offset out of range") {
			t.Errorf("offset %d: place gave %v, want the offset out of range", off, err)
		}
	}
}
