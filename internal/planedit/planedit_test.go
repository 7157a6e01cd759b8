package planedit

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// An edit is one call of the package's API, as the tests and fuzz targets
// describe it.
type edit struct {
	op     string // task, milestone, addtask, addstakeholder
	id     string // the task or milestone id; the milestone for addtask
	fields []Field
}

func (e edit) apply(src []byte) ([]byte, error) {
	switch e.op {
	case "task":
		return SetTask(src, e.id, e.fields...)
	case "milestone":
		return SetMilestone(src, e.id, e.fields...)
	case "addtask":
		return AddTask(src, e.id, e.fields...)
	case "addstakeholder":
		return AddStakeholder(src, e.fields...)
	}
	panic("unknown op " + e.op)
}

func f(kv ...string) []Field {
	var fs []Field
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, Field{kv[i], kv[i+1]})
	}
	return fs
}

// goldens are the edited plans of testdata/: <name>.golden is <in>.md after
// the edits, one after the other.
var goldens = []struct {
	name, in string
	edits    []edit
}{
	// The README's plan: block milestones and tasks, flow stakeholders,
	// comments after values.
	{"readme-propose", "readme", []edit{{"task", "security-questionnaire", f("due", "2026-12-01")}}},
	{"readme-done", "readme", []edit{{"task", "security-questionnaire", f("status", "done", "done", "2026-11-18")}}},
	{"readme-blocked-evidence", "readme", []edit{{"task", "security-questionnaire", f("status", "blocked", "evidence", "Waiting: InfoSec queue #4")}}},
	{"readme-milestone", "readme", []edit{{"milestone", "tech-eval", f("due", "2026-12-11", "evidence", `Report saying "go"`)}}},
	{"readme-addtask", "readme", []edit{{"addtask", "tech-eval", f("id", "legal-review", "title", "Legal review of the DPA", "owner", "jordan", "due", "2026-11-30", "status", "todo", "evidence", "Redlines: none left")}}},
	{"readme-addstakeholder", "readme", []edit{{"addstakeholder", "", f("id", "elena", "name", "Elena Novak", "title", "Head of InfoSec, EMEA", "side", "buyer", "role", "security")}}},
	// Tasks as flow mappings, milestones as flow mappings with flow task
	// lists, a body holding --- and no final newline.
	{"flow-set", "flow", []edit{
		{"task", "sample-data", f("due", "2026-11-14", "status", "done", "done", "2026-11-13")},
		{"task", "poc", f("status", "blocked")},
		{"task", "order-form", f("done", "2027-01-28", "evidence", "Signed, see [the PDF]")},
		{"milestone", "signature", f("due", "2027-02-05")},
	}},
	{"flow-add", "flow", []edit{
		{"addtask", "tech-eval", f("id", "legal", "title", "Legal: DPA review", "owner", "jordan", "due", "2026-11-30", "status", "todo")},
		{"addtask", "signature", f("id", "po", "title", "Purchase order raised", "owner", "jordan", "due", "2027-01-25")},
		{"addtask", "empty", f("id", "first", "title", "First step", "owner", "jordan", "due", "2027-01-02")},
		{"addstakeholder", "", f("id", "priya", "name", "Priya Raman", "side", "buyer", "role", "economic-buyer")},
	}},
	// CRLF line endings stay CRLF, in replaced values and inserted lines.
	{"crlf", "crlf", []edit{
		{"task", "t1", f("title", "Task one, renamed", "status", "done", "done", "2026-11-19")},
		{"addtask", "m1", f("id", "t2", "title", "Task two", "owner", "jordan", "due", "2026-11-25")},
		{"addstakeholder", "", f("id", "tom", "name", "Tom Bradley", "side", "buyer", "role", "procurement")},
	}},
	// A byte order mark, and block-mapping stakeholders.
	{"bom", "bom", []edit{
		{"milestone", "m1", f("due", "2026-12-10", "evidence", "Minutes")},
		{"addtask", "m1", f("id", "t1", "title", "First task", "owner", "jordan", "due", "2026-12-01")},
		{"addstakeholder", "", f("id", "tom", "name", "Tom Bradley", "side", "buyer")},
	}},
	// Quoted values stay quoted the same way; block scalars become one line;
	// an empty value gets one; a multi-line plain value is replaced whole;
	// the last task of the frontmatter gets a key.
	{"quoted", "quoted", []edit{
		{"milestone", "m1", f("due", "2026-12-11", "lead", "sam", "evidence", "It's countersigned")},
		{"task", "t1", f("due", "2026-11-24", "status", "done", "evidence", "Signed form")},
		{"task", "t2", f("title", "A shorter title", "done", "2026-11-20", "evidence", "two\nlines")},
		{"task", "last", f("status", "done", "done", "2026-11-29")},
	}},
	// Indentless task lists with a wide gap after the dash, a milestone
	// without tasks, an empty tasks:, and a task last in the file.
	{"nested", "nested", []edit{
		{"addtask", "m1", f("id", "t2", "title", "Second task", "owner", "jordan", "due", "2026-11-27")},
		{"addtask", "m2", f("id", "m2-first", "title", "First task of m2", "owner", "jordan", "due", "2027-01-05")},
		{"addtask", "m3", f("id", "m3-first", "title", "First task of m3", "owner", "jordan", "due", "2027-01-06")},
		{"task", "final", f("status", "done", "done", "2027-01-19")},
		{"addtask", "m4", f("id", "after-final", "title", "After the last", "owner", "jordan", "due", "2027-01-20")},
		{"addstakeholder", "", f("id", "jordan", "name", "Jordan Park", "side", "buyer")},
	}},
}

