// Package frontmatter splits a Markdown file with YAML frontmatter (a plan,
// a template) into its frontmatter and body, and parses the frontmatter into
// a YAML node tree with file line numbers. It is the one splitter of the
// project: the generator's plan loader and internal/blueprint's template
// decoder both use it, so a file is cut the same way wherever it is read.
//
// The split decides exactly as github.com/adrg/frontmatter's Parse with one
// "---"/"---" format (FuzzSplit compares them), without copying the file line
// by line: the first line that is not blank must be --- (spaces around it
// allowed) and end with a newline; the frontmatter runs to the next line that
// is --- (the last line may lack its newline), and the body is what follows
// that line. A UTF-8 byte-order mark first in the file is dropped.
package frontmatter

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem says why a file could not be split.
type Problem int

const (
	OK       Problem = iota
	Missing          // the file does not start with a --- line
	Unclosed         // the frontmatter opened with --- is never closed
)

// Doc is a split file. Front and Body are subslices of the source.
type Doc struct {
	Front []byte
	Body  []byte
	// Offset is the number of lines before the frontmatter's first line:
	// line n of Front is line n+Offset of the file.
	Offset int
	// BodyLine is the file line (from 1) on which Body starts.
	BodyLine int
}

var bom = []byte("\xef\xbb\xbf")

// Split cuts src into its frontmatter and body; on a problem the Doc is
// zero.
func Split(src []byte) (Doc, Problem) {
	src = bytes.TrimPrefix(src, bom)
	start, end, body, found := split(src)
	if !found {
		if startsWithDelim(src) {
			return Doc{}, Unclosed
		}
		return Doc{}, Missing
	}
	return Doc{
		Front:    src[start:end],
		Body:     src[body:],
		Offset:   bytes.Count(src[:start], []byte("\n")),
		BodyLine: 1 + bytes.Count(src[:body], []byte("\n")),
	}, OK
}

// Bounds returns where src's frontmatter starts and ends as Split cuts it,
// as offsets into src (its byte-order mark counted), or the problem.
func Bounds(src []byte) (start, end int, p Problem) {
	skip := 0
	if bytes.HasPrefix(src, bom) {
		skip = len(bom)
	}
	start, end, _, found := split(src[skip:])
	if !found {
		if startsWithDelim(src[skip:]) {
			return 0, 0, Unclosed
		}
		return 0, 0, Missing
	}
	return start + skip, end + skip, OK
}

// IsDelim reports whether line (with or without its newline) is a ---
// line: the frontmatter closes at the first one.
func IsDelim(line []byte) bool { return string(bytes.TrimSpace(line)) == "---" }

// split finds the frontmatter src[start:end] and the body src[body:].
func split(src []byte) (start, end, body int, found bool) {
	// line returns the line at i, trimmed, where the next one starts, and
	// whether it is the last (no newline after it).
	line := func(i int) ([]byte, int, bool) {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return bytes.TrimSpace(src[i:]), len(src), true
		}
		return bytes.TrimSpace(src[i : i+j]), i + j + 1, false
	}
	for {
		l, next, last := line(start)
		if last {
			return 0, 0, 0, false
		}
		start = next
		if len(l) == 0 {
			continue
		}
		if string(l) != "---" {
			return 0, 0, 0, false
		}
		break
	}
	// The closing line is the first whose text is ---: only the lines
	// holding "---" are looked at, so a long plan is not cut line by line.
	for i := start; i < len(src); {
		k := bytes.Index(src[i:], delim)
		if k < 0 {
			return 0, 0, 0, false
		}
		k += i
		ls := bytes.LastIndexByte(src[start:k], '\n') + 1 + start
		l, next, _ := line(ls)
		if string(l) == "---" {
			return start, ls, next, true
		}
		i = next // the rest of that line is no closing line
	}
	return 0, 0, 0, false
}

var delim = []byte("---")

// startsWithDelim reports whether the first line that is not blank is ---.
func startsWithDelim(src []byte) bool {
	for _, l := range bytes.Split(src, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		return string(t) == "---"
	}
	return false
}

// Error is a frontmatter that is not valid YAML, or not a mapping of keys,
// at a file line.
type Error struct {
	Line int
	Msg  string
	// NotMapping is set when the YAML is valid but its top is not a
	// mapping of keys: the caller names the keys it expects.
	NotMapping bool
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse parses the frontmatter of d into its document node, whose one child
// is the top mapping; node lines are frontmatter lines (add d.Offset for
// file lines). A panic of the YAML library on a hostile input is an error,
// never a crash.
func Parse(d Doc) (root *yaml.Node, err *Error) {
	var doc yaml.Node
	if e := unmarshal(d.Front, &doc); e != nil {
		return nil, &Error{Line: ErrLine(e, d.Offset), Msg: "the frontmatter is not valid YAML: " + ErrMsg(e)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{Line: d.Offset + 1, NotMapping: true, Msg: "the frontmatter must be a mapping of keys"}
	}
	return &doc, nil
}

// unmarshal is yaml.Unmarshal, with a panic turned into an error.
func unmarshal(b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(b, v)
}

var lineRe = regexp.MustCompile(`(?:yaml: )?line (\d+): `)

// ErrLine is the file line a YAML error names (its frontmatter line plus
// offset), or the frontmatter's first line when it names none.
func ErrLine(err error, offset int) int {
	m := lineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return offset + 1
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n + offset
}

var cannotRe = regexp.MustCompile("cannot unmarshal !!(\\w+) `(.*)` into (.+)$")

// ErrMsg is a YAML error in words for the person who wrote the file: no
// line prefix (the caller puts the line in front), and a type mismatch
// said as what was wanted and what was written.
func ErrMsg(err error) string {
	s := lineRe.ReplaceAllString(err.Error(), "")
	s = strings.TrimPrefix(s, "yaml: ")
	if m := cannotRe.FindStringSubmatch(s); m != nil {
		want := m[3]
		switch {
		case strings.Contains(want, "int"):
			want = "a whole number"
		case strings.HasPrefix(want, "[]"):
			want = "a list, e.g. [a, b]"
		case strings.Contains(want, "raw") || strings.Contains(want, "struct"):
			want = "a mapping of keys"
		case want == "string":
			want = "a single value"
		}
		what := map[string]string{"str": "text", "seq": "a list", "map": "a mapping", "int": "a number", "bool": "true/false"}[m[1]]
		if what == "" {
			what = m[1]
		}
		return fmt.Sprintf("want %s here, got %s %q", want, what, m[2])
	}
	return s
}
