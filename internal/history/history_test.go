package history_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// task is one task line of a test plan.
type task struct{ id, ms, due, status, done string }

// planText writes a plan with two milestones (m1, m2, due as given), the
// tasks, a buyer (jordan@acme.example) and a seller (sam@north.example).
func planText(close, m1, m2 string, tasks ...task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"Acme: data platform\"\nbuyer: Acme\nseller: North\ngoal: Signed by the close so the launch ships\nclose: %s\n", close)
	b.WriteString("stakeholders:\n  - {id: jordan, name: Jordan Park, side: buyer, role: champion, email: Jordan.Park@acme.example}\n")
	b.WriteString("  - {id: sam, name: Sam Lee, side: seller, role: account-executive, email: sam@north.example}\n")
	b.WriteString("milestones:\n")
	for _, m := range []struct{ id, due string }{{"m1", m1}, {"m2", m2}} {
		fmt.Fprintf(&b, "  - id: %s\n    title: Milestone %s\n    due: %s\n    lead: jordan\n    evidence: Signed decision record\n    tasks:\n", m.id, m.id, m.due)
		for _, t := range tasks {
			if t.ms != m.id {
				continue
			}
			fmt.Fprintf(&b, "      - id: %s\n        title: Task %s # a comment\n        owner: jordan\n        due: %s\n        status: %s\n", t.id, t.id, t.due, t.status)
			if t.done != "" {
				fmt.Fprintf(&b, "        done: %s\n", t.done)
			}
			b.WriteString("        evidence: \"Stamped form, sent by email\"\n")
		}
	}
	b.WriteString("collateral:\n  - {id: pricing, title: Pricing, file: pricing.md, audience: [\"role:economic-buyer\", jordan]}\n---\nWelcome.\n")
	return b.String()
}

type repo struct {
	t    *testing.T
	dir  string // work tree root
	site string // the site, a subfolder of it
	r    *git.Repository
	wt   *git.Worktree
}

var (
	buyer  = object.Signature{Name: "Jordan Park", Email: "jordan.park@acme.example"}
	seller = object.Signature{Name: "Sam Lee", Email: "sam@north.example"}
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &repo{t: t, dir: dir, site: filepath.Join(dir, "sites", "north"), r: r, wt: wt}
}

// write writes a file of the site (slash path under the site root).
func (g *repo) write(name, text string) {
	g.t.Helper()
	p := filepath.Join(g.site, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

// commit stages everything and commits as who on the day given.
func (g *repo) commit(who object.Signature, on, msg string, parents ...plumbing.Hash) plumbing.Hash {
	g.t.Helper()
	if err := g.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		g.t.Fatal(err)
	}
	who.When = day(on)
	committer := seller
	committer.When = who.When
	opts := &git.CommitOptions{Author: &who, Committer: &committer, AllowEmptyCommits: true}
	if len(parents) > 0 {
		opts.Parents = parents
	}
	h, err := g.wt.Commit(msg, opts)
	if err != nil {
		g.t.Fatal(err)
	}
	return h
}

// commitLater is commit for a commit written on one day and committed on
// a later one (rebased, cherry-picked).
func (g *repo) commitLater(who object.Signature, written, committed, msg string) plumbing.Hash {
	g.t.Helper()
	if err := g.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		g.t.Fatal(err)
	}
	who.When = day(written)
	committer := seller
	committer.When = day(committed)
	h, err := g.wt.Commit(msg, &git.CommitOptions{Author: &who, Committer: &committer})
	if err != nil {
		g.t.Fatal(err)
	}
	return h
}

func (g *repo) read(cache string) *history.History {
	g.t.Helper()
	h, err := history.Read(context.Background(), history.Options{Root: g.site, Decode: generator.DecodePlan, Cache: cache})
	if err != nil {
		g.t.Fatal(err)
	}
	return h
}

// story builds the repository the history tests share: a deal acme whose
// milestone m1 slips twice (one slip reverted), whose buyer edits on a
// branch that is merged, renamed to acme-data, and whose task t2 moves past
// the close; and a deal globex only the seller edits.
func story(t *testing.T) (*repo, map[string]plumbing.Hash) {
	g := newRepo(t)
	at := map[string]plumbing.Hash{}
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	t2 := task{"t2", "m2", "2026-10-20", "todo", ""}
	g.write("content/maproom.toml", "title = \"North\"\n")
	g.write("README.md", "the site\n")
	g.write("content/acme/index.md", planText(close, "2026-10-01", "2026-11-01", t1, t2))
	g.write("content/acme/pricing.md", "# Pricing\n")
	g.write("content/globex/index.md", planText("2026-12-15", "2026-10-01", "2026-11-01", t1))
	at["create"] = g.commit(seller, "2026-09-01", "acme and globex plans")

	t1.status, t1.due = "in-progress", "2026-09-25"
	g.write("content/acme/index.md", planText(close, "2026-10-01", "2026-11-01", t1, t2))
	at["buyer"] = g.commit(buyer, "2026-09-08", "t1 under way, a week later\n\nMaproom-Reply: r-42\n")

	g.write("content/acme/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2))
	at["slip1"] = g.commit(seller, "2026-09-15", "m1 moves")
	g.write("content/acme/pricing.md", "# Pricing, revised\n")
	at["collateral"] = g.commit(seller, "2026-09-16", "pricing revised (the plan does not change)")
	g.write("content/acme/index.md", planText(close, "2026-10-20", "2026-11-01", t1, t2))
	at["slip2"] = g.commit(seller, "2026-09-22", "m1 moves again")
	g.write("content/acme/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2))
	at["revert"] = g.commit(seller, "2026-09-29", "Revert \"m1 moves again\"")

	// A branch where the buyer adds a task, while main marks t1 done; then
	// a merge that takes both.
	t3 := task{"t3", "m2", "2026-10-25", "todo", ""}
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("legal"), Create: true}); err != nil {
		t.Fatal(err)
	}
	g.write("content/acme/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2, t3))
	at["branch"] = g.commit(buyer, "2026-10-06", "legal review step")
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("master")}); err != nil {
		t.Fatal(err)
	}
	t1.status, t1.done = "done", "2026-10-07"
	g.write("content/acme/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2))
	at["done"] = g.commit(seller, "2026-10-07", "t1 done")
	g.write("content/acme/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2, t3))
	at["merge"] = g.commit(seller, "2026-10-08", "merge legal", at["done"], at["branch"])

	// The deal folder is renamed.
	if err := os.Rename(filepath.Join(g.site, "content", "acme"), filepath.Join(g.site, "content", "acme-data")); err != nil {
		t.Fatal(err)
	}
	at["rename"] = g.commit(seller, "2026-10-12", "acme is acme-data")

	t2.due = "2026-12-05"
	g.write("content/acme-data/index.md", planText(close, "2026-10-10", "2026-11-01", t1, t2, t3))
	at["pastclose"] = g.commit(seller, "2026-10-15", "t2 after the close")
	return g, at
}

func kinds(cs []history.Change) []string {
	var out []string
	for _, c := range cs {
		s := string(c.Kind)
		if c.Item != "" {
			s += " " + c.Item
		}
		if c.From != "" || c.To != "" {
			s += " " + c.From + ">" + c.To
		}
		out = append(out, s)
	}
	return out
}

func TestStory(t *testing.T) {
	g, at := story(t)
	h := g.read("")
	if !h.InGit || h.Note != "" {
		t.Fatalf("InGit %v, note %q", h.InGit, h.Note)
	}
	if _, ok := h.Deals["acme"]; ok {
		t.Errorf("the renamed folder acme is still a deal of its own")
	}
	st := h.Story("acme-data")
	if st == nil {
		t.Fatalf("no story for acme-data; deals: %v", h.Deals)
	}
	if past := st.Until(day("2026-10-11")); len(past.Former) != 0 {
		t.Errorf("Former as of 10 October = %v, want none: the folder was renamed on the 12th", past.Former)
	}
	if !slices.Equal(st.Former, []string{"acme"}) {
		t.Errorf("Former = %v, want [acme]", st.Former)
	}
	want := []string{
		"plan-created",
		"task-due t1 2026-09-20>2026-09-25", "task-status t1 todo>in-progress",
		"milestone-due m1 2026-10-01>2026-10-10",
		"milestone-due m1 2026-10-10>2026-10-20",
		"milestone-due m1 2026-10-20>2026-10-10",
		"task-status t1 in-progress>done",
		"task-added t3 >2026-10-25", // written on the branch on 6 October, in the plan with the merge on the 8th
		"task-due t2 2026-10-20>2026-12-05",
	}
	// In the order the changes came into the plan.
	if got := kinds(st.Changes); !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	// 8 commits changed the plan: the pricing-only commit, the merge (it
	// took the branch's version plus main's) and the rename did not.
	if st.Commits != 8 {
		t.Errorf("Commits = %d, want 8", st.Commits)
	}
	for _, c := range st.Changes {
		if c.Merge {
			t.Errorf("change %s %s attributed to the merge", c.Kind, c.Item)
		}
	}

	slips := st.Slips()
	if len(slips) != 3 {
		t.Fatalf("slips = %+v, want m1, t2, t1", slips)
	}
	if s := slips[0]; s.Item != "m1" || s.Moves != 2 || s.Days != 19 || s.Net != 9 || s.First != "2026-10-01" || s.Now != "2026-10-10" {
		t.Errorf("m1 slip = %+v, want 2 moves, 19 days, net 9", s)
	}
	if s := slips[1]; s.Item != "t2" || s.Moves != 1 || s.Days != 46 {
		t.Errorf("t2 slip = %+v, want 1 move of 46 days", s)
	}
	if s := slips[2]; s.Item != "t1" || s.Moves != 1 || s.Days != 5 {
		t.Errorf("t1 slip = %+v, want 1 move of 5 days", s)
	}

	// Who: the buyer's commits count as the buyer's, matched by email
	// whatever its case; the reply trailer is kept.
	var buyerEdits []string
	for _, c := range st.Changes {
		if c.Author.Side == deal.Buyer {
			buyerEdits = append(buyerEdits, c.Commit[:7]+" "+string(c.Kind)+" "+c.Author.Stakeholder+" "+c.Reply)
		}
	}
	wantB := []string{at["buyer"].String()[:7] + " task-due jordan r-42", at["buyer"].String()[:7] + " task-status jordan r-42", at["branch"].String()[:7] + " task-added jordan "}
	if !slices.Equal(buyerEdits, wantB) {
		t.Errorf("buyer edits = %q, want %q", buyerEdits, wantB)
	}
	if c, ok := st.LastBy(deal.Buyer); !ok || c.Commit != at["branch"].String() || !c.When.Equal(day("2026-10-06")) {
		t.Errorf("last buyer edit = %+v, want the branch commit of 6 October", c)
	}
	for _, c := range st.Changes {
		if c.Author.Side == deal.Seller && c.Author.Stakeholder != "sam" {
			t.Errorf("seller change without sam: %+v", c)
		}
	}
	// Past the close: only t2's move.
	var past []string
	for _, c := range st.Changes {
		if c.PastClose() {
			past = append(past, c.Item)
		}
	}
	if !slices.Equal(past, []string{"t2"}) {
		t.Errorf("moved past the close: %v, want [t2]", past)
	}
	// Completion over time, on the main line: the branch's task is in
	// the plan from the merge on; t1 done on 7 October, of 3 tasks after
	// the merge.
	if p, ok := st.ProgressOn(deal.NewDate(2026, 10, 6), time.UTC); !ok || p.Done != 0 || p.Total != 2 {
		t.Errorf("progress on 6 October = %+v %v, want 0 of 2 (the main line's version: the branch is not merged yet)", p, ok)
	}
	if p, ok := st.ProgressOn(deal.NewDate(2026, 10, 20), time.UTC); !ok || p.Done != 1 || p.Total != 3 {
		t.Errorf("progress on 20 October = %+v, want 1 of 3", p)
	}
	if _, ok := st.ProgressOn(deal.NewDate(2026, 8, 31), time.UTC); ok {
		t.Errorf("progress before the first commit")
	}
	if last, _ := st.LastDone(deal.NewDate(2026, 12, 31), time.UTC); last != deal.NewDate(2026, 10, 7) {
		t.Errorf("LastDone = %v, want 7 October", last)
	}

	gl := h.Story("globex")
	if gl == nil || gl.Commits != 1 {
		t.Fatalf("globex story = %+v, want its one commit", gl)
	}
	if _, ok := gl.LastBy(deal.Buyer); ok {
		t.Errorf("globex has a buyer edit; only the seller ever edited it")
	}
}

// TestCacheIncremental reads the history twice with a cache: the second
// read reads no commit; a new commit is the only one read; a history
// rewritten by a force push is noticed (the old head is no ancestor of
// the new one) and its dropped commit's changes are gone.
func TestCacheIncremental(t *testing.T) {
	g, at := story(t)
	cache := filepath.Join(t.TempDir(), ".maproom", "history.cache")
	first := g.read(cache)
	if first.Stats.Read != first.Stats.Commits || first.Stats.Commits != 11 {
		t.Fatalf("cold read: %+v, want 11 commits all read", first.Stats)
	}
	warm := g.read(cache)
	if warm.Stats.Read != 0 || warm.Stats.Versions != 0 || warm.Stats.Cache != "used" {
		t.Fatalf("warm read: %+v, want nothing read from git", warm.Stats)
	}
	if got, want := kinds(warm.Story("acme-data").Changes), kinds(first.Story("acme-data").Changes); !slices.Equal(got, want) {
		t.Fatalf("the cached story differs:\n got %q\nwant %q", got, want)
	}

	t1 := task{"t1", "m1", "2026-09-25", "done", "2026-10-07"}
	t2 := task{"t2", "m2", "2026-12-05", "blocked", ""}
	t3 := task{"t3", "m2", "2026-10-25", "todo", ""}
	g.write("content/acme-data/index.md", planText("2026-11-30", "2026-10-10", "2026-11-01", t1, t2, t3))
	g.commit(buyer, "2026-10-20", "t2 blocked on legal")
	next := g.read(cache)
	if next.Stats.Read != 1 || next.Stats.Commits != 12 {
		t.Fatalf("after one commit: %+v, want 1 read of 12", next.Stats)
	}
	if c, ok := next.Story("acme-data").LastBy(deal.Buyer); !ok || c.Kind != history.TaskStatus || c.To != "blocked" {
		t.Errorf("last buyer change = %+v, want t2 blocked", c)
	}

	// Force push: master back to the rename, then another commit.
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName("master"), at["rename"])
	if err := g.r.Storer.SetReference(ref); err != nil {
		t.Fatal(err)
	}
	if err := g.wt.Reset(&git.ResetOptions{Commit: at["rename"], Mode: git.HardReset}); err != nil {
		t.Fatal(err)
	}
	t2 = task{"t2", "m2", "2026-10-20", "in-progress", ""}
	g.write("content/acme-data/index.md", planText("2026-11-30", "2026-10-10", "2026-11-01", t1, t2, t3))
	g.commit(seller, "2026-10-16", "t2 under way")
	rw := g.read(cache)
	if rw.Stats.Read != 1 || rw.Stats.Commits != 11 {
		t.Errorf("after the force push: %+v, want 1 commit read of 11", rw.Stats)
	}
	st := rw.Story("acme-data")
	for _, c := range st.Changes {
		if c.Item == "t2" && c.Kind == history.TaskDue {
			t.Errorf("the dropped commit's slip is still there: %+v", c)
		}
	}
	if c := st.Changes[len(st.Changes)-1]; c.Kind != history.TaskStatus || c.To != "in-progress" {
		t.Errorf("last change = %+v, want t2 in progress", c)
	}
	// The cache now holds only what HEAD reaches.
	again := g.read(cache)
	if again.Stats.Read != 0 {
		t.Errorf("reading again read %d commits", again.Stats.Read)
	}
}

