package history

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packs reads objects straight out of a repository's pack files: the
// pack mapped into memory, the object found through the pack's index,
// inflated, and its delta applied (patch, held to go-git's
// packfile.PatchDelta by FuzzPatch).
//
// go-git's own storage does the same through a file reader, and caches
// each object by its hash, which it computes for that (a collision-
// detecting SHA-1: a fifth of a read of 100,000 plan versions). Here an
// object is known by its place in the pack, and a delta base is kept
// exactly as long as deltas on it are still to be read: git packs
// versions of different files, and of different deals' plans, on one
// another, so the order the history reads them in is not the pack's.
//
// A packs is safe for concurrent use. The content it returns is shared
// with its cache and must not be written to.
type packs struct {
	files   []*packFile
	reads   atomic.Int64 // objects read, for Stats.Packed
	commits int          // commits the packs hold, to size the walk's maps

	mu sync.Mutex
	// Each pack's kept holds the content of objects read: a delta base
	// until it is read itself and every delta on it is (within heldMax
	// bytes), the other objects while they are among the last recentMax
	// bytes read (a tree is often read twice in a row).
	ring                 []slotRef // the recent ones, oldest first
	heldSize, recentSize int64
}

// kept is an object's content in packs' cache.
type kept struct {
	b    []byte
	left int32 // deltas on it still to read
	typ  plumbing.ObjectType
	in   bool // in the cache
	read bool // read itself, not only as a base
	held bool // kept as a base
}

// slotRef names an object by its pack and its place in the pack's index.
type slotRef struct {
	p   *packFile
	ord int32
}

// A pack's objects are known by their place in its index (ord), from 0:
// what the history needs of each is in slices by that place, filled when
// the pack is opened, so reading an object looks nothing up but its hash.
type packFile struct {
	name  string
	idx   *idxfile.MemoryIndex
	data  []byte // the whole pack file
	unmap func() error
	first []int32  // the place of the first object of each of idx.Names
	offs  []int64  // where each object's entry starts
	end   []int64  // where it ends: the next entry's start, or the pack's checksum
	crc   []uint32 // the entry's CRC-32, from the index
	base  []int32  // an OFS delta's base, by place; -1 for the others
	kids  []int32  // the deltas on each object
	kept  []kept   // the cache, under packs.mu
	refs  []int32  // the REF deltas, by place: their bases are counted once every pack is placed
	// commits counts the commit entries.
	commits int
}

const (
	heldMax   = 512 << 20
	recentMax = 16 << 20
	// maxChain bounds a delta chain: git's deepest (gc --aggressive) is
	// 250.
	maxChain = 10000
)

// errNotPacked is an object no pack of the repository holds (a loose one).
var errNotPacked = errors.New("not in a pack")

