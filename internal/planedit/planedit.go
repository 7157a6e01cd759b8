// Package planedit makes minimal text edits to a deal's plan, the YAML
// frontmatter of content/<deal>/index.md, so that an accepted reply changes
// the file the way a careful person would by hand.
//
// Every function takes the whole file and returns the whole edited file. The
// contract, for every function:
//
//   - Only the bytes of the frontmatter that hold the intended fields change:
//     comments, blank lines, key order, quoting, flow or block style and
//     indentation of everything else are kept byte for byte, and so are a
//     UTF-8 byte order mark, the --- lines and the Markdown body after the
//     closing ---. CRLF line endings are kept, and inserted lines use the
//     ending of the line they follow.
//   - A replaced value keeps its key and its place; a comment after it on the
//     same line stays, at the same column when the padding allows. A new key
//     goes into the mapping in the plan's usual order (done: after status:,
//     status: after due:, ...; an unknown key after the last key), on its own
//     line at the mapping's indentation in a block mapping, or as ", key:
//     value" in a flow mapping ({id: a, due: 2026-01-01}).
//   - A value is written plain when YAML reads it back as the same text
//     (2026-12-01, in-progress, Security review passed); otherwise double
//     quoted with escapes ("Note: see #4", "true", ""). A replaced block
//     scalar (| or >) becomes a one-line scalar.
//   - The result re-parses with gopkg.in/yaml.v3, and its tree equals the
//     original's except for exactly the intended fields, whose values read
//     back as the given text. Each function checks this before it returns;
//     when an edit cannot be made so (a value with an anchor or tag, a list
//     where a single value is set), it returns an error and no bytes.
//
// Errors about the content carry "line N:" with the line in the file, so
// the caller can prefix the file name. An unknown id is ErrNotFound and a
// file without frontmatter ErrNoFrontmatter (use errors.Is). The functions
// are pure: safe for concurrent use, no I/O.
package planedit

import (
	"errors"
	"fmt"
)

// Field is one key of a plan mapping and the text of its value: Value is
// what the YAML scalar reads back as (a date is "2026-12-01"), never YAML
// source; planedit adds the quoting it needs.
type Field struct{ Key, Value string }

var (
	// ErrNotFound is wrapped by the errors about a task, milestone or key
	// that the plan does not hold.
	ErrNotFound = errors.New("not in the plan")
	// ErrNoFrontmatter is returned for a file that does not start with a
	// frontmatter between --- lines.
	ErrNoFrontmatter = errors.New("no frontmatter: the plan must start with a line ---, the YAML, then a line ---")
)

// The usual key order of the plan's mappings (README, content/*/index.md):
// a new key goes after the last present key that comes before it here.
var (
	rootOrder        = []string{"title", "buyer", "seller", "goal", "close", "golive", "outcome", "value", "template", "review", "stakeholders", "milestones", "criteria", "collateral"}
	milestoneOrder   = []string{"id", "title", "due", "lead", "evidence", "tasks"}
	taskOrder        = []string{"id", "title", "owner", "due", "duration", "status", "done", "after", "evidence", "collateral"}
	stakeholderOrder = []string{"id", "name", "title", "side", "role", "influence", "email", "rotate"}
)

// SetTask sets each field on the task whose id is taskID (in any
// milestone's tasks): an existing key's scalar value is replaced in place,
// a missing key is inserted. Any scalar key may be set (due, status, done,
// evidence, ...); a key whose value is a list or mapping (after:) is an
// error, and so is id (other entries refer to it). Fields are applied in
// order; a key given twice is an error. A
// field whose value already reads back as the given text is left as it is,
// so setting what the plan already says returns src unchanged.
func SetTask(src []byte, taskID string, fields ...Field) ([]byte, error) {
	return set(src, "task", taskID, fields)
}

// SetMilestone is SetTask for the milestone whose id is milestoneID (its
// due, lead, title, evidence, ...); the milestone's tasks are not touched.
func SetMilestone(src []byte, milestoneID string, fields ...Field) ([]byte, error) {
	return set(src, "milestone", milestoneID, fields)
}

// AddTask appends a task with the fields, keys in the given order, to the
// tasks of the milestone whose id is milestoneID, in the style of its
// sibling tasks: a block mapping item (- id: x / title: y) or a flow one
// (- {id: x, title: y}) at their indentation, or an item of a flow list
// (tasks: [..., {id: x}]). A milestone without tasks gets a tasks: key in
// the style of the other milestones' tasks (block by default). The fields
// must include a non-empty id that no task of the plan has yet.
func AddTask(src []byte, milestoneID string, fields ...Field) ([]byte, error) {
	return add(src, "task", milestoneID, fields)
}

// AddStakeholder appends a stakeholder with the fields, keys in the given
// order, to the plan's stakeholders:, in the style of the siblings (flow
// items - {id: x, name: Y} by default, as the README writes them; block
// mappings if the siblings are). The fields must include a non-empty id
// that no stakeholder has yet.
func AddStakeholder(src []byte, fields ...Field) ([]byte, error) {
	return add(src, "stakeholder", "", fields)
}

// lineError is an error about the plan at a line of the file.
func lineError(line int, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}