// TestCacheCorrupt: a cache that is damaged is rebuilt, and the history is
// the same as without it.
func TestCacheCorrupt(t *testing.T) {
	g, _ := story(t)
	cache := filepath.Join(t.TempDir(), ".maproom", "history.cache")
	want := kinds(g.read(cache).Story("acme-data").Changes)
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"flipped":   append(append([]byte{}, data[:len(data)-40]...), make([]byte, 40)...),
		"garbage":   []byte("not a cache at all"),
	} {
		if err := os.WriteFile(cache, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		h := g.read(cache)
		if !strings.HasPrefix(h.Stats.Cache, "rebuilt") || h.Stats.Read != h.Stats.Commits {
			t.Errorf("%s: stats %+v, want the cache rebuilt and every commit read", name, h.Stats)
		}
		if got := kinds(h.Story("acme-data").Changes); !slices.Equal(got, want) {
			t.Errorf("%s: changes differ after the rebuild:\n got %q\nwant %q", name, got, want)
		}
	}
}

func TestOutsideGit(t *testing.T) {
	dir := t.TempDir()
	h, err := history.Read(context.Background(), history.Options{Root: dir, Decode: generator.DecodePlan})
	if err != nil {
		t.Fatal(err)
	}
	if h.InGit || !strings.Contains(h.Note, "not in a git repository") || len(h.Deals) != 0 {
		t.Errorf("outside git: %+v", h)
	}
}

func TestSignals(t *testing.T) {
	g, _ := story(t)
	h := g.read("")
	today := deal.NewDate(2026, 11, 10)
	load := func(id string) *deal.Deal {
		src, err := os.ReadFile(filepath.Join(g.site, "content", id, "index.md"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := generator.DecodePlan(id, src)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	names := func(ss []history.Signal) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	acme := load("acme-data")
	// m1 slipped twice, but its one task, t1, is done: the milestone is
	// reached, and slips no more.
	// Done count unchanged since 7 October, but t3, the first open step
	// to come due, was due on 25 October: flat counts from then (16 days
	// on 10 November, 22 on the 16th).
	got := history.Signals(history.Input{Deal: acme, Story: h.Story("acme-data"), Today: today})
	want := []string{history.SignalPastClose}
	if !slices.Equal(names(got), want) {
		t.Errorf("acme-data signals = %q, want %q", got, want)
	}
	if len(got) == 1 && !strings.Contains(got[0].Evidence, `"Task t2" moved to 2026-12-05, past the close date 2026-11-30`) {
		t.Errorf("evidence:\n%s", got[0].Evidence)
	}
	got = history.Signals(history.Input{Deal: acme, Story: h.Story("acme-data"), Today: deal.NewDate(2026, 11, 16)})
	if !slices.Equal(names(got), []string{history.SignalFlat, history.SignalPastClose}) ||
		!strings.Contains(got[0].Evidence, "1 of 3 tasks for 22 days, since 2026-10-25 (counted from 2026-10-25, when the first open step was due: nothing was due before it)") {
		t.Errorf("acme-data on 16 November: %q, want flat since t3 came due", got)
	}
	// With t1 open again in the working tree (not committed): m1 not
	// reached has slipped twice, and the plan, which went back (a step
	// reopened is no progress), is still flat, and says it went back.
	t1 := &acme.Milestones[0].Tasks[0]
	t1.Status, t1.Done = deal.InProgress, deal.Date{}
	got = history.Signals(history.Input{Deal: acme, Story: h.Story("acme-data"), Today: today})
	if !slices.Equal(names(got), []string{history.SignalFlat, history.SignalSlipped, history.SignalPastClose}) ||
		!strings.Contains(got[0].Evidence, "completion went back from 1 to 0 of 3 tasks") || !strings.Contains(got[1].Evidence, `"Milestone m1" slipped 2 times, 19 days in all`) {
		t.Errorf("acme-data with t1 open: %q", got)
	}
	// A higher threshold, and an earlier day, silence them.
	got = history.Signals(history.Input{Deal: acme, Story: h.Story("acme-data"), Today: deal.NewDate(2026, 10, 20), Th: history.Thresholds{Slips: 3}})
	if !slices.Equal(names(got), []string{history.SignalPastClose}) {
		t.Errorf("with slips = 3 on 20 October: %q", got)
	}
	// t2 moved back before the close: no longer past it.
	acme.Milestones[1].Tasks[0].Due = deal.NewDate(2026, 11, 20)
	if got := history.Signals(history.Input{Deal: acme, Story: h.Story("acme-data"), Today: today}); slices.Contains(names(got), history.SignalPastClose) {
		t.Errorf("t2 back before the close is still signalled: %q", got)
	}
	t1.Status, t1.Done = deal.Done, deal.NewDate(2026, 10, 7)
	acme.Milestones[1].Tasks[0].Due = deal.NewDate(2026, 12, 5)

	globex := load("globex")
	got = history.Signals(history.Input{Deal: globex, Story: h.Story("globex"), Today: today})
	if len(got) == 0 || got[0].Name != history.SignalNoBuyerEdit || !strings.Contains(got[0].Evidence, "1 commit of history since 2026-09-01") {
		t.Errorf("globex signals = %q, want no-buyer-edit first", got)
	}
	if got := history.Signals(history.Input{Deal: globex, Story: h.Story("globex"), Today: deal.NewDate(2026, 9, 10)}); slices.Contains(names(got), history.SignalNoBuyerEdit) {
		t.Errorf("a plan 9 days old is signalled for no buyer edit")
	}
	// A plan naming nobody on the buyer's side has that signal of its
	// own: not also "no buyer-side edit".
	sellersOnly := *globex
	sellersOnly.Stakeholders = slices.DeleteFunc(slices.Clone(globex.Stakeholders), func(s deal.Stakeholder) bool { return s.Side == deal.Buyer })
	if got := history.Signals(history.Input{Deal: &sellersOnly, Story: h.Story("globex"), Today: today}); slices.Contains(names(got), history.SignalNoBuyerEdit) {
		t.Errorf("a plan with no buyer side is signalled for no buyer edit")
	}

	// Reviews on Tuesdays: notes on 6 and 13 October (a Tuesday and the
	// Wednesday after the next), then none until 10 November: 20 and 27
	// October and 3 November are missed.
	acme.Review = deal.Review{Day: time.Tuesday, HasDay: true, Time: "15:00", Length: 15 * time.Minute}
	notes := []deal.Date{deal.NewDate(2026, 10, 6), deal.NewDate(2026, 10, 14)}
	in := history.Input{Deal: acme, Story: h.Story("acme-data"), Reviews: notes, Today: today}
	if n, last := history.MissedReviews(in); n != 3 || last != deal.NewDate(2026, 10, 14) {
		t.Errorf("missed reviews = %d (last note %s), want 3 since 14 October", n, last)
	}
	if !slices.Contains(names(history.Signals(in)), history.SignalMissedReviews) {
		t.Errorf("three missed reviews are not signalled")
	}
	in.Reviews = append(in.Reviews, deal.NewDate(2026, 11, 3))
	if n, _ := history.MissedReviews(in); n != 0 {
		t.Errorf("missed reviews after a note on 3 November = %d, want 0", n)
	}
	// Outside git: completion flat from the done: dates.
	in = history.Input{Deal: acme, Today: today}
	if since, from, ok := history.FlatSince(in); !ok || since != deal.NewDate(2026, 10, 7) || !strings.Contains(from, "done: dates") {
		t.Errorf("FlatSince without history = %s %q %v", since, from, ok)
	}

	weeks := history.Burnup(h.Story("acme-data"), today, time.UTC, 0)
	if len(weeks) != 11 || weeks[0].End != deal.NewDate(2026, 9, 6) || weeks[0].Done != 0 || weeks[0].Total != 2 {
		t.Fatalf("burn-up = %+v, want 11 weeks from the one ending 6 September", weeks)
	}
	if w := weeks[5]; w.End != deal.NewDate(2026, 10, 11) || w.Done != 1 || w.Total != 3 {
		t.Errorf("week ending 11 October = %+v, want 1 of 3", w)
	}
}

// TestTreeBatches: the trees compared while the walk goes on, in batches
// of any size, tell the stories comparing them all after the walk tells.
func TestTreeBatches(t *testing.T) {
	g, _ := story(t)
	want := g.read("")
	defer func(n int) { *history.TreeBatch = n }(*history.TreeBatch)
	for _, n := range []int{1, 2, 3} {
		*history.TreeBatch = n
		if got := g.read(""); !reflect.DeepEqual(got.Deals, want.Deals) {
			t.Errorf("batches of %d: the stories differ from comparing after the walk", n)
		}
	}
}

// TestStoryUntil: the story as it stood at a time keeps the changes and
// points made before it, and counts its commits, first and last again; a
// time after every change gives the story itself.
func TestStoryUntil(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 10, day, 9, 0, 0, 0, time.UTC) }
	st := &history.Story{Deal: "acme", Commits: 3, First: at(1), Last: at(20),
		Changes: []history.Change{
			{Commit: "a", When: at(1), Kind: history.PlanCreated},
			{Commit: "b", When: at(10), Kind: history.TaskDue, Item: "t1", From: "2026-11-01", To: "2026-11-08", Days: 7},
			{Commit: "b", When: at(10), Kind: history.TaskStatus, Item: "t2", From: "todo", To: "done"},
			{Commit: "c", When: at(20), Kind: history.TaskDue, Item: "t1", From: "2026-11-08", To: "2026-11-15", Days: 7},
		},
		Points: []history.Point{{When: at(1), Total: 2}, {When: at(10), Done: 1, Total: 2}, {When: at(20), Done: 1, Total: 2}}}
	if got := st.Until(at(21)); got != st {
		t.Errorf("until after the last change: a copy, want the story itself")
	}
	got := st.Until(at(15))
	if got == st || got.Commits != 2 || !got.First.Equal(at(1)) || !got.Last.Equal(at(10)) || len(got.Changes) != 3 || len(got.Points) != 2 {
		t.Fatalf("until the 15th: %+v, want 2 commits from the 1st to the 10th, 3 changes, 2 points", got)
	}
	if sl := got.Slips(); len(sl) != 1 || sl[0].Moves != 1 {
		t.Errorf("slips until the 15th %+v, want t1 once", sl)
	}
	if st.Commits != 3 || len(st.Changes) != 4 {
		t.Errorf("the story itself changed: %+v", st)
	}
	if got := st.Until(at(1)); got.Commits != 0 || len(got.Changes) != 0 || !got.First.IsZero() {
		t.Errorf("until its first commit: %+v, want nothing yet", got)
	}
}

// TestBuyerEditsOfAnyField: a buyer's commit that only takes a task over
// (the owner) or only rewords the plan (an evidence line) is a buyer edit
// by that buyer, a commit of the plan's; the owner change is told as such.
func TestBuyerEditsOfAnyField(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	plan := planText("2026-11-30", "2026-09-30", "2026-11-15", t1)
	g.write("content/maproom.toml", "title = \"North\"\n")
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", strings.Replace(plan, "Stamped form, sent by email", "Stamped form, signed by the CISO", 1))
	g.commit(buyer, "2026-09-03", "sharper evidence")
	owned := strings.Replace(strings.Replace(plan, "Stamped form, sent by email", "Stamped form, signed by the CISO", 1), "owner: jordan", "owner: sam", 1)
	g.write("content/acme/index.md", owned)
	g.commit(buyer, "2026-09-05", "Sam takes it")
	g.write("content/acme/README.txt", "not the plan\n")
	g.commit(seller, "2026-09-06", "a file beside the plan")

	st := g.read("").Story("acme")
	if st == nil || st.Commits != 3 {
		t.Fatalf("story %+v, want 3 commits of the plan", st)
	}
	var kinds []string
	for _, c := range st.Changes[1:] {
		kinds = append(kinds, fmt.Sprintf("%s %s %s>%s %s", c.Kind, c.Item, c.From, c.To, c.Author.Side))
	}
	want := []string{"plan-edited  > buyer", "task-owner t1 jordan>sam buyer"}
	if !slices.Equal(kinds, want) {
		t.Errorf("changes %q, want %q", kinds, want)
	}
	if c, ok := st.LastBy(deal.Buyer); !ok || c.Kind != history.TaskOwner || c.Author.Stakeholder != "jordan" {
		t.Errorf("last buyer edit %+v, want jordan's owner change", c)
	}
}

// TestBrokenVersionChangesCountWithTheFix: a commit whose plan does not
// read is skipped, and what it changed counts with the next version that
// reads, compared with the last one that did: the slip is not lost.
func TestBrokenVersionChangesCountWithTheFix(t *testing.T) {
	g := newRepo(t)
	plan := func(due string) string {
		return planText("2026-11-30", "2026-09-30", "2026-11-15", task{"t1", "m1", due, "todo", ""})
	}
	g.write("content/acme/index.md", plan("2026-09-20"))
	g.commit(seller, "2026-09-01", "plan")
	broken := func(due string) string {
		return strings.Replace(plan(due), "goal: Signed", "goal: \"Signed", 1)
	}
	g.write("content/acme/index.md", broken("2026-09-25"))
	g.commit(seller, "2026-09-05", "broken")
	// A report run while the plan is broken saves the cache; the read
	// after the fix starts from it, and must tell what a whole read does
	// (two broken versions in a row stand on the same readable one).
	cache := filepath.Join(t.TempDir(), ".maproom", "history.cache")
	g.read(cache)
	g.write("content/acme/index.md", broken("2026-09-26"))
	g.commit(seller, "2026-09-06", "still broken")
	g.read(cache)
	g.write("content/acme/index.md", plan("2026-09-28"))
	g.commit(seller, "2026-09-07", "fixed")

	for _, c := range []string{"", cache} {
		h := g.read(c)
		if c != "" && h.Stats.Read != 1 {
			t.Fatalf("read through the cache: %+v, want the fix alone read", h.Stats)
		}
		st := h.Story("acme")
		if st == nil || st.Unreadable != 2 {
			t.Fatalf("story %+v, want two unreadable versions", st)
		}
		var kinds []string
		for _, c := range st.Changes[1:] {
			kinds = append(kinds, fmt.Sprintf("%s %s %s>%s %s", c.Kind, c.Item, c.From, c.To, c.When.Format("01-02")))
		}
		if want := []string{"task-due t1 2026-09-20>2026-09-28 09-07"}; !slices.Equal(kinds, want) {
			t.Errorf("cache %q: changes %q, want %q", c, kinds, want)
		}
	}
}

// TestOutcomeChanges: marking a deal won or lost is a change of its own,
// with its day and author, not a rewording of the plan; a plan without an
// outcome is open, whichever reader read it.
func TestOutcomeChanges(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	plan := planText("2026-11-30", "2026-09-30", "2026-11-15", t1)
	withOutcome := func(o string) string {
		return strings.Replace(plan, "close: 2026-11-30\n", "close: 2026-11-30\noutcome: "+o+"\n", 1)
	}
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", withOutcome("open"))
	g.commit(seller, "2026-09-02", "outcome written out")
	g.write("content/acme/index.md", withOutcome("lost"))
	g.commit(seller, "2026-09-10", "lost")
	g.write("content/acme/index.md", withOutcome("won"))
	g.commit(buyer, "2026-09-12", "signed after all")

	st := g.read("").Story("acme")
	if st == nil {
		t.Fatal("no story")
	}
	var kinds []string
	for _, c := range st.Changes[1:] {
		kinds = append(kinds, fmt.Sprintf("%s %s>%s %s", c.Kind, c.From, c.To, c.When.Format("01-02")))
	}
	want := []string{"plan-edited > 09-02", "outcome open>lost 09-10", "outcome lost>won 09-12"}
	if !slices.Equal(kinds, want) {
		t.Errorf("changes %q, want %q", kinds, want)
	}
}

// TestSlipsPastTheLatestDate: a slip is a move later than the latest date
// the item had had, by the days past it: a date pulled in and put back did
// not slip.
func TestSlipsPastTheLatestDate(t *testing.T) {
	move := func(from, to string) history.Change {
		f, _ := deal.ParseDate(from)
		tt, _ := deal.ParseDate(to)
		return history.Change{Kind: history.MilestoneDue, Item: "m1", Title: "Security", From: from, To: to, Days: f.DaysUntil(tt)}
	}
	st := &history.Story{Changes: []history.Change{
		move("2026-11-10", "2026-11-03"), // pulled in
		move("2026-11-03", "2026-11-10"), // put back: no slip
		move("2026-11-10", "2026-11-17"), // 7 days
		move("2026-11-17", "2026-11-12"),
		move("2026-11-12", "2026-11-20"), // 3 days past 17 November, the latest it had
		move("2026-11-20", "2026-11-05"),
		move("2026-11-05", "2026-11-13"), // within the days it was pulled in by
	}}
	sl := st.Slips()
	if len(sl) != 1 || sl[0].Moves != 2 || sl[0].Days != 10 || !slices.Equal(sl[0].MoveDays, []int{7, 3}) || sl[0].Net != 3 {
		t.Errorf("slips %+v, want 2 slips of 7 and 3 days, net 3", sl)
	}
	st.Changes = st.Changes[:2]
	if sl := st.Slips(); len(sl) != 0 {
		t.Errorf("pulled in and put back: slips %+v, want none", sl)
	}
	// Two slips, pulled in by 4 days and put back: still two slips, of 14
	// days in all, as far as the date went past its first.
	st.Changes = []history.Change{move("2026-11-10", "2026-11-17"), move("2026-11-17", "2026-11-24"), move("2026-11-24", "2026-11-20"), move("2026-11-20", "2026-11-24")}
	if sl := st.Slips(); len(sl) != 1 || sl[0].Moves != 2 || sl[0].Days != 14 || sl[0].Net != 14 {
		t.Errorf("slipped twice, then pulled in and put back: %+v, want 2 slips of 14 days", sl)
	}
	// A date taken out ("TBD" for a while) and put back later slips from
	// the latest date it had: 11-17 to 12-08 is a second slip of 21 days.
	out := history.Change{Kind: history.MilestoneDue, Item: "m1", Title: "Security", From: "2026-11-17"}
	back := history.Change{Kind: history.MilestoneDue, Item: "m1", Title: "Security", To: "2026-12-08"}
	st.Changes = []history.Change{move("2026-11-10", "2026-11-17"), out, back}
	if sl := st.Slips(); len(sl) != 1 || sl[0].Moves != 2 || !slices.Equal(sl[0].MoveDays, []int{7, 21}) || sl[0].Net != 28 {
		t.Errorf("taken out and put back later: %+v, want 2 slips of 7 and 21 days, net 28", sl)
	}
	// Put back earlier than it was, or set where it never had one: no slip.
	back.To = "2026-11-12"
	st.Changes = []history.Change{move("2026-11-10", "2026-11-17"), out, back}
	if sl := st.Slips(); len(sl) != 1 || sl[0].Moves != 1 {
		t.Errorf("taken out and put back earlier: %+v, want the first slip only", sl)
	}
	st.Changes = []history.Change{{Kind: history.MilestoneDue, Item: "m2", To: "2026-12-01"}}
	if sl := st.Slips(); len(sl) != 0 {
		t.Errorf("a first date: %+v, want no slip", sl)
	}
}

// TestMissedReviewsWeeks: which weekly reviews count as missed. Reviews on
// Tuesdays; the plan's first commit on Tuesday 1 September; the reviews
// counted start the week after the first commit's.
func TestMissedReviewsWeeks(t *testing.T) {
	d := &deal.Deal{ID: "acme", Outcome: deal.Open, Review: deal.Review{Day: time.Tuesday, HasDay: true},
		Milestones: []deal.Milestone{{ID: "m", Tasks: []deal.Task{{ID: "t", Status: deal.Todo}}}}}
	st := &history.Story{Commits: 1, First: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)}
	dates := func(ds ...string) []deal.Date {
		var out []deal.Date
		for _, s := range ds {
			d, _ := deal.ParseDate(s)
			out = append(out, d)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		today string
		notes []deal.Date
		story bool
		want  int
	}{
		// 8, 15, 22 and 29 September: the kickoff day itself is no review.
		{"four weeks, no note", "2026-10-04", nil, true, 4},
		// The review of 29 September can still get its note until 3 October.
		{"a day after the last review", "2026-09-30", nil, true, 3},
		{"the note of the review before written on the Saturday after it", "2026-09-30", dates("2026-09-26"), true, 0},
		{"the last review's note not written yet", "2026-10-01", dates("2026-09-22"), true, 0},
		{"the last review's days for a note over", "2026-10-04", dates("2026-09-22"), true, 1},
		{"a note prepared the Sunday before", "2026-10-04", dates("2026-09-27"), true, 0},
		{"a note after the report's day does not count", "2026-10-04", dates("2026-10-10"), true, 4},
		{"the review day, its note saved", "2026-09-29", dates("2026-09-29"), true, 0},
		{"the review day, its note not written yet", "2026-09-29", nil, true, 3},
		{"no history, no note: nothing says since when", "2026-10-04", nil, false, 0},
		{"no history: counted after the first note", "2026-10-21", dates("2026-09-08"), false, 5},
	} {
		in := history.Input{Deal: d, Reviews: c.notes, Today: mustParse(c.today)}
		if c.story {
			in.Story = st
		}
		if n, _ := history.MissedReviews(in); n != c.want {
			t.Errorf("%s: %d missed, want %d", c.name, n, c.want)
		}
	}
	// First committed on Monday 9 November: the reviews counted start the
	// week after, on the 17th; the 10th, the day after the kickoff, is not
	// one. On the 29th, the reviews of the 17th and the 24th are missed.
	monday := &history.Story{Commits: 1, First: time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)}
	if n, _ := history.MissedReviews(history.Input{Deal: d, Story: monday, Today: mustParse("2026-11-29")}); n != 2 {
		t.Errorf("first committed on a Monday: %d missed, want 2 (17 and 24 November)", n)
	}
	// A review day that is a holiday held no meeting: neither held nor
	// missed. Of 8, 15, 22 and 29 September, the 15th is a holiday: 3
	// missed; with a note of the 8th, the holiday does not end the run
	// back to it (2 missed); a meeting moved off the holiday to the 16th,
	// its note of that day, is held (2 missed: the 22nd and 29th).
	holiday := func(day deal.Date) bool { return day == mustParse("2026-09-15") }
	if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Today: mustParse("2026-10-04"), Holiday: holiday}); n != 3 {
		t.Errorf("with a holiday on 15 September: %d missed, want 3", n)
	}
	if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Reviews: dates("2026-09-08"), Today: mustParse("2026-10-04"), Holiday: holiday}); n != 2 {
		t.Errorf("with a holiday on 15 September and a note of the 8th: %d missed, want 2 (22 and 29)", n)
	}
	if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Reviews: dates("2026-09-16"), Today: mustParse("2026-10-04"), Holiday: holiday}); n != 2 {
		t.Errorf("the review of the holiday held on the 16th: %d missed, want 2 (22 and 29)", n)
	}
}

