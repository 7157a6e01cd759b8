package history

import (
	"bytes"
	"strings"
	"unsafe"
)

// This file reads the subset of YAML that plans are written in, fast and
// conservatively: whatever it is not sure to read as gopkg.in/yaml.v3 does
// makes it give up (ok false), and the version is decoded in full.

type nodeKind uint8

const (
	nullNode nodeKind = iota
	scalarNode
	mapNode
	seqNode
)

// node is a parsed value. A mapping's values are its items, each with
// its key.
type node struct {
	kind  nodeKind
	key   string
	val   string
	items []*node
}

func (n *node) get(k string) *node {
	if n.kind != mapNode {
		return nil
	}
	for _, it := range n.items {
		if it.key == k {
			return it
		}
	}
	return nil
}

// node returns a new node from the parser's arena (nodes are allocated in
// chunks: sized by the lines parsed for one parse, as rarely more than two
// nodes a line are needed, and fixed through a memo, which parses a few
// lines of a version and goes on to the next).
func (p *yparser) node(kind nodeKind, val string) *node {
	if len(p.a.nodes) == 0 {
		size := 64
		if p.memo == nil {
			size = min(2*len(p.lines)+4, size)
		}
		p.a.nodes = make([]node, size)
	}
	n := &p.a.nodes[0]
	p.a.nodes = p.a.nodes[1:]
	n.kind, n.val = kind, val
	return n
}

// A mapping's or sequence's items are gathered on the parser's stack while
// they are parsed (its children push theirs above and pop them before it
// goes on) and then moved into a slice of their own cut from one chunk, so
// a version's items take one allocation, not one per node.

// has reports whether the items on the stack above mark hold key.
func (p *yparser) has(mark int, key string) bool {
	for _, it := range p.stack[mark:] {
		if it.key == key {
			return true
		}
	}
	return false
}

// items pops the items above mark into their own slice.
func (p *yparser) items(mark int) []*node {
	k := len(p.stack) - mark
	if k == 0 {
		return nil
	}
	if len(p.a.ptrs) < k {
		size := 64
		if p.memo == nil {
			size = min(len(p.lines)+4, size)
		}
		p.a.ptrs = make([]*node, max(k, size))
	}
	s := p.a.ptrs[:k:k]
	p.a.ptrs = p.a.ptrs[k:]
	copy(s, p.stack[mark:])
	p.stack = p.stack[:mark]
	return s
}

type yline struct {
	ind  int
	at   int // where the line starts in the text parsed
	text string
}

type yparser struct {
	src   []byte // the text parsed
	memo  *memo  // nil: none
	lines []yline
	i     int
	a     *arena
	stack []*node // items being gathered
}

// arena hands out nodes and items slices from chunks, for one parse or,
// through a memo, for a deal's versions in turn.
type arena struct {
	nodes []node
	ptrs  []*node // the chunk items slices are cut from
}

// parseBlock parses a frontmatter's lines.
func parseBlock(fm []byte) (*node, bool) { return parseBlockMemo(fm, nil) }

