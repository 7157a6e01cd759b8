package generator

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Severity says whether a problem stops the build.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

// Problem is one finding about the site's content: an error stops the build,
// a warning does not (unless --strict). File is relative to the working
// directory; Line is 0 when the problem concerns a whole file.
type Problem struct {
	File     string
	Line     int
	Severity Severity
	Msg      string
	// also is another line of the settings file the problem is on (a
	// range's other value), which LoadConfigKept leaves out with Line.
	also int
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Severity == Warning {
		b.WriteString(": warning: ")
	} else {
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Under returns p with its file named from root (the site's root) when
// it is under it: "content/acme/index.md:12: ...", as a report shared
// with others should say it, without the path of the machine it ran on.
func (p Problem) Under(root string) Problem {
	if rel, err := filepath.Rel(root, p.File); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
		p.File = rel
	}
	return p
}

// Problems is every finding of one check, in file and line order.
type Problems []Problem

// Errors counts the problems that stop a build.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// Warnings counts the plan-quality warnings.
func (ps Problems) Warnings() int { return len(ps) - ps.Errors() }

// Sort orders problems by file, line, then message, so output is stable.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Msg < b.Msg
	})
}

// Strict returns a copy in which every warning is an error.
func (ps Problems) Strict() Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		p.Severity = Error
		out[i] = p
	}
	return out
}

// collector gathers problems for one file.
type collector struct {
	file string
	ps   *Problems
}

func (c collector) errorf(line int, format string, args ...any) {
	*c.ps = append(*c.ps, Problem{File: c.file, Line: line, Severity: Error, Msg: fmt.Sprintf(format, args...)})
}

func (c collector) warnf(line int, format string, args ...any) {
	*c.ps = append(*c.ps, Problem{File: c.file, Line: line, Severity: Warning, Msg: fmt.Sprintf(format, args...)})
}
