package reply

import (
	"errors"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

const plan = `---
title: "Northwind for Acme"
stakeholders:
  - {id: jordan, name: Jordan Park, side: buyer, role: technical-evaluator, email: jordan@acme.example}
  - {id: sam, name: Sam Lee, side: seller, role: account-executive}
  - {id: lena, name: Lena Ford, side: buyer, role: legal}
milestones:
  - id: tech-eval
    title: Technical evaluation passed
    due: 2026-12-04   # the decision
    lead: jordan
    evidence: Report
    tasks:
      - id: sq
        title: Security questionnaire returned
        owner: jordan
        due: 2026-11-20
        status: todo
        evidence: Stamped questionnaire
      - {id: demo, title: Demo, owner: sam, due: 2026-11-18, status: in-progress, evidence: Recording}
---
Welcome.
`

// planDeal is plan as the loader reads it.
func planDeal() *deal.Deal {
	return &deal.Deal{
		ID: "acme",
		Stakeholders: []deal.Stakeholder{
			{ID: "jordan", Name: "Jordan Park", Side: deal.Buyer, Email: "jordan@acme.example"},
			{ID: "sam", Name: "Sam Lee", Side: deal.Seller},
			{ID: "lena", Name: "Lena Ford", Side: deal.Buyer},
		},
		Milestones: []deal.Milestone{{ID: "tech-eval", Due: deal.NewDate(2026, 12, 4), Lead: "jordan", Tasks: []deal.Task{
			{ID: "sq", Owner: "jordan", Due: deal.NewDate(2026, 11, 20), Status: deal.Todo, Milestone: "tech-eval"},
			{ID: "demo", Owner: "sam", Due: deal.NewDate(2026, 11, 18), Status: deal.InProgress, Milestone: "tech-eval"},
		}}},
	}
}

const (
	seenSQ = "due=2026-11-20;status=todo"
	seenTE = "due=2026-12-04"
)

func rec(r Reply, ds ...Decision) Record {
	r.ID, r.Time, r.Deal, r.Stakeholder = "abcdefghij", now, "acme", "jordan"
	return Record{Reply: r, Decisions: ds}
}

func TestSeen(t *testing.T) {
	d := planDeal()
	if got := Seen(&d.Milestones[0].Tasks[0]); got != seenSQ+";ev=e3b0c442;ti=e3b0c442" {
		t.Errorf("Seen(sq) = %q", got)
	}
	if got := Seen(&deal.Task{}); got != "due=;status=todo;ev=e3b0c442;ti=e3b0c442" {
		t.Errorf("Seen(zero task) = %q", got)
	}
	if got := SeenMilestone(&d.Milestones[0]); got != seenTE+";ti=e3b0c442" {
		t.Errorf("SeenMilestone = %q", got)
	}
	// The title's fingerprint is of its words, case aside: a step named
	// again in other words is another step to the reply.
	a, b, c := &deal.Task{Title: "Security review"}, &deal.Task{Title: " security  REVIEW "}, &deal.Task{Title: "Security review approved by the CISO"}
	if Seen(a) != Seen(b) || Seen(a) == Seen(c) {
		t.Errorf("Seen by title: %q, %q, %q; want the first two alike, the third not", Seen(a), Seen(b), Seen(c))
	}
}

// TestRewrittenStepConflicts: a done reply sent while the task asked for
// one piece of evidence, or was named one way, is a conflict once the
// seller rewrote what done means or what the step is called; a reply from
// before rooms carried those fingerprints is compared on due and status
// alone; a reply whose record of the room cannot be read says that, not
// nothing.
func TestRewrittenStepConflicts(t *testing.T) {
	src := []byte("---\nmilestones:\n  - id: tech-eval\n    tasks:\n      - id: sq\n        owner: jordan\n        due: 2026-11-20\n        status: todo\n---\n")
	done := func(seen string) Reply {
		return Reply{Kind: Done, Target: "sq", TargetKind: TargetTask, Date: "2026-11-19", Evidence: "Emailed", Seen: seen}
	}
	for _, c := range []struct {
		name          string
		before, after func(*deal.Task)
		want          string
	}{
		{"evidence", func(t *deal.Task) { t.Evidence = "Report emailed to Sam" },
			func(t *deal.Task) { t.Evidence = "Report emailed to Sam and countersigned by the CISO" }, "its evidence (what done means) was rewritten"},
		{"title", func(t *deal.Task) { t.Title = "Vendor risk assessment signed off" },
			func(t *deal.Task) { t.Title = "Vendor risk assessment approved by the CISO" }, "its title was rewritten"},
	} {
		d := planDeal()
		sq := &d.Milestones[0].Tasks[0]
		c.before(sq)
		sent := Seen(sq)
		c.after(sq)
		_, err := Apply(src, d, rec(done(sent)), ApplyOptions{})
		if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("done over a rewritten %s: %v, want a conflict saying %q", c.name, err, c.want)
		}
		if _, err := Apply(src, d, rec(done(seenSQ)), ApplyOptions{}); err != nil {
			t.Errorf("%s rewritten, a reply carrying due and status only: %v, want it applied", c.name, err)
		}
	}
	e := &ConflictError{Reply: "r1", TargetKind: TargetTask, Target: "sq", Seen: "zzz", Now: Seen(&planDeal().Milestones[0].Tasks[0])}
	if w := e.What(); !strings.Contains(w, `cannot be read from the reply ("zzz")`) || strings.HasSuffix(w, ": ") {
		t.Errorf("garbled seen: %q, want it said", w)
	}
}

