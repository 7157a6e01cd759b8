// Package reply owns the buyer's side of a plan: what a person may answer
// from their room (a Reply), what they may answer it about (Targets), what
// the seller decided (Decision, Record) and how an accepted reply becomes an
// edit of the plan (Apply). See design.md, "Replies".
//
// The package does no I/O beyond the bundle's record files
// (content/<deal>/replies/<id>.json, see ReadRecords and WriteRecord). The
// clock and randomness are always passed in.
package reply

import (
	"cmp"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/maproom/maproom/internal/deal"
)

// Kind is what a reply does.
type Kind string

// The kinds of reply. Confirm, Propose, Done and Blocked answer a task the
// person owns (Confirm and Propose also a milestone they lead); Question asks
// about the plan or any task or milestone; Suggest adds what the plan misses.
const (
	Confirm  Kind = "confirm"  // the target's due date holds
	Propose  Kind = "propose"  // another due date (Date), with a Reason
	Done     Kind = "done"     // the task was done on Date, shown by Evidence
	Blocked  Kind = "blocked"  // the task cannot go on, because of Reason
	Question Kind = "question" // a question (Text) for the seller
	Suggest  Kind = "suggest"  // a step or person the plan misses: Text (title), Owner (theirs), Date (by when)
)

// Kinds lists every kind in the order a room offers them.
var Kinds = []Kind{Confirm, Propose, Done, Blocked, Question, Suggest}

// Target kinds.
const (
	TargetPlan      = "plan"
	TargetTask      = "task"
	TargetMilestone = "milestone"
)

// Limits on what a reply may hold. Text, Reason and Evidence are counted in
// runes after trimming.
const (
	MaxText   = 1000
	MaxOwner  = 100
	MaxSeen   = 100
	MaxTarget = 100
)

// Reply is one answer from one person's room. ID, Time, Deal and
// Stakeholder are set by the beacon (the server's randomness and clock, the
// manifest's room for the token), never from what the client sent; the rest
// comes from the posted form through Parse.
type Reply struct {
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	Deal        string    `json:"deal"`
	Stakeholder string    `json:"stakeholder"`
	Kind        Kind      `json:"kind"`
	// Target is "" for the plan, else a task or milestone id; TargetKind
	// says which ("plan", "task" or "milestone"; "" when the form did not
	// say and no deal resolved it yet, see Targets.Resolve).
	Target     string `json:"target,omitempty"`
	TargetKind string `json:"target_kind,omitempty"`
	Date       string `json:"date,omitempty"`     // YYYY-MM-DD: proposed date, done date, suggest's by-when
	Reason     string `json:"reason,omitempty"`   // propose, blocked
	Evidence   string `json:"evidence,omitempty"` // done: text or an http(s) link
	Text       string `json:"text,omitempty"`     // question; suggest's title
	Owner      string `json:"owner,omitempty"`    // suggest: who owns it on the buyer's side, free text
	Seen       string `json:"seen,omitempty"`     // the target as the room showed it, see Seen
	// Rotation is the rotation of the link the reply was sent from, as
	// the beacon tells it by the room's token (no form field sets it; Parse
	// leaves it 0). It travels with the reply (the log, the store, the
	// read endpoint, a decision's record); for a reply written before it
	// did, the log's and the store's readers take it from the event's
	// envelope, and Join from the copy sent.
	Rotation int `json:"rotation,omitempty"`
	// Preview: the reply was sent from `maproom serve`'s local preview,
	// as the log's and the store's readers tell it by the event's
	// instance (no form field sets it, and the beacon does not write it):
	// the seller's own click in a buyer's room, never the buyer's
	// engagement. A decision's record keeps it.
	Preview bool `json:"preview,omitempty"`
}

