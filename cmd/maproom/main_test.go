package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script from the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"maproom": main})
}

// TestScripts runs the CLI behaviour scripts in testdata/script against the
// real run. Each script starts with the example site copied to $WORK/site
// and a fixed MAPROOM_SECRET, unless it unsets it.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("MAPROOM_SECRET", "test-secret-0123456789abcdef0123456789abcdef")
			env.Setenv("MAPROOM_TODAY", "")
			return copyDir(filepath.Join("..", "..", "content"), filepath.Join(env.WorkDir, "site", "content"))
		},
	})
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "public" || d.Name() == ".maproom" {
				return fs.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
