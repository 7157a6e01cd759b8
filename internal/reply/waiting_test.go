package reply

import (
	"reflect"
	"testing"
	"time"
)

func TestWaitingReplies(t *testing.T) {
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	propose := Reply{ID: "aaaaaaaaaa", Time: at(1), Deal: "acme", Stakeholder: "jordan", Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "queue"}
	question := Reply{ID: "bbbbbbbbbb", Time: at(2), Deal: "acme", Stakeholder: "marcus", Kind: Question, TargetKind: TargetPlan, Text: "Who signs?"}
	confirm := Reply{ID: "cccccccccc", Time: at(3), Deal: "globex", Stakeholder: "nadia", Kind: Confirm, Target: "dpa", TargetKind: TargetTask}
	// Two replies sent at the same instant come in id order.
	blocked := Reply{ID: "dddddddddd", Time: at(3), Deal: "acme", Stakeholder: "jordan", Kind: Blocked, Target: "sq", TargetKind: TargetTask, Reason: "legal"}
	declined := Reply{ID: "eeeeeeeeee", Time: at(0), Deal: "acme", Stakeholder: "jordan", Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-11-30"}

	// The record's copy of a reply is what was decided on: the source's
	// copy of an accepted reply does not make it wait again.
	accepted := Record{Reply: propose, Decisions: []Decision{{State: Accepted, Time: at(4), By: "Sam Lee"}}}
	sourceCopy := propose
	sourceCopy.Date = "2027-01-01"
	answered := Record{Reply: question, Decisions: []Decision{{State: Answered, Time: at(5), Answer: "Priya."}}}
	recordedOnly := Record{Reply: declined, Decisions: []Decision{{State: Declined, Time: at(1), Why: "no"}}}
	// A record without a decision (written by hand, say) still waits.
	undecided := Record{Reply: blocked}

	sent := []Reply{confirm, sourceCopy, question, blocked, confirm}
	records := []Record{answered, accepted, recordedOnly, undecided}

	got := WaitingReplies(sent, records)
	if want := []Reply{confirm, blocked}; !reflect.DeepEqual(got, want) {
		t.Errorf("WaitingReplies:\n got %+v\nwant %+v", got, want)
	}
	all := Join(sent, records)
	var ids, states []string
	for _, rec := range all {
		ids = append(ids, rec.Reply.ID)
		states = append(states, rec.State())
	}
	if want := []string{"eeeeeeeeee", "aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Join ids = %v, want %v (oldest first, then by id, each once)", ids, want)
	}
	if want := []string{Declined, Accepted, Answered, Waiting, Waiting}; !reflect.DeepEqual(states, want) {
		t.Errorf("Join states = %v, want %v", states, want)
	}
	if all[1].Reply.Date != "2026-12-01" {
		t.Errorf("Join took the source's copy of a recorded reply: date %s, want the record's 2026-12-01", all[1].Reply.Date)
	}
	if sent[1].Date != "2027-01-01" || len(records[1].Decisions) != 1 {
		t.Error("Join modified its arguments")
	}
	if got := WaitingReplies(nil, nil); got != nil {
		t.Errorf("WaitingReplies of nothing = %v, want nil", got)
	}
	if got := WaitingReplies(nil, []Record{accepted}); got != nil {
		t.Errorf("WaitingReplies of a decided record = %v, want nil", got)
	}
}

