package history

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// A commit changes a few lines of a plan, so most of a version's text is
// the text of the version before it: the same start and the same end.
// splice parses only what holds the lines between and takes everything
// else from the last version's parse, without cutting its text into lines
// or looking its pieces up in the memo. It goes down from the section
// holding the change (a top-level key) through the items of block
// sequences holding it (a milestone, a task), and at the deepest reads
// anew either the run of items the change spans (each item the same as
// before is kept, each changed one goes down again) or the key lines it
// spans (a due date, a status and its done date). The nodes above are
// copied with the new ones in their place; no node is ever written.
//
// Why that reads as parsing the whole version: a unit's text parses to the
// same node wherever it stands (the memo rests on it too), and a unit ends
// where the next line at its indent or less starts. The text before the
// change is the last version's, so the units before it end where they did;
// the text after it too, so the unit holding it still ends where the next
// unit starts, and that one reads as before. What is checked is the new
// text of what is read anew: items must still be items at the same
// indent, cut where a line at that indent starts; key lines must still be
// the same keys, each with its value on its line; a section must start at
// a top-level key. When they are not (an item split in two, a value
// running onto the next line), the unit holding them is read anew
// instead, up to the section; past that the version is parsed whole.
// FuzzMemo and TestMemoEditChain hold splice to parsing each version alone.

// splice parses fm from the last version the memo parsed, which it
// differs from in old[lo:hi] (-1s: not known yet); ok is false when it
// cannot, and fm is to be parsed whole.
func (m *memo) splice(fm []byte, lo, hi int) (*node, bool) {
	old := m.last.text
	if old == nil {
		return nil, false
	}
	if lo < 0 {
		pre := commonPrefix(old, fm)
		if pre == len(old) && pre == len(fm) {
			return m.last.root, true
		}
		lo, hi = pre, len(old)-commonSuffix(old[pre:], fm[pre:])
	}
	d := len(fm) - len(old)
	secs := m.last.sections
	i, i2 := around(secs, lo, hi)
	if i < 0 || i2 != i {
		return nil, false // not within one section
	}
	s := secs[i]
	if s.start > 0 && !top(fm[s.start:]) {
		return nil, false
	}
	text := fm[s.start : s.end+d]
	n, ok := m.resplice(s.n, old[s.start:s.end], text, lo-s.start, hi-s.start, false)
	if !ok {
		n, ok = m.section(text)
	}
	if !ok || n.kind != mapNode {
		return nil, false
	}
	root := &node{kind: mapNode, items: make([]*node, 0, len(m.last.root.items)+2)}
	for j, sec := range secs {
		sn := sec.n
		if j == i {
			sn = n
		}
		for _, it := range sn.items {
			if root.get(it.key) != nil {
				return nil, false
			}
			root.items = append(root.items, it)
		}
	}
	secs[i].n, secs[i].end = n, secs[i].end+d
	for j := i + 1; j < len(secs); j++ {
		secs[j].start += d
		secs[j].end += d
	}
	m.last.text, m.last.root = fm, root
	return root, true
}

// resplice returns the node of a unit whose text old, parsed to n, now
// reads text: the same but for old[lo:hi]. The deepest item holding that
// change, or the run of items, is parsed anew, and the nodes holding them
// copied with the new ones in their place. ok is false when the change is
// not within n's items: the unit is then to be parsed anew.
func (m *memo) resplice(n *node, old, text []byte, lo, hi int, item bool) (*node, bool) {
	d := len(text) - len(old)
	kids := m.kids[n]
	k1, k2 := around(kids, lo, hi)
	if k1 < 0 {
		return m.line(n, kids, old, text, lo, hi, item)
	}
	a, b := kids[k1].start, kids[k2].end
	cs, us := m.run(kids[k1:k2+1], old, text[a:b+d], lo, hi)
	if cs == nil {
		if cs, us = m.items(old[a:b], text[a:b+d], a); cs == nil {
			return nil, false
		}
	}
	nn := replaced(n, kids, k1, k2, cs)
	if nn == nil {
		return nil, false
	}
	moved := make([]unit, 0, len(kids)-(k2-k1+1)+len(us))
	moved = append(append(moved, kids[:k1]...), us...)
	for _, u := range kids[k2+1:] {
		moved = append(moved, unit{u.start + d, u.end + d, u.n})
	}
	m.kids[nn] = moved
	return nn, true
}

