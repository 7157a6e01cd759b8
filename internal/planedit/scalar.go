package planedit

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// stringish reports whether a scalar with this resolved tag reads back as
// its own text in a string field (and in an int field for !!int).
func stringish(tag string) bool {
	switch tag {
	case "!!str", "!!timestamp", "!!int", "!!float":
		return true
	}
	return false
}

// printable reports whether r may be written as is in a YAML scalar
// without being a line break, a byte order mark or a control character.
func printable(r rune) bool {
	switch {
	case r == '\t':
		return true
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		return false
	case r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError:
		return false
	}
	return true
}

// scalar returns v written as a YAML scalar: plain when YAML reads it back
// as the same text in that context (flow: inside {} or []), else double
// quoted with escapes.
func scalar(v string, flow bool) (string, error) {
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("the value %q is not valid UTF-8", v)
	}
	if plain(v, flow) {
		return v, nil
	}
	return quote(v), nil
}

// plain reports whether v may be written as a plain scalar.
func plain(v string, flow bool) bool {
	if v == "" || strings.TrimSpace(v) != v || strings.ContainsAny(v, "\t") {
		return false
	}
	for _, r := range v {
		if !printable(r) {
			return false
		}
	}
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", v[0]) >= 0 {
		return false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return false
	}
	if flow && strings.ContainsAny(v, ",[]{}") {
		return false
	}
	doc := "k: " + v
	if flow {
		doc = "{k: " + v + "}"
	}
	var n yaml.Node
	if yaml.Unmarshal([]byte(doc), &n) != nil || len(n.Content) != 1 || len(n.Content[0].Content) != 2 {
		return false
	}
	got := n.Content[0].Content[1]
	return got.Kind == yaml.ScalarNode && got.Value == v && stringish(got.ShortTag())
}

// quote returns v as a double-quoted YAML scalar.
func quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if !printable(r) {
				fmt.Fprintf(&b, `\u%04X`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkKey refuses a key that is not a plain word a plan uses.
func checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("an empty key: name the field to set")
	}
	for i, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '-')) {
			return fmt.Errorf("the key %q is not a plan key: use letters, digits, - and _", k)
		}
	}
	if !plain(k, true) {
		return fmt.Errorf("the key %q reads as a YAML value, not a key name", k)
	}
	return nil
}

// singleQuote returns v as a single-quoted YAML scalar, or double-quoted
// when it holds a character only escapes can write.
func singleQuote(v string) string {
	for _, r := range v {
		if !printable(r) || r == '\t' {
			return quote(v)
		}
	}
	if strings.TrimSpace(v) != v {
		return quote(v)
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}
