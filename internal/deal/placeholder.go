package deal

import (
	"strconv"
	"strings"
)

// A placeholder is text a template left for the seller to write:
// "[[the buyer's business reason]]", two opening brackets, what to write,
// two closing brackets. The syntax is chosen because it does not occur in
// prose or in the plan's Markdown: English never doubles brackets, a
// Markdown link is [text](url) with single brackets, and CommonMark gives
// "[[" no meaning, so a placeholder found in a plan is one the seller has
// not replaced yet, never a false alarm. (In YAML a value that starts with
// "[[" is a nested list, so `maproom new` writes fields that hold one
// quoted.) What to write may hold single brackets, each closed after it
// opens ("[[1, 2], [3, 4]]", lists in a list, is no placeholder), and line breaks (an
// editor that wraps lines splits a long one), but no blank line: a
// placeholder is in one paragraph.
//
// No placeholder is ever published: the loader reports each one left in
// any frontmatter field or the welcome note as an error with its line.

// maxPlaceholder bounds a placeholder's length: "[[" with no "]]" in the
// paragraph after it is none.
const maxPlaceholder = 500

// Placeholder returns what a template asks to write in place of what: the
// text of a placeholder, "[[" and "]]" included.
func Placeholder(what string) string { return "[[" + what + "]]" }

// Placeholders returns the placeholders left in s, in order, each with its
// brackets; nil when there is none.
func Placeholders(s string) []string {
	var out []string
	for _, sp := range PlaceholderSpans(s) {
		out = append(out, s[sp[0]:sp[1]])
	}
	return out
}

// PlaceholderSpans returns where each placeholder of s starts and ends
// (s[start:end] is it, brackets included), in order; nil when there is
// none.
func PlaceholderSpans(s string) [][2]int {
	var out [][2]int
	for from := 0; ; {
		i := strings.Index(s[from:], "[[")
		if i < 0 {
			return out
		}
		start := from + i
		for start+2 < len(s) && s[start+2] == '[' {
			start++ // "[[[x]]": the placeholder is the innermost "[[x]]"
		}
		j := strings.Index(s[start+2:], "]]")
		if j < 0 {
			return out
		}
		end := start + 2 + j + 2
		if inner := s[start+2 : end-2]; end-start <= maxPlaceholder && !blankLineIn(inner) && !closesFirst(inner) && !scalarList(inner) {
			out = append(out, [2]int{start, end})
			from = end
		} else {
			from = start + 2
		}
	}
}

// closesFirst reports whether s has a "]" before any "[": what is between
// "[[" and "]]" is then no placeholder but lists in a list
// ("[[1, 2], [3, 4]]" in a code sample).
func closesFirst(s string) bool {
	c := strings.IndexByte(s, ']')
	return c >= 0 && !strings.Contains(s[:c], "[")
}

// scalarList reports whether s is a list of two or more numbers or
// quoted strings ("1, 200", `"a", "b"`): "[[1, 200]]" is a list in a list
// (a code sample), not words to write; "[[100]]" is one value to write.
func scalarList(s string) bool {
	items := strings.Split(s, ",")
	if len(items) < 2 {
		return false // "[[100]]", "[["TBD"]]": one value to write
	}
	for _, item := range items {
		item = strings.TrimSpace(item)
		if _, err := strconv.ParseFloat(item, 64); err == nil && strings.Trim(item, "+-.0123456789eE") == "" {
			continue
		}
		if n := len(item); n >= 2 && (item[0] == '"' && item[n-1] == '"' || item[0] == '\'' && item[n-1] == '\'') {
			continue
		}
		return false
	}
	return true
}

// blankLineIn reports whether s holds a line of spaces only between two
// line breaks: a paragraph's end.
func blankLineIn(s string) bool {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return false
		}
		s = s[i+1:]
		if k := strings.IndexByte(s, '\n'); k >= 0 && strings.TrimSpace(s[:k]) == "" {
			return true
		}
	}
}
