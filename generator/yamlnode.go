package generator

import (
	"fmt"
	"github.com/maproom/maproom/internal/spelling"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// lineIndex maps a key path ("milestones.0.tasks.2.owner") to the line of
// its value in the file, so checks after decoding can still name file:line.
type lineIndex struct {
	offset int // lines before the YAML document in the file
	lines  map[string]int
	// written holds, when part of the plan could not be decoded (a
	// duplicate key, a value of the wrong type), every id the YAML
	// writes: a reference to one of them is not an error of its own, the
	// decoding error already names what to fix.
	written map[string]bool
	// typeErrs are the places, in the problems, of the YAML type errors
	// (a list where one value is wanted): withoutShadowed drops one that
	// another error of its line says better.
	typeErrs []int
	// typeErrLines are the lines of those errors: a value there did not
	// decode, so it is not empty either (no "empty audience" beside it).
	typeErrLines map[int]bool
}

// writtenIDs gathers the value of every id key in n.
func writtenIDs(n *yaml.Node, into map[string]bool) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
				into[n.Content[i+1].Value] = true
			}
		}
	}
	for _, c := range n.Content {
		writtenIDs(c, into)
	}
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
			walkStrict(c, t.Elem(), path+"."+strconv.Itoa(i), li, col, what)
		}
	case yaml.ScalarNode:
		// The decoder cuts a number with a fraction down to a whole one
		// without a word: rotate: 0.9 would be 0, the link not rotated.
		if (t.Kind() == reflect.Int || t.Kind() == reflect.Int64) && n.ShortTag() == "!!float" {
			key := path[strings.LastIndexByte(path, '.')+1:]
			col.errorf(n.Line+li.offset, "%s %s in %s is not a whole number: write digits only, e.g. %s: 1", key, n.Value, what, key)
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

// fieldCache holds yamlFields' answer per struct type: the plan's few raw
// types, asked once per mapping node of every plan loaded.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.StructField

// yamlFields returns t's fields by their YAML key. The map is shared: do not
// modify it.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.StructField)
	}
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
	fieldCache.Store(t, m)
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

// decodeFast decodes n into v, a value of one of the plan's raw types, as
// yaml.v3's Node.Decode would, for the YAML plans are written in: mappings
// into structs, sequences into slices, scalars into strings and plain
// decimal integers into ints. It reports false, leaving v partly set, for
// anything else (an alias, a merge key, an explicit tag, a duplicate key, a
// null in a sequence, a value of the wrong shape): the caller then decodes
// a fresh value with Node.Decode, which also reports the errors. It exists
// because Node.Decode resolves every scalar again (trying each timestamp
// layout on every date) and costs a sixth of loading a plan.
// FuzzDecodeFast checks it against Node.Decode.
func decodeFast(n *yaml.Node, v reflect.Value) bool {
	if n.Style&yaml.TaggedStyle != 0 {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind != yaml.MappingNode || v.Type().Elem().Kind() != reflect.Struct {
			return false
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeFast(n, v.Elem())
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return false
		}
		fields := yamlFields(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Style&yaml.TaggedStyle != 0 || k.Value == "<<" || k.ShortTag() == "!!null" {
				return false
			}
			for j := i + 2; j < len(n.Content); j += 2 {
				if n.Content[j].Kind == k.Kind && n.Content[j].Value == k.Value {
					return false
				}
			}
			f, ok := fields[k.Value]
			if !ok {
				continue // unknown: walkStrict reports it, Decode ignores it
			}
			if val.Kind == yaml.ScalarNode && val.Style&yaml.TaggedStyle == 0 && val.ShortTag() == "!!null" {
				continue // a null leaves the field at its zero value
			}
			if !decodeFast(val, v.FieldByIndex(f.Index)) {
				return false
			}
		}
		return len(n.Content)%2 == 0
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return false
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" {
				return false // Decode drops it from the list
			}
			if !decodeFast(c, s.Index(i)) {
				return false
			}
		}
		v.Set(s)
		return true
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return false
		}
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
			v.SetString(n.Value)
			return true
		}
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || !plainDecimal(n.Value) {
			return false
		}
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil || v.OverflowInt(i) {
			return false
		}
		v.SetInt(i)
		return true
	}
	return false
}

// plainDecimal reports whether s is an integer in decimal digits with no
// leading zero, sign but a minus, or underscore: the form in which every
// reading of it gives the same number.
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
