package gitrec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

var when = time.Date(2026, 11, 10, 15, 4, 5, 0, time.UTC)

// newSite makes a repository in a temporary folder with a committed site:
// .gitignore (ignoring .maproom/), content/acme/index.md and README.md. The
// global git configuration is an empty temporary home.
func newSite(t *testing.T) (string, *git.Repository) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".gitignore", ".maproom/\n*.tmp\n")
	write(t, dir, "content/acme/index.md", "---\ntitle: Acme\n---\n")
	write(t, dir, "README.md", "site\n")
	wt, _ := repo.Worktree()
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add(".gitignore"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Init", Email: "init@example.com", When: when}
	if _, err := wt.Commit("init", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	if d, _ := open(t, dir).Dirty(); len(d) != 0 {
		t.Fatalf("fresh site is dirty: %v", d)
	}
	return dir, repo
}

func write(t *testing.T, dir, name, s string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCommit(t *testing.T) {
	dir, repo := newSite(t)
	write(t, dir, "content/acme/index.md", "---\ntitle: Acme\nclose: 2027-01-29\n---\n")
	write(t, dir, "content/acme/replies/abcdefghij.json", "{}\n")
	write(t, dir, "README.md", "changed, not committed\n")
	write(t, dir, ".maproom/events/x.log", "ignored\n")

	// Open from a folder inside the work tree.
	r := open(t, filepath.Join(dir, "content"))
	author := Signature{Name: "Jordan Park", Email: "jordan@acme.example", When: when}
	committer := Signature{Name: "Sam Lee", Email: "sam@northwind.example", When: when.Add(time.Hour)}
	msg := Message("accept: acme security-questionnaire due 2026-12-01", "InfoSec queue.", "abcdefghij")
	h, err := r.Commit([]string{"acme/index.md", filepath.Join(dir, "content/acme/replies")}, author, committer, msg)
	if err != nil {
		t.Fatal(err)
	}

	c, err := repo.Head()
	if err != nil || c.Hash().String() != h {
		t.Fatalf("HEAD = %v, %v; want %s", c, err, h)
	}
	co, err := repo.CommitObject(c.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if co.Author.Name != "Jordan Park" || co.Author.Email != "jordan@acme.example" || !co.Author.When.Equal(when) {
		t.Errorf("author = %+v", co.Author)
	}
	if co.Committer.Name != "Sam Lee" || co.Committer.Email != "sam@northwind.example" || !co.Committer.When.Equal(when.Add(time.Hour)) {
		t.Errorf("committer = %+v", co.Committer)
	}
	if co.Message != msg || ReplyID(co.Message) != "abcdefghij" {
		t.Errorf("message = %q, trailer %q", co.Message, ReplyID(co.Message))
	}
	// Exactly the given paths went in.
	stats, err := co.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, s := range stats {
		files = append(files, s.Name)
	}
	if want := []string{"content/acme/index.md", "content/acme/replies/abcdefghij.json"}; !reflect.DeepEqual(files, want) {
		t.Errorf("commit changed %v, want %v", files, want)
	}
	if d, _ := r.Dirty(); !reflect.DeepEqual(d, []string{"README.md"}) {
		t.Errorf("after the commit, dirty = %v; want [README.md]", d)
	}

	// Nothing left to commit.
	if _, err := r.Commit([]string{"acme"}, author, committer, msg); err == nil || !strings.Contains(err.Error(), "nothing changed") {
		t.Errorf("empty commit: %v", err)
	}
}

func TestCommitRefuses(t *testing.T) {
	dir, repo := newSite(t)
	r := open(t, dir)
	ok := Signature{Name: "A", Email: "a@example.com", When: when}
	write(t, dir, "content/acme/index.md", "changed\n")
	if _, err := r.Commit([]string{"content/acme"}, Signature{Name: "A"}, ok, "m"); err == nil || !strings.Contains(err.Error(), "author needs a name and an email") {
		t.Errorf("author without email: %v", err)
	}
	if _, err := r.Commit([]string{"../elsewhere"}, ok, ok, "m"); err == nil || !strings.Contains(err.Error(), "outside the git work tree") {
		t.Errorf("path outside: %v", err)
	}
	// Something else staged would be committed too.
	write(t, dir, "README.md", "staged\n")
	wt, _ := repo.Worktree()
	if _, err := wt.Add("README.md"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit([]string{"content/acme"}, ok, ok, "m"); err == nil || !strings.Contains(err.Error(), "README.md already staged") {
		t.Errorf("staged elsewhere: %v", err)
	}
}

func TestDirty(t *testing.T) {
	dir, repo := newSite(t)
	write(t, dir, "content/acme/index.md", "modified\n")
	write(t, dir, "content/acme/new.pdf", "untracked\n")
	write(t, dir, "content/acme/draft.tmp", "ignored\n")
	write(t, dir, ".maproom/rooms.json", "ignored\n")
	write(t, dir, "content/globex/index.md", "untracked elsewhere\n")
	write(t, dir, "README.md", "staged\n")
	wt, _ := repo.Worktree()
	if _, err := wt.Add("README.md"); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir)
	tests := []struct {
		paths []string
		want  []string
	}{
		{[]string{"content/acme"}, []string{"content/acme/index.md", "content/acme/new.pdf"}},
		{[]string{"content/acme/index.md"}, []string{"content/acme/index.md"}},
		{[]string{"content/ac"}, nil}, // a prefix of a name is not a folder
		{[]string{"README.md", "content/globex"}, []string{"README.md", "content/globex/index.md"}},
		{nil, []string{"README.md", "content/acme/index.md", "content/acme/new.pdf", "content/globex/index.md"}},
	}
	for _, tt := range tests {
		got, err := r.Dirty(tt.paths...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Dirty(%v) = %v, want %v", tt.paths, got, tt.want)
		}
	}
	err := r.Clean("content/acme")
	if err == nil || !strings.Contains(err.Error(), "content/acme/index.md, content/acme/new.pdf") || !strings.Contains(err.Error(), "commit or stash") {
		t.Errorf("Clean = %v", err)
	}
	if err := r.Clean("content/umbrella"); err != nil {
		t.Errorf("Clean of a clean folder = %v", err)
	}
	os.Remove(filepath.Join(dir, "content/acme/index.md"))
	if got, _ := r.Dirty("content/acme/index.md"); !reflect.DeepEqual(got, []string{"content/acme/index.md"}) {
		t.Errorf("a deleted file: Dirty = %v", got)
	}
}

func TestOpenOutsideARepository(t *testing.T) {
	_, err := Open(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "git init") {
		t.Fatalf("Open = %v", err)
	}
}

func TestCommitter(t *testing.T) {
	dir, repo := newSite(t)
	r := open(t, dir)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	if _, err := Committer(r, getenv); err == nil || !strings.Contains(err.Error(), "MAPROOM_COMMITTER_NAME") || !strings.Contains(err.Error(), "git config user.name") {
		t.Fatalf("no committer anywhere: %v", err)
	}

	// Global configuration.
	write(t, os.Getenv("HOME"), ".gitconfig", "[user]\n\tname = Global Seller\n\temail = global@northwind.example\n")
	if got, err := Committer(r, getenv); err != nil || got.Name != "Global Seller" || got.Email != "global@northwind.example" {
		t.Fatalf("global config: %+v, %v", got, err)
	}

	// The repository's configuration wins over the global one.
	cfg, _ := repo.Config()
	cfg.User.Name, cfg.User.Email = "Sam Lee", "sam@northwind.example"
	if err := repo.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	r = open(t, dir)
	if got, err := Committer(r, getenv); err != nil || got.Name != "Sam Lee" || got.Email != "sam@northwind.example" {
		t.Fatalf("repository config: %+v, %v", got, err)
	}

	// The environment wins, field by field.
	env["MAPROOM_COMMITTER_NAME"] = "Env Seller"
	if got, err := Committer(r, getenv); err != nil || got.Name != "Env Seller" || got.Email != "sam@northwind.example" {
		t.Fatalf("environment: %+v, %v", got, err)
	}
}

func TestMessage(t *testing.T) {
	tests := []struct{ subject, body, want string }{
		{"accept: propose", "", "accept: propose\n\nMaproom-Reply: abcdefghij\n"},
		{"accept:\npropose", "  Jordan: InfoSec queue.\n\n", "accept: propose\n\nJordan: InfoSec queue.\n\nMaproom-Reply: abcdefghij\n"},
	}
	for _, tt := range tests {
		got := Message(tt.subject, tt.body, "abcdefghij")
		if got != tt.want {
			t.Errorf("Message(%q, %q) = %q, want %q", tt.subject, tt.body, got, tt.want)
		}
		if ReplyID(got) != "abcdefghij" {
			t.Errorf("ReplyID(%q) = %q", got, ReplyID(got))
		}
	}
	if id := ReplyID("subject only Maproom-Reply: x"); id != "" {
		t.Errorf("ReplyID of a subject = %q", id)
	}
}
