package planedit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// itemStyle is how the items of a block list are written: the dash's
// indentation relative to the key holding the list, the distance from the
// dash to the item's first key, flow items ({id: x}) or block ones, and
// blanks inside the braces.
type itemStyle struct {
	dash, gap    int
	flow, spaced bool
}

func add(src []byte, kind, milestoneID string, fields []Field) ([]byte, error) {
	id := ""
	seen := map[string]bool{}
	for _, f := range fields {
		if err := checkKey(f.Key); err != nil {
			return nil, err
		}
		if seen[f.Key] {
			return nil, fmt.Errorf("the key %s is given twice: give each key once", f.Key)
		}
		seen[f.Key] = true
		if f.Key == "id" {
			id = f.Value
		}
	}
	if id == "" {
		return nil, fmt.Errorf("a new %s needs an id field", kind)
	}
	p, err := parse(src)
	if err != nil {
		return nil, err
	}
	owner, ownerKind, listKey := p.root, "plan", "stakeholders"
	style := itemStyle{dash: 2, gap: 2, flow: true}
	if kind == "task" {
		ownerKind, listKey = "milestone", "tasks"
		if owner, err = find(p.root, "milestone", milestoneID); err != nil {
			return nil, err
		}
		if _, err := find(p.root, "task", id); !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("task %q: the plan has a task with that id already: choose another id", id)
		}
		style = p.taskStyle()
	} else {
		for _, s := range items(p.root, "stakeholders") {
			if idOf(s) == id {
				return nil, lineError(p.line(s), "stakeholder %q: the plan has a stakeholder with that id already: choose another id", id)
			}
		}
	}
	if count(owner, listKey) > 1 {
		return nil, lineError(p.line(owner), "the key %s appears more than once: keep one", listKey)
	}
	out, err := p.appendItem(owner, orderOf(ownerKind), listKey, fields, style)
	if err != nil {
		return nil, fmt.Errorf("adding %s %q: %w", kind, id, err)
	}
	err = verify(p, out, func(root *yaml.Node) error {
		o := root
		if kind == "task" {
			if o, err = find(root, "milestone", milestoneID); err != nil {
				return err
			}
		}
		item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range fields {
			item.Content = append(item.Content, key(f.Key), expect(f.Value))
		}
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{item}}
		switch v, _ := get(o, listKey); {
		case v == nil:
			i := after(o, listKey, orderOf(ownerKind)) + 2
			o.Content = slices.Insert(o.Content, i, key(listKey), list)
		case v.Kind == yaml.SequenceNode:
			v.Content = append(v.Content, item)
		default:
			*v = *list
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// taskStyle returns how the plan writes its tasks: as the first milestone
// with a block list of tasks does, or "- id: x" items two blanks in.
func (p *plan) taskStyle() itemStyle {
	for _, m := range items(p.root, "milestones") {
		v, _ := get(m, "tasks")
		if v == nil || v.Kind != yaml.SequenceNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 || m.Style&yaml.FlowStyle != 0 {
			continue
		}
		if s, ok := p.styleOf(v, indentOf(m)); ok {
			return s
		}
	}
	return itemStyle{dash: 2, gap: 2}
}

// styleOf returns the style of the last item of block list v, whose key is
// indented by indent.
func (p *plan) styleOf(v *yaml.Node, indent int) (itemStyle, bool) {
	last := v.Content[len(v.Content)-1]
	if last.Kind != yaml.MappingNode || v.Column < 1 || last.Column <= v.Column {
		return itemStyle{}, false
	}
	s := itemStyle{dash: v.Column - 1 - indent, gap: max(2, last.Column-v.Column), flow: last.Style&yaml.FlowStyle != 0}
	if s.flow {
		if at, err := p.offset(last); err == nil && at+1 < len(p.fm) && p.fm[at+1] == ' ' {
			s.spaced = true
		}
	} else if len(last.Content) > 0 {
		s.gap = max(2, last.Content[0].Column-v.Column)
	}
	return s, s.dash >= 0
}

// flowItem writes the fields as a flow mapping.
func flowItem(fields []Field, spaced bool) (string, error) {
	parts := make([]string, len(fields))
	for i, f := range fields {
		v, err := scalar(f.Value, true)
		if err != nil {
			return "", err
		}
		parts[i] = f.Key + ": " + v
	}
	if spaced {
		return "{ " + strings.Join(parts, ", ") + " }", nil
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

// blockItem writes the fields as a block list item whose dash is indented
// by dash.
func blockItem(fields []Field, s itemStyle, dash int, eol string) (string, error) {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", s.gap-1))
	if s.flow {
		m, err := flowItem(fields, s.spaced)
		if err != nil {
			return "", err
		}
		return b.String() + m + eol, nil
	}
	for i, f := range fields {
		v, err := scalar(f.Value, false)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(strings.Repeat(" ", dash+s.gap))
		}
		b.WriteString(f.Key + ": " + v + eol)
	}
	return b.String(), nil
}

// appendItem appends a mapping of the fields to the list under listKey of
// mapping owner, creating the key when it is missing or empty.
func (p *plan) appendItem(owner *yaml.Node, order []string, listKey string, fields []Field, style itemStyle) ([]byte, error) {
	ownerFlow := owner.Style&yaml.FlowStyle != 0
	v, i := get(owner, listKey)
	switch {
	case v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle != 0:
		spaced := false
		if len(v.Content) > 0 {
			if at, err := p.offset(v.Content[len(v.Content)-1]); err == nil && at+1 < len(p.fm) && p.fm[at+1] == ' ' {
				spaced = true
			}
		}
		m, err := flowItem(fields, spaced)
		if err != nil {
			return nil, err
		}
		if len(v.Content) == 0 {
			at, err := p.offset(v)
			if err != nil {
				return nil, err
			}
			return p.splice(span{at + 1, at + 1}, m), nil
		}
		end, err := p.nodeEnd(v.Content[len(v.Content)-1], true, 0)
		if err != nil {
			return nil, err
		}
		return p.splice(span{end, end}, ", "+m), nil
	case v != nil && v.Kind == yaml.SequenceNode:
		s, ok := p.styleOf(v, 0)
		if !ok {
			return nil, lineError(p.line(v), "%s: the last item is not a mapping like the others: fix the list first", listKey)
		}
		end, err := p.nodeEnd(v, false, indentOf(owner))
		if err != nil {
			return nil, err
		}
		at, eol := p.lineEnd(end)
		text, err := blockItem(fields, s, s.dash, eol)
		if err != nil {
			return nil, err
		}
		return p.splice(span{at, at}, text), nil
	case v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
		m, err := flowItem(fields, false)
		if err != nil {
			return nil, err
		}
		s, err := p.scalarSpan(v, ownerFlow, indentOf(owner))
		if err != nil {
			return nil, err
		}
		if s.at != s.end || ownerFlow {
			text := "[" + m + "]"
			if s.at == s.end {
				text = " " + text
			}
			return p.splice(s, text), nil
		}
		// key: with nothing after it: the items go on the next lines.
		at, eol := p.lineEnd(s.at)
		text, err := blockItem(fields, style, indentOf(owner)+style.dash, eol)
		if err != nil {
			return nil, err
		}
		return p.splice(span{at, at}, text), nil
	case v != nil:
		return nil, lineError(p.line(owner.Content[i]), "%s is not a list: make it one (%s:, then - items) first", listKey, listKey)
	}
	// No such key: add it in the usual order.
	if len(owner.Content) == 0 {
		return nil, lineError(p.line(owner), "an empty mapping: give it an id first")
	}
	pred := owner.Content[after(owner, listKey, order)+1]
	if ownerFlow {
		m, err := flowItem(fields, false)
		if err != nil {
			return nil, err
		}
		end, err := p.nodeEnd(pred, true, 0)
		if err != nil {
			return nil, err
		}
		return p.splice(span{end, end}, ", "+listKey+": ["+m+"]"), nil
	}
	end, err := p.nodeEnd(pred, false, indentOf(owner))
	if err != nil {
		return nil, err
	}
	at, eol := p.lineEnd(end)
	text, err := blockItem(fields, style, indentOf(owner)+style.dash, eol)
	if err != nil {
		return nil, err
	}
	return p.splice(span{at, at}, strings.Repeat(" ", indentOf(owner))+listKey+":"+eol+text), nil
}
