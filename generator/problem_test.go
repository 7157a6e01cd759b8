package generator

import (
	"path/filepath"
	"testing"
)

// TestProblemUnder: a problem's file is named from the site's root when it
// is under it, so a report says content/... and not the path of the
// machine it ran on; a file outside the root keeps its path.
func TestProblemUnder(t *testing.T) {
	root := filepath.Join(string(filepath.Separator), "home", "sam", "site")
	p := Problem{File: filepath.Join(root, "content", "acme", "index.md"), Line: 6, Msg: "unknown key"}
	if got := p.Under(root).Error(); got != filepath.Join("content", "acme", "index.md")+":6: unknown key" {
		t.Errorf("under the root: %q", got)
	}
	out := Problem{File: filepath.Join(string(filepath.Separator), "etc", "maproom.toml"), Line: 1, Msg: "x"}
	if got := out.Under(root); got.File != out.File {
		t.Errorf("outside the root: %q", got.File)
	}
}
