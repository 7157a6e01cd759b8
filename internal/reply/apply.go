package reply

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/planedit"
)

// Seen returns a task's state as a room shows it and a reply carries it
// back: "due=YYYY-MM-DD;status=<status>;ev=<8 hex digits>;ti=<8 hex
// digits>" (due empty when unset, status todo when unset, ev a fingerprint
// of the task's evidence: what done means, ti one of its title, spaces and
// case aside: what the step is). The room writes it into each form and
// Apply compares it with the plan's task at accept time; both must use
// this function. A reply sent before a field was carried is compared on
// the fields it has.
func Seen(t *deal.Task) string {
	st := t.Status
	if st == "" {
		st = deal.Todo
	}
	return "due=" + t.Due.String() + ";status=" + string(st) + ";ev=" + fingerprint(t.Evidence) + ";ti=" + fingerprint(strings.ToLower(t.Title))
}

// fingerprint is 8 hex digits of s's words, spaces aside.
func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(s), " ")))
	return hex.EncodeToString(sum[:4])
}

// SeenAt is Seen for a task as its room shows it on the schedule: a task
// without a due date of its own carries the date the schedule planned for
// it too ("planned=YYYY-MM-DD"), so that a shift of the schedule since the
// room showed it is a conflict. planned is ignored for a task with a due
// date of its own, or when zero.
func SeenAt(t *deal.Task, planned deal.Date) string {
	s := Seen(t)
	if t.Due.IsZero() && !planned.IsZero() {
		s += ";planned=" + planned.String()
	}
	return s
}

// changedSince reports whether the target, as Seen writes it now, differs
// from what the room showed (seen) in a field seen carries.
func changedSince(seen, now string) bool {
	was, is := seenFields(seen), seenFields(now)
	for k, v := range was {
		if is[k] != v {
			return true
		}
	}
	return len(was) == 0
}

// SeenMilestone is Seen for a milestone: "due=YYYY-MM-DD;ti=<8 hex
// digits>".
func SeenMilestone(m *deal.Milestone) string {
	return "due=" + m.Due.String() + ";ti=" + fingerprint(strings.ToLower(m.Title))
}

// ErrConflict is matched (errors.Is) by every *ConflictError.
var ErrConflict = errors.New("the plan changed since the reply was sent")

// ErrAlreadyAccepted is returned by Apply, with the plan unchanged, for a
// reply its record already shows accepted: accepting twice changes nothing.
var ErrAlreadyAccepted = errors.New("already accepted")

