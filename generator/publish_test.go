package generator

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/token"
)

// TestCommitWithNothingWritten: an update that writes no file must still
// finish. (The writer goroutine once read the channel field after commit
// had cleared it, and then waited forever on a nil channel.)
func TestCommitWithNothingWritten(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	for i := 0; i < 500; i++ {
		o, err := newOutputState(out, &buildState{Version: stateVersion, Groups: map[string]*groupState{}})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := o.commitGroups(nil); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("commit %d with nothing written never returned", i)
		}
	}
}

// TestBuildRefusesOutputHoldingTheSite: an output folder that would hold
// the site's own files is refused before anything is written or removed.
// (A build given -out . once removed the content and the secret, and
// published the private manifest.)
func TestBuildRefusesOutputHoldingTheSite(t *testing.T) {
	for _, c := range []struct {
		name string
		opts func(root string) Options // Out, StateDir, Manifest
		want string
	}{
		{"the site root", func(root string) Options { return Options{Out: root} }, "the site root"},
		{"a parent of the root", func(root string) Options { return Options{Out: filepath.Dir(root)} }, "the site root"},
		{"the root by another name", func(root string) Options { return Options{Out: filepath.Join(root, "content", "..")} }, "the site root"},
		{"the content", func(root string) Options { return Options{Out: filepath.Join(root, "content")} }, "the content folder"},
		{"inside the content", func(root string) Options { return Options{Out: filepath.Join(root, "content", "site")} }, "inside the content folder"},
		{"the private state", func(root string) Options { return Options{Out: filepath.Join(root, ".maproom")} }, "the private state folder"},
		{"the manifest", func(root string) Options {
			return Options{Out: filepath.Join(root, "public"), Manifest: filepath.Join(root, "public", "rooms.json")}
		}, "the private room manifest"},
		{"the root through a symbolic link", func(root string) Options {
			link := filepath.Join(t.TempDir(), "link")
			if err := os.Symlink(root, link); err != nil {
				t.Fatal(err)
			}
			return Options{Out: link}
		}, "the site root"},
		{"a parent of the root through a symbolic link", func(root string) Options {
			link := filepath.Join(t.TempDir(), "link")
			if err := os.Symlink(filepath.Dir(root), link); err != nil {
				t.Fatal(err)
			}
			return Options{Out: link}
		}, "the site root"},
		{"a state elsewhere", func(root string) Options {
			state := filepath.Join(t.TempDir(), "state")
			return Options{Out: filepath.Dir(state), StateDir: state}
		}, "the private state folder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := exampleSite(t)
			secret := filepath.Join(root, ".maproom", "secret")
			if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(secret, testSecret, 0o600); err != nil {
				t.Fatal(err)
			}
			before := treeOf(t, root)
			opts := c.opts(root)
			opts.Root, opts.Secret, opts.Today = root, testSecret, deal.NewDate(2026, 11, 22)
			_, err := Build(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "public") {
				t.Fatalf("Build with output %s: error %v, want one that names %q and suggests public", opts.Out, err, c.want)
			}
			if after := treeOf(t, root); !slices.Equal(before, after) {
				t.Errorf("the refused build changed the site:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

// TestBuildKeepsOthersFilesInOutput: in an output folder with no state of
// an earlier build (a folder of the seller's, say), a build removes the
// stale files of maproom's shape in the folders it writes into (r/, f/,
// assets/) and leaves every other file alone, in those folders too.
func TestBuildKeepsOthersFilesInOutput(t *testing.T) {
	root := exampleSite(t)
	out := filepath.Join(t.TempDir(), "docs")
	theirs := []string{"README.md", "notes/plan.txt", "r.txt", "assets/logo.png", "f/notes.txt", "r/readme/index.html"}
	stale := strings.Repeat("a", token.Len)
	mine := []string{"r/" + stale + "/index.html", "r/" + stale + "/pricing/index.html", "f/" + stale + "/x.pdf", "assets/site.0123456789.css"}
	for _, rel := range append(theirs, mine...) {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"),
		Secret: testSecret, Today: deal.NewDate(2026, 11, 22)})
	if err != nil {
		t.Fatal(err, res.Problems)
	}
	for _, rel := range theirs {
		if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel))); err != nil || string(b) != rel {
			t.Errorf("%s: %q, %v; want it left as it was", rel, b, err)
		}
	}
	for _, rel := range mine {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(rel))); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v); a stale room or file must go", rel, err)
		}
	}
	if res.Stats.Removed != len(mine) {
		t.Errorf("removed %d files, want %d", res.Stats.Removed, len(mine))
	}
}

// TestBuildOutputReadable: the first build makes the output folder with
// the mode of the folders in it (0755 under the umask), so a web server's
// user can enter it once it is copied to the document root. (It was
// MkdirTemp's 0700: nginx answered 404 for every room after rsync -a.)
func TestBuildOutputReadable(t *testing.T) {
	root := exampleSite(t)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "public")
	if _, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(tmp, "state"),
		Secret: testSecret, Today: deal.NewDate(2026, 11, 22)}); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(tmp, "ref")
	if err := os.Mkdir(ref, 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := os.Stat(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{out, filepath.Join(out, "r")} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want.Mode().Perm() {
			t.Errorf("%s has mode %v, want %v (a folder made with 0755 under the umask)", dir, st.Mode().Perm(), want.Mode().Perm())
		}
	}
}

// treeOf lists the files under root with their sizes.
func treeOf(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, fmt.Sprintf("%s %d", p, info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestBuildIntoALinkToAnotherFileSystem: an output folder that is a
// symbolic link to a folder on another file system (where the host serves
// from) is built into, first and again: the files are staged beside the
// folder the link leads to, so their renames cross no file system. (Every
// build failed with "invalid cross-device link".) It needs /dev/shm on
// another file system than the test's temporary folder.
func TestBuildIntoALinkToAnotherFileSystem(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "maproom-test-")
	if err != nil {
		t.Skipf("no /dev/shm to build into: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	root := exampleSite(t)
	if sameDevice(t, shm, root) {
		t.Skip("/dev/shm is on the same file system as the temporary folder")
	}
	www := filepath.Join(shm, "www")
	if err := os.Mkdir(www, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	if err := os.Symlink(www, out); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	for _, day := range []deal.Date{deal.NewDate(2026, 11, 22), deal.NewDate(2026, 11, 23)} {
		if _, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: state, Secret: testSecret, Today: day}); err != nil {
			t.Fatalf("build of %s into a link to /dev/shm: %v", day, err)
		}
	}
	if _, err := os.Stat(filepath.Join(www, "index.html")); err != nil {
		t.Errorf("the site is not in the folder the link leads to: %v", err)
	}
}