// openPacks opens the pack files of the repository whose git folder is
// fs, named by the hashes go-git lists (objects/pack/pack-<hash>.pack),
// and counts the deltas on each object.
func openPacks(fs billy.Filesystem, names []plumbing.Hash) (*packs, error) {
	ps := &packs{}
	for _, h := range names {
		p, err := openPack(fs, "objects/pack/pack-"+h.String())
		if err != nil {
			ps.Close()
			return nil, err
		}
		ps.files = append(ps.files, p)
	}
	for _, p := range ps.files {
		if err := p.place(); err != nil {
			ps.Close()
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
	}
	for _, p := range ps.files {
		ps.commits += p.commits
		if err := ps.count(p); err != nil {
			ps.Close()
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return ps, nil
}

// place lays out p's objects by their place in its index: where each
// starts and ends, its CRC-32, the place of an OFS delta's base, the REF
// deltas, and how many commits the pack holds. An offset outside the pack
// is an error.
func (p *packFile) place() error {
	n := 0
	p.first = make([]int32, len(p.idx.Names))
	for k := range p.idx.Names {
		p.first[k] = int32(n)
		n += len(p.idx.Names[k]) / 20
	}
	p.offs, p.base = make([]int64, n), make([]int32, n)
	p.end, p.crc = make([]int64, n), make([]uint32, n)
	p.kids, p.kept = make([]int32, n), make([]kept, n)
	// The objects by offset, each an offset and a place in one number
	// (offset<<32 | place): sorted, they are read front to back, where
	// reading their headers by place (hash order) jumped about the pack;
	// and an OFS delta's base is found by a binary search.
	byOff := make([]uint64, n)
	wide := int64(len(p.data)) >= 1<<32 || n >= 1<<31
	for k := range p.idx.Names {
		for i := range len(p.idx.Names[k]) / 20 {
			off, ok := p.offsetAt(k, i)
			if !ok || 4*i+4 > len(p.idx.CRC32[k]) || off < 12 || off >= int64(len(p.data))-20 {
				return fmt.Errorf("the index has an offset out of range")
			}
			ord := p.first[k] + int32(i)
			p.offs[ord] = off
			p.crc[ord] = binary.BigEndian.Uint32(p.idx.CRC32[k][4*i:])
			byOff[ord] = uint64(off)<<32 | uint64(ord)
		}
	}
	if wide {
		return p.placeWide()
	}
	slices.Sort(byOff)
	for i, e := range byOff {
		end := int64(len(p.data)) - 20
		if i+1 < len(byOff) {
			end = int64(byOff[i+1] >> 32)
		}
		p.end[e&(1<<32-1)] = end
	}
	// Two halves of the pack on two goroutines: the headers of a large
	// pack are read as its pages are first touched.
	half := len(byOff) / 2
	var refs [2][]int32
	var commits [2]int
	var errs [2]error
	var wg sync.WaitGroup
	for g, part := range [2][]uint64{byOff[:half], byOff[half:]} {
		wg.Go(func() {
			for _, e := range part {
				ord := int32(e & (1<<32 - 1))
				p.base[ord] = -1
				h, err := p.header(int64(e >> 32))
				if err != nil {
					errs[g] = err
					return
				}
				switch h.typ {
				case plumbing.CommitObject:
					commits[g]++
				case plumbing.OFSDeltaObject:
					want := uint64(h.base) << 32
					if i, _ := slices.BinarySearch(byOff, want); i < len(byOff) && byOff[i]>>32 == uint64(h.base) {
						p.base[ord] = int32(byOff[i] & (1<<32 - 1))
					}
				case plumbing.REFDeltaObject:
					refs[g] = append(refs[g], ord)
				}
			}
		})
	}
	wg.Wait()
	p.refs, p.commits = append(refs[0], refs[1]...), commits[0]+commits[1]
	return cmp.Or(errs[0], errs[1])
}

// placeWide is place's second half for a pack of 4 GiB or more, whose
// offsets do not fit in 32 bits.
func (p *packFile) placeWide() error {
	byOff := make([]placed, len(p.offs))
	for ord, off := range p.offs {
		byOff[ord] = placed{off, int32(ord)}
	}
	slices.SortFunc(byOff, func(a, b placed) int { return cmp.Compare(a.off, b.off) })
	for i, e := range byOff {
		p.end[e.ord] = int64(len(p.data)) - 20
		if i+1 < len(byOff) {
			p.end[e.ord] = byOff[i+1].off
		}
		ord := e.ord
		p.base[ord] = -1
		h, err := p.header(e.off)
		if err != nil {
			return err
		}
		switch h.typ {
		case plumbing.CommitObject:
			p.commits++
		case plumbing.OFSDeltaObject:
			if i, ok := slices.BinarySearchFunc(byOff, h.base, func(e placed, off int64) int { return cmp.Compare(e.off, off) }); ok {
				p.base[ord] = byOff[i].ord
			}
		case plumbing.REFDeltaObject:
			p.refs = append(p.refs, ord)
		}
	}
	return nil
}

// placed is an object of a pack: its offset and its place in the index.
type placed struct {
	off int64
	ord int32
}

// count counts the deltas on each object of p, from the OFS bases place
// found and the REF deltas it listed, into the pack holding the base (a
// REF delta's may be another). Every pack is placed before any is counted.
func (ps *packs) count(p *packFile) error {
	for _, b := range p.base {
		if b >= 0 {
			p.kids[b]++
		}
	}
	for _, ord := range p.refs {
		h, err := p.header(p.offs[ord])
		if err != nil {
			return err
		}
		if bp, _, bord, ok := ps.find(h.ref); ok {
			bp.kids[bord]++
		}
	}
	return nil
}

func openPack(fs billy.Filesystem, base string) (*packFile, error) {
	p := &packFile{name: base + ".pack", idx: idxfile.NewMemoryIndex()}
	f, err := fs.Open(base + ".idx")
	if err != nil {
		return nil, err
	}
	err = idxfile.NewDecoder(f).Decode(p.idx)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s.idx: %w", base, err)
	}
	st, err := fs.Stat(p.name)
	if err != nil {
		return nil, err
	}
	pf, err := openOS(fs, p.name, st.Size())
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	if p.data, p.unmap, err = mapFile(pf, st.Size()); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	if len(p.data) < 12+20 || string(p.data[:4]) != "PACK" {
		p.unmap()
		return nil, fmt.Errorf("%s: not a git pack file", p.name)
	}
	return p, nil
}

// openOS opens file name of fs, of size bytes, as the operating system's
// own file when fs is a folder of the OS's file system, so that it can be
// mapped (go-git's file system hands out files that hide their
// descriptor, and an 80 MB pack was read whole into memory); else through
// fs.
func openOS(fs billy.Filesystem, name string, size int64) (interface {
	io.ReaderAt
	io.Closer
}, error) {
	if root := fs.Root(); root != "" {
		if f, err := os.Open(filepath.Join(root, filepath.FromSlash(name))); err == nil {
			if st, err := f.Stat(); err == nil && st.Size() == size {
				return f, nil
			}
			f.Close()
		}
	}
	return fs.Open(name)
}

// readFile reads f, of size bytes, whole.
func readFile(f io.ReaderAt, size int64) ([]byte, func() error, error) {
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}

// Close unmaps the pack files.
func (ps *packs) Close() error {
	var first error
	for _, p := range ps.files {
		if err := p.unmap(); err != nil && first == nil {
			first = err
		}
	}
	ps.files = nil
	return first
}

// find returns the pack holding h, the object's offset in it and its
// place in the pack's index.
func (ps *packs) find(h plumbing.Hash) (*packFile, int64, int32, bool) {
	for _, p := range ps.files {
		if ord, ok := p.ord(h); ok {
			return p, p.offs[ord], ord, true
		}
	}
	return nil, 0, -1, false
}

// ord finds h's place in the pack's index. (go-git's FindOffset also
// records each lookup in a map, under a lock, for reverse lookups: 7% of
// a read.)
func (p *packFile) ord(h plumbing.Hash) (int32, bool) {
	k := p.idx.FanoutMapping[h[0]]
	if k < 0 || k >= len(p.idx.Names) {
		return 0, false
	}
	names := p.idx.Names[k]
	lo, hi := 0, len(names)/20
	// Hashes are spread evenly: where h's next bytes put it among the
	// bucket's is within a few dozen places of where it is, so the
	// search starts from a window around there when h lies in it.
	if n := hi; n > 64 {
		g := int(uint64(binary.BigEndian.Uint32(h[1:5])) * uint64(n) >> 32)
		if a := g - 32; a > 0 && bytes.Compare(names[a*20:a*20+20], h[:]) <= 0 {
			lo = a
		}
		if b := g + 32; b < n && bytes.Compare(names[b*20:b*20+20], h[:]) > 0 {
			hi = b
		}
	}
	// Most steps are told by the first 8 bytes.
	h8 := binary.BigEndian.Uint64(h[:8])
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m8 := binary.BigEndian.Uint64(names[mid*20:]); m8 != h8 {
			if m8 < h8 {
				lo = mid + 1
			} else {
				hi = mid
			}
			continue
		}
		switch c := bytes.Compare(names[mid*20:mid*20+20], h[:]); {
		case c == 0:
			return p.first[k] + int32(mid), true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// offsetAt is the offset of the i-th object of fan-out bucket k.
func (p *packFile) offsetAt(k, i int) (int64, bool) {
	o32 := p.idx.Offset32[k]
	if 4*i+4 > len(o32) {
		return 0, false
	}
	o := binary.BigEndian.Uint32(o32[4*i:])
	if o&(1<<31) == 0 {
		return int64(o), true
	}
	j := 8 * int(o&^(1<<31))
	if j+8 > len(p.idx.Offset64) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.idx.Offset64[j:])), true
}

// read returns object h's type and content; errNotPacked when no pack
// holds it.
func (ps *packs) read(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	return ps.readHolding(h, true)
}

// readHolding is read, holding the delta bases on h's chain for their
// other deltas only when hold: a reader that takes versions newest first,
// as they are stored on one another, has read those deltas before.
func (ps *packs) readHolding(h plumbing.Hash, hold bool) (plumbing.ObjectType, []byte, error) {
	p, off, ord, ok := ps.find(h)
	if !ok {
		return plumbing.InvalidObject, nil, errNotPacked
	}
	ps.reads.Add(1)
	t, b, err := ps.at(p, off, ord, 0, hold)
	if err != nil {
		return t, nil, fmt.Errorf("read git object %s from %s: %w", h, p.name, err)
	}
	return t, b, nil
}

// deltaOn returns the delta object h is stored as, inflated and appended
// to buf[:0], and where h is, when h is stored as a delta on the object at
// want; ok false
// when it is not (or no pack holds h). The caller applies the delta
// itself: h is not kept, and the delta is counted as read on its base (a
// base held for its deltas is let go after the last, and h, when held as
// one, is let go as soon as it is not).
func (ps *packs) deltaOn(h plumbing.Hash, want slotRef, buf []byte) (delta []byte, at slotRef, ok bool, err error) {
	p, ord, hd, ok, err := ps.storedOn(h, want)
	if err != nil || !ok {
		return nil, at, false, err
	}
	if err = p.check(ord); err == nil {
		delta, err = p.inflate(hd, buf[:0])
	}
	if err != nil {
		return nil, at, false, fmt.Errorf("read git object %s from %s: %w", h, p.name, err)
	}
	ps.reads.Add(1)
	ps.mu.Lock()
	ps.based(want.p, want.ord)
	if k := &p.kept[ord]; k.in && k.held {
		// Held as the base of a chain read before: read itself now.
		k.read = true
		ps.release(p, ord)
	}
	ps.mu.Unlock()
	return delta, slotRef{p, ord}, true, nil
}

// storedOn reports whether h is stored as a delta on the object at want,
// and where: its pack, its place and its entry's header.
func (ps *packs) storedOn(h plumbing.Hash, want slotRef) (p *packFile, ord int32, hd header, ok bool, err error) {
	p, off, ord, found := ps.find(h)
	if !found {
		return nil, 0, hd, false, nil
	}
	if hd, err = p.header(off); err != nil {
		return nil, 0, hd, false, fmt.Errorf("read git object %s from %s: %w", h, p.name, err)
	}
	switch hd.typ {
	case plumbing.OFSDeltaObject:
		ok = p == want.p && p.base[ord] == want.ord
	case plumbing.REFDeltaObject:
		bp, _, bord, found := ps.find(hd.ref)
		ok = found && bp == want.p && bord == want.ord
	}
	return p, ord, hd, ok, nil
}

// slot returns where h is: its pack and its place there.
func (ps *packs) slot(h plumbing.Hash) (slotRef, bool) {
	p, _, ord, ok := ps.find(h)
	return slotRef{p, ord}, ok
}

// header is what an object's entry in a pack starts with.
type header struct {
	typ  plumbing.ObjectType
	size int64 // of the content, or of the delta
	base int64 // a delta's base: its offset in the pack (OFS delta)
	ref  plumbing.Hash
	data int64 // where the compressed data starts
}

// header reads the entry header at off.
func (p *packFile) header(off int64) (header, error) {
	d := p.data
	end := int64(len(d)) - 20 // the pack's checksum
	if off < 12 || off >= end {
		return header{}, fmt.Errorf("offset %d outside the pack", off)
	}
	i := off
	c := d[i]
	i++
	h := header{typ: plumbing.ObjectType((c >> 4) & 7), size: int64(c & 15)}
	for shift := 4; c&0x80 != 0; shift += 7 {
		if i >= end || shift > 56 {
			return header{}, fmt.Errorf("bad entry header at %d", off)
		}
		c = d[i]
		i++
		h.size |= int64(c&0x7f) << shift
	}
	switch h.typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		if i >= end {
			return header{}, fmt.Errorf("bad delta header at %d", off)
		}
		c = d[i]
		i++
		back := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= end || back > 1<<48 {
				return header{}, fmt.Errorf("bad delta header at %d", off)
			}
			c = d[i]
			i++
			back = (back+1)<<7 | int64(c&0x7f)
		}
		h.base = off - back
		if back <= 0 || h.base < 12 {
			return header{}, fmt.Errorf("delta at %d points outside the pack", off)
		}
	case plumbing.REFDeltaObject:
		if i+20 > end {
			return header{}, fmt.Errorf("bad delta header at %d", off)
		}
		copy(h.ref[:], d[i:i+20])
		i += 20
	default:
		return header{}, fmt.Errorf("unknown object type %d at %d", h.typ, off)
	}
	h.data = i
	return h, nil
}