// FieldError is a problem with one field of a posted reply. Msg says what is
// wrong and what to change, in words fit to show the person who sent it.
type FieldError struct {
	Field string // the form field: kind, target, date, reason, evidence, text, owner, seen
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// fields lists, per kind, the form fields it uses besides kind, target and
// seen. Parse refuses the others filled in, and Validate refuses them set.
var fields = map[Kind][]string{
	Confirm:  {"date"},
	Propose:  {"date", "reason"},
	Done:     {"date", "evidence", "reason"}, // the reason optional: what a buyer adds in the form's one reason field
	Blocked:  {"reason"},
	Question: {"text"},
	Suggest:  {"date", "text", "owner"},
}

// Parse decodes a reply posted from a room. It reads the fields kind,
// target, target_kind, date, reason, evidence, text, owner and seen and
// ignores every other (the token t among them: identity is the caller's
// business). A field the kind does not use is refused when filled in
// (words typed under another kind of reply, before the sender changed the
// kind: they are not lost unseen), and ignored when empty. Text is trimmed and
// CRLF line breaks (as browsers send them) become LF. The reply's Time is
// now; ID, Deal and Stakeholder are left for the caller.
//
// Parse returns the reply only when Validate accepts it, no text of it
// holds a template placeholder ("[[...]]", see deal.Placeholders: the
// seller could not take it into the plan, and no placeholder is ever
// published), a suggestion's text has a letter or a digit, a proposed or
// suggested date is not before yesterday, a proposed date is not the one
// the room showed (its Seen's due, else its planned date), a confirmation
// is of the date the room showed (its Seen's due), not a date before
// yesterday (nor is the date it sends, when Seen gives no due: a date
// gone by cannot be confirmed, whether or not Seen is sent), and the
// step the room showed (its Seen's status) takes the reply: nothing but a
// question about a step done, no confirmation or second block of a step
// blocked; otherwise
// the error joins one *FieldError per bad field (errors.As finds the
// first).
// The caller caps the size of the request body before parsing the form.
func Parse(form url.Values, now time.Time) (Reply, error) {
	var errs []error
	get := func(name string) string {
		vs := form[name]
		if len(vs) > 1 {
			errs = append(errs, &FieldError{name, "sent more than once: send one value"})
		}
		if len(vs) == 0 {
			return ""
		}
		return strings.TrimSpace(pasted.Replace(strings.ReplaceAll(vs[0], "\r\n", "\n")))
	}
	r := Reply{Time: now.UTC(), Kind: Kind(get("kind")), Target: get("target"), TargetKind: get("target_kind"), Seen: get("seen")}
	if r.Target == "" && r.TargetKind == "" {
		r.TargetKind = TargetPlan
	}
	for _, f := range fields[r.Kind] {
		v := get(f)
		switch f {
		case "date":
			r.Date = v
		case "reason":
			r.Reason = v
		case "evidence":
			r.Evidence = v
		case "text":
			r.Text = v
		case "owner":
			r.Owner = v
		}
	}
	if _, known := fields[r.Kind]; known {
		for _, f := range []string{"date", "reason", "evidence", "text", "owner"} {
			if slices.Contains(fields[r.Kind], f) || len(form[f]) == 0 || strings.TrimSpace(form[f][0]) == "" {
				continue
			}
			errs = append(errs, &FieldError{f, fmt.Sprintf("%s does not take it, so it would be lost: clear it, or choose %s", kindLabel(r.Kind), takers(f, r.TargetKind == TargetMilestone))})
		}
	}
	if len(errs) > 0 {
		return Reply{}, errors.Join(errs...)
	}
	if err := r.Validate(now); err != nil {
		return Reply{}, err
	}
	// Text the seller takes into the plan or answers in the rooms. Only a
	// reply being sent is held to this, as to the date rules below.
	for _, f := range []struct{ name, value string }{{"reason", r.Reason}, {"evidence", r.Evidence}, {"text", r.Text}, {"owner", r.Owner}} {
		if ps := deal.Placeholders(f.value); len(ps) > 0 {
			errs = append(errs, &FieldError{f.name, fmt.Sprintf("%s reads as a placeholder left to fill in: write what you mean instead, or take away the double brackets", clip(ps[0]))})
		}
	}
	if r.Kind == Suggest && !strings.ContainsFunc(r.Text, func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }) {
		errs = append(errs, &FieldError{"text", fmt.Sprintf("%q has no letter or digit: name the step or the person the plan misses", clip(r.Text))})
	}
	// A new date to plan by is not behind the sender. Only a reply being
	// sent is held to this: one read back from the log was checked when it
	// came, and a log written before this rule still reads. A day of
	// grace, as for done: the sender's today may be the server's
	// yesterday. Said with the text's problems above: each field to
	// correct at once.
	if r.Kind == Propose || r.Kind == Suggest {
		today := deal.DateOf(now)
		if d, err := deal.ParseDate(r.Date); err == nil && d.Before(today.AddDays(-1)) {
			errs = append(errs, &FieldError{"date", fmt.Sprintf("%s is in the past: give a day from %s on", d, today)})
		}
	}
	if len(errs) > 0 {
		return Reply{}, errors.Join(errs...)
	}
	// A step the room showed done has no date left to confirm or move and
	// no status left to report (a stale or forged form): a question
	// still goes.
	switch st := seenFields(r.Seen)["status"]; {
	case st == string(deal.Done) && (r.Kind == Confirm || r.Kind == Propose || r.Kind == Done || r.Kind == Blocked):
		return Reply{}, &FieldError{"kind", "the step is done already: nothing to confirm, move or mark; ask a question about it instead"}
	case st == string(deal.Blocked) && r.Kind == Confirm:
		// Its room offers no confirmation while it is blocked.
		return Reply{}, &FieldError{"kind", "the step is blocked: its date cannot be confirmed until it can go on; choose \"Propose another date\" for the date it can be done by"}
	case st == string(deal.Blocked) && r.Kind == Blocked:
		// Nor a second block.
		return Reply{}, &FieldError{"kind", "the step is blocked already: to say more about it, ask a question; when it can go on, choose \"Propose another date\""}
	}
	// A new date is another date than the one the room showed (its due,
	// else the date the schedule planned): the same date moves nothing,
	// and accepting it would record a move that is none.
	if seen := seenFields(r.Seen); r.Kind == Propose && r.Date != "" && r.Date == cmp.Or(seen["due"], seen["planned"]) {
		if seen["status"] == string(deal.Blocked) {
			// Its room offers no confirmation while it is blocked.
			return Reply{}, &FieldError{"date", fmt.Sprintf("%s is the date the plan gives already: to say the step can go on by then, ask a question about it", r.Date)}
		}
		return Reply{}, &FieldError{"date", fmt.Sprintf("%s is the date the plan gives already: confirm it instead", r.Date)}
	}
	// A confirmation is of the date the room showed: another date is a
	// proposal, and a date gone by cannot be kept any more.
	if due := seenFields(r.Seen)["due"]; r.Kind == Confirm && due != "" {
		today := deal.DateOf(now)
		if r.Date != "" && r.Date != due {
			return Reply{}, &FieldError{"date", fmt.Sprintf("%s is not the date the plan gives (%s): confirm that one, or choose \"Propose another date\" to ask for %s", r.Date, due, r.Date)}
		}
		if d, err := deal.ParseDate(due); err == nil && !Confirmable(d, today) {
			if r.TargetKind == TargetMilestone {
				// A milestone has no status of its own: it is reached when
				// its steps are done.
				return Reply{}, &FieldError{"kind", fmt.Sprintf("the milestone was due %s: a date gone by cannot be confirmed: choose \"Propose another date\"", due)}
			}
			return Reply{}, &FieldError{"kind", fmt.Sprintf("the step was due %s: a date gone by cannot be confirmed: mark it done, or choose \"Propose another date\"", due)}
		}
	} else if r.Kind == Confirm && r.Date != "" {
		// Without the date the room showed (a form from an older page,
		// or not from a room), the date sent is the one confirmed: one
		// gone by cannot be kept any more either.
		if d, err := deal.ParseDate(r.Date); err == nil && !Confirmable(d, deal.DateOf(now)) {
			if r.TargetKind == TargetMilestone {
				return Reply{}, &FieldError{"date", fmt.Sprintf("%s is gone by: a date gone by cannot be confirmed: choose \"Propose another date\"", r.Date)}
			}
			return Reply{}, &FieldError{"date", fmt.Sprintf("%s is gone by: a date gone by cannot be confirmed: mark the step done, or choose \"Propose another date\"", r.Date)}
		}
	}
	return r, nil
}

