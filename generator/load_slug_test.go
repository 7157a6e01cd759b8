package generator

import "testing"

// TestSlugExample: the id check suggests an id made from what was
// written, its accents folded ("Núñez" gives "nunez"), and a made-up one
// when that keeps too little of it to be an id.
func TestSlugExample(t *testing.T) {
	for in, want := range map[string]string{
		"Acme Renewal!": `e.g. "acme-renewal"`,
		"ünï":           `e.g. "uni"`,
		"José Núñez":    `e.g. "jose-nunez"`,
		"..":            `as in "security-pack"`,
		"x":             `as in "security-pack"`,
	} {
		if got := SlugExample(in, "security-pack"); got != want {
			t.Errorf("SlugExample(%q) = %s, want %s", in, got, want)
		}
	}
}
