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

// TestCSVCarriesTheWeek: the per-deal CSV has the last seven days each
// deal is headed with in the other formats (a week row) and what happened
// in them (activity rows), as the JSON does.
func TestCSVCarriesTheWeek(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	var b strings.Builder
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	weeks, acts := map[string]bool{}, 0
	for _, row := range rows[1:] {
		switch row[0] {
		case "week":
			weeks[row[1]] = true
		case "activity":
			acts++
		}
	}
	for _, d := range r.Deals {
		if d.Week != nil && !weeks[d.ID] {
			t.Errorf("%s: no week row", d.ID)
		}
		acts -= len(d.Activity)
	}
	if acts != 0 {
		t.Errorf("the activity rows differ from the deals' activity by %d", acts)
	}
}
