package history

import (
	"bytes"

	splitter "github.com/maproom/maproom/internal/frontmatter"

	"github.com/maproom/maproom/internal/deal"
)

// memo keeps the parsed pieces of a deal's versions, keyed by their text:
// consecutive versions of a plan differ in a few lines, so most of a
// version's top-level keys, and most items of its block sequences (a
// milestone, a task in it, a stakeholder), are parsed once for all the
// versions that repeat them. A piece's text parses to the same node
// wherever it stands (TestMemo and FuzzMemo hold the memo to parsing each
// version alone); a version whose top level does not split cleanly is
// parsed whole, still through the memo for its sequences' items.
//
// The nodes are shared by the versions that repeat a piece and never
// written once parsed. Pieces are kept until the memo holds memoLimit of
// them, then it starts again: a piece can come back after it left the
// last version (a date moved and moved back), and an item skipped with its
// parent is still wanted when the parent changes later.
type memo struct {
	seen map[string]*node

	// What project read off the shared nodes: a stakeholder, and a
	// milestone followed by its tasks.
	people     map[*node]Person
	milestones map[*node][]Item

	spare *Plan // a plan no longer wanted, whose slices the next reuses

	// src is the last version, its frontmatter src[start:end].
	src        []byte
	start, end int

	// kids places the block sequence items a section or an item holds
	// within its text, for splice; last is the version parsed last.
	kids map[*node][]unit
	last struct {
		text     []byte
		root     *node
		sections []unit
	}

	lines []yline // the parser's scratch, reused from version to version
	stack []*node
	rec   []unit // items parsed, not yet given to the unit holding them
	arena arena
}

// unit is a piece of a version that parses on its own, placed in the text
// of the unit holding it (a section in the version's): a top-level
// section, or an item of a block sequence, with its node.
type unit struct {
	start, end int
	n          *node
}

// memoLimit bounds a memo: each piece keeps the version it came from
// alive, a few kilobytes.
const memoLimit = 1024

// front returns src's frontmatter as the project's one splitter cuts it,
// and where it differs from the last version's (lo to hi in that one's,
// -1s when not known). When the versions differ between the opening and
// the closing lines and no line of the change is a --- line, the two
// lines are where they were: the splitter runs only when they may not be.
func (m *memo) front(src []byte) (fm []byte, lo, hi int, ok bool) {
	if old := m.src; old != nil {
		pre := commonPrefix(old, src)
		suf := commonSuffix(old[pre:], src[pre:])
		lo, hi, d := pre, len(old)-suf, len(src)-len(old)
		if m.start <= lo && hi <= m.end-1 && !delimIn(src, lo, hi+d) {
			m.src, m.end = src, m.end+d
			return src[m.start:m.end], lo - m.start, hi - m.start, true
		}
	}
	start, end, p := splitter.Bounds(src)
	if p != splitter.OK {
		m.src = nil
		return nil, -1, -1, false
	}
	m.src, m.start, m.end = src, start, end
	return src[start:end], -1, -1, true
}

// delimIn reports whether a line of text holding a byte of text[lo:hi],
// or starting at hi, is a --- line.
func delimIn(text []byte, lo, hi int) bool {
	for at := bytes.LastIndexByte(text[:lo], '\n') + 1; at <= hi && at < len(text); {
		i := at
		for i < len(text) && text[i] == ' ' {
			i++
		}
		end := len(text)
		if j := bytes.IndexByte(text[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		// Only a line whose first byte past its spaces is another space
		// or a "--" can be one: most lines are passed at their start.
		if i+1 < len(text) && (text[i] == '-' && text[i+1] == '-' || text[i] >= 0x80 || text[i] == '\t' || text[i] == '\v' || text[i] == '\f' || text[i] == '\r') && splitter.IsDelim(text[at:end]) {
			return true
		}
		at = end
	}
	return false
}

// parse parses a frontmatter through the memo; lo and hi are where it
// differs from the last version's, when front knows (else -1s).
func (m *memo) parse(fm []byte, lo, hi int) (*node, bool) {
	if m.seen == nil || len(m.seen) > memoLimit || len(m.kids) > 4*memoLimit {
		m.seen = make(map[string]*node, 64)
		m.people, m.milestones = map[*node]Person{}, map[*node][]Item{}
		m.kids = map[*node][]unit{}
	}
	if root, ok := m.splice(fm, lo, hi); ok {
		return root, true
	}
	m.last.text, m.last.root, m.last.sections = nil, nil, m.last.sections[:0]
	root := &node{kind: mapNode, items: make([]*node, 0, 16)}
	ok := eachPiece(fm, func(line []byte) bool { return top(line) }, func(start, end int) bool {
		n, ok := m.section(fm[start:end])
		if !ok || n.kind != mapNode {
			return false
		}
		for _, it := range n.items {
			if root.get(it.key) != nil {
				return false
			}
			root.items = append(root.items, it)
		}
		m.last.sections = append(m.last.sections, unit{start, end, n})
		return true
	})
	if !ok || len(root.items) == 0 {
		return parseBlockMemo(fm, m)
	}
	m.last.text, m.last.root = fm, root
	return root, true
}

// top reports whether line starts a top-level key: text in the first
// column that is not a comment or a list item (a blank line is none).
func top(line []byte) bool {
	return len(line) > 0 && line[0] != ' ' && line[0] != '#' && line[0] != '-' && line[0] != '\r' && line[0] != '\n' && line[0] != '\t'
}

// eachPiece calls fn with the place of each piece of text: a piece starts
// at a line for which starts is true (text before the first such line
// belongs to the first piece). It stops at the first fn that returns false.
func eachPiece(text []byte, starts func([]byte) bool, fn func(start, end int) bool) bool {
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
				if !fn(begin, i) {
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
	return fn(begin, len(text))
}

// section parses one top-level key and its value, the value's sequence
// items through the memo.
func (m *memo) section(sec []byte) (*node, bool) {
	key := unsafeString(sec)
	if n, ok := m.seen[key]; ok {
		return n, true
	}
	n, ok := parseBlockMemo(sec, m)
	if ok {
		m.seen[key] = n
	}
	return n, ok
}

// person returns what project read off stakeholder node n before.
func (m *memo) person(n *node) (Person, bool) {
	if m == nil {
		return Person{}, false
	}
	s, ok := m.people[n]
	return s, ok
}

// milestone returns what project read off milestone node n before: the
// milestone, then its tasks.
func (m *memo) milestone(n *node) ([]Item, bool) {
	if m == nil {
		return nil, false
	}
	c, ok := m.milestones[n]
	return c, ok
}

// plan returns an empty Plan: the spare one's slices emptied, or a new one.
func (m *memo) plan() *Plan {
	if m == nil || m.spare == nil {
		return &Plan{Outcome: deal.Open}
	}
	p := m.spare
	m.spare = nil
	*p = Plan{Outcome: deal.Open, People: p.People[:0], Milestones: p.Milestones[:0], Tasks: p.Tasks[:0], Docs: p.Docs[:0]}
	return p
}

// recycle hands back a plan nothing refers to any more.
func (m *memo) recycle(p *Plan) {
	if m != nil && p != nil {
		m.spare = p
	}
}
