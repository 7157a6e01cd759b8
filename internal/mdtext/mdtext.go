// Package mdtext writes text from a plan or a reply (a title, a name, a
// reason) into Markdown as the words it is: on one line, with what
// Markdown or HTML would read as markup escaped, so that a document pasted
// into an email or a Markdown page shows the words, never a tag, a link or
// an emphasis.
package mdtext

import "strings"

var escape = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "|", `\|`, "&", `\&`, "#", `\#`)

// Escape returns s on one line (its runs of white space, line breaks too,
// made one space) with every character Markdown or HTML reads as markup
// backslash-escaped: CommonMark shows an escaped punctuation character as
// itself, in text and in a table cell alike.
func Escape(s string) string {
	return escape.Replace(strings.Join(strings.Fields(s), " "))
}