// kindLabel names a kind of reply as the room's forms do.
func kindLabel(k Kind) string {
	switch k {
	case Confirm:
		return "\"Confirm the date\""
	case Propose:
		return "\"Propose another date\""
	case Done:
		return "\"Mark done\""
	case Blocked:
		return "\"Blocked\""
	case Question:
		return "a question"
	case Suggest:
		return "a suggestion"
	}
	return string(k)
}

// takers names the kinds of reply a step's form offers that take the form
// field f ("a question or a suggestion" for one no step kind takes); a
// milestone's form offers a proposal alone of them.
func takers(f string, milestone bool) string {
	kinds := []Kind{Propose, Done, Blocked}
	if milestone {
		kinds = kinds[:1]
	}
	var out []string
	for _, k := range kinds {
		if slices.Contains(fields[k], f) && !(k == Done && f == "reason") { // done's reason is what is left in the form
			out = append(out, kindLabel(k))
		}
	}
	if len(out) == 0 {
		return "a question or a suggestion about the plan"
	}
	return strings.Join(out, " or ")
}

var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks a reply's content against the rules of its kind, with
// dates bounded by now: a date lies within [today-1y, today+3y], and a done
// date is not after tomorrow (the sender may be a time zone ahead). It does
// not check ID, Time, Deal or Stakeholder beyond their form (an ID, when
// set, is one NewID could make), nor whether the person may reply to the
// target (see Targets.Allows). The error joins one *FieldError per problem.
func (r Reply) Validate(now time.Time) error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, &FieldError{field, fmt.Sprintf(format, a...)})
	}
	if r.ID != "" && !ValidID(r.ID) {
		bad("id", "%q is not a reply id (10 characters, a-z and 2-7)", r.ID)
	}
	use, ok := fields[r.Kind]
	if !ok {
		bad("kind", "%q is not a kind of reply: use confirm, propose, done, blocked, question or suggest", clip(r.Kind))
		return errors.Join(errs...)
	}

	// The target.
	switch {
	case r.Target == "" && r.TargetKind != TargetPlan:
		bad("target", "missing: name the task or milestone this %s is about", r.Kind)
	case r.Target != "" && (len(r.Target) > MaxTarget || !idRe.MatchString(r.Target)):
		bad("target", "%q is not a task or milestone id (lowercase letters, digits and hyphens)", clip(r.Target))
	case r.Target != "" && r.TargetKind != "" && r.TargetKind != TargetTask && r.TargetKind != TargetMilestone:
		bad("target_kind", "%q: use task or milestone", clip(r.TargetKind))
	}
	switch r.Kind {
	case Confirm, Propose, Done, Blocked:
		if r.Target == "" && r.TargetKind == TargetPlan {
			bad("target", "a %s is about a task or milestone: name one", r.Kind)
		}
		if (r.Kind == Done || r.Kind == Blocked) && r.TargetKind == TargetMilestone {
			bad("target", "a milestone is done when its tasks are: mark its tasks %s", r.Kind)
		}
	case Suggest:
		if r.Target != "" {
			bad("target", "a suggestion is about the plan: leave the target empty")
		}
	}
	if len(r.Seen) > MaxSeen || !printableASCII(r.Seen) {
		bad("seen", "not what a room sends: reload the room and reply again")
	}

	// The fields of the kind, and only those.
	has := func(f string) bool {
		for _, u := range use {
			if u == f {
				return true
			}
		}
		return false
	}
	for _, f := range []struct {
		name, value string
	}{{"date", r.Date}, {"reason", r.Reason}, {"evidence", r.Evidence}, {"text", r.Text}, {"owner", r.Owner}} {
		if f.value != "" && !has(f.name) {
			bad(f.name, "a %s reply has no %s: leave it empty", r.Kind, f.name)
		}
	}
	text := func(field, v string, max int, required, multiline bool, what string) {
		switch {
		case v == "" && required:
			bad(field, "missing: %s", what)
		case !utf8.ValidString(v):
			bad(field, "not valid text (UTF-8): type it again")
		case strings.TrimSpace(v) != v:
			bad(field, "starts or ends with spaces: trim them")
		case utf8.RuneCountInString(v) > max:
			bad(field, "%d characters, at most %d: shorten it", utf8.RuneCountInString(v), max)
		default:
			if msg := BadChar(v, multiline); msg != "" {
				bad(field, "%s", msg)
			}
		}
	}
	switch r.Kind {
	case Propose:
		text("reason", r.Reason, MaxText, true, true, "say why the date moves")
	case Blocked:
		text("reason", r.Reason, MaxText, true, true, "say what blocks it")
	case Done:
		text("evidence", r.Evidence, MaxText, true, true, "say what shows it is done: a few words or a link")
		text("reason", r.Reason, MaxText, false, true, "")
		if r.Evidence != "" && looksLikeLink(r.Evidence) {
			if _, ok := EvidenceLink(r.Evidence); !ok {
				bad("evidence", "%q: a link must start with https:// or http:// and name a host", clip(r.Evidence))
			}
		}
	case Question:
		text("text", r.Text, MaxText, true, true, "write the question")
	case Suggest:
		text("text", r.Text, MaxText, true, false, "name the step or the person the plan misses")
		text("owner", r.Owner, MaxOwner, false, false, "")
	}

	// The date.
	if has("date") {
		required := r.Kind == Propose || r.Kind == Done
		today := deal.DateOf(now)
		lo, hi := deal.DateOf(today.Time().AddDate(-1, 0, 0)), deal.DateOf(today.Time().AddDate(3, 0, 0))
		switch d, err := deal.ParseDate(r.Date); {
		case r.Date == "" && required:
			bad("date", "missing: give a day as YYYY-MM-DD")
		case r.Date == "":
		case err != nil || d.String() != r.Date:
			bad("date", "%q is not a day: write it as YYYY-MM-DD", clip(r.Date))
		case d.Before(lo):
			bad("date", "%s is more than a year ago: give a day from %s on", d, lo)
		case d.After(hi):
			bad("date", "%s is more than three years ahead: give a day up to %s", d, hi)
		case r.Kind == Done && d.After(today.AddDays(1)):
			bad("date", "%s is in the future: give the day it was done", d)
		}
	}
	return errors.Join(errs...)
}