// check holds the entry at place ord, from its header to the next
// entry, to the CRC-32 the index gives for it, as git fsck does. zlib's
// checksum covers only what the entry inflates to: not its header, nor
// the bits that pad a deflate block out to a byte, which inflating skips
// (Go's compress/zlib ends each object with an empty stored block, whose
// padding a damaged byte can fall in, the content read still right).
// place read every header and checked every offset, so the entry lies
// within the pack; check says so again before it reads.
func (p *packFile) check(ord int32) error {
	if off, end := p.offs[ord], p.end[ord]; off < 12 || end < off || end > int64(len(p.data))-20 {
		return fmt.Errorf("the entry at %d lies outside the pack", off)
	}
	if crc32.ChecksumIEEE(p.data[p.offs[ord]:p.end[ord]]) != p.crc[ord] {
		return fmt.Errorf("the entry at %d does not match the CRC-32 of its index", p.offs[ord])
	}
	return nil
}

// at resolves the object at off in p, at place ord in its index (-1: an
// offset the index does not know, read without the cache): its type and
// content, its deltas applied (depth counts the deltas above it).
func (ps *packs) at(p *packFile, off int64, ord int32, depth int, hold bool) (plumbing.ObjectType, []byte, error) {
	if depth > maxChain {
		return plumbing.InvalidObject, nil, fmt.Errorf("delta chain longer than %d", maxChain)
	}
	if ord >= 0 {
		if t, b, ok := ps.get(p, ord, depth == 0); ok {
			return t, b, nil
		}
		if err := p.check(ord); err != nil {
			return plumbing.InvalidObject, nil, err
		}
	}
	h, err := p.header(off)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	var t plumbing.ObjectType
	var out []byte
	switch h.typ {
	case plumbing.OFSDeltaObject, plumbing.REFDeltaObject:
		bp, boff, bord := p, h.base, int32(-1)
		if h.typ == plumbing.REFDeltaObject {
			var ok bool
			if bp, boff, bord, ok = ps.find(h.ref); !ok {
				return plumbing.InvalidObject, nil, fmt.Errorf("the delta base %s is in no pack", h.ref)
			}
		} else if ord >= 0 {
			bord = p.base[ord]
		}
		bt, base, err := ps.at(bp, boff, bord, depth+1, hold)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		delta := deltaBuf.Get().(*[]byte)
		defer deltaBuf.Put(delta)
		if *delta, err = p.inflate(h, (*delta)[:0]); err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if out, err = patch(nil, base, *delta); err != nil {
			return plumbing.InvalidObject, nil, fmt.Errorf("delta at %d: %w", off, err)
		}
		t = bt
		ps.put(p, ord, t, out, depth == 0, hold, bp, bord)
	default:
		if out, err = p.inflate(h, nil); err != nil {
			return plumbing.InvalidObject, nil, err
		}
		t = h.typ
		ps.put(p, ord, t, out, depth == 0, hold, nil, -1)
	}
	return t, out, nil
}

