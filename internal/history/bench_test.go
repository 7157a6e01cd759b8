package history_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

var (
	benchDeals   = flag.Int("history.deals", 1000, "deals in the synthetic repository of the history benchmarks")
	benchCommits = flag.Int("history.commits", 100, "commits in it, each changing every deal's plan (with -history.one, commits of each deal)")
	benchOne     = flag.Bool("history.one", false, "each commit changes one deal's plan, as a seller's commits mostly do: deals x commits commits in all")
	benchRepack  = flag.Bool("history.repack", false, "with -history.one: the repository packed again by git repack -a -d -f, as git gc and a clone pack one (each parent's tree mostly a delta on its child's)")
)

// synthVersion is version v of deal d's plan: 6 stakeholders, 4
// milestones of 3 tasks; each version moves one task's date, every eighth
// finishes a task, and every tenth adds one and moves the milestones.
func synthVersion(d, v int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"Synthetic deal %d\"\nbuyer: Buyer %d Inc\nseller: Seller Co\ngoal: Signed by 30 June 2027 so the launch ships\nclose: 2027-06-30\noutcome: open\n", d, d)
	b.WriteString("review: {day: tuesday, time: \"15:00\", length: 15m}\nstakeholders:\n")
	for s := range 6 {
		side, role := "buyer", "champion"
		if s >= 4 {
			side, role = "seller", "account-executive"
		}
		fmt.Fprintf(&b, "  - {id: p%d, name: Person %d-%d, title: Title %d, side: %s, role: %s, email: p%d@deal%d.example}\n", s, d, s, s, side, role, s, d)
	}
	b.WriteString("milestones:\n")
	base := deal.NewDate(2027, 1, 4)
	for m := range 4 {
		fmt.Fprintf(&b, "  - id: m%d\n    title: Milestone %d\n    due: %s\n    lead: p0\n    evidence: Signed decision record number %d\n    tasks:\n", m, m, base.AddDays(30*m+v/10), m)
		n := 3
		if m == 3 {
			n += v / 10
		}
		for t := range n {
			id := m*3 + t
			due := base.AddDays(30*m + 7*t)
			if id == v%12 {
				due = due.AddDays(v)
			}
			status := "todo"
			switch {
			case id < v/8:
				status = "done"
			case id == v/8:
				status = "in-progress"
			}
			fmt.Fprintf(&b, "      - id: t%d\n        title: Task %d of milestone %d\n        owner: p%d\n        due: %s\n        status: %s\n", id, id, m, id%6, due, status)
			if status == "done" {
				fmt.Fprintf(&b, "        done: %s\n", due)
			}
			b.WriteString("        evidence: Artifact sent by email\n")
		}
	}
	b.WriteString("---\nWelcome to the room.\n")
	return []byte(b.String())
}

type synthRepo struct {
	repo *git.Repository
	head plumbing.Hash
}

var (
	synthOnce sync.Once
	synthRes  synthRepo
	synthErr  error
)

// buildSynth builds, in memory with go-git, a repository of deals x
// commits: the site at the root, content/deal-NNNN/index.md, each commit
// writing a new version of every plan, authored in turn by a buyer of one
// deal and the seller.
func buildSynth(deals, commits int) (synthRepo, error) {
	st := memory.NewStorage()
	repo, err := git.Init(st, nil)
	if err != nil {
		return synthRepo{}, err
	}
	put := func(t plumbing.ObjectType, enc func(plumbing.EncodedObject) error) (plumbing.Hash, error) {
		o := st.NewEncodedObject()
		o.SetType(t)
		if err := enc(o); err != nil {
			return plumbing.ZeroHash, err
		}
		return st.SetEncodedObject(o)
	}
	blob := func(data []byte) (plumbing.Hash, error) {
		return put(plumbing.BlobObject, func(o plumbing.EncodedObject) error {
			w, err := o.Writer()
			if err != nil {
				return err
			}
			w.Write(data)
			return w.Close()
		})
	}
	tree := func(es []object.TreeEntry) (plumbing.Hash, error) {
		return put(plumbing.TreeObject, func(o plumbing.EncodedObject) error { return (&object.Tree{Entries: es}).Encode(o) })
	}
	var parent plumbing.Hash
	when := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	es := make([]object.TreeEntry, deals)
	total := commits
	if *benchOne {
		total = deals * commits
	}
	for c := range total {
		from, to, v := 0, deals, c
		if *benchOne && c > 0 { // the first commit writes every deal
			from, v = c%deals, c/deals+1
			to = from + 1
		}
		for d := from; d < to; d++ {
			bh, err := blob(synthVersion(d, v))
			if err != nil {
				return synthRepo{}, err
			}
			dh, err := tree([]object.TreeEntry{{Name: "index.md", Mode: filemode.Regular, Hash: bh}})
			if err != nil {
				return synthRepo{}, err
			}
			es[d] = object.TreeEntry{Name: fmt.Sprintf("deal-%04d", d), Mode: filemode.Dir, Hash: dh}
		}
		ch, err := tree(es)
		if err != nil {
			return synthRepo{}, err
		}
		rh, err := tree([]object.TreeEntry{{Name: "content", Mode: filemode.Dir, Hash: ch}})
		if err != nil {
			return synthRepo{}, err
		}
		sig := object.Signature{Name: "Seller", Email: "p4@deal0.example", When: when.Add(time.Duration(c) * 24 * time.Hour)}
		if c%2 == 1 {
			sig.Name, sig.Email = "Buyer", fmt.Sprintf("p1@deal%d.example", c%deals)
		}
		cm := &object.Commit{Author: sig, Committer: sig, Message: fmt.Sprintf("week %d\n", c), TreeHash: rh}
		if c > 0 {
			cm.ParentHashes = []plumbing.Hash{parent}
		}
		if parent, err = put(plumbing.CommitObject, cm.Encode); err != nil {
			return synthRepo{}, err
		}
	}
	if err := st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("master"), parent)); err != nil {
		return synthRepo{}, err
	}
	return synthRepo{repo: repo, head: parent}, nil
}