func TestApply(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(plan, old) {
			panic("test plan lacks " + old)
		}
		return strings.Replace(plan, old, new, 1)
	}
	tests := []struct {
		name string
		rec  Record
		opts ApplyOptions
		want string // the plan after; "" = unchanged
		err  string // part of the error, when one
		is   error  // errors.Is, when set
	}{
		{name: "propose a task's date",
			rec:  rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "InfoSec queue", Seen: seenSQ}),
			want: edit("        due: 2026-11-20\n", "        due: 2026-12-01\n")},
		{name: "propose a milestone's date, target kind resolved",
			rec:  rec(Reply{Kind: Propose, Target: "tech-eval", Date: "2026-12-11", Reason: "board", Seen: seenTE}),
			want: edit("due: 2026-12-04   # the decision", "due: 2026-12-11   # the decision")},
		{name: "done",
			rec:  rec(Reply{Kind: Done, Target: "sq", TargetKind: TargetTask, Date: "2026-11-09", Evidence: "https://acme.example/q.pdf", Seen: seenSQ}),
			want: edit("        status: todo\n", "        status: done\n        done: 2026-11-09\n")},
		{name: "done a day ahead of the site's day (a time zone ahead): on the site's day",
			rec:  rec(Reply{Kind: Done, Target: "sq", TargetKind: TargetTask, Date: "2026-11-10", Evidence: "https://acme.example/q.pdf", Seen: seenSQ}),
			opts: ApplyOptions{Today: deal.NewDate(2026, 11, 9)},
			want: edit("        status: todo\n", "        status: done\n        done: 2026-11-09\n")},
		{name: "blocked",
			rec:  rec(Reply{Kind: Blocked, Target: "sq", TargetKind: TargetTask, Reason: "legal", Seen: seenSQ}),
			want: edit("        status: todo\n", "        status: blocked\n")},
		{name: "confirm changes no field",
			rec: rec(Reply{Kind: Confirm, Target: "sq", TargetKind: TargetTask, Seen: seenSQ})},
		{name: "a question is answered, not accepted",
			rec: rec(Reply{Kind: Question, Target: "demo", TargetKind: TargetTask, Text: "When?"}),
			err: `is a question: nothing in the plan to apply; answer it: maproom answer abcdefghij "..."`},
		{name: "suggest",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Procurement review: vendor form", Owner: "Priya", Date: "2027-01-08"}),
			opts: ApplyOptions{Milestone: "tech-eval"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: procurement-review-vendor-form, title: \"Procurement review: vendor form\", owner: jordan, due: 2027-01-08, status: todo}\n")},
		{name: "suggest without a date takes the milestone's",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Demo"}),
			opts: ApplyOptions{Milestone: "tech-eval"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: demo-2, title: Demo, owner: jordan, due: 2026-12-04, status: todo}\n")},
		{name: "suggest owned by the person it names",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Pricing call", Owner: "lena", Date: "2027-01-08"}),
			opts: ApplyOptions{Milestone: "tech-eval"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: pricing-call, title: Pricing call, owner: lena, due: 2027-01-08, status: todo}\n")},
		{name: "suggest owned by a first name",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Pricing call", Owner: "LENA", Date: "2027-01-08"}),
			opts: ApplyOptions{Milestone: "tech-eval"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: pricing-call, title: Pricing call, owner: lena, due: 2027-01-08, status: todo}\n")},
		// The form asks who owns it on the buyer's side: a seller named
		// there is not given the step; it is the sender's.
		{name: "suggest owner of the seller's side",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Pricing call", Owner: "Sam", Date: "2027-01-08"}),
			opts: ApplyOptions{Milestone: "tech-eval"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: pricing-call, title: Pricing call, owner: jordan, due: 2027-01-08, status: todo}\n")},
		{name: "suggest owner chosen by the seller",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Pricing call", Owner: "Sam Lee", Date: "2027-01-08"}),
			opts: ApplyOptions{Milestone: "tech-eval", Owner: "jordan"},
			want: edit("evidence: Recording}\n", "evidence: Recording}\n      - {id: pricing-call, title: Pricing call, owner: jordan, due: 2027-01-08, status: todo}\n")},
		{name: "suggest owner not in the plan",
			rec:  rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Pricing call"}),
			opts: ApplyOptions{Milestone: "tech-eval", Owner: "nobody"},
			err:  `-owner "nobody" is not a stakeholder of the deal: use one of jordan, sam`},
		{name: "suggest needs a milestone",
			rec: rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Procurement review"}),
			err: "-milestone <id> (one of tech-eval)"},
		{name: "suggest into an unknown milestone",
			rec: rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Procurement review"}), opts: ApplyOptions{Milestone: "nope"},
			err: `no milestone "nope"`},

		{name: "conflict: the seller moved the date",
			rec: rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: "due=2026-11-13;status=in-progress"}),
			err: "due was 2026-11-13, now 2026-11-20; status was in-progress, now todo", is: ErrConflict},
		{name: "conflict forced",
			rec:  rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: "due=2026-11-13;status=todo"}),
			opts: ApplyOptions{Force: true},
			want: edit("        due: 2026-11-20\n", "        due: 2026-12-01\n")},
		{name: "conflict on a confirm",
			rec: rec(Reply{Kind: Confirm, Target: "tech-eval", TargetKind: TargetMilestone, Seen: "due=2026-11-30"}),
			err: "due was 2026-11-30, now 2026-12-04", is: ErrConflict},
		{name: "conflict: someone else's task",
			rec: rec(Reply{Kind: Done, Target: "demo", TargetKind: TargetTask, Date: "2026-11-09", Evidence: "e", Seen: "due=2026-11-18;status=in-progress"}),
			err: "now owned by sam", is: ErrConflict},
		{name: "conflict: the room did not say what it showed",
			rec: rec(Reply{Kind: Blocked, Target: "sq", TargetKind: TargetTask, Reason: "r"}),
			err: "does not carry what its room showed (sent from an older page, or not from a room), and the task is now due 2026-11-20, status todo: read", is: ErrConflict},

		{name: "accepted twice",
			rec: rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: seenSQ}, Decision{State: Accepted}),
			is:  ErrAlreadyAccepted, err: "already accepted"},
		{name: "declined",
			rec: rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: seenSQ}, Decision{State: Declined}),
			err: "was declined"},
		{name: "target gone",
			rec: rec(Reply{Kind: Propose, Target: "gone", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: seenSQ}),
			err: `task "gone" is no longer in the plan`},
		{name: "a milestone is never done",
			rec:  rec(Reply{Kind: Done, Target: "tech-eval", TargetKind: TargetMilestone, Date: "2026-11-09", Evidence: "e", Seen: seenTE}),
			err:  "a milestone has no status",
			opts: ApplyOptions{Force: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply([]byte(plan), planDeal(), tt.rec, tt.opts)
			if tt.err != "" || tt.is != nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Fatalf("Apply error = %v; want one saying %q (is %v)", err, tt.err, tt.is)
				}
				if string(got) != plan {
					t.Fatalf("Apply changed the plan on an error:\n%s", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			want := tt.want
			if want == "" {
				want = plan
			}
			if string(got) != want {
				t.Fatalf("Apply:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestApplyWrongDealOrPerson(t *testing.T) {
	r := rec(Reply{Kind: Confirm, Target: "sq", TargetKind: TargetTask, Seen: seenSQ})
	r.Reply.Deal = "globex"
	if _, err := Apply([]byte(plan), planDeal(), r, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), `deal "globex", not "acme"`) {
		t.Errorf("another deal's reply: %v", err)
	}
	r = rec(Reply{Kind: Confirm, Target: "sq", TargetKind: TargetTask, Seen: seenSQ})
	r.Reply.Stakeholder = "gone"
	if _, err := Apply([]byte(plan), planDeal(), r, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "no longer a stakeholder") {
		t.Errorf("a removed person's reply: %v", err)
	}
}

// TestApplyThenStale: once a proposal is applied, the same reply against
// the new plan has nothing to move, even forced (the record's accepted
// state is what makes a second accept a no-op).
func TestApplyThenStale(t *testing.T) {
	r := rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "r", Seen: seenSQ})
	out, err := Apply([]byte(plan), planDeal(), r, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := planDeal()
	d.Milestones[0].Tasks[0].Due = deal.NewDate(2026, 12, 1)
	if _, err := Apply(out, d, r, ApplyOptions{Force: true}); !errors.Is(err, ErrNothingToApply) {
		t.Fatalf("second apply = %v, want nothing to apply", err)
	}
	r.Decisions = append(r.Decisions, Decision{State: Accepted, Time: now, By: "Sam Lee"})
	again, err := Apply(out, d, r, ApplyOptions{})
	if !errors.Is(err, ErrAlreadyAccepted) || string(again) != string(out) {
		t.Fatalf("apply of an accepted record = %v; plan changed: %v", err, string(again) != string(out))
	}
}

// TestNothingToApplyOnADoneTask: a block, a done, a confirmation or a new
// date on a task already done applies nothing, even with -force (a stale
// or forged form, or the same news twice): the seller answers or declines
// the reply.
func TestNothingToApplyOnADoneTask(t *testing.T) {
	d := planDeal()
	sq := &d.Milestones[0].Tasks[0]
	sq.Status, sq.Done = deal.Done, deal.NewDate(2026, 11, 18)
	src := []byte("---\nmilestones:\n  - id: tech-eval\n    tasks:\n      - id: sq\n        owner: jordan\n        due: 2026-11-20\n        status: done\n        done: 2026-11-18\n---\n")
	for _, c := range []struct {
		r    Reply
		want string
	}{
		{Reply{Kind: Blocked, Target: "sq", TargetKind: TargetTask, Reason: "stuck", Seen: Seen(sq)}, `task "sq" is done already (on 2026-11-18): nothing to block`},
		{Reply{Kind: Done, Target: "sq", TargetKind: TargetTask, Date: "2026-11-19", Evidence: "again", Seen: Seen(sq)}, `task "sq" is done already (on 2026-11-18): nothing to apply`},
		{Reply{Kind: Confirm, Target: "sq", TargetKind: TargetTask, Seen: Seen(sq)}, `task "sq" is done already (on 2026-11-18): nothing to confirm`},
		{Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "later", Seen: Seen(sq)}, `task "sq" is done already (on 2026-11-18): nothing to move`},
	} {
		for _, force := range []bool{false, true} {
			out, err := Apply(src, d, rec(c.r), ApplyOptions{Force: force})
			if err == nil || !strings.Contains(err.Error(), c.want) || string(out) != string(src) {
				t.Errorf("%s, force %v: %v, want it refused and the plan unchanged", c.r.Kind, force, err)
			}
		}
	}
}

// TestNothingToApplyOnAReachedMilestone: a confirmation or a new date for
// a milestone whose every step is done since is refused, even with -force,
// the plan unchanged, as for a step done; a question about it is not.
func TestNothingToApplyOnAReachedMilestone(t *testing.T) {
	d := planDeal()
	for i := range d.Milestones[0].Tasks {
		d.Milestones[0].Tasks[i].Status = deal.Done
	}
	src := []byte("---\nmilestones:\n  - id: tech-eval\n    due: 2026-12-04\n    lead: jordan\n---\n")
	for _, r := range []Reply{
		{Kind: Confirm, Target: "tech-eval", TargetKind: TargetMilestone, Seen: SeenMilestone(&d.Milestones[0])},
		{Kind: Propose, Target: "tech-eval", TargetKind: TargetMilestone, Date: "2026-12-11", Reason: "later", Seen: SeenMilestone(&d.Milestones[0])},
	} {
		for _, force := range []bool{false, true} {
			out, err := Apply(src, d, rec(r), ApplyOptions{Force: force})
			if !errors.Is(err, ErrNothingToApply) || !strings.Contains(err.Error(), `milestone "tech-eval" is reached`) || string(out) != string(src) {
				t.Errorf("%s, force %v: %v, want it refused and the plan unchanged", r.Kind, force, err)
			}
		}
	}
	// A question about it is answered, not applied: it is no such refusal.
	if _, err := Apply(src, d, rec(Reply{Kind: Question, Target: "tech-eval", TargetKind: TargetMilestone, Text: "Who signs?"}), ApplyOptions{}); err == nil || errors.Is(err, ErrNothingToApply) || !strings.Contains(err.Error(), "is a question") {
		t.Errorf("a question about the reached milestone: %v, want the question's own answer-it error", err)
	}
}

// TestNoSecondBlock: a block of a task the plan marks blocked already is
// refused, even with -force (it would change nothing but list the block
// twice in the rooms), and so is a confirmation of its date.
func TestNoSecondBlock(t *testing.T) {
	d := planDeal()
	sq := &d.Milestones[0].Tasks[0]
	sq.Status = deal.Blocked
	src := []byte("---\nmilestones:\n  - id: tech-eval\n    tasks:\n      - id: sq\n        owner: jordan\n        due: 2026-11-20\n        status: blocked\n---\n")
	for _, force := range []bool{false, true} {
		for _, r := range []Reply{
			{Kind: Blocked, Target: "sq", TargetKind: TargetTask, Reason: "still stuck", Seen: Seen(sq)},
			{Kind: Confirm, Target: "sq", TargetKind: TargetTask}, // a form that carried no status
		} {
			out, err := Apply(src, d, rec(r), ApplyOptions{Force: force})
			if err == nil || !strings.Contains(err.Error(), `task "sq" is blocked already`) || string(out) != string(src) {
				t.Errorf("%s, force %v: %v, want it refused and the plan unchanged", r.Kind, force, err)
			}
		}
	}
}

// TestNothingToApplyError: what Apply refuses whatever -force says is a
// *NothingToApplyError, with a short note for the listing: a step done
// since, and a new date that is the date the plan gives already (the plan
// moved there since the reply was sent, or the form was forged): no empty
// move is committed.
func TestNothingToApplyError(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Reply
		edit func(d *deal.Deal)
		note string
	}{
		{"done since", Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "later", Seen: seenSQ},
			func(d *deal.Deal) {
				d.Milestones[0].Tasks[0].Status, d.Milestones[0].Tasks[0].Done = deal.Done, deal.NewDate(2026, 11, 18)
			}, "done since 2026-11-18: answer or decline it"},
		{"same date", Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-11-20", Reason: "same", Seen: seenSQ},
			nil, "due 2026-11-20 already: nothing to move; answer or decline it"},
		{"moved there since", Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-11-27", Reason: "later", Seen: seenSQ},
			func(d *deal.Deal) { d.Milestones[0].Tasks[0].Due = deal.NewDate(2026, 11, 27) }, "due 2026-11-27 already: nothing to move"},
		{"milestone", Reply{Kind: Propose, Target: "tech-eval", TargetKind: TargetMilestone, Date: "2026-12-04", Reason: "same", Seen: seenTE},
			nil, "due 2026-12-04 already: nothing to move"},
	} {
		d := planDeal()
		if c.edit != nil {
			c.edit(d)
		}
		for _, force := range []bool{false, true} {
			out, err := Apply([]byte(plan), d, rec(c.r), ApplyOptions{Force: force})
			var ne *NothingToApplyError
			if !errors.As(err, &ne) || !errors.Is(err, ErrNothingToApply) || !strings.Contains(ne.Note, c.note) || string(out) != plan {
				t.Errorf("%s, force %v: %v, want nothing to apply (note %q) and the plan unchanged", c.name, force, err, c.note)
			}
		}
	}
}

