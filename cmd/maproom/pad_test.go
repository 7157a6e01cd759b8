package main

import (
	"strings"
	"testing"

	"github.com/maproom/maproom/analytics/report"
)

// TestPadCells: serve's list of links pads each name to the same number of
// terminal cells in any script: a CJK name (two cells a character) takes
// fewer spaces than a Latin one of as many characters.
func TestPadRight(t *testing.T) {
	for _, s := range []string{"Jordan Park", "林 美玲", "José Núñez", "a-name-longer-than-the-column"} {
		got := report.PadRight(s, 22)
		if !strings.HasPrefix(got, s) || strings.TrimRight(got, " ") != strings.TrimRight(s, " ") {
			t.Errorf("%q padded to %q: not the name and spaces", s, got)
		}
		if w := report.TextWidth(got); w != max(22, report.TextWidth(s)) {
			t.Errorf("%q padded to %d cells, want %d", s, w, max(22, report.TextWidth(s)))
		}
	}
	if got := report.PadRight("林 美玲", 10); got != "林 美玲   " {
		t.Errorf("PadRight(林 美玲, 10) = %q, want three spaces after its seven cells", got)
	}
}
