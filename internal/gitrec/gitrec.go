// Package gitrec records decisions about replies in the site's git
// repository: it tells whether the files a decision touches are clean, and
// commits exactly those files with the buyer as author and the seller as
// committer. It uses go-git, so no git binary is needed.
//
// A Repo is not safe for concurrent use; the commands that decide replies
// use one at a time.
package gitrec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Trailer is the key of the commit trailer naming the reply a commit
// decides.
const Trailer = "Maproom-Reply"

// PreviewTrailer marks, beside Trailer, a commit applying a reply sent
// from the local preview (maproom serve): the seller's click in the
// person's room, which the history counts as no edit of theirs.
const PreviewTrailer = "Maproom-Preview"

// Signature is who wrote or committed a change, and when.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

// Repo is the git repository that holds a site.
type Repo struct {
	repo *git.Repository
	wt   *git.Worktree
	root string // the work tree's root, absolute, symlinks resolved
	site string // the site root, absolute, symlinks resolved
}

// Open opens the repository that holds siteRoot: siteRoot itself or the
// nearest parent with a .git (a linked work tree too). It fails with a
// message saying to run git init when there is none, and for a bare
// repository.
func Open(siteRoot string) (*Repo, error) {
	site, err := realAbs(siteRoot)
	if err != nil {
		return nil, fmt.Errorf("open git repository: %w", err)
	}
	repo, err := git.PlainOpenWithOptions(site, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s is not in a git repository: run `git init` there and commit the site first", siteRoot)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository of %s: %w", siteRoot, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("open git repository of %s: %w (a bare repository has no work tree to commit from)", siteRoot, err)
	}
	root, err := realAbs(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("open git repository: %w", err)
	}
	return &Repo{repo: repo, wt: wt, root: root, site: site}, nil
}

func realAbs(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(a)
}

// Root returns the absolute path of the work tree's root.
func (r *Repo) Root() string { return r.root }

// GitDir returns the repository's git folder (.git, or a linked work
// tree's own), where a lock of the work tree's commits belongs: never in
// the work tree. Empty when the repository is not on disk.
func (r *Repo) GitDir() string {
	if fs, ok := r.repo.Storer.(*filesystem.Storage); ok {
		return fs.Filesystem().Root()
	}
	return ""
}

// rel turns a path relative to the site root (or absolute) into a slash
// path relative to the work tree's root, refusing one outside it.
func (r *Repo) rel(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.site, p)
	}
	p = filepath.Clean(p)
	// Resolve symlinks in the existing part of the path, so that a site
	// reached through a symlink compares with the work tree's real root.
	dir, rest := p, ""
	for {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			p = filepath.Join(real, rest)
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
	rel, err := filepath.Rel(r.root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the git work tree %s", p, r.root)
	}
	return filepath.ToSlash(rel), nil
}

func under(name, dir string) bool {
	return dir == "." || name == dir || strings.HasPrefix(name, dir+"/")
}

