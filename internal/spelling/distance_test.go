package spelling

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"owner", "owner", 0}, {"ownr", "owner", 1}, {"outcom", "outcome", 1}, {"jordon", "jordan", 1},
		{"", "abc", 3}, {"lead", "deal", 2}, {"kitten", "sitting", 3},
		{strings.Repeat("a", 65), "a", 1 << 20},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
