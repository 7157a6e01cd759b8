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
		if l, q, ok := unclosedQuote(d.Front); ok {
			return nil, &Error{Line: l + d.Offset, Msg: fmt.Sprintf("the frontmatter is not valid YAML: a quoted value is not closed on its line: end it with the quote it starts with (%c)", q)}
		}
		line := ErrLine(e, d.Offset)
		if at, ok := problemLine(d.Front, e, line-d.Offset); ok {
			line = at + d.Offset
		} else if at, ok := unclosedFlow(d.Front, e, line-d.Offset); ok {
			line = at + d.Offset
		}
		msg := FileMsg(e, d.Offset)
		if ls := bytes.Split(d.Front, []byte("\n")); line-d.Offset >= 1 && line-d.Offset <= len(ls) {
			l := ls[line-d.Offset-1]
			if lead := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]; bytes.IndexByte(lead, '\t') >= 0 {
				msg += ": indent with spaces, never tabs"
			} else if hint := yamlHint(ErrMsg(e), l); hint != "" {
				msg += ": " + hint
			}
		}
		return nil, &Error{Line: line, Msg: "the frontmatter is not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{Line: d.Offset + 1, NotMapping: true, Msg: "the frontmatter must be a mapping of keys"}
	}
	return &doc, nil
}