func TestGoldens(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", g.in+".md"))
			if err != nil {
				t.Fatal(err)
			}
			out := src
			for _, e := range g.edits {
				next, err := e.apply(out)
				if err != nil {
					t.Fatalf("%s %s: %v", e.op, e.id, err)
				}
				checkEdit(t, out, next, e)
				out = next
			}
			golden := filepath.Join("testdata", g.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s differs (go test -update rewrites it); got:\n%s", golden, out)
			}
		})
	}
}

// TestContent runs every kind of edit on the example site's plans.
func TestContent(t *testing.T) {
	files, _ := filepath.Glob("../../content/*/index.md")
	if len(files) == 0 {
		t.Skip("no content/*/index.md")
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var plan struct {
			Milestones []struct {
				ID    string
				Tasks []struct{ ID string }
			}
		}
		start, end, _ := splitFrontmatter(src)
		if err := yaml.Unmarshal(src[start:end], &plan); err != nil {
			t.Fatal(err)
		}
		var edits []edit
		for _, m := range plan.Milestones {
			edits = append(edits,
				edit{"milestone", m.ID, f("due", "2027-06-30")},
				edit{"addtask", m.ID, f("id", m.ID+"-suggested", "title", "Suggested: a step we missed", "owner", "sam", "due", "2027-01-04", "status", "todo", "evidence", "To be agreed")})
			for _, tk := range m.Tasks {
				edits = append(edits,
					edit{"task", tk.ID, f("due", "2027-02-01")},
					edit{"task", tk.ID, f("status", "done", "done", "2026-12-24")},
					edit{"task", tk.ID, f("status", "blocked")})
			}
		}
		edits = append(edits, edit{"addstakeholder", "", f("id", "newcomer", "name", "New Comer", "title", "Head of IT", "side", "buyer", "role", "other")})
		for _, e := range edits {
			out, err := e.apply(src)
			if err != nil {
				t.Errorf("%s: %s %s: %v", file, e.op, e.id, err)
				continue
			}
			checkEdit(t, src, out, e)
			if d := diffLines(src, out); d > len(e.fields) {
				t.Errorf("%s: %s %s changed %d lines", file, e.op, e.id, d)
			}
		}
	}
}

// diffLines counts the lines of b that are not lines of a (a rough size of
// an insertion or replacement).
func diffLines(a, b []byte) int {
	seen := map[string]int{}
	for _, l := range strings.SplitAfter(string(a), "\n") {
		seen[l]++
	}
	n := 0
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		n++
	}
	return n
}

