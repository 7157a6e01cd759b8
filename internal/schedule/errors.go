package schedule

import (
	"errors"
	"strconv"
	"strings"
)

// The kinds of problem a plan or a template can have. An *Error wraps
// exactly one of them, so errors.Is tells them apart.
var (
	ErrCycle            = errors.New("dependency cycle")
	ErrUnknownTask      = errors.New("dependency on an unknown task")
	ErrNegativeDuration = errors.New("negative duration")
	ErrDurationTooLong  = errors.New("duration too long")
	ErrDuplicateTask    = errors.New("duplicate task id")
	ErrNoDoneDate       = errors.New("done without a done date")
)

// MaxDuration is the longest Duration a task may have, in business days
// (about 40 years). Anything longer is a typo, and refusing it keeps date
// arithmetic far from overflow.
const MaxDuration = 10_000

// Error is a problem with one task. Its message does not name the file:
// callers that know it prefix "file:line: " from Line. Compute and Backward
// return every problem they find as an errors.Join of *Error values, in plan
// order, cycles last.
type Error struct {
	// Task is the id of the task at fault. For a cycle it is the task of
	// the cycle that comes first in plan order.
	Task string
	// Line is Task's line in its file (deal.Task.Line), 0 when unknown.
	Line int
	// Cycle lists a dependency cycle's task ids in dependency order,
	// starting with Task: each one must be done before the next, and the
	// last before the first. It is nil for other kinds of error.
	Cycle []string
	// Also lists, for a cycle, the other tasks of the same loop (its
	// strongly connected component), in plan order: each waits, through
	// other cycles, on the tasks of Cycle, so breaking Cycle alone may
	// leave another cycle among them. nil when Cycle is the whole loop.
	Also []string
	// Err is the kind of problem: one of the Err* values of this package.
	Err error

	msg string
}

// Error returns the message, for example
// "dependency cycle: a -> b -> c -> a".
func (e *Error) Error() string {
	if e.msg != "" {
		return e.msg
	}
	if e.Err == ErrCycle && len(e.Cycle) > 0 {
		s := "dependency cycle: " + strings.Join(e.Cycle, " -> ") + " -> " + e.Cycle[0]
		if len(e.Also) > 0 {
			s += " (and, in the same loop through them, " + strings.Join(e.Also, ", ") + ")"
		}
		return s
	}
	kind := "invalid"
	if e.Err != nil {
		kind = e.Err.Error()
	}
	return "task " + strconv.Quote(e.Task) + ": " + kind
}

// Unwrap returns the kind of problem.
func (e *Error) Unwrap() error { return e.Err }
