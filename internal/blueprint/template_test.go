package blueprint

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/schedule"
)

// small is a valid template: two milestones, three tasks.
const small = `---
name: small
description: A small plan
onboarding: 5
review: {day: Tuesday, time: "15:00"}
stakeholders:
  - {role: economic-buyer, title: CFO}
  - {role: other, side: seller, title: Partner}
milestones:
  - id: eval
    title: Evaluation passed
    lead: role:technical-evaluator
    evidence: Evaluation report stating proceed
    tasks:
      - id: nda
        title: NDA signed
        owner: procurement
        duration: 3d
        evidence: Countersigned NDA
      - id: poc
        title: Proof of concept
        owner: technical-evaluator
        duration: 10
        after: [nda]
        evidence: Scenario results table
        collateral: [poc-plan]
  - id: sign
    title: Signed
    lead: economic-buyer
    evidence: Countersigned order form
    tasks:
      - {id: order, title: Order form signed, owner: economic-buyer, duration: 0, after: [poc], evidence: Countersigned order form}
criteria:
  - SSO works
collateral:
  - {id: poc-plan, title: "PoC plan", file: poc-plan.md, audience: [technical-evaluator, "role:security"]}
  - {id: deck, title: Deck}
---
Hello {buyer}.
`

func TestParseValid(t *testing.T) {
	tm, err := Parse("templates/small.md", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	if tm.Name != "small" || tm.Description != "A small plan" || tm.Onboarding != 5 {
		t.Errorf("name %q description %q onboarding %d", tm.Name, tm.Description, tm.Onboarding)
	}
	if *tm.Review != (Review{Day: "tuesday", Time: "15:00"}) {
		t.Errorf("review %+v", *tm.Review)
	}
	if len(tm.Milestones) != 2 || tm.Milestones[0].Lead != "technical-evaluator" || tm.Milestones[0].Line != 10 {
		t.Errorf("milestones %+v", tm.Milestones)
	}
	nda := tm.Milestones[0].Tasks[0]
	if nda.Duration != 3 || nda.Owner != "procurement" || nda.Line != 15 {
		t.Errorf("nda %+v", nda)
	}
	poc := tm.Milestones[0].Tasks[1]
	if poc.Duration != 10 || !slices.Equal(poc.After, []string{"nda"}) || !slices.Equal(poc.Collateral, []string{"poc-plan"}) {
		t.Errorf("poc %+v", poc)
	}
	if c := tm.Collateral; len(c) != 2 || !slices.Equal(c[0].Audience, []string{"role:technical-evaluator", "role:security"}) ||
		c[1].File != "deck.pdf" || c[1].Audience != nil {
		t.Errorf("collateral %+v", c)
	}
	if s := tm.Stakeholders; len(s) != 2 || s[0].Side != deal.Buyer || s[1].Side != deal.Seller {
		t.Errorf("stakeholders %+v", s)
	}
	var roles []string
	for _, r := range tm.Roles() {
		roles = append(roles, string(r.Role))
	}
	if want := []string{"economic-buyer", "technical-evaluator", "procurement", "other"}; !slices.Equal(roles, want) {
		t.Errorf("roles %v, want %v", roles, want)
	}
	if string(tm.Body) != "Hello {buyer}.\n" {
		t.Errorf("body %q", tm.Body)
	}
}

// TestParseErrors checks that each mistake is reported with file:line and
// what to change, every one of them at once.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string // each error, in order
	}{{
		name: "unknown keys",
		edit: func(s string) string {
			s = strings.Replace(s, "onboarding: 5", "onbording: 5", 1)
			return strings.Replace(s, "        duration: 10\n", "        duration: 10\n        due: 2026-01-01\n", 1)
		},
		want: []string{
			`small.md:4: unknown key "onbording" in the template; did you mean "onboarding"?`,
			`small.md:24: unknown key "due" in a task; known: id, title, owner, duration, after, evidence, collateral`,
		},
	}, {
		name: "duration not whole",
		edit: func(s string) string {
			s = strings.Replace(s, "duration: 3d", "duration: 2.5", 1)
			return strings.Replace(s, "duration: 0,", "duration: -1,", 1)
		},
		want: []string{
			`small.md:18: duration of task "nda" "2.5" is not a whole number of business days: write e.g. 10 (or 10d)`,
			`small.md:32: duration of task "order" "-1" is not a whole number of business days: write e.g. 10 (or 10d)`,
		},
	}, {
		name: "unknown task in the welcome note",
		edit: func(s string) string { return s + "The evaluation ends by {due:poc}; the order by {due:ordr}.\n" },
		want: []string{`small.md:40: {due:ordr} in the welcome note: "ordr" is not a task of this template; did you mean "order"?`},
	}, {
		name: "duration too long",
		edit: func(s string) string { return strings.Replace(s, "duration: 3d", "duration: 20000", 1) },
		want: []string{`small.md:18: duration of task "nda" 20000 is longer than 10000 business days: split the work`},
	}, {
		name: "missing duration",
		edit: func(s string) string { return strings.Replace(s, "        duration: 3d\n", "", 1) },
		want: []string{`small.md:15: task "nda" has no duration: add ` + "`duration:`" + ` in whole business days (0 for a checkpoint such as a signature)`},
	}, {
		name: "cycle",
		edit: func(s string) string {
			return strings.Replace(s, "        duration: 3d\n", "        duration: 3d\n        after: [order]\n", 1)
		},
		want: []string{"small.md:15: dependency cycle: nda -> poc -> order -> nda (each task waits for the one before it): remove one `after:` entry"},
	}, {
		name: "self dependency",
		edit: func(s string) string { return strings.Replace(s, "after: [nda]", "after: [poc]", 1) },
		want: []string{"small.md:20: dependency cycle: poc -> poc (each task waits for the one before it): remove one `after:` entry"},
	}, {
		name: "unknown dependency, duplicate id, unknown collateral",
		edit: func(s string) string {
			s = strings.Replace(s, "after: [nda]", "after: [ndaa]", 1)
			s = strings.Replace(s, "{id: order,", "{id: nda,", 1)
			return strings.Replace(s, "collateral: [poc-plan]", "collateral: [poc-plan, pricing]", 1)
		},
		want: []string{
			`small.md:20: task "poc" comes after "ndaa", which is not a task of this template; did you mean "nda"?`,
			`small.md:20: task "poc" relies on collateral "pricing", which is not listed under ` + "`collateral:`",
			`small.md:32: task id "nda" is used twice: task ids are unique across the template`,
		},
	}, {
		name: "roles",
		edit: func(s string) string {
			s = strings.Replace(s, "owner: procurement", "owner: cto", 1)
			s = strings.Replace(s, "{role: economic-buyer, title: CFO}", "{role: economic-buyer, side: seller}", 1)
			s = strings.Replace(s, "    lead: economic-buyer\n", "", 1)
			return strings.Replace(s, `"role:security"]`, `"role:ciso"]`, 1)
		},
		want: []string{
			`small.md:7: the role economic-buyer sits on the buyer side, not the seller side`,
			`small.md:17: owner "cto" of task "nda" is not a role: use one of economic-buyer, champion, technical-evaluator, security, legal, procurement, end-user, executive-sponsor, approver, account-executive, solutions-engineer, sales-manager, customer-success; or other`,
			`small.md:27: milestone "sign" has no lead: name one role, e.g. champion`,
			`small.md:35: audience entry "role:ciso" of collateral "poc-plan" is not a role: use one of economic-buyer, champion, technical-evaluator, security, legal, procurement, end-user, executive-sponsor, approver, account-executive, solutions-engineer, sales-manager, customer-success; or other`,
		},
	}, {
		name: "names, ids, review",
		edit: func(s string) string {
			s = strings.Replace(s, "name: small", "name: smol", 1)
			s = strings.Replace(s, "description: A small plan", "description: [a, list]", 1)
			s = strings.Replace(s, "review: {day: Tuesday, time: \"15:00\"}", "review: {day: someday, time: \"25:00\", length: 2d}", 1)
			s = strings.Replace(s, "- id: eval", "- id: Eval", 1)
			return strings.Replace(s, "file: poc-plan.md", "file: ../poc-plan.md", 1)
		},
		want: []string{
			`small.md:2: name "smol" does not match the file name "small.md": a template is named by its file; rename one of them`,
			`small.md:3: description: want text here, not a list`,
			`small.md:5: review day "someday": use a weekday name such as tuesday`,
			`small.md:5: review time "25:00": write HH:MM, quoted, e.g. "15:00"`,
			`small.md:5: review length "2d": write minutes or hours between 5m and 4h, e.g. 15m`,
			`small.md:10: milestone id "Eval": use lowercase letters, digits and hyphens`,
			`small.md:36: collateral "poc-plan" file "../poc-plan.md": name a file inside the deal's folder, e.g. pricing.pdf`,
		},
	}, {
		name: "no milestones, alias, duplicate key",
		edit: func(s string) string {
			s = s[:strings.Index(s, "milestones:")] + "criteria: [&a one, *a]\ncriteria: []\n---\n"
			return s
		},
		want: []string{
			`small.md:2: the template has no milestones: add ` + "`milestones:`" + `, 3 to 5 decision points, each with its tasks`,
			`small.md:9: YAML aliases are not supported in a template: write the value out`,
			`small.md:10: key "criteria" is given twice in the template`,
		},
	}, {
		name: "invalid yaml",
		edit: func(s string) string {
			return strings.Replace(s, "    title: Evaluation passed", "    title: [Evaluation", 1)
		},
		// named on the line that opens the list, with what to change
		want: []string{`small.md:11: the frontmatter is not valid YAML: did not find expected ',' or ']': a value that starts with [ or { is read as a list or as keys, and this one is not closed: close it, or put the whole value in double quotes ("...")`},
	}, {
		name: "not a mapping",
		edit: func(string) string { return "---\n- a\n---\n" },
		want: []string{`small.md:2: the frontmatter must be a mapping of keys (name:, description:, milestones:, ...)`},
	}, {
		name: "no frontmatter",
		edit: func(string) string { return "Hello\n" },
		want: []string{`small.md:1: no frontmatter: start the template with a line ---, the plan in YAML, then a line --- before the welcome note's skeleton`},
	}, {
		name: "unclosed",
		edit: func(s string) string { return strings.Replace(s, "---\nHello", "Hello", 1) },
		want: []string{`small.md:1: the frontmatter opened with --- is never closed: end it with a line holding only ---`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := Parse("small.md", []byte(tt.edit(small)))
			if tm != nil || err == nil {
				t.Fatalf("Parse accepted it")
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			for _, e := range unjoin(err) {
				var te *Error
				if !errors.As(e, &te) || te.File != "small.md" {
					t.Errorf("%v is not a *Error naming small.md", e)
				}
			}
		})
	}
}

