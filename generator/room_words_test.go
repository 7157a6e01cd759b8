package generator

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/token"
)

// TestHeadingsInOrder: a document's headings sit right below the page's
// h1 (a welcome note's below its h2), whatever level its highest one is
// written at, and in the order written. (A document whose "# Title" said
// the page's title had it dropped and its "##" shifted to h3: h1, then h3.)
func TestHeadingsInOrder(t *testing.T) {
	m := newMarkdown()
	levels := regexp.MustCompile(`<h([1-6])`)
	for _, tc := range []struct {
		name, src, title string
		top              int
		want             string
	}{
		{"the page's title dropped", "# Pricing\n\nIntro.\n\n## Tiers\n\n### Gold\n\n## Terms\n", "Pricing", 2, "2 3 2"},
		{"another first heading kept", "# Overview\n\n## Tiers\n", "Pricing", 2, "2 3"},
		{"written from ##", "## Tiers\n\n### Gold\n", "Pricing", 2, "2 3"},
		{"written from ###", "### Tiers\n\n#### Gold\n", "Pricing", 2, "2 3"},
		{"a welcome note under its h2", "# Hello\n\n## Next\n", "", 3, "3 4"},
		{"deep levels stop at h6", "# A\n\n###### F\n", "", 3, "3 6"},
	} {
		out, err := m.render([]byte(tc.src), &linkScope{topLevel: tc.top, title: tc.title})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range levels.FindAllStringSubmatch(string(out), -1) {
			got = append(got, l[1])
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: headings h%s, want h%s:\n%s", tc.name, strings.Join(got, " h"), strings.ReplaceAll(tc.want, " ", " h"), out)
		}
	}
}

// TestWaitsOnYou: a late step that waits on a step of the room's own
// person says "(you)", as the room says of their steps everywhere else;
// another person's room names them. (Jordan's room said his own step was
// "Jordan Park"'s.)
func TestWaitsOnYou(t *testing.T) {
	root := exampleSite(t)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"),
		Secret: testSecret, Today: deal.NewDate(2026, 12, 7)}); err != nil {
		t.Fatal(err)
	}
	room := func(who string) string {
		b, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, "acme-data-platform", who, 0), "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const waits = "waits on Anonymised sample datasets delivered"
	if j := room("jordan"); !strings.Contains(j, waits+" (you)") || strings.Contains(j, waits+" (Jordan Park)") {
		t.Errorf("jordan's room does not say the step it waits on is his:\n%s", j)
	}
	if m := room("marcus"); !strings.Contains(m, waits+" (Jordan Park)") {
		t.Errorf("marcus's room does not name Jordan:\n%s", m)
	}
}

// TestMisspeltKeyOneError: a required key misspelt ("clsoe:") is one
// error, at its line, saying which key was meant; not also "the close
// date is missing" at line 1, whose fix would add a second close.
func TestMisspeltKeyOneError(t *testing.T) {
	root := exampleSite(t)
	editPlan(t, root, "umbrella-pilot", func(src string) string { return strings.Replace(src, "\nclose:", "\nclsoe:", 1) })
	_, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
	var got []string
	for _, p := range ps {
		if p.Severity == Error && strings.HasSuffix(p.File, filepath.Join("umbrella-pilot", "index.md")) {
			got = append(got, p.Msg)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], `unknown key "clsoe" in the deal; did you mean "close"?`) {
		t.Errorf("errors %q, want the misspelt key's alone", got)
	}
}

// TestMisspeltNestedKeyKeepsPlanErrors: a key misspelt inside a milestone
// ("titel:") leaves the plan's own missing-key errors alone: a missing
// top-level title is still said.
func TestMisspeltNestedKeyKeepsPlanErrors(t *testing.T) {
	root := exampleSite(t)
	editPlan(t, root, "umbrella-pilot", func(src string) string {
		i := strings.Index(src, "\ntitle:")
		j := strings.Index(src[i+1:], "\n")
		src = src[:i] + src[i+1+j:]                                    // no top-level title
		return strings.Replace(src, "\n    title:", "\n    titel:", 1) // a milestone's misspelt
	})
	_, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
	found := false
	for _, p := range ps {
		found = found || p.Severity == Error && strings.HasSuffix(p.File, filepath.Join("umbrella-pilot", "index.md")) && strings.Contains(p.Msg, "title is missing")
	}
	if !found {
		t.Errorf("the plan's missing title is not said: %v", ps)
	}
}

// editPlan rewrites the plan of deal id in the site at root with edit.
func editPlan(t *testing.T, root, id string, edit func(string) string) {
	t.Helper()
	plan := filepath.Join(root, ContentDir, id, BundleIndex)
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plan, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}
