package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/reply"
)

// LoadLen is the number of hex digits of a page-load id.
const LoadLen = 32

// MaxLine is the longest log line a reader accepts; a real one is under 1 KB.
const MaxLine = 64 << 10

// ValidLoad reports whether s is a page-load id: LoadLen lowercase hex digits.
func ValidLoad(s string) bool {
	if len(s) != LoadLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ParseLine decodes one log line (without its newline), or says why it is
// not a valid event; torn says the line had no newline (the last line of a
// file a writer had not finished), which the problem then names. A valid
// reply line (kind "reply") is returned as such: callers that count page
// events skip it.
func ParseLine(line []byte, torn bool) (e Event, problem string) {
	if len(line) > MaxLine {
		return e, fmt.Sprintf("line longer than %d bytes", MaxLine)
	}
	if err := json.Unmarshal(line, &e); err != nil {
		if torn {
			return e, "torn last line (no newline): " + err.Error()
		}
		return e, "not JSON: " + err.Error()
	}
	return e, e.Problem()
}

// Problem says why e is not a valid event of a schema version this build
// reads, or returns "". A reply line is checked with [CheckReplyEvent].
func (e *Event) Problem() string {
	switch {
	case e.V < 1:
		return "no schema version"
	case e.V > SchemaVersion:
		return fmt.Sprintf("schema version %d is newer than this maproom's %d: upgrade maproom", e.V, SchemaVersion)
	case e.Time.IsZero():
		return "no time"
	case e.Kind == KindReply:
		if err := CheckReplyEvent(e); err != nil {
			return err.Error()
		}
		return ""
	case !e.Kind.Valid():
		return fmt.Sprintf("unknown kind %.20q", e.Kind)
	case !ValidLoad(e.Load):
		return "bad page-load id"
	case e.Seq < 0:
		return "negative seq"
	case strings.TrimSpace(e.Room) == "" || e.Deal == "":
		return "no room or deal"
	case e.ActiveMS < 0 || e.VisibleMS < 0:
		return "negative duration"
	}
	return ""
}

// CheckReplyEvent says why e, of kind "reply", is not a valid reply line,
// or returns nil: schema version 2 or later (up to SchemaVersion), a reply
// whose id is one the beacon makes, whose deal and person are the line's
// own, and whose content reply.Validate accepts as of the time it was sent.
// The log's readers and the PostgreSQL store check replies with it.
func CheckReplyEvent(e *Event) error {
	r := e.Reply
	switch {
	case r == nil:
		return errors.New("a reply line without its reply")
	case e.V < 2 || e.V > SchemaVersion:
		return fmt.Errorf("reply %s: schema version %d: replies are version 2 to %d", r.ID, e.V, SchemaVersion)
	case !reply.ValidID(r.ID):
		return fmt.Errorf("reply id %.20q is not one the beacon makes", r.ID)
	case e.Deal == "" || r.Deal != e.Deal || r.Stakeholder != e.Stakeholder:
		return fmt.Errorf("reply %s names deal %q and person %q, its line %q and %q: they must agree", r.ID, r.Deal, r.Stakeholder, e.Deal, e.Stakeholder)
	case r.Time.IsZero():
		return fmt.Errorf("reply %s has no time", r.ID)
	}
	if err := r.Validate(r.Time); err != nil {
		return fmt.Errorf("reply %s does not validate: %w", r.ID, err)
	}
	return nil
}

// SortReplies orders replies oldest first; replies of the same instant keep
// their order (the order a log holds them in).
func SortReplies(rs []reply.Reply) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
}
