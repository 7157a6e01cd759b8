package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// TestTypeErrorWords: a value of the wrong type is said as what was
// written and what is wanted, with what to write; where another error of
// the same line says what to change (an owner must name one stakeholder),
// the library's words are not printed beside it.
func TestTypeErrorWords(t *testing.T) {
	dir := filepath.Join("..", "content", "acme-data-platform")
	src, err := os.ReadFile(filepath.Join(dir, BundleIndex))
	if err != nil {
		t.Fatal(err)
	}
	cfg := (&Config{}).withDefaults()
	for _, c := range []struct {
		old, new string
		line     int
		want     string
		not      string
		nowhere  string // said on no line: the value is written, only of the wrong type
	}{
		{"        due: 2026-10-23\n", "        due: [2026-10-23]\n", 30, "a list where one value is wanted: write one value, or put text in double quotes", "", "neither a due date"},
		{"close: 2027-01-29\n", "close: [2027-01-29]\n", 6, "a list where one value is wanted: write one value, or put text in double quotes", "", "is missing"},
		{"goal: Signed by 29 January", "goal: [Signed by 29 January]\nx_goal: Signed by 29 January", 5, "a list where one value is wanted", "", "is missing"},
		{"        owner: tom\n", "        owner: [tom, priya]\n", 29, `task "nda" owner: name exactly one stakeholder id`, "cannot unmarshal", ""},
		// an audience written as text is not an empty one
		{`audience: ["role:economic-buyer", "role:champion"]}`, `audience: jordan}`, 151, `want a list`, "empty audience", ""},
		// a number with a fraction is not cut down to a whole one: the
		// link would not rotate
		{"email: elena.novak@acme.example}", "email: elena.novak@acme.example, rotate: 0.9}", 15, "rotate 0.9 in a stakeholder is not a whole number: write digits only", "", ""},
	} {
		if !strings.Contains(string(src), c.old) {
			t.Fatalf("the example plan no longer holds %q", c.old)
		}
		_, ps := CheckPlan(dir, []byte(strings.Replace(string(src), c.old, c.new, 1)), cfg, deal.NewDate(2026, 11, 22))
		var on []string
		for _, p := range ps {
			if p.Line == c.line && p.Severity == Error {
				on = append(on, p.Msg)
			}
			if c.nowhere != "" && strings.Contains(p.Msg, c.nowhere) {
				t.Errorf("%q: line %d says %q, though the value is written", c.new, p.Line, p.Msg)
			}
		}
		all := strings.Join(on, "\n")
		if !strings.Contains(all, c.want) || c.not != "" && strings.Contains(all, c.not) || len(on) != 1 {
			t.Errorf("%q: the errors of line %d are %q; want one, saying %q", c.new, c.line, on, c.want)
		}
	}
	if got := yamlTypeWords("cannot unmarshal !!str `lots` into int64"); got != "text (lots) where a whole number is wanted: write digits only" {
		t.Errorf("yamlTypeWords: %q", got)
	}
}

// TestDuplicateKeyLosesNoSteps: a key set twice in a milestone's one
// step is one error; the step is not said to be missing beside it.
func TestDuplicateKeyLosesNoSteps(t *testing.T) {
	plan := `---
title: Deal one
buyer: Acme Corp
seller: Northwind
goal: Signed by 29 January so the launch ships
close: 2027-01-29
stakeholders:
  - {id: priya, name: Priya Raman, title: CFO, side: buyer, role: economic-buyer}
  - {id: sam, name: Sam Lee, title: AE, side: seller, role: account-executive}
milestones:
  - id: m1
    title: Needs agreed
    due: 2026-12-20
    lead: priya
    evidence: Criteria document signed by Priya
    tasks:
      - id: t1
        title: Write criteria
        owner: priya
        due: 2026-12-15
        status: todo
        status: done
        evidence: Criteria document v1 emailed
---
Welcome.
`
	_, ps := CheckPlan(t.TempDir(), []byte(plan), (&Config{}).withDefaults(), deal.NewDate(2026, 11, 22))
	dup := false
	for _, p := range ps {
		dup = dup || strings.Contains(p.Msg, `"status" already defined`)
		if strings.Contains(p.Msg, "has no task") {
			t.Errorf("line %d: %s", p.Line, p.Msg)
		}
	}
	if !dup {
		t.Errorf("problems %v, want the key set twice", ps)
	}
}