func synthShared(b *testing.B) synthRepo {
	synthOnce.Do(func() {
		synthRes, synthErr = buildSynth(*benchDeals, *benchCommits)
		runtime.GC() // building it leaves garbage the reads should not pay for
	})
	if synthErr != nil {
		b.Fatal(synthErr)
	}
	return synthRes
}

// BenchmarkReadCold reads the whole history of the synthetic repository
// (default 1,000 deals x 100 commits, 100,000 plan versions) without a
// cache:
//
//	go test ./internal/history -run '^$' -bench 'Read' -benchtime 5x -count 5
func BenchmarkReadCold(b *testing.B) {
	s := synthShared(b)
	b.ResetTimer()
	for b.Loop() {
		h, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan})
		if err != nil {
			b.Fatal(err)
		}
		if len(h.Deals) != *benchDeals || h.Stats.Versions < *benchDeals**benchCommits {
			b.Fatalf("read %d deals, %+v", len(h.Deals), h.Stats)
		}
	}
}

// packedSynth writes the synthetic repository as a site on disk whose
// objects are in one pack file (deltas over a window of 10, as go-git packs
// them), once per machine: it is kept in the system's temporary folder,
// keyed by its size, as packing takes a while.
func packedSynth(b *testing.B) string {
	b.Helper()
	if *benchOne {
		return importedSynth(b)
	}
	dir := filepath.Join(os.TempDir(), "maproom-history-bench", fmt.Sprintf("packed-%dx%d", *benchDeals, *benchCommits))
	if _, err := os.Stat(filepath.Join(dir, ".git", "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	s := synthShared(b)
	if err := writeOnDisk(filepath.Join(dir, ".git"), s, s.head, false); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "done"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// writeOnDisk writes the repository s as the git folder gitDir: the
// objects packed reaches (all of them when packed is s.head) in one pack
// file, with deltas over a window of 10 (REF deltas when refDeltas, else
// OFS ones), the rest as loose objects, and HEAD on master at s.head.
func writeOnDisk(gitDir string, s synthRepo, packed plumbing.Hash, refDeltas bool) error {
	fs := filesystem.NewStorage(osfs.New(gitDir), cache.NewObjectLRUDefault())
	if _, err := git.Init(fs, nil); err != nil {
		return err
	}
	inPack := map[plumbing.Hash]bool{}
	for c := packed; !c.IsZero(); {
		cm, err := object.GetCommit(s.repo.Storer, c)
		if err != nil {
			return err
		}
		inPack[c] = true
		t, err := cm.Tree()
		if err != nil {
			return err
		}
		inPack[t.Hash] = true
		tw := object.NewTreeWalker(t, true, nil)
		for {
			_, e, err := tw.Next()
			if err != nil {
				break
			}
			inPack[e.Hash] = true
		}
		tw.Close()
		c = plumbing.ZeroHash
		if len(cm.ParentHashes) > 0 {
			c = cm.ParentHashes[0]
		}
	}
	var hs []plumbing.Hash
	it, err := s.repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return err
	}
	err = it.ForEach(func(o plumbing.EncodedObject) error {
		if inPack[o.Hash()] {
			hs = append(hs, o.Hash())
			return nil
		}
		_, err := fs.SetEncodedObject(o)
		return err
	})
	if err != nil {
		return err
	}
	// In one order every time: the storage lists its objects in a map's
	// order, and the pack's layout (which object a damaged byte falls in)
	// would change from run to run.
	slices.SortFunc(hs, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	pw, err := fs.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(pw, s.repo.Storer, refDeltas).Encode(hs, 10); err != nil {
		return err
	}
	if err := pw.Close(); err != nil {
		return err
	}
	master := plumbing.NewBranchReferenceName("master")
	if err := fs.SetReference(plumbing.NewHashReference(master, s.head)); err != nil {
		return err
	}
	return fs.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, master))
}

// importedSynth writes, with git fast-import, the repository where each
// commit changes one deal's plan (-history.one: deals x commits commits,
// the first writing every deal), once per machine in the system's
// temporary folder. go-git's packer would take long over so many commits
// of a tree of every deal; fast-import packs each version on the one
// before it, as it streams. With -history.repack, git repack then packs it
// again, as git gc would (a minute for 100,000 commits). It needs git;
// without it the benchmark skips.
func importedSynth(b *testing.B) string {
	b.Helper()
	name := fmt.Sprintf("one-%dx%d", *benchDeals, *benchCommits)
	if *benchRepack {
		name += "-repacked"
	}
	dir := filepath.Join(os.TempDir(), "maproom-history-bench", name)
	if _, err := os.Stat(filepath.Join(dir, ".git", "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	importOneADay(b, dir, *benchDeals, *benchCommits, false)
	if *benchRepack {
		cmd := exec.Command("git", "repack", "-a", "-d", "-f", "-q")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git repack: %v\n%s", err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "done"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// importOneADay writes into dir, with git fast-import, a repository where
// the first commit writes every deal's plan and each commit after changes
// one deal's: deals x commits commits; with churn, every third commit
// also adds a deal folder, removed three commits later. It skips without
// git.
func importOneADay(tb testing.TB, dir string, deals, commits int, churn bool) {
	tb.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		tb.Skip("git is not installed: the repository of one deal a commit is written with git fast-import (.ci/run has it)")
	}
	run := func(stdin io.Reader, args ...string) {
		cmd := exec.Command(gitBin, args...)
		cmd.Dir, cmd.Stdin = dir, stdin
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "init", "-q")
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 1<<20)
		when := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC).Unix()
		for c := range deals * commits {
			who := "Seller <p4@deal0.example>"
			if c%2 == 1 {
				who = fmt.Sprintf("Buyer <p1@deal%d.example>", c%deals)
			}
			t := when + int64(c)*600
			msg := fmt.Sprintf("edit %d\n", c)
			fmt.Fprintf(w, "commit refs/heads/master\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s", c+1, who, t, who, t, len(msg), msg)
			from, to, v := 0, deals, 0
			if c > 0 {
				fmt.Fprintf(w, "from :%d\n", c)
				from, v = c%deals, c/deals+1
				to = from + 1
			}
			for d := from; d < to; d++ {
				plan := synthVersion(d, v)
				fmt.Fprintf(w, "M 100644 inline content/deal-%04d/index.md\ndata %d\n%s\n", d, len(plan), plan)
			}
			if churn && c > 0 && c%3 == 0 {
				// A deal folder comes and, three commits later, goes: the
				// content tree's length changes as a deal is added or
				// removed, mid-history.
				plan := synthVersion(c%deals, 0)
				fmt.Fprintf(w, "M 100644 inline content/deal-%04d-%d/index.md\ndata %d\n%s\n", c%deals, c, len(plan), plan)
				if c > 3 {
					fmt.Fprintf(w, "D content/deal-%04d-%d\n", (c-3)%deals, c-3)
				}
			}
			w.WriteString("\n")
		}
		pw.CloseWithError(w.Flush())
	}()
	run(pr, "fast-import", "--quiet")
	run(nil, "symbolic-ref", "HEAD", "refs/heads/master")
}

// BenchmarkReadColdPacked reads the same history from a repository on
// disk, packed, without a cache: the first report on a site, where every
// version is also inflated and its deltas applied. With -history.one the
// repository has a commit for each version (100,000 commits by default,
// written with git fast-import), each commit's trees read and compared.
//
//	go test ./internal/history -run '^$' -bench 'ReadColdPacked' -benchtime 3x -count 5
//	go test ./internal/history -run '^$' -bench 'ReadColdPacked' -benchtime 1x -count 5 -history.one
//	go test ./internal/history -run '^$' -bench 'ReadColdPacked' -benchtime 1x -count 5 -history.one -history.repack
func BenchmarkReadColdPacked(b *testing.B) {
	dir := packedSynth(b)
	runtime.GC()
	b.ResetTimer()
	cpu := cpuTime()
	defer func() { b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
	for b.Loop() {
		h, err := history.Read(context.Background(), history.Options{Root: dir, Decode: generator.DecodePlan})
		if err != nil {
			b.Fatal(err)
		}
		if len(h.Deals) != *benchDeals || h.Stats.Versions < *benchDeals**benchCommits {
			b.Fatalf("read %d deals, %+v", len(h.Deals), h.Stats)
		}
	}
}

// BenchmarkPlanVersions reads the 100 versions of 20 synthetic plans, each
// plan's through one memo, on one goroutine: the fast reader's share of a
// cold read, with no git in it.
func BenchmarkPlanVersions(b *testing.B) {
	var srcs [][][]byte
	for d := range 20 {
		var vs [][]byte
		for v := range 100 {
			vs = append(vs, synthVersion(d, v))
		}
		srcs = append(srcs, vs)
	}
	for b.Loop() {
		for _, vs := range srcs {
			m := history.NewMemo()
			for _, src := range vs {
				if _, ok := history.QuickPlanMemo(src, m); !ok {
					b.Fatal("a synthetic version is not read by the fast reader")
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*2000), "ns/version")
}

// BenchmarkReadWarm reads it again with the cache the first read wrote:
// no commit is read from git.
func BenchmarkReadWarm(b *testing.B) {
	s := synthShared(b)
	cache := filepath.Join(b.TempDir(), "history.cache")
	if _, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan, Cache: cache}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		h, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan, Cache: cache})
		if err != nil {
			b.Fatal(err)
		}
		if h.Stats.Read != 0 || len(h.Deals) != *benchDeals {
			b.Fatalf("warm read: %+v", h.Stats)
		}
	}
}

