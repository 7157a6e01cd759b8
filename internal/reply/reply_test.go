package reply

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 10, 15, 4, 5, 0, time.UTC)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestParse(t *testing.T) {
	long := strings.Repeat("é", MaxText+1)
	tests := []struct {
		name  string
		form  url.Values
		want  Reply  // when ok
		field string // the first bad field, when not ok
		msg   string // part of the error
	}{
		{name: "confirm", form: form("t", "tok", "kind", "confirm", "target", "security-questionnaire", "seen", "due=2026-11-20;status=todo"),
			want: Reply{Kind: Confirm, Target: "security-questionnaire", Seen: "due=2026-11-20;status=todo"}},
		{name: "confirm of a milestone", form: form("kind", "confirm", "target", "tech-eval", "target_kind", "milestone", "seen", "due=2026-12-04"),
			want: Reply{Kind: Confirm, Target: "tech-eval", TargetKind: TargetMilestone, Seen: "due=2026-12-04"}},
		{name: "propose", form: form("kind", "propose", "target", "sq", "date", "2026-12-01", "reason", " InfoSec queue\r\nis long "),
			want: Reply{Kind: Propose, Target: "sq", Date: "2026-12-01", Reason: "InfoSec queue\nis long"}},
		{name: "done with a link", form: form("kind", "done", "target", "sq", "date", "2026-11-10", "evidence", "https://acme.example/q.pdf"),
			want: Reply{Kind: Done, Target: "sq", Date: "2026-11-10", Evidence: "https://acme.example/q.pdf"}},
		{name: "done with text that has a colon", form: form("kind", "done", "target", "sq", "date", "2026-11-09", "evidence", "Note: stamped by InfoSec"),
			want: Reply{Kind: Done, Target: "sq", Date: "2026-11-09", Evidence: "Note: stamped by InfoSec"}},
		{name: "done tomorrow (a time zone ahead)", form: form("kind", "done", "target", "sq", "date", "2026-11-11", "evidence", "sent"),
			want: Reply{Kind: Done, Target: "sq", Date: "2026-11-11", Evidence: "sent"}},
		{name: "blocked", form: form("kind", "blocked", "target", "sq", "reason", "waiting on legal"),
			want: Reply{Kind: Blocked, Target: "sq", Reason: "waiting on legal"}},
		{name: "question on the plan", form: form("kind", "question", "text", "Who signs?"),
			want: Reply{Kind: Question, TargetKind: TargetPlan, Text: "Who signs?"}},
		{name: "question on a task", form: form("kind", "question", "target", "sq", "text", "Which version?"),
			want: Reply{Kind: Question, Target: "sq", Text: "Which version?"}},
		{name: "suggest", form: form("kind", "suggest", "text", "Procurement review", "owner", "Priya (procurement)", "date", "2027-01-10"),
			want: Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Procurement review", Owner: "Priya (procurement)", Date: "2027-01-10"}},
		{name: "empty fields of other kinds are ignored", form: form("kind", "blocked", "target", "sq", "reason", "r", "date", "", "evidence", "  ", "text", ""),
			want: Reply{Kind: Blocked, Target: "sq", Reason: "r"}},
		{name: "pasted text: tabs, a zero-width space, a byte order mark", form: form("kind", "propose", "target", "sq", "date", "2026-12-01", "reason", "\uFEFFQueue:\tlong,\u2028see https://exa\u200Bmple.com"),
			want: Reply{Kind: Propose, Target: "sq", Date: "2026-12-01", Reason: "Queue: long,\nsee https://example.com"}},
		{name: "date bounds inclusive", form: form("kind", "propose", "target", "sq", "date", "2029-11-10", "reason", "r"),
			want: Reply{Kind: Propose, Target: "sq", Date: "2029-11-10", Reason: "r"}},

		// Words typed under another kind, then the kind changed: refused,
		// naming the kinds that take them, not dropped unseen.
		{name: "a reason with a confirmation", form: form("kind", "confirm", "target", "sq", "reason", "FYI the board meets"), field: "reason",
			msg: `"Confirm the date" does not take it, so it would be lost: clear it, or choose "Propose another date" or "Blocked"`},
		{name: "evidence with a proposal", form: form("kind", "propose", "target", "sq", "date", "2026-12-01", "evidence", "signed PDF"), field: "evidence",
			msg: `"Propose another date" does not take it, so it would be lost: clear it, or choose "Mark done"`},
		{name: "a date with a block", form: form("kind", "blocked", "target", "sq", "reason", "r", "date", "2027-03-01"), field: "date",
			msg: `"Blocked" does not take it, so it would be lost: clear it, or choose "Propose another date" or "Mark done"`},
		{name: "a reason with a milestone's confirmation", form: form("kind", "confirm", "target", "sq", "target_kind", "milestone", "reason", "FYI"), field: "reason",
			msg: `"Confirm the date" does not take it, so it would be lost: clear it, or choose "Propose another date"`},
		{name: "unknown kind", form: form("kind", "delete", "target", "sq"), field: "kind", msg: "use confirm, propose"},
		{name: "no kind", form: form("target", "sq"), field: "kind"},
		{name: "kind twice", form: form("kind", "confirm", "kind", "done", "target", "sq"), field: "kind", msg: "send one value"},
		{name: "confirm without target", form: form("kind", "confirm"), field: "target", msg: "name one"},
		{name: "bad target id", form: form("kind", "confirm", "target", "../x"), field: "target", msg: "not a task or milestone id"},
		{name: "bad target kind", form: form("kind", "confirm", "target", "sq", "target_kind", "deal"), field: "target_kind"},
		{name: "done on a milestone", form: form("kind", "done", "target", "m", "target_kind", "milestone", "date", "2026-11-10", "evidence", "e"), field: "target", msg: "mark its tasks"},
		{name: "suggest on a task", form: form("kind", "suggest", "target", "sq", "text", "x"), field: "target", msg: "leave the target empty"},
		{name: "propose without date", form: form("kind", "propose", "target", "sq", "reason", "r"), field: "date", msg: "YYYY-MM-DD"},
		{name: "propose without reason", form: form("kind", "propose", "target", "sq", "date", "2026-12-01"), field: "reason", msg: "say why"},
		{name: "date not a day", form: form("kind", "propose", "target", "sq", "date", "2026-02-30", "reason", "r"), field: "date", msg: "not a day"},
		{name: "date not padded", form: form("kind", "propose", "target", "sq", "date", "2026-1-2", "reason", "r"), field: "date", msg: "not a day"},
		{name: "date too far", form: form("kind", "propose", "target", "sq", "date", "2029-11-11", "reason", "r"), field: "date", msg: "up to 2029-11-10"},
		{name: "date too old", form: form("kind", "propose", "target", "sq", "date", "2025-11-09", "reason", "r"), field: "date", msg: "from 2025-11-10 on"},
		{name: "propose in the past", form: form("kind", "propose", "target", "sq", "date", "2026-11-08", "reason", "r"), field: "date", msg: "2026-11-08 is in the past: give a day from 2026-11-10 on"},
		{name: "suggest in the past", form: form("kind", "suggest", "text", "Security review", "date", "2026-11-01"), field: "date", msg: "in the past"},
		// Said with a problem of its text: both at once.
		{name: "propose in the past with a placeholder", form: form("kind", "propose", "target", "sq", "date", "2026-11-08", "reason", "[[why]]"), field: "reason", msg: "2026-11-08 is in the past"},
		{name: "done in the future", form: form("kind", "done", "target", "sq", "date", "2026-11-12", "evidence", "e"), field: "date", msg: "in the future"},
		{name: "done without evidence", form: form("kind", "done", "target", "sq", "date", "2026-11-10"), field: "evidence", msg: "missing"},
		{name: "javascript link", form: form("kind", "done", "target", "sq", "date", "2026-11-10", "evidence", "javascript:alert(1)"), field: "evidence", msg: "https://"},
		{name: "link without host", form: form("kind", "done", "target", "sq", "date", "2026-11-10", "evidence", "https:/x"), field: "evidence", msg: "name a host"},
		{name: "text too long", form: form("kind", "question", "text", long), field: "text", msg: "at most 1000"},
		{name: "control character", form: form("kind", "question", "text", "a\x1bb"), field: "text", msg: "control character"},
		{name: "a right-to-left override", form: form("kind", "question", "text", "price \u202Eok"), field: "text", msg: "direction-changing character (U+202E)"},
		{name: "a zero-width joiner", form: form("kind", "question", "text", "pri\u200Dce"), field: "text", msg: "invisible"},
		{name: "a zero-width joiner at the end", form: form("kind", "question", "text", "price\u200D"), field: "text", msg: "invisible"},
		{name: "invalid utf-8", form: form("kind", "question", "text", "a\xffb"), field: "text", msg: "UTF-8"},
		{name: "suggest title on two lines", form: form("kind", "suggest", "text", "a\nb"), field: "text", msg: "one line"},
		{name: "owner too long", form: form("kind", "suggest", "text", "x", "owner", strings.Repeat("o", MaxOwner+1)), field: "owner", msg: "at most 100"},
		{name: "seen not ascii", form: form("kind", "confirm", "target", "sq", "seen", "due=é"), field: "seen", msg: "reload"},
		{name: "question without text", form: form("kind", "question"), field: "text", msg: "write the question"},
		{name: "a placeholder in a suggestion", form: form("kind", "suggest", "text", "DPA review [[owner]]"), field: "text", msg: "[[owner]]"},
		{name: "a placeholder in a suggestion's owner", form: form("kind", "suggest", "text", "DPA review", "owner", "[[who]]"), field: "owner", msg: "[[who]]"},
		{name: "a placeholder in a question", form: form("kind", "question", "text", "When is [[TBD]] due?"), field: "text", msg: "[[TBD]]"},
		{name: "a placeholder in a reason", form: form("kind", "blocked", "target", "sq", "reason", "waiting on\n[[team]]"), field: "reason", msg: "[[team]]"},
		{name: "a placeholder in evidence", form: form("kind", "done", "target", "sq", "date", "2026-11-10", "evidence", "[[link]]"), field: "evidence", msg: "[[link]]"},
		{name: "a suggestion of dashes", form: form("kind", "suggest", "text", "---"), field: "text", msg: "no letter or digit"},
		{name: "a suggestion of dots", form: form("kind", "suggest", "text", "..."), field: "text", msg: "no letter or digit"},
		{name: "a suggestion of one CJK word", form: form("kind", "suggest", "text", "法务审查"),
			want: Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "法务审查"}},
		{name: "brackets that are no placeholder", form: form("kind", "question", "text", "Is [the DPA] signed? [[see above"),
			want: Reply{Kind: Question, TargetKind: TargetPlan, Text: "Is [the DPA] signed? [[see above"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.form, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				tt.want.Time = now
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("Parse:\n got %+v\nwant %+v", got, tt.want)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse = %+v, %v; want a field error on %s", got, err, tt.field)
			}
			if fe.Field != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Parse error %q (field %s); want field %s saying %q", err, fe.Field, tt.field, tt.msg)
			}
		})
	}
}