// parseBlockMemo parses a frontmatter's lines, taking the items of block
// sequences that m holds from it and giving it those it parses (m nil:
// none).
func parseBlockMemo(fm []byte, m *memo) (*node, bool) {
	p := yparser{src: fm, memo: m}
	mark := 0
	if m != nil {
		// The lines and the stack are scratch: the nodes keep neither.
		p.lines, p.stack, p.a = m.lines[:0], m.stack[:0], &m.arena
		mark = len(m.rec)
		defer func() { m.lines, m.stack, m.rec = p.lines, p.stack, m.rec[:mark] }()
	} else {
		p.lines, p.a = make([]yline, 0, bytes.Count(fm, []byte("\n"))+1), &arena{}
	}
	// Most versions hold no tab and no #: then no line needs looking at
	// for them.
	tabs, hashes := bytes.IndexByte(fm, '\t') >= 0, bytes.IndexByte(fm, '#') >= 0
	for at := 0; at < len(p.src); {
		var l []byte
		start := at
		if j := bytes.IndexByte(p.src[at:], '\n'); j >= 0 {
			l, at = p.src[at:at+j], at+j+1
		} else {
			l, at = p.src[at:], len(p.src)
		}
		for len(l) > 0 && (l[len(l)-1] == ' ' || l[len(l)-1] == '\r') {
			l = l[:len(l)-1]
		}
		ind := 0
		for ind < len(l) && l[ind] == ' ' {
			ind++
		}
		if ind < len(l) && l[ind] == '\t' {
			return nil, false
		}
		text := l[ind:]
		if len(text) == 0 {
			continue
		}
		if text[0] == '#' {
			continue
		}
		if hashes && hasComment(text) {
			var ok bool
			if text, ok = stripComment(text); !ok {
				return nil, false
			}
		}
		if tabs && bytes.IndexByte(text, '\t') >= 0 {
			return nil, false
		}
		p.lines = append(p.lines, yline{ind: ind, at: start, text: unsafeString(text)})
	}
	if len(p.lines) == 0 {
		return nil, false
	}
	n, ok := p.block(p.lines[0].ind)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	if m != nil {
		m.hold(n, mark, 0) // the items of a section, or of a run of items, for splice
	}
	return n, true
}

// hasComment reports whether text may hold a comment: a " #".
func hasComment(text []byte) bool {
	h := bytes.IndexByte(text, '#')
	return h > 0 && bytes.Contains(text[h-1:], []byte(" #"))
}

// stripComment cuts a comment (" #" outside quotes) off a line. A quote
// opens a quoted scalar only where a value starts (after ": ", "- ", "[",
// "{" or ","); elsewhere it is a letter of a plain scalar. ok is false for
// a quote left open.
func stripComment(text []byte) ([]byte, bool) {
	var q byte
	prev := byte(0) // the last non-space byte outside quotes
	for i := 0; i < len(text); i++ {
		c := text[i]
		if q != 0 {
			switch {
			case c == '\\' && q == '"':
				i++
			case c == q:
				q = 0
				prev = c
			}
			continue
		}
		switch {
		case (c == '"' || c == '\'') && (prev == 0 || prev == ':' || prev == '-' || prev == '[' || prev == '{' || prev == ','):
			q = c
		case c == '#' && i > 0 && text[i-1] == ' ':
			return bytes.TrimRight(text[:i], " "), true
		case c != ' ':
			prev = c
		}
	}
	return text, q == 0
}

// unsafeString views b as a string without copying. The version's bytes
// are never written after they are read, so the view stays valid; what
// outlives the version (a fieldChange, a stakeholder id) is cloned, so a
// cached change does not keep a whole version alive.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func isSeqItem(s string) bool { return s == "-" || strings.HasPrefix(s, "- ") }

// keyOf splits "key: rest" or "key:"; ok false when the text is no plain
// key (quoted or complex keys are left to the full decoder).
func keyOf(s string) (key, rest string, ok bool) {
	c := strings.IndexByte(s, ':')
	if c <= 0 || (c+1 < len(s) && s[c+1] != ' ') {
		return "", "", false
	}
	key = s[:c]
	if !plainKey(key) {
		return "", "", false
	}
	return key, strings.TrimLeft(s[c+1:], " "), true
}

// plainKey reports whether key is a key the fast reader reads as written:
// a letter or underscore, then letters, digits, underscores or dashes.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		b := key[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || (i > 0 && (b >= '0' && b <= '9' || b == '-'))) {
			return false
		}
	}
	return true
}

// block parses the node whose lines start at indent ind.
func (p *yparser) block(ind int) (*node, bool) {
	if isSeqItem(p.lines[p.i].text) {
		return p.seq(ind)
	}
	return p.mapping(ind)
}

