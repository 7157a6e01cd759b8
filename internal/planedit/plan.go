package planedit

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var bom = []byte("\xEF\xBB\xBF")

// plan is a parsed plan file: the frontmatter's bytes and its node tree.
type plan struct {
	src   []byte
	start int        // offset of the frontmatter in src
	fm    []byte     // src[start:end], end being the start of the closing --- line
	lines []int      // offset in fm of each line as yaml.v3 counts them (index 0: line 1)
	doc   *yaml.Node // the document node
	root  *yaml.Node // its mapping
}

// splitFrontmatter finds the frontmatter as the generator does (after an
// optional byte order mark, the first line that is not blank is ---; the
// frontmatter runs to the next line that is ---). fm is src[start:end].
func splitFrontmatter(src []byte) (start, end int, ok bool) {
	// line returns the line at i, trimmed, where the next one starts, and
	// whether it is the last (no newline after it).
	line := func(i int) ([]byte, int, bool) {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return bytes.TrimSpace(src[i:]), len(src), true
		}
		return bytes.TrimSpace(src[i : i+j]), i + j + 1, false
	}
	if bytes.HasPrefix(src, bom) {
		start = len(bom)
	}
	for {
		l, next, last := line(start)
		if last {
			return 0, 0, false
		}
		start = next
		if len(l) == 0 {
			continue
		}
		if string(l) != "---" {
			return 0, 0, false
		}
		break
	}
	for i := start; ; {
		l, next, last := line(i)
		if string(l) == "---" {
			return start, i, true
		}
		if last {
			return 0, 0, false
		}
		i = next
	}
}

func parse(src []byte) (*plan, error) {
	start, end, ok := splitFrontmatter(src)
	if !ok {
		return nil, ErrNoFrontmatter
	}
	p := &plan{src: src, start: start, fm: src[start:end]}
	p.lines = lineStarts(p.fm)
	var doc yaml.Node
	if err := yaml.Unmarshal(p.fm, &doc); err != nil {
		return nil, fmt.Errorf("the frontmatter is not valid YAML (%v): fix it before editing", err)
	}
	var v any // what yaml.v3 refuses beyond the syntax: duplicate keys, ...
	if err := doc.Decode(&v); err != nil {
		return nil, fmt.Errorf("the frontmatter is not valid YAML (%v): fix it before editing", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, lineError(p.fileLine(0), "the frontmatter is not a mapping of keys (title:, stakeholders:, milestones:, ...)")
	}
	p.doc, p.root = &doc, doc.Content[0]
	return p, nil
}

// lineStarts returns the offset of each line of b, breaking lines as
// yaml.v3 does: CRLF, CR, LF, NEL, LS and PS.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i := 0; i < len(b); {
		w := breakWidth(b, i)
		if w == 0 {
			i++
			continue
		}
		i += w
		starts = append(starts, i)
	}
	return starts
}

// breakWidth returns the length of the line break at b[i], 0 if none.
func breakWidth(b []byte, i int) int {
	switch {
	case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
		return 2
	case b[i] == '\r' || b[i] == '\n':
		return 1
	case b[i] == 0xC2 && i+1 < len(b) && b[i+1] == 0x85:
		return 2
	case b[i] == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
		return 3
	}
	return 0
}

// fileLine returns the line of the file (counted in newlines, as editors
// and the generator do) that holds offset off of the frontmatter.
func (p *plan) fileLine(off int) int {
	return bytes.Count(p.src[:p.start+off], []byte("\n")) + 1
}

// line returns the file line of node n.
func (p *plan) line(n *yaml.Node) int {
	if n.Line < 1 || n.Line > len(p.lines) {
		return p.fileLine(0)
	}
	return p.fileLine(p.lines[n.Line-1])
}

var errPosition = errors.New("a node's position is outside the frontmatter")

// offset returns the offset in fm where node n starts (yaml.v3 counts its
// columns in characters).
func (p *plan) offset(n *yaml.Node) (int, error) {
	if n.Line < 1 || n.Line > len(p.lines) || n.Column < 1 {
		return 0, errPosition
	}
	i := p.lines[n.Line-1]
	for c := 1; c < n.Column; c++ {
		if i >= len(p.fm) || breakWidth(p.fm, i) > 0 {
			return 0, errPosition
		}
		_, w := utf8.DecodeRune(p.fm[i:])
		i += w
	}
	return i, nil
}

// lineEnd returns the offset just after the line break that ends the line
// holding off, and that break (LF when it is none of CRLF, LF).
func (p *plan) lineEnd(off int) (int, string) {
	for i := off; i < len(p.fm); i++ {
		if w := breakWidth(p.fm, i); w > 0 {
			if string(p.fm[i:i+w]) == "\r\n" {
				return i + w, "\r\n"
			}
			return i + w, "\n"
		}
	}
	return len(p.fm), "\n"
}

// get returns the value of key in mapping m and the index of the key in
// m.Content, or (nil, -1).
func get(m *yaml.Node, key string) (*yaml.Node, int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1], i
		}
	}
	return nil, -1
}

// count returns how many keys of mapping m are key.
func count(m *yaml.Node, key string) int {
	n := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			n++
		}
	}
	return n
}

// items returns the mapping items of the sequence under key of m.
func items(m *yaml.Node, key string) []*yaml.Node {
	v, _ := get(m, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	var out []*yaml.Node
	for _, it := range v.Content {
		if it.Kind == yaml.MappingNode {
			out = append(out, it)
		}
	}
	return out
}

func idOf(m *yaml.Node) string {
	v, _ := get(m, "id")
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// find returns the mapping of the task or milestone with id, or of the
// plan's root for kind "stakeholder"/"plan".
func find(root *yaml.Node, kind, id string) (*yaml.Node, error) {
	var found []*yaml.Node
	for _, m := range items(root, "milestones") {
		if kind == "milestone" && idOf(m) == id {
			found = append(found, m)
		}
		if kind == "task" {
			for _, t := range items(m, "tasks") {
				if idOf(t) == id {
					found = append(found, t)
				}
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%s %q: the plan has %d of them: give each %s its own id first", kind, id, len(found), kind)
}
