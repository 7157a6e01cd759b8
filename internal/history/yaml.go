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
// chunks sized by the lines parsed).
func (p *yparser) node(kind nodeKind, val string) *node {
	if len(p.arena) == 0 {
		// Rarely more than two nodes a line (a key and its value); a
		// flow mapping has more, and takes another chunk.
		p.arena = make([]node, 2*len(p.lines)+4)
	}
	n := &p.arena[0]
	p.arena = p.arena[1:]
	n.kind, n.val = kind, val
	if kind == mapNode || kind == seqNode {
		n.items = make([]*node, 0, 8)
	}
	return n
}

type yline struct {
	ind  int
	text string
}

type yparser struct {
	lines []yline
	i     int
	arena []node
}

// parseBlock parses a frontmatter's lines.
func parseBlock(fm []byte) (*node, bool) {
	p := yparser{lines: make([]yline, 0, bytes.Count(fm, []byte("\n"))+1)}
	for len(fm) > 0 {
		var l []byte
		if j := bytes.IndexByte(fm, '\n'); j >= 0 {
			l, fm = fm[:j], fm[j+1:]
		} else {
			l, fm = fm, nil
		}
		l = bytes.TrimRight(l, " \r")
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
		if bytes.Contains(text, []byte(" #")) {
			var ok bool
			if text, ok = stripComment(text); !ok {
				return nil, false
			}
		}
		if bytes.IndexByte(text, '\t') >= 0 {
			return nil, false
		}
		p.lines = append(p.lines, yline{ind: ind, text: unsafeString(text)})
	}
	if len(p.lines) == 0 {
		return nil, false
	}
	n, ok := p.block(p.lines[0].ind)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	return n, true
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
	for i := 0; i < len(key); i++ {
		b := key[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || (i > 0 && (b >= '0' && b <= '9' || b == '-'))) {
			return "", "", false
		}
	}
	return key, strings.TrimLeft(s[c+1:], " "), true
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
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.ind < ind {
			break
		}
		if l.ind > ind || isSeqItem(l.text) {
			return nil, false
		}
		key, rest, ok := keyOf(l.text)
		if !ok || n.get(key) != nil {
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
		n.items = append(n.items, v)
	}
	return n, true
}

func (p *yparser) seq(ind int) (*node, bool) {
	n := p.node(seqNode, "")
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.ind < ind || (l.ind == ind && !isSeqItem(l.text)) {
			break
		}
		if l.ind > ind {
			return nil, false
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
				p.lines[p.i] = yline{ind: ind + off, text: rest}
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
		n.items = append(n.items, v)
	}
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
			key, _, ok := keyOf(s[i:i+c] + ":")
			if !ok || n.get(key) != nil || i+c+1 >= len(s) || s[i+c+1] != ' ' {
				return nil, 0, false
			}
			i += c + 1
			skip()
			v, next, ok := p.flowValue(s, i)
			if !ok {
				return nil, 0, false
			}
			v.key = key
			n.items, i = append(n.items, v), next
		} else {
			v, next, ok := p.flowValue(s, i)
			if !ok {
				return nil, 0, false
			}
			n.items, i = append(n.items, v), next
		}
		skip()
		if i >= len(s) {
			return nil, 0, false
		}
		switch s[i] {
		case ',':
			i++
		case closeCh:
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