func (p *yparser) mapping(ind int) (*node, bool) {
	n := p.node(mapNode, "")
	mark := len(p.stack)
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.ind < ind {
			break
		}
		if l.ind > ind || isSeqItem(l.text) {
			return nil, false
		}
		key, rest, ok := keyOf(l.text)
		if !ok || p.has(mark, key) {
			return nil, false
		}
		p.i++
		var v *node
		if rest != "" {
			if v, ok = p.inline(rest); !ok {
				return nil, false
			}
			if p.i < len(p.lines) && p.lines[p.i].ind > ind {
				return nil, false // a value running on: left to the decoder
			}
		} else if p.i < len(p.lines) && (p.lines[p.i].ind > ind || (p.lines[p.i].ind == ind && isSeqItem(p.lines[p.i].text))) {
			if v, ok = p.block(p.lines[p.i].ind); !ok {
				return nil, false
			}
		} else {
			v = p.node(nullNode, "")
		}
		v.key = key
		p.stack = append(p.stack, v)
	}
	n.items = p.items(mark)
	return n, true
}

func (p *yparser) seq(ind int) (*node, bool) {
	n := p.node(seqNode, "")
	mark := len(p.stack)
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.ind < ind || (l.ind == ind && !isSeqItem(l.text)) {
			break
		}
		if l.ind > ind {
			return nil, false
		}
		// An item is its lines up to the next at its indent or less: the
		// same text parses to the same node wherever it stands, so an item
		// the memo holds is not parsed again.
		key, e, end, mark := "", 0, 0, 0
		if p.memo != nil {
			e = p.i + 1
			for e < len(p.lines) && p.lines[e].ind > ind {
				e++
			}
			end = len(p.src)
			if e < len(p.lines) {
				end = p.lines[e].at
			}
			key = unsafeString(p.src[l.at:end])
			if v, ok := p.memo.seen[key]; ok {
				p.stack = append(p.stack, v)
				p.memo.rec = append(p.memo.rec, unit{l.at, end, v})
				p.i = e
				continue
			}
			mark = len(p.memo.rec)
		}
		rest := strings.TrimPrefix(l.text, "-")
		off := 1
		for len(rest) > 0 && rest[0] == ' ' {
			rest, off = rest[1:], off+1
		}
		var v *node
		var ok bool
		switch {
		case rest == "":
			p.i++
			if p.i < len(p.lines) && p.lines[p.i].ind > ind {
				if v, ok = p.block(p.lines[p.i].ind); !ok {
					return nil, false
				}
			} else {
				v = p.node(nullNode, "")
			}
		case isSeqItem(rest):
			return nil, false
		default:
			if _, _, isKey := keyOf(rest); isKey {
				// "- key: value": a mapping whose first line sits after
				// the dash, the others at its column.
				p.lines[p.i] = yline{ind: ind + off, at: l.at, text: rest}
				if v, ok = p.mapping(ind + off); !ok {
					return nil, false
				}
			} else {
				if v, ok = p.inline(rest); !ok {
					return nil, false
				}
				p.i++
				if p.i < len(p.lines) && p.lines[p.i].ind > ind {
					return nil, false
				}
			}
		}
		if p.memo != nil && p.i == e {
			p.memo.seen[key] = v
			p.memo.hold(v, mark, l.at)
			p.memo.rec = append(p.memo.rec, unit{l.at, end, v})
		}
		p.stack = append(p.stack, v)
	}
	n.items = p.items(mark)
	return n, true
}

// inline parses a value written on its key's line.
func (p *yparser) inline(s string) (*node, bool) {
	switch s[0] {
	case '{', '[':
		n, pos, ok := p.flow(s, 0)
		if !ok || strings.TrimSpace(s[pos:]) != "" {
			return nil, false
		}
		return n, true
	case '"', '\'':
		v, pos, ok := p.quoted(s, 0)
		if !ok || strings.TrimSpace(s[pos:]) != "" {
			return nil, false
		}
		return p.node(scalarNode, v), true
	}
	return p.plain(s, false)
}