// get returns the object at place ord of p if it is kept; read tells it
// is read itself, not as a delta's base.
func (ps *packs) get(p *packFile, ord int32, read bool) (plumbing.ObjectType, []byte, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	k := &p.kept[ord]
	if !k.in {
		return plumbing.InvalidObject, nil, false
	}
	t, b := k.typ, k.b
	if read && k.held {
		k.read = true
		ps.release(p, ord)
	}
	return t, b, true
}

// put keeps an object just read, at place ord of p (read: itself, not as
// a base; ord -1: not kept), and counts a delta read on its base, at
// place bord of bp, when it is one.
func (ps *packs) put(p *packFile, ord int32, t plumbing.ObjectType, b []byte, read, hold bool, bp *packFile, bord int32) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.based(bp, bord)
	if ord < 0 || read && t == plumbing.CommitObject && p.kids[ord] == 0 {
		return // a commit is read once: it would only push trees out
	}
	k := &p.kept[ord]
	if k.in {
		return
	}
	size := int64(len(b))
	if kids := p.kids[ord]; kids > 0 && hold && ps.heldSize+size <= heldMax {
		*k = kept{typ: t, b: b, left: kids, read: read, held: true, in: true}
		ps.heldSize += size
		return
	}
	ps.recent(p, ord, t, b)
}

