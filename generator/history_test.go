package generator

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/synth"
)

// TestDecodePlanAsLoaded: a plan decoded from bytes (as the history reads
// each version from git) is the deal the loader reads from the folder.
func TestDecodePlanAsLoaded(t *testing.T) {
	site, ps := Load(LoadOptions{Root: "..", Today: deal.NewDate(2026, 11, 22)})
	if ps.Errors() > 0 {
		t.Fatalf("example site: %v", ps)
	}
	for _, b := range site.Bundles {
		d, err := DecodePlan(b.Deal.ID, b.Source)
		if err != nil {
			t.Fatalf("%s: %v", b.Deal.ID, err)
		}
		d.File, b.Deal.File = "", ""
		if !reflect.DeepEqual(d, b.Deal) {
			t.Errorf("%s: DecodePlan differs from the loaded deal", b.Deal.ID)
		}
	}
	if _, err := DecodePlan("x", []byte("---\ntitle: T\nclose: soon\n---\n")); err == nil {
		t.Errorf("a plan with a bad close date decoded without error")
	}
}

func BenchmarkDecodePlan(b *testing.B) {
	root := b.TempDir()
	if err := synth.Write(root, synth.Options{Deals: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, ContentDir, synth.DealID(0), BundleIndex))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := DecodePlan("d", src); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHistorySettings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	os.WriteFile(p, []byte("title = \"x\"\n[history]\nslips = 3\nflat_days = 14\n"), 0o644)
	c, ps := LoadConfig(p)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if th := c.History.Thresholds(); th.Slips != 3 || th.FlatDays != 14 || th.MissedReviews != 3 || th.BuyerEditDays != 14 {
		t.Errorf("thresholds = %+v", th)
	}
	os.WriteFile(p, []byte("title = \"x\"\n[history]\nmissed_reviews = -1\n"), 0o644)
	if _, ps := LoadConfig(p); len(ps) != 1 || ps[0].Line != 3 || !strings.Contains(ps[0].Msg, "[history] missed_reviews = -1") {
		t.Errorf("a negative threshold: %v", ps)
	}
}
