package planedit

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// A span is the bytes [at, end) of fm that hold a node's text.
type span struct{ at, end int }

// scalarSpan returns where scalar n's text is in fm: from its first quote,
// indicator or character to its last (a comment after it is not part of
// it). flow says whether n is inside a flow collection; indent is the
// indentation of the collection holding n, which bounds a block scalar's
// lines. An empty plain value (key: with nothing after it) has an empty
// span just after the colon.
func (p *plan) scalarSpan(n *yaml.Node, flow bool, indent int) (span, error) {
	if n.Kind != yaml.ScalarNode {
		return span{}, errPosition
	}
	at, err := p.offset(n)
	if err != nil {
		return span{}, err
	}
	fm := p.fm
	if n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 || (at < len(fm) && (fm[at] == '!' || fm[at] == '&')) {
		return span{}, lineError(p.line(n), "the value %q has a YAML tag or anchor: write it as a plain value so maproom can edit it", n.Value)
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if at >= len(fm) || fm[at] != '"' {
			return span{}, errPosition
		}
		for i := at + 1; i < len(fm); i++ {
			switch fm[i] {
			case '\\':
				i++
			case '"':
				return span{at, i + 1}, nil
			}
		}
		return span{}, errPosition
	case n.Style&yaml.SingleQuotedStyle != 0:
		if at >= len(fm) || fm[at] != '\'' {
			return span{}, errPosition
		}
		for i := at + 1; i < len(fm); i++ {
			if fm[i] == '\'' {
				if i+1 < len(fm) && fm[i+1] == '\'' {
					i++
					continue
				}
				return span{at, i + 1}, nil
			}
		}
		return span{}, errPosition
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		if at >= len(fm) || (fm[at] != '|' && fm[at] != '>') {
			return span{}, errPosition
		}
		return span{at, p.blockEnd(at, indent)}, nil
	}
	if n.Value == "" {
		return span{at, at}, nil // key: with no value
	}
	return p.plainSpan(n, at, flow)
}

// blockEnd returns the end of the last non-blank line of the block scalar
// whose indicator is at at: its lines are the following ones that are
// blank or indented more than indent.
func (p *plan) blockEnd(at, indent int) int {
	fm := p.fm
	end, _ := p.lineEnd(at)
	lastText := -1
	for i := end; i < len(fm); {
		next, _ := p.lineEnd(i)
		j := i
		for j < next && fm[j] == ' ' {
			j++
		}
		blank := j >= next || breakWidth(fm, j) > 0 || (fm[j] == '\t' && onlySpace(fm[j:next]))
		if !blank && j-i <= indent {
			break
		}
		if !blank {
			lastText = contentEnd(fm, i, next)
		}
		i = next
	}
	if lastText < 0 {
		// A block scalar with no content: the header line is all of it.
		return contentEnd(fm, at, end)
	}
	return lastText
}

func onlySpace(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != ' ' && b[i] != '\t' && breakWidth(b, i) == 0 {
			return false
		}
	}
	return true
}

// contentEnd returns the offset of the line break ending the line that runs
// from i to next (the offset after that break), or next at the end of fm.
func contentEnd(fm []byte, i, next int) int {
	for k := i; k < next; k++ {
		if breakWidth(fm, k) > 0 {
			return k
		}
	}
	return next
}