// unclosedQuote finds a value of front that opens a quote and does not
// close it on its line, when closing it there makes front parse: the
// library reads on to the next quote and names a later line, or the end,
// with an error that does not say so. Only the first such value is tried.
func unclosedQuote(front []byte) (line int, quote byte, ok bool) {
	lines := bytes.SplitAfter(front, []byte("\n"))
	if len(lines) > maxProblemScan {
		return 0, 0, false
	}
	for i, l := range lines {
		q, open := opensQuote(l)
		if !open {
			continue
		}
		body := bytes.TrimRight(l, "\r\n")
		fixed := make([]byte, 0, len(front)+1)
		for j, m := range lines {
			if j == i {
				fixed = append(append(append(fixed, body...), q), m[len(body):]...)
				continue
			}
			fixed = append(fixed, m...)
		}
		var n yaml.Node
		if unmarshal(fixed, &n) == nil {
			return i + 1, q, true
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// opensQuote reports whether line's value (after "key: ", a list's "- ",
// or both) starts with a quote that the line does not close, and which.
func opensQuote(line []byte) (byte, bool) {
	v := bytes.TrimLeft(bytes.TrimRight(line, "\r\n"), " ")
	if rest, ok := bytes.CutPrefix(v, []byte("- ")); ok {
		v = bytes.TrimLeft(rest, " ")
	}
	if len(v) > 0 && v[0] != '"' && v[0] != '\'' {
		_, rest, ok := bytes.Cut(v, []byte(": "))
		if !ok {
			return 0, false
		}
		v = bytes.TrimLeft(rest, " ")
	}
	if len(v) == 0 || v[0] != '"' && v[0] != '\'' {
		return 0, false
	}
	q := v[0]
	for i := 1; i < len(v); i++ {
		switch {
		case q == '"' && v[i] == '\\':
			i++ // an escape
		case v[i] == q && q == '\'' && i+1 < len(v) && v[i+1] == '\'':
			i++ // '' in single quotes
		case v[i] == q:
			return 0, false
		}
	}
	return q, true
}

// yamlHint says how to fix the YAML mistakes people make most, from the
// library's message and the line it is on: a value holding ": " that is
// not quoted, and a key out of line with the keys beside it; "" for
// another.
func yamlHint(msg string, line []byte) string {
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		if _, v, ok := bytes.Cut(line, []byte(": ")); ok && bytes.Contains(v, []byte(": ")) {
			return `a value that holds ": " must be quoted: put it in double quotes ("...")`
		}
		return `a key is indented under a value: align it with the keys above, or quote the value if it holds ": "`
	case strings.Contains(msg, "did not find expected key") && afterQuote(line):
		return "text after a value's closing quote: put the whole value in the quotes"
	case strings.Contains(msg, "did not find expected '-' indicator"), strings.Contains(msg, "did not find expected key"):
		return "this line's indentation does not match the keys or list items above: align it with them (two spaces per level)"
	case strings.Contains(msg, "expected ','"):
		return "a value that starts with [ or { is read as a list or as keys, and this one is not closed: close it, or put the whole value in double quotes (\"...\")"
	case strings.Contains(msg, "unknown anchor"):
		return "a value that starts with * is read as a YAML alias: put the whole value in double quotes (\"...\")"
	}
	return ""
}

// unclosedFlow finds, for an unclosed [ or { (err's "expected ','"), the
// line that opens it: the first line from the one before from (the
// library's line can be one short) whose value starts with [ or { and does
// not close it on the line.
func unclosedFlow(front []byte, err error, from int) (int, bool) {
	if !strings.Contains(ErrMsg(err), "expected ','") {
		return 0, false
	}
	lines := bytes.Split(front, []byte("\n"))
	for k := max(from-1, 1); k <= len(lines) && k <= from+1; k++ {
		v := bytes.TrimSpace(lines[k-1])
		if rest, ok := bytes.CutPrefix(v, []byte("- ")); ok {
			v = bytes.TrimSpace(rest) // a list item: "- {id: a, ...}"
		}
		if _, val, ok := bytes.Cut(v, []byte(": ")); ok && len(v) > 0 && v[0] != '[' && v[0] != '{' {
			v = bytes.TrimSpace(val) // a key's value: "goal: [..."
		}
		if len(v) > 0 && (v[0] == '[' || v[0] == '{') && bytes.Count(v, []byte{'['})+bytes.Count(v, []byte{'{'}) > bytes.Count(v, []byte{']'})+bytes.Count(v, []byte{'}'}) {
			return k, true
		}
	}
	return 0, false
}

// afterQuote reports whether line's value starts with a quote and has
// text after the quote that closes it.
func afterQuote(line []byte) bool {
	_, v, ok := bytes.Cut(line, []byte(": "))
	v = bytes.TrimSpace(v)
	if !ok || len(v) < 2 || (v[0] != '"' && v[0] != '\'') {
		return false
	}
	end := bytes.IndexByte(v[1:], v[0])
	return end >= 0 && len(bytes.TrimSpace(v[end+2:])) > 0
}

// definedAtRe is the line a duplicate key's error names for the first
// one, a frontmatter line.
var definedAtRe = regexp.MustCompile(`already defined at line (\d+)`)

// maxProblemScan bounds the frontmatter lines problemLine reads again.
const maxProblemScan = 2000

// problemLine finds the line of front the YAML error err is on, from the
// line the library names (from, a frontmatter line): for some errors that
// is the start of the block holding the problem (the "tasks:" above a
// task's broken value), or the line before it (a tab). The problem is on
// the first line whose prefix of front fails with the same error; ok is
// false when no prefix from there does (the error needs what follows: an
// unclosed quote, say), or for an unclosed flow collection, and the
// library's line stands.
func problemLine(front []byte, err error, from int) (line int, ok bool) {
	want := ErrMsg(err)
	if strings.Contains(want, "expected ','") {
		// An unclosed [ or {: the library names the line it opens on,
		// where the fix is; the lines after it read as its items.
		return 0, false
	}
	lines := bytes.SplitAfter(front, []byte("\n"))
	if len(lines) > maxProblemScan {
		return 0, false
	}
	// From the line before the one named (the library's lines can be one
	// short), the prefix of k lines is front[:at].
	start := max(from-1, 1)
	at := 0
	for i := 0; i < start-1 && i < len(lines); i++ {
		at += len(lines[i])
	}
	for k := start; k <= len(lines); k++ {
		at += len(lines[k-1])
		var n yaml.Node
		if e := unmarshal(front[:at], &n); e != nil {
			if ErrMsg(e) == want {
				return k, true
			}
			return 0, false // another error first: keep the library's line
		}
	}
	return 0, false
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

// FileMsg is ErrMsg with the lines it names inside the message (a
// duplicate key's first place) as file lines: frontmatter lines plus
// offset. A duplicate key's message says what to change.
func FileMsg(err error, offset int) string {
	msg := ErrMsg(err)
	if !definedAtRe.MatchString(msg) {
		return msg
	}
	return definedAtRe.ReplaceAllStringFunc(msg, func(m string) string {
		var n int
		fmt.Sscan(definedAtRe.FindStringSubmatch(m)[1], &n)
		return fmt.Sprintf("already defined at line %d", n+offset)
	}) + ": keep one of them"
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
