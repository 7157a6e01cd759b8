package planedit

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// splice returns src with fm[s.at:s.end] replaced by text.
func (p *plan) splice(s span, text string) []byte {
	out := make([]byte, 0, len(p.src)+len(text))
	out = append(out, p.src[:p.start+s.at]...)
	out = append(out, text...)
	return append(out, p.src[p.start+s.end:]...)
}

// orderOf returns the usual key order of the mappings of kind.
func orderOf(kind string) []string {
	switch kind {
	case "task":
		return taskOrder
	case "milestone":
		return milestoneOrder
	case "stakeholder":
		return stakeholderOrder
	}
	return rootOrder
}

// after returns the index in m.Content of the key after whose value a new
// key goes: the last key that comes before key in order, or else the last
// key. It is -1 for an empty mapping.
func after(m *yaml.Node, key string, order []string) int {
	rank := slices.Index(order, key)
	best := -1
	for i := 0; i+1 < len(m.Content); i += 2 {
		if rank < 0 {
			best = i
			continue
		}
		if r := slices.Index(order, m.Content[i].Value); r >= 0 && r < rank {
			best = i
		}
	}
	if best < 0 && len(m.Content) >= 2 {
		best = len(m.Content) - 2
	}
	return best
}

// indentOf returns the indentation of a block mapping's keys.
func indentOf(m *yaml.Node) int {
	if len(m.Content) == 0 {
		return 0
	}
	return m.Content[0].Column - 1
}

func set(src []byte, kind, id string, fields []Field) ([]byte, error) {
	seen := map[string]bool{}
	for _, f := range fields {
		if err := checkKey(f.Key); err != nil {
			return nil, err
		}
		if seen[f.Key] {
			return nil, fmt.Errorf("the key %s is given twice: give each key once", f.Key)
		}
		if f.Key == "id" {
			return nil, fmt.Errorf("%s %q: the id is what other entries refer to (after:): rename it by hand", kind, id)
		}
		seen[f.Key] = true
	}
	orig, err := parse(src)
	if err != nil {
		return nil, err
	}
	if _, err := find(orig.root, kind, id); err != nil {
		return nil, err
	}
	out, edited := src, false
	for _, f := range fields {
		p := orig
		if edited {
			if p, err = parse(out); err != nil {
				return nil, fmt.Errorf("planedit: setting %s on %s %q broke the YAML (%v): set it by hand", f.Key, kind, id, err)
			}
		}
		m, err := find(p.root, kind, id)
		if err != nil {
			return nil, err
		}
		if out, err = p.setField(m, orderOf(kind), f); err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, id, err)
		}
		edited = true
	}
	err = verify(orig, out, func(root *yaml.Node) error {
		m, err := find(root, kind, id)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if v, _ := get(m, f.Key); v != nil {
				*v = *expect(f.Value)
				continue
			}
			i := after(m, f.Key, orderOf(kind)) + 2
			m.Content = slices.Insert(m.Content, i, key(f.Key), expect(f.Value))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setField sets one field of mapping m, returning the whole new file.
func (p *plan) setField(m *yaml.Node, order []string, f Field) ([]byte, error) {
	if count(m, f.Key) > 1 {
		return nil, lineError(p.line(m), "the key %s appears more than once: keep one", f.Key)
	}
	flow := m.Style&yaml.FlowStyle != 0
	text, err := scalar(f.Value, flow)
	if err != nil {
		return nil, err
	}
	if v, i := get(m, f.Key); v != nil {
		// A quoted value stays quoted the same way.
		switch {
		case v.Style&yaml.DoubleQuotedStyle != 0:
			text = quote(f.Value)
		case v.Style&yaml.SingleQuotedStyle != 0:
			text = singleQuote(f.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, lineError(p.line(m.Content[i]), "%s holds a list or mapping: maproom sets only single values", f.Key)
		}
		if v.Value == f.Value && stringish(v.ShortTag()) && v.Style&yaml.TaggedStyle == 0 && v.Anchor == "" {
			return p.src, nil // already so: keep its quoting
		}
		s, err := p.scalarSpan(v, flow, indentOf(m))
		if err != nil {
			return nil, err
		}
		if s.at == s.end {
			text = " " + text
		}
		if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			if e, _ := p.lineEnd(s.at); strings.Contains(string(p.fm[s.at:e]), "#") {
				return nil, lineError(p.line(v), "the block value of %s has a comment on its first line: move the comment so maproom can edit it", f.Key)
			}
		}
		return p.splice(p.realign(s, text, flow)), nil
	}
	if flow {
		if len(m.Content) == 0 {
			at, err := p.offset(m)
			if err != nil {
				return nil, err
			}
			return p.splice(span{at + 1, at + 1}, f.Key+": "+text), nil
		}
		end, err := p.nodeEnd(m.Content[after(m, f.Key, order)+1], true, 0)
		if err != nil {
			return nil, err
		}
		return p.splice(span{end, end}, ", "+f.Key+": "+text), nil
	}
	end, err := p.nodeEnd(m.Content[after(m, f.Key, order)+1], false, indentOf(m))
	if err != nil {
		return nil, err
	}
	at, eol := p.lineEnd(end)
	if at == len(p.fm) && (at == 0 || breakWidth(p.fm, at-1) == 0) {
		return nil, errPosition // the frontmatter always ends with a line break
	}
	return p.splice(span{at, at}, strings.Repeat(" ", indentOf(m))+f.Key+": "+text+eol), nil
}

// realign widens s over the blanks before a comment on the same line (in
// a block mapping), and pads text so that the comment keeps its column when
// the value grows or shrinks, with one blank at least.
func (p *plan) realign(s span, text string, flow bool) (span, string) {
	fm := p.fm
	j := s.end
	for j < len(fm) && fm[j] == ' ' {
		j++
	}
	if flow || j >= len(fm) || fm[j] != '#' || j-s.end < 1 || strings.ContainsAny(string(fm[s.at:s.end]), "\r\n") {
		return s, text
	}
	blanks := j - s.end - (utf8.RuneCountInString(text) - utf8.RuneCount(fm[s.at:s.end]))
	return span{s.at, j}, text + strings.Repeat(" ", max(1, blanks))
}