func TestErrors(t *testing.T) {
	src, err := os.ReadFile("testdata/readme.md")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  []byte
		e    edit
		is   error
		want string
	}{
		{"unknown task", src, edit{"task", "nope", f("due", "2026-01-01")}, ErrNotFound, `task "nope": not in the plan`},
		{"unknown milestone", src, edit{"milestone", "nope", f("due", "2026-01-01")}, ErrNotFound, `milestone "nope": not in the plan`},
		{"addtask to unknown milestone", src, edit{"addtask", "nope", f("id", "x")}, ErrNotFound, `milestone "nope": not in the plan`},
		{"no frontmatter", []byte("# just markdown\n"), edit{"task", "x", f("due", "2026-01-01")}, ErrNoFrontmatter, "no frontmatter"},
		{"unclosed frontmatter", []byte("---\ntitle: x\n"), edit{"task", "x", f("due", "2026-01-01")}, ErrNoFrontmatter, "no frontmatter"},
		{"list value", src, edit{"task", "security-questionnaire", f("after", "nda")}, nil, "line 26: after holds a list or mapping"},
		{"bad key", src, edit{"task", "security-questionnaire", f("due date", "2026-01-01")}, nil, `the key "due date" is not a plan key`},
		{"yaml word as key", src, edit{"task", "security-questionnaire", f("null", "x")}, nil, `reads as a YAML value`},
		{"key twice", src, edit{"task", "security-questionnaire", f("due", "2026-01-01", "due", "2026-01-02")}, nil, "given twice"},
		{"invalid utf-8", src, edit{"task", "security-questionnaire", f("evidence", "\xff")}, nil, "not valid UTF-8"},
		{"duplicate task id", src, edit{"addtask", "tech-eval", f("id", "security-questionnaire")}, nil, "has a task with that id already"},
		{"task without id", src, edit{"addtask", "tech-eval", f("title", "x")}, nil, "needs an id"},
		{"duplicate stakeholder", src, edit{"addstakeholder", "", f("id", "sam", "name", "Sam")}, nil, "line 13: stakeholder \"sam\": the plan has a stakeholder with that id already"},
		{"anchored value", []byte("---\nmilestones:\n  - id: m\n    tasks:\n      - id: t\n        due: &d 2026-01-01\n---\n"), edit{"task", "t", f("due", "2026-02-02")}, nil, "line 6: the value \"2026-01-01\" has a YAML tag or anchor"},
		{"invalid yaml", []byte("---\ntitle: [\n---\n"), edit{"task", "t", f("due", "2026-02-02")}, nil, "not valid YAML"},
		{"not a mapping", []byte("---\n- a\n---\n"), edit{"task", "t", f("due", "2026-02-02")}, nil, "line 2: the frontmatter is not a mapping"},
		{"ambiguous id", []byte("---\nmilestones:\n  - id: m\n    tasks:\n      - id: t\n      - id: t\n---\n"), edit{"task", "t", f("due", "2026-02-02")}, nil, "the plan has 2 of them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.e.apply(tt.src)
			if err == nil {
				t.Fatalf("no error; got:\n%s", out)
			}
			if out != nil {
				t.Errorf("an error and bytes")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// TestUnchanged: setting what the plan already says changes no byte, and
// keeps a quoted value's quotes.
func TestUnchanged(t *testing.T) {
	src, err := os.ReadFile("testdata/quoted.md")
	if err != nil {
		t.Fatal(err)
	}
	out, err := SetTask(src, "t1", f("due", "2026-11-20", "status", "todo")...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, src) {
		t.Errorf("changed:\n%s", out)
	}
}

func TestScalar(t *testing.T) {
	tests := []struct{ in, block, flow string }{
		{"2026-12-01", "2026-12-01", "2026-12-01"},
		{"in-progress", "in-progress", "in-progress"},
		{"Security review passed", "Security review passed", "Security review passed"},
		{"", `""`, `""`},
		{"true", `"true"`, `"true"`},
		{"null", `"null"`, `"null"`},
		{"~", `"~"`, `"~"`},
		{"10", "10", "10"},
		{"a: b", `"a: b"`, `"a: b"`},
		{"a #b", `"a #b"`, `"a #b"`},
		{"#tag", `"#tag"`, `"#tag"`},
		{"- item", `"- item"`, `"- item"`},
		{"role:security", "role:security", "role:security"},
		{"a, b", "a, b", `"a, b"`},
		{"[x]", `"[x]"`, `"[x]"`},
		{"say \"hi\"", `say "hi"`, `say "hi"`},
		{"it's", "it's", "it's"},
		{" padded", `" padded"`, `" padded"`},
		{"two\nlines", `"two\nlines"`, `"two\nlines"`},
		{"tab\there", `"tab\there"`, `"tab\there"`},
		{"bell\a", `"bell\u0007"`, `"bell\u0007"`},
		{"ls\u2028x", `"ls\u2028x"`, `"ls\u2028x"`},
		{`back\slash`, `back\slash`, `back\slash`},
		{"Café", "Café", "Café"},
	}
	for _, tt := range tests {
		for _, flow := range []bool{false, true} {
			want := tt.block
			if flow {
				want = tt.flow
			}
			got, err := scalar(tt.in, flow)
			if err != nil || got != want {
				t.Errorf("scalar(%q, flow %v) = %s, %v; want %s", tt.in, flow, got, err, want)
			}
		}
	}
}

// checkEdit asserts the contract independently of the package's own check:
// the bytes outside the frontmatter are kept, the result decodes, and the
// decoded trees before and after differ only in the intended fields, which
// read back as the given text.
func checkEdit(t testing.TB, before, after []byte, e edit) {
	t.Helper()
	if err := property(before, after, e); err != nil {
		t.Errorf("%s %s %v: %v\nbefore:\n%s\nafter:\n%s", e.op, e.id, e.fields, err, before, after)
	}
}

func property(before, after []byte, e edit) error {
	s1, e1, ok1 := splitFrontmatter(before)
	s2, e2, ok2 := splitFrontmatter(after)
	if !ok1 || !ok2 {
		return fmt.Errorf("frontmatter lost")
	}
	if !bytes.Equal(before[:s1], after[:s2]) || !bytes.Equal(before[e1:], after[e2:]) {
		return fmt.Errorf("bytes outside the frontmatter changed")
	}
	var tb, ta any
	var nb, na yaml.Node
	if err := yaml.Unmarshal(before[s1:e1], &tb); err != nil {
		return fmt.Errorf("before: %v", err)
	}
	if err := yaml.Unmarshal(before[s1:e1], &nb); err != nil {
		return err
	}
	kind := e.op
	if kind == "addtask" {
		kind = "milestone"
	}
	mi, ti := locate(nb.Content[0], kind, e.id)
	if err := yaml.Unmarshal(after[s2:e2], &ta); err != nil {
		return fmt.Errorf("after does not decode: %v", err)
	}
	if err := yaml.Unmarshal(after[s2:e2], &na); err != nil {
		return err
	}
	// The intended fields read back as their text.
	root := na.Content[0]
	var target *yaml.Node
	switch e.op {
	case "task", "milestone":
		m, err := find(root, e.op, e.id)
		if err != nil {
			return err
		}
		target = m
	case "addtask":
		m, err := find(root, "milestone", e.id)
		if err != nil {
			return err
		}
		ts := items(m, "tasks")
		target = ts[len(ts)-1]
	case "addstakeholder":
		ss := items(root, "stakeholders")
		target = ss[len(ss)-1]
	}
	for _, fl := range e.fields {
		v, _ := get(target, fl.Key)
		if v == nil || v.Kind != yaml.ScalarNode || v.Value != fl.Value {
			return fmt.Errorf("%s reads back as %+v, not %q", fl.Key, v, fl.Value)
		}
	}
	if (e.op == "addtask" || e.op == "addstakeholder") && len(target.Content) != 2*len(e.fields) {
		return fmt.Errorf("the new item has other keys")
	}
	// Everything else is equal: drop the intended fields from both trees.
	drop := func(tree map[string]any, added bool) error {
		switch e.op {
		case "task", "milestone":
			m := at(tree, mi, ti)
			if m == nil {
				return fmt.Errorf("%s %s lost", e.op, e.id)
			}
			for _, fl := range e.fields {
				delete(m, k(fl.Key))
			}
		case "addtask":
			m := at(tree, mi, -1)
			if m == nil {
				return fmt.Errorf("milestone %s lost", e.id)
			}
			if added {
				ts, _ := m[k("tasks")].([]any)
				if len(ts) == 1 {
					delete(m, k("tasks"))
				} else {
					m[k("tasks")] = ts[:len(ts)-1]
				}
			} else if ts, ok := m[k("tasks")].([]any); !ok || len(ts) == 0 {
				delete(m, k("tasks"))
			}
		case "addstakeholder":
			if added {
				ss, _ := tree[k("stakeholders")].([]any)
				if len(ss) == 1 {
					delete(tree, k("stakeholders"))
				} else {
					tree[k("stakeholders")] = ss[:len(ss)-1]
				}
			} else if ss, ok := tree[k("stakeholders")].([]any); !ok || len(ss) == 0 {
				delete(tree, k("stakeholders"))
			}
		}
		return nil
	}
	mb, ok1 := norm(tb).(map[string]any)
	ma, ok2 := norm(ta).(map[string]any)
	if !ok1 || !ok2 {
		return fmt.Errorf("the frontmatter is not a mapping")
	}
	if err := drop(mb, false); err != nil {
		return err
	}
	if err := drop(ma, true); err != nil {
		return err
	}
	if a, b := fmt.Sprintf("%#v", mb), fmt.Sprintf("%#v", ma); a != b {
		return fmt.Errorf("other fields changed:\n%s\n%s", a, b)
	}
	return nil
}

// locate returns the index of the milestone (and of the task, for kind
// "task") with id in the plan's lists, -1 when absent.
func locate(root *yaml.Node, kind, id string) (mi, ti int) {
	ms, _ := get(root, "milestones")
	if ms == nil || ms.Kind != yaml.SequenceNode {
		return -1, -1
	}
	for i, m := range ms.Content {
		if m.Kind != yaml.MappingNode {
			continue
		}
		if kind == "milestone" && idOf(m) == id {
			return i, -1
		}
		ts, _ := get(m, "tasks")
		if kind != "task" || ts == nil || ts.Kind != yaml.SequenceNode {
			continue
		}
		for j, tk := range ts.Content {
			if tk.Kind == yaml.MappingNode && idOf(tk) == id {
				return i, j
			}
		}
	}
	return -1, -1
}

// at returns the decoded mapping at milestone mi (and task ti unless -1).
func at(tree map[string]any, mi, ti int) map[string]any {
	ms, _ := tree[k("milestones")].([]any)
	if mi < 0 || mi >= len(ms) {
		return nil
	}
	m, _ := ms[mi].(map[string]any)
	if ti < 0 || m == nil {
		return m
	}
	ts, _ := m[k("tasks")].([]any)
	if ti >= len(ts) {
		return nil
	}
	t, _ := ts[ti].(map[string]any)
	return t
}

// k is the key of a decoded tree's mapping after norm.
func k(key any) string {
	if s, ok := key.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%T:%#v", key, key)
}

// norm turns every mapping of a decoded tree into a map[string]any keyed
// by k, so that mappings with non-string keys compare and index alike.
func norm(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, x := range v {
			out[k(key)] = norm(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for key, x := range v {
			out[k(key)] = norm(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = norm(x)
		}
		return out
	}
	return v
}

// BenchmarkSetTask: one accepted reply's edit on the example's largest plan.
func BenchmarkSetTask(b *testing.B) {
	src, err := os.ReadFile("../../content/acme-data-platform/index.md")
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := SetTask(src, "sample-data", f("status", "done", "done", "2026-11-12")...); err != nil {
			b.Fatal(err)
		}
	}
}
