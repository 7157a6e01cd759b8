package generator

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/maproom/maproom/internal/frontmatter"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// fastDecodeSeeds are frontmatters decodeFast must either decode exactly as
// Node.Decode does or leave to it.
var fastDecodeSeeds = []string{
	"title: x\nvalue: 12\nstakeholders:\n  - {id: a, name: A, rotate: 2}\n",
	"title: 'quoted'\nclose: 2026-06-30\nvalue: -4\ncriteria: [a, 'b', \"c\", 1, true, 2.5, 2026-01-01]\n",
	"title: x\nvalue: 0x10\n",
	"title: x\nvalue: 010\n",
	"title: x\nvalue: 1_000\n",
	"title: x\nvalue: +5\n",
	"title: x\nvalue: \"5\"\n",
	"title: x\nvalue: 1.0\n",
	"title: x\nvalue: 99999999999999999999\n",
	"title: !!str 12\n",
	"title: !custom x\n",
	"title: &t x\nbuyer: *t\n",
	"title: x\ntitle: y\n",
	"title: x\nunknown: 1\nunknown: 2\n",
	"<<: {title: merged}\nbuyer: b\n",
	"title:\nbuyer: ~\nreview: null\nmilestones:\n",
	"criteria: [a, ~, b]\n",
	"criteria: []\nmilestones: []\n",
	"review: {day: tuesday, time: \"15:00\", length: 15m}\n",
	"review: x\n",
	"stakeholders: x\n",
	"stakeholders: [x]\n",
	"title: [a]\n",
	"title: {a: b}\n",
	"milestones:\n  - id: m\n    tasks:\n      - {id: t, after: [u, v], collateral: [c], duration: 10, due: 2026-01-02}\n",
	"title: |\n  block\n  text\nbuyer: >\n  folded\n",
	"? complex\n: key\n",
	"[a, b]: c\n",
	"title: x\n~: y\n",
	"value: -0\n",
	"value: 9223372036854775807\n",
	"stakeholders: [{rotate: 3000000000}]\n",
}

// checkFastDecode decodes src with decodeFast and with Node.Decode and
// fails when decodeFast claims a result that differs. It reports whether
// decodeFast decoded it.
func checkFastDecode(t *testing.T, src []byte) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil || len(root.Content) != 1 {
		return false
	}
	var fast, slow rawDeal
	ok := decodeFast(root.Content[0], reflect.ValueOf(&fast).Elem())
	err := root.Decode(&slow)
	if ok && (err != nil || !reflect.DeepEqual(fast, slow)) {
		t.Errorf("%q:\ndecodeFast: %+v\nNode.Decode: %+v (error %v)", src, fast, slow, err)
	}
	return ok
}

func TestDecodeFastAgreesWithDecode(t *testing.T) {
	for _, s := range fastDecodeSeeds {
		checkFastDecode(t, []byte(s))
	}
	// Real plans take the fast path, and decode the same.
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{Deals: 5, Files: 1, Seed: 3, RandomAudiences: true}); err != nil {
		t.Fatal(err)
	}
	var plans []string
	for _, pattern := range []string{
		filepath.Join("..", "content", "*", BundleIndex),
		filepath.Join("..", "analytics", "testdata", "report", "site", "content", "*", BundleIndex),
		filepath.Join(dir, ContentDir, "*", BundleIndex),
	} {
		m, _ := filepath.Glob(pattern)
		plans = append(plans, m...)
	}
	if len(plans) < 10 {
		t.Fatalf("found %d plans, want the example's, the report scenarios' and 5 synthetic ones", len(plans))
	}
	for _, p := range plans {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, problem := frontmatter.Split(src)
		if problem != frontmatter.OK {
			t.Fatalf("%s: no frontmatter", p)
		}
		if !checkFastDecode(t, doc.Front) {
			t.Errorf("%s: decodeFast left a well-formed plan to Node.Decode", p)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range fastDecodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		checkFastDecode(t, src)
	})
}
