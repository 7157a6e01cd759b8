package reply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Decision states. A reply without decisions is waiting.
const (
	Waiting  = "waiting"
	Accepted = "accepted"
	Declined = "declined"
	Answered = "answered"
	Conflict = "conflict"
)

// Decision is one thing the seller did with a reply. By names who decided
// (the seller's name as committed); Why is a decline's reason; Answer is the
// answer to a question (or a note on any reply); Commit is the commit that
// recorded an earlier decision, when known: the commit that applies a reply
// holds its record and so cannot name itself (git log --grep the
// Maproom-Reply trailer finds it).
type Decision struct {
	State  string    `json:"state"`
	Time   time.Time `json:"time"`
	By     string    `json:"by,omitempty"`
	Why    string    `json:"why,omitempty"`
	Answer string    `json:"answer,omitempty"`
	Commit string    `json:"commit,omitempty"`
	// From is, for a proposed date accepted over a conflict (-force), the
	// date the plan had when it was applied, where the reply's Seen says
	// the one the buyer saw.
	From string `json:"from,omitempty"`
	// Task is, for an accepted suggestion, the id of the task accepting it
	// added to the plan ("" in records made before it was recorded): the
	// step is found by it, not by its title, which another step may share.
	Task string `json:"task,omitempty"`
}

// Record is a reply and every decision about it, oldest first: the bundle's
// content/<deal>/replies/<id>.json.
type Record struct {
	Reply     Reply      `json:"reply"`
	Decisions []Decision `json:"decisions,omitempty"`
}

// State returns the reply's state: Accepted or Declined once a decision
// said so (the last of them: an answer after it adds words, and never
// hides the decision from the buyer), else the state of the last
// decision, or Waiting when there is none.
func (r Record) State() string {
	if d, ok := r.Decisive(); ok {
		return d.State
	}
	if n := len(r.Decisions); n > 0 {
		return r.Decisions[n-1].State
	}
	return Waiting
}

// Decisive returns the last decision that accepted or declined the reply.
func (r Record) Decisive() (Decision, bool) {
	if i := r.DecisiveAt(); i >= 0 {
		return r.Decisions[i], true
	}
	return Decision{}, false
}

// DecisiveAt is the index in Decisions of the decision Decisive returns,
// -1 when there is none: what was recorded after it came after it,
// whatever the times say (decisions made with -today share that day's
// noon).
func (r Record) DecisiveAt() int {
	for i := len(r.Decisions) - 1; i >= 0; i-- {
		if s := r.Decisions[i].State; s == Accepted || s == Declined {
			return i
		}
	}
	return -1
}

// Accepted reports whether any decision accepted the reply: an accepted
// reply stays applied whatever is recorded after (an answer, say).
func (r Record) Accepted() bool {
	return slices.ContainsFunc(r.Decisions, func(d Decision) bool { return d.State == Accepted })
}

// AddedTask is the id of the task accepting the reply added to the plan
// (the accepting decision's Task), "" when the record has none: not an
// accepted suggestion, or one recorded before the id was.
func (r Record) AddedTask() string {
	for i := len(r.Decisions) - 1; i >= 0; i-- {
		if d := r.Decisions[i]; d.State == Accepted && d.Task != "" {
			return d.Task
		}
	}
	return ""
}

// Dir is the folder of a deal bundle that holds its reply records.
const Dir = "replies"

// Path returns the record file of reply id in the bundle dealDir.
func Path(dealDir, id string) string { return filepath.Join(dealDir, Dir, id+".json") }

// Marshal returns rec as its record file holds it: indented JSON in the
// fields' declared order, with a final newline.
func Marshal(rec Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// RecordError is a reply record that cannot be read: its file, the line
// of the fault when known (0: not), and what to do.
type RecordError struct {
	File string
	Line int
	Msg  string
}

func (e *RecordError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ReadRecords returns the reply records of the bundle dealDir, oldest reply
// first (by time, then id). A bundle without a replies folder has none. A
// record that does not decode, or whose file name is not its reply's id, is
// a *RecordError naming the file (and the line of a JSON syntax error);
// every bad file is reported, joined.
//
// A record's reply is the deal's whose folder holds it, the folder's name:
// a deal folder renamed since (git mv) carries its records, which name
// the deal as it was called when they were written, and its replies are
// listed, reported and shown under its name now.
func ReadRecords(dealDir string) ([]Record, error) {
	dir := filepath.Join(dealDir, Dir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read replies: %w", err)
	}
	var recs []Record
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		file := filepath.Join(dir, name)
		b, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("read reply: %w", err))
			continue
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			line := 0
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			switch {
			case errors.As(err, &se):
				line = 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
			case errors.As(err, &te):
				line = 1 + bytes.Count(b[:min(int(te.Offset), len(b))], []byte("\n"))
			}
			errs = append(errs, &RecordError{file, line, fmt.Sprintf("not a reply record (%v): maproom writes these files; restore it from git (git checkout -- %s)", err, file)})
			continue
		}
		if id := strings.TrimSuffix(name, ".json"); rec.Reply.ID == "" {
			errs = append(errs, &RecordError{file, 0, fmt.Sprintf("holds no reply (no reply.id): maproom writes these files; restore it from git (git checkout -- %s), or remove it", file)})
			continue
		} else if rec.Reply.ID != id {
			errs = append(errs, &RecordError{file, 0, fmt.Sprintf("holds reply %q: a record's file is named after its reply's id, rename it %s.json", rec.Reply.ID, rec.Reply.ID)})
			continue
		}
		rec.Reply.Deal = filepath.Base(filepath.Clean(dealDir))
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b Record) int {
		if c := a.Reply.Time.Compare(b.Reply.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Reply.ID, b.Reply.ID)
	})
	return recs, errors.Join(errs...)
}

// WriteRecord writes rec to Path(dealDir, rec.Reply.ID), creating the
// replies folder, atomically: the record is written to a temporary file in
// the same folder, synced, then renamed over the old one, so a reader sees
// the old record or the new one, never part of one. The reply's id must be
// valid (see ValidID).
func WriteRecord(dealDir string, rec Record) error {
	if !ValidID(rec.Reply.ID) {
		return fmt.Errorf("write reply: %q is not a reply id", rec.Reply.ID)
	}
	b, err := Marshal(rec)
	if err != nil {
		return fmt.Errorf("write reply %s: %w", rec.Reply.ID, err)
	}
	dir := filepath.Join(dealDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write reply: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+rec.Reply.ID+".*.tmp")
	if err != nil {
		return fmt.Errorf("write reply: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing to remove
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, Path(dealDir, rec.Reply.ID))
	}
	if err != nil {
		return fmt.Errorf("write reply: %w", err)
	}
	return nil
}
