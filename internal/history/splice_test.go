package history_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/history"
)

// editPlan is a plan a test edits at random: milestones of tasks, each
// with a title and a status.
type editPlan struct {
	people     int
	milestones [][]editTask
	titles     []string
}

type editTask struct{ title, status string }

func (p *editPlan) text() []byte {
	var b strings.Builder
	b.WriteString("---\ntitle: Edited deal\nclose: 2027-06-30\nstakeholders:\n")
	for s := range p.people {
		fmt.Fprintf(&b, "  - id: p%d\n    name: Person %d\n    side: buyer\n", s, s)
	}
	b.WriteString("milestones:\n")
	for m, ts := range p.milestones {
		fmt.Fprintf(&b, "  - id: m%d\n    title: %s\n    due: 2027-0%d-01\n    tasks:\n", m, p.titles[m], 1+m%9)
		for t, tk := range ts {
			fmt.Fprintf(&b, "      - id: t%d-%d\n        title: %s\n        owner: p0\n        status: %s\n", m, t, tk.title, tk.status)
			if tk.status == "done" { // a line that comes and goes with the status
				fmt.Fprintf(&b, "        done: 2027-02-%02d\n", 1+len(tk.title))
			}
		}
	}
	b.WriteString("---\nBody.\n")
	return []byte(b.String())
}

// TestMemoEditChain: a deal's versions, each a few random edits of the one
// before (titles of any length, tasks and milestones added and removed,
// statuses, stakeholders), read in turn through one memo, read each as it
// reads alone. The memo parses most of them from the version before
// (splice), so a place it keeps wrong shows here as a wrong plan.
func TestMemoEditChain(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 5))
	word := func() string { return strings.Repeat("x", 1+r.IntN(12)) }
	statuses := []string{"todo", "in-progress", "done", "blocked"}
	for chain := range 20 {
		p := &editPlan{people: 2}
		for range 3 {
			p.titles = append(p.titles, word())
			p.milestones = append(p.milestones, []editTask{{word(), "todo"}, {word(), "todo"}})
		}
		m := history.NewMemo()
		for v := range 200 {
			for range 1 + r.IntN(3) {
				mi := r.IntN(len(p.milestones))
				ts := p.milestones[mi]
				switch k := r.IntN(11); {
				case k < 4 && len(ts) > 0:
					ts[r.IntN(len(ts))].title = word()
				case k < 6 && len(ts) > 0:
					ts[r.IntN(len(ts))].status = statuses[r.IntN(len(statuses))]
				case k == 6:
					at := r.IntN(len(ts) + 1)
					p.milestones[mi] = append(ts[:at:at], append([]editTask{{word(), "todo"}}, ts[at:]...)...)
				case k == 7 && len(ts) > 0:
					at := r.IntN(len(ts))
					p.milestones[mi] = append(ts[:at:at], ts[at+1:]...)
				case k == 8:
					p.titles[mi] = word()
				case k == 9 && len(p.milestones) < 6:
					p.milestones = append(p.milestones, []editTask{{word(), "todo"}})
					p.titles = append(p.titles, word())
				case k == 10:
					p.people = 1 + r.IntN(4)
				}
			}
			src := p.text()
			want, ok := quickPlan(src)
			if !ok {
				t.Fatalf("chain %d version %d: the fast reader refuses it:\n%s", chain, v, src)
			}
			got, ok := history.QuickPlanMemo(src, m)
			if !ok || !samePlan(got, want) {
				t.Fatalf("chain %d version %d through the memo:\n got %+v\nwant %+v\n%s", chain, v, got, want, src)
			}
		}
	}
}
