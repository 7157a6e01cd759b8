package generator

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/token"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
)

var benchDeals = flag.Int("bench.deals", 1000, "deals in the synthetic site of BenchmarkBuild (x8 stakeholders x3 pages)")

// benchSite writes the synthetic site once per process.
func benchSite(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "maproom-bench-site", "deals-"+itoa(*benchDeals))
	if _, err := os.Stat(filepath.Join(dir, "content")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if err := synth.Write(dir, synth.Options{Deals: *benchDeals, Stakeholders: 8, Pages: 3, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

func itoa(n int) string {
	return string(rune('0'+n/1000%10)) + string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}

func benchOptions(root, out string) Options {
	return Options{Root: root, Out: out, StateDir: filepath.Join(out, "..", "state"), Secret: []byte("bench-secret-0123456789abcdef0123"), Today: deal.NewDate(2027, 1, 15)}
}

// BenchmarkBuild measures a full build of the synthetic site (1,000 deals x
// 8 stakeholders x 3 collateral pages by default) into an empty folder, and
// reports pages per second.
//
//	go test ./generator -run '^$' -bench 'Build' -benchtime 3x -count 5
func BenchmarkBuild(b *testing.B) {
	root := benchSite(b)
	pages := 0
	for b.Loop() {
		b.StopTimer()
		work := b.TempDir()
		b.StartTimer()
		res, err := Build(context.Background(), benchOptions(root, filepath.Join(work, "public")))
		if err != nil {
			b.Fatal(err)
		}
		pages = res.Stats.Pages
	}
	b.ReportMetric(float64(pages)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(pages), "pages")
}

// builtOnce builds the synthetic site into a fresh folder, for the
// rebuild benchmarks, and returns the options that built it.
func builtOnce(b *testing.B) Options {
	b.Helper()
	opts := benchOptions(benchSite(b), filepath.Join(b.TempDir(), "public"))
	if _, err := Build(context.Background(), opts); err != nil {
		b.Fatal(err)
	}
	return opts
}

// BenchmarkRebuildNoChange measures a rebuild in which nothing changed: it
// must rewrite no file.
func BenchmarkRebuildNoChange(b *testing.B) {
	opts := builtOnce(b)
	for b.Loop() {
		res, err := Build(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Written != 0 {
			b.Fatalf("a no-change rebuild wrote %d files", res.Stats.Written)
		}
	}
}

// BenchmarkRebuildNewDay measures the rebuild of a new day: every room
// shows days to the close, so every page is rendered and put in place
// again, over the last build's.
//
//	go test ./generator -run '^$' -bench RebuildNewDay -benchtime 3x -count 5
func BenchmarkRebuildNewDay(b *testing.B) {
	opts := builtOnce(b)
	for b.Loop() {
		opts.Today = opts.Today.AddDays(1)
		res, err := Build(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Written == 0 {
			b.Fatal("a new day's rebuild wrote no file")
		}
	}
}

// BenchmarkServeEditToServed measures what a seller waits for in `maproom
// serve` on the synthetic site: from saving an edit to one deal's index.md
// to the rebuilt room holding the edit on disk, where the preview server
// reads it — file-system event, debounce, reload, check, render and publish
// included.
//
//	go test ./generator -run '^$' -bench ServeEditToServed -benchtime 20x
func BenchmarkServeEditToServed(b *testing.B) {
	root := b.TempDir()
	if err := synth.Write(root, synth.Options{Deals: *benchDeals, Stakeholders: 8, Pages: 3, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	opts := benchOptions(root, filepath.Join(root, "preview"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, _, err := NewPreview(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	batches, err := Watch(ctx, WatchOptions{Roots: []string{filepath.Join(root, ContentDir)}})
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(root, ContentDir, synth.DealID(7), BundleIndex)
	src, _ := os.ReadFile(file)
	site := p.Site()
	var room string
	for _, bd := range site.Bundles {
		if bd.Deal.ID == synth.DealID(7) {
			room = filepath.Join(opts.Out, "r", token.Room(opts.Secret, bd.Deal.ID, "p0", bd.Deal.Stakeholders[0].Rotate), "index.html")
		}
	}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		marker := fmt.Sprintf("edit number %d", i)
		start := time.Now()
		if err := os.WriteFile(file, append(append([]byte{}, src...), []byte("\n"+marker+"\n")...), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			batch := <-batches
			if _, err := p.Update(ctx, batch); err != nil {
				b.Fatal(err)
			}
			if got, _ := os.ReadFile(room); strings.Contains(string(got), marker) {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}

// BenchmarkLoad measures loading and checking the synthetic site's plans,
// the first step of every build, check and report.
//
//	go test ./generator -run '^$' -bench 'Load$' -benchtime 10x -count 5
func BenchmarkLoad(b *testing.B) {
	root := benchSite(b)
	b.ReportAllocs()
	for b.Loop() {
		site, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2027, 1, 15)})
		if ps.Errors() > 0 || len(site.Bundles) != *benchDeals {
			b.Fatalf("%d bundles, %d errors", len(site.Bundles), ps.Errors())
		}
	}
}

// BenchmarkBuildLongChain builds one deal of 1,000 steps, each after the
// one before and all of them late: every late step's room line says what
// it waits on, found for the whole chain at once (found for each step
// through the whole chain, it took seconds).
//
//	go test ./generator -run '^$' -bench 'BuildLongChain' -benchtime 5x -count 5
func BenchmarkBuildLongChain(b *testing.B) {
	root := b.TempDir()
	var plan strings.Builder
	plan.WriteString("---\ntitle: Chain\nbuyer: Zeta Corp\nseller: Northwind\ngoal: Signed by 29 January 2030\nclose: 2030-01-29\n" +
		"stakeholders:\n  - {id: ann, name: Ann Ames, title: CFO, side: buyer, role: economic-buyer}\n" +
		"  - {id: bob, name: Bob Burns, title: CTO, side: buyer, role: technical-evaluator}\n" +
		"  - {id: sam, name: Sam Lee, title: AE, side: seller, role: account-executive}\n" +
		"milestones:\n  - id: m1\n    title: Evaluation passed\n    due: 2030-01-20\n    lead: bob\n    evidence: Evaluation report signed by Bob\n    tasks:\n")
	for i := range 1000 {
		fmt.Fprintf(&plan, "      - id: t%d\n        title: Step number %d\n        owner: %s\n        due: %s\n        status: todo\n        evidence: Results table %d signed by Bob\n",
			i, i, []string{"sam", "bob", "ann"}[i%3], deal.NewDate(2026, 1, 1).AddDays(i/4), i)
		if i > 0 {
			fmt.Fprintf(&plan, "        after: [t%d]\n", i-1)
		}
	}
	plan.WriteString("---\nWelcome.\n")
	if err := os.MkdirAll(filepath.Join(root, ContentDir, "chain"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ContentDir, "chain", BundleIndex), []byte(plan.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	opts := benchOptions(root, filepath.Join(root, "out"))
	for b.Loop() {
		os.RemoveAll(opts.Out)
		os.RemoveAll(opts.StateDir)
		if _, err := Build(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
