package report

import (
	"bufio"
	"slices"
	"strings"
	"testing"
)

func TestTextWidth(t *testing.T) {
	for _, c := range []struct {
		s string
		n int
	}{
		{"", 0},
		{"Jordan Lee", 10},
		{"林 美玲", 7},                          // three wide characters and a space
		{"José Núñez", 10},                   // precomposed accents
		{"Jose\u0301 Nu\u0301n\u0303ez", 10}, // the same, decomposed: the marks take no cell
		{"ＡＣＭＥ", 8},                          // fullwidth Latin
		{"ｱｲ", 2},                            // halfwidth katakana
		{"Ana\u200bMaría", 8},                // a zero-width space
		{"김민준", 6},                           // Hangul
	} {
		if got := TextWidth(c.s); got != c.n {
			t.Errorf("TextWidth(%q) = %d, want %d", c.s, got, c.n)
		}
	}
}

// TestTableWideCharacters: a table with East Asian and accented names
// lines up on the terminal: each column starts at the same cell on every
// row.
func TestTableWideCharacters(t *testing.T) {
	// The cells each text takes on a terminal, counted by hand.
	cells := map[string]int{
		"Stakeholder": 11, "Role": 4, "Visits": 6, "Last": 4,
		"林 美玲": 7, "José Núñez": 10, "Jose\u0301 Nu\u0301n\u0303ez": 10, "ＡＣＭＥ buyer": 14, "Jordan": 6,
		"champion": 8, "economic buyer": 14, "user": 4, "紹介者": 6,
		"3": 1, "12": 2, "1": 1, "140": 3,
		"2026-11-22": 10, "2026-11-20": 10, "never": 5, "2026-11-02": 10,
	}
	rows := [][]string{
		{"Stakeholder", "Role", "Visits", "Last"},
		{"林 美玲", "champion", "3", "2026-11-22"},
		{"José Núñez", "economic buyer", "12", "2026-11-20"},
		{"Jose\u0301 Nu\u0301n\u0303ez", "user", "1", "never"},
		{"ＡＣＭＥ buyer", "紹介者", "140", "2026-11-02"},
		{"Jordan", "user", "1", "never"},
	}
	for _, color := range []bool{false, true} {
		var b strings.Builder
		out := &textOut{w: bufio.NewWriter(&b), color: color}
		var table [][]cell
		for _, r := range rows {
			var cs []cell
			for _, s := range r {
				cs = append(cs, paintCell(s, ansiGreen))
			}
			table = append(table, cs)
		}
		out.table(table)
		out.w.Flush()
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != len(rows) {
			t.Fatalf("color %v: %d lines, want %d:\n%s", color, len(lines), len(rows), b.String())
		}
		var starts []int // the cell each column starts at, from the first row
		for i, line := range lines {
			// Each cell's text comes after blanks; the blanks and the
			// texts before it say where it starts. Colour escapes take no cell.
			at, rest := 0, stripANSI(line)
			for j, text := range rows[i] {
				k := strings.Index(rest, text)
				if k < 0 {
					t.Fatalf("color %v, row %d: %q not in %q", color, i, text, line)
				}
				gap := rest[:k]
				if strings.Trim(gap, " ") != "" {
					t.Fatalf("color %v, row %d: %q before %q", color, i, gap, text)
				}
				at += len(gap)
				if j == len(starts) {
					starts = append(starts, at)
				} else if at != starts[j] {
					t.Errorf("color %v, row %d: column %d (%q) starts at cell %d, want %d:\n%s", color, i, j, text, at, starts[j], b.String())
				}
				at += cells[text]
				rest = rest[k+len(text):]
			}
		}
	}
}

// stripANSI removes the colour escapes (ESC [ ... m) from s.
func stripANSI(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 {
			return b.String() + s[i:]
		}
		s = s[i+j+1:]
	}
}

// TestTerminalText: text from a plan that holds a line break or another
// control character never breaks the table's lines or reaches the
// terminal as a control; the table's own colours stay when it is
// coloured, and go when it is not.
func TestTerminalText(t *testing.T) {
	in := "Slipper\r\nTOTAL: 0 overdue \x1b]0;title\x07 \u2028end"
	if got := terminalText(in, false); strings.ContainsFunc(got, func(r rune) bool { return r < ' ' || r == '\u2028' }) || !strings.Contains(got, "Slipper  TOTAL: 0 overdue") {
		t.Errorf("terminalText(%q) = %q", in, got)
	}
	painted := "\x1b[31malert\x1b[0m " + in
	got := terminalText(painted, true)
	if !strings.HasPrefix(got, "\x1b[31malert\x1b[0m ") || strings.Contains(got, "\r") || strings.Contains(got, "\x07") || strings.Contains(got, "\x1b]") {
		t.Errorf("coloured: %q", got)
	}
}

// TestCheckLines: a plan that fails check is shown with its first errors
// as check gives them, and how many more check lists.
func TestCheckLines(t *testing.T) {
	d := &DealReport{Plan: PlanErrors, CheckErrors: 5, CheckMessages: []string{"a.md:1: one", "a.md:2: two", "a.md:3: three", "a.md:4: four", "a.md:5: five"}}
	got := checkLines(d)
	want := []string{"a.md:1: one", "a.md:2: two", "a.md:3: three", "and 2 more errors: maproom check lists them all"}
	if !slices.Equal(got, want) {
		t.Errorf("checkLines = %q, want %q", got, want)
	}
	d.CheckErrors, d.CheckMessages = 1, d.CheckMessages[:1]
	if got := checkLines(d); !slices.Equal(got, []string{"a.md:1: one"}) {
		t.Errorf("one error: %q", got)
	}
}
