package generator

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/token"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the actual output")

// TestGoldenPages pins rendered pages of the example site: a buyer's room, a
// seller's preview room, a scoped collateral page, a calendar and the
// manifest. Run with -update after an intended change and review the diff.
func TestGoldenPages(t *testing.T) {
	root := exampleSite(t)
	res, out := buildSite(t, root, deal.NewDate(2026, 11, 22))
	room := func(d, s string) string {
		for _, b := range res.Site.Bundles {
			if b.Deal.ID != d {
				continue
			}
			st, ok := b.Deal.Stakeholder(s)
			if !ok {
				t.Fatalf("no stakeholder %s in %s", s, d)
			}
			return filepath.Join(out, "r", token.Room(testSecret, d, s, st.Rotate))
		}
		t.Fatalf("no deal %s", d)
		return ""
	}
	cases := map[string]string{
		"acme-jordan-room.html":     filepath.Join(room("acme-data-platform", "jordan"), "index.html"),
		"acme-priya-pricing.html":   filepath.Join(room("acme-data-platform", "priya"), "pricing", "index.html"),
		"acme-sam-seller-room.html": filepath.Join(room("acme-data-platform", "sam"), "index.html"),
		"acme-jordan-calendar.ics":  filepath.Join(room("acme-data-platform", "jordan"), "calendar.ics"),
		"globex-security-room.html": filepath.Join(room("globex-security-review", res.Site.Bundles[1].Deal.Stakeholders[0].ID), "index.html"),
		"initech-won-room.html":     filepath.Join(room("initech-expansion", res.Site.Bundles[2].Deal.Stakeholders[0].ID), "index.html"),
		"site-index.html":           filepath.Join(out, "index.html"),
		"site-404.html":             filepath.Join(out, "404.html"),
		"site-headers.txt":          filepath.Join(out, "_headers"),
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; if the change is intended, run go test ./generator -run TestGoldenPages -update and review the diff\n%s", path, golden, firstDiff(got, want))
			}
		})
	}
}

func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return "got:  ..." + string(got[lo:min(len(got), i+80)]) + "\nwant: ..." + string(want[lo:min(len(want), i+80)])
}

// TestBuildIsReproducible builds the same site twice into different folders
// and expects byte-identical output: the same content, secret and day give
// the same site on any machine.
func TestBuildIsReproducible(t *testing.T) {
	root := exampleSite(t)
	_, a := buildSite(t, root, deal.NewDate(2026, 11, 22))
	_, b := buildSite(t, root, deal.NewDate(2026, 11, 22))
	files := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds of the same site", rel)
		}
		files++
		return nil
	})
	if files < 50 {
		t.Fatalf("only %d files built", files)
	}
}
