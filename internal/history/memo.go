package history

import (
	"bytes"
)

// memo keeps the parsed pieces of a deal's last version, keyed by their
// text: consecutive versions of a plan differ in a few lines, so most of
// a version's top-level keys, and most items of a list such as
// milestones:, are parsed once for all the versions that repeat them. The
// pieces are parsed exactly as parseBlock parses the whole (TestMemo holds
// them to it); a piece that does not split cleanly makes the version
// parsed whole.
type memo struct {
	prev, next map[string]*node
}

// parse parses a frontmatter through the memo.
func (m *memo) parse(fm []byte) (*node, bool) {
	m.next = make(map[string]*node, len(m.prev)+8)
	root := &node{kind: mapNode, items: make([]*node, 0, 16)}
	ok := eachPiece(fm, func(line []byte) bool { return top(line) }, func(sec []byte) bool {
		n, ok := m.section(sec)
		if !ok || n.kind != mapNode {
			return false
		}
		for _, it := range n.items {
			if root.get(it.key) != nil {
				return false
			}
			root.items = append(root.items, it)
		}
		return true
	})
	m.prev = m.next
	if !ok || len(root.items) == 0 {
		return nil, false
	}
	return root, true
}

// top reports whether line starts a top-level key: text in the first
// column that is not a comment or a list item.
func top(line []byte) bool {
	return len(line) > 0 && line[0] != ' ' && line[0] != '#' && line[0] != '-' && line[0] != '\r' && line[0] != '\t'
}

// eachPiece calls fn with each piece of text: a piece starts at a line for
// which starts is true (text before the first such line belongs to the
// first piece). It stops at the first fn that returns false.
func eachPiece(text []byte, starts func([]byte) bool, fn func([]byte) bool) bool {
	begin, i := 0, 0
	first := true
	for i < len(text) {
		j := bytes.IndexByte(text[i:], '\n')
		end := len(text)
		if j >= 0 {
			end = i + j + 1
		}
		if starts(text[i:end]) {
			if first {
				first = false
			} else {
				if !fn(text[begin:i]) {
					return false
				}
				begin = i
			}
		}
		i = end
	}
	if first {
		return false // no piece at all
	}
	return fn(text[begin:])
}

// section parses one top-level key and its value. A key whose value is a
// block list ("milestones:" then "  - ..." items) has its items parsed one
// by one, through the memo.
func (m *memo) section(sec []byte) (*node, bool) {
	key := unsafeString(sec)
	if n, ok := m.prev[key]; ok {
		m.next[key] = n
		return n, true
	}
	if n, ok := m.list(sec); ok {
		m.next[key] = n
		return n, true
	}
	n, ok := parseBlock(sec)
	if ok {
		m.next[key] = n
	}
	return n, ok
}

// list parses "key:\n" followed by list items at one indent, item by item;
// ok is false when sec is not that shape.
func (m *memo) list(sec []byte) (*node, bool) {
	nl := bytes.IndexByte(sec, '\n')
	if nl < 0 {
		return nil, false
	}
	head := bytes.TrimRight(sec[:nl], " \r")
	k, rest, ok := keyOf(unsafeString(head))
	if !ok || rest != "" {
		return nil, false
	}
	body := sec[nl+1:]
	ind := -1
	shape := true
	isItem := func(line []byte) bool {
		n := 0
		for n < len(line) && line[n] == ' ' {
			n++
		}
		t := bytes.TrimRight(line[n:], "\r\n ")
		if len(t) == 0 || t[0] == '#' {
			return false
		}
		if ind < 0 {
			ind = n
		}
		if n < ind || (n == ind && t[0] != '-') {
			shape = false
		}
		return n == ind && t[0] == '-' && (len(t) == 1 || t[1] == ' ')
	}
	seq := &node{kind: seqNode, key: k}
	ok = eachPiece(body, isItem, func(item []byte) bool {
		if !shape {
			return false
		}
		key := unsafeString(item)
		if n, ok := m.prev[key]; ok {
			m.next[key] = n
			seq.items = append(seq.items, n)
			return true
		}
		n, ok := parseBlock(item)
		if !ok || n.kind != seqNode || len(n.items) != 1 {
			return false
		}
		m.next[key] = n.items[0]
		seq.items = append(seq.items, n.items[0])
		return true
	})
	if !ok || !shape || len(seq.items) == 0 {
		return nil, false
	}
	return &node{kind: mapNode, items: []*node{seq}}, true
}
