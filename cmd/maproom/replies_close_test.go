package main

import (
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

// TestCloseNote: a waiting proposal whose date is after the close date,
// or that would make the work due by the close finish after it, is noted
// before anyone accepts it, naming the buyer's decider; an onboarding
// step is weighed against the go-live date; a date that fits, an earlier
// one and any other kind of reply get no note.
func TestCloseNote(t *testing.T) {
	d := &deal.Deal{ID: "d", Close: deal.NewDate(2027, 3, 31), GoLive: deal.NewDate(2027, 5, 3), Outcome: deal.Open,
		Stakeholders: []deal.Stakeholder{
			{ID: "ch", Name: "Cora Hill", Side: deal.Buyer, Role: "champion"},
			{ID: "eb", Name: "Dana Whitfield", Side: deal.Buyer, Role: "economic-buyer"},
		},
		Milestones: []deal.Milestone{
			{ID: "sale", Title: "Signed", Due: deal.NewDate(2027, 3, 31), Tasks: []deal.Task{
				{ID: "pricing", Title: "Pricing reviewed", Owner: "ch", Due: deal.NewDate(2027, 3, 10), Status: deal.Todo, Milestone: "sale"},
				{ID: "legal", Title: "Legal review", Owner: "ch", Status: deal.Todo, After: []string{"pricing"}, Duration: 10, Milestone: "sale"},
				{ID: "sign", Title: "Order form signed", Owner: "eb", Status: deal.Todo, After: []string{"legal"}, Duration: 1, Milestone: "sale"},
			}},
			{ID: "live", Title: "Live", Due: deal.NewDate(2027, 5, 3), Onboarding: true, Tasks: []deal.Task{
				{ID: "sso", Title: "SSO connected", Owner: "ch", Due: deal.NewDate(2027, 4, 20), Status: deal.Todo, Milestone: "live"},
			}},
		}}
	today := deal.NewDate(2027, 2, 1)
	cal := schedule.NewCalendar()
	plan, err := schedule.Compute(d, today, cal)
	if err != nil {
		t.Fatal(err)
	}
	propose := func(target, date string) reply.Reply {
		return reply.Reply{ID: "r", Deal: "d", Stakeholder: "ch", Kind: reply.Propose, Target: target, TargetKind: reply.TargetTask, Date: date}
	}
	for _, tc := range []struct {
		name string
		r    reply.Reply
		plan *schedule.Plan
		want string // "" for no note
	}{
		{"after the close", propose("pricing", "2027-04-07"), plan,
			"after the close date 2027-03-31: accepting it puts the close at risk (the plan keeps 2027-03-31 until you move it); agree it with Dana Whitfield (economic buyer) first"},
		{"after the close, the plan failing check", propose("pricing", "2027-04-07"), nil,
			"after the close date 2027-03-31: accepting it puts the close at risk (the plan keeps 2027-03-31 until you move it)"},
		{"before the close, the work after it then finishing late", propose("pricing", "2027-03-24"), plan,
			"the plan would finish 2027-04-08, after the close date 2027-03-31: accepting it puts the close at risk (the plan keeps 2027-03-31 until you move it); agree it with Dana Whitfield (economic buyer) first"},
		{"before the close, the plan failing check: the date alone counts", propose("pricing", "2027-03-24"), nil, ""},
		{"a date that fits", propose("pricing", "2027-03-12"), plan, ""},
		{"an earlier date", propose("pricing", "2027-03-01"), plan, ""},
		{"an onboarding step after the close, before go-live", propose("sso", "2027-04-28"), plan, ""},
		{"an onboarding step after go-live", propose("sso", "2027-05-10"), plan,
			"after the go-live date 2027-05-03: accepting it puts the go-live at risk (the plan keeps 2027-05-03 until you move it); agree it with Dana Whitfield (economic buyer) first"},
		{"a milestone after the close", reply.Reply{Deal: "d", Stakeholder: "eb", Kind: reply.Propose, Target: "sale", TargetKind: reply.TargetMilestone, Date: "2027-04-02"}, plan,
			"after the close date 2027-03-31: accepting it puts the close at risk (the plan keeps 2027-03-31 until you move it)"},
		{"a question", reply.Reply{Deal: "d", Stakeholder: "ch", Kind: reply.Question, Target: "pricing", TargetKind: reply.TargetTask, Text: "April?"}, plan, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := closeNote(d, tc.plan, tc.r, today, cal)
			if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Errorf("note %q, want %q", got, tc.want)
			}
		})
	}

	// The economic buyer's own proposal: the note does not send the
	// seller back to them for it, but to confirm the close moves too.
	own := propose("pricing", "2027-04-07")
	own.Stakeholder = "eb"
	if got := closeNote(d, plan, own, today, cal); !strings.HasSuffix(got, "it comes from Dana Whitfield (economic buyer): confirm with them that the close moves too") {
		t.Errorf("the economic buyer's own proposal: %q", got)
	}
	// No economic buyer: the approver decides; neither: the role is named.
	d.Stakeholders[1].Role = "approver"
	if got := closeNote(d, plan, propose("pricing", "2027-04-07"), today, cal); !strings.HasSuffix(got, "agree it with Dana Whitfield (approver) first") {
		t.Errorf("with an approver: %q", got)
	}
	d.Stakeholders[1].Role = "legal"
	if got := closeNote(d, plan, propose("pricing", "2027-04-07"), today, cal); !strings.HasSuffix(got, "agree it with the buyer's economic buyer first") {
		t.Errorf("with no decider: %q", got)
	}
}
