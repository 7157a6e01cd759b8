package blueprint

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse checks that the template parser never panics or hangs, that it
// either returns a template or rejects the input with errors, each a *Error
// naming the file and a line of it, and that every template it accepts
// drafts a deal whose frontmatter reads back as the template's text. It is
// seeded with the built-ins, the golden outputs' sources and the test
// templates.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("builtin/*.md")
	more, _ := filepath.Glob("testdata/*.md")
	for _, p := range append(seeds, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(small))
	f.Add([]byte("---\ndescription: x\nmilestones: [{id: a, title: A, lead: champion, evidence: E, tasks: [{id: t, title: T, owner: legal, duration: 1, after: [t], evidence: E}]}]\n---\n"))
	f.Add([]byte("---\na: &x [*x]\n---\n"))
	f.Add([]byte("---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tm, err := Parse("f.md", data)
		if (tm == nil) == (err == nil) {
			t.Fatalf("Parse returned template %v and error %v", tm != nil, err)
		}
		if err != nil {
			lines := bytes.Count(data, []byte("\n")) + 1
			for _, e := range unjoin(err) {
				var te *Error
				if !errors.As(e, &te) || te.File != "f.md" || te.Line < 0 || te.Line > lines || te.Msg == "" {
					t.Fatalf("error %q is not a *Error naming a line of f.md (%d lines)", e, lines)
				}
			}
			return
		}
		dr, err := tm.Draft(goldenOptions(t))
		if err != nil {
			t.Fatalf("Draft of an accepted template: %v", err)
		}
		var d struct {
			Title      string
			Milestones []struct {
				ID, Title, Evidence, Lead string
				Tasks                     []struct {
					ID, Title, Evidence, Owner, Due string
					Duration                        int
				}
			}
			Criteria   []string
			Collateral []struct{ ID, Title, File string }
		}
		if err := yaml.Unmarshal(frontOf(t, dr.Source), &d); err != nil {
			t.Fatalf("the draft's frontmatter is not YAML: %v\n%s", err, dr.Source)
		}
		if len(d.Milestones) != len(tm.Milestones) || len(d.Criteria) != len(tm.Criteria) || len(d.Collateral) != len(tm.Collateral) {
			t.Fatalf("the draft has %d milestones, %d criteria, %d collateral; the template %d, %d, %d",
				len(d.Milestones), len(d.Criteria), len(d.Collateral), len(tm.Milestones), len(tm.Criteria), len(tm.Collateral))
		}
		for i, m := range tm.Milestones {
			dm := d.Milestones[i]
			if dm.ID != m.ID || dm.Title != m.Title || dm.Evidence != m.Evidence || dm.Lead != "role:"+string(m.Lead) || len(dm.Tasks) != len(m.Tasks) {
				t.Fatalf("milestone %d reads back as %+v, want %+v", i, dm, m)
			}
			for j, k := range m.Tasks {
				dk := dm.Tasks[j]
				if dk.ID != k.ID || dk.Title != k.Title || dk.Evidence != k.Evidence || dk.Owner != "role:"+string(k.Owner) ||
					dk.Duration != k.Duration || dk.Due != dr.Due[k.ID].String() {
					t.Fatalf("task %s reads back as %+v, want %+v due %s", k.ID, dk, k, dr.Due[k.ID])
				}
			}
		}
		for i, c := range tm.Criteria {
			if d.Criteria[i] != c {
				t.Fatalf("criterion %q reads back as %q", c, d.Criteria[i])
			}
		}
		for i, c := range tm.Collateral {
			if dc := d.Collateral[i]; dc.ID != c.ID || dc.Title != c.Title || dc.File != c.File {
				t.Fatalf("collateral %+v reads back as %+v", c, dc)
			}
		}
	})
}