func TestValidateRefusesFieldsOfOtherKinds(t *testing.T) {
	r := Reply{Kind: Blocked, Target: "sq", Reason: "r", Date: "2026-11-10"}
	err := r.Validate(now)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "date" {
		t.Fatalf("Validate = %v; want a field error on date", err)
	}
}

func TestEvidenceLink(t *testing.T) {
	for in, want := range map[string]bool{
		"https://acme.example/q.pdf": true,
		"http://acme.example":        true,
		"HTTPS://acme.example/x":     true,
		"javascript:alert(1)":        false,
		"https://user@acme.example":  false,
		"see https://acme.example":   false, // text
		"ftp://acme.example/x":       false,
	} {
		if _, got := EvidenceLink(in); got != want {
			t.Errorf("EvidenceLink(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNewID(t *testing.T) {
	a := NewID(bytes.NewReader([]byte{0, 0, 0, 0, 0, 0, 0}))
	if a != "aaaaaaaaaa" {
		t.Errorf("NewID(zeros) = %q", a)
	}
	b := NewID(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
	if b != "7777777777" {
		t.Errorf("NewID(ones) = %q", b)
	}
	c := NewID(bytes.NewReader([]byte("maproom")))
	if !ValidID(c) || c == a || c == b {
		t.Errorf("NewID(maproom) = %q", c)
	}
	for _, bad := range []string{"", "aaaaaaaaa", "aaaaaaaaaaa", "AAAAAAAAAA", "aaaaaaaaa1", "../aaaaaaa"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("NewID of a short reader did not panic")
		}
	}()
	NewID(strings.NewReader("abc"))
}

// FuzzParse: Parse never panics; a reply it accepts validates again, and
// survives a JSON round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add("confirm", "security-questionnaire", "", "", "", "", "", "", "due=2026-11-20;status=todo")
	f.Add("propose", "sq", "task", "2026-12-01", "InfoSec queue\r\nis long", "", "", "", "")
	f.Add("done", "sq", "", "2026-11-10", "", "https://acme.example/q.pdf", "", "", "")
	f.Add("blocked", "sq", "", "", "legal", "", "", "", "")
	f.Add("question", "", "", "", "", "", "Who signs? ☃", "", "")
	f.Add("suggest", "", "", "2027-01-10", "", "", "Procurement review", "Priya", "")
	f.Add("done", "m", "milestone", "2026-11-10", "", "javascript:x", "", "", "")
	f.Fuzz(func(t *testing.T, kind, target, targetKind, date, reason, evidence, text, owner, seen string) {
		v := form("kind", kind, "target", target, "target_kind", targetKind, "date", date, "reason", reason,
			"evidence", evidence, "text", text, "owner", owner, "seen", seen)
		r, err := Parse(v, now)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error %v is not a *FieldError", err)
			}
			return
		}
		if err := r.Validate(now); err != nil {
			t.Fatalf("Parse accepted %+v but Validate says %v", r, err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Reply
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("JSON round trip:\n got %+v\nwant %+v", back, r)
		}
	})
}

// TestConfirmIsOfTheDateShown: a confirmation with another date than the
// room showed is refused with what to do (that is a proposal), and so is
// a confirmation of a date gone by; the date shown, or none, is taken.
func TestConfirmIsOfTheDateShown(t *testing.T) {
	form := func(date, due string) url.Values {
		v := url.Values{"kind": {"confirm"}, "target": {"sq"}, "target_kind": {"task"}, "seen": {"due=" + due + ";status=todo"}}
		if date != "" {
			v.Set("date", date)
		}
		return v
	}
	for _, c := range []struct {
		date, due, field string
	}{
		{"", "2026-11-20", ""},
		{"2026-11-20", "2026-11-20", ""},
		{"2026-12-20", "2026-11-20", "date"},
		{"", "2026-11-01", "kind"},
		{"", "2026-11-09", ""}, // yesterday: a day of grace for time zones
	} {
		_, err := Parse(form(c.date, c.due), now)
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("confirm %q of %s: %v, want it taken", c.date, c.due, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("confirm %q of %s: %v, want a refusal on %s", c.date, c.due, err, c.field)
		}
	}
}

// TestConfirmGoneByWithoutSeen: the rules on a confirmation that need no
// record of what the room showed hold without one: a date gone by cannot
// be confirmed, whether or not seen is sent (a form from an older page,
// or not from a room).
func TestConfirmGoneByWithoutSeen(t *testing.T) {
	for _, c := range []struct {
		name string
		form url.Values
		ok   bool
	}{
		{"a date gone by, no seen", form("kind", "confirm", "target", "sq", "target_kind", "task", "date", "2026-11-01"), false},
		{"a date gone by, seen without a due", form("kind", "confirm", "target", "sq", "target_kind", "task", "date", "2026-11-01", "seen", "status=todo"), false},
		{"a milestone's date gone by, no seen", form("kind", "confirm", "target", "tech-eval", "target_kind", "milestone", "date", "2026-11-01"), false},
		{"yesterday, no seen (a day of grace)", form("kind", "confirm", "target", "sq", "target_kind", "task", "date", "2026-11-09"), true},
		{"a date ahead, no seen", form("kind", "confirm", "target", "sq", "target_kind", "task", "date", "2026-12-01"), true},
		{"no date, no seen", form("kind", "confirm", "target", "sq", "target_kind", "task"), true},
	} {
		_, err := Parse(c.form, now)
		var fe *FieldError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v, want it taken", c.name, err)
		case !c.ok && (!errors.As(err, &fe) || fe.Field != "date" || !strings.Contains(fe.Msg, "cannot be confirmed")):
			t.Errorf("%s: %v, want the date refused as gone by", c.name, err)
		}
	}
}

