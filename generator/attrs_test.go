package generator

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

var (
	tagRe  = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	attrRe = regexp.MustCompile(`([^\s"'=/<>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?`)
)

// emptyRefs returns the tags of page whose href or src attribute is empty
// or has no value: a browser resolves such a link to the page itself and
// fetches it again (as a stylesheet, a script or an image).
func emptyRefs(page []byte) []string {
	var bad []string
	for _, tag := range tagRe.FindAll(page, -1) {
		_, attrs, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(string(tag[1:]), ">"), "/"), " ")
		for _, m := range attrRe.FindAllStringSubmatch(attrs, -1) {
			switch strings.ToLower(m[1]) {
			case "href", "src":
				if strings.TrimSpace(strings.Trim(m[2], `"'`)) == "" {
					bad = append(bad, string(tag))
				}
			}
		}
	}
	return bad
}

// TestNoEmptyLinks builds the example site and checks that no published
// page (rooms, collateral pages, index.html and 404.html) has an empty
// href or src.
func TestNoEmptyLinks(t *testing.T) {
	_, out := buildSite(t, exampleSite(t), deal.NewDate(2026, 11, 22))
	pages := 0
	err := filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pages++
		for _, tag := range emptyRefs(data) {
			rel, _ := filepath.Rel(out, p)
			t.Errorf("%s: %s has an empty link", filepath.ToSlash(rel), tag)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "404.html")); err != nil || pages < 10 {
		t.Fatalf("checked %d pages (404.html: %v): the build published less than the example site", pages, err)
	}
}

// TestEmptyRefs pins what the page check counts as an empty link.
func TestEmptyRefs(t *testing.T) {
	for page, want := range map[string]int{
		`<link rel="stylesheet" href>`:                  1,
		`<link rel=stylesheet href="">`:                 1,
		`<img src='' alt="x">`:                          1,
		`<a href=" ">x</a>`:                             1,
		`<a href="r/x/">x</a><img src=a.png alt="src">`: 0,
		`<meta content="img-src 'self' data:; href">`:   0,
		`<link rel="icon" href="data:,">`:               0,
	} {
		if got := len(emptyRefs([]byte(page))); got != want {
			t.Errorf("%s: %d empty links; want %d", page, got, want)
		}
	}
}
