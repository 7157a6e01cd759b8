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
		{"a [[line\nbreak]] is not one", nil},
		{"[[[x]]]", []string{"[[x]]"}},
		{"", nil},
	} {
		if got := Placeholders(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
