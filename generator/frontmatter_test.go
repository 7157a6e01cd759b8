package generator

import (
	"bytes"
	"testing"

	"github.com/adrg/frontmatter"
)

// adrgSplit is how plans were split before splitFrontmatter: the
// frontmatter library with one "---" format.
func adrgSplit(src []byte) (fm, body []byte, found bool) {
	format := frontmatter.NewFormat("---", "---", func(data []byte, _ any) error {
		fm, found = bytes.Clone(data), true
		return nil
	})
	body, err := frontmatter.Parse(bytes.NewReader(src), nil, format)
	if err != nil {
		panic(err) // a bytes.Reader never fails and the format never does
	}
	return fm, body, found
}

var frontmatterSeeds = []string{
	"---\ntitle: x\n---\nbody\n",
	"---\ntitle: x\n---",
	"---\ntitle: x\n---\n",
	"\n\n  \n---\ntitle: x\n  ---  \nbody",
	"---\r\ntitle: x\r\n---\r\nbody\r\n",
	"---\ntitle: x\n",
	"---",
	"--- \n",
	"",
	"\n",
	"title: x\n---\n",
	"---\n---\n",
	"---\n---",
	"---\n\n---\nb",
	"\n---\n\n---\n",
	"----\ntitle: x\n---\n",
	"---\ntitle: x\n----\n---\nafter\n---\nmore",
	"---yaml\ntitle: x\n---\n",
	"\t---\t\na: [1,\n 2]\n---\n\n# Welcome\n",
	"\ufeff---\ntitle: x\n---\n", // a byte-order mark: the loader drops it before splitting
}

// TestSplitFrontmatter checks that splitFrontmatter finds the same
// frontmatter and body as the library it replaced, on the seeds.
func TestSplitFrontmatter(t *testing.T) {
	for _, s := range frontmatterSeeds {
		checkSplit(t, []byte(s))
	}
	fm, body, found := splitFrontmatter([]byte("\n---\ntitle: x\n---\nWelcome\n"))
	if !found || string(fm) != "title: x\n" || string(body) != "Welcome\n" {
		t.Errorf("split = %q, %q, %v; want \"title: x\\n\", \"Welcome\\n\", true", fm, body, found)
	}
}

// FuzzSplitFrontmatter compares splitFrontmatter with the library on any
// input.
func FuzzSplitFrontmatter(f *testing.F) {
	for _, s := range frontmatterSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSplit)
}

func checkSplit(t *testing.T, src []byte) {
	fm, body, found := splitFrontmatter(src)
	wfm, wbody, wfound := adrgSplit(src)
	if found != wfound || (found && (!bytes.Equal(fm, wfm) || !bytes.Equal(body, wbody))) {
		t.Errorf("%q: split = %q, %q, %v; the library says %q, %q, %v", src, fm, body, found, wfm, wbody, wfound)
	}
}
