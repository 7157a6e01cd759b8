package history

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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
		case eb == nil || (ea != nil && string(na) < string(nb)):
			c := treeChange{name: string(na)}
			c.old, c.oldDir = hashOf(ea)
			changed = append(changed, c)
			ea, na, ra = next(ra)
		case ea == nil || string(nb) < string(na):
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
	seq := func(from, to int) []int {
		var s []int
		for i := from; i < to; i++ {
			s = append(s, i)
		}
		return s
	}
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
