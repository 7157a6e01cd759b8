package history_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// fullDecode is the generator's decoder.
var fullDecode history.Decoder = generator.DecodePlan

var quickPlan = history.QuickPlan

type Plan = history.Plan

// FuzzQuickPlan holds the fast reader to the generator's decoder: on every
// input both accept, they read the same Plan. It is seeded with the example
// site's plans, synthetic ones and the layouts the fast reader refuses.
func FuzzQuickPlan(f *testing.F) {
	if fullDecode == nil {
		f.Skip("the generator's decoder is not linked in")
	}
	for _, p := range seedPlans(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		quick, ok := quickPlan(src)
		m := history.NewMemo()
		for range 2 { // through a memo, empty then holding the pieces
			mq, mok := history.QuickPlanMemo(src, m)
			if mok != ok || (ok && !samePlan(mq, quick)) {
				t.Fatalf("the memo reads otherwise (%v, %v):\n%s", mok, ok, src)
			}
		}
		if !ok {
			return
		}
		d, err := fullDecode("deal", src)
		if err != nil {
			return // the decoder refuses it: the walk treats it as unreadable
		}
		full := history.PlanOf(d)
		if !samePlan(quick, full) {
			t.Fatalf("the fast reader and the decoder disagree on\n%s\nquick: %+v\n full: %+v", src, quick, full)
		}
	})
}

// TestQuickPlanReadsCommonPlans: the fast reader reads every plan of the
// example site and of a synthetic site (else the history would be slow),
// exactly as the decoder does.
func TestQuickPlanReadsCommonPlans(t *testing.T) {
	if fullDecode == nil {
		t.Skip("the generator's decoder is not linked in")
	}
	for i, src := range seedPlans(t)[:6] {
		quick, ok := quickPlan(src)
		if !ok {
			t.Errorf("plan %d: the fast reader refuses it", i)
			continue
		}
		d, err := fullDecode("deal", src)
		if err != nil {
			t.Fatalf("plan %d: %v", i, err)
		}
		if !samePlan(quick, history.PlanOf(d)) {
			t.Errorf("plan %d: quick %+v\nfull %+v", i, quick, history.PlanOf(d))
		}
	}
}

