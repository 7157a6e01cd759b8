package schedule

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// A shape builds a deal of n tasks, spread over five milestones.
type shape struct {
	name string
	gen  func(n int) *deal.Deal
}

func shapes() []shape { return []shape{{"chain", chainDeal}, {"dag", dagDeal}} }

func spread(tasks []deal.Task) *deal.Deal {
	d := &deal.Deal{ID: "big", Close: mustDate("2030-12-31")}
	d.Milestones = make([]deal.Milestone, 5)
	for i, t := range tasks {
		t.Line = i + 1
		m := &d.Milestones[i*len(d.Milestones)/len(tasks)]
		m.Tasks = append(m.Tasks, t)
	}
	return d
}

// chainDeal is n tasks of one to five days, each after the one before.
func chainDeal(n int) *deal.Deal {
	tasks := make([]deal.Task, n)
	for i := range tasks {
		tasks[i] = task("t"+strconv.Itoa(i), 1+i%5)
		if i > 0 {
			tasks[i].After = []string{tasks[i-1].ID}
		}
	}
	return spread(tasks)
}

// dagDeal is n tasks of one to five days, each after up to three distinct
// random earlier tasks (about three dependencies per task), a tenth of
// them done.
func dagDeal(n int) *deal.Deal {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	tasks := make([]deal.Task, n)
	for i := range tasks {
		tasks[i] = task("t"+strconv.Itoa(i), 1+rng.IntN(5))
		if i < n/10 {
			tasks[i] = done(tasks[i], "2026-05-01")
		}
		for range min(i, 3) {
			dep := "t" + strconv.Itoa(rng.IntN(i))
			if !contains(tasks[i].After, dep) {
				tasks[i].After = append(tasks[i].After, dep)
			}
		}
	}
	return spread(tasks)
}

// tangledDeal is n tasks each after three random tasks, earlier or later:
// a graph full of cycles.
func tangledDeal(n int) *deal.Deal {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	tasks := make([]deal.Task, n)
	for i := range tasks {
		tasks[i] = task("t"+strconv.Itoa(i), 1)
		for range 3 {
			tasks[i].After = append(tasks[i].After, "t"+strconv.Itoa(rng.IntN(n)))
		}
	}
	return spread(tasks)
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func benchCalendar() Calendar {
	var hs []deal.Date
	for _, s := range []string{"2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26",
		"2026-12-25", "2027-01-01", "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"} {
		hs = append(hs, mustDate(s))
	}
	return NewCalendar(hs...)
}

// TestComputeIsLinear checks that scheduling does a bounded amount of work
// per task and per dependency, by counting steps rather than timing them:
// at most 12 visits per task and 8 per dependency (the number of passes
// that look at each), for chains, random DAGs and graphs full of cycles,
// and ten times the tasks takes about ten times the steps.
func TestComputeIsLinear(t *testing.T) {
	today := mustDate("2026-06-01")
	cal := benchCalendar()
	for _, sh := range append(shapes(), shape{"tangled", tangledDeal}) {
		var steps [2]int
		for k, n := range []int{1_000, 10_000} {
			d := sh.gen(n)
			edges := 0
			for _, t := range d.Tasks() {
				edges += len(t.After)
			}
			for _, run := range []struct {
				name string
				f    func(w *work) error
			}{
				{"Compute", func(w *work) error { _, err := compute(d, today, cal, w); return err }},
				{"Backward", func(w *work) error {
					var tmpl []TemplateTask
					for _, t := range d.Tasks() {
						tmpl = append(tmpl, TemplateTask{ID: t.ID, Duration: t.Duration, After: t.After})
					}
					_, err := backward(tmpl, d.Close, cal, w)
					return err
				}},
			} {
				var w work
				err := run.f(&w)
				if (err != nil) != (sh.name == "tangled") {
					t.Fatalf("%s %s/%d: %v", run.name, sh.name, n, err)
				}
				t.Logf("%s %s/%d: %d tasks, %d dependencies: %d task visits, %d dependency visits",
					run.name, sh.name, n, n, edges, w.nodes, w.edges)
				if w.nodes > 12*n || w.edges > 8*edges {
					t.Errorf("%s %s/%d: %d task visits (> 12 per task) or %d dependency visits (> 8 per dependency)",
						run.name, sh.name, n, w.nodes, w.edges)
				}
				if run.name == "Compute" {
					steps[k] = w.nodes + w.edges
				}
			}
		}
		if r := float64(steps[1]) / float64(steps[0]); r < 9 || r > 11 {
			t.Errorf("%s: 10x the tasks takes %.2fx the steps", sh.name, r)
		}
	}
}

func BenchmarkCompute(b *testing.B) {
	today := mustDate("2026-06-01")
	cal := benchCalendar()
	for _, sh := range shapes() {
		for _, n := range []int{1_000, 10_000} {
			d := sh.gen(n)
			b.Run(fmt.Sprintf("%s/%d", sh.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Compute(d, today, cal); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkBackward(b *testing.B) {
	cal := benchCalendar()
	for _, sh := range shapes() {
		for _, n := range []int{1_000, 10_000} {
			var tmpl []TemplateTask
			for _, t := range sh.gen(n).Tasks() {
				tmpl = append(tmpl, TemplateTask{ID: t.ID, Duration: t.Duration, After: t.After})
			}
			b.Run(fmt.Sprintf("%s/%d", sh.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Backward(tmpl, mustDate("2030-12-31"), cal); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