// run returns the nodes of the items text, which were the run of items
// olds of old (placed in it, the change [lo, hi) in it too), each item
// taken from its old node: the same when its text is, else respliced.
// nil when the run does not hold as many items as it did, or an item
// cannot be respliced.
func (m *memo) run(olds []unit, old, text []byte, lo, hi int) ([]*node, []unit) {
	a := olds[0].start
	if len(olds) == 1 {
		u := olds[0]
		if c, ok := m.resplice(u.n, old[u.start:u.end], text, lo-u.start, hi-u.start, true); ok {
			return []*node{c}, []unit{{a, a + len(text), c}}
		}
		return nil, nil
	}
	// Cut the run where a line at the items' indent or less starts.
	ind := indent(old[a:])
	cs, us := make([]*node, 0, len(olds)), make([]unit, 0, len(olds))
	start := 0
	item := func(end int) bool {
		k := len(cs)
		if k >= len(olds) {
			return false
		}
		u, t := olds[k], text[start:end]
		ot := old[u.start:u.end]
		c := u.n
		if !bytes.Equal(ot, t) {
			pre := commonPrefix(ot, t)
			suf := commonSuffix(ot[pre:], t[pre:])
			var ok bool
			if c, ok = m.resplice(u.n, ot, t, pre, len(ot)-suf, true); !ok {
				one, _ := m.items(ot, t, 0) // changed outside its own items
				if len(one) != 1 {
					return false
				}
				c = one[0]
			}
		}
		cs, us = append(cs, c), append(us, unit{a + start, a + end, c})
		return true
	}
	for at := 0; at < len(text); {
		next := len(text)
		if j := bytes.IndexByte(text[at:], '\n'); j >= 0 {
			next = at + j + 1
		}
		if at > 0 {
			if i := indent(text[at:next]); i <= ind && at+i < next && text[at+i] != '\n' && text[at+i] != '\r' && text[at+i] != '#' {
				if i < ind || text[at+i] != '-' || !item(at) {
					return nil, nil
				}
				start = at
			}
		}
		at = next
	}
	if !item(len(text)) || len(cs) != len(olds) {
		return nil, nil
	}
	return cs, us
}

// line returns a copy of mapping n, whose text old now reads text, with
// the keys on the lines holding the change [lo, hi) read anew: lines of
// keys of n (at its keys' indent; item tells an item's text, whose keys
// stand after its dash, from a section's), each with its value on its
// line, before and after, none of them in one of n's items. ok is false
// for any other change.
func (m *memo) line(n *node, kids []unit, old, text []byte, lo, hi int, item bool) (*node, bool) {
	d := len(text) - len(old)
	ls := bytes.LastIndexByte(old[:lo], '\n') + 1
	j := bytes.IndexByte(old[hi:], '\n')
	if n.kind != mapNode || j < 0 {
		return nil, false
	}
	le := hi + j + 1
	for _, u := range kids {
		if u.start < le && ls < u.end {
			return nil, false
		}
	}
	ind := 0
	if item {
		ind = indent(old) + 1
		for ind < len(old) && old[ind] == ' ' {
			ind++
		}
	}
	// The keys the lines held, a run of n's items.
	k0, k := -1, 0
	for at := ls; at < le; k++ {
		e := at + bytes.IndexByte(old[at:le], '\n') + 1
		key, _, ok := keyLine(old[at:e], ind)
		if !ok {
			return nil, false
		}
		if k0 < 0 {
			k0 = slices.IndexFunc(n.items, func(it *node) bool { return it.key == key })
		}
		if k0 < 0 || k0+k >= len(n.items) || n.items[k0+k].key != key {
			return nil, false
		}
		at = e
	}
	items := append(make([]*node, 0, len(n.items)+2), n.items[:k0]...)
	p := yparser{src: text, memo: m, a: &m.arena}
	for at := ls; at < le+d; {
		e := at + bytes.IndexByte(text[at:le+d], '\n') + 1
		key, rest, ok := keyLine(text[at:e], ind)
		if !ok {
			return nil, false
		}
		v, ok := p.inline(rest)
		if !ok {
			return nil, false
		}
		v.key = key
		items = append(items, v)
		at = e
	}
	items = append(items, n.items[k0+k:]...)
	for i := range items {
		for _, o := range items[:i] {
			if o.key == items[i].key {
				return nil, false
			}
		}
	}
	nn := &node{kind: mapNode, key: n.key, val: n.val, items: items}
	if len(kids) > 0 {
		moved := make([]unit, len(kids))
		for i, u := range kids {
			if u.start >= le {
				u.start, u.end = u.start+d, u.end+d
			}
			moved[i] = u
		}
		m.kids[nn] = moved
	}
	return nn, true
}