// TestConfirmMilestoneGoneBy: a milestone's date gone by cannot be
// confirmed, and the refusal does not ask to mark done what has no status.
func TestConfirmMilestoneGoneBy(t *testing.T) {
	v := url.Values{"kind": {"confirm"}, "target": {"security"}, "target_kind": {"milestone"}, "seen": {"due=2026-11-01"}}
	_, err := Parse(v, now)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "kind" || !strings.Contains(fe.Msg, "the milestone was due 2026-11-01") || strings.Contains(fe.Msg, "mark it done") {
		t.Errorf("confirm of a milestone due 2026-11-01: %v, want it refused as a milestone's date gone by", err)
	}
}

// TestNoReplyOnAStepShownDone: a step its room showed done takes no
// confirmation, new date, done or block (a stale or forged form); a
// question about it still goes.
func TestNoReplyOnAStepShownDone(t *testing.T) {
	for kind, extra := range map[Kind]url.Values{
		Confirm:  {},
		Propose:  {"date": {"2026-12-01"}, "reason": {"later"}},
		Done:     {"date": {"2026-11-10"}, "evidence": {"signed"}},
		Blocked:  {"reason": {"stuck"}},
		Question: {"text": {"Who signs it?"}},
	} {
		v := url.Values{"kind": {string(kind)}, "target": {"sq"}, "target_kind": {"task"}, "seen": {"due=2026-11-20;status=done"}}
		for k, vs := range extra {
			v[k] = vs
		}
		_, err := Parse(v, now)
		var fe *FieldError
		if kind == Question {
			if err != nil {
				t.Errorf("a question about a step done: %v, want it taken", err)
			}
			continue
		}
		if !errors.As(err, &fe) || fe.Field != "kind" || !strings.Contains(fe.Msg, "done already") {
			t.Errorf("%s on a step shown done: %v, want a refusal that says it is done", kind, err)
		}
	}
}

