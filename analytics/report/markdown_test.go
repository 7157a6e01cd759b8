package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
)

// TestMarkdownEscape renders escaped text the way a reader's Markdown
// viewer does: what the plan says reads as typed, and nothing in it
// becomes HTML, a link, emphasis or a table column.
func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"dates moved 2026-11-17 -> 2026-11-27": "dates moved 2026-11-17 -&gt; 2026-11-27",
		"<script>alert(1)</script>":            "&lt;script&gt;alert(1)&lt;/script&gt;",
		"<https://evil.example>":               "&lt;https://evil.example&gt;",
		"a | b *c* _d_ [e](f)":                 "a | b *c* _d_ [e](f)",
		"5 > 3 and 2 < 4":                      "5 &gt; 3 and 2 &lt; 4",
	} {
		var out bytes.Buffer
		if err := goldmark.Convert([]byte("text: "+md(in)), &out); err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSuffix(strings.TrimPrefix(out.String(), "<p>text: "), "</p>\n")
		if got != want {
			t.Errorf("md(%q) renders %q, want %q", in, got, want)
		}
	}
	if got := md("a -> b"); got != "a -> b" {
		t.Errorf("md(%q) = %q: an arrow reads as typed in the plain Markdown too", "a -> b", got)
	}
}
