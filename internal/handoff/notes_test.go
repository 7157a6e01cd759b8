package handoff

import (
	"slices"
	"testing"
)

// TestNoteParagraphs: a review note's paragraphs are plain text, each
// list item one of its own, a wrapped line joined to its paragraph, read
// as the Markdown reads: without its marks of emphasis and code, a link
// by its text, a heading by its words, a tag left out. (The rooms showed
// "**10 Dec**" and "[the PoC plan](poc-plan/)" as written.)
func TestNoteParagraphs(t *testing.T) {
	got := Paragraphs("## Attendees\n\nReviewed the proof\nof concept.\n\n- Leo: SSO by **10 Dec**\n- Mia: the DPA\n  with _legal_\n1. Tara: the [order form](order-form/) and `SKU-7`\n\n3.5% discount agreed <b>today</b>, see <https://x.example/a>.\n")
	want := []string{"Attendees", "Reviewed the proof of concept.", "– Leo: SSO by 10 Dec", "– Mia: the DPA with legal", "1. Tara: the order form and SKU-7", "3.5% discount agreed today, see https://x.example/a."}
	if !slices.Equal(got, want) {
		t.Errorf("paragraphs:\n got %q\nwant %q", got, want)
	}
	// Nothing written is lost, and nothing reads otherwise than it does:
	// an HTML block by its words, a code block by its lines, entities and
	// escapes as the characters they stand for; a code span as written.
	for src, want := range map[string]string{
		"<div>Signed off by <b>legal</b></div>": "Signed off by legal",
		"```\nSKU-7 at 40%\n```":                "SKU-7 at 40%",
		"    indented code":                     "indented code",
		"Ben &amp; Jerry's &copy; 2026":         "Ben & Jerry's © 2026",
		`a \*literal\* star`:                    "a *literal* star",
		"`not \\*emphasis\\*`":                  `not \*emphasis\*`,
	} {
		if got := Paragraphs(src); len(got) != 1 || got[0] != want {
			t.Errorf("Paragraphs(%q) = %q, want %q", src, got, want)
		}
	}
}

// TestNoteCommentsLeftOut: an HTML comment in a review note is the
// seller's note to themselves: the rooms leave it out, as they leave it out
// of the welcome note, on one line or several, inside a paragraph, or
// never closed (to the end); a byte-order mark goes too, and a note of
// comments only has no paragraph.
func TestNoteCommentsLeftOut(t *testing.T) {
	got := Paragraphs("\ufeffReview held.<!-- champion is weak -->\n\n<!--\ninternal:\nthe budget is cut\n-->\n- Leo: SSO\n\n<!-- never closed\n\nsecret")
	want := []string{"Review held.", "– Leo: SSO"}
	if !slices.Equal(got, want) {
		t.Errorf("paragraphs:\n got %q\nwant %q", got, want)
	}
	if got := Paragraphs("<!-- only a comment -->\n"); len(got) != 0 {
		t.Errorf("a note of a comment only: %q, want no paragraph", got)
	}
}