// based counts a delta read on the base at place bord of bp (-1: none),
// and lets the base go when it was the last; under ps.mu.
func (ps *packs) based(bp *packFile, bord int32) {
	if bord >= 0 {
		if k := &bp.kept[bord]; k.in && k.held {
			k.left--
			ps.release(bp, bord)
		}
	}
}

// recent keeps an object among the last recentMax bytes read, dropping
// the oldest ones for it.
func (ps *packs) recent(p *packFile, ord int32, t plumbing.ObjectType, b []byte) {
	size := int64(len(b))
	if size > recentMax/16 {
		p.kept[ord] = kept{}
		return
	}
	for ps.recentSize+size > recentMax && len(ps.ring) > 0 {
		old := ps.ring[0]
		ps.ring = ps.ring[1:]
		if ok := &old.p.kept[old.ord]; ok.in && !ok.held {
			ps.recentSize -= int64(len(ok.b))
			*ok = kept{}
		}
	}
	p.kept[ord] = kept{typ: t, b: b, in: true}
	ps.ring = append(ps.ring, slotRef{p, ord})
	ps.recentSize += size
}

// release lets a held base go once it is read and every delta on it is:
// it is kept on among the recent objects (the parent's tree a commit is
// compared with is the tree the commit before read). A base never read
// itself (another file's version) is held until the read ends, within
// heldMax.
func (ps *packs) release(p *packFile, ord int32) {
	k := &p.kept[ord]
	if k.read && k.left <= 0 {
		ps.heldSize -= int64(len(k.b))
		ps.recent(p, ord, k.typ, k.b)
	}
}