// TestSupersededRefused: a reply the same person followed with another on the
// same step is refused, naming the later one to accept instead, unless
// forced; forced, it applies.
func TestSupersededRefused(t *testing.T) {
	d := planDeal()
	r := rec(Reply{Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-11-27", Reason: "first thought", Seen: seenSQ})
	out, err := Apply([]byte(plan), d, r, ApplyOptions{Later: "newerreply"})
	var se *SupersededError
	if !errors.As(err, &se) || !errors.Is(err, ErrSuperseded) || string(out) != plan ||
		!strings.Contains(err.Error(), "superseded by newerreply") || !strings.Contains(err.Error(), "accept that one (maproom accept newerreply)") || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("superseded: %v, want a refusal naming the later reply", err)
	}
	_, err = Apply([]byte(plan), d, r, ApplyOptions{Later: "newerreply", LaterState: Declined})
	if !errors.Is(err, ErrSuperseded) || !strings.Contains(err.Error(), "which is declined: decline or answer this") {
		t.Errorf("superseded by a declined reply: %v", err)
	}
	out, err = Apply([]byte(plan), d, r, ApplyOptions{Later: "newerreply", Force: true})
	if err != nil || !strings.Contains(string(out), "due: 2026-11-27") {
		t.Errorf("superseded, forced: %v, want the older date applied", err)
	}
}

// TestSuggestedTaskID: the id a suggested step is added under, which the
// decision records: -task-id's, else one made from the title, unique in
// the plan.
func TestSuggestedTaskID(t *testing.T) {
	d := planDeal()
	for _, c := range []struct {
		text string
		opts ApplyOptions
		id   string
	}{
		{"Demo", ApplyOptions{}, "demo-2"},
		{"Demo", ApplyOptions{TaskID: "demo-for-legal"}, "demo-for-legal"},
		{"Demo for Legal", ApplyOptions{}, "demo-for-legal"},
		// a milestone's id is taken too: replies name either by it
		{"Tech eval", ApplyOptions{}, "tech-eval-2"},
	} {
		r := rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: c.text})
		if got := SuggestedTaskID(d, r.Reply, c.opts); got != c.id {
			t.Errorf("SuggestedTaskID(%q, %+v) = %q, want %q", c.text, c.opts, got, c.id)
		}
		c.opts.Milestone = "tech-eval"
		if out, err := Apply([]byte(plan), d, r, c.opts); err != nil || !strings.Contains(string(out), "{id: "+c.id+", title: ") {
			t.Errorf("suggest %q with %+v: %v, want it added as %s", c.text, c.opts, err, c.id)
		}
	}
	if _, err := Apply([]byte(plan), d, rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Demo"}), ApplyOptions{Milestone: "tech-eval", TaskID: "tech-eval"}); err == nil || !strings.Contains(err.Error(), "a milestone's of the plan already") {
		t.Errorf("-task-id of a milestone's id: %v, want it refused", err)
	}
}

