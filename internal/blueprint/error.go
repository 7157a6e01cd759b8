package blueprint

import (
	"fmt"
	"strings"
)

// Error is one problem with a template file. File names the file as given
// to Parse (a site template's OS path, or "builtin/<name>.md"); Line is the
// line in it, 0 when the problem concerns the whole file. Msg says what is
// wrong and what to change. Err is the *schedule.Error behind a scheduling
// problem (a dependency cycle), else nil.
//
// Parse and Load return every problem they find at once, as an errors.Join
// of *Error values in file and line order.
type Error struct {
	File string
	Line int
	Msg  string
	Err  error
}

// Error returns "file:line: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the scheduling error behind the problem, if any.
func (e *Error) Unwrap() error { return e.Err }
