package deal

import (
	"regexp"
	"strings"
)

// A placeholder is text a template left for the seller to write:
// "[[the buyer's business reason]]", two opening brackets, what to write,
// two closing brackets, on one line. The syntax is chosen because it does
// not occur in prose or in the plan's Markdown: English never doubles
// brackets, a Markdown link is [text](url) with single brackets, and
// CommonMark gives "[[" no meaning, so a placeholder found in a plan is
// one the seller has not replaced yet, never a false alarm. (In YAML a
// value that starts with "[[" is a nested list, so `maproom new` writes
// fields that hold one quoted.)
//
// No placeholder is ever published: the loader reports each one left in
// any frontmatter field or the welcome note as an error with its line.
var placeholderRe = regexp.MustCompile(`\[\[[^\[\]\n]*\]\]`)

// Placeholder returns what a template asks to write in place of what: the
// text of a placeholder, "[[" and "]]" included.
func Placeholder(what string) string { return "[[" + what + "]]" }

// Placeholders returns the placeholders left in s, in order, each with its
// brackets; nil when there is none.
func Placeholders(s string) []string {
	if !strings.Contains(s, "[[") {
		return nil
	}
	return placeholderRe.FindAllString(s, -1)
}
