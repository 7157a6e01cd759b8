package blueprint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/blueprint"
)

// TestDraftLoads checks that what Draft writes is a plan the generator
// accepts: once the collateral files are in the folder, no errors; each
// role left to assign is a warning; and the build computes the same dates.
func TestDraftLoads(t *testing.T) {
	ts, err := blueprint.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	ts = append(ts, blueprint.WorkedExample(t))
	root := t.TempDir()
	toml := filepath.Join(root, "maproom.toml")
	if err := os.WriteFile(toml, []byte(`holidays = ["2026-12-25", "2026-12-28", "2027-01-01"]`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, ps := generator.LoadConfig(toml)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	opts := blueprint.GoldenOptions(t)
	for _, tm := range ts {
		t.Run(tm.Name, func(t *testing.T) {
			dr, err := tm.Draft(opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(root, "content", tm.Name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "index.md"), dr.Source, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, c := range tm.Collateral {
				if err := os.WriteFile(filepath.Join(dir, c.File), []byte("To be written.\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, ps := generator.LoadBundle(dir, cfg, opts.Today)
			if b == nil {
				t.Fatalf("the generator rejects it:\n%v", ps)
			}
			// The only errors are the placeholders left for the seller,
			// each on its line, and every one of them is caught.
			srcLines := strings.Split(string(dr.Source), "\n")
			caught := map[int]bool{}
			for _, p := range ps {
				if p.Severity != generator.Error {
					continue
				}
				if !strings.Contains(p.Msg, "placeholder") || p.Line < 1 || !strings.Contains(srcLines[p.Line-1], "[[") {
					t.Errorf("an error that is no placeholder left: %v", p)
				}
				caught[p.Line] = true
			}
			for i, l := range srcLines {
				if strings.Contains(l, "[[") && !strings.HasPrefix(strings.TrimSpace(l), "#") && !caught[i+1] {
					t.Errorf("line %d holds a placeholder the check does not report: %s", i+1, l)
				}
			}
			roles, overrun := 0, false
			for _, p := range ps {
				if strings.Contains(p.Msg, "is still the role") {
					roles++
				}
				if strings.Contains(p.Msg, "no longer fits") {
					overrun = true
					if want := fmt.Sprintf(" %d business days late", dr.Overrun); !strings.Contains(p.Msg, want) {
						t.Errorf("the build says %q; the draft's overrun is %d", p.Msg, dr.Overrun)
					}
				}
			}
			if overrun != (dr.Overrun > 0) {
				t.Errorf("the build warns of an overrun: %v; the draft's overrun is %d", overrun, dr.Overrun)
			}
			if want := len(tm.Tasks()) + len(tm.Milestones); roles != want {
				t.Errorf("%d warnings of a role left to assign, want %d:\n%v", roles, want, ps)
			}
			if b.Plan == nil {
				t.Fatal("no plan computed")
			}
			for _, k := range tm.Tasks() {
				ts, _ := b.Plan.Task(k.ID)
				if ts.Due != dr.Due[k.ID] || ts.LatestFinish != dr.Due[k.ID] {
					t.Errorf("%s: the build shows due %s, latest finish %s; the draft wrote %s", k.ID, ts.Due, ts.LatestFinish, dr.Due[k.ID])
				}
			}
			// Without the due dates, the build works out the same ones;
			// with the placeholders written, it has no error.
			var lines []string
			for _, l := range strings.SplitAfter(string(dr.Source), "\n") {
				if !strings.HasPrefix(l, "        due: ") {
					lines = append(lines, strings.NewReplacer("[[", "", "]]", "").Replace(l))
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "index.md"), []byte(strings.Join(lines, "")), 0o644); err != nil {
				t.Fatal(err)
			}
			b, ps = generator.LoadBundle(dir, cfg, opts.Today)
			if b == nil || b.Plan == nil || ps.Errors() > 0 {
				t.Fatalf("without due dates: %v", ps)
			}
			for _, k := range tm.Tasks() {
				if ts, _ := b.Plan.Task(k.ID); ts.LatestFinish != dr.Due[k.ID] {
					t.Errorf("%s: without due dates the build computes latest finish %s; the draft wrote %s", k.ID, ts.LatestFinish, dr.Due[k.ID])
				}
			}
		})
	}
}
