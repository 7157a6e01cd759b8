package history

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// diffTreesWhole is diffTrees without its shortcuts: every entry of both
// trees read and compared, the reference FuzzDiffTrees holds it to.
func diffTreesWhole(a, b []byte) (changed []treeChange) {
	next := func(t []byte) (e []byte, name []byte, rest []byte) {
		if len(t) == 0 {
			return nil, nil, nil
		}
		sp := bytes.IndexByte(t, ' ')
		nul := bytes.IndexByte(t, 0)
		if sp < 0 || nul < sp || len(t) < nul+21 {
			return nil, nil, nil
		}
		return t[:nul+21], t[sp+1 : nul], t[nul+21:]
	}
	hashOf := func(e []byte) (plumbing.Hash, bool) {
		var h plumbing.Hash
		copy(h[:], e[len(e)-20:])
		return h, bytes.HasPrefix(e, []byte("40000 "))
	}
	ea, na, ra := next(a)
	eb, nb, rb := next(b)
	for ea != nil || eb != nil {
		switch {
		case ea != nil && eb != nil && bytes.Equal(ea, eb):
			ea, na, ra = next(ra)
			eb, nb, rb = next(rb)
		case eb == nil || (ea != nil && treeOrder(na, isDir(ea), nb, isDir(eb)) < 0):
			c := treeChange{name: string(na)}
			c.old, c.oldDir = hashOf(ea)
			changed = append(changed, c)
			ea, na, ra = next(ra)
		case ea == nil || treeOrder(na, isDir(ea), nb, isDir(eb)) > 0:
			c := treeChange{name: string(nb)}
			c.new, c.newDir = hashOf(eb)
			changed = append(changed, c)
			eb, nb, rb = next(rb)
		default:
			c := treeChange{name: string(na)}
			c.old, c.oldDir = hashOf(ea)
			c.new, c.newDir = hashOf(eb)
			changed = append(changed, c)
			ea, na, ra = next(ra)
			eb, nb, rb = next(rb)
		}
	}
	return changed
}

// seq returns from, from+1, ..., to-1.
func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// rawTree writes deal folders named deal-NNNN for each n, the hash of
// each made of v and n (hashes hold NULs and spaces too).
func rawTree(v byte, ns ...int) []byte {
	var b []byte
	for _, n := range ns {
		b = append(b, fmt.Sprintf("40000 deal-%04d\x00", n)...)
		h := bytes.Repeat([]byte{v, byte(n), 0, ' '}, 5)
		b = append(b, h...)
	}
	return b
}

// FuzzDiffTrees holds diffTrees to reading both trees whole, on trees of
// any bytes: the same changes, in the same order, whether a's entries'
// places are known or not; and where it gives b's entries' places, they
// are where b's entries start.
func FuzzDiffTrees(f *testing.F) {
	all := rawTree(1, seq(0, 50)...)
	one := append(append(rawTree(1, seq(0, 20)...), rawTree(2, 20)...), rawTree(1, seq(21, 50)...)...)
	f.Add(all, one)                                               // one folder changed
	f.Add(all, rawTree(1, append(seq(0, 20), seq(21, 50)...)...)) // one removed
	f.Add(rawTree(1, seq(1, 50)...), all)                         // one added first
	f.Add(all, rawTree(2, seq(0, 50)...))                         // every one changed
	f.Add(all, all)
	f.Add(all, append(append([]byte(nil), all...), "40000 deal-9999\x00short"...)) // a broken entry at the end
	f.Add(all[:len(all)-7], all)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		want := diffTreesWhole(a, b)
		cp := commonPrefix(a, b)
		cs := commonSuffix(a, b)
		// With a's places and without; with the common ends not known,
		// half known, and known.
		for i, as := range [][]int{entryStarts(a), nil, entryStarts(a), entryStarts(a)} {
			same := [][2]int{{}, {}, {cp / 2, cs / 2}, {cp, cs}}[i]
			got, bs := diffTreesAt(a, as, b, nil, same)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("diffTreesAt (a's places %v):\n got %+v\nwant %+v", as != nil, got, want)
			}
			if bs != nil && !reflect.DeepEqual(bs, entryStarts(b)) {
				t.Fatalf("b's places: got %v, want %v", bs, entryStarts(b))
			}
			if as != nil && entryStarts(b) != nil && bs == nil {
				t.Fatalf("b reads as entries, but its places are not given")
			}
		}
	})
}

// FuzzPatchInPlace holds patchInPlace to patching a copy and reading both
// trees whole, on trees of any bytes and the deltas git's packer would
// write between them: where it builds b in a itself, a becomes b, the
// changes are those of diffTreesWhole and the places are b's; where it
// does not, a is left as it was.
func FuzzPatchInPlace(f *testing.F) {
	all := rawTree(1, seq(0, 50)...)
	f.Add(all, append(append(rawTree(1, seq(0, 20)...), rawTree(2, 20)...), rawTree(1, seq(21, 50)...)...)) // one folder changed
	f.Add(all, append(append(rawTree(1, seq(0, 20)...), rawTree(1, seq(21, 50)...)...), rawTree(1, 51)...)) // one removed, one added
	f.Add(all, rawTree(1, seq(1, 51)...))
	f.Add(all, rawTree(2, seq(0, 50)...))
	f.Add(all, all)
	f.Add(all, append(append([]byte(nil), all[:len(all)-22]...), "40000 deal\x00short----------------"...))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		as := entryStarts(a)
		if len(a) != len(b) || as == nil || len(a) == 0 || !gitOrdered(a) || !gitOrdered(b) {
			return // only trees as git writes them hold their changes to a span
		}
		d := packfile.DiffDelta(a, b)
		in := bytes.Clone(a)
		var scratch []byte
		changes, starts, ok := patchInPlace(in, as, d, &scratch, nil)
		if !ok {
			if !bytes.Equal(in, a) {
				t.Fatalf("not built in place, but a was written over")
			}
			return
		}
		if !bytes.Equal(in, b) {
			t.Fatalf("built in place:\n got %q\nwant %q", in, b)
		}
		if want := diffTreesWhole(a, b); !reflect.DeepEqual(changes, want) {
			t.Fatalf("changes:\n got %+v\nwant %+v", changes, want)
		}
		if want := entryStarts(b); !reflect.DeepEqual(starts, want) {
			t.Fatalf("b's places: got %v, want %v", starts, want)
		}
	})
}

// gitOrdered reports whether raw tree t reads as entries to its end, each
// after the one before in git's order.
func gitOrdered(t []byte) bool {
	starts := entryStarts(t)
	if starts == nil {
		return false
	}
	var last []byte
	lastDir := false
	for i := 0; i+1 < len(starts); i++ {
		e := t[starts[i]:starts[i+1]]
		name := e[bytes.IndexByte(e, ' ')+1 : len(e)-21]
		if i > 0 && treeOrder(last, lastDir, name, isDir(e)) >= 0 {
			return false
		}
		last, lastDir = name, isDir(e)
	}
	return true
}
