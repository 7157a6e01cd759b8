package mdtext

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// TestEscapeShowsTheWords renders escaped text with goldmark (tables on)
// and holds it to showing the words: no tag, link, emphasis, code, heading
// or table cell made of them.
func TestEscapeShowsTheWords(t *testing.T) {
	for _, s := range []string{
		"Pricing *draft* | v2 [final](http://x) <b>hi</b>",
		"# not a heading",
		"`code` and _under_ and a\\b",
		"AT&amp;T <script>alert(1)</script>",
		"two\nlines\r\n  and  spaces",
		"[ref]: http://evil.example",
	} {
		md := "| a |\n|---|\n| " + Escape(s) + " |\n\n" + Escape(s) + "\n"
		var out bytes.Buffer
		if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert([]byte(md), &out); err != nil {
			t.Fatal(err)
		}
		html := out.String()
		for _, bad := range []string{"<b>", "<script", "<a ", "<em>", "<strong>", "<code>", "<h1", "<td>v2"} {
			if strings.Contains(html, bad) {
				t.Errorf("%q escaped renders %s:\n%s", s, bad, html)
			}
		}
		if strings.Count(html, "<td>") != 1 {
			t.Errorf("%q escaped is not one table cell:\n%s", s, html)
		}
		if strings.Contains(Escape(s), "\n") {
			t.Errorf("%q escaped spans lines", s)
		}
	}
}