// Dirty lists the files under paths (relative to the site root, or
// absolute; files or folders) that are modified, deleted, staged, or
// untracked and not ignored by .gitignore, as slash paths relative to the
// work tree's root, sorted. No paths means the whole work tree.
func (r *Repo) Dirty(paths ...string) ([]string, error) {
	dirs := []string{"."}
	if len(paths) > 0 {
		dirs = dirs[:0]
		for _, p := range paths {
			rel, err := r.rel(p)
			if err != nil {
				return nil, err
			}
			dirs = append(dirs, rel)
		}
	}
	st, err := r.wt.Status()
	if err != nil {
		return nil, fmt.Errorf("git status: %w", err)
	}
	var out []string
	for name, fs := range st {
		if fs.Staging == git.Unmodified && fs.Worktree == git.Unmodified {
			continue
		}
		if slices.ContainsFunc(dirs, func(d string) bool { return under(name, d) }) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Clean returns an error naming the dirty files under paths (see Dirty) and
// saying to commit or stash them first, or nil when there are none.
func (r *Repo) Clean(paths ...string) error {
	dirty, err := r.Dirty(paths...)
	if err != nil {
		return err
	}
	if len(dirty) > 0 {
		return fmt.Errorf("uncommitted changes in %s: commit or stash them first, so that the reply's commit holds only the reply", strings.Join(dirty, ", "))
	}
	return nil
}

// Commit stages exactly paths (relative to the site root, or absolute;
// files or folders; a deleted file is staged as deleted) and commits them
// with message, author and committer, on the current branch. It refuses
// when changes outside paths are already staged (they would be committed
// too), when author or committer lacks a name or an email, and when paths
// hold no change. It returns the new commit's hash in hex.
func (r *Repo) Commit(paths []string, author, committer Signature, message string) (string, error) {
	for _, s := range []struct {
		who string
		sig Signature
	}{{"author", author}, {"committer", committer}} {
		if strings.TrimSpace(s.sig.Name) == "" || strings.TrimSpace(s.sig.Email) == "" {
			return "", fmt.Errorf("commit: the %s needs a name and an email (got %q <%s>)", s.who, s.sig.Name, s.sig.Email)
		}
	}
	if len(paths) == 0 {
		return "", errors.New("commit: no paths to commit")
	}
	rels := make([]string, len(paths))
	for i, p := range paths {
		rel, err := r.rel(p)
		if err != nil {
			return "", fmt.Errorf("commit: %w", err)
		}
		rels[i] = rel
	}
	st, err := r.wt.Status()
	if err != nil {
		return "", fmt.Errorf("git status: %w", err)
	}
	var staged []string
	for name, fs := range st {
		if fs.Staging != git.Unmodified && fs.Staging != git.Untracked &&
			!slices.ContainsFunc(rels, func(d string) bool { return under(name, d) }) {
			staged = append(staged, name)
		}
	}
	if len(staged) > 0 {
		slices.Sort(staged)
		return "", fmt.Errorf("commit: %s already staged: commit or unstage them first (git restore --staged), so that the reply's commit holds only the reply", strings.Join(staged, ", "))
	}
	for _, rel := range rels {
		if _, err := r.wt.Add(rel); err != nil {
			return "", fmt.Errorf("git add %s: %w", rel, err)
		}
	}
	h, err := r.wt.Commit(message, &git.CommitOptions{
		Author:    &object.Signature{Name: author.Name, Email: author.Email, When: author.When},
		Committer: &object.Signature{Name: committer.Name, Email: committer.Email, When: committer.When},
	})
	if errors.Is(err, git.ErrEmptyCommit) {
		return "", fmt.Errorf("commit: nothing changed in %s", strings.Join(rels, ", "))
	}
	if err != nil {
		return "", fmt.Errorf("git commit: %w", err)
	}
	return h.String(), nil
}

// Committer returns the seller who commits decisions: MAPROOM_COMMITTER_NAME
// and MAPROOM_COMMITTER_EMAIL when set (each on its own), else user.name and
// user.email of the repository's configuration, else of the global (and
// system) git configuration. getenv reads the environment (nil:
// os.Getenv). When is left zero for the caller's clock. It fails with a
// message saying how to set what is missing.
func Committer(r *Repo, getenv func(string) string) (Signature, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	sig := Signature{Name: strings.TrimSpace(getenv("MAPROOM_COMMITTER_NAME")), Email: strings.TrimSpace(getenv("MAPROOM_COMMITTER_EMAIL"))}
	if sig.Name == "" || sig.Email == "" {
		cfg, err := r.repo.ConfigScoped(config.SystemScope)
		if err != nil {
			return Signature{}, fmt.Errorf("read git config: %w", err)
		}
		if sig.Name == "" {
			sig.Name = strings.TrimSpace(cfg.User.Name)
		}
		if sig.Email == "" {
			sig.Email = strings.TrimSpace(cfg.User.Email)
		}
	}
	if sig.Name == "" || sig.Email == "" {
		return Signature{}, errors.New("who commits the decision? set MAPROOM_COMMITTER_NAME and MAPROOM_COMMITTER_EMAIL, or run git config user.name \"Your Name\" and git config user.email you@example.com")
	}
	return sig, nil
}

// Message returns a commit message: subject on the first line, then body
// (trimmed; left out when empty), then a blank line and the trailer
// "Maproom-Reply: <replyID>", ending with a newline. Line breaks in subject
// become spaces.
func Message(subject, body, replyID string) string {
	subject = strings.Join(strings.Fields(subject), " ")
	var b strings.Builder
	b.WriteString(subject)
	b.WriteString("\n\n")
	if body = strings.TrimSpace(body); body != "" {
		b.WriteString(body)
		b.WriteString("\n\n")
	}
	b.WriteString(Trailer + ": " + replyID + "\n")
	return b.String()
}

// FromPreview returns msg, a Message, with the PreviewTrailer added to
// its trailers.
func FromPreview(msg string) string {
	return strings.TrimRight(msg, "\n") + "\n" + PreviewTrailer + ": yes\n"
}

// ReplyID returns the value of the Maproom-Reply trailer of a commit
// message: the last paragraph's trailer line, or "" when there is none.
func ReplyID(message string) string {
	paras := strings.Split(strings.TrimRight(message, "\n"), "\n\n")
	if len(paras) < 2 {
		return ""
	}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		if v, ok := strings.CutPrefix(line, Trailer+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