var (
	deltaBuf  = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
	inflaters = sync.Pool{}
)

// inflater is a zlib reader and the reader of the compressed bytes it
// reads, kept together and reused.
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser
}

// inflate appends the h.size bytes the compressed data of h holds to buf.
func (p *packFile) inflate(h header, buf []byte) ([]byte, error) {
	in, _ := inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{}
	}
	in.src.Reset(p.data[h.data : len(p.data)-20])
	if in.zr == nil {
		zr, err := zlib.NewReader(&in.src)
		if err != nil {
			return nil, fmt.Errorf("inflate the entry at %d: %w", h.data, err)
		}
		in.zr = zr
	} else if err := in.zr.(zlib.Resetter).Reset(&in.src, nil); err != nil {
		return nil, fmt.Errorf("inflate the entry at %d: %w", h.data, err)
	}
	defer inflaters.Put(in)
	zr := in.zr
	// zlib inflates at most about 1,032 bytes out of one: a larger size
	// is a broken entry, not a reason to allocate it.
	if h.size < 0 || h.size > (int64(len(p.data))-h.data)*1100+64 {
		return nil, fmt.Errorf("the entry at %d claims %d bytes", h.data, h.size)
	}
	n := len(buf)
	if cap(buf)-n < int(h.size) {
		buf = append(buf[:cap(buf)], make([]byte, n+int(h.size)-cap(buf))...)
	}
	buf = buf[:n+int(h.size)]
	if _, err := io.ReadFull(zr, buf[n:]); err != nil {
		return nil, fmt.Errorf("inflate the entry at %d: %w", h.data, err)
	}
	// Read on to the end of the stream, where zlib checks the content's
	// checksum: a damaged pack is an error, never a wrong version.
	var one [1]byte
	if k, err := zr.Read(one[:]); k != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = fmt.Errorf("more than the %d bytes its header says", h.size)
		}
		return nil, fmt.Errorf("inflate the entry at %d: %w", h.data, err)
	}
	return buf, nil
}

