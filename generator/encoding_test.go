package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// smallPlan is a plan without errors whose pricing page is shown to Ann.
const smallPlan = `---
title: Northwind platform
buyer: Initrode
seller: Northwind Analytics
goal: Signed by March so the April rollout keeps its date
close: 2027-03-01
stakeholders:
  - {id: ann, name: Ann Bell, title: CFO, side: buyer, role: economic-buyer}
  - {id: sam, name: Sam Lee, side: seller, role: account-executive}
collateral:
  - {id: pricing, title: Pricing proposal, file: pricing.md}
milestones:
  - id: eval
    title: Evaluation passed
    lead: ann
    evidence: Evaluation report stating proceed
    tasks:
      - {id: a, title: Review the plan, owner: ann, due: 2027-01-10, evidence: Approval email from the CFO}
---
Welcome to the room.

We review the plan every Tuesday.
`

// writeSite writes one deal, northwind, with files, and returns the site
// root and the deal folder.
func writeSite(t *testing.T, files map[string]string) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, ContentDir, "northwind")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, dir
}

// TestTextEncodings: a plan or Markdown page that is not UTF-8 is an error
// on the line of its first bad byte, in the file that holds it; a UTF-8
// byte-order mark at the start of either is accepted.
func TestTextEncodings(t *testing.T) {
	const page = "# Pricing\n\nSeats at list price.\n"
	latin1 := func(s string) string { return strings.ReplaceAll(s, "é", "\xe9") } // é as ISO 8859-1
	for _, tc := range []struct {
		name        string
		plan, page  string
		file        string // the file with the error, or "" for none
		line        int
		wantInPage  string
		wantInRooms string
	}{
		{name: "utf-8", plan: smallPlan, page: page, wantInPage: `<h2 id="pricing">Pricing</h2>`, wantInRooms: "Welcome to the room."},
		{name: "byte-order marks", plan: "\ufeff" + smallPlan, page: "\ufeff" + page, wantInPage: `<h2 id="pricing">Pricing</h2>`, wantInRooms: "Welcome to the room."},
		{name: "latin-1 body", plan: strings.Replace(smallPlan, "every Tuesday", latin1("every Tuesday, café open"), 1), page: page, file: BundleIndex, line: 22},
		{name: "latin-1 frontmatter", plan: strings.Replace(smallPlan, "Ann Bell", latin1("Ann Bellé"), 1), page: page, file: BundleIndex, line: 8},
		{name: "latin-1 page", plan: smallPlan, page: latin1("# Pricing\n\nSeats at list price.\nRésumé of the terms.\n"), file: "pricing.md", line: 4},
		{name: "page truncated mid-rune", plan: smallPlan, page: page + "\xe2\x82", file: "pricing.md", line: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, dir := writeSite(t, map[string]string{BundleIndex: tc.plan, "pricing.md": tc.page})
			_, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
			if tc.file != "" {
				want := filepath.Join(dir, tc.file)
				found := false
				for _, p := range ps {
					found = found || (p.Severity == Error && p.File == want && p.Line == tc.line && strings.Contains(p.Msg, "is not UTF-8 text"))
				}
				if !found {
					t.Fatalf("no error at %s:%d saying it is not UTF-8; problems: %v", want, tc.line, ps)
				}
				return
			}
			if ps.Errors() > 0 {
				t.Fatalf("problems: %v", ps)
			}
			res, out := buildSite(t, root, deal.NewDate(2026, 11, 22))
			d := res.Site.Bundles[0].Deal
			if bytes.HasPrefix(d.Body, utf8BOM) {
				t.Errorf("the welcome note keeps the byte-order mark")
			}
			pages, _ := filepath.Glob(filepath.Join(out, "r", "*", "pricing", "index.html"))
			rooms, _ := filepath.Glob(filepath.Join(out, "r", "*", "index.html"))
			if len(pages) == 0 || len(rooms) == 0 {
				t.Fatalf("published %d rooms and %d pricing pages", len(rooms), len(pages))
			}
			for _, p := range append(pages, rooms...) {
				data, _ := os.ReadFile(p)
				want := tc.wantInRooms
				if strings.HasSuffix(filepath.Dir(p), "pricing") {
					want = tc.wantInPage
				}
				if !bytes.Contains(data, []byte(want)) || bytes.Contains(data, utf8BOM) {
					t.Errorf("%s lacks %q or holds a byte-order mark:\n%s", p, want, data)
				}
			}
		})
	}
}

// TestInvalidUTF8Line pins the line reported for the first bad byte.
func TestInvalidUTF8Line(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		ok   bool
	}{
		{"", 0, true},
		{"a\nb\n\ufffd", 0, true},
		{"\xff", 1, false},
		{"a\nb\n\xc3", 3, false},
		{"a\n\xe9\n\xff", 2, false},
		{"a\n\xed\xa0\x80\n", 2, false}, // a surrogate, which UTF-8 never encodes
	} {
		line, ok := invalidUTF8Line([]byte(tc.in))
		if line != tc.line || ok != tc.ok {
			t.Errorf("invalidUTF8Line(%q) = %d, %v; want %d, %v", tc.in, line, ok, tc.line, tc.ok)
		}
	}
}