// TestRepeatedReplyOnce: a form sent twice (a double click, a reload)
// waits once; the same words sent again later, or by someone else, or to
// another date, are replies of their own; a repeat already decided stays
// on record.
func TestRepeatedReplyOnce(t *testing.T) {
	first := Reply{ID: "aaaaaaaaaa", Time: now, Deal: "acme", Stakeholder: "jordan", Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "queue"}
	again := first
	again.ID, again.Time = "bbbbbbbbbb", now.Add(4*time.Second)
	later := first
	later.ID, later.Time = "cccccccccc", now.Add(2*time.Hour)
	other := first
	other.ID, other.Time, other.Stakeholder = "dddddddddd", now.Add(5*time.Second), "marcus"
	moved := first
	moved.ID, moved.Time, moved.Date = "eeeeeeeeee", now.Add(6*time.Second), "2026-12-02"

	var ids []string
	for _, r := range WaitingReplies([]Reply{again, first, later, other, moved}, nil) {
		ids = append(ids, r.ID)
	}
	if want := []string{"aaaaaaaaaa", "dddddddddd", "eeeeeeeeee", "cccccccccc"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("waiting %v, want %v: the repeat bbbbbbbbbb once, the rest each", ids, want)
	}

	// A, then B on the same step, then A again within the window: a change
	// of mind back to A, their last word, not a double click.
	back := first
	back.ID, back.Time = "gggggggggg", now.Add(8*time.Second)
	ids = nil
	for _, r := range WaitingReplies([]Reply{first, moved, back}, nil) {
		ids = append(ids, r.ID)
	}
	if want := []string{"aaaaaaaaaa", "eeeeeeeeee", "gggggggggg"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("A, B, A again: waiting %v, want %v", ids, want)
	}

	decided := Record{Reply: again, Decisions: []Decision{{State: Declined, Time: now.Add(time.Hour), Why: "asked twice"}}}
	ids = nil
	for _, rec := range Join([]Reply{first, again}, []Record{decided}) {
		ids = append(ids, rec.Reply.ID)
	}
	if want := []string{"aaaaaaaaaa", "bbbbbbbbbb"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("joined %v, want %v: a decided repeat stays on record", ids, want)
	}

	// The seller declines the first within a minute; the buyer sends the
	// same words again five minutes after it: a reply of its own, which
	// waits. A repeat sent before the decline is covered by it.
	declined := Record{Reply: first, Decisions: []Decision{{State: Declined, Time: now.Add(time.Minute), Why: "we need it sooner"}}}
	insists := first
	insists.ID, insists.Time = "ffffffffff", now.Add(6*time.Minute)
	ids = nil
	for _, r := range WaitingReplies([]Reply{first, again, insists}, []Record{declined}) {
		ids = append(ids, r.ID)
	}
	if want := []string{"ffffffffff"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("after a decline: waiting %v, want %v: the double click is covered by the decline, the reply sent after it waits", ids, want)
	}
}

// TestLastBlocked: the reason a task is blocked is the latest accepted
// blocked reply about it; a declined one, or one about another task, is
// not.
func TestLastBlocked(t *testing.T) {
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	blocked := func(id, target, reason string, h int, state string) Record {
		return Record{Reply: Reply{ID: id, Time: at(h), Kind: Blocked, Target: target, Reason: reason}, Decisions: []Decision{{State: state, Time: at(h + 1)}}}
	}
	recs := []Record{
		blocked("aaaaaaaaaa", "sq", "Legal queue", 1, Accepted),
		blocked("bbbbbbbbbb", "sq", "Still the legal queue", 5, Accepted),
		blocked("cccccccccc", "sq", "Declined one", 9, Declined),
		blocked("dddddddddd", "other", "Another task", 12, Accepted),
	}
	if r, ok := LastBlocked(recs, "sq"); !ok || r.ID != "bbbbbbbbbb" {
		t.Errorf("LastBlocked = %s %v, want bbbbbbbbbb", r.ID, ok)
	}
	if _, ok := LastBlocked(recs, "none"); ok {
		t.Error("a task nobody marked blocked has a reason")
	}
}

// TestSuperseded: a change a person sent again on the same step stands in
// its latest reply; questions and suggestions supersede nothing, and
// another person's reply or another step is another matter.
func TestSuperseded(t *testing.T) {
	rs := []Reply{
		{ID: "a1", Deal: "d", Stakeholder: "ann", Kind: Propose, Target: "t1"},
		{ID: "b1", Deal: "d", Stakeholder: "bob", Kind: Propose, Target: "t1"},
		{ID: "a2", Deal: "d", Stakeholder: "ann", Kind: Question, Target: "t1"},
		{ID: "a3", Deal: "d", Stakeholder: "ann", Kind: Done, Target: "t1"},
		{ID: "a4", Deal: "d", Stakeholder: "ann", Kind: Confirm, Target: "t2"},
		// the seller clicking in Ann's room, in the preview: theirs apart
		{ID: "p1", Deal: "d", Stakeholder: "ann", Kind: Propose, Target: "t1", Preview: true},
		{ID: "p2", Deal: "d", Stakeholder: "ann", Kind: Confirm, Target: "t1", Preview: true},
	}
	got := Superseded(rs)
	if len(got) != 2 || got["a1"] != "a3" || got["p1"] != "p2" {
		t.Errorf("superseded %v, want a1 by a3 and p1 by p2 only: a preview click supersedes no reply of Ann's", got)
	}
}
