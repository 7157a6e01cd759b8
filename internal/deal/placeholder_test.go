package deal

import (
	"slices"
	"testing"
)

func TestPlaceholders(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Signed by 30 April so that [[the buyer's reason]]", []string{"[[the buyer's reason]]"}},
		{"[[Your names]], [[your company]]", []string{"[[Your names]]", "[[your company]]"}},
		{"[[]]", []string{"[[]]"}},
		// Prose and Markdown with single brackets are no placeholders.
		{"see [the guide](https://example.com) [1] and [a] [b]", nil},
		// An editor that wraps lines splits a long one; a blank line
		// ends it (a paragraph's "[[" alone is none).
		{"a [[line\nbreak]] is one", []string{"[[line\nbreak]]"}},
		{"a [[ that\n\nends]] is not one", nil},
		{"a [[ that\n  \t\nends]] is not one, [[this]] is", []string{"[[this]]"}},
		{"[[x [y] z]]", []string{"[[x [y] z]]"}},
		{"[[a]]]]", []string{"[[a]]"}},
		{"[[ no end", nil},
		// lists in a list (a code sample) are no placeholder
		{`{"ranges": [[1, 200], [201, 400]]}`, nil},
		{"matrix: [[1, 2], [3, 4]] and [[this]]", []string{"[[this]]"}},
		{"ranges: [[1, 200]]", nil},
		{`{"m": [[0, 1]], "n": [["a", "b"]]}`, nil},
		{"[[2027 budget]]", []string{"[[2027 budget]]"}},
		{"Seats: [[100]], price [[\"TBD\"]], [[Inf]], [[1, Inf]]", []string{"[[100]]", "[[\"TBD\"]]", "[[Inf]]", "[[1, Inf]]"}},
		{"[[[x]]]", []string{"[[x]]"}},
		{"", nil},
	} {
		if got := Placeholders(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