// keyLine splits l, a line with its newline, into a key at indent ind
// and the value written after it; ok is false for any other line, and
// for a line with a tab or a # (left to the parser).
func keyLine(l []byte, ind int) (key, rest string, ok bool) {
	l = bytes.TrimRight(l, " \r\n")
	if indent(l) != ind || ind >= len(l) || l[ind] == '-' || bytes.IndexByte(l, '\t') >= 0 || bytes.IndexByte(l, '#') >= 0 {
		return "", "", false
	}
	key, rest, ok = keyOf(unsafeString(l[ind:]))
	return key, rest, ok && rest != ""
}

// items parses text, which was the items old of a block sequence, as
// items at the same indent, placed at base; nil when it is not.
func (m *memo) items(old, text []byte, base int) ([]*node, []unit) {
	ind := indent(old)
	if indent(text) != ind || ind >= len(text) || text[ind] != '-' {
		return nil, nil
	}
	seq, ok := parseBlockMemo(text, m)
	if !ok || seq.kind != seqNode {
		return nil, nil
	}
	kids := m.kids[seq]
	delete(m.kids, seq)
	if len(kids) != len(seq.items) {
		return nil, nil
	}
	for i := range kids {
		kids[i].start += base
		kids[i].end += base
	}
	return seq.items, kids
}

// around returns the run of units k1 to k2 of us that holds the change
// [lo, hi), with a line of its own after it, or -1s.
func around(us []unit, lo, hi int) (k1, k2 int) {
	k1 = -1
	for i, u := range us {
		if u.start > lo {
			break
		}
		k1 = i
	}
	if k1 < 0 {
		return -1, -1
	}
	for k2 = k1; k2 < len(us); k2++ {
		if hi <= us[k2].end-1 {
			return k1, k2
		}
		if k2+1 < len(us) && us[k2+1].start != us[k2].end {
			break // not one run of items
		}
	}
	return -1, -1
}

// replaced returns a copy of mapping n with cs in place of its kids k1 to
// k2, items of one block sequence; the kids of n are the items of the
// block sequences among its values, in order (nil when they are not).
func replaced(n *node, kids []unit, k1, k2 int, cs []*node) *node {
	if n.kind != mapNode {
		return nil
	}
	at, ki, j1 := 0, -1, -1
	for i, v := range n.items {
		if v.kind != seqNode {
			continue
		}
		for j, it := range v.items {
			if at >= len(kids) || kids[at].n != it {
				return nil
			}
			if at == k1 {
				ki, j1 = i, j
			}
			at++
		}
		if ki == i && j1+(k2-k1) >= len(v.items) {
			return nil // the run goes on into another sequence
		}
	}
	if at != len(kids) || ki < 0 {
		return nil
	}
	s := *n.items[ki]
	s.items = slices.Concat(s.items[:j1], cs, s.items[j1+k2-k1+1:])
	nn := *n
	nn.items = slices.Clone(n.items)
	nn.items[ki] = &s
	return &nn
}

// hold gives the items recorded since mark to n, the unit whose text
// starts at, placed within it.
func (m *memo) hold(n *node, mark, at int) {
	if len(m.rec) > mark {
		kids := make([]unit, len(m.rec)-mark)
		for i, u := range m.rec[mark:] {
			kids[i] = unit{u.start - at, u.end - at, u.n}
		}
		m.kids[n] = kids
	}
	m.rec = m.rec[:mark]
}

// indent counts the spaces text starts with.
func indent(text []byte) int {
	i := 0
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}

// commonPrefix returns how many bytes a and b start with in common:
// blocks compared whole first (bytes.Equal compares many bytes a step),
// then the first that differs word by word.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+block <= n && bytes.Equal(a[i:i+block], b[i:i+block]) {
		i += block
	}
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix returns how many bytes a and b end with in common.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+block <= n && bytes.Equal(a[len(a)-i-block:len(a)-i], b[len(b)-i-block:len(b)-i]) {
		i += block
	}
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[len(a)-i-8:]) ^ binary.LittleEndian.Uint64(b[len(b)-i-8:]); x != 0 {
			return i + bits.LeadingZeros64(x)/8
		}
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

// block is how many bytes commonPrefix and commonSuffix compare a step.
const block = 128