// plainSpan finds a plain scalar's text: up to a comment, a line break, a
// ": ", or in flow context a flow indicator; a multi-line plain scalar
// continues on the next lines, folded as YAML folds them, until the text
// read equals the node's value.
func (p *plan) plainSpan(n *yaml.Node, at int, flow bool) (span, error) {
	fm := p.fm
	stop := func(i, from int) bool {
		c := fm[i]
		switch {
		case breakWidth(fm, i) > 0:
			return true
		case c == '#' && i > from && (fm[i-1] == ' ' || fm[i-1] == '\t'):
			return true
		case c == ':' && (i+1 == len(fm) || fm[i+1] == ' ' || fm[i+1] == '\t' || breakWidth(fm, i+1) > 0 || (flow && strings.IndexByte(",[]{}", fm[i+1]) >= 0)):
			return true
		case flow && strings.IndexByte(",[]{}", c) >= 0:
			return true
		}
		return false
	}
	// segment reads one line's part of the scalar from i: its trimmed text,
	// where it ends, and whether it ended at a line break.
	segment := func(i int) (string, int, bool) {
		j := i
		for j < len(fm) && !stop(j, i) {
			j++
		}
		atBreak := j == len(fm) || breakWidth(fm, j) > 0
		e := j
		for e > i && (fm[e-1] == ' ' || fm[e-1] == '\t') {
			e--
		}
		return string(fm[i:e]), e, atBreak
	}
	text, end, atBreak := segment(at)
	for text != n.Value {
		if !atBreak || !strings.HasPrefix(n.Value, text) || end >= len(fm) {
			return span{}, lineError(p.line(n), "cannot find where the value %q ends: write it on one line", n.Value)
		}
		// Next lines: blank ones fold to newlines, a line of text to a space.
		i, _ := p.lineEnd(end)
		blanks := 0
		for {
			if i >= len(fm) {
				return span{}, lineError(p.line(n), "cannot find where the value %q ends: write it on one line", n.Value)
			}
			j := i
			for j < len(fm) && (fm[j] == ' ' || fm[j] == '\t') {
				j++
			}
			if j < len(fm) && breakWidth(fm, j) == 0 {
				i = j
				break
			}
			blanks++
			i, _ = p.lineEnd(j)
		}
		var seg string
		seg, end, atBreak = segment(i)
		if seg == "" {
			return span{}, lineError(p.line(n), "cannot find where the value %q ends: write it on one line", n.Value)
		}
		if blanks > 0 {
			text += strings.Repeat("\n", blanks)
		} else {
			text += " "
		}
		text += seg
	}
	return span{at, end}, nil
}

// nodeEnd returns the offset just after node n's text. indent is the
// indentation of the collection holding n.
func (p *plan) nodeEnd(n *yaml.Node, flow bool, indent int) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := p.scalarSpan(n, flow, indent)
		return s.end, err
	case yaml.AliasNode:
		at, err := p.offset(n)
		return at + 1 + len(n.Value), err
	case yaml.MappingNode, yaml.SequenceNode:
	default:
		return 0, errPosition
	}
	if len(n.Content) == 0 && n.Style&yaml.FlowStyle == 0 {
		return 0, errPosition
	}
	if n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 {
		return 0, lineError(p.line(n), "a list or mapping here has a YAML tag or anchor: write it out plainly so maproom can edit the plan")
	}
	if n.Style&yaml.FlowStyle == 0 {
		last := n.Content[len(n.Content)-1]
		inner := n.Column - 1
		if n.Kind == yaml.MappingNode {
			inner = n.Content[0].Column - 1
		}
		return p.nodeEnd(last, false, inner)
	}
	at, err := p.offset(n)
	if err != nil {
		return 0, err
	}
	fm := p.fm
	open, closing := byte('{'), byte('}')
	if n.Kind == yaml.SequenceNode {
		open, closing = '[', ']'
	}
	if at >= len(fm) || fm[at] != open {
		return 0, errPosition
	}
	i := at + 1
	if len(n.Content) > 0 {
		if i, err = p.nodeEnd(n.Content[len(n.Content)-1], true, 0); err != nil {
			return 0, err
		}
	}
	// Between the last item and the closing bracket: blanks, line breaks,
	// a comma, comments.
	for i < len(fm) {
		switch c := fm[i]; {
		case c == closing:
			return i + 1, nil
		case c == ' ' || c == '\t' || c == ',':
			i++
		case breakWidth(fm, i) > 0:
			i += breakWidth(fm, i)
		case c == '#':
			e, _ := p.lineEnd(i)
			i = e
		default:
			return 0, errPosition
		}
	}
	return 0, errPosition
}
