package planedit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// seeds returns the golden inputs and the example site's plans.
func seeds(f *testing.F) [][]byte {
	files, _ := filepath.Glob("testdata/*.md")
	more, _ := filepath.Glob("../../content/*/index.md")
	var out [][]byte
	for _, file := range append(files, more...) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// ids returns the ids of the plan's tasks (or milestones), so that fuzzed
// edits hit real targets; nil when src does not parse.
func ids(src []byte, kind string) []string {
	start, end, ok := splitFrontmatter(src)
	var doc yaml.Node
	if !ok || yaml.Unmarshal(src[start:end], &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for _, m := range items(doc.Content[0], "milestones") {
		if kind == "milestone" {
			out = append(out, idOf(m))
			continue
		}
		for _, t := range items(m, "tasks") {
			out = append(out, idOf(t))
		}
	}
	return out
}

var fuzzKeys = []string{"due", "status", "done", "evidence", "title", "owner", "lead", "duration", "after", "note"}

// FuzzSet: SetTask and SetMilestone never panic; an edit they make changes
// exactly the intended field, keeps the body, and setting it again changes
// nothing.
func FuzzSet(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, uint8(0), "", "2026-12-01")
		f.Add(s, uint8(3), "", "Waiting: InfoSec queue #4")
		f.Add(s, uint8(5), "done", "2026-11-18")
		f.Add(s, uint8(8), "", "")
	}
	f.Fuzz(func(t *testing.T, src []byte, pick uint8, key, value string) {
		e := edit{op: "task"}
		if pick&1 == 1 {
			e.op = "milestone"
		}
		if key == "" {
			key = fuzzKeys[int(pick>>1)%len(fuzzKeys)]
		}
		e.id = "x"
		if all := ids(src, e.op); len(all) > 0 {
			e.id = all[int(pick)%len(all)]
		}
		e.fields = []Field{{key, value}}
		out, err := e.apply(src)
		if err != nil {
			if out != nil {
				t.Fatalf("an error and bytes: %v", err)
			}
			return
		}
		if err := property(src, out, e); err != nil {
			t.Fatalf("%v\nbefore:\n%q\nafter:\n%q", err, src, out)
		}
		again, err := e.apply(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("setting it again: %v\nonce:\n%q\ntwice:\n%q", err, out, again)
		}
	})
}

// FuzzAdd: AddTask and AddStakeholder never panic; an item they add is the
// only change, its keys read back as given, and the body is kept.
func FuzzAdd(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, uint8(0), "new-step", "Legal review: DPA")
		f.Add(s, uint8(1), "newcomer", "Elena Novak")
		f.Add(s, uint8(2), "x", "a, b")
	}
	f.Fuzz(func(t *testing.T, src []byte, pick uint8, id, value string) {
		e := edit{op: "addtask"}
		if pick&1 == 1 {
			e.op = "addstakeholder"
		} else if all := ids(src, "milestone"); len(all) > 0 {
			e.id = all[int(pick>>1)%len(all)]
		}
		e.fields = []Field{{"id", id}, {"title", value}, {"due", "2026-12-01"}}
		out, err := e.apply(src)
		if err != nil {
			if out != nil {
				t.Fatalf("an error and bytes: %v", err)
			}
			return
		}
		if err := property(src, out, e); err != nil {
			t.Fatalf("%v\nbefore:\n%q\nafter:\n%q", err, src, out)
		}
	})
}
