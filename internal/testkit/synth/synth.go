// Package synth writes synthetic maproom sites: many deals of plausible
// shape, for benchmarks and for the randomized leak test. The same Options
// always write the same site (randomness comes from Seed only).
//
// Every collateral's title, file body and file name carry a marker unique to
// it (Marker), so a test can prove where its content did or did not reach.
package synth

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Options sizes a site. The zero value of a field takes its default.
type Options struct {
	Deals        int    // default 10
	Stakeholders int    // per deal, default 8 (2 of them seller side)
	Pages        int    // Markdown collateral pages per deal, default 3
	Files        int    // non-Markdown collateral files per deal, default 0
	Seed         uint64 // randomness for audiences, statuses and dates
	// RandomAudiences gives each collateral a random audience of ids and
	// roles (sometimes empty: every buyer). Otherwise page i goes to
	// alternating role groups, as a seller would scope pricing and security.
	RandomAudiences bool
}

var buyerRoles = []string{"economic-buyer", "champion", "technical-evaluator", "security", "legal", "procurement", "end-user", "executive-sponsor", "approver"}

// Marker returns the marker of collateral c of deal d.
func Marker(deal, c int) string { return fmt.Sprintf("zqmark%04dx%02d", deal, c) }

// DealID returns the id of deal d.
func DealID(d int) string { return fmt.Sprintf("deal-%04d", d) }

// Write writes the site (maproom.toml and content/) under root.
func Write(root string, o Options) error {
	if o.Deals == 0 {
		o.Deals = 10
	}
	if o.Stakeholders == 0 {
		o.Stakeholders = 8
	}
	if o.Pages == 0 {
		o.Pages = 3
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	if err := os.MkdirAll(filepath.Join(root, "content"), 0o755); err != nil {
		return err
	}
	cfg := "title = \"Synthetic deal rooms\"\nbase_url = \"https://rooms.example.com\"\ntimezone = \"UTC\"\n"
	if err := os.WriteFile(filepath.Join(root, "maproom.toml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	for d := 0; d < o.Deals; d++ {
		if err := writeDeal(root, d, o, r); err != nil {
			return err
		}
	}
	return nil
}

func writeDeal(root string, d int, o Options, r *rand.Rand) error {
	dir := filepath.Join(root, "content", DealID(d))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"Synthetic deal %d\"\nbuyer: Buyer %d Inc\nseller: Seller Co\n", d, d)
	fmt.Fprintf(&b, "goal: Signed by 30 June 2027 so the launch in July ships on time\nclose: 2027-06-30\n")
	fmt.Fprintf(&b, "outcome: %s\nvalue: %d\n", []string{"open", "open", "open", "won", "lost"}[r.IntN(5)], 10000+r.IntN(900000))
	b.WriteString("review: {day: tuesday, time: \"15:00\", length: 15m}\nstakeholders:\n")
	sellers := 2
	if o.Stakeholders < 4 {
		sellers = 1
	}
	type person struct{ id, role string }
	var ppl []person
	for s := 0; s < o.Stakeholders; s++ {
		side, role := "buyer", buyerRoles[s%len(buyerRoles)]
		if s >= o.Stakeholders-sellers {
			side, role = "seller", []string{"account-executive", "solutions-engineer"}[(o.Stakeholders-1-s)%2]
		}
		id := fmt.Sprintf("p%d", s)
		ppl = append(ppl, person{id, role})
		fmt.Fprintf(&b, "  - {id: %s, name: Person %d-%d, title: Title %d, side: %s, role: %s, rotate: %d}\n", id, d, s, s, side, role, r.IntN(2))
	}
	nColl := o.Pages + o.Files
	b.WriteString("milestones:\n")
	task := 0
	for m := 0; m < 4; m++ {
		fmt.Fprintf(&b, "  - id: m%d\n    title: Milestone %d\n    due: 2027-0%d-15\n    lead: p%d\n    evidence: Signed decision record number %d\n    tasks:\n", m, m, m+2, m%(o.Stakeholders-sellers), m)
		for t := 0; t < 3; t++ {
			owner := ppl[r.IntN(len(ppl))].id
			status := []string{"todo", "in-progress", "done", "blocked"}[r.IntN(4)]
			fmt.Fprintf(&b, "      - id: t%d\n        title: Task %d of milestone %d\n        owner: %s\n        due: 2027-0%d-%02d\n        status: %s\n", task, task, m, owner, m+2, 1+t*4, status)
			if status == "done" {
				fmt.Fprintf(&b, "        done: 2027-0%d-%02d\n", m+2, 1+t*4)
			}
			if task > 0 {
				fmt.Fprintf(&b, "        after: [t%d]\n", task-1)
			}
			fmt.Fprintf(&b, "        evidence: Artifact number %d sent by email\n", task)
			if nColl > 0 {
				fmt.Fprintf(&b, "        collateral: [c%d]\n", r.IntN(nColl))
			}
			task++
		}
	}
	b.WriteString("criteria:\n  - The pilot meets the agreed load\n  - The security review passes\n")
	if nColl > 0 {
		b.WriteString("collateral:\n")
	}
	for c := 0; c < nColl; c++ {
		mk := Marker(d, c)
		ext := ".md"
		if c >= o.Pages {
			ext = ".pdf"
		}
		name := fmt.Sprintf("doc-%s%s", mk, ext)
		fmt.Fprintf(&b, "  - {id: c%d, title: \"Document %s\", file: %s", c, mk, name)
		if aud := audience(c, ppl[:len(ppl)-sellers], o.RandomAudiences, r); aud != nil {
			fmt.Fprintf(&b, ", audience: [%s]", strings.Join(aud, ", "))
		}
		b.WriteString("}\n")
		var body string
		if ext == ".md" {
			body = fmt.Sprintf("# About %s\n\nThis page is for its audience only: %s.\n\n| item | price |\n|---|---|\n| seats | %d |\n\n- [x] reviewed\n- [ ] signed\n\nSee [the next document](doc-%s.md).\n", mk, mk, r.IntN(1000), Marker(d, (c+1)%nColl))
		} else {
			body = "%PDF-1.4\n% " + mk + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	b.WriteString("---\nWelcome to the room. We review the plan every Tuesday.\n\n")
	for c := 0; c < nColl; c++ {
		fmt.Fprintf(&b, "- [Document %d](doc-%s%s)\n", c, Marker(d, c), map[bool]string{true: ".md", false: ".pdf"}[c < o.Pages])
	}
	return os.WriteFile(filepath.Join(dir, "index.md"), []byte(b.String()), 0o644)
}

// audience picks a collateral audience; nil means every buyer stakeholder.
func audience[P interface{ ~struct{ id, role string } }](c int, buyers []P, random bool, r *rand.Rand) []string {
	if !random {
		switch c % 3 {
		case 0:
			return nil
		case 1:
			return []string{`"role:economic-buyer"`, `"role:champion"`}
		default:
			return []string{`"role:security"`, `"role:technical-evaluator"`}
		}
	}
	if r.IntN(4) == 0 {
		return nil
	}
	var out []string
	for _, p := range buyers {
		pp := struct{ id, role string }(p)
		switch r.IntN(5) {
		case 0:
			out = append(out, pp.id)
		case 1:
			out = append(out, `"role:`+pp.role+`"`)
		}
	}
	if len(out) == 0 {
		out = append(out, struct{ id, role string }(buyers[0]).id)
	}
	return out
}