func mustParse(s string) deal.Date {
	d, err := deal.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestRenamedIDsKeepTheirSlips: a milestone and a task whose ids change,
// their titles the same (but for case and spacing), keep their history under their new ids: the
// slips before the rename and after it add up. An id changed with its
// title is an item removed and another added.
func TestRenamedIDsKeepTheirSlips(t *testing.T) {
	g := newRepo(t)
	plan := func(m1, due string) string {
		return planText("2027-01-29", m1, "2026-12-20", task{"t1", "m1", due, "todo", ""}, task{"t2", "m2", "2026-12-10", "todo", ""})
	}
	renamed := func(s string) string {
		s = strings.Replace(s, "  - id: m1\n", "  - id: security\n", 1)
		// The title's spacing changed with the id: still its title.
		s = strings.Replace(s, "title: Milestone m1\n", "title: Milestone  m1\n", 1)
		return strings.Replace(s, "      - id: t1\n", "      - id: questionnaire\n", 1)
	}
	g.write("content/acme/index.md", plan("2026-11-10", "2026-11-05"))
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", plan("2026-11-17", "2026-11-12"))
	g.commit(buyer, "2026-10-08", "later")
	g.write("content/acme/index.md", renamed(plan("2026-11-17", "2026-11-12")))
	g.commit(seller, "2026-10-15", "clearer ids")
	g.write("content/acme/index.md", renamed(plan("2026-11-24", "2026-11-19")))
	g.commit(buyer, "2026-10-22", "later again")
	// An id and its title changed: another task, not t2 renamed.
	g.write("content/acme/index.md", strings.Replace(strings.Replace(renamed(plan("2026-11-24", "2026-11-19")), "      - id: t2\n", "      - id: t3\n", 1), "title: Task t2", "title: Task three", 1))
	g.commit(seller, "2026-10-29", "another task")

	st := g.read("").Deals["acme"]
	if st == nil {
		t.Fatal("no story for acme")
	}
	var got []string
	for _, sl := range st.Slips() {
		got = append(got, fmt.Sprintf("%s %s %d moves %d days", sl.Kind, sl.Item, sl.Moves, sl.Days))
	}
	want := []string{"task-due questionnaire 2 moves 14 days", "milestone-due security 2 moves 14 days"}
	if !slices.Equal(got, want) {
		t.Errorf("slips %q, want %q", got, want)
	}
	var ks []string
	for _, c := range st.Changes {
		ks = append(ks, string(c.Kind)+" "+c.Item)
		if strings.Contains(string(c.Kind), "renamed") {
			t.Errorf("the story holds a rename: %+v", c)
		}
	}
	if !slices.Contains(ks, "task-removed t2") || !slices.Contains(ks, "task-added t3") || slices.Contains(ks, "task-added questionnaire") || slices.Contains(ks, "milestone-added security") {
		t.Errorf("changes %q: want t2 removed and t3 added, the renamed ids neither added nor removed", ks)
	}
	// What a reply sent before the rename is about now.
	if now, ok := st.Renamed("t1", false); !ok || now != "questionnaire" {
		t.Errorf("t1 renamed %q %v, want questionnaire", now, ok)
	}
	if now, ok := st.Renamed("m1", true); !ok || now != "security" {
		t.Errorf("m1 renamed %q %v, want security", now, ok)
	}
	if _, ok := st.Renamed("t2", false); ok {
		t.Error("t2, removed, reads as renamed")
	}
}

// TestPlanAt: a deal's plan as it stood at a time: the newest commit
// before it, under the folder name it had then; none before the first.
func TestPlanAt(t *testing.T) {
	g := newRepo(t)
	v1 := planText("2027-01-29", "2026-11-10", "2026-12-20", task{"t1", "m1", "2026-11-05", "todo", ""})
	v2 := planText("2027-01-29", "2026-11-17", "2026-12-20", task{"t1", "m1", "2026-11-12", "todo", ""})
	g.write("content/acme/index.md", v1)
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", v2)
	g.commit(buyer, "2026-10-08", "later")
	if err := os.Rename(filepath.Join(g.site, "content", "acme"), filepath.Join(g.site, "content", "acme-data")); err != nil {
		t.Fatal(err)
	}
	g.commit(seller, "2026-10-15", "rename")
	// A commit rebased on 25 October, its author date from the 2nd: not
	// the plan before the 25th.
	v3 := planText("2027-01-29", "2026-11-24", "2026-12-20", task{"t1", "m1", "2026-11-19", "todo", ""})
	g.write("content/acme-data/index.md", v3)
	if err := g.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	author, committer := seller, seller
	author.When, committer.When = day("2026-10-02"), day("2026-10-25")
	if _, err := g.wt.Commit("rebased", &git.CommitOptions{Author: &author, Committer: &committer}); err != nil {
		t.Fatal(err)
	}
	opts := history.Options{Root: g.site}
	folders := []string{"acme-data", "acme"}
	for _, c := range []struct {
		at   string
		want string
	}{{"2026-09-30", ""}, {"2026-10-05", v1}, {"2026-10-10", v2}, {"2026-10-20", v2}, {"2026-10-26", v3}} {
		text, ok, err := history.PlanAt(opts, folders, day(c.at))
		if err != nil {
			t.Fatal(err)
		}
		if ok != (c.want != "") || string(text) != c.want {
			t.Errorf("at %s: ok %v, %d bytes; want the version of that day (%d bytes)", c.at, ok, len(text), len(c.want))
		}
	}
	if _, ok, err := history.PlanAt(history.Options{Root: t.TempDir()}, folders, day("2026-10-20")); ok || err != nil {
		t.Errorf("outside git: ok %v, err %v; want neither", ok, err)
	}
}

// TestFlatCountsDoneDatesAhead: a plan committed once with tasks whose
// done: dates come after the commit is not flat from the commit: each task
// is done from its date, as the burn-up counts it, so completion stood
// still only from the last of them.
func TestFlatCountsDoneDatesAhead(t *testing.T) {
	g := newRepo(t)
	plan := planText("2026-12-30", "2026-11-30", "2026-12-15",
		task{"t1", "m1", "2026-10-20", "done", "2026-10-20"},
		task{"t2", "m1", "2026-11-05", "done", "2026-11-04"},
		task{"t3", "m2", "2026-11-20", "todo", ""})
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-10-01", "plan, written up with the dates the work was done")
	st := g.read("").Story("acme")
	if st == nil {
		t.Fatal("no story")
	}
	today := deal.NewDate(2026, 12, 7)
	if since, ok := st.LastDone(today, time.UTC); !ok || since != deal.NewDate(2026, 11, 4) {
		t.Errorf("LastDone = %v %v, want 2026-11-04, the last done date", since, ok)
	}
	if since, ok := st.LastDone(deal.NewDate(2026, 10, 25), time.UTC); !ok || since != deal.NewDate(2026, 10, 20) {
		t.Errorf("LastDone on 25 October = %v %v, want 2026-10-20 (t2 is not done yet that day)", since, ok)
	}
	d, err := generator.DecodePlan("acme", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	since, from, ok := history.FlatSince(history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC})
	if !ok || since != deal.NewDate(2026, 11, 4) || !strings.Contains(from, "git") {
		t.Errorf("FlatSince = %v %q %v, want 2026-11-04 from the history", since, from, ok)
	}
}

// TestFlatNotRestartedByReopening: a step set back from done is no
// progress: a plan flat for weeks stays flat, from its last progress, and
// the signal says completion went back. Progress the plan holds and its
// last commit does not is still not flat, and a reopening it holds
// uncommitted is no progress either.
func TestFlatNotRestartedByReopening(t *testing.T) {
	both := planText("2027-01-29", "2026-10-10", "2026-12-31",
		task{"t1", "m1", "2026-10-01", "done", "2026-10-01"},
		task{"t2", "m1", "2026-10-05", "done", "2026-10-01"},
		task{"t3", "m2", "2026-10-15", "todo", ""})
	reopened := planText("2027-01-29", "2026-10-10", "2026-12-31",
		task{"t1", "m1", "2026-10-01", "done", "2026-10-01"},
		task{"t2", "m1", "2026-10-05", "in-progress", ""},
		task{"t3", "m2", "2026-10-15", "todo", ""})
	g := newRepo(t)
	g.write("content/acme/index.md", both)
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", reopened)
	g.commit(seller, "2026-11-12", "t2 is not finished after all")
	st := g.read("").Story("acme")
	today := deal.NewDate(2026, 11, 20)
	if since, ok := st.LastDone(today, time.UTC); !ok || since != deal.NewDate(2026, 10, 1) {
		t.Errorf("LastDone = %v %v, want 2026-10-01: the count falling on 12 November is no progress", since, ok)
	}
	flat := func(plan string) string {
		d, err := generator.DecodePlan("acme", []byte(plan))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC}) {
			if s.Name == history.SignalFlat {
				return s.Evidence
			}
		}
		return ""
	}
	if ev := flat(reopened); !strings.Contains(ev, "for 46 days, since 2026-10-05") || !strings.Contains(ev, "went back from 2 to 1 of 3") {
		t.Errorf("flat: %q, want 46 days since t2, open again, was due; completion gone back from 2 to 1", ev)
	}
	allDone := planText("2027-01-29", "2026-10-10", "2026-12-31",
		task{"t1", "m1", "2026-10-01", "done", "2026-10-01"},
		task{"t2", "m1", "2026-10-05", "done", "2026-11-19"},
		task{"t3", "m2", "2026-10-15", "done", "2026-11-19"})
	if ev := flat(allDone); ev != "" {
		t.Errorf("flat with progress not committed yet: %q, want none", ev)
	}
	none := planText("2027-01-29", "2026-10-10", "2026-12-31",
		task{"t1", "m1", "2026-10-01", "todo", ""},
		task{"t2", "m1", "2026-10-05", "in-progress", ""},
		task{"t3", "m2", "2026-10-15", "todo", ""})
	if ev := flat(none); !strings.Contains(ev, "since 2026-10-01") || !strings.Contains(ev, "went back from 2 to 0 of 3") {
		t.Errorf("flat with t1 reopened too, not committed yet: %q, want flat since t1 was due, gone back from 2 to 0", ev)
	}

	// Done on 20 October, reopened on 10 November, before any open step
	// was due (13 November): the count starts on that day, and completion
	// still went back from the last progress's.
	open := func(status, done string) string {
		return planText("2027-01-29", "2026-11-13", "2026-12-31", task{"t1", "m1", "2026-11-13", status, done}, task{"t2", "m1", "2026-11-13", "todo", ""})
	}
	g = newRepo(t)
	g.write("content/acme/index.md", open("todo", ""))
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", open("done", "2026-10-20"))
	g.commit(buyer, "2026-10-20", "t1 done")
	g.write("content/acme/index.md", open("in-progress", ""))
	g.commit(seller, "2026-11-10", "t1 reopened")
	st = g.read("").Story("acme")
	today = deal.NewDate(2026, 12, 8)
	if ev := flat(open("in-progress", "")); !strings.Contains(ev, "since 2026-11-13") || !strings.Contains(ev, "went back from 1 to 0 of 2") {
		t.Errorf("flat after a step reopened before anything was due: %q, want since 13 November, gone back from 1 to 0", ev)
	}

	// Nothing done for weeks, then a step ticked done on 1 December and
	// unticked the next day: no progress, the plan is still flat from
	// when its first step was due, and went back.
	g = newRepo(t)
	g.write("content/acme/index.md", open("todo", ""))
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", open("done", "2026-12-01"))
	g.commit(seller, "2026-12-01", "t1 done")
	g.write("content/acme/index.md", open("todo", ""))
	g.commit(seller, "2026-12-02", "t1 not done after all")
	st = g.read("").Story("acme")
	if since, ok := st.LastDone(today, time.UTC); !ok || since != deal.NewDate(2026, 10, 1) {
		t.Errorf("LastDone after a tick undone = %v %v, want 2026-10-01", since, ok)
	}
	if ev := flat(open("todo", "")); !strings.Contains(ev, "for 25 days, since 2026-11-13") || !strings.Contains(ev, "went back from 1 to 0 of 2") {
		t.Errorf("flat after a step ticked done and unticked: %q, want 25 days since 13 November, gone back from 1 to 0", ev)
	}

	// A done step taken out of the plan in a clean-up undoes no progress:
	// the step done on 28 November is the last, and the plan is not flat.
	three := planText("2027-01-29", "2026-12-20", "2026-12-31",
		task{"ta", "m1", "2026-10-01", "done", "2026-10-01"}, task{"tb", "m1", "2026-11-13", "todo", ""}, task{"tc", "m1", "2026-12-20", "todo", ""})
	g = newRepo(t)
	g.write("content/acme/index.md", three)
	g.commit(seller, "2026-10-01", "plan")
	three = strings.Replace(three, "        status: todo\n", "        status: done\n        done: 2026-11-28\n", 1)
	g.write("content/acme/index.md", three)
	g.commit(buyer, "2026-11-28", "tb done")
	cleaned := planText("2027-01-29", "2026-12-20", "2026-12-31",
		task{"tb", "m1", "2026-11-13", "done", "2026-11-28"}, task{"tc", "m1", "2026-12-20", "todo", ""})
	g.write("content/acme/index.md", cleaned)
	g.commit(seller, "2026-12-05", "ta is history")
	st = g.read("").Story("acme")
	if since, ok := st.LastDone(today, time.UTC); !ok || since != deal.NewDate(2026, 11, 28) {
		t.Errorf("LastDone after a done step taken out = %v %v, want 2026-11-28", since, ok)
	}
	if ev := flat(cleaned); ev != "" {
		t.Errorf("flat after a done step taken out: %q, want none: a step was done 10 days ago", ev)
	}
	// So when the same commit adds a step (the total the same).
	g.write("content/acme/index.md", planText("2027-01-29", "2026-12-20", "2026-12-31",
		task{"tb", "m1", "2026-11-13", "done", "2026-11-28"}, task{"tc", "m1", "2026-12-20", "todo", ""}, task{"td", "m1", "2026-12-22", "todo", ""}))
	g.commit(seller, "2026-12-06", "td")
	swapped := planText("2027-01-29", "2026-12-20", "2026-12-31",
		task{"tc", "m1", "2026-12-20", "todo", ""}, task{"td", "m1", "2026-12-22", "todo", ""}, task{"te", "m1", "2026-12-23", "todo", ""})
	g.write("content/acme/index.md", swapped)
	g.commit(seller, "2026-12-07", "tb is history, te is new")
	if since, ok := g.read("").Story("acme").LastDone(today, time.UTC); !ok || since != deal.NewDate(2026, 11, 28) {
		t.Errorf("LastDone after a done step taken out as another was added = %v %v, want 2026-11-28", since, ok)
	}
}

