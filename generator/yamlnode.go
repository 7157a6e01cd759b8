package generator

import (
	"fmt"
	"github.com/maproom/maproom/internal/spelling"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// lineIndex maps a key path ("milestones.0.tasks.2.owner") to the line of
// its value in the file, so checks after decoding can still name file:line.
type lineIndex struct {
	offset int // lines before the YAML document in the file
	lines  map[string]int
}

// at returns the file line of path, or of its nearest recorded parent.
func (li *lineIndex) at(path string) int {
	for {
		if n, ok := li.lines[path]; ok {
			return n + li.offset
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return li.offset
		}
		path = path[:i]
	}
}

// walkStrict records the line of every node under path and reports every
// mapping key that type t does not declare, with the closest known key as a
// suggestion. It is what makes the frontmatter strict: yaml.v3's KnownFields
// stops at the first unknown key, while a seller wants them all at once.
func walkStrict(n *yaml.Node, t reflect.Type, path string, li *lineIndex, col collector, what string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path != "" {
		if _, ok := li.lines[path]; !ok {
			li.lines[path] = n.Line
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkStrict(c, t, path, li, col, what)
		}
	case yaml.AliasNode:
		col.errorf(n.Line+li.offset, "YAML aliases are not supported in a plan: write the value out")
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct {
			return // the decoder reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				col.errorf(k.Line+li.offset, "unknown key %q in %s%s", k.Value, what, suggest(k.Value, fields))
				continue
			}
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			li.lines[p] = v.Line
			walkStrict(v, f.Type, p, li, col, keyNoun(k.Value, what))
		}
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice {
			return
		}
		for i, c := range n.Content {
			walkStrict(c, t.Elem(), fmt.Sprintf("%s.%d", path, i), li, col, what)
		}
	}
}

// keyNoun names what a nested mapping is, for messages.
func keyNoun(key, parent string) string {
	switch key {
	case "stakeholders":
		return "a stakeholder"
	case "milestones":
		return "a milestone"
	case "tasks":
		return "a task"
	case "collateral":
		return "a collateral entry"
	case "review":
		return "review"
	}
	return parent
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f
	}
	return m
}

// suggest returns "; did you mean "x"?" for the known key closest to k, or
// the list of known keys when none is close.
func suggest(k string, fields map[string]reflect.StructField) string {
	best, bestD := "", 1<<30
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
		if d := spelling.Distance(strings.ToLower(k), name); d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(k) > 6) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	sort.Strings(names)
	return "; known keys: " + strings.Join(names, ", ")
}