// patch applies git delta d to base, writing the result into dst's
// storage (grown when short), and returns it. It is go-git's
// packfile.PatchDelta into a buffer the caller owns: the history compares
// 100,000 content trees of 40 KB, each a delta on the one before, and
// building each in a fresh buffer was a fifth of the read, most of it
// zeroing the buffer and collecting it again.
func patch(dst, base, d []byte) ([]byte, error) {
	if len(base) == 0 || len(d) < 2 {
		return nil, errors.New("a delta on nothing, or too short to be one")
	}
	src, d, ok := deltaSize(d)
	if !ok || src != uint64(len(base)) {
		return nil, fmt.Errorf("the delta is for a base of %d bytes, not %d", src, len(base))
	}
	size, d, ok := deltaSize(d)
	if !ok || size > uint64(len(base))+uint64(len(d))*0x10000 {
		return nil, errors.New("bad delta header")
	}
	n := int(size)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	at := 0
	for len(d) > 0 {
		c := d[0]
		d = d[1:]
		switch {
		case c&0x80 != 0: // copy from base
			off, k, rest, ok := copyOp(c, d)
			if !ok {
				return nil, errors.New("delta cut short")
			}
			d = rest
			if off+k > uint(len(base)) || uint(at)+k > uint(n) {
				return nil, errors.New("delta copies outside its base or result")
			}
			at += copy(dst[at:], base[off:off+k])
		case c != 0: // insert the next c bytes
			k := int(c)
			if k > len(d) || at+k > n {
				return nil, errors.New("delta inserts past its end")
			}
			at += copy(dst[at:], d[:k])
			d = d[k:]
		default:
			return nil, errors.New("delta opcode 0")
		}
	}
	if at != n {
		return nil, fmt.Errorf("delta gives %d bytes, not the %d it says", at, n)
	}
	return dst, nil
}

// copyOp reads the offset and size of the copy op c, from the bytes
// after c; ok false when they are cut short.
func copyOp(c byte, d []byte) (off, k uint, rest []byte, ok bool) {
	for i := range 7 {
		if c&(1<<i) == 0 {
			continue
		}
		if len(d) == 0 {
			return 0, 0, nil, false
		}
		if i < 4 {
			off |= uint(d[0]) << (8 * i)
		} else {
			k |= uint(d[0]) << (8 * (i - 4))
		}
		d = d[1:]
	}
	if k == 0 {
		k = 0x10000
	}
	return off, k, d, true
}

// deltaSame returns how many bytes the result of delta d, which patch
// applied to a base of baseLen bytes giving n, starts and ends with in
// common with the base, at least: its first op's copy of the base's start,
// and its last op's copy of the base's end to the result's end.
func deltaSame(d []byte, baseLen, n int) (pre, suf int) {
	_, d, _ = deltaSize(d)
	_, d, _ = deltaSize(d)
	at := 0
	for first := true; len(d) > 0; first = false {
		c := d[0]
		d = d[1:]
		if c&0x80 == 0 {
			k := min(int(c), len(d))
			d, at, suf = d[k:], at+k, 0
			continue
		}
		off, k, rest, ok := copyOp(c, d)
		if !ok {
			return 0, 0
		}
		d = rest
		if first && off == 0 {
			pre = int(k)
		}
		at += int(k)
		suf = 0
		if int(off+k) == baseLen && at == n {
			suf = int(k)
		}
	}
	return min(pre, n, baseLen), min(suf, n, baseLen)
}

// deltaSize reads one of the sizes a delta starts with, as git reads it:
// little-endian groups of 7 bits, up to a byte without the high bit or the
// end of the delta (nothing left is 0); more than 9 bytes overflow.
func deltaSize(d []byte) (uint64, []byte, bool) {
	var v uint64
	for i, c := range d {
		if i >= 9 {
			return 0, nil, false
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 || i+1 == len(d) {
			return v, d[i+1:], true
		}
	}
	return 0, d, true
}