// TestFlatNotRestartedByPushedDates: a plan whose late steps are given
// new dates, commit after commit, with nothing done, is flat from the day
// the first of them was due (a zombie plan kept looking current); dates
// moved on before their day came leave nothing due yet.
func TestFlatNotRestartedByPushedDates(t *testing.T) {
	done := task{"t1", "m1", "2026-10-05", "done", "2026-10-05"}
	plan := func(due string, more ...task) string {
		return planText("2027-01-29", "2026-10-10", "2026-12-31", append([]task{done, {"t2", "m2", due, "todo", ""}}, more...)...)
	}
	type commit struct{ plan, day, msg string }
	for _, c := range []struct {
		name    string
		commits []commit // the last is the plan as it is
		today   deal.Date
		want    string // part of the flat signal's evidence; "" for none
		why     string
	}{
		{"pushed once late, and again", []commit{
			{plan("2026-10-20"), "2026-10-01", "plan"},
			{plan("2026-11-10"), "2026-10-25", "t2 is late: a new date"},
			{plan("2026-12-18"), "2026-11-12", "late again: a new date"},
		}, deal.NewDate(2026, 11, 20), "for 31 days, since 2026-10-20", "flat since t2 was first due"},
		{"progress after the late step was given a new date", []commit{
			{plan("2026-10-20"), "2026-10-01", "plan"},
			{plan("2026-12-18"), "2026-10-25", "t2 is late: a new date"},
			{plan("2026-12-18", task{"t3", "m2", "2026-11-05", "done", "2026-11-05"}), "2026-11-05", "t3 done"},
		}, deal.NewDate(2026, 12, 10), "", "progress on 5 November, and nothing due since"},
		{"moved ahead of its day", []commit{
			{plan("2026-10-20"), "2026-10-01", "plan"},
			{plan("2026-12-18"), "2026-10-15", "t2 needs longer: planned again before it was due"},
		}, deal.NewDate(2026, 11, 20), "", "nothing was ever due after the last progress"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newRepo(t)
			for _, cm := range c.commits {
				g.write("content/acme/index.md", cm.plan)
				g.commit(seller, cm.day, cm.msg)
			}
			d, err := generator.DecodePlan("acme", []byte(c.commits[len(c.commits)-1].plan))
			if err != nil {
				t.Fatal(err)
			}
			var ev string
			for _, s := range history.Signals(history.Input{Deal: d, Story: g.read("").Story("acme"), Today: c.today, Loc: time.UTC}) {
				if s.Name == history.SignalFlat {
					ev = s.Evidence
				}
			}
			if c.want == "" && ev != "" || c.want != "" && !strings.Contains(ev, c.want) {
				t.Errorf("flat: %q, want %q: %s", ev, c.want, c.why)
			}
		})
	}
}

// TestReopenedDealReplannedNoSlip: a lost deal opened again with new dates
// is a new plan, not a slip of the one it ran: the dates moved while it
// was lost and in the commit that opens it again are no slips; a date
// moved later after that is one, counted from the new plan's date.
func TestReopenedDealReplannedNoSlip(t *testing.T) {
	tasks := []task{{"t1", "m1", "2026-10-05", "done", "2026-10-05"}, {"t2", "m2", "2026-10-20", "todo", ""}}
	open := planText("2027-01-15", "2026-10-10", "2026-12-31", tasks...)
	lost := strings.Replace(open, "close: 2027-01-15\n", "close: 2027-01-15\noutcome: lost\n", 1)
	lostMoved := strings.Replace(lost, "close: 2027-01-15", "close: 2027-03-15", 1)
	replanned := planText("2027-05-14", "2026-10-10", "2027-04-30", task{"t1", "m1", "2026-10-05", "done", "2026-10-05"}, task{"t2", "m2", "2027-03-01", "todo", ""})
	slipped := planText("2027-05-14", "2026-10-10", "2027-04-30", task{"t1", "m1", "2026-10-05", "done", "2026-10-05"}, task{"t2", "m2", "2027-03-08", "todo", ""})
	g := newRepo(t)
	for _, c := range []struct{ plan, day, msg string }{
		{open, "2026-10-01", "plan"}, {lost, "2026-10-16", "lost"}, {lostMoved, "2026-11-02", "a date while lost"},
		{replanned, "2026-12-01", "back, with a new plan"}, {slipped, "2026-12-10", "t2 slips a week"},
	} {
		g.write("content/acme/index.md", c.plan)
		g.commit(seller, c.day, c.msg)
	}
	var got []string
	for _, sl := range g.read("").Story("acme").Slips() {
		got = append(got, fmt.Sprintf("%s %s %d %d", sl.Kind, sl.Item, sl.Moves, sl.Days))
	}
	if want := []string{"task-due t2 1 7"}; !slices.Equal(got, want) {
		t.Errorf("slips %q, want %q: only the week t2 slipped after the new plan", got, want)
	}
}

// TestReopenedDealCountsFromReopening: a deal lost, then opened again, was
// not stalled nor skipping its reviews while it was lost: completion flat
// and the reviews missed count from the day it was opened again.
func TestReopenedDealCountsFromReopening(t *testing.T) {
	tasks := []task{{"t1", "m1", "2026-10-05", "done", "2026-10-05"}, {"t2", "m2", "2026-10-20", "todo", ""}}
	open := planText("2027-01-15", "2026-10-10", "2026-12-31", tasks...)
	lost := strings.Replace(open, "close: 2027-01-15\n", "close: 2027-01-15\noutcome: lost\n", 1)
	g := newRepo(t)
	g.write("content/acme/index.md", open)
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", lost)
	g.commit(seller, "2026-10-16", "lost")
	g.write("content/acme/index.md", open)
	g.commit(seller, "2026-12-01", "back: they want it again")
	st := g.read("").Story("acme")
	if re, ok := st.ReopenedOn(time.UTC); !ok || re != deal.NewDate(2026, 12, 1) {
		t.Fatalf("ReopenedOn = %v %v, want 2026-12-01", re, ok)
	}
	d, err := generator.DecodePlan("acme", []byte(open))
	if err != nil {
		t.Fatal(err)
	}
	d.Review = deal.Review{Day: time.Tuesday, HasDay: true}
	in := history.Input{Deal: d, Story: st, Today: deal.NewDate(2026, 12, 3), Loc: time.UTC}
	for _, s := range history.Signals(in) {
		if s.Name == history.SignalFlat || s.Name == history.SignalMissedReviews {
			t.Errorf("two days after it was opened again: %s %q", s.Name, s.Evidence)
		}
	}
	if n, _ := history.MissedReviews(in); n != 0 {
		t.Errorf("missed reviews %d, want 0: none was held while it was lost", n)
	}
	// Three weeks and more after, both count from the reopening.
	in.Today = deal.NewDate(2026, 12, 28)
	if n, _ := history.MissedReviews(in); n != 3 {
		t.Errorf("missed reviews on 28 December: %d, want 3 (8, 15 and 22 December)", n)
	}
	var flat string
	for _, s := range history.Signals(in) {
		if s.Name == history.SignalFlat {
			flat = s.Evidence
		}
	}
	if !strings.Contains(flat, "for 27 days, since 2026-12-01") {
		t.Errorf("flat: %q, want 27 days since the reopening", flat)
	}
}

// TestAddedLateFromThePreview: a step a reply sent from the local preview
// added (the seller's click in the buyer's room, its commit marked so) is
// added late all the same, but by nobody of the buyer's side: the plan has
// no buyer-side edit.
func TestAddedLateFromThePreview(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	dpa := task{"dpa", "m2", "2026-11-25", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1, dpa))
	g.commit(buyer, "2026-11-05", "Jordan Park: add \"Task dpa\"\n\nMaproom-Reply: abcdefghij\nMaproom-Preview: yes\n")
	st := g.read("").Story("acme")
	d, err := generator.DecodePlan("acme", []byte(planText(close, "2026-09-30", "2026-11-28", t1, dpa)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalAddedLate || s.Name == history.SignalNoBuyerEdit {
			got = append(got, s.Name+": "+s.Evidence)
		}
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "no-buyer-edit: ") || !strings.HasPrefix(got[1], `added-late: step "Task dpa" added on 2026-11-05 from a reply sent from the local preview, 25 days before`) {
		t.Errorf("signals %q, want no buyer-side edit, and the step added late from the preview, not by Jordan Park", got)
	}
}