// clip shortens what an error message quotes back.
func clip[S ~string](s S) string {
	const n = 40
	if utf8.RuneCountInString(string(s)) <= n {
		return string(s)
	}
	return string([]rune(string(s))[:n]) + "…"
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:\S`)

// looksLikeLink reports whether evidence is one word that starts with a URL
// scheme, so that it is read as a link rather than as text.
func looksLikeLink(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsSpace) && schemeRe.MatchString(s)
}

// EvidenceLink returns evidence as a link when it is one: a single word that
// is an absolute http or https URL with a host. Anything else is text and
// rooms show it as text.
func EvidenceLink(evidence string) (string, bool) {
	if !looksLikeLink(evidence) {
		return "", false
	}
	u, err := url.Parse(evidence)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", false
	}
	return u.String(), true
}

// idEncoding is base32 in lowercase without padding.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// IDLen is the length of a reply id.
const IDLen = 10

// NewID returns a new reply id: 10 characters of lowercase base32 (50 bits)
// read from r. The beacon passes crypto/rand.Reader; tests pass a fixed
// reader. NewID panics if r cannot give 7 bytes (crypto/rand never fails).
func NewID(r io.Reader) string {
	var b [7]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("reply: reading randomness for an id: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])[:IDLen]
}

// BadChar says what is wrong with the first character of v that a room
// would not show as it reads ("" when none is): a control character (a
// line break is one unless multiline), a character that is not valid
// text, or an invisible or direction-changing one. A buyer's reply is held
// to it, and so is what the seller writes back to them (a decline's
// reason, an answer).
func BadChar(v string, multiline bool) string {
	rs := []rune(v)
	for i, c := range rs {
		if (c == 0x200C || c == 0x200D) && i > 0 && joins(rs[i-1], next(rs, i), i+1 < len(rs)) {
			// A zero-width non-joiner or joiner between two characters
			// is part of how they are written: Persian's and Indic
			// scripts' spelling, an emoji sequence (👩‍💻).
			continue
		}
		if (unicode.IsControl(c) && !(multiline && c == '\n')) || c == utf8.RuneError {
			if c == '\n' {
				return "holds a line break: write it on one line"
			}
			return fmt.Sprintf("holds a control character (%U): remove it", c)
		}
		if hidden(c) {
			return fmt.Sprintf("holds an invisible or direction-changing character (%U), which would show the text otherwise than it reads: remove it", c)
		}
	}
	return ""
}

// ValidID reports whether s is a reply id as NewID makes them. Only valid ids
// name record files.
func ValidID(s string) bool {
	if len(s) != IDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// pasted cleans what text pasted from a spreadsheet, a mail or a chat
// brings along and no reader sees: a tab is a space, a line or paragraph
// separator a line break, and a zero-width space, a word joiner or a byte
// order mark nothing, so that the text kept is the text as it reads.
var pasted = strings.NewReplacer("\t", " ", "\u2028", "\n", "\u2029", "\n", "\u200B", "", "\u2060", "", "\uFEFF", "")

// joins reports whether a zero-width non-joiner or joiner between prev
// and next is part of the writing: between two letters or marks of a
// script that spells with them (Arabic's, as Persian writes it; the
// Indic ones), between two parts of an emoji sequence, or at the end of
// an Indic consonant written with its virama (Malayalam's chillu). Between
// Latin (or Cyrillic) letters one only hides a difference ("pri‍ce" that is
// not "price"): refused.
func joins(prev, next rune, hasNext bool) bool {
	switch {
	case joinScript(prev) && hasNext && joinScript(next):
		return true
	case emojiPart(prev) && hasNext && emojiPart(next):
		return true
	}
	return unicode.Is(unicode.Mn, prev) && joinScript(prev) && (!hasNext || unicode.IsSpace(next) || unicode.IsPunct(next))
}

// joinScript reports whether c is a letter or mark of a script whose
// spelling uses zero-width joiners and non-joiners.
func joinScript(c rune) bool {
	return unicode.In(c, unicode.Arabic, unicode.Syriac, unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi,
		unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada, unicode.Malayalam,
		unicode.Sinhala, unicode.Myanmar, unicode.Khmer)
}

// emojiPart reports whether c may stand beside a joiner in an emoji
// sequence: a pictograph, a skin tone, a variation selector.
func emojiPart(c rune) bool {
	return unicode.Is(unicode.So, c) && c >= 0x2000 || c >= 0x1F3FB && c <= 0x1F3FF || c >= 0xFE00 && c <= 0xFE0F
}

// next is the rune after rs[i], 0 at the end.
func next(rs []rune, i int) rune {
	if i+1 < len(rs) {
		return rs[i+1]
	}
	return 0
}

// hidden reports whether c is a character that changes how the text
// around it shows without showing itself: the bidirectional embeddings,
// overrides and isolates (a reason that reads backwards in another
// person's room), zero-width spaces and joiners, the word joiner and the
// byte-order mark (Parse takes the spaces, the word joiner and the mark
// out of what it is sent: pasted). The left-to-right and right-to-left marks, which text
// in those scripts uses, are allowed.
func hidden(c rune) bool {
	switch {
	case c >= 0x202A && c <= 0x202E, c >= 0x2066 && c <= 0x2069:
		return true
	case c >= 0x200B && c <= 0x200D, c == 0x2060, c == 0xFEFF, c == 0x2028, c == 0x2029:
		return true
	}
	return false
}

// Confirmable reports whether due may still be confirmed on today: a date,
// not gone by (a day of grace). The beacon refuses any other
// confirmation, and the rooms offer none.
func Confirmable(due, today deal.Date) bool {
	return !due.IsZero() && !due.Before(today.AddDays(-1))
}