// TestSynthHistory checks the synthetic repository's story on a small one:
// every version moves a date or a status, and buyer commits count as the
// buyer's in the deal whose buyer wrote them.
func TestSynthHistory(t *testing.T) {
	s, err := buildSynth(5, 12)
	if err != nil {
		t.Fatal(err)
	}
	h, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Deals) != 5 || h.Stats.Slow != 0 {
		t.Fatalf("deals %d, stats %+v (every version should be read by the fast reader)", len(h.Deals), h.Stats)
	}
	st := h.Story("deal-0001")
	if st.Commits != 12 {
		t.Errorf("deal-0001: %d commits, want 12", st.Commits)
	}
	// Buyer commits are the odd ones, by p1 of deal c%5: deal 1 gets
	// commits 1 and 11.
	var buyerCommits = map[string]bool{}
	for _, c := range st.Changes {
		if c.Author.Side == deal.Buyer {
			buyerCommits[c.Commit] = true
		}
	}
	if len(buyerCommits) != 2 {
		t.Errorf("deal-0001: %d buyer commits, want 2", len(buyerCommits))
	}
	if len(st.Slips()) == 0 {
		t.Errorf("deal-0001 has no slip")
	}
}

// TestWalkMemoAgrees: the walk through the memo (pieces parsed once, plans
// recycled) tells every deal's story exactly as reading each version alone
// does.
func TestWalkMemoAgrees(t *testing.T) {
	// 20 deals of 40 versions, and 3 of 400: enough pieces for the memo
	// to fill up and start again, with plans recycled all along.
	t.Run("20x40", func(t *testing.T) { walkMemoAgrees(t, 20, 40) })
	t.Run("3x400", func(t *testing.T) { walkMemoAgrees(t, 3, 400) })
}

func walkMemoAgrees(t *testing.T, deals, commits int) {
	s, err := buildSynth(deals, commits)
	if err != nil {
		t.Fatal(err)
	}
	read := func(plain bool) *history.History {
		*history.WalkWithoutMemo = plain
		defer func() { *history.WalkWithoutMemo = false }()
		h, err := history.ReadRepo(context.Background(), s.repo, "", history.Options{Decode: generator.DecodePlan})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	memo, plain := read(false), read(true)
	if len(memo.Deals) != deals {
		t.Fatalf("%d deals", len(memo.Deals))
	}
	for id, want := range plain.Deals {
		got := memo.Deals[id]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: through the memo\n got %+v\nwant %+v", id, got, want)
		}
		if len(want.Changes) < commits {
			t.Errorf("%s: %d changes in %d commits", id, len(want.Changes), commits)
		}
	}
}