// TestAddedLate: a step added near the close date, once the plan's first
// week is over, is signalled ("oh, we also need X"); a step added in the
// plan's first week, one added long before the close, one taken out
// since and an onboarding step are not. The threshold is late_add_days.
func TestAddedLate(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	early := task{"early", "m1", "2026-09-25", "todo", ""}
	mid := task{"mid", "m2", "2026-10-20", "todo", ""}
	dpa := task{"dpa", "m2", "2026-11-25", "todo", ""}
	gone := task{"gone", "m2", "2026-11-26", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1, early))
	g.commit(seller, "2026-09-03", "the plan's first week")
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1, early, mid))
	g.commit(seller, "2026-09-20", "long before the close")
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1, early, mid, dpa, gone))
	g.commit(buyer, "2026-11-05", "oh, we also need a DPA")
	g.write("content/acme/index.md", planText(close, "2026-09-30", "2026-11-28", t1, early, mid, dpa))
	g.commit(seller, "2026-11-06", "not that one")
	st := g.read("").Story("acme")
	plan := planText(close, "2026-09-30", "2026-11-28", t1, early, mid, dpa)
	d, err := generator.DecodePlan("acme", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalAddedLate {
			got = append(got, s.Evidence)
		}
	}
	want := []string{`step "Task dpa" added on 2026-11-05 by Jordan Park, 25 days before the close date 2026-11-30`}
	if !slices.Equal(got, want) {
		t.Errorf("added late: %q, want %q", got, want)
	}
	for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: deal.NewDate(2026, 11, 10), Loc: time.UTC, Th: history.Thresholds{LateAddDays: 20}}) {
		if s.Name == history.SignalAddedLate {
			t.Errorf("with late_add_days = 20: %q", s.Evidence)
		}
	}
	// The close moved out since: the addition was late then, and the
	// evidence says the close it was judged by is no longer the plan's.
	moved := *d
	moved.Close = deal.NewDate(2027, 1, 29)
	got = nil
	for _, s := range history.Signals(history.Input{Deal: &moved, Story: st, Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalAddedLate {
			got = append(got, s.Evidence)
		}
	}
	if want := []string{want[0] + " (the close date was moved to 2027-01-29 since)"}; !slices.Equal(got, want) {
		t.Errorf("with the close moved since: %q, want %q", got, want)
	}

	// A milestone added late with its steps is one addition.
	withM3 := strings.Replace(plan, "collateral:", "  - id: m3\n    title: Milestone m3\n    due: 2026-11-29\n    lead: jordan\n    evidence: Signed decision record\n    tasks:\n"+
		"      - id: dpia\n        title: Task dpia\n        owner: jordan\n        due: 2026-11-27\n        status: todo\n        evidence: \"Stamped form, sent by email\"\n"+
		"collateral:", 1)
	g.write("content/acme/index.md", withM3)
	g.commit(seller, "2026-11-08", "a DPIA milestone")
	d3, err := generator.DecodePlan("acme", []byte(withM3))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, s := range history.Signals(history.Input{Deal: d3, Story: g.read("").Story("acme"), Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalAddedLate {
			got = append(got, s.Evidence)
		}
	}
	want = append(want, `milestone "Milestone m3" added on 2026-11-08 by Sam Lee, 22 days before the close date 2026-11-30`)
	if !slices.Equal(got, want) {
		t.Errorf("a milestone added with its step: %q, want %q", got, want)
	}

	// A step of the first plan taken out and put back late was in the
	// plan: the plan did not miss it.
	without := strings.Replace(withM3, "      - id: t1\n        title: Task t1 # a comment\n        owner: jordan\n        due: 2026-09-20\n        status: todo\n        evidence: \"Stamped form, sent by email\"\n", "", 1)
	if without == withM3 {
		t.Fatal("t1 is not in the plan's text")
	}
	g.write("content/acme/index.md", without)
	g.commit(seller, "2026-11-08", "t1 is not needed")
	g.write("content/acme/index.md", withM3)
	g.commit(seller, "2026-11-09", "it is after all")
	for _, s := range history.Signals(history.Input{Deal: d3, Story: g.read("").Story("acme"), Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalAddedLate && strings.Contains(s.Evidence, "Task t1") {
			t.Errorf("a step put back is said to be added late: %q", s.Evidence)
		}
	}
}

// TestNoBuyerEditNamesStrangers: a plan edited by an author the plan does
// not name is not said to be the seller's alone: the signal names the
// address, which may be a buyer's other one; an author at the seller's
// own domain is a colleague, not named.
func TestNoBuyerEditNamesStrangers(t *testing.T) {
	g := newRepo(t)
	plan := planText("2026-12-30", "2026-11-30", "2026-12-15", task{"t1", "m1", "2026-11-20", "todo", ""})
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", strings.Replace(plan, "2026-11-20", "2026-11-27", 1))
	g.commit(object.Signature{Name: "J. Park", Email: "jpark.home@mail.example"}, "2026-10-10", "a week more")
	g.write("content/acme/index.md", strings.Replace(plan, "2026-11-20", "2026-11-26", 1))
	g.commit(object.Signature{Name: "Sales Ops", Email: "ops@north.example"}, "2026-10-11", "a colleague of the seller's, not in the plan")
	d, err := generator.DecodePlan("acme", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	var ev string
	for _, s := range history.Signals(history.Input{Deal: d, Story: g.read("").Story("acme"), Today: deal.NewDate(2026, 11, 10), Loc: time.UTC}) {
		if s.Name == history.SignalNoBuyerEdit {
			ev = s.Evidence
		}
	}
	if !strings.Contains(ev, "an author has no stakeholder's email (jpark.home@mail.example)") || strings.Contains(ev, "the seller has written the plan alone") || strings.Contains(ev, "ops@") {
		t.Errorf("no-buyer-edit evidence %q", ev)
	}
}

// TestBranchChangeLandsWithItsMerge: a change the buyer made on a branch
// (6 October) is in the plan's story from the day its merge reached the
// main line (8 October), not from the day it was written: the plan of the
// 7th did not have it.
func TestBranchChangeLandsWithItsMerge(t *testing.T) {
	g, _ := story(t)
	st := g.read("").Story("acme-data")
	has := func(s *history.Story) bool {
		return slices.ContainsFunc(s.Changes, func(c history.Change) bool { return c.Kind == history.TaskAdded && c.Item == "t3" })
	}
	if !has(st) {
		t.Fatalf("the story lacks the branch's step: %q", kinds(st.Changes))
	}
	for _, c := range st.Changes {
		if c.Kind == history.TaskAdded && c.Item == "t3" && !c.Landed.Equal(day("2026-10-08")) {
			t.Errorf("t3 added %v, landed %v, want landed with the merge on 8 October", c.When, c.Landed)
		}
	}
	if until := st.Until(day("2026-10-07").Add(14 * time.Hour)); has(until) {
		t.Errorf("until the end of 7 October the story has the branch's step, merged on the 8th")
	} else if last, ok := until.LastBy(deal.Buyer); !ok || !last.When.Before(day("2026-10-01")) {
		t.Errorf("until 7 October the last buyer edit is %+v, want the one of 8 September (the branch's was not merged yet)", last)
	}
	if !has(st.Until(day("2026-10-08").Add(14 * time.Hour))) {
		t.Errorf("until the end of 8 October the story lacks the step merged that day")
	}
}

// TestMissedReviewsWhileOnboarding: a won deal's weekly reviews go on
// while its onboarding lasts, and are signalled when missed (the sale's
// other signals are over); once onboarding is done, or for a lost deal,
// nothing is.
func TestMissedReviewsWhileOnboarding(t *testing.T) {
	st := &history.Story{Commits: 1, First: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name    string
		outcome deal.Outcome
		left    deal.Status
		want    []string
	}{
		{"won, onboarding left", deal.Won, deal.Todo, []string{history.SignalMissedReviews}},
		{"won, onboarding done", deal.Won, deal.Done, nil},
		{"lost", deal.Lost, deal.Todo, nil},
	} {
		d := &deal.Deal{ID: "acme", Outcome: c.outcome, Review: deal.Review{Day: time.Tuesday, HasDay: true},
			Milestones: []deal.Milestone{
				{ID: "sign", Tasks: []deal.Task{{ID: "order", Status: deal.Done, Milestone: "sign"}}},
				{ID: "live", Onboarding: true, Tasks: []deal.Task{{ID: "setup", Status: c.left, Milestone: "live"}}},
			}}
		var got []string
		for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: deal.NewDate(2026, 10, 4), Loc: time.UTC}) {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: signals %q, want %q", c.name, got, c.want)
		}
	}
}

// TestRenameKeepsTheCommitsOtherEdits: a commit that renames an id and
// rewords another step is an edit of the plan by its author, not a
// commit that changed nothing: a buyer's is their edit.
func TestRenameKeepsTheCommitsOtherEdits(t *testing.T) {
	g := newRepo(t)
	plan := planText("2027-01-29", "2026-11-10", "2026-12-20", task{"t1", "m1", "2026-11-05", "todo", ""}, task{"t2", "m2", "2026-12-10", "todo", ""})
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-10-01", "plan")
	edited := strings.Replace(strings.Replace(plan, "      - id: t1\n", "      - id: questionnaire\n", 1), "title: Task t2", "title: Task t2 with legal", 1)
	g.write("content/acme/index.md", edited)
	g.commit(buyer, "2026-10-08", "clearer")
	// A rename alone is an edit too.
	g.write("content/acme/index.md", strings.Replace(edited, "  - id: m1\n", "  - id: security\n", 1))
	g.commit(seller, "2026-10-15", "ids")

	st := g.read("").Deals["acme"]
	if st == nil {
		t.Fatal("no story for acme")
	}
	// The buyer's edit gave t2 a new title, its id the same: a change of
	// its own, which the rooms' "What changed" tells.
	c, ok := st.LastBy(deal.Buyer)
	if !ok || c.Kind != history.TaskRetitled || c.Item != "t2" || c.From != "Task t2" || c.To != "Task t2 with legal" || c.When.Format("2006-01-02") != "2026-10-08" {
		t.Errorf("the buyer's last edit %+v %v, want t2 retitled on 8 October", c, ok)
	}
	if st.Commits != 3 {
		t.Errorf("%d commits changed the plan, want 3", st.Commits)
	}
	if now, ok := st.Renamed("t1", false); !ok || now != "questionnaire" {
		t.Errorf("t1 renamed %q %v, want questionnaire", now, ok)
	}
}

// TestAuthorNamedAsThePlanNamesThem: an author whose email is a
// stakeholder's is named as the plan names them, not by the name their
// laptop's git gives; another author by the commit's name.
func TestAuthorNamedAsThePlanNamesThem(t *testing.T) {
	d := &deal.Deal{Stakeholders: []deal.Stakeholder{{ID: "ben", Name: "Ben Boss", Side: deal.Buyer}}}
	if got := (history.Author{Name: "bboss (MacBook-Pro)", Stakeholder: "ben", Side: deal.Buyer}).NameIn(d); got != "Ben Boss" {
		t.Errorf("a stakeholder's commit: %q, want Ben Boss", got)
	}
	if got := (history.Author{Name: "Carl Consultant"}).NameIn(d); got != "Carl Consultant" {
		t.Errorf("an author the plan does not have: %q", got)
	}
	if got := (history.Author{Name: "old name", Stakeholder: "gone"}).NameIn(d); got != "old name" {
		t.Errorf("a stakeholder taken out of the plan: %q", got)
	}
}

// TestFlatSincePublished: outside git, a plan with nothing done by a date
// has been flat since its rooms were first published; one with a done
// date, since that date; without either, nothing says since when. A plan
// with nothing due yet is not flat, whatever its count.
func TestFlatSincePublished(t *testing.T) {
	today := deal.NewDate(2027, 3, 1)
	plan := planText("2027-06-30", "2027-04-10", "2027-06-20", task{"t1", "m1", "2027-01-20", "todo", ""}, task{"t2", "m2", "2027-06-10", "todo", ""})
	d, err := generator.DecodePlan("acme", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	pub := deal.NewDate(2027, 1, 15)
	// Nothing due yet (the first step is due in April): not a zombie.
	later, err := generator.DecodePlan("acme", []byte(strings.Replace(plan, "2027-01-20", "2027-04-05", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range history.Signals(history.Input{Deal: later, Today: today, Published: pub}) {
		if s.Name == history.SignalFlat {
			t.Errorf("flat with nothing due yet: %s", s.Evidence)
		}
	}
	since, from, ok := history.FlatSince(history.Input{Deal: d, Today: today, Published: pub})
	if !ok || since != pub || !strings.Contains(from, "first published") {
		t.Errorf("FlatSince = %v %q %v, want %v from the rooms' publication", since, from, ok, pub)
	}
	var flat []string
	for _, s := range history.Signals(history.Input{Deal: d, Today: today, Published: pub}) {
		if s.Name == history.SignalFlat {
			flat = append(flat, s.Evidence)
		}
	}
	// Published on the 15th, its first step due on the 20th: flat from then.
	if len(flat) != 1 || !strings.Contains(flat[0], "flat at 0 of 2 tasks for 40 days, since 2027-01-20 (counted from 2027-01-20, when the first open step was due") {
		t.Errorf("flat signals %q, want 0 of 2 for 40 days, from the first step's date", flat)
	}
	if _, _, ok := history.FlatSince(history.Input{Deal: d, Today: today}); ok {
		t.Error("no history, no done date, no publication day: flat since when?")
	}
	// A step with no date of its own takes its milestone's: a plan whose
	// dated work is all ahead, one step dated by its duration, is not flat.
	undated, err := generator.DecodePlan("acme", []byte(strings.Replace(strings.Replace(plan, "2027-01-20", "2027-04-05", 1), "        due: 2027-06-10\n", "        duration: 3\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range history.Signals(history.Input{Deal: undated, Today: today, Published: pub}) {
		if s.Name == history.SignalFlat {
			t.Errorf("flat with a step dated by its milestone, nothing due yet: %s", s.Evidence)
		}
	}
	// With the schedule's dates, as the report gives them: the undated
	// step was due on 25 January (its work's latest finish), so the plan
	// has been flat since then.
	scheduled := func(t *deal.Task) deal.Date {
		if t.Due.IsZero() {
			return deal.NewDate(2027, 1, 25)
		}
		return t.Due
	}
	flat = nil
	for _, s := range history.Signals(history.Input{Deal: undated, Today: today, Published: pub, DueOf: scheduled}) {
		if s.Name == history.SignalFlat {
			flat = append(flat, s.Evidence)
		}
	}
	if len(flat) != 1 || !strings.Contains(flat[0], "since 2027-01-25") {
		t.Errorf("flat by the schedule's dates: %q, want since 2027-01-25", flat)
	}
	if _, _, ok := history.FlatSince(history.Input{Deal: d, Today: today, Published: today.AddDays(3)}); ok {
		t.Error("published after the report's day: not flat")
	}
}

// TestFolderNamedAfterAnother: a deal folder whose name is another's and
// more ("acme-2" beside "acme", a copy of its plan to start a second deal
// with the same buyer) is a new deal: git orders it before the folder
// "acme", and reading the trees in any other order took it for acme
// renamed, handing it acme's history.
func TestFolderNamedAfterAnother(t *testing.T) {
	g := newRepo(t)
	plan := planText("2027-01-29", "2026-11-10", "2026-12-20", task{"t1", "m1", "2026-11-05", "todo", ""})
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", strings.Replace(plan, "due: 2026-11-10", "due: 2026-11-17", 1))
	g.commit(buyer, "2026-10-08", "security review moves a week")
	g.write("content/acme-2/index.md", plan)
	g.commit(seller, "2026-10-15", "a second deal with Acme")

	h := g.read("")
	acme, second := h.Deals["acme"], h.Deals["acme-2"]
	if acme == nil || second == nil {
		t.Fatalf("stories %v, want acme and acme-2", slices.Collect(maps.Keys(h.Deals)))
	}
	if len(acme.Former) != 0 || acme.Commits != 2 || acme.First.Format(time.DateOnly) != "2026-10-01" {
		t.Errorf("acme: former %v, %d commits from %s; want its own 2 commits from 1 October", acme.Former, acme.Commits, acme.First.Format(time.DateOnly))
	}
	if len(second.Former) != 0 || second.Commits != 1 || second.First.Format(time.DateOnly) != "2026-10-15" {
		t.Errorf("acme-2: former %v, %d commits from %s; want one commit, on 15 October", second.Former, second.Commits, second.First.Format(time.DateOnly))
	}
}

// TestRevertedSlipIsNoSlip: a slip made by mistake and undone by git
// revert is no slip, and the dates after it slip from where they were: m1
// goes 9 to 19 October (reverted), then 14 and 16 October: two slips, 7
// days. A revert reverted in turn leaves the first change made.
func TestRevertedSlipIsNoSlip(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", planText(close, "2026-10-19", "2026-11-01", t1))
	typo := g.commit(seller, "2026-09-02", "m1 moves")
	g.write("content/acme/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-03", "Revert \"m1 moves\"\n\nThis reverts commit "+typo.String()+".\n")
	g.write("content/acme/index.md", planText(close, "2026-10-14", "2026-11-01", t1))
	g.commit(seller, "2026-09-10", "m1 moves")
	g.write("content/acme/index.md", planText(close, "2026-10-16", "2026-11-01", t1))
	g.commit(seller, "2026-09-17", "m1 moves again")
	slips := g.read("").Story("acme").Slips()
	if len(slips) != 1 || slips[0].Item != "m1" || slips[0].Moves != 2 || slips[0].Days != 7 || !slices.Equal(slips[0].MoveDays, []int{5, 2}) {
		t.Errorf("slips %+v, want m1 twice, 5 and 2 days", slips)
	}

	// The revert reverted: the first move stands, a slip of 10 days; the
	// later dates are before its date, so no slip.
	g.write("content/acme/index.md", planText(close, "2026-10-19", "2026-11-01", t1))
	revert := g.commit(seller, "2026-09-18", "m1 back to the 19th")
	h := g.read("")
	var revOfRev plumbing.Hash
	for _, c := range h.Story("acme").Changes {
		if c.When.Format("2006-01-02") == "2026-09-03" {
			revOfRev = plumbing.NewHash(c.Commit)
		}
	}
	g.write("content/acme/index.md", planText(close, "2026-10-16", "2026-11-01", t1))
	g.commit(seller, "2026-09-19", "Revert \"m1 back to the 19th\"\n\nThis reverts commit "+revert.String()+".\n")
	g.write("content/acme/index.md", planText(close, "2026-10-19", "2026-11-01", t1))
	g.commit(seller, "2026-09-20", "Revert \"Revert \\\"m1 moves\\\"\"\n\nThis reverts commit "+revOfRev.String()+".\n")
	slips = g.read("").Story("acme").Slips()
	if len(slips) != 1 || slips[0].Moves != 1 || slips[0].Days != 10 {
		t.Errorf("slips %+v, want m1 once, 10 days (the reverted revert leaves the move made)", slips)
	}
}

// TestMergeTakingOneSide: a merge that took the branch's version of a plan
// whole is the main line's plan from then on (the plan on disk is
// committed, its progress counts); one that kept the main line's version
// did not take the branch's edit, which is no change of the plan.
func TestMergeTakingOneSide(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	base := planText(close, "2026-10-09", "2026-11-01", t1)
	g.write("content/acme/index.md", base)
	g.write("content/globex/index.md", base)
	g.commit(seller, "2026-09-01", "plans")

	// On a branch, the buyer moves t1 in both plans.
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("buyer"), Create: true}); err != nil {
		t.Fatal(err)
	}
	theirs := planText(close, "2026-10-09", "2026-11-01", task{"t1", "m1", "2026-09-27", "todo", ""})
	g.write("content/acme/index.md", theirs)
	g.write("content/globex/index.md", theirs)
	branch := g.commit(buyer, "2026-09-05", "t1 a week later")
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("master")}); err != nil {
		t.Fatal(err)
	}
	// On the main line, the seller moves t1 in both plans too.
	ours := planText(close, "2026-10-09", "2026-11-01", task{"t1", "m1", "2026-09-22", "todo", ""})
	g.write("content/acme/index.md", ours)
	g.write("content/globex/index.md", ours)
	main := g.commit(seller, "2026-09-06", "t1 two days later")
	// The merge takes the buyer's acme and keeps the seller's globex.
	g.write("content/acme/index.md", theirs)
	g.write("content/globex/index.md", ours)
	g.commit(seller, "2026-09-07", "merge", main, branch)

	h := g.read("")
	acme, globex := h.Story("acme"), h.Story("globex")
	if !acme.Committed([]byte(theirs)) {
		t.Error("acme: the plan on disk, the merge's, reads as not committed")
	}
	if i := slices.IndexFunc(acme.Changes, func(c history.Change) bool { return c.Kind == history.TaskDue && c.To == "2026-09-27" }); i < 0 ||
		acme.Changes[i].Author.Side != deal.Buyer || acme.Changes[i].InPlan().Format("2006-01-02") != "2026-09-07" {
		t.Errorf("acme's changes %+v, want the buyer's move to 27 September, in the plan with the merge", acme.Changes)
	}
	for _, c := range globex.Changes {
		if c.Kind == history.TaskDue && c.To == "2026-09-27" {
			t.Errorf("globex: the branch's move the merge did not take is told: %+v", c)
		}
	}
	if !globex.Committed([]byte(ours)) {
		t.Error("globex: the plan on disk reads as not committed")
	}
}

// TestDealFolderRestored: a deal folder removed by mistake and put back
// keeps its history: the buyer's edit and the slip before, and the
// restore is compared with the version removed (no new plan).
func TestDealFolderRestored(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.write("content/globex/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-01", "plans")
	moved := planText(close, "2026-10-16", "2026-11-01", t1)
	g.write("content/acme/index.md", moved)
	g.commit(buyer, "2026-09-04", "m1 a week later")
	if err := os.RemoveAll(filepath.Join(g.site, "content", "acme")); err != nil {
		t.Fatal(err)
	}
	g.commit(seller, "2026-09-10", "oops")
	// A cache holds the removal: the restore is the one commit read anew.
	cache := filepath.Join(t.TempDir(), "cache")
	g.read(cache)
	g.write("content/acme/index.md", moved)
	g.commit(seller, "2026-09-11", "acme back")
	for _, cache := range []string{"", cache} {
		h := g.read(cache)
		if cache != "" && h.Stats.Read != 1 {
			t.Errorf("with the cache, %d commits read, want the restore alone", h.Stats.Read)
		}
		st := h.Story("acme")
		if st == nil || st.First.Format("2006-01-02") != "2026-09-01" {
			t.Fatalf("acme's story %+v, want it from 1 September", st)
		}
		if c, ok := st.LastBy(deal.Buyer); !ok || c.When.Format("2006-01-02") != "2026-09-04" {
			t.Errorf("acme's last buyer edit %+v %v, want 4 September", c, ok)
		}
		if sl := st.Slips(); len(sl) != 1 || sl[0].Item != "m1" || sl[0].Days != 7 {
			t.Errorf("acme's slips %+v, want m1's week", sl)
		}
		if slices.ContainsFunc(st.Changes, func(c history.Change) bool {
			return c.Kind == history.PlanCreated && c.When.Format("2006-01-02") == "2026-09-11"
		}) {
			t.Errorf("the restore reads as a new plan: %s", kinds(st.Changes))
		}
	}
}

// TestDealFoldersSwapped: two deal folders that swap names (their plans
// exchanged byte for byte) each keep their deal's history: the buyer's
// edit stays with the plan the buyer edited, and no date moved.
func TestDealFoldersSwapped(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	one := planText("2026-12-18", "2026-10-09", "2026-11-01", t1)
	two := planText("2026-12-11", "2026-10-09", "2026-11-01", t1)
	g.write("content/d1/index.md", one)
	g.write("content/d2/index.md", two)
	g.commit(seller, "2026-09-01", "plans")
	one = strings.Replace(one, "status: todo", "status: in-progress", 1)
	g.write("content/d1/index.md", one)
	g.commit(buyer, "2026-09-04", "under way")
	g.write("content/d1/index.md", two)
	g.write("content/d2/index.md", one)
	g.commit(seller, "2026-09-15", "the folders were the wrong way round")
	h := g.read("")
	d1, d2 := h.Story("d1"), h.Story("d2")
	if c, ok := d2.LastBy(deal.Buyer); !ok || c.When.Format("2006-01-02") != "2026-09-04" || !slices.Equal(d2.Former, []string{"d1"}) {
		t.Errorf("d2 (the plan the buyer edited): last buyer edit %+v %v, former %v; want 4 September, once d1", c, ok, d2.Former)
	}
	if _, ok := d1.LastBy(deal.Buyer); ok || !slices.Equal(d1.Former, []string{"d2"}) {
		t.Errorf("d1 (the other plan): a buyer edit, or former %v; want none, once d2", d1.Former)
	}
	for _, st := range []*history.Story{d1, d2} {
		if sl := st.Slips(); len(sl) != 0 || slices.ContainsFunc(st.Changes, func(c history.Change) bool { return c.Kind == history.CloseMoved }) {
			t.Errorf("%s: slips %+v, changes %s; want no date moved", st.Deal, sl, kinds(st.Changes))
		}
	}
	// A reply sent from d1's room before the swap is d2's now; one sent
	// after it is d1's own.
	before, after := time.Date(2026, 9, 10, 9, 0, 0, 0, time.UTC), time.Date(2026, 9, 20, 9, 0, 0, 0, time.UTC)
	if cur, ok := h.NamedAt("d1", before); !ok || cur != "d2" {
		t.Errorf("NamedAt(d1, 10 September) = %q %v, want d2: the folder named d1 then is named d2 now", cur, ok)
	}
	if cur, ok := h.NamedAt("d1", after); ok {
		t.Errorf("NamedAt(d1, 20 September) = %q, want none: d1 is the folder's name since the swap", cur)
	}
}

// TestRebasedCommitInPlanWhenCommitted: a commit written before its
// parent and committed after it (a pull --rebase, a cherry-pick) came into
// the plan when it was committed: m1 pulled in on 25 October and put back
// by a commit written on the 20th, rebased on the 26th, did not slip; and
// the plan of the 25th does not hold the commit yet.
func TestRebasedCommitInPlanWhenCommitted(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText("2026-12-30", "2026-11-27", "2026-12-10", t1))
	g.commit(seller, "2026-10-01", "plan")
	g.write("content/acme/index.md", planText("2026-12-30", "2026-11-20", "2026-12-10", t1))
	g.commit(seller, "2026-10-25", "m1 a week sooner")
	g.write("content/acme/index.md", planText("2026-12-30", "2026-11-27", "2026-12-10", t1))
	g.commitLater(buyer, "2026-10-20", "2026-10-26", "m1 back to the 27th")
	for _, cache := range []string{"", filepath.Join(t.TempDir(), "cache")} {
		g.read(cache)
		st := g.read(cache).Story("acme")
		if sl := st.Slips(); len(sl) != 0 {
			t.Errorf("cache %q: slips %+v, want none (pulled in, then put back)", cache, sl)
		}
		if c := st.Changes[len(st.Changes)-1]; c.To != "2026-11-27" || c.InPlan().Format("2006-01-02") != "2026-10-26" {
			t.Errorf("cache %q: the last change %+v, want the buyer's, in the plan on 26 October", cache, c)
		}
		on25 := st.Until(day("2026-10-26"))
		if c, ok := on25.LastBy(deal.Buyer); ok {
			t.Errorf("cache %q: on 25 October the buyer's change %+v is in the plan", cache, c)
		}
		if !st.Written.Equal(day("2026-10-26")) {
			t.Errorf("cache %q: written %v, want 26 October", cache, st.Written)
		}
	}
}

// TestShallowClone: a shallow clone (a CI checkout's depth 1, say) holds
// commits without their parents: the history is what it holds, from its
// first commit there, and a note says so; the clone deepened, the whole
// history is read again, the cache notwithstanding.
func TestShallowClone(t *testing.T) {
	gitBin := gitOrSkip(t, "the shallow clone is made with git clone --depth")
	g := slippingRepo(t, 2)
	clone := filepath.Join(t.TempDir(), "clone")
	run := func(dir string, args ...string) {
		cmd := exec.Command(gitBin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// A deal first committed after the commits the clone starts from.
	g.write("content/beta/index.md", planText("2026-12-18", "2026-10-20", "2026-11-10", task{"b1", "m1", "2026-10-15", "todo", ""}))
	g.commit(seller, "2026-10-01", "beta")
	run(g.dir, "clone", "-q", "--depth", "3", "file://"+g.dir, clone)
	site, err := filepath.Rel(g.dir, g.site)
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	read := func() *history.History {
		h, err := history.Read(context.Background(), history.Options{Root: filepath.Join(clone, site), Decode: generator.DecodePlan, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := read()
	st := h.Story("acme")
	if !h.InGit || !strings.Contains(h.Note, "shallow clone") || !strings.Contains(h.Note, "2026-09-04") || st == nil || st.First.Format("2006-01-02") != "2026-09-04" {
		t.Fatalf("shallow: in git %v, note %q, story %+v; want the history from 4 September, said to be shallow", h.InGit, h.Note, st)
	}
	if sl := st.Slips(); len(sl) != 1 || sl[0].Moves != 1 {
		t.Errorf("shallow: slips %+v, want the one the clone holds", sl)
	}
	// acme was first seen where the clone starts: it may be older; beta
	// was first committed in the clone: its First is its own.
	if beta := h.Story("beta"); !st.Shallow || beta == nil || beta.Shallow || beta.First.Format("2006-01-02") != "2026-10-01" {
		t.Errorf("shallow: acme's First said exact (%v), or beta's not (%+v)", !st.Shallow, beta)
	}
	run(clone, "fetch", "-q", "--unshallow")
	h = read()
	if st := h.Story("acme"); h.Note != "" || st.Shallow || st.First.Format("2006-01-02") != "2026-09-01" || len(st.Slips()) != 1 || st.Slips()[0].Moves != 2 {
		t.Errorf("deepened: note %q, story %+v; want the whole history, m1 slipped twice", h.Note, st)
	}
}

// TestShallowCloneRebased: in a shallow clone, a plan older than the
// clone's first commit stays of doubtful age (Story.Shallow) even when a
// later commit of it was written before that commit (rebased, or
// cherry-picked), which makes its First earlier than the clone's start.
func TestShallowCloneRebased(t *testing.T) {
	gitBin := gitOrSkip(t, "the shallow clone is made with git clone --depth")
	g := slippingRepo(t, 2)
	g.write("content/acme/index.md", planText("2026-12-18", "2026-10-30", "2026-11-20", task{"t1", "m1", "2026-09-25", "todo", ""}))
	g.commitLater(seller, "2026-09-02", "2026-09-12", "rebased")
	h, _ := readClone(t, gitBin, g, "--depth", "2", "file://"+g.dir)
	if st := h.Story("acme"); !h.Shallow || st == nil || !st.Shallow {
		t.Errorf("shallow %v, story %+v; want acme of doubtful age", h.Shallow, st)
	}
}

// readClone clones g's repository with git clone and args (the source
// last), and reads the site's history in the clone; root is the site's
// folder there.
func readClone(t *testing.T, gitBin string, g *repo, args ...string) (h *history.History, root string) {
	t.Helper()
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command(gitBin, append(append([]string{"clone", "-q"}, args...), clone)...).CombinedOutput(); err != nil {
		t.Fatalf("git clone %v: %v\n%s", args, err, out)
	}
	site, err := filepath.Rel(g.dir, g.site)
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(clone, site)
	h, err = history.Read(context.Background(), history.Options{Root: root, Decode: generator.DecodePlan})
	if err != nil {
		t.Fatal(err)
	}
	return h, root
}

// TestSharedClone: a clone made with --shared borrows its objects from the
// repository it was cloned from (objects/info/alternates): the history
// reads them there.
func TestSharedClone(t *testing.T) {
	gitBin := gitOrSkip(t, "the shared clone is made with git clone --shared")
	g := slippingRepo(t, 1)
	h, root := readClone(t, gitBin, g, "--shared", g.dir)
	if st := h.Story("acme"); st == nil || len(st.Slips()) != 1 {
		t.Errorf("the shared clone's story %+v, want m1's slip", st)
	}
	// A past day's plan too.
	text, ok, err := history.PlanAt(history.Options{Root: root}, []string{"acme"}, day("2026-09-02"))
	if err != nil || !ok || !strings.Contains(string(text), "due: 2026-10-09") {
		t.Errorf("the shared clone's plan of 2 September: %v %v %.80q", ok, err, text)
	}
}

// TestSlipOfADateTakenOut: a close date moved later, then taken out, keeps
// its slip, with no date now and no net move.
func TestSlipOfADateTakenOut(t *testing.T) {
	st := &history.Story{Changes: []history.Change{
		{Commit: "c1", Kind: history.CloseMoved, From: "2027-01-29", To: "2027-02-05", Days: 7},
		{Commit: "c2", Kind: history.CloseMoved, From: "2027-02-05", To: ""}}}
	sl := st.Slips()
	if len(sl) != 1 || sl[0].Moves != 1 || sl[0].Days != 7 || sl[0].Now != "" || sl[0].Net != 0 {
		t.Errorf("slips %+v, want one of 7 days, no date now, net 0", sl)
	}
}

// TestCoAuthoredByTheBuyer: a commit the seller made with the buyer named
// in a Co-authored-by trailer (a squash merge of the buyer's branch) is a
// buyer-side edit, the buyer's.
func TestCoAuthoredByTheBuyer(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText("2026-12-30", "2026-10-09", "2026-12-10", t1))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", planText("2026-12-30", "2026-10-16", "2026-12-10", t1))
	g.commit(seller, "2026-09-04", "Security review a week later (#12)\n\nCo-authored-by: Jordan Park <Jordan.Park@acme.example>\n")
	st := g.read("").Story("acme")
	if c, ok := st.LastBy(deal.Buyer); !ok || c.Author.Stakeholder != "jordan" || c.When.Format("2006-01-02") != "2026-09-04" {
		t.Errorf("the last buyer edit %+v %v, want Jordan's, co-written on 4 September", c, ok)
	}
}

// TestDealFolderReused: a deal folder removed and later given another
// plan (a new deal under the old name) starts a history of its own: no
// slip of the old deal's dates.
func TestDealFolderReused(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText("2026-11-30", "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-01", "plan")
	if err := os.RemoveAll(filepath.Join(g.site, "content", "acme")); err != nil {
		t.Fatal(err)
	}
	g.commit(seller, "2026-10-05", "acme lost, folder removed")
	g.write("content/acme/index.md", planText("2027-03-31", "2027-01-09", "2027-02-01", task{"t1", "m1", "2026-12-20", "todo", ""}))
	g.commit(seller, "2026-11-01", "a new acme deal")
	st := g.read("").Story("acme")
	if st.First.Format("2006-01-02") != "2026-11-01" || len(st.Slips()) != 0 {
		t.Errorf("the new deal's story from %v, slips %+v; want it from 1 November, no slip", st.First, st.Slips())
	}
}

// TestRevertWithEditsKeepsThem: a revert committed with edits of its own
// (git revert -n, then more) undoes only what it puts back: m1's move and
// its move back are none, m2's move in the revert is a slip; a move the
// revert did not put back exactly (t1 moved on to another date) stands.
func TestRevertWithEditsKeepsThem(t *testing.T) {
	g := newRepo(t)
	plan := func(m1, m2, t1due string) string {
		return planText("2026-12-30", m1, m2, task{"t1", "m1", t1due, "todo", ""})
	}
	g.write("content/acme/index.md", plan("2026-10-09", "2026-11-01", "2026-09-20"))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", plan("2026-10-19", "2026-11-01", "2026-09-30"))
	moved := g.commit(seller, "2026-09-02", "m1 and t1 move")
	g.write("content/acme/index.md", plan("2026-10-09", "2026-11-08", "2026-09-25"))
	g.commit(seller, "2026-09-03", "Revert \"m1 and t1 move\"\n\nThis reverts commit "+moved.String()+".\n")
	got := map[string]int{}
	for _, sl := range g.read("").Story("acme").Slips() {
		got[sl.Item] = sl.Days
	}
	if want := map[string]int{"m2": 7, "t1": 10}; !maps.Equal(got, want) {
		t.Errorf("slips (item: days) %v, want %v", got, want)
	}
}

// TestCommittedWithCRLF: a plan checked out with core.autocrlf (CRLF line
// ends on disk, LF in git) is the committed plan.
func TestCommittedWithCRLF(t *testing.T) {
	g := newRepo(t)
	plan := planText("2026-12-30", "2026-10-09", "2026-11-01", task{"t1", "m1", "2026-09-20", "todo", ""})
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-09-01", "plan")
	st := g.read("").Story("acme")
	if !st.Committed([]byte(strings.ReplaceAll(plan, "\n", "\r\n"))) {
		t.Error("the plan with CRLF line ends reads as not committed")
	}
	if st.Committed([]byte(strings.ReplaceAll(plan, "2026-10-09", "2026-10-10"))) {
		t.Error("a plan edited on disk reads as committed")
	}
}

// gitOrSkip returns the git binary, and skips the test without one: what
// it needs is made with git itself.
func gitOrSkip(t *testing.T, what string) string {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("git is not installed: %s (.ci/run has it)", what)
	}
	return gitBin
}

// slippingRepo is a repository whose deal acme's milestone m1 (due 9
// October) slips a week, slips times: the buyer's move on 4 September,
// then the seller's on the 10th.
func slippingRepo(t *testing.T, slips int) *repo {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText("2026-12-30", "2026-10-09", "2026-12-10", t1))
	g.commit(seller, "2026-09-01", "plan")
	for i, on := range []string{"2026-09-04", "2026-09-10"}[:slips] {
		who := []object.Signature{buyer, seller}[i]
		g.write("content/acme/index.md", planText("2026-12-30", deal.NewDate(2026, 10, 9).AddDays(7*(i+1)).String(), "2026-12-10", t1))
		g.commit(who, on, "m1 a week later")
	}
	return g
}

// TestIndexLinkedToThePlan: a deal whose index.md is a symbolic link to
// a file beside it has that file's history: its slips, its buyer's edit.
func TestIndexLinkedToThePlan(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	folder := filepath.Join(g.site, "content", "acme")
	g.write("content/acme/plan.md", planText("2026-12-30", "2026-10-09", "2026-12-10", t1))
	if err := os.Symlink("plan.md", filepath.Join(folder, "index.md")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	g.commit(seller, "2026-09-01", "plan")
	moved := planText("2026-12-30", "2026-10-16", "2026-12-10", t1)
	g.write("content/acme/plan.md", moved)
	g.commit(buyer, "2026-09-04", "m1 a week later")
	st := g.read("").Story("acme")
	if st == nil || len(st.Slips()) != 1 || !st.Committed([]byte(moved)) {
		t.Fatalf("acme's story %+v, want m1's slip and the plan committed", st)
	}
	if _, ok := st.LastBy(deal.Buyer); !ok {
		t.Error("the buyer's edit of the linked plan is not told")
	}
	// A past day's plan is the linked file as it stood then, beside it or
	// in another folder of the content.
	if err := os.MkdirAll(filepath.Join(g.site, "content", "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(folder, "plan.md"), filepath.Join(g.site, "content", "shared", "acme.md")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(folder, "index.md"))
	if err := os.Symlink("../shared/acme.md", filepath.Join(folder, "index.md")); err != nil {
		t.Fatal(err)
	}
	g.commit(seller, "2026-09-06", "the plan moves to a shared folder")
	if text, ok, err := history.PlanAt(history.Options{Root: g.site}, []string{"acme"}, day("2026-09-07")); err != nil || !ok || !strings.Contains(string(text), "due: 2026-10-16") {
		t.Errorf("the plan of 7 September, linked from another folder: %v %v %.80q", ok, err, text)
	}
	text, ok, err := history.PlanAt(history.Options{Root: g.site}, []string{"acme"}, day("2026-09-02"))
	if err != nil || !ok || !strings.Contains(string(text), "due: 2026-10-09") {
		t.Errorf("the plan of 2 September: %v %v %.80q, want the linked file's first version", ok, err, text)
	}
}

// TestCoAuthorNamedByTheCurrentPlan: a buyer named as co-author, whose
// email the plan gained only later, is credited through the plan as it is
// now, as an author is.
func TestCoAuthorNamedByTheCurrentPlan(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	noEmail := func(m1 string) string {
		return strings.Replace(planText("2026-12-30", m1, "2026-12-10", t1), ", email: Jordan.Park@acme.example", "", 1)
	}
	g.write("content/acme/index.md", noEmail("2026-10-09"))
	g.commit(seller, "2026-09-01", "plan")
	g.write("content/acme/index.md", noEmail("2026-10-16"))
	g.commit(seller, "2026-09-04", "Squash (#3)\n\nCo-authored-by: Jordan Park <jordan.park@acme.example>\n")
	h, err := history.Read(context.Background(), history.Options{Root: g.site, Decode: generator.DecodePlan,
		People: map[string][]history.Person{"acme": {{ID: "jordan", Name: "Jordan Park", Email: "Jordan.Park@acme.example", Side: deal.Buyer}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := h.Story("acme").LastBy(deal.Buyer); !ok || c.Author.Stakeholder != "jordan" {
		t.Errorf("the last buyer edit %+v %v, want Jordan's, co-written", c, ok)
	}
}

// TestTaskOnADay: whether a step was in the plan, and done, at the end of
// a day, by the story's changes: a step removed before the day and put
// back after was not in the plan then; one added after was not either;
// one with no change but its status is told by its status changes.
func TestTaskOnADay(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC) }
	st := &history.Story{Changes: []history.Change{
		{When: at(2), Kind: history.TaskStatus, Item: "kept", From: "todo", To: "done"},
		{When: at(2), Kind: history.TaskStatus, Item: "gone", From: "todo", To: "done"},
		{When: at(4), Kind: history.TaskRemoved, Item: "gone"},
		{When: at(8), Kind: history.TaskAdded, Item: "gone"},
		{When: at(8), Kind: history.TaskAdded, Item: "late"},
		{When: at(9), Kind: history.TaskStatus, Item: "after", From: "todo", To: "done"},
	}}
	end := deal.NewDate(2026, 11, 5)
	for _, c := range []struct {
		id           string
		inPlan, done bool
	}{
		{"kept", true, true},
		{"gone", false, false},
		{"late", false, false},
		{"after", true, false},
		{"untouched", true, false},
	} {
		if got := st.TaskInPlanOn(c.id, end, time.UTC); got != c.inPlan {
			t.Errorf("%s in the plan on %s: %v, want %v", c.id, end, got, c.inPlan)
		}
		if c.inPlan {
			if done, known := st.TaskDoneOn(c.id, end, time.UTC); known && done != c.done || !known && c.id != "untouched" {
				t.Errorf("%s done on %s: %v (known %v), want %v", c.id, end, done, known, c.done)
			}
		}
	}
}

// TestFormerAtRebasedRename: a rename written on 10 September and
// committed (rebased) on the 20th came into the plan on the 20th: the
// folder had its old name until then, and a reply sent from its rooms on
// the 15th was sent under that name.
func TestFormerAtRebasedRename(t *testing.T) {
	g := newRepo(t)
	g.write("content/acme/index.md", planText("2026-12-18", "2026-10-09", "2026-11-01", task{"t1", "m1", "2026-09-20", "todo", ""}))
	g.commit(seller, "2026-09-01", "plan")
	if err := os.Rename(filepath.Join(g.site, "content", "acme"), filepath.Join(g.site, "content", "acme-data")); err != nil {
		t.Fatal(err)
	}
	g.commitLater(seller, "2026-09-10", "2026-09-20", "acme is acme-data")
	h := g.read("")
	st := h.Story("acme-data")
	if st == nil || !slices.Equal(st.Former, []string{"acme"}) {
		t.Fatalf("story %+v, want acme-data, formerly acme", st)
	}
	if at, ok := st.FormerAt(0); !ok || at.Format(time.DateOnly) != "2026-09-20" {
		t.Errorf("FormerAt(0) = %v %v, want 20 September, when the rename was committed", at, ok)
	}
	if cur, ok := h.NamedAt("acme", time.Date(2026, 9, 15, 9, 0, 0, 0, time.UTC)); !ok || cur != "acme-data" {
		t.Errorf("NamedAt(acme, 15 September) = %q %v, want acme-data: the folder was still named acme", cur, ok)
	}
	// A reply sent in the second the rename was committed (git keeps
	// whole seconds): from the room of acme still.
	at, _ := st.FormerAt(0)
	if cur, ok := h.NamedAt("acme", at.Add(650*time.Millisecond)); !ok || cur != "acme-data" {
		t.Errorf("NamedAt(acme, the rename's second) = %q %v, want acme-data", cur, ok)
	}
}

// TestContentLinkedToAFolder: a site whose content/ is a symbolic link to
// another folder of the repository has that folder's history, the plan of
// a past day too; a link out of the repository gives a note, not a
// history silently empty.
func TestContentLinkedToAFolder(t *testing.T) {
	g := newRepo(t)
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("plans/acme/index.md", planText("2026-12-30", "2026-10-09", "2026-12-10", t1))
	if err := os.Symlink("plans", filepath.Join(g.site, "content")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	g.commit(seller, "2026-09-01", "plan")
	g.write("plans/acme/index.md", planText("2026-12-30", "2026-10-16", "2026-12-10", t1))
	g.commit(buyer, "2026-09-04", "m1 a week later")
	h := g.read("")
	st := h.Story("acme")
	if st == nil || len(st.Slips()) != 1 {
		t.Fatalf("acme's story %+v (note %q), want m1's slip", st, h.Note)
	}
	if _, ok := st.LastBy(deal.Buyer); !ok {
		t.Error("the buyer's edit through the linked content is not told")
	}
	text, ok, err := history.PlanAt(history.Options{Root: g.site}, []string{"acme"}, day("2026-09-02"))
	if err != nil || !ok || !strings.Contains(string(text), "2026-10-09") {
		t.Errorf("the plan of 2 September through the link: ok %v, err %v:\n%s", ok, err, text)
	}

	// content/ linked out of the repository: a note says why there is no
	// history
	outside := t.TempDir()
	if err := os.Remove(filepath.Join(g.site, "content")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(g.site, "content")); err != nil {
		t.Fatal(err)
	}
	h = g.read("")
	if !h.InGit || len(h.Deals) != 0 || !strings.Contains(h.Note, "outside the git repository") {
		t.Errorf("content linked out of the repository: in git %v, %d deals, note %q", h.InGit, len(h.Deals), h.Note)
	}
}

// TestMergeResolvedToAThirdDate: a merge that settles a conflict on a date
// neither side wrote takes neither side's edit of it: the branch's move
// never was the plan (no buyer edit, no slip of it), the merge's own is.
func TestMergeResolvedToAThirdDate(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-01", "plan")
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("buyer"), Create: true}); err != nil {
		t.Fatal(err)
	}
	g.write("content/acme/index.md", planText(close, "2026-10-16", "2026-11-01", t1))
	branch := g.commit(buyer, "2026-09-05", "m1 a week later")
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("master")}); err != nil {
		t.Fatal(err)
	}
	g.write("content/acme/index.md", planText(close, "2026-10-14", "2026-11-01", t1))
	main := g.commit(seller, "2026-09-06", "m1 five days later")
	g.write("content/acme/index.md", planText(close, "2026-10-19", "2026-11-01", t1))
	g.commit(seller, "2026-09-07", "merge: m1 on the 19th", main, branch)

	st := g.read("").Story("acme")
	if c, ok := st.LastBy(deal.Buyer); ok {
		t.Errorf("the branch's move, which the merge did not take, is a buyer edit: %+v", c)
	}
	var moves []string
	for _, c := range st.Changes {
		if c.Kind == history.MilestoneDue {
			moves = append(moves, c.From+">"+c.To)
		}
	}
	if want := []string{"2026-10-09>2026-10-14", "2026-10-14>2026-10-19"}; !slices.Equal(moves, want) {
		t.Errorf("m1's moves %q, want %q (the seller's, then the merge's)", moves, want)
	}
}

// TestDealFolderRestoredWithAnEdit: a deal folder put back with an edit in
// the same commit is the deal going on, its history kept; a plan of the
// same template with other people put in the folder is a new deal.
func TestDealFolderRestoredWithAnEdit(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	g.write("content/acme/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.write("content/globex/index.md", planText(close, "2026-10-09", "2026-11-01", t1))
	g.commit(seller, "2026-09-01", "plans")
	g.write("content/acme/index.md", planText(close, "2026-10-16", "2026-11-01", t1))
	g.write("content/globex/index.md", planText(close, "2026-10-16", "2026-11-01", t1))
	g.commit(buyer, "2026-09-04", "m1 a week later")
	for _, d := range []string{"acme", "globex"} {
		if err := os.RemoveAll(filepath.Join(g.site, "content", d)); err != nil {
			t.Fatal(err)
		}
	}
	g.commit(seller, "2026-09-10", "oops")
	// acme back, m1 a week later again; globex's folder given another
	// buyer's plan of the same template
	g.write("content/acme/index.md", planText(close, "2026-10-23", "2026-11-01", t1))
	other := strings.NewReplacer("{id: jordan, name: Jordan Park", "{id: ines, name: Ines Roy", "lead: jordan", "lead: ines", "owner: jordan", "owner: ines", ", jordan]", ", ines]").
		Replace(planText(close, "2026-10-16", "2026-11-01", t1))
	g.write("content/globex/index.md", other)
	g.commit(seller, "2026-09-11", "acme back, with m1 moved; globex taken by another deal")

	h := g.read("")
	acme := h.Story("acme")
	if acme == nil || acme.First.Format("2006-01-02") != "2026-09-01" {
		t.Fatalf("acme's story %+v, want it from 1 September", acme)
	}
	if sl := acme.Slips(); len(sl) != 1 || sl[0].Moves != 2 || sl[0].Days != 14 {
		t.Errorf("acme's slips %+v, want m1 moved twice, 14 days", sl)
	}
	if _, ok := acme.LastBy(deal.Buyer); !ok {
		t.Error("acme's buyer edit before the removal is lost")
	}
	globex := h.Story("globex")
	if globex == nil || globex.First.Format("2006-01-02") != "2026-09-11" {
		t.Errorf("globex's story %+v, want a new deal from 11 September", globex)
	}
}

// TestFolderTakenByAnotherBuyer: a plan for another buyer is another
// deal, though it is made from the same template, with the same people's
// ids and names: put in a folder a removed deal had, it does not go on
// with that deal's story, and added in the commit that removes another
// deal's folder, it is no rename of it (its rooms would show the other
// customer's changes). The same buyer written otherwise is a rename.
func TestFolderTakenByAnotherBuyer(t *testing.T) {
	g := newRepo(t)
	const close = "2026-11-30"
	t1 := task{"t1", "m1", "2026-09-20", "todo", ""}
	plan := func(buyer, m1 string) string {
		return strings.Replace(planText(close, m1, "2026-11-01", t1), "buyer: Acme\n", "buyer: "+buyer+"\n", 1)
	}
	g.write("content/acme/index.md", plan("Acme", "2026-10-09"))
	g.write("content/globex/index.md", plan("Globex", "2026-10-09"))
	g.write("content/hooli/index.md", plan("Hooli", "2026-10-09"))
	g.commit(seller, "2026-09-01", "plans")
	g.write("content/acme/index.md", plan("Acme", "2026-10-16"))
	g.write("content/globex/index.md", plan("Globex", "2026-10-16"))
	g.write("content/hooli/index.md", plan("Hooli", "2026-10-16"))
	g.commit(buyer, "2026-09-04", "m1 a week later")
	if err := os.RemoveAll(filepath.Join(g.site, "content", "acme")); err != nil {
		t.Fatal(err)
	}
	g.commit(seller, "2026-09-10", "acme lost and gone")
	g.write("content/acme/index.md", plan("Initech", "2026-10-23"))
	for _, d := range []string{"globex", "hooli"} {
		if err := os.RemoveAll(filepath.Join(g.site, "content", d)); err != nil {
			t.Fatal(err)
		}
	}
	g.write("content/umbrella/index.md", plan("Umbrella Corp", "2026-10-16"))
	g.write("content/hooli-xyz/index.md", plan("HOOLI, Inc.", "2026-10-16"))
	g.commit(seller, "2026-09-11", "new deals; hooli's folder renamed")

	h := g.read("")
	for _, id := range []string{"acme", "umbrella"} {
		st := h.Story(id)
		if st == nil || st.First.Format("2006-01-02") != "2026-09-11" || len(st.Slips()) != 0 || len(st.Former) != 0 {
			t.Errorf("%s's story %+v, want a new deal's from 11 September, without the other buyer's slips", id, st)
		}
		if _, ok := st.LastBy(deal.Buyer); ok {
			t.Errorf("%s has the other buyer's edit", id)
		}
	}
	// The name acme was another deal's until 10 September: its links
	// open the new deal's rooms (the build warns).
	if st := h.Story("acme"); st == nil || st.Reused.Format("2006-01-02") != "2026-09-10" {
		t.Errorf("acme's story: Reused %v, want 10 September", st.Reused)
	}
	if st := h.Story("umbrella"); st == nil || !st.Reused.IsZero() {
		t.Errorf("umbrella's name was no other deal's: Reused %v", st.Reused)
	}
	hooli := h.Story("hooli-xyz")
	if hooli == nil || hooli.First.Format("2006-01-02") != "2026-09-01" || !slices.Equal(hooli.Former, []string{"hooli"}) {
		t.Errorf("hooli-xyz's story %+v, want hooli's renamed", hooli)
	}
}

// TestMissedReviewsFromTheCadence: the weekly reviews missed count from
// when the plan was given its review day, not from its first commit: a
// plan committed in September that agreed a Tuesday review on 30
// November has missed none by 8 December; given on 16 November, it has
// missed the two Tuesdays since whose days for a note have passed. A day not committed yet is new.
func TestMissedReviewsFromTheCadence(t *testing.T) {
	const close = "2027-01-29"
	t1 := task{"t1", "m1", "2026-12-20", "todo", ""}
	withReview := func(s string) string {
		return strings.Replace(s, "close: "+close+"\n", "close: "+close+"\nreview: {day: tuesday, time: \"15:00\", length: 15m}\n", 1)
	}
	for _, tc := range []struct {
		agreed string
		want   int
	}{{"2026-11-30", 0}, {"2026-11-16", 2}} {
		g := newRepo(t)
		g.write("content/acme/index.md", planText(close, "2026-12-10", "2027-01-10", t1))
		g.commit(seller, "2026-09-01", "plan")
		g.write("content/acme/index.md", withReview(planText(close, "2026-12-10", "2027-01-10", t1)))
		g.commit(seller, tc.agreed, "weekly review agreed")
		st := g.read("").Story("acme")
		d, err := fullDecode("acme", []byte(withReview(planText(close, "2026-12-10", "2027-01-10", t1))))
		if err != nil {
			t.Fatal(err)
		}
		today := deal.NewDate(2026, 12, 8)
		if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC}); n != tc.want {
			t.Errorf("review agreed on %s: %d missed by %s, want %d", tc.agreed, n, today, tc.want)
		}
		d.Review.Day = time.Thursday // moved, not committed yet
		if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC}); n != 0 {
			t.Errorf("a review day not committed yet: %d missed, want 0", n)
		}
	}
	// A past day's report reads the story of that day: the day moved to
	// Thursday later does not make the Tuesdays before it unmissed.
	g := newRepo(t)
	g.write("content/acme/index.md", withReview(planText(close, "2026-12-10", "2027-01-10", t1)))
	g.commit(seller, "2026-09-01", "plan, reviews on Tuesdays")
	g.write("content/acme/index.md", strings.Replace(withReview(planText(close, "2026-12-10", "2027-01-10", t1)), "day: tuesday", "day: thursday", 1))
	g.commit(seller, "2026-11-01", "reviews on Thursdays")
	d, err := fullDecode("acme", []byte(withReview(planText(close, "2026-12-10", "2027-01-10", t1))))
	if err != nil {
		t.Fatal(err)
	}
	day := deal.NewDate(2026, 10, 20)
	st := g.read("").Story("acme").Until(day.AddDays(1).Time())
	if n, _ := history.MissedReviews(history.Input{Deal: d, Story: st, Today: day, Loc: time.UTC}); n != 6 {
		t.Errorf("on %s, before the day moved: %d missed, want 6 (the Tuesdays from 8 September)", day, n)
	}
}

// TestMissedReviewsNoteAhead: a note written ahead for the next review
// ends no run of misses before it, and the signal says it is for a review
// after them, not that the last note is of a day inside the run.
func TestMissedReviewsNoteAhead(t *testing.T) {
	const close = "2027-01-29"
	t1 := task{"t1", "m1", "2026-12-20", "todo", ""}
	plan := strings.Replace(planText(close, "2026-12-10", "2027-01-10", t1), "close: "+close+"\n", "close: "+close+"\nreview: {day: tuesday, time: \"15:00\", length: 15m}\n", 1)
	d, err := fullDecode("acme", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	g := newRepo(t)
	g.write("content/acme/index.md", plan)
	g.commit(seller, "2026-10-19", "plan, reviews on Tuesdays")
	in := history.Input{Deal: d, Story: g.read("").Story("acme"), Today: deal.NewDate(2026, 11, 16), Loc: time.UTC,
		Reviews: []deal.Date{deal.NewDate(2026, 11, 16)}}
	var ev string
	for _, s := range history.Signals(in) {
		if s.Name == history.SignalMissedReviews {
			ev = s.Evidence
		}
	}
	if want := "3 weekly reviews in a row without a note in reviews/ (the last note, of 2026-11-16, is for a review after them)"; ev != want {
		t.Errorf("missed reviews %q, want %q", ev, want)
	}
}

// TestMissedReviewsAfterTheDayIsTakenOut: taking the review: line out of
// the plan does not stop the weekly review being missed: the reviews are
// counted on the day the plan had, and the signal says the line was taken
// out and when; so while the line is gone from the file only. A plan that
// never had a review day counts none.
func TestMissedReviewsAfterTheDayIsTakenOut(t *testing.T) {
	const close = "2027-01-29"
	t1 := task{"t1", "m1", "2026-12-20", "todo", ""}
	bare := planText(close, "2026-12-10", "2027-01-10", t1)
	withReview := strings.Replace(bare, "close: "+close+"\n", "close: "+close+"\nreview: {day: tuesday, time: \"15:00\", length: 15m}\n", 1)
	d, err := fullDecode("acme", []byte(bare))
	if err != nil {
		t.Fatal(err)
	}
	today := deal.NewDate(2026, 12, 8)
	missed := func(st *history.Story) (int, string) {
		in := history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC}
		n, _ := history.MissedReviews(in)
		for _, s := range history.Signals(in) {
			if s.Name == history.SignalMissedReviews {
				return n, s.Evidence
			}
		}
		return n, ""
	}

	g := newRepo(t)
	g.write("content/acme/index.md", withReview)
	g.commit(seller, "2026-11-02", "plan, reviews on Tuesdays")
	// Not committed yet: the file has lost the line, its last commit has it.
	n, ev := missed(g.read("").Story("acme"))
	if n != 4 || !strings.Contains(ev, "counted on Tuesdays, the review day of the plan's last commit") {
		t.Errorf("line taken out on disk: %d missed, evidence %q; want the 4 Tuesdays from 10 November, counted on Tuesdays", n, ev)
	}
	g.write("content/acme/index.md", bare)
	g.commit(seller, "2026-11-20", "no more weekly review")
	n, ev = missed(g.read("").Story("acme"))
	if n != 4 || !strings.Contains(ev, "counted on Tuesdays, the plan's review day until its review: line was taken out on 2026-11-20") {
		t.Errorf("line taken out in a commit: %d missed, evidence %q; want 4, counted on Tuesdays, taken out on 2026-11-20", n, ev)
	}

	never := newRepo(t)
	never.write("content/acme/index.md", bare)
	never.commit(seller, "2026-11-02", "plan without a review")
	if n, ev := missed(never.read("").Story("acme")); n != 0 || ev != "" {
		t.Errorf("a plan that never had a review day: %d missed (%q), want none", n, ev)
	}
}

// TestNoBuyerEditFromWhenBuyersJoined: a plan the seller drafted alone
// for weeks, naming only the seller's people, then shared with the buyer
// (their people added), has had nobody on the buyer's side to edit it
// until then: no-buyer-edit counts from that day.
func TestNoBuyerEditFromWhenBuyersJoined(t *testing.T) {
	t1 := task{"t1", "m1", "2026-12-20", "todo", ""}
	full := planText("2027-01-29", "2026-12-10", "2027-01-10", t1)
	draft := strings.Replace(full, "  - {id: jordan, name: Jordan Park, side: buyer, role: champion, email: Jordan.Park@acme.example}\n", "", 1)
	draft = strings.ReplaceAll(draft, "jordan", "sam")
	g := newRepo(t)
	g.write("content/acme/index.md", draft)
	g.commit(seller, "2026-09-01", "draft")
	g.write("content/acme/index.md", full)
	g.commit(seller, "2026-12-03", "shared with Acme")
	st := g.read("").Story("acme")
	d, err := fullDecode("acme", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	signal := func(today deal.Date) string {
		for _, s := range history.Signals(history.Input{Deal: d, Story: st, Today: today, Loc: time.UTC}) {
			if s.Name == history.SignalNoBuyerEdit {
				return s.Evidence
			}
		}
		return ""
	}
	if ev := signal(deal.NewDate(2026, 12, 8)); ev != "" {
		t.Errorf("five days after the buyer joined: %q, want no signal", ev)
	}
	if ev := signal(deal.NewDate(2026, 12, 20)); !strings.Contains(ev, "no buyer-side edit since 2026-12-03, when the plan first named someone on the buyer's side") {
		t.Errorf("17 days after: %q, want the signal counted from 3 December", ev)
	}
}

// TestSameBuyerNames: how a seller writes one buyer's name.
func TestSameBuyerNames(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Acme", "ACME Corp.", true},
		{"Globex", "Globex Mutual Insurance", true},
		{"The Initech Company", "Initech", true},
		{"", "Hooli", true},
		{"[[the buyer's company]]", "Hooli", true},
		{"General Motors", "General Electric", false},
		{"First Republic Bank", "First National Bank", false},
		{"Globex", "Initech Inc", false},
		{"Acme Rockets", "Acme Robots", false},
		// a word a letter apart is a typo only with the buyer's people
		// in both (SamePlanBuyer): by the name alone, two buyers
		{"Globex Mutal Insurance", "Globex Mutual Insurance", false},
		{"Acme Health", "Acme Wealth", false},
		{"Umbrella Insurance", "Umbrella Assurance", false},
	} {
		if got := history.SameBuyer(c.a, c.b); got != c.same {
			t.Errorf("SameBuyer(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	jordan := history.Person{ID: "jordan", Email: "jordan@globex.example", Side: deal.Buyer}
	nina := history.Person{ID: "nina", Email: "nina@wealth.example", Side: deal.Buyer}
	for _, c := range []struct {
		a, b   string
		pa, pb history.Person
		same   bool
	}{
		{"Globex Mutal Insurance", "Globex Mutual Insurance", jordan, jordan, true},
		{"Globex Mutal Insurance", "Globex Mutual Insurance", jordan, nina, false},
		{"Acme Health", "Acme Wealth", jordan, nina, false},
		{"Acme Health", "Acme Trust", jordan, jordan, false},
		// a plan without emails: the same person by id and name
		{"Globex Mutal Insurance", "Globex Mutual Insurance", history.Person{ID: "jo", Name: "Jo Park", Side: deal.Buyer}, history.Person{ID: "jo", Name: "Jo Park", Side: deal.Buyer}, true},
		{"Globex Mutal Insurance", "Globex Mutual Insurance", history.Person{ID: "jo", Name: "Jo Park", Side: deal.Buyer}, history.Person{ID: "jo", Name: "Ann Lee", Side: deal.Buyer}, false},
	} {
		pa := &history.Plan{Buyer: c.a, People: []history.Person{c.pa}}
		pb := &history.Plan{Buyer: c.b, People: []history.Person{c.pb}}
		if got := history.SamePlanBuyer(pa, pb); got != c.same {
			t.Errorf("SamePlanBuyer(%q with %s, %q with %s) = %v, want %v", c.a, c.pa.ID, c.b, c.pb.ID, got, c.same)
		}
	}
}
