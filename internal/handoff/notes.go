package handoff

import (
	"html"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Paragraphs splits a note's Markdown into paragraphs of plain text (the
// pages escape them: nothing of a note is rendered as HTML: the rooms' meeting
// log and the handoff show notes so). Each item
// of a list ("- ", "* ", "+ " or "1. " at a line's start) is a paragraph
// of its own, led by a dash (a numbered one by its number), as a note written as a list of who does
// what reads; a line's other words join its paragraph. HTML comments are
// the writer's notes to themselves, left out as the rooms leave them out
// of every other page (one never closed runs to the end), and so is a
// byte-order mark.
func Paragraphs(text string) []string {
	var out []string
	text = withoutComments(strings.TrimPrefix(text, "\ufeff"))
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		var cur []string
		flush := func() {
			// The words of the paragraph as it reads, its Markdown marks
			// (emphasis, code, a link's address) left out; a list item
			// keeps its dash or number.
			lead := ""
			if len(cur) > 1 && (cur[0] == "–" || listItem(cur[0])) {
				lead, cur = cur[0]+" ", cur[1:]
			}
			if s := plainText(strings.Join(cur, " ")); s != "" {
				out = append(out, lead+s)
			}
			cur = nil
		}
		for _, line := range strings.Split(p, "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			if listItem(fields[0]) {
				flush()
				if !strings.ContainsAny(fields[0], "0123456789") {
					fields[0] = "–" // a numbered item keeps its number
				}
			}
			cur = append(cur, fields...)
		}
		flush()
	}
	return out
}

// plainText returns the text a line of Markdown reads as: its words and
// code, a link's text (not its address), an image's description; the
// marks of emphasis and code, and raw HTML tags, left out. The rooms show
// a note as text, never as HTML.
func plainText(s string) string {
	src := []byte(s)
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var b strings.Builder
	lines := func(n ast.Node) {
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			b.Write(seg.Value(src))
			b.WriteByte(' ')
		}
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			v := t.Segment.Value(src)
			if _, code := t.Parent().(*ast.CodeSpan); !code {
				// As the text reads: "\*" is a star, "&amp;" an ampersand.
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			b.Write(v)
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.Label(src))
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines(n)
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			// Its words, its tags left out (a comment is gone already).
			var hb strings.Builder
			for i := 0; i < t.Lines().Len(); i++ {
				seg := t.Lines().At(i)
				hb.Write(seg.Value(src))
				hb.WriteByte(' ')
			}
			if t.HasClosure() {
				hb.Write(t.ClosureLine.Value(src))
			}
			b.WriteString(html.UnescapeString(htmlTag.ReplaceAllString(hb.String(), " ")))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlTag is an HTML tag, for plainText to leave out.
var htmlTag = regexp.MustCompile(`<[^>]*>`)

// withoutComments returns text without its HTML comments, <!-- to -->;
// one never closed runs to the end of text.
func withoutComments(text string) string {
	var b strings.Builder
	for {
		before, rest, found := strings.Cut(text, "<!--")
		b.WriteString(before)
		if !found {
			return b.String()
		}
		_, text, found = strings.Cut(rest, "-->")
		if !found {
			return b.String()
		}
		b.WriteByte(' ') // a comment between two words keeps them apart
	}
}

// listItem reports whether a line's first word starts a Markdown list
// item: a dash, a star or a plus, or a number with a dot or a bracket.
func listItem(w string) bool {
	switch w {
	case "-", "*", "+":
		return true
	}
	n := strings.TrimRight(w, ".)")
	if n == w || n == "" || len(w)-len(n) != 1 {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