// TestNoConfirmationOfABlockedStep: a step its room showed blocked takes
// no confirmation of its date and no second block (the room offers
// neither): a new date, a done or a question still go.
func TestNoConfirmationOfABlockedStep(t *testing.T) {
	form := func(kind Kind, extra url.Values) url.Values {
		v := url.Values{"kind": {string(kind)}, "target": {"sq"}, "target_kind": {"task"}, "seen": {"due=2026-11-20;status=blocked"}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	var fe *FieldError
	if _, err := Parse(form(Confirm, nil), now); !errors.As(err, &fe) || fe.Field != "kind" || !strings.Contains(fe.Msg, "blocked") {
		t.Errorf("a confirmation of a blocked step: %v, want a refusal that says it is blocked", err)
	}
	if _, err := Parse(form(Blocked, url.Values{"reason": {"still stuck"}}), now); !errors.As(err, &fe) || fe.Field != "kind" || !strings.Contains(fe.Msg, "blocked already") {
		t.Errorf("a second block of a blocked step: %v, want a refusal that says it is blocked already", err)
	}
	if _, err := Parse(form(Propose, url.Values{"date": {"2026-12-01"}, "reason": {"counsel back"}}), now); err != nil {
		t.Errorf("a new date for a blocked step: %v, want it taken", err)
	}
}

// TestDoneKeepsTheReason: the room's form has one reason field for every
// kind; what a buyer writes there with a done is kept beside its evidence
// (a link stays a link), not dropped.
func TestDoneKeepsTheReason(t *testing.T) {
	for _, c := range []struct{ evidence, reason string }{
		{"Files in the shared folder", "after the DPO's sign-off"},
		{"https://acme.example/signed.pdf", "countersigned on Friday"},
		{"Files in the shared folder", ""},
	} {
		v := url.Values{"kind": {"done"}, "target": {"sq"}, "target_kind": {"task"}, "date": {"2026-11-09"}, "seen": {"due=2026-11-20;status=todo"}, "evidence": {c.evidence}}
		if c.reason != "" {
			v.Set("reason", c.reason)
		}
		r, err := Parse(v, now)
		if err != nil || r.Evidence != c.evidence || r.Reason != c.reason {
			t.Errorf("done with evidence %q and reason %q: %+v, %v", c.evidence, c.reason, r, err)
		}
	}
}

// TestProposeTheDateShown: a new date that is the one the room showed (the
// step's due, else the date its schedule planned) moves nothing: it is
// refused with a word to confirm instead (or, for a blocked step, which
// takes no confirmation, to ask). Any other date goes.
func TestProposeTheDateShown(t *testing.T) {
	for _, c := range []struct {
		seen, date string
		want       string // in the refusal on date; "" when taken
	}{
		{"due=2026-11-20;status=todo", "2026-11-20", "the date the plan gives already: confirm it instead"},
		{"due=2026-12-04", "2026-12-04", "confirm it instead"}, // a milestone
		{"due=;status=todo;planned=2026-11-24", "2026-11-24", "confirm it instead"},
		{"due=2026-11-20;status=blocked", "2026-11-20", "ask a question"},
		{"due=2026-11-20;status=todo", "2026-11-21", ""},
		{"due=;status=todo;planned=2026-11-24", "2026-11-25", ""},
		{"due=;status=todo", "2026-11-25", ""},
		{"", "2026-11-25", ""}, // a form that carried nothing
	} {
		v := form("kind", "propose", "target", "sq", "target_kind", "task", "seen", c.seen, "date", c.date, "reason", "a reason")
		_, err := Parse(v, now)
		var fe *FieldError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("propose %s, seen %q: %v, want it taken", c.date, c.seen, err)
		case c.want != "" && (!errors.As(err, &fe) || fe.Field != "date" || !strings.Contains(fe.Msg, c.want)):
			t.Errorf("propose %s, seen %q: %v, want a refusal on date saying %q", c.date, c.seen, err, c.want)
		}
	}
}

// TestBadCharKeepsJoinedWriting: a zero-width joiner or non-joiner that is
// part of how text is written (an emoji sequence, Persian's spelling, an
// Indic conjunct) is no hidden character; between Latin letters, or alone
// at an end, it is.
func TestBadCharKeepsJoinedWriting(t *testing.T) {
	for v, bad := range map[string]bool{
		"👩\u200D💻 pairing session": false,
		"می\u200Cشوند":             false,
		"क्\u200Dष":                false,
		"❤\uFE0F\u200D🔥":           false,
		"pri\u200Dce":              true,
		"pri\u200Cce":              true,
		"\u200Dprice":              true,
		"a\u200Bb":                 true,
		"left\u202Eright":          true,
		"ന്\u200D ok":              false, // a Malayalam chillu, at a word's end
		"р\u200Dау":                true,  // Cyrillic spells without them
		"a\u0301\u200D\u0301b":     true,
		"$\u200D$":                 true,
	} {
		if got := BadChar(v, false) != ""; got != bad {
			t.Errorf("BadChar(%q) bad %v, want %v", v, got, bad)
		}
	}
}
