package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// TestUsualOf: a plan started from a template (template:) is checked for
// the milestones deals of that kind usually need: one it has under
// another id but the same title, or as a step, counts; one it lacks is
// named, and check warns of it on the template: line; a template the
// site does not have is a warning of its own; a site's own template of
// the same name stands in for the built-in.
func TestUsualOf(t *testing.T) {
	root := t.TempDir()
	d := &deal.Deal{Template: "enterprise-saas", Milestones: []deal.Milestone{
		{ID: "needs-confirmed", Title: "Needs agreed"},
		{ID: "poc", Title: "Proof of concept passed"}, // the template's tech-eval, by title
		{ID: "contract", Title: "Contract", Tasks: []deal.Task{{ID: "business-case", Title: "Business case"}}},
	}}
	u, ok := UsualOf(root, d)
	if !ok || !u.Known {
		t.Fatalf("UsualOf = %+v, %v; want the built-in template known", u, ok)
	}
	var missing []string
	for _, m := range u.Missing {
		missing = append(missing, m.ID)
	}
	if got := strings.Join(missing, " "); got != "security-approved signature" {
		t.Errorf("missing %q, want the security review and the signature", got)
	}
	if _, ok := UsualOf(root, &deal.Deal{}); ok {
		t.Error("a plan that names no template is said to have one")
	}
	if u, _ := UsualOf(root, &deal.Deal{Template: "no-such"}); u.Known {
		t.Error("an unknown template is known")
	}
	// The site's own enterprise-saas, with one milestone only.
	if err := os.MkdirAll(filepath.Join(root, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	own := "---\nname: enterprise-saas\ndescription: ours\nstakeholders:\n  - {role: champion, side: buyer}\nmilestones:\n  - id: kickoff\n    title: Kickoff held\n    lead: champion\n    evidence: Kickoff notes\n    tasks:\n      - {id: kick, title: Kick off, owner: champion, duration: 1, evidence: Notes sent}\n---\n"
	if err := os.WriteFile(filepath.Join(root, "templates", "enterprise-saas.md"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, _ := UsualOf(root, d); len(u.Missing) != 1 || u.Missing[0].ID != "kickoff" {
		t.Errorf("with the site's own template: missing %+v, want its kickoff", u.Missing)
	}
	// Broken since: said as such, not as an unknown name.
	if err := os.WriteFile(filepath.Join(root, "templates", "enterprise-saas.md"), []byte("---\nname: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, _ := UsualOf(root, d); u.Known || u.Broken == nil {
		t.Errorf("with the site's template broken: %+v, want it said broken", u)
	}
}