// ConflictError is a reply about a target the seller has changed since the
// room showed it, or that the person no longer owns or leads. Apply returns
// it instead of editing the plan; ApplyOptions.Force applies anyway.
type ConflictError struct {
	Reply      string // the reply's id
	TargetKind string // task or milestone
	Target     string
	Seen       string // what the room showed (Reply.Seen)
	Now        string // the target now, as Seen writes it
	Owner      string // when the person no longer owns or leads the target: who does now
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func (e *ConflictError) Error() string {
	return e.What() + ": read the reply, then decline or answer it, or accept it with -force"
}

// What says what changed since the room showed the target, without what
// to do about it: the record of a reply accepted over it with -force.
func (e *ConflictError) What() string {
	var what []string
	if e.Owner != "" {
		verb := "owned"
		if e.TargetKind == TargetMilestone {
			verb = "led"
		}
		what = append(what, fmt.Sprintf("it is now %s by %s", verb, e.Owner))
	}
	switch {
	case e.Seen == "" && e.Owner == "":
		what = append(what, fmt.Sprintf("the reply does not carry what its room showed (sent from an older page, or not from a room), and the %s is now %s", e.TargetKind, describe(e.Now)))
	case changedSince(e.Seen, e.Now):
		was, now := seenFields(e.Seen), seenFields(e.Now)
		for _, k := range []string{"due", "status"} {
			if v, ok := was[k]; ok && v != now[k] {
				what = append(what, fmt.Sprintf("%s was %s, now %s", k, orNone(v), orNone(now[k])))
			}
		}
		if v, ok := was["planned"]; ok && v != now["planned"] {
			what = append(what, fmt.Sprintf("the date the schedule planned was %s, now %s", v, orNone(now["planned"])))
		}
		if v, ok := was["ev"]; ok && v != now["ev"] {
			what = append(what, "its evidence (what done means) was rewritten")
		}
		if v, ok := was["ti"]; ok && v != now["ti"] {
			what = append(what, "its title was rewritten (the reply answered the step as it was named then)")
		}
	}
	if len(what) == 0 {
		// A record of what the room showed that names no field this
		// version knows: nothing says what changed, so say so.
		what = append(what, fmt.Sprintf("what its room showed cannot be read from the reply (%q), and the %s is now %s", e.Seen, e.TargetKind, describe(e.Now)))
	}
	return fmt.Sprintf("reply %s: %s %q changed since the reply was sent: %s",
		e.Reply, e.TargetKind, e.Target, strings.Join(what, "; "))
}

func seenFields(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// describe says a target as Seen writes it, in words: "due 2026-12-04,
// status todo". The evidence's and the title's fingerprints mean nothing
// to a seller and are left out; the date the schedule planned is named so.
func describe(seen string) string {
	var out []string
	for _, kv := range strings.Split(seen, ";") {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok || k == "ev" || k == "ti":
		case k == "planned":
			out = append(out, "planned by the schedule for "+orNone(v))
		default:
			out = append(out, k+" "+orNone(v))
		}
	}
	return strings.Join(out, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// ErrNothingToApply is matched (errors.Is) by every *NothingToApplyError.
var ErrNothingToApply = errors.New("nothing in the plan to apply")

// NothingToApplyError is a reply the plan leaves nothing to apply to: a
// step done since (anything but a question or a suggestion about it), a
// block or a confirmation of a step blocked, a new date that is the date
// the plan gives already. Apply returns it even with ApplyOptions.Force:
// the seller answers or declines the reply.
type NothingToApplyError struct {
	Reply string // the reply's id
	Msg   string // what the plan says and what to do, after "reply <id>: "
	Note  string // the same in a few words, for a listing: "done since 2026-12-07: answer or decline it"
}

// Is makes errors.Is(err, ErrNothingToApply) true.
func (e *NothingToApplyError) Is(target error) bool { return target == ErrNothingToApply }

func (e *NothingToApplyError) Error() string { return "reply " + e.Reply + ": " + e.Msg }

// ErrSuperseded is matched (errors.Is) by every *SupersededError.
var ErrSuperseded = errors.New("the person replied again on the same step")

// SupersededError is a reply its person followed with another about the
// same step (ApplyOptions.Later, see Superseded): the later one stands, and
// accepting this one would undo it. Apply returns it instead of editing
// the plan; ApplyOptions.Force applies anyway.
type SupersededError struct {
	Reply      string // the reply's id
	TargetKind string // task or milestone
	Target     string
	Later      string // the later reply's id
	LaterState string // its state (Waiting, Accepted, ...); "" is Waiting
}

// Is makes errors.Is(err, ErrSuperseded) true.
func (e *SupersededError) Is(target error) bool { return target == ErrSuperseded }

func (e *SupersededError) Error() string {
	if e.LaterState == "" || e.LaterState == Waiting {
		return fmt.Sprintf("reply %s is superseded by %s, the same person's later reply on %s %q: accept that one (maproom accept %s), and decline or answer this; or accept this one with -force to apply it anyway",
			e.Reply, e.Later, orWord(e.TargetKind, "step"), e.Target, e.Later)
	}
	return fmt.Sprintf("reply %s is superseded by %s, the same person's later reply on %s %q, which is %s: decline or answer this, or accept it with -force to apply it anyway",
		e.Reply, e.Later, orWord(e.TargetKind, "step"), e.Target, e.LaterState)
}

// ErrSameStep is matched (errors.Is) by every *SameStepError.
var ErrSameStep = errors.New("the plan has the suggested step already")

// SameStepError is a suggestion of a step whose title is a task's of the
// plan already (the same but for case and spacing, deal.TitleKey): added,
// the plan would have two steps the rooms cannot tell apart. Apply returns
// it instead of editing the plan, unless ApplyOptions.Force, or
// ApplyOptions.TaskID names the new step's id (the seller means another
// step of that title).
type SameStepError struct {
	Reply string // the reply's id
	Text  string // the suggested title
	Task  string // the id of the plan's task of that title (the first)
	Title string // that task's title as the plan writes it
	In    string // the id of its milestone
}

// Is makes errors.Is(err, ErrSameStep) true.
func (e *SameStepError) Is(target error) bool { return target == ErrSameStep }

func (e *SameStepError) Error() string {
	return fmt.Sprintf("reply %s suggests %q, and the plan has this step already: task %q (%q, in milestone %q): answer the reply (maproom answer %s \"...\"), or accept it with -task-id <id> to add another step of that title (-force: an id made from the title)",
		e.Reply, e.Text, e.Task, e.Title, e.In, e.Reply)
}

// Note is the same in a few words, for a listing.
func (e *SameStepError) Note() string {
	return "the plan has this step already: " + e.Task + "; answer it, or accept with -task-id to add another"
}

// ApplyOptions are the seller's choices when accepting a reply.
type ApplyOptions struct {
	// Force applies a reply over a conflict or over a later reply that
	// supersedes it, once the seller has read it.
	Force bool
	// Later is the id of a later reply the same person sent about the
	// same step (see Superseded), "" when none; LaterState is its state
	// ("" for Waiting).
	Later, LaterState string
	// Planned is the date the schedule gives a task without a due date of
	// its own, as its room showed it (SeenAt); nil, or a zero date: none.
	Planned func(*deal.Task) deal.Date
	// Milestone is the id of the milestone a suggested step joins; a
	// suggest cannot be accepted without it.
	Milestone string
	// TaskID is the id of a suggested step; "" makes one from its title,
	// unique in the plan (SuggestedTaskID). Given, it also adds a step
	// whose title the plan has already (see SameStepError).
	TaskID string
	// Owner is the stakeholder id who owns a suggested step; "" takes the
	// person the reply names (see SuggestedOwner).
	Owner string
	// Today is the site's day (zero: not known). A done reply dated after
	// it, which the beacon takes from a person in a time zone ahead of the
	// site's, is written as done on Today (DoneDate): the plan's dates are
	// the site's calendar, and a step done in the future would read as
	// open in the plan and done in its story.
	Today deal.Date
}

// DoneDate is the done: date accepting done reply r writes: the date it
// gives, or opts.Today when that is earlier.
func DoneDate(r Reply, opts ApplyOptions) string {
	if day, err := deal.ParseDate(r.Date); err == nil && !opts.Today.IsZero() && day.After(opts.Today) {
		return opts.Today.String()
	}
	return r.Date
}

// SuggestedOwner is who owns the step a suggest reply r adds to d: the
// buyer-side stakeholder the reply's Owner names (by id, by full name, or
// by a first name no other buyer in the plan has, case ignored), else the
// person who sent it. The form asks who owns it on the buyer's side: a
// buyer does not hand the seller's people work (the seller gives a step to
// one of them with accept -owner).
func SuggestedOwner(d *deal.Deal, r Reply) string {
	want := strings.ToLower(strings.TrimSpace(r.Owner))
	if want == "" {
		return r.Stakeholder
	}
	var first []string
	for _, s := range d.Stakeholders {
		if s.Side != deal.Buyer {
			continue
		}
		name := strings.ToLower(s.Name)
		if want == strings.ToLower(s.ID) || want == name {
			return s.ID
		}
		if f, _, _ := strings.Cut(name, " "); f == want {
			first = append(first, s.ID)
		}
	}
	if len(first) == 1 {
		return first[0]
	}
	return r.Stakeholder
}

// Apply returns plan (the bytes of content/<deal>/index.md, which d was
// loaded from) with the edit an accepted reply makes, through
// internal/planedit so that only the intended fields change:
//
//   - propose sets the task's or milestone's due to the reply's date;
//   - done sets the task's status to done and done to the reply's date (the
//     evidence stays in the record and the room's trail);
//   - blocked sets the task's status to blocked (the reason stays in the
//     record);
//   - suggest adds a task to opts.Milestone: id from opts.TaskID or the
//     title (SuggestedTaskID), the reply's text as title (no evidence: what proves it done
//     is the seller's to name with the buyer, and check asks for it),
//     opts.Owner, else the
//     person the reply names (SuggestedOwner), else the replying person as
//     owner, due the reply's date (else the milestone's), status todo;
//   - confirm changes no field: the record is the change.
//
// A question is refused (it is answered, not applied). A reply about a
// task already done (a confirmation, a new date, a done, a block), a
// confirmation or a new date of a milestone reached (every step done), a
// block or a confirmation of a task blocked, and a new date that is the
// target's due date already return a *NothingToApplyError, even with
// opts.Force. A suggestion whose title a task of the plan has already
// returns a *SameStepError, unless opts.Force or opts.TaskID. A reply
// superseded by a later one (opts.Later) returns a *SupersededError,
// unless opts.Force. Before any
// edit, a reply about a task or milestone is checked against the plan:
// when a field the reply's Seen carries differs from Seen of the target
// now (SeenAt, with opts.Planned), or the person no longer owns or leads
// it, Apply returns a *ConflictError and the plan unchanged, unless
// opts.Force. A record already accepted returns the plan
// unchanged and ErrAlreadyAccepted; a declined one is refused. Apply does
// not change rec: recording the decision is the caller's.
func Apply(plan []byte, d *deal.Deal, rec Record, opts ApplyOptions) ([]byte, error) {
	r := rec.Reply
	if rec.Accepted() {
		return plan, fmt.Errorf("reply %s: %w", r.ID, ErrAlreadyAccepted)
	}
	if rec.State() == Declined {
		return plan, fmt.Errorf("reply %s was declined: it is not applied (a new reply from the room can be)", r.ID)
	}
	if r.Deal != d.ID {
		return plan, fmt.Errorf("reply %s is about deal %q, not %q", r.ID, r.Deal, d.ID)
	}
	_, ok := d.Stakeholder(r.Stakeholder)
	if !ok {
		return plan, fmt.Errorf("reply %s: %q is no longer a stakeholder of %s: decline the reply, or add them back to the plan", r.ID, r.Stakeholder, d.ID)
	}

	kind := r.TargetKind
	task, ms := Item(d, r)
	switch {
	case task != nil:
		kind = TargetTask
	case ms != nil:
		kind = TargetMilestone
	}
	if r.Target != "" && task == nil && ms == nil {
		return plan, fmt.Errorf("reply %s: %s %q is no longer in the plan: decline or answer the reply", r.ID, orWord(r.TargetKind, "target"), r.Target)
	}

	if r.Kind == Question {
		return plan, fmt.Errorf("reply %s is a question: nothing in the plan to apply; answer it: maproom answer %s \"...\"", r.ID, r.ID)
	}
	if task != nil && task.Status == deal.Done && r.Kind != Suggest {
		// Nothing to confirm, move or mark on a step done: the reply was
		// sent before it was done, or from a stale or forged form.
		since, on := "done already", ""
		if !task.Done.IsZero() {
			since, on = "done since "+task.Done.String(), " (on "+task.Done.String()+")"
		}
		return plan, &NothingToApplyError{Reply: r.ID,
			Msg:  fmt.Sprintf("task %q is done already%s: nothing to %s; answer or decline the reply", r.Target, on, verbOf(r.Kind)),
			Note: since + ": answer or decline it"}
	}
	if ms != nil && ms.Reached() && (r.Kind == Confirm || r.Kind == Propose) {
		// A milestone reached (every step done) has no date left to
		// confirm or move: its room offers neither, and the beacon
		// refuses them (Targets.DoneAlready).
		return plan, &NothingToApplyError{Reply: r.ID,
			Msg:  fmt.Sprintf("milestone %q is reached (every step of it is done): nothing to %s; answer or decline the reply", r.Target, verbOf(r.Kind)),
			Note: "milestone reached since: answer or decline it"}
	}
	if task != nil && task.Status == deal.Blocked && (r.Kind == Blocked || r.Kind == Confirm) {
		// The plan says so already: a second block changes nothing, and
		// a blocked step's date cannot be confirmed (its room offers
		// neither); the words are an answer's to give.
		return plan, &NothingToApplyError{Reply: r.ID,
			Msg:  fmt.Sprintf("task %q is blocked already: nothing to %s; answer the reply (maproom answer %s \"...\")", r.Target, verbOf(r.Kind), r.ID),
			Note: "blocked already: nothing to " + verbOf(r.Kind) + "; answer it"}
	}
	if due := itemDue(task, ms); r.Kind == Propose && r.Date != "" && r.Date == due {
		// The plan gives the date already (it moved there since, or the
		// form was forged): a move from a date to itself is none.
		return plan, &NothingToApplyError{Reply: r.ID,
			Msg:  fmt.Sprintf("%s %q is due %s already: nothing to move; answer or decline the reply", kind, r.Target, due),
			Note: "due " + due + " already: nothing to move; answer or decline it"}
	}
	if r.Kind == Suggest {
		return addSuggested(plan, d, r, opts)
	}
	if opts.Later != "" && !opts.Force {
		return plan, &SupersededError{Reply: r.ID, TargetKind: kind, Target: r.Target, Later: opts.Later, LaterState: opts.LaterState}
	}

	// Confirm, Propose, Done, Blocked: the person's own task or milestone,
	// as the room showed it.
	if !opts.Force {
		ce := &ConflictError{Reply: r.ID, TargetKind: kind, Target: r.Target, Seen: r.Seen}
		if task != nil {
			var planned deal.Date
			if opts.Planned != nil {
				planned = opts.Planned(task)
			}
			ce.Now = SeenAt(task, planned)
			if task.Owner != r.Stakeholder {
				ce.Owner = task.Owner
			}
		} else {
			ce.Now = SeenMilestone(ms)
			if ms.Lead != r.Stakeholder {
				ce.Owner = ms.Lead
			}
		}
		if ce.Owner != "" || changedSince(ce.Seen, ce.Now) {
			return plan, ce
		}
	}
	var f []planedit.Field
	switch r.Kind {
	case Confirm:
		return plan, nil
	case Propose:
		f = []planedit.Field{{Key: "due", Value: r.Date}}
	case Done:
		f = []planedit.Field{{Key: "status", Value: string(deal.Done)}, {Key: "done", Value: DoneDate(r, opts)}}
	case Blocked:
		f = []planedit.Field{{Key: "status", Value: string(deal.Blocked)}}
	default:
		return plan, fmt.Errorf("reply %s: kind %q cannot be applied", r.ID, r.Kind)
	}
	var out []byte
	var err error
	if task != nil {
		out, err = planedit.SetTask(plan, task.ID, f...)
	} else {
		if r.Kind == Done || r.Kind == Blocked {
			return plan, fmt.Errorf("reply %s: a milestone has no status: mark its tasks %s instead", r.ID, r.Kind)
		}
		out, err = planedit.SetMilestone(plan, ms.ID, f...)
	}
	if err != nil {
		return plan, fmt.Errorf("reply %s: %w", r.ID, err)
	}
	return out, nil
}

// SuggestedTaskID is the id of the task a suggest reply r adds to d when
// accepted with opts: opts.TaskID, else one made from its title, unique in
// the plan ("order-form-signed-2" when "order-form-signed" is taken). The
// caller records it with the decision (Decision.Task).
func SuggestedTaskID(d *deal.Deal, r Reply, opts ApplyOptions) string {
	if opts.TaskID != "" {
		return opts.TaskID
	}
	return uniqueID(d, slug(r.Text))
}

func addSuggested(plan []byte, d *deal.Deal, r Reply, opts ApplyOptions) ([]byte, error) {
	// A step the plan has already, by its title: the buyer did not see
	// it, or another buyer's suggestion of it was accepted first. A
	// second step of that title is the seller's to mean.
	if t, ok := d.TaskTitled(r.Text); ok && !opts.Force && opts.TaskID == "" {
		return plan, &SameStepError{Reply: r.ID, Text: r.Text, Task: t.ID, Title: t.Title, In: t.Milestone}
	}
	var ids []string
	for i := range d.Milestones {
		ids = append(ids, d.Milestones[i].ID)
	}
	if opts.Milestone == "" {
		return plan, fmt.Errorf("reply %s suggests %q: say which milestone it joins with -milestone <id> (one of %s)", r.ID, r.Text, strings.Join(ids, ", "))
	}
	ms, ok := d.Milestone(opts.Milestone)
	if !ok {
		return plan, fmt.Errorf("reply %s: no milestone %q: use one of %s", r.ID, opts.Milestone, strings.Join(ids, ", "))
	}
	id := SuggestedTaskID(d, r, opts)
	if opts.TaskID != "" && taken(d, id) {
		return plan, fmt.Errorf("reply %s: id %q is a step's or a milestone's of the plan already: choose another", r.ID, id)
	}
	owner := SuggestedOwner(d, r)
	if opts.Owner != "" {
		if _, ok := d.Stakeholder(opts.Owner); !ok {
			var ss []string
			for _, s := range d.Stakeholders {
				ss = append(ss, s.ID)
			}
			return plan, fmt.Errorf("reply %s: -owner %q is not a stakeholder of the deal: use one of %s", r.ID, opts.Owner, strings.Join(ss, ", "))
		}
		owner = opts.Owner
	}
	due := r.Date
	if due == "" {
		due = ms.Due.String()
	}
	if due == "" {
		return plan, fmt.Errorf("reply %s gives no date and milestone %q has none: set the milestone's due date first", r.ID, ms.ID)
	}
	out, err := planedit.AddTask(plan, ms.ID,
		planedit.Field{Key: "id", Value: id},
		planedit.Field{Key: "title", Value: r.Text},
		planedit.Field{Key: "owner", Value: owner},
		planedit.Field{Key: "due", Value: due},
		planedit.Field{Key: "status", Value: string(deal.Todo)},
	)
	if err != nil {
		return plan, fmt.Errorf("reply %s: %w", r.ID, err)
	}
	return out, nil
}

// itemDue is the due date a task or milestone has of its own, "" when
// unset or when both are nil.
func itemDue(t *deal.Task, m *deal.Milestone) string {
	switch {
	case t != nil:
		return t.Due.String()
	case m != nil:
		return m.Due.String()
	}
	return ""
}

// verbOf says what a reply of kind k would do to its step.
func verbOf(k Kind) string {
	switch k {
	case Confirm:
		return "confirm"
	case Propose:
		return "move"
	case Blocked:
		return "block"
	}
	return "apply"
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

// taken reports whether a task or a milestone of d has id: a step added
// with a milestone's id would make replies about either ambiguous.
func taken(d *deal.Deal, id string) bool {
	if _, ok := d.Task(id); ok {
		return true
	}
	_, ok := d.Milestone(id)
	return ok
}

// slug makes a task id from a title: lowercase letters and digits, runs of
// anything else as one hyphen, at most 48 characters; "step" when nothing
// is left.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if b.Len() >= 48 {
			break
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if out := strings.Trim(b.String(), "-"); out != "" {
		return out
	}
	return "step"
}

func uniqueID(d *deal.Deal, base string) string {
	id := base
	for n := 2; taken(d, id); n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}
