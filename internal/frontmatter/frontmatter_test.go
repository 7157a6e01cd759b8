package frontmatter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/adrg/frontmatter"
)

// adrgSplit is how the library splits a file with one "---" format.
func adrgSplit(src []byte) (fm, body []byte, found bool) {
	format := frontmatter.NewFormat("---", "---", func(data []byte, _ any) error {
		fm, found = bytes.Clone(data), true
		return nil
	})
	body, err := frontmatter.Parse(bytes.NewReader(src), nil, format)
	if err != nil {
		panic(err) // a bytes.Reader never fails and the format never does
	}
	return fm, body, found
}

var seeds = []string{
	"---\ntitle: x\n---\nbody\n",
	"---\ntitle: x\n---",
	"---\ntitle: x\n---\n",
	"\n\n  \n---\ntitle: x\n  ---  \nbody",
	"---\r\ntitle: x\r\n---\r\nbody\r\n",
	"---\ntitle: x\n",
	"---",
	"--- \n",
	"",
	"\n",
	"title: x\n---\n",
	"---\n---\n",
	"---\n---",
	"---\n\n---\nb",
	"\n---\n\n---\n",
	"----\ntitle: x\n---\n",
	"---\ntitle: x\n----\n---\nafter\n---\nmore",
	"---yaml\ntitle: x\n---\n",
	"\t---\t\na: [1,\n 2]\n---\n\n# Welcome\n",
}

// TestSplit checks, on the seeds, that Split finds the same frontmatter and
// body as the library, and where they are in the file.
func TestSplit(t *testing.T) {
	for _, s := range seeds {
		checkSplit(t, []byte(s))
	}
	d, p := Split([]byte("\xef\xbb\xbf\n---\ntitle: x\n---\nWelcome\n"))
	if p != OK || string(d.Front) != "title: x\n" || string(d.Body) != "Welcome\n" || d.Offset != 2 || d.BodyLine != 5 {
		t.Errorf("split = %+v, %v; want title: x on line 3 (offset 2) and the body on line 5", d, p)
	}
	if _, p := Split([]byte("---\ntitle: x\n")); p != Unclosed {
		t.Errorf("an unclosed frontmatter gives problem %v, want Unclosed", p)
	}
	if _, p := Split([]byte("# no plan\n")); p != Missing {
		t.Errorf("a file without frontmatter gives problem %v, want Missing", p)
	}
}

// FuzzSplit compares Split with the library on any input.
func FuzzSplit(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSplit)
}

func checkSplit(t *testing.T, src []byte) {
	d, p := Split(src)
	wfm, wbody, wfound := adrgSplit(bytes.TrimPrefix(src, bom))
	found := p == OK
	if found != wfound || (found && (!bytes.Equal(d.Front, wfm) || !bytes.Equal(d.Body, wbody))) {
		t.Errorf("%q: split = %q, %q, %v; the library says %q, %q, %v", src, d.Front, d.Body, found, wfm, wbody, wfound)
	}
	start, end, bp := Bounds(src)
	skip := len(src) - len(bytes.TrimPrefix(src, bom))
	if bp != p || (found && (start < skip || end < start || end > len(src) || !bytes.Equal(src[start:end], d.Front) || bytes.Count(src[skip:start], []byte("\n")) != d.Offset)) {
		t.Errorf("%q: Bounds = %d, %d, %v; Split cuts %q at line %d, %v", src, start, end, bp, d.Front, d.Offset, p)
	}
	if found {
		lines := strings.Split(string(bytes.TrimPrefix(src, bom)), "\n")
		if fl := strings.Split(string(d.Front), "\n")[0]; d.Offset >= len(lines) || (len(d.Front) > 0 && !strings.HasPrefix(lines[d.Offset], fl)) {
			t.Errorf("%q: the frontmatter's first line %q is not line %d of the file", src, fl, d.Offset+1)
		}
	}
}