func TestParseCycleCarriesScheduleError(t *testing.T) {
	src := strings.Replace(small, "after: [nda]", "after: [nda, order]", 1)
	_, err := Parse("x.md", []byte(src))
	var se *schedule.Error
	if !errors.As(err, &se) || !errors.Is(err, schedule.ErrCycle) || !slices.Equal(se.Cycle, []string{"poc", "order"}) {
		t.Fatalf("err %v: want a *schedule.Error with the cycle poc -> order", err)
	}
}

func TestParseBadFileName(t *testing.T) {
	_, err := Parse("templates/My Plan.md", []byte(small))
	if err == nil || !strings.Contains(err.Error(), `templates/My Plan.md: the file name "My Plan.md" is the template's name: use lowercase letters, digits and hyphens`) {
		t.Fatalf("err %v", err)
	}
}

// TestBuiltins checks the built-in templates against domain.md's rules for
// a good plan: 3 to 5 milestones, about 10 tasks, buyer-side tasks, named
// artifacts as evidence, a one-line description and an onboarding length.
func TestBuiltins(t *testing.T) {
	ts, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tm := range ts {
		names = append(names, tm.Name)
		if !tm.Builtin || tm.File != "builtin/"+tm.Name+".md" {
			t.Errorf("%s: Builtin %v File %q", tm.Name, tm.Builtin, tm.File)
		}
		if n := len(tm.Milestones); n < 3 || n > 5 {
			t.Errorf("%s: %d milestones", tm.Name, n)
		}
		tasks := tm.Tasks()
		if n := len(tasks); n < 7 || n > 12 {
			t.Errorf("%s: %d tasks", tm.Name, n)
		}
		buyer := 0
		for _, k := range tasks {
			if sideOf(k.Owner) == deal.Buyer {
				buyer++
			}
			if len(strings.Fields(k.Evidence)) < 5 {
				t.Errorf("%s: task %s evidence %q names no artifact", tm.Name, k.ID, k.Evidence)
			}
		}
		if buyer < len(tasks)/2 {
			t.Errorf("%s: %d of %d tasks buyer-owned", tm.Name, buyer, len(tasks))
		}
		if tm.Onboarding <= 0 || len(tm.Description) > 200 || tm.Review == nil || len(tm.Criteria) < 3 {
			t.Errorf("%s: onboarding %d, description %d chars, review %v, %d criteria", tm.Name, tm.Onboarding, len(tm.Description), tm.Review, len(tm.Criteria))
		}
	}
	for _, want := range []string{"enterprise-saas", "mid-market-fast-track", "renewal-expansion", "security-heavy"} {
		if !slices.Contains(names, want) {
			t.Errorf("no built-in %s among %v", want, names)
		}
	}
}

func TestParseWorkedExample(t *testing.T) {
	b, err := os.ReadFile("testdata/worked-example.md")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := Parse("testdata/worked-example.md", b)
	if err != nil {
		t.Fatal(err)
	}
	if tm.Name != "worked-example" || tm.Onboarding != 30 || len(tm.Tasks()) != 4 {
		t.Errorf("%+v", tm)
	}
}
