package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// FuzzLoadBundle feeds arbitrary bytes as a deal's index.md to the loader
// and checker. It must never panic; a bundle it cannot decode comes back as
// nil with at least one error; every problem names the file and says
// something.
func FuzzLoadBundle(f *testing.F) {
	// Seeds: the example plans, cut to their first 40 lines and closed.
	// (Whole 8 KB plans as seeds stall the fuzz engine's workers here; the
	// loader itself takes about a millisecond on them.)
	seeds, _ := filepath.Glob(filepath.Join("..", "content", "*", "index.md"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			lines := strings.SplitAfter(string(b), "\n")
			f.Add([]byte(strings.Join(lines[:min(40, len(lines))], "") + "---\nBody.\n"))
		}
	}
	f.Add([]byte("---\ntitle: x\n---\n"))
	f.Add([]byte("---\nmilestones: [{id: a, tasks: [{id: t, after: [t]}]}]\n---\n"))
	f.Add([]byte("---\n&a [*a]\n---\n"))
	f.Add([]byte("no frontmatter"))
	cfg := (&Config{}).withDefaults()
	dir := fuzzBundleDir(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file := filepath.Join(dir, BundleIndex)
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		b, ps := LoadBundle(dir, cfg, deal.NewDate(2026, 11, 22))
		if b == nil && ps.Errors() == 0 {
			t.Fatalf("bundle rejected without an error: %v", ps)
		}
		for _, p := range ps {
			if p.File != file || p.Msg == "" || p.Line < 0 {
				t.Fatalf("problem without file, line or message: %#v", p)
			}
		}
	})
}

// FuzzCheckPlan builds plans from fuzz bytes (owners, dependencies,
// statuses, dates drawn from a small alphabet so the checker's rules, not
// YAML syntax, are exercised). A dependency cycle must always be reported
// as an error; nothing may panic.
func FuzzCheckPlan(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0, 1, 0, 1, 0, 1})
	f.Add([]byte{9, 9, 9, 200, 13, 77, 5, 1, 0, 3})
	cfg := (&Config{}).withDefaults()
	dir := fuzzBundleDir(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || len(in) > 120 {
			return
		}
		n := 1 + int(in[0])%8
		deps := make([][]int, n)
		var b strings.Builder
		b.WriteString("---\ntitle: T\nbuyer: B\nseller: S\ngoal: G by June\nclose: 2027-06-30\nstakeholders:\n")
		b.WriteString("  - {id: p0, name: P0, side: buyer, role: economic-buyer}\n  - {id: p1, name: P1, side: seller, role: account-executive}\n")
		b.WriteString("milestones:\n  - id: m\n    title: M\n    lead: p0\n    evidence: Signed record\n    tasks:\n")
		at := func(i int) byte { return in[i%len(in)] }
		for i := 0; i < n; i++ {
			status := []string{"todo", "in-progress", "done", "blocked", "nope"}[int(at(3*i+1))%5]
			fmt.Fprintf(&b, "      - id: t%d\n        title: T%d\n        owner: %s\n        due: 2027-0%d-1%d\n        status: %s\n        evidence: Email %d\n",
				i, i, []string{"p0", "p1", "px", "role:legal"}[int(at(3*i+2))%4], 1+int(at(3*i))%6, int(at(i))%10, status, i)
			if status == "done" && at(i)%3 != 0 {
				b.WriteString("        done: 2026-11-01\n")
			}
			if d := int(at(3*i+3)) % (n + 1); d < n {
				deps[i] = append(deps[i], d)
				fmt.Fprintf(&b, "        after: [t%d]\n", d)
			}
		}
		b.WriteString("---\n")
		if err := os.WriteFile(filepath.Join(dir, BundleIndex), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		_, ps := LoadBundle(dir, cfg, deal.NewDate(2026, 11, 22))
		if hasCycle(deps) {
			found := false
			for _, p := range ps {
				found = found || (p.Severity == Error && (strings.Contains(p.Msg, "dependency cycle") || strings.Contains(p.Msg, "depends on itself")))
			}
			if !found {
				t.Fatalf("cycle in %v not reported:\n%s\n%v", deps, b.String(), ps)
			}
		}
	})
}

// hasCycle is the fuzz test's own cycle finder (repeated relaxation, fine
// for eight nodes).
func hasCycle(deps [][]int) bool {
	n := len(deps)
	reach := make([][]bool, n)
	for i := range reach {
		reach[i] = make([]bool, n)
		for _, d := range deps[i] {
			reach[i][d] = true
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if reach[i][k] && reach[k][j] {
					reach[i][j] = true
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		if reach[i][i] {
			return true
		}
	}
	return false
}

// fuzzBundleDir makes one bundle folder per fuzz process: each input
// overwrites its index.md, so a run creates and deletes no folders.
func fuzzBundleDir(f *testing.F) string {
	dir := filepath.Join(f.TempDir(), "deal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	return dir
}