// plain reads an unquoted scalar as a string, as the decoder would store
// it in a string field; values it might resolve otherwise are refused.
func (p *yparser) plain(s string, inFlow bool) (*node, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return p.node(nullNode, ""), true
	}
	switch s[0] {
	case '&', '*', '!', '|', '>', '%', '@', '`', '?', '#', ',', ']', '}', '{', '[', '"', '\'':
		return nil, false
	case '-':
		if len(s) == 1 || s[1] == ' ' {
			return nil, false
		}
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") || strings.Contains(s, " #") || (inFlow && strings.ContainsAny(s, ":#")) {
		return nil, false
	}
	switch s {
	case "~", "null", "Null", "NULL":
		return p.node(nullNode, ""), true
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return nil, false
	}
	return p.node(scalarNode, s), true
}

// quoted reads a quoted scalar starting at s[i], returning its value and
// the position after the closing quote.
func (p *yparser) quoted(s string, i int) (string, int, bool) {
	q := s[i]
	if j := strings.IndexByte(s[i+1:], q); j >= 0 && (q == '"' && strings.IndexByte(s[i+1:i+1+j], '\\') < 0 || q == '\'' && (i+2+j >= len(s) || s[i+2+j] != '\'')) {
		return s[i+1 : i+1+j], i + 2 + j, true // no escape: a substring
	}
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == q && q == '\'' && j+1 < len(s) && s[j+1] == '\'':
			b.WriteByte('\'')
			j++
		case c == q:
			return b.String(), j + 1, true
		case c == '\\' && q == '"':
			if j+1 >= len(s) {
				return "", 0, false
			}
			j++
			switch s[j] {
			case '"', '\\', '/':
				b.WriteByte(s[j])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return "", 0, false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false // not closed on this line
}

// flow reads a one-line flow mapping or sequence starting at s[i].
func (p *yparser) flow(s string, i int) (*node, int, bool) {
	open := s[i]
	closeCh := byte('}')
	n := p.node(mapNode, "")
	if open == '[' {
		closeCh, n.kind = ']', seqNode
	}
	i++
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	skip()
	if i < len(s) && s[i] == closeCh {
		return n, i + 1, true
	}
	mark := len(p.stack)
	for {
		skip()
		if i >= len(s) {
			return nil, 0, false
		}
		if n.kind == mapNode {
			c := strings.IndexByte(s[i:], ':')
			if c <= 0 {
				return nil, 0, false
			}
			key := s[i : i+c]
			if !plainKey(key) || p.has(mark, key) || i+c+1 >= len(s) || s[i+c+1] != ' ' {
				return nil, 0, false
			}
			i += c + 1
			skip()
			v, next, ok := p.flowValue(s, i)
			if !ok {
				return nil, 0, false
			}
			v.key = key
			p.stack, i = append(p.stack, v), next
		} else {
			v, next, ok := p.flowValue(s, i)
			if !ok {
				return nil, 0, false
			}
			p.stack, i = append(p.stack, v), next
		}
		skip()
		if i >= len(s) {
			return nil, 0, false
		}
		switch s[i] {
		case ',':
			i++
		case closeCh:
			n.items = p.items(mark)
			return n, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

func (p *yparser) flowValue(s string, i int) (*node, int, bool) {
	if i >= len(s) {
		return nil, 0, false
	}
	switch s[i] {
	case '{', '[':
		return p.flow(s, i)
	case '"', '\'':
		v, next, ok := p.quoted(s, i)
		if !ok {
			return nil, 0, false
		}
		return p.node(scalarNode, v), next, true
	}
	j := i
	for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' {
		j++
	}
	n, ok := p.plain(s[i:j], true)
	if !ok || n.kind == nullNode && strings.TrimSpace(s[i:j]) == "" {
		return nil, 0, false
	}
	return n, j, true
}