func samePlan(a, b *Plan) bool {
	norm := func(p *Plan) Plan {
		q := *p
		if len(q.People) == 0 {
			q.People = nil
		}
		if len(q.Milestones) == 0 {
			q.Milestones = nil
		}
		if len(q.Tasks) == 0 {
			q.Tasks = nil
		}
		if len(q.Docs) == 0 {
			q.Docs = nil
		}
		return q
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// seedPlans returns the example site's four plans, two synthetic ones,
// then variants the fast reader must refuse or read right.
func seedPlans(tb testing.TB) [][]byte {
	var out [][]byte
	ex, _ := filepath.Glob(filepath.Join("..", "..", "content", "*", "index.md"))
	for _, p := range ex {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	dir := tb.TempDir()
	if err := synth.Write(dir, synth.Options{Deals: 2, Seed: 7}); err != nil {
		tb.Fatal(err)
	}
	for d := range 2 {
		b, err := os.ReadFile(filepath.Join(dir, "content", synth.DealID(d), "index.md"))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		"---\ntitle: T\nclose: 2026-01-02\nmilestones:\n  - id: m\n    title: M\n    tasks:\n      - id: a\n        title: |\n          block\n        due: 2026-01-01\n---\n",
		"---\ntitle: T\nclose: 2026-01-02\nmilestones:\n- id: m\n  title: 'It''s' # c\n  tasks: [{id: a, title: A, due: 2026-01-01, status: done}]\n---\n",
		"---\ntitle: &x T\nclose: *x\n---\n",
		"---\nclose: \"2026-01-02\"\noutcome: won\nstakeholders:\n  - {id: a, name: \"A, B\", side: buyer, email: a@x.example}\n---\n",
		"---\nmilestones:\n  - id: m\n    title: Two\n      lines\n---\n",
		"---\nclose: 2026-01-02 # the date\nstatus: true\n---\n",
	} {
		out = append(out, []byte(s))
	}
	_ = deal.Open
	return out
}

// TestMemo: reading a deal's versions in turn through the memo gives what
// reading each alone gives, and the memo does parse fewer pieces.
func TestMemo(t *testing.T) {
	m := history.NewMemo()
	for v := range 40 {
		src := synthVersion(3, v)
		if v%7 == 3 { // a version the pieces do not split: a list of one line
			src = []byte(strings.Replace(string(src), "stakeholders:\n", "stakeholders: []\nx_list:\n", 1))
		}
		want, ok := quickPlan(src)
		if !ok {
			t.Fatalf("version %d: the fast reader refuses it", v)
		}
		got, ok := history.QuickPlanMemo(src, m)
		if !ok || !samePlan(got, want) {
			t.Fatalf("version %d through the memo:\n got %+v\nwant %+v", v, got, want)
		}
	}
	for _, src := range seedPlans(t) {
		want, wok := quickPlan(src)
		got, gok := history.QuickPlanMemo(src, m)
		if wok != gok || (wok && !samePlan(got, want)) {
			t.Errorf("a seed plan through the memo: %v %v\n%s", wok, gok, src)
		}
	}
}

// FuzzMemo: a version read after another through one memo reads as it
// reads alone, whatever pieces the first left in the memo (a piece's text
// parses the same wherever it stands), and so does the first read again
// after it: the memo parses a version from the one before it where their
// texts differ in one stretch (splice).
func FuzzMemo(f *testing.F) {
	seeds := seedPlans(f)
	for i, p := range seeds {
		f.Add(seeds[(i+1)%len(seeds)], p)
	}
	for v := range 12 {
		f.Add(synthVersion(2, v), synthVersion(2, v+1))
	}
	// The same item at another indent, and an item that changes shape.
	f.Add([]byte("---\nmilestones:\n  - id: m1\n    tasks:\n      - id: t1\n        due: 2027-01-04\n---\n"),
		[]byte("---\nmilestones:\n  - id: m1\n    tasks:\n    - id: t1\n      due: 2027-01-04\n  - id: m2\n    tasks:\n      - id: t1\n        due: 2027-01-04\n---\n"))
	// Edits splice must see through: an item added next to another, an
	// item split in two, an item moved out or in, a comment or a blank line
	// between items, a key moved to the top level, two equal items, a
	// section's key line changed.
	base := string(synthVersion(2, 5))
	for _, e := range [][2]string{
		{"      - id: t2\n", "      - id: t9\n        title: New\n      - id: t2\n"},
		{"        owner: p1\n", "      - id: t1b\n        owner: p1\n"},
		{"      - id: t4\n", "    - id: t4\n"},
		{"  - id: m2\n", "# between\n  - id: m2\n"},
		{"  - id: m2\n", "\n  - id: m2\n"},
		{"    lead: p0\n    evidence: Signed decision record number 1\n", "lead: p0\n"},
		{"  - {id: p1,", "  - {id: p0, name: Person 2-0, title: Title 0, side: buyer, role: champion, email: p0@deal2.example}\n  - {id: p1,"},
		{"milestones:\n", "milestones: []\nx:\n"},
		{"        status: todo\n        evidence: Artifact sent by email\n      - id: t5", "        status: todo\n        evidence: Artifact sent by email\n  - id: t5"},
		// and edits that move where the frontmatter ends, or start
		{"milestones:\n", "---\nmilestones:\n"},
		{"milestones:\n", " --- \nmilestones:\n"},
		{"    lead: p0\n", "    lead: p0 ---\n"},
		{"---\nWelcome", "----\nWelcome"},
		{"---\ntitle:", "\xef\xbb\xbf---\ntitle:"},
		{"---\ntitle:", "\n\n---\ntitle:"},
	} {
		edited := strings.Replace(base, e[0], e[1], 1)
		if edited == base {
			f.Fatalf("the edit %q finds nothing to edit", e[0])
		}
		f.Add([]byte(base), []byte(edited))
	}
	f.Fuzz(func(t *testing.T, first, src []byte) {
		alone, ok := quickPlan(src)
		m := history.NewMemo()
		history.QuickPlanMemo(first, m)
		got, mok := history.QuickPlanMemo(src, m)
		if mok != ok || (ok && !samePlan(got, alone)) {
			t.Fatalf("read after another through the memo: %v, alone: %v\n got %+v\nwant %+v\nfirst:\n%s\nthen:\n%s", mok, ok, got, alone, first, src)
		}
		alone, ok = quickPlan(first)
		got, mok = history.QuickPlanMemo(first, m)
		if mok != ok || (ok && !samePlan(got, alone)) {
			t.Fatalf("read again after another through the memo: %v, alone: %v\n got %+v\nwant %+v\nfirst:\n%s\nthen:\n%s", mok, ok, got, alone, src, first)
		}
	})
}
