package report

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// TestCSVCellsAreNotFormulas: a cell a spreadsheet would run as a formula
// (a buyer's reply that starts with =, +, -, @, a tab or a carriage
// return) is written as text, with a leading apostrophe; numbers,
// negative ones too, and other text are written as they are.
func TestCSVCellsAreNotFormulas(t *testing.T) {
	in := []string{`=HYPERLINK("http://evil.example","click")`, "+1 555", "-2+3", "@SUM(A1)", "\tx", "\r=1", "-5", "+3", "-0.5", "plain", "", "a=b", "-Inf", "+Infinity", "-0x1p3"}
	want := []string{`'=HYPERLINK("http://evil.example","click")`, "'+1 555", "'-2+3", "'@SUM(A1)", "'\tx", "'\r=1", "-5", "+3", "-0.5", "plain", "", "a=b", "'-Inf", "'+Infinity", "'-0x1p3"}
	var b strings.Builder
	cw := newCSV(&b)
	if err := cw.Write(slices.Clone(in)); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	got, err := csv.NewReader(strings.NewReader(b.String())).Read()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
}