// TestSuggestSameStep: a suggestion whose title a task of the plan has
// already (case and spacing aside) is refused, naming that task, with a
// short note for the listing, and before the milestone is asked for;
// -task-id (another step of that title, meant) or -force adds it.
func TestSuggestSameStep(t *testing.T) {
	d := planDeal()
	d.Milestones[0].Tasks[1].Title = "Demo"
	for _, text := range []string{"Demo", "  demo ", "DEMO"} {
		r := rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: text})
		for _, opts := range []ApplyOptions{{}, {Milestone: "tech-eval"}} {
			out, err := Apply([]byte(plan), d, r, opts)
			se, ok := errors.AsType[*SameStepError](err)
			if !ok || !errors.Is(err, ErrSameStep) || string(out) != plan {
				t.Fatalf("suggest %q (%+v): %v, want it refused and the plan unchanged", text, opts, err)
			}
			if !strings.Contains(err.Error(), `the plan has this step already: task "demo" ("Demo", in milestone "tech-eval")`) || !strings.Contains(err.Error(), "-task-id") || !strings.Contains(err.Error(), "-force") {
				t.Errorf("suggest %q: %v, want the task named and the way on", text, err)
			}
			if want := "the plan has this step already: demo; answer it, or accept with -task-id to add another"; se.Note() != want {
				t.Errorf("note %q, want %q", se.Note(), want)
			}
		}
	}
	r := rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Demo"})
	for _, c := range []struct {
		opts ApplyOptions
		id   string
	}{
		{ApplyOptions{Milestone: "tech-eval", Force: true}, "demo-2"},
		{ApplyOptions{Milestone: "tech-eval", TaskID: "demo-for-legal"}, "demo-for-legal"},
	} {
		out, err := Apply([]byte(plan), d, r, c.opts)
		if err != nil || !strings.Contains(string(out), "{id: "+c.id+", title: Demo,") {
			t.Errorf("suggest with %+v: %v, want it added as %s:\n%s", c.opts, err, c.id, out)
		}
	}
	// Another title is added as ever.
	r = rec(Reply{Kind: Suggest, TargetKind: TargetPlan, Text: "Demo for Legal"})
	if _, err := Apply([]byte(plan), d, r, ApplyOptions{Milestone: "tech-eval"}); err != nil {
		t.Errorf("a new title: %v", err)
	}
}