// TestParse gives frontmatter lines back as file lines, and says what is
// wrong with bad YAML or a top that is not a mapping, at its file line.
func TestParse(t *testing.T) {
	d, _ := Split([]byte("\n---\ntitle: x\nclose: 2026-12-01\n---\n"))
	root, err := Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	if k := root.Content[0].Content[2]; k.Value != "close" || k.Line+d.Offset != 4 {
		t.Errorf("close: is at frontmatter line %d (+%d); want file line 4", k.Line, d.Offset)
	}
	d, _ = Split([]byte("---\ntitle: x\n  bad: [\n---\n"))
	if _, err := Parse(d); err == nil || err.Line < 2 || !strings.Contains(err.Msg, "not valid YAML") {
		t.Errorf("bad YAML: %v; want an error naming its line", err)
	}
	d, _ = Split([]byte("---\n- a\n- b\n---\n"))
	if _, err := Parse(d); err == nil || !err.NotMapping || err.Line != 2 {
		t.Errorf("a list on top: %+v; want NotMapping on line 2", err)
	}
}

// TestErrMsg says a type mismatch as what was wanted and what was written.
func TestErrMsg(t *testing.T) {
	var v struct{ N int }
	err := unmarshal([]byte("n: many"), &v)
	if got := ErrMsg(err); got != `want a whole number here, got text "many"` {
		t.Errorf("ErrMsg = %q", got)
	}
	if ErrLine(err, 3) != 4 {
		t.Errorf("ErrLine = %d, want 4 (line 1 + offset 3)", ErrLine(err, 3))
	}
}

// TestParseErrorLines: a YAML error names the file line the problem is
// on, not the line before it (a tab) nor the start of the block holding it
// (a value with text after its quotes), and says what to do about a tab,
// a value with text after its quotes, an unquoted ": ", a key out of
// line and a quote not closed on its line (the library names a later line).
func TestParseErrorLines(t *testing.T) {
	for _, c := range []struct {
		src  string
		line int
		msg  string
	}{
		{"---\ntitle: x\ntasks:\n  - id: a\n  \towner: b\n---\n", 5, "indent with spaces, never tabs"},
		{"---\ntitle: x\ntasks:\n  - id: a\n    title: A\n    owner: b\n    evidence: \"Signed\" by both\n    due: 2026-01-01\n---\n", 7, "did not find expected key"},
		{"---\ntitle: \"open quote\nclose: 2026-01-01\n---\n", 2, `a quoted value is not closed on its line: end it with the quote it starts with (")`},
		{"---\ntitle: \"A: b\"\nbuyer: 'Acme Corp\nclose: 2026-01-01\n---\n", 3, "end it with the quote it starts with (')"},
		{"---\ntitle: x\ntasks:\n  - id: a\n    title: \"Say \\\"hi\\\" \n    owner: b\n  - id: c\n    title: \"C\"\n---\n", 5, `a quoted value is not closed on its line`},
		{"---\ntags:\n  - \"one\n  - two\n---\n", 3, `a quoted value is not closed on its line`},
		{"---\ntitle: x\ntasks:\n  - id: a\n    title: A\n    owner: b\n    evidence: \"Signed\" by both\n    due: 2026-01-01\n---\n", 7, "put the whole value in the quotes"},
		{"---\ntitle: Legal: review\nclose: 2026-01-01\n---\n", 2, `a value that holds ": " must be quoted`},
		{"---\ntitle: x\ntasks:\n  - id: a\n    title: A\n   owner: b\n---\n", 0, "align it with them"},
		// a value that starts with [ (or *) is not text
		{"---\ntitle: x\nbuyer: Acme\nseller: North\ngoal: [Signed by June, so the launch ships\nclose: 2026-01-01\n---\n", 5, "this one is not closed: close it, or put the whole value in double quotes"},
		{"---\ntitle: x\npeople:\n  - {id: a, name: A}\n  - {id: b, name: B\n  - {id: c, name: C}\n---\n", 5, "this one is not closed"},
		{"---\ntitle: x\nbuyer: *nothere\n---\n", 3, "a value that starts with * is read as a YAML alias: put the whole value in double quotes"},
	} {
		d, _ := Split([]byte(c.src))
		_, err := Parse(d)
		if err == nil || (c.line > 0 && err.Line != c.line) || !strings.Contains(err.Msg, c.msg) {
			t.Errorf("%q: %v; want line %d, %q", c.src, err, c.line, c.msg)
		}
	}
}

// TestFileMsg: a duplicate key's message names the first one's file line
// and says what to change.
func TestFileMsg(t *testing.T) {
	var v struct{ Due string }
	err := unmarshal([]byte("due: a\ndue: b\n"), &v)
	if got := FileMsg(err, 10); !strings.Contains(got, "already defined at line 11: keep one of them") {
		t.Errorf("FileMsg = %q", got)
	}
}
