package history

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	pathpkg "path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	gitcache "github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/spelling"
)

// commitRec is what a commit did to the plans, as read once and cached.
type commitRec struct {
	Parents []plumbing.Hash
	When    int64 // author time, Unix seconds
	Offset  int   // author time zone offset, seconds east of UTC
	// Committed is the commit time, Unix seconds: after When for a commit
	// rebased, cherry-picked or amended later, which was the plan only
	// from then.
	Committed int64
	Name      string
	Email     string
	Reply     string
	// Preview: the message's Maproom-Preview trailer says the reply it
	// applied was sent from the local preview (the seller's click in the
	// person's room), so the change is no edit of theirs.
	Preview bool
	Reverts plumbing.Hash // the commit this one reverts (git revert's message); zero: none
	// CoAuthors are the emails of the message's Co-authored-by trailers
	// (a squash merge of a buyer's branch names them so).
	CoAuthors []string
	Content   plumbing.Hash // the content folder's tree; zero when absent
	Files     []fileRec
	// Shallow marks a commit a shallow clone holds without its parents:
	// read as a first commit, and again once the clone is deepened.
	Shallow bool
}

// fileRec is one deal's index.md as a commit changed it.
type fileRec struct {
	Deal string          // folder name after the commit
	From string          // the folder it was renamed from, if so
	Old  plumbing.Hash   // the version before (first parent); zero: none
	New  plumbing.Hash   // the version written; zero: removed
	Alt  []plumbing.Hash // a merge's other parents' versions

	Changes     []fieldChange
	Done, Total int
	Review      string // the version's weekly review day (Plan.Review)
	Buyers      bool   // the version names someone on the buyer's side
	// Ahead are the done dates (YYYY-MM-DD) of the version's done tasks
	// that fall after the commit's day (less a day for time zones): a
	// task recorded done ahead of its date is done only from that date.
	Ahead []string
	Who   string // stakeholder id of the author
	Side  string
	Bad   bool // the new version could not be decoded
	// Readable is, for a version that could not be decoded, the last
	// version before it that could (zero: none): the version that fixes
	// it is compared with that one, in this read or a later one that
	// starts from the cache.
	Readable plumbing.Hash
}

// fieldChange is a Change without its commit.
type fieldChange struct {
	Kind            Kind
	Item, Milestone string
	Title, From, To string
	Close           string // the close date of the version written
	Days            int
	Merge           bool
}

// Read reads the plan history of the site at opts.Root. A site outside git
// gives a History with InGit false and a Note, and no error; an error is a
// repository that cannot be read.
func Read(ctx context.Context, opts Options) (*History, error) {
	repo, prefix, err := openSite(opts.Root)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return &History{Note: fmt.Sprintf("%s is not in a git repository, so the plans have no history: slips, buyer edits and completion over time need the site in git (git init, then commit the plans)", opts.Root), Deals: map[string]*Story{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if prefix, opts.Content, err = linkedContent(repo, opts.Root, prefix, opts.Content); err != nil {
		return &History{InGit: true, Note: err.Error(), Deals: map[string]*Story{}}, nil
	}
	stores := []storer.EncodedObjectStorer{repo.Storer}
	if fst, ok := repo.Storer.(*filesystem.Storage); ok {
		// By default go-git opens the pack file again, and looks for a
		// loose object first, for every object: reading 100,000 versions
		// of a packed repository took 17 s, most of it in those system
		// calls. The read is short and reads only what HEAD reaches, so
		// each reader has a storage of its own (one storage is not safe
		// for concurrent use) that keeps the pack files open and lists the
		// objects once.
		// At most maxStores: each holds a cache of up to 96 MiB and every
		// pack file open.
		stores = stores[:0]
		for range min(runtime.GOMAXPROCS(0), maxStores) {
			// A clone made with --shared or --reference borrows objects
			// from another repository (objects/info/alternates, by an
			// absolute path mostly): read them where they are.
			st := filesystem.NewStorageWithOptions(fst.Filesystem(), gitcache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true, ExclusiveAccess: true, AlternatesFS: osfs.New("/")})
			defer st.Close()
			stores = append(stores, st)
		}
		// Packed objects are read straight from the packs; the storages
		// read the loose ones.
		if names, err := fst.ObjectPacks(); err == nil && len(names) > 0 {
			ps, err := openPacks(fst.Filesystem(), names)
			if err != nil {
				return nil, fmt.Errorf("read the git pack files of %s: %w", opts.Root, err)
			}
			defer ps.Close()
			return readRepo(ctx, repo, stores, ps, prefix, opts)
		}
	}
	return readRepo(ctx, repo, stores, nil, prefix, opts)
}

// HeadOf returns the commit HEAD of the site at root's repository names,
// "" outside git, before the first commit or when it cannot be read: what
// a preview compares to see a commit land (maproom accept, git commit).
func HeadOf(root string) string {
	repo, _, err := openSite(root)
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	return head.Hash().String()
}

// openSite opens the git repository the site at root is in, and gives the
// site's folder in it ("" for the work tree's root); an error matching
// git.ErrRepositoryNotExists outside git.
func openSite(root string) (*git.Repository, string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, "", err
	}
	if err != nil {
		return nil, "", fmt.Errorf("open the git repository of %s: %w", root, err)
	}
	prefix := ""
	if wt, err := repo.Worktree(); err == nil {
		top, _ := filepath.Abs(wt.Filesystem.Root())
		if real, err := filepath.EvalSymlinks(top); err == nil {
			top = real
		}
		rel, err := filepath.Rel(top, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, "", fmt.Errorf("the site %s is outside the git work tree %s", root, top)
		}
		if rel != "." {
			prefix = filepath.ToSlash(rel)
		}
	}
	return repo, prefix, nil
}

// PlanAt returns a deal's plan (<content>/<folder>/index.md) as it stood
// at t: in the newest commit before t on HEAD's first-parent line (by
// author time, the time the history tells changes by, and by commit time:
// a commit rebased after t was not the plan on t), under the first of
// folders it has there (the deal's folder, then the names it had before:
// Story.Former, newest first). ok is false outside git, and when no such
// commit holds the plan (the deal was not committed yet at t). A report
// for a past day reads the plan of that day: its due dates, its tasks.
func PlanAt(opts Options, folders []string, t time.Time) (text []byte, ok bool, err error) {
	repo, prefix, err := openSite(opts.Root)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	prefix, content, err := linkedContent(repo, opts.Root, prefix, opts.Content)
	if err != nil {
		return nil, false, nil // content/ leads out of the repository
	}
	if fst, ok := repo.Storer.(*filesystem.Storage); ok {
		// A --shared or --reference clone's objects, where they are (as
		// Read reads them).
		st := filesystem.NewStorageWithOptions(fst.Filesystem(), gitcache.NewObjectLRUDefault(), filesystem.Options{AlternatesFS: osfs.New("/")})
		if r, err := git.Open(st, nil); err == nil {
			repo = r
		}
	}
	head, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read git HEAD: %w", err)
	}
	c, err := repo.CommitObject(head.Hash())
	// Before t by both its dates: a commit rebased or cherry-picked after
	// t keeps its old author date, but was not the plan yet on t.
	for err == nil && !(c.Author.When.Before(t) && c.Committer.When.Before(t)) {
		if len(c.ParentHashes) == 0 {
			return nil, false, nil
		}
		c, err = repo.CommitObject(c.ParentHashes[0])
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, false, nil // a shallow clone's history stops before t
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("read git history: %w", err)
	}
	for _, folder := range folders {
		dir := strings.Trim(prefix+"/"+content+"/"+folder, "/")
		f, err := c.File(dir + "/index.md")
		if err != nil {
			continue
		}
		if f.Mode == filemode.Symlink {
			// A link to a file of the repository (beside it, or another
			// folder of the content): the plan is that file, as check
			// reads it through the link.
			target, err := f.Contents()
			if p := pathpkg.Join(dir, target); err == nil && target != "" && !pathpkg.IsAbs(target) && !strings.HasPrefix(p, "../") && p != ".." {
				if tf, err := c.File(p); err == nil && tf.Mode != filemode.Symlink {
					f = tf
				}
			}
		}
		s, err := f.Contents()
		if err != nil {
			return nil, false, fmt.Errorf("read the plan of %s at %s: %w", folder, c.Hash.String()[:12], err)
		}
		return []byte(s), true, nil
	}
	return nil, false, nil
}

// linkedContent returns where the site's content folder (content, ""
// for "content") is in the repository, as a prefix and a content folder
// under it: the site's, or when the folder is a symbolic link to another
// folder of the work tree, that folder, whose history is the plans'. An
// error, whose text is the note to give, is a link that leads out of the
// work tree, where the repository holds no history of the plans.
func linkedContent(repo *git.Repository, root, prefix, content string) (string, string, error) {
	if content == "" {
		content = "content"
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs // a relative link's target is then absolute, as the work tree's root is
	}
	dir := filepath.Join(root, filepath.FromSlash(content))
	if fi, err := os.Lstat(dir); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return prefix, content, nil
	}
	wt, err := repo.Worktree()
	if err != nil {
		return prefix, content, nil // a bare repository: no work tree to follow a link in
	}
	top, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return prefix, content, nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return prefix, content, nil // a broken link: loading the plans says so
	}
	rel, err := filepath.Rel(top, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", "", fmt.Errorf("%s is a link to %s, outside the git repository at %s, so the plans have no history: slips, buyer edits and completion over time need the plans committed in the repository", dir, real, top)
	}
	return "", filepath.ToSlash(rel), nil
}

// maxStores bounds the storages a read opens over a repository on disk.
const maxStores = 4

// ReadRepo reads the history of the site at path prefix (slash path, ""
// for the repository's root) in repo, from its HEAD. opts.Root is not used.
func ReadRepo(ctx context.Context, repo *git.Repository, prefix string, opts Options) (*History, error) {
	return readRepo(ctx, repo, []storer.EncodedObjectStorer{repo.Storer}, nil, prefix, opts)
}

// readRepo is ReadRepo reading objects from ps, repo's pack files, when
// not nil, and through stores: storages of repo's objects, each used by
// one reader at a time.
func readRepo(ctx context.Context, repo *git.Repository, stores []storer.EncodedObjectStorer, ps *packs, prefix string, opts Options) (*History, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	content := opts.Content
	if content == "" {
		content = "content"
	}
	path := strings.Trim(strings.TrimPrefix(prefix+"/"+content, "/"), "/")
	head, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return &History{Note: "the site's git repository has no commit yet, so the plans have no history: commit the plans", Unborn: true, Deals: map[string]*Story{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read git HEAD: %w", err)
	}
	w := &walker{path: strings.Split(path, "/"), decode: opts.Decode, log: log, packs: ps}
	if ss, ok := repo.Storer.(storer.ShallowStorer); ok {
		if hs, err := ss.Shallow(); err == nil && len(hs) > 0 {
			w.shallow = map[plumbing.Hash]bool{}
			for _, h := range hs {
				w.shallow[h] = true
			}
		}
	}
	for _, st := range stores {
		w.stores = append(w.stores, &lockedStore{st: st})
	}
	c := loadCache(opts.Cache, path, log)
	if ps != nil && len(c.Recs) == 0 {
		c.Recs = make(map[plumbing.Hash]*commitRec, ps.commits)
	}
	h := &History{InGit: true, Head: head.Hash().String(), Deals: map[string]*Story{}}
	h.Stats.Cache = c.state
	if c.Head != (plumbing.Hash{}) && c.Recs[head.Hash()] == nil && c.state == "used" {
		// Is the cached head still in the history? If not, the history
		// was rewritten (a force push, a rebase): drop what is no longer
		// reachable when the cache is saved.
		log.Info("history: the cached head is not an ancestor of HEAD any more; reading the rewritten history", "cached", c.Head.String()[:12])
	}
	order, fresh, err := w.commits(ctx, head.Hash(), c.Recs)
	if err != nil {
		return nil, err
	}
	h.Stats.Commits, h.Stats.Read = len(order), len(fresh)
	for _, oh := range order {
		if rec := c.Recs[oh]; rec.Shallow {
			h.Shallow = true
			h.Note = fmt.Sprintf("the repository is a shallow clone: the plans' history starts at its first commit here, on %s (git fetch --unshallow reads all of it)", rec.commitTime(nil).Format(time.DateOnly))
			break // parents first: the oldest
		}
	}
	restored(order, fresh, c.Recs, w.sameDeal)
	if err := w.plans(ctx, fresh, c.Recs); err != nil {
		return nil, err
	}
	h.Stats.Versions, h.Stats.Slow = w.versions, w.slow
	if ps != nil {
		h.Stats.Packed, h.Stats.Built = int(ps.reads.Load()), int(w.built.Load())
	}
	if opts.Cache != "" && (len(fresh) > 0 || c.Head != head.Hash()) {
		reach := make(map[plumbing.Hash]*commitRec, len(order))
		for _, oh := range order {
			reach[oh] = c.Recs[oh]
		}
		c.Recs, c.Head = reach, head.Hash()
		if err := c.save(opts.Cache); err != nil {
			log.Warn("history: the cache could not be written; the next report reads every commit again", "err", err)
		}
	}
	tell(h, order, c.Recs, opts.People)
	// In a shallow clone, a plan first seen in a commit whose parents the
	// clone lacks may be older than that commit: its First is where the
	// clone starts. A plan first committed after is dated as it is.
	// (First is the earliest author time of the plan's commits: one
	// rebased onto the clone's commits may be dated before them too.)
	var bound int64
	for _, oh := range order {
		if rec := c.Recs[oh]; rec.Shallow {
			bound = max(bound, rec.When)
		}
	}
	for _, st := range h.Deals {
		st.Shallow = h.Shallow && st.First.Unix() <= bound
	}
	return h, nil
}

type walker struct {
	// stores are the storages objects are read through, each by one
	// reader at a time: go-git's storages are not documented as safe for
	// concurrent reads.
	stores []*lockedStore
	// packs, when not nil, holds the repository's packed objects.
	packs  *packs
	path   []string
	decode Decoder
	log    *slog.Logger
	// shallow are the commits a shallow clone holds without their parents.
	shallow map[plumbing.Hash]bool

	mu             sync.Mutex
	versions, slow int
	built          atomic.Int64 // content trees built on the parent's

	// indexes is the plan each deal folder's tree holds, by the tree's
	// hash: a commit's old folder is the new one of the commit before.
	imu     sync.Mutex
	indexes map[plumbing.Hash]plumbing.Hash
}

// lockedStore is a storage and the lock of the reader using it.
type lockedStore struct {
	mu sync.Mutex
	st storer.EncodedObjectStorer
}

// store returns a storage no other reader is using, locked: a free one if
// there is one, else the first, once it is free.
func (w *walker) store() *lockedStore {
	for _, ls := range w.stores {
		if ls.mu.TryLock() {
			return ls
		}
	}
	ls := w.stores[0]
	ls.mu.Lock()
	return ls
}

// raw reads an object's content, through a storage no other reader is
// using. Copying the content of an object already in memory (a
// plumbing.MemoryObject, which is never written once stored, and reads
// from its own bytes) is done after the storage is handed back, and
// decoding never holds one.
func (w *walker) raw(t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	return w.rawHolding(t, h, true)
}

// rawHolding is raw, a packed object read as packs.readHolding reads it.
func (w *walker) rawHolding(t plumbing.ObjectType, h plumbing.Hash, hold bool) ([]byte, error) {
	if b, ok, err := w.packed(t, h, hold); ok || err != nil {
		return b, err
	}
	ls := w.store()
	held := true
	defer func() {
		if held {
			ls.mu.Unlock()
		}
	}()
	o, err := ls.st.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	if _, inMemory := o.(*plumbing.MemoryObject); inMemory {
		ls.mu.Unlock()
		held = false
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if wt, ok := r.(io.WriterTo); ok {
		// An object in memory hands over its bytes in one write: a copy
		// without zeroing the buffer first.
		var c cloner
		if _, err := wt.WriteTo(&c); err != nil {
			return nil, err
		}
		if int64(len(c.b)) == o.Size() {
			return c.b, nil
		}
		return nil, fmt.Errorf("read git object %s: %d bytes of %d", h, len(c.b), o.Size())
	}
	buf := make([]byte, o.Size())
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// packed reads a packed object; ok false when w reads no packs or no
// pack holds h. Its content is shared and never written to.
func (w *walker) packed(t plumbing.ObjectType, h plumbing.Hash, hold bool) (b []byte, ok bool, err error) {
	if w.packs == nil {
		return nil, false, nil
	}
	pt, b, err := w.packs.readHolding(h, hold)
	if err == errNotPacked {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if pt != t {
		return nil, false, fmt.Errorf("read git object %s: a %s, not a %s", h, pt, t)
	}
	return b, true, nil
}

// cloner keeps a copy of what is written to it.
type cloner struct{ b []byte }

func (c *cloner) Write(p []byte) (int, error) {
	c.b = append(c.b, p...)
	return len(p), nil
}

// entry finds name in a raw tree; zero when absent.
func entry(tree []byte, name string) (plumbing.Hash, bool) {
	for len(tree) > 0 {
		n := entryLen(tree)
		if n == 0 {
			return plumbing.Hash{}, false
		}
		if sp := bytes.IndexByte(tree, ' '); string(tree[sp+1:n-21]) == name {
			var h plumbing.Hash
			copy(h[:], tree[n-20:n])
			return h, bytes.HasPrefix(tree, []byte("40000"))
		}
		tree = tree[n:]
	}
	return plumbing.Hash{}, false
}

// entryIsLink reports whether tree's entry name is a symbolic link (mode
// 120000).
func entryIsLink(tree []byte, name string) bool {
	for len(tree) > 0 {
		n := entryLen(tree)
		if n == 0 {
			return false
		}
		if sp := bytes.IndexByte(tree, ' '); string(tree[sp+1:n-21]) == name {
			return bytes.HasPrefix(tree, []byte("120000 "))
		}
		tree = tree[n:]
	}
	return false
}

// treeChange is an entry that differs between two trees: its hash and
// whether it is a folder, in each (zero hash: absent).
type treeChange struct {
	name           string
	old, new       plumbing.Hash
	oldDir, newDir bool
}

// treePlaces is the content tree a goroutine compared last: its content
// and where each of its entries starts, and the buffers the goroutine
// builds trees in.
type treePlaces struct {
	tree    plumbing.Hash
	at      slotRef // where tree is in the packs, when it was built on a delta (else p is nil)
	raw     []byte  // shared with the packs, or own[mine]
	starts  []int
	spare   []int // storage for the next tree's places
	own     [2][]byte
	mine    int // which of own holds raw; -1: neither
	delta   []byte
	scratch []byte // the bytes patchInPlace writes over, and writes
}

// entryStarts returns where each entry of raw tree t starts, then where
// the last ends; nil when t does not read as entries to its end.
func entryStarts(t []byte) []int {
	starts := make([]int, 0, 64)
	at := 0
	for at < len(t) {
		e := entryLen(t[at:])
		if e == 0 {
			return nil
		}
		starts = append(starts, at)
		at += e
	}
	return append(starts, at)
}

// entryLen is the length of the entry t starts with ("mode name\0" and a
// 20-byte hash), 0 when t starts with none.
func entryLen(t []byte) int {
	nul := bytes.IndexByte(t, 0)
	if nul < 0 || len(t) < nul+21 || bytes.IndexByte(t[:nul], ' ') < 0 {
		return 0
	}
	return nul + 21
}

// diffTreesAt lists the entries of a and b (raw trees, sorted as git sorts
// them) that differ: an entry of one only, or with another hash or mode.
// as is where a's entries start, as entryStarts gives them (nil: a does
// not read as entries, and is compared from its start); bs is where b's
// start (nil when not known), written in into's storage, which must not
// be as'. Consecutive content trees differ in the folders a commit
// changed, most often one of many: the comparing starts at the entry
// holding the first byte that differs and stops where the rest of both
// trees is the bytes they end with in common, and b's places are a's,
// moved by what the entries compared changed. a and b are known to start
// with their first same[0] bytes in common and to end with their last
// same[1] (zeros: not known): the bytes are compared past them.
func diffTreesAt(a []byte, as []int, b []byte, into []int, same [2]int) (changed []treeChange, bs []int) {
	next := func(t []byte) (e []byte, name []byte, rest []byte) {
		n := entryLen(t)
		if n == 0 {
			return nil, nil, nil
		}
		sp := bytes.IndexByte(t, ' ')
		return t[:n], t[sp+1 : n-21], t[n:]
	}
	hashOf := func(e []byte) (plumbing.Hash, bool) {
		var h plumbing.Hash
		copy(h[:], e[len(e)-20:])
		return h, bytes.HasPrefix(e, []byte("40000 "))
	}
	pre := min(same[0], len(a), len(b))
	pre += commonPrefix(a[pre:], b[pre:])
	suf := min(same[1], len(a)-pre, len(b)-pre)
	suf += commonSuffix(a[pre:len(a)-suf], b[pre:len(b)-suf])
	// The first entry not wholly before the first byte that differs: the
	// entries before it are the same in both.
	skip, ka := 0, 0 // where both trees are compared from, and a's entry there
	if as != nil {
		ka = sort.Search(len(as)-1, func(i int) bool { return as[i+1] > pre })
		skip = as[ka]
	}
	first := ka
	// seen: where each entry of b compared starts; bad: b stops reading
	// as entries before its end.
	var seen []int
	bad := false
	ea, na, ra := next(a[skip:])
	eb, nb, rb := next(b[skip:])
	if eb != nil {
		seen = append(seen, skip)
	} else {
		bad = skip < len(b)
	}
	advA := func() { ea, na, ra = next(ra); ka++ }
	advB := func() {
		at := len(b) - len(rb)
		eb, nb, rb = next(rb)
		if eb != nil {
			seen = append(seen, at)
		} else {
			bad = at < len(b)
		}
	}
	places := func(tail []int, shift int) []int {
		if as == nil || bad {
			return nil
		}
		bs := append(append(slices.Grow(into[:0], len(as)+len(seen)), as[:first]...), seen...)
		for _, t := range tail {
			bs = append(bs, t+shift)
		}
		return bs
	}
	for ea != nil || eb != nil {
		if len(ra) == len(rb) && len(ra)+len(ea) <= suf && len(ea) == len(eb) {
			// This entry and all after it are the same in both: b's are
			// a's, moved.
			seen = seen[:len(seen)-1]
			return changed, places(as[min(ka, len(as)):], len(b)-len(a))
		}
		switch {
		case ea != nil && eb != nil && bytes.Equal(ea, eb):
			advA()
			advB()
		case eb == nil || (ea != nil && treeOrder(na, isDir(ea), nb, isDir(eb)) < 0):
			c := treeChange{name: string(na)}
			c.old, c.oldDir = hashOf(ea)
			changed = append(changed, c)
			advA()
		case ea == nil || treeOrder(na, isDir(ea), nb, isDir(eb)) > 0:
			c := treeChange{name: string(nb)}
			c.new, c.newDir = hashOf(eb)
			changed = append(changed, c)
			advB()
		default: // same name, another hash or file mode
			c := treeChange{name: string(na)}
			c.old, c.oldDir = hashOf(ea)
			c.new, c.newDir = hashOf(eb)
			changed = append(changed, c)
			advA()
			advB()
		}
	}
	return changed, places([]int{len(b)}, 0)
}

// isDir reports whether raw tree entry e is a folder's.
func isDir(e []byte) bool { return bytes.HasPrefix(e, []byte("40000 ")) }

// treeOrder compares two entries' names as git orders a tree's entries: a
// folder's name as if it ended with "/" ("acme-2" before the folder
// "acme", after the file "acme").
func treeOrder(a []byte, aDir bool, b []byte, bDir bool) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	end := func(name []byte, dir bool) int {
		switch {
		case len(name) > n:
			return int(name[n])
		case dir:
			return '/'
		}
		return 0
	}
	return end(a, aDir) - end(b, bDir)
}

// contentTree resolves the content folder's tree of a commit's root tree.
func (w *walker) contentTree(root plumbing.Hash) (plumbing.Hash, error) {
	h := root
	for _, name := range w.path {
		t, err := w.raw(plumbing.TreeObject, h)
		if err != nil {
			return plumbing.Hash{}, fmt.Errorf("read git tree %s: %w", h, err)
		}
		sub, dir := entry(t, name)
		if !dir {
			return plumbing.Hash{}, nil
		}
		h = sub
	}
	return h, nil
}

// index returns the index.md blob of the deal folder whose tree is dh
// (zero: no folder, or no index.md in it).
func (w *walker) index(dh plumbing.Hash, dir bool) (plumbing.Hash, error) {
	if !dir || dh.IsZero() {
		return plumbing.Hash{}, nil
	}
	w.imu.Lock()
	bh, ok := w.indexes[dh]
	w.imu.Unlock()
	if ok {
		return bh, nil
	}
	dt, err := w.raw(plumbing.TreeObject, dh)
	if err != nil {
		return plumbing.Hash{}, fmt.Errorf("read git tree %s: %w", dh, err)
	}
	bh, isDir := entry(dt, "index.md")
	if isDir {
		bh = plumbing.Hash{}
	}
	if !bh.IsZero() && entryIsLink(dt, "index.md") {
		// index.md a symbolic link to a file beside it (plan.md, say):
		// the plan is that file, as check reads it through the link.
		target, err := w.raw(plumbing.BlobObject, bh)
		if err != nil {
			return plumbing.Hash{}, fmt.Errorf("read git blob %s: %w", bh, err)
		}
		if name := strings.TrimPrefix(string(target), "./"); name != "" && !strings.ContainsAny(name, "/\x00") {
			if th, dir := entry(dt, name); !th.IsZero() && !dir && !entryIsLink(dt, name) {
				bh = th
			}
		}
	}
	w.imu.Lock()
	if w.indexes == nil {
		w.indexes = map[plumbing.Hash]plumbing.Hash{}
	}
	w.indexes[dh] = bh
	w.imu.Unlock()
	return bh, nil
}

// commits lists the commits reachable from head, parents before children,
// and reads those not in recs (returned in fresh, in the same order).
func (w *walker) commits(ctx context.Context, head plumbing.Hash, recs map[plumbing.Hash]*commitRec) (order, fresh []plumbing.Hash, err error) {
	// Depth-first, post-order: a commit comes after all its parents.
	type frame struct {
		h    plumbing.Hash
		next int
		rec  *commitRec
		n    *walkNode // nil for a commit recs held
	}
	// Maps sized for the commits the packs hold: filling a map of 100,000
	// grown step by step copied it over a dozen times.
	sized := 0
	if w.packs != nil {
		sized = w.packs.commits
	}
	seen := make(map[plumbing.Hash]bool, sized) // on the stack, or done
	seen[head] = true
	stack := []frame{{h: head}}
	// The walk reads the parents of each commit on one goroutine;
	// meanwhile another reads the rest of each fresh commit whose one
	// parent has just been read, and compares their trees, in batches of
	// consecutive commits taken oldest first (so a commit's parent tree is
	// the one compared last). walkNode.compared marks them.
	nodes := make(map[plumbing.Hash]*walkNode, sized)
	var orderNodes []*walkNode // each of order's, nil for one recs held
	batches, batch := make(chan []treeJob, 16), []treeJob(nil)
	var compareErr error
	var failed sync.Once
	var comparing sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		comparing.Go(func() {
			for b := range batches {
				if ctx.Err() == nil {
					if err := w.batch(b); err != nil {
						failed.Do(func() { compareErr = err })
					}
				}
			}
		})
	}
	stop := func() error {
		for _, j := range batch {
			j.n.compared = false // a batch not full is compared with the rest, in parallel
		}
		close(batches)
		comparing.Wait()
		return compareErr
	}
	for len(stack) > 0 {
		if len(order)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				stop()
				return nil, nil, err
			}
		}
		f := &stack[len(stack)-1]
		if f.rec == nil {
			f.rec = recs[f.h]
			if f.rec != nil && f.rec.Shallow != w.shallow[f.h] {
				f.rec = nil // the clone was deepened, or made shallow since
			}
		}
		if f.rec == nil {
			n, err := w.readParents(f.h)
			if err != nil {
				stop()
				return nil, nil, err
			}
			if w.shallow[f.h] {
				n.rec.Parents, n.rec.Shallow = nil, true
			}
			f.rec, f.n, recs[f.h], nodes[f.h] = n.rec, n, n.rec, n
			if len(stack) > 1 {
				x := &stack[len(stack)-2]
				if xn := x.n; xn != nil && len(xn.rec.Parents) == 1 && xn.rec.Parents[0] == f.h {
					batch = append(batch, treeJob{x.h, xn, []*walkNode{n}})
					xn.compared = true
					if len(batch) >= treeBatch {
						batches <- batch
						batch = nil
					}
				}
			}
		}
		if f.next < len(f.rec.Parents) {
			p := f.rec.Parents[f.next]
			f.next++
			if !seen[p] {
				seen[p] = true
				stack = append(stack, frame{h: p})
			}
			continue
		}
		order, orderNodes = append(order, f.h), append(orderNodes, f.n)
		stack = stack[:len(stack)-1]
	}
	if err := stop(); err != nil {
		return nil, nil, err
	}
	// The fresh commits, in post-order; the rest of them (merges, and
	// commits whose parent was read before them) are read and compared
	// now, each goroutine a run of consecutive ones.
	var rest []treeJob
	for i, h := range order {
		n := orderNodes[i]
		if n == nil {
			continue
		}
		fresh = append(fresh, h)
		if !n.compared {
			j := treeJob{h: h, n: n}
			for _, p := range n.rec.Parents {
				pn := nodes[p]
				if pn == nil {
					pn = &walkNode{rec: recs[p]} // from the cache: read
					pn.once.Do(func() {})
				}
				j.parents = append(j.parents, pn)
			}
			rest = append(rest, j)
		}
	}
	// Newest first, as the walk hands over its batches.
	slices.Reverse(rest)
	runs := max(4*runtime.GOMAXPROCS(0), len(rest)/1024)
	size := (len(rest) + runs - 1) / max(runs, 1)
	if err := parallel(ctx, runs, func(r int) error {
		return w.batch(rest[min(r*size, len(rest)):min((r+1)*size, len(rest))])
	}); err != nil {
		return nil, nil, err
	}
	return order, fresh, nil
}

// batch reads the rest of consecutive commits, newest first, and of their
// parents, then compares the trees of each with its parents'. It takes
// them in the order the packs store their content trees in: oldest first
// when each is a delta on its parent's (as git fast-import writes them),
// newest first when each parent's is a delta on its child's (as git gc
// and a clone's pack mostly are).
func (w *walker) batch(b []treeJob) error {
	if len(b) == 0 {
		return nil
	}
	back, err := w.backward(b)
	if err != nil {
		return err
	}
	var last treePlaces
	var trees []plumbing.Hash
	for k := range b {
		i := len(b) - 1 - k
		if back {
			i = k
		}
		trees = trees[:0]
		for _, pn := range b[i].parents {
			if err := w.finish(pn); err != nil {
				return err
			}
			trees = append(trees, pn.rec.Content)
		}
		if err := w.finish(b[i].n); err != nil {
			return err
		}
		if err := w.files(b[i].n.rec, trees, &last, back); err != nil {
			return err
		}
	}
	return nil
}

// backward reports whether the packs store the content trees of the
// batch's commits' first parents as deltas on their children's more often
// than the other way round, by its first few commits.
func (w *walker) backward(b []treeJob) (bool, error) {
	if w.packs == nil {
		return false, nil
	}
	votes := 0
	for _, j := range b[:min(len(b), 8)] {
		if len(j.parents) == 0 {
			continue
		}
		if err := w.finish(j.n); err != nil {
			return false, err
		}
		if err := w.finish(j.parents[0]); err != nil {
			return false, err
		}
		t, p := j.n.rec.Content, j.parents[0].rec.Content
		for _, on := range [][2]plumbing.Hash{{p, t}, {t, p}} {
			want, ok := w.packs.slot(on[1])
			if on[0].IsZero() || !ok {
				continue
			}
			_, _, _, stored, err := w.packs.storedOn(on[0], want)
			if err != nil {
				return false, err
			}
			if stored && on[0] == p {
				votes++
			} else if stored {
				votes--
			}
		}
	}
	return votes > 0, nil
}

// treeBatch is how many consecutive commits the walk hands over at once
// to be compared while it goes on (a test makes it small). A batch starts
// by reading its first parent's tree whole, down a chain of deltas up to
// 50 deep in a pack git fast-import or git gc wrote: with 256, those reads
// were a fifth of comparing 100,000 commits.
var treeBatch = 2048

// treeJob is a fresh commit to compare with its parents.
type treeJob struct {
	h       plumbing.Hash
	n       *walkNode
	parents []*walkNode
}

// walkNode is a commit the walk read: its parents at once, the rest
// (author, message, content tree) by the goroutine that compares it, once.
type walkNode struct {
	rec  *commitRec
	head commitHeader // until finish reads the rest of it
	once sync.Once
	err  error
	// compared: handed over in a batch by the walk (which alone writes
	// it) to be compared while it goes on.
	compared bool
}

// parallel calls fn(0) to fn(n-1) on GOMAXPROCS goroutines and returns
// the first error, or the context's; the calls not yet handed out when an
// error comes are skipped.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	next := make(chan int)
	var once sync.Once
	var first error
	var failed atomic.Bool
	fail := func(err error) { once.Do(func() { first = err; failed.Store(true) }) }
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					fail(err)
				}
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			fail(ctx.Err())
			break
		}
		if failed.Load() {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// readParents reads commit h's parents, for the walk; the rest of it is
// read by finish. A commit not in the packs, or not laid out as git writes
// one, is read whole at once by go-git's decoder.
func (w *walker) readParents(h plumbing.Hash) (*walkNode, error) {
	b, ok, err := w.packed(plumbing.CommitObject, h, true)
	if err != nil {
		return nil, fmt.Errorf("read git commit %s: %w", h, err)
	}
	if ok {
		if head, ok := commitHead(b); ok {
			return &walkNode{rec: &commitRec{Parents: head.parents}, head: head}, nil
		}
	}
	rec, err := w.readCommit(h)
	if err != nil {
		return nil, err
	}
	n := &walkNode{rec: rec}
	n.once.Do(func() {})
	return n, nil
}

// commitHeader is what the history reads of a raw commit: its tree, its
// parents, its author and committer lines' values and its message.
type commitHeader struct {
	tree                   plumbing.Hash
	parents                []plumbing.Hash
	author, committer, msg []byte
}

// commitHead reads raw commit b laid out as git writes one: a tree line,
// parent lines, an author line, a committer line (read only right after
// the author's, as go-git does), other header lines, and the message after
// the first empty line. ok is false for any other layout (go-git's
// decoder then reads it). FuzzCommitHead holds it to that decoder.
func commitHead(b []byte) (c commitHeader, ok bool) {
	hash := func(line []byte, key string) (plumbing.Hash, bool) {
		var h plumbing.Hash
		if len(line) != len(key)+40 || !bytes.HasPrefix(line, []byte(key)) {
			return h, false
		}
		_, err := hex.Decode(h[:], line[len(key):])
		return h, err == nil
	}
	line, rest, found := bytes.Cut(b, []byte{'\n'})
	if c.tree, ok = hash(line, "tree "); !ok || !found {
		return c, false
	}
	for bytes.HasPrefix(rest, []byte("parent ")) {
		line, rest, found = bytes.Cut(rest, []byte{'\n'})
		h, ok := hash(line, "parent ")
		if !ok || !found {
			return c, false
		}
		c.parents = append(c.parents, h)
	}
	if !bytes.HasPrefix(rest, []byte("author ")) {
		return c, false
	}
	line, rest, found = bytes.Cut(rest, []byte{'\n'})
	c.author = line[len("author "):]
	if !found {
		return c, true
	}
	if bytes.HasPrefix(rest, []byte("committer ")) {
		line, rest, found = bytes.Cut(rest, []byte{'\n'})
		c.committer = line[len("committer "):]
		if !found {
			return c, true
		}
	}
	if len(rest) > 0 && rest[0] == '\n' {
		c.msg = rest[1:]
	} else if i := bytes.Index(rest, []byte("\n\n")); i >= 0 {
		c.msg = rest[i+2:]
	}
	return c, true
}

// finish reads the rest of a commit the walk read the parents of: its
// author, its message and its content folder's tree, once.
func (w *walker) finish(n *walkNode) error {
	n.once.Do(func() {
		var author, committer object.Signature
		author.Decode(n.head.author)
		committer.Decode(n.head.committer)
		_, off := author.When.Zone()
		rec := n.rec
		msg := string(n.head.msg)
		rec.When, rec.Offset, rec.Name, rec.Email, rec.Reply = author.When.Unix(), off, author.Name, author.Email, replyTrailer(msg)
		rec.Reverts, rec.Committed, rec.CoAuthors = revertOf(msg), committer.When.Unix(), coAuthors(msg)
		rec.Preview = rec.Reply != "" && trailer(msg, "Maproom-Preview") != ""
		rec.Content, n.err = w.contentTree(n.head.tree)
		n.head = commitHeader{}
	})
	return n.err
}

func (w *walker) readCommit(h plumbing.Hash) (*commitRec, error) {
	c, err := w.commit(h)
	if err != nil {
		return nil, fmt.Errorf("read git commit %s: %w", h, err)
	}
	rec := &commitRec{Parents: c.ParentHashes}
	return rec, w.fill(rec, c)
}

// fill fills rec from commit c, but for its parents (the walk reads them
// meanwhile): its author, reply trailer and content tree.
func (w *walker) fill(rec *commitRec, c *object.Commit) (err error) {
	_, off := c.Author.When.Zone()
	rec.When, rec.Offset, rec.Name, rec.Email, rec.Reply = c.Author.When.Unix(), off, c.Author.Name, c.Author.Email, replyTrailer(c.Message)
	rec.Reverts, rec.Committed, rec.CoAuthors = revertOf(c.Message), c.Committer.When.Unix(), coAuthors(c.Message)
	rec.Preview = rec.Reply != "" && trailer(c.Message, "Maproom-Preview") != ""
	rec.Content, err = w.contentTree(c.TreeHash)
	return err
}

// commit reads and decodes commit h.
func (w *walker) commit(h plumbing.Hash) (*object.Commit, error) {
	if b, ok, err := w.packed(plumbing.CommitObject, h, true); err != nil {
		return nil, err
	} else if ok {
		var o plumbing.MemoryObject
		o.SetType(plumbing.CommitObject)
		o.Write(b)
		c := &object.Commit{}
		return c, c.Decode(&o)
	}
	ls := w.store()
	defer ls.mu.Unlock()
	o, err := ls.st.EncodedObject(plumbing.CommitObject, h)
	if err != nil {
		return nil, err
	}
	return object.DecodeCommit(ls.st, o)
}

// replyTrailer returns the Maproom-Reply trailer of a commit message (the
// one internal/gitrec writes), or "".
func replyTrailer(msg string) string { return trailer(msg, "Maproom-Reply") }

// trailer returns the value of the trailer key in the last paragraph of a
// commit message, or "".
func trailer(msg, key string) string {
	if !strings.Contains(msg, key+":") {
		return ""
	}
	paras := strings.Split(strings.TrimRight(msg, "\n"), "\n\n")
	if len(paras) < 2 {
		return ""
	}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// restored gives each deal folder the fresh commits add back as it was,
// after an earlier commit removed it, the version it had before it was
// removed as its old one: a deal deleted by mistake and restored (git
// checkout, a revert) keeps its history, and so does one put back with an
// edit in the same commit, when same says the two versions are one deal's
// (its steps and its people). A folder given another plan is a new deal.
// order is every commit, parents first; same may be nil (byte for byte
// only).
func restored(order, fresh []plumbing.Hash, recs map[plumbing.Hash]*commitRec, same func(a, b plumbing.Hash) bool) {
	isFresh := make(map[plumbing.Hash]bool, len(fresh))
	for _, h := range fresh {
		isFresh[h] = true
	}
	last, gone := map[string]plumbing.Hash{}, map[string]plumbing.Hash{}
	for _, h := range order {
		rec := recs[h]
		for i := range rec.Files {
			f := &rec.Files[i]
			if f.New.IsZero() {
				if b, ok := last[f.Deal]; ok {
					gone[f.Deal] = b
				}
				delete(last, f.Deal)
				continue
			}
			// Put back as it was (git checkout, a revert), or with an edit
			// of the same deal. Another plan in the folder is a new deal
			// that took the name.
			if b, ok := gone[f.Deal]; ok && f.Old.IsZero() && f.From == "" && isFresh[h] && (b == f.New || same != nil && same(b, f.New)) {
				f.Old = b
			}
			delete(gone, f.Deal)
			last[f.Deal] = f.New
		}
	}
}

// coAuthors returns the emails of a commit message's Co-authored-by
// trailers ("Co-authored-by: Name <email>", the key in any case, in the
// message's last paragraph, where git reads trailers), nil when it has
// none.
func coAuthors(msg string) []string {
	if !strings.Contains(strings.ToLower(msg), "co-authored-by:") {
		return nil
	}
	msg = strings.TrimRight(msg, "\n")
	if i := strings.LastIndex(msg, "\n\n"); i >= 0 {
		msg = msg[i+2:]
	} else {
		return nil // the subject alone: no trailer
	}
	var out []string
	for _, line := range strings.Split(msg, "\n") {
		key, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.EqualFold(key, "co-authored-by") {
			continue
		}
		if i, j := strings.IndexByte(v, '<'), strings.LastIndexByte(v, '>'); i >= 0 && j > i+1 {
			if e := strings.TrimSpace(v[i+1 : j]); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// revertOf returns the commit a commit message says it reverts, as git
// revert writes it ("This reverts commit <40 hex digits>."); zero when it
// says none.
func revertOf(msg string) plumbing.Hash {
	const says = "This reverts commit "
	i := strings.Index(msg, says)
	if i < 0 || len(msg) < i+len(says)+40 {
		return plumbing.ZeroHash
	}
	var h plumbing.Hash
	if _, err := hex.Decode(h[:], []byte(msg[i+len(says):i+len(says)+40])); err != nil {
		return plumbing.ZeroHash
	}
	return h
}

// files fills the file changes of commit rec against its parents, whose
// content trees are parents (in rec.Parents' order); last is the tree the
// goroutine compared last (see treeChanges).
func (w *walker) files(rec *commitRec, parents []plumbing.Hash, last *treePlaces, back bool) error {
	var parentCT plumbing.Hash
	if len(parents) > 0 {
		parentCT = parents[0]
	}
	if rec.Content == parentCT {
		return nil
	}
	changes, err := w.treeChanges(last, parentCT, rec.Content, back)
	if err != nil {
		return err
	}
	var added, removed []fileRec
	for _, tc := range changes {
		name := tc.name
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue // hidden and draft folders are no deals
		}
		nb, err := w.index(tc.new, tc.newDir)
		if err != nil {
			return err
		}
		ob, err := w.index(tc.old, tc.oldDir)
		if err != nil {
			return err
		}
		if nb == ob {
			continue // the plan did not change, its collateral did
		}
		f := fileRec{Deal: name, Old: ob, New: nb}
		if len(parents) > 1 {
			// The other parents' versions: a change that takes one of
			// their values is theirs, told by their commits. A merge that
			// took a branch's version whole still writes the main line's
			// plan: its version is recorded, with no change of its own.
			for _, pc := range parents[1:] {
				pt, err := w.tree(pc, true)
				if err != nil {
					return err
				}
				dh, dir := entry(pt, name)
				ab, err := w.index(dh, dir)
				if err != nil {
					return err
				}
				f.Alt = append(f.Alt, ab)
			}
		}
		switch {
		case ob.IsZero() && !nb.IsZero():
			added = append(added, f)
		case nb.IsZero():
			removed = append(removed, f)
		default:
			rec.Files = append(rec.Files, f)
		}
	}
	// Two folders whose plans swapped, byte for byte, swapped names: each
	// deal keeps its history under the other name.
	if len(rec.Files) > 1 {
		byOld := make(map[plumbing.Hash]int, len(rec.Files))
		for i, f := range rec.Files {
			byOld[f.Old] = i
		}
		for i := range rec.Files {
			a := &rec.Files[i]
			j, ok := byOld[a.New]
			if !ok || j == i {
				continue
			}
			if b := &rec.Files[j]; a.From == "" && b.From == "" && len(a.Alt) == 0 && len(b.Alt) == 0 && b.New == a.Old {
				a.From, a.Old = b.Deal, a.New
				b.From, b.Old = a.Deal, b.New
			}
		}
	}
	// A folder removed and another added in one commit with the same plan,
	// or one much like it, is a rename: the deal keeps its history.
	for i := range added {
		for j := range removed {
			if removed[j].Deal == "" || !w.similar(removed[j].Old, added[i].New) {
				continue
			}
			added[i].From, added[i].Old = removed[j].Deal, removed[j].Old
			removed[j].Deal = ""
			break
		}
	}
	for _, f := range append(added, removed...) {
		if f.Deal != "" {
			rec.Files = append(rec.Files, f)
		}
	}
	return nil
}

// treeChanges compares content tree from (a parent's) with to (its
// child's). The goroutine compares consecutive commits, oldest first, or
// newest first when back (then each commit's tree is the parent's tree of
// the one compared before): the tree they share is most often the one
// kept in last, with its entries' places, and is not read again; and the
// other is most often stored as a delta on it, and is built in the buffer
// the goroutine built the tree before last in. That other tree becomes
// last.
func (w *walker) treeChanges(last *treePlaces, from, to plumbing.Hash, back bool) ([]treeChange, error) {
	known, other := from, to
	if back {
		known, other = to, from
	}
	kt, ks := last.raw, last.starts
	fromLast := !known.IsZero() && last.tree == known
	if !fromLast {
		var err error
		if kt, err = w.tree(known, !back); err != nil {
			return nil, err
		}
	}
	if !fromLast || ks == nil {
		ks = entryStarts(kt)
	}
	into := 0
	if fromLast && last.mine == 0 {
		into = 1
	}
	// A tree the goroutine built itself is written over in place when the
	// delta replaces bytes of it with as many (a folder's hash changed):
	// copying the whole tree for each commit was most of the compare.
	var own []byte
	if fromLast && last.mine >= 0 && ks != nil {
		own = kt
	}
	ot, built, same, changes, inPlace, err := w.build(other, known, kt, &last.own[into], &last.delta, own, ks, last)
	if err == nil && inPlace {
		w.built.Add(1)
		if back {
			swapChanges(changes)
		}
		last.tree = other
		return changes, nil
	}
	if err == nil && !built {
		ot, err = w.tree(other, !back)
	}
	if err != nil {
		return nil, err
	}
	changes, os := diffTreesAt(kt, ks, ot, last.spare, same)
	if back {
		swapChanges(changes)
	}
	if os != nil {
		// The places of the tree before are free once the diff is done.
		last.spare = last.starts
	}
	last.tree, last.raw, last.starts, last.mine = other, ot, os, -1
	if built {
		last.mine = into
	} else {
		last.at = slotRef{}
	}
	return changes, nil
}

// swapChanges turns the changes from a child's tree to its parent's into
// the changes from the parent's to the child's.
func swapChanges(changes []treeChange) {
	for i, c := range changes {
		changes[i] = treeChange{name: c.name, old: c.new, new: c.old, oldDir: c.newDir, newDir: c.oldDir}
	}
}

// tree reads raw tree t (nil for the zero hash); hold as packs.readHolding.
func (w *walker) tree(t plumbing.Hash, hold bool) ([]byte, error) {
	if t.IsZero() {
		return nil, nil
	}
	return w.rawHolding(plumbing.TreeObject, t, hold)
}

// build builds tree t in *buf when the packs store it as a delta on tree
// on, whose content is base (deltas are inflated in *delta); built false
// when they do not, and t is to be read. same is how many bytes t is known
// to start and end with in common with base, from the delta. When own is
// base and the goroutine's to write (its entries start at ownStarts), t
// may be built in own itself (patchInPlace): then inPlace is true, changes
// are the entries that differ from base to t, and last holds t's places.
func (w *walker) build(t, on plumbing.Hash, base []byte, buf, delta *[]byte, own []byte, ownStarts []int, last *treePlaces) (raw []byte, built bool, same [2]int, changes []treeChange, inPlace bool, err error) {
	if w.packs == nil || t.IsZero() || on.IsZero() {
		return nil, false, same, nil, false, nil
	}
	want := last.at
	if last.tree != on || want.p == nil {
		var ok bool
		if want, ok = w.packs.slot(on); !ok {
			return nil, false, same, nil, false, nil
		}
	}
	d, at, ok, err := w.packs.deltaOn(t, want, *delta)
	if err != nil || !ok {
		return nil, false, same, nil, false, err
	}
	*delta, last.at = d, at
	if own != nil {
		if changes, starts, ok := patchInPlace(own, ownStarts, d, &last.scratch, last.spare); ok {
			if &starts[0] != &ownStarts[0] {
				last.spare = ownStarts
			}
			last.starts = starts
			return own, true, same, changes, true, nil
		}
	}
	if *buf, err = patch(*buf, base, d); err != nil {
		return nil, false, same, nil, false, fmt.Errorf("read git tree %s: %w", t, err)
	}
	w.built.Add(1)
	same[0], same[1] = deltaSame(d, len(base), len(*buf))
	return *buf, true, same, nil, false, nil
}

// deltaOp is one op of a git delta: a copy of base[off:off+k], or an
// insert of data, written at at in the result.
type deltaOp struct {
	at, off, k int
	data       []byte // nil for a copy
}

// patchInPlace applies delta d to raw tree t in t itself, when d gives as
// many bytes as t has and keeps t's start and end in place (copies of
// base[x:y] to [x:y]): the bytes between are written over. ts is where
// t's entries start (entryStarts). It returns the entries that differ
// from t before to t after, as diffTreesAt gives them, and where t's
// entries start after: ts itself when they did not move, else written in
// spare's storage. ok false leaves t as it was: d is not of that shape, or
// the bytes written over do not read as whole entries. The bytes replaced
// and those written are kept in *scratch.
func patchInPlace(t []byte, ts []int, d []byte, scratch *[]byte, spare []int) (changes []treeChange, starts []int, ok bool) {
	src, d, ok := deltaSize(d)
	if !ok || src != uint64(len(t)) {
		return nil, nil, false
	}
	size, d, ok := deltaSize(d)
	if !ok || size != uint64(len(t)) || len(ts) < 2 {
		return nil, nil, false
	}
	var buf [16]deltaOp
	ops := buf[:0]
	at := 0
	for len(d) > 0 {
		if len(ops) == len(buf) {
			return nil, nil, false // not a delta of a few entries
		}
		c := d[0]
		d = d[1:]
		switch {
		case c&0x80 != 0:
			off, k, rest, ok := copyOp(c, d)
			if !ok || off+k > uint(len(t)) || uint(at)+k > uint(len(t)) {
				return nil, nil, false
			}
			ops = append(ops, deltaOp{at: at, off: int(off), k: int(k)})
			d, at = rest, at+int(k)
		case c != 0:
			k := int(c)
			if k > len(d) || at+k > len(t) {
				return nil, nil, false
			}
			ops = append(ops, deltaOp{at: at, k: k, data: d[:k]})
			d, at = d[k:], at+k
		default:
			return nil, nil, false
		}
	}
	if at != len(t) {
		return nil, nil, false
	}
	same := func(o deltaOp) bool { return o.data == nil && o.off == o.at }
	i, j := 0, len(ops)
	for i < j && same(ops[i]) {
		i++
	}
	for j > i && same(ops[j-1]) {
		j--
	}
	if i == j {
		return nil, ts, true // the same bytes
	}
	lo, hi := ops[i].at, ops[j-1].at+ops[j-1].k
	// The entries holding the bytes written over, from the start of the
	// first to the end of the last.
	ka := sort.Search(len(ts)-1, func(x int) bool { return ts[x+1] > lo })
	kb := sort.Search(len(ts), func(x int) bool { return ts[x] >= hi })
	if kb >= len(ts) {
		return nil, nil, false
	}
	s0, e0 := ts[ka], ts[kb]
	mid := (*scratch)[:0]
	for _, o := range ops[i:j] {
		if o.data != nil {
			mid = append(mid, o.data...)
		} else {
			mid = append(mid, t[o.off:o.off+o.k]...)
		}
	}
	old := append(mid, t[s0:e0]...)
	*scratch = old
	mid, old = old[:hi-lo], old[hi-lo:]
	copy(t[lo:hi], mid)
	// The new bytes from s0 must read as entries that end at e0, where
	// the rest of t, unchanged, starts with one.
	span := t[s0:e0]
	moved, n, at2 := false, 0, 0
	for at2 < len(span) {
		e := entryLen(span[at2:])
		if e == 0 {
			break
		}
		if ka+n >= kb || ts[ka+n] != s0+at2 {
			moved = true
		}
		n++
		at2 += e
	}
	if at2 != len(span) {
		copy(t[s0:e0], old)
		return nil, nil, false
	}
	moved = moved || ka+n != kb
	changes, _ = diffTreesAt(old, nil, span, nil, [2]int{})
	if !moved {
		return changes, ts, true
	}
	starts = append(slices.Grow(spare[:0], len(ts)-(kb-ka)+n), ts[:ka]...)
	for at2 = 0; at2 < len(span); at2 += entryLen(span[at2:]) {
		starts = append(starts, s0+at2)
	}
	return changes, append(starts, ts[kb:]...), true
}

// similar reports whether two versions are one plan: the same blob, or
// most of their tasks and milestones in common, for the same buyer
// (sameBuyer): two plans made from one template for two customers are
// two deals.
func (w *walker) similar(a, b plumbing.Hash) bool {
	if a == b {
		return true
	}
	pa, _ := w.plan("", a, nil)
	pb, _ := w.plan("", b, nil)
	if pa == nil || pb == nil || !samePlanBuyer(pa, pb) {
		return false
	}
	ids := map[string]bool{}
	for _, t := range pa.Tasks {
		ids["t:"+t.ID] = true
	}
	for _, m := range pa.Milestones {
		ids["m:"+m.ID] = true
	}
	common, total := 0, len(ids)
	for _, t := range pb.Tasks {
		if ids["t:"+t.ID] {
			common++
		} else {
			total++
		}
	}
	for _, m := range pb.Milestones {
		if ids["m:"+m.ID] {
			common++
		} else {
			total++
		}
	}
	return total > 0 && common*2 > total
}

// sameBuyer reports whether two versions' buyer: fields name one
// organisation, as a seller edits the name: their words, whatever the case
// and punctuation, with a leading "the" and the legal form (Inc, Corp,
// Ltd, GmbH...) set aside, the one a start of the other ("Acme" and "ACME
// Corp." are one, and "Globex" and "Globex Mutual Insurance"; "General
// Motors" and "General Electric" two). A version naming none, or a
// template's placeholder, matches any.
func sameBuyer(a, b string) bool {
	wa, wb := buyerWords(a), buyerWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return true
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	return slices.Equal(wa, wb[:len(wa)])
}

// typoBuyer reports whether two buyer names differ as a typo fixed would:
// the same first word and as many words, one of the others a letter or two
// from the other's ("Globex Mutal Insurance"). "Acme Health" and "Acme
// Wealth" do too: alone it tells nothing (samePlanBuyer asks for the
// buyer's people as well).
func typoBuyer(a, b string) bool {
	wa, wb := buyerWords(a), buyerWords(b)
	if len(wa) != len(wb) || len(wa) < 2 || wa[0] != wb[0] {
		return false
	}
	differ := 0
	for i := 1; i < len(wa); i++ {
		if wa[i] == wb[i] {
			continue
		}
		if d := spelling.Distance(wa[i], wb[i]); d > 2 || d > min(len(wa[i]), len(wb[i]))/3 {
			return false
		}
		differ++
	}
	return differ == 1
}

// samePlanBuyer reports whether two versions are of one buyer: the same
// name (sameBuyer), or a typo fixed in it (typoBuyer) with someone on the
// buyer's side in both, by email (or, without emails, by id and name).
func samePlanBuyer(pa, pb *Plan) bool {
	if sameBuyer(pa.Buyer, pb.Buyer) {
		return true
	}
	if !typoBuyer(pa.Buyer, pb.Buyer) {
		return false
	}
	for _, p := range pa.People {
		if p.Side == deal.Buyer && slices.ContainsFunc(pb.People, func(q Person) bool {
			if q.Side != deal.Buyer {
				return false
			}
			if p.Email != "" && q.Email != "" {
				return strings.EqualFold(strings.TrimSpace(q.Email), strings.TrimSpace(p.Email))
			}
			return q.ID == p.ID && q.Name != "" && q.Name == p.Name // a plan without emails
		}) {
			return true
		}
	}
	return false
}

// buyerWords is a buyer's name as sameBuyer compares it; nil for none or
// a placeholder.
func buyerWords(s string) []string {
	if len(deal.Placeholders(s)) > 0 {
		return nil
	}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	for len(words) > 1 && legalForms[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return words
}

// legalForms are the words a company's legal form adds to its name.
var legalForms = map[string]bool{"inc": true, "incorporated": true, "corp": true, "corporation": true, "co": true, "company": true,
	"ltd": true, "limited": true, "llc": true, "llp": true, "plc": true, "gmbh": true, "ag": true, "sa": true, "sas": true, "sarl": true,
	"bv": true, "nv": true, "ab": true, "as": true, "oy": true, "spa": true, "srl": true, "kk": true, "pty": true, "group": true, "holdings": true}

// sameDeal reports whether versions a and b are one deal's plan: the same
// close date, similar steps and milestones, and most of b's buyer-side
// people a's too (by id and name; its people of either side when it names
// none of the buyer's), so that a plan made from the same template for
// another buyer, by the same sellers, or a new deal of the same people
// (the next year's), is not.
func (w *walker) sameDeal(a, b plumbing.Hash) bool {
	if !w.similar(a, b) {
		return false
	}
	pa, _ := w.plan("", a, nil)
	pb, _ := w.plan("", b, nil)
	if pa == nil || pb == nil || pa.Close != pb.Close {
		return false // a new close date: a new deal of the same people
	}
	people := slices.DeleteFunc(slices.Clone(pb.People), func(p Person) bool { return p.Side != deal.Buyer })
	if len(people) == 0 {
		people = pb.People
	}
	common := 0
	for _, p := range people {
		if slices.ContainsFunc(pa.People, func(q Person) bool { return q.ID == p.ID && q.Name == p.Name }) {
			common++
		}
	}
	return len(people) > 0 && common*2 > len(people)
}

// plan decodes the blob h, a version of deal id's plan.
func (w *walker) plan(id string, h plumbing.Hash, m *memo) (*Plan, error) {
	if h.IsZero() {
		return nil, nil
	}
	src, err := w.raw(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("read git blob %s: %w", h, err)
	}
	w.mu.Lock()
	w.versions++
	w.mu.Unlock()
	if p, ok := quickPlanMemo(src, m); ok {
		return p, nil
	}
	w.mu.Lock()
	w.slow++
	w.mu.Unlock()
	if id == "" {
		id = "deal"
	}
	d, err := w.decode(id, src)
	if err != nil {
		return nil, err
	}
	return PlanOf(d), nil
}

// plans decodes the versions the fresh commits wrote and diffs each with
// the version before it, deal by deal, in parallel.
func (w *walker) plans(ctx context.Context, fresh []plumbing.Hash, recs map[plumbing.Hash]*commitRec) error {
	type job struct {
		f   *fileRec
		rec *commitRec
	}
	byDeal := map[string][]job{}
	var deals []string
	for _, h := range fresh {
		rec := recs[h]
		for i := range rec.Files {
			f := &rec.Files[i]
			if _, ok := byDeal[f.Deal]; !ok {
				deals = append(deals, f.Deal)
			}
			byDeal[f.Deal] = append(byDeal[f.Deal], job{f, rec})
		}
	}
	// A version read before (from the cache) that could not be decoded
	// stands on the last one that could: a fresh commit that fixes it is
	// compared with that one, as in a read of the whole history.
	readable := map[plumbing.Hash]plumbing.Hash{}
	if len(recs) > len(fresh) { // a cold read has nothing from the cache
		freshSet := make(map[plumbing.Hash]bool, len(fresh))
		for _, h := range fresh {
			freshSet[h] = true
		}
		for h, rec := range recs {
			if freshSet[h] {
				continue
			}
			for i := range rec.Files {
				if f := &rec.Files[i]; f.Bad && !f.New.IsZero() {
					readable[f.New] = f.Readable
				}
			}
		}
	}
	return parallel(ctx, len(deals), func(i int) error {
		id := deals[i]
		var last lastVersion
		var m *memo
		if !walkWithoutMemo {
			m = &memo{}
		}
		var in interner // the deal's strings, shared by its changes
		for _, j := range byDeal[id] {
			if err := w.diff(id, j.f, j.rec, &last, m, &in, readable); err != nil {
				return err
			}
		}
		return nil
	})
}

// lastVersion is the version of a deal diff decoded last.
type lastVersion struct {
	hash plumbing.Hash // the version written
	plan *Plan         // it decoded, or when it could not be, the last one that could
	from plumbing.Hash // the version plan was decoded from
}

// diff fills f's changes: its new version against its old one (the last
// version decoded for the deal when it is the same blob), their strings
// kept by in. A version that cannot be decoded is compared with the last
// one that could: readable gives it for those read before, from the
// cache.
func (w *walker) diff(id string, f *fileRec, rec *commitRec, last *lastVersion, m *memo, in *interner, readable map[plumbing.Hash]plumbing.Hash) error {
	var old *Plan
	var oldFrom plumbing.Hash
	if f.Old == last.hash && last.plan != nil {
		old, oldFrom = last.plan, last.from
	} else if !f.Old.IsZero() {
		from := f.Old
		if r, ok := readable[f.Old]; ok {
			from = r // known not to decode: the last one that does
		}
		p, err := w.plan(id, from, nil)
		if err != nil && !isDecode(err) {
			return err
		}
		if p != nil {
			old, oldFrom = p, from
		}
	}
	var cur *Plan
	if !f.New.IsZero() {
		p, err := w.plan(id, f.New, m)
		if err != nil {
			if !isDecode(err) {
				return err
			}
			f.Bad, f.Readable = true, oldFrom
			w.log.Debug("history: a version of the plan cannot be decoded", "deal", id, "blob", f.New.String()[:12], "err", err)
			// The version that fixes it is compared with the last one
			// that could be read: what the broken commit changed counts
			// with the fix.
			*last = lastVersion{hash: f.New, plan: old, from: oldFrom}
			return nil
		}
		cur = p
	}
	var alts []*Plan
	for _, a := range f.Alt {
		if p, err := w.plan(id, a, nil); err == nil && p != nil {
			alts = append(alts, p)
		}
	}
	f.Changes = diffPlans(old, cur, alts, in)
	if old != nil && cur != nil && f.Old != f.New && len(f.Alt) == 0 && !slices.ContainsFunc(f.Changes, func(c fieldChange) bool {
		return c.Kind != taskRenamed && c.Kind != milestoneRenamed
	}) {
		// The text changed, none of the fields the history reads did but
		// ids (a rename is no change of its own: the story follows it).
		f.Changes = append(f.Changes, fieldChange{Kind: PlanEdited, Close: in.date(cur.Close)})
	}
	if cur != nil {
		f.Done, f.Total = cur.Progress()
		f.Review = in.str(cur.Review)
		f.Buyers = slices.ContainsFunc(cur.People, func(p Person) bool { return p.Side == deal.Buyer })
		day := deal.DateOf(time.Unix(rec.When, 0).UTC()).AddDays(-1)
		for _, t := range cur.Tasks {
			if t.Status == deal.Done && t.Done.After(day) {
				f.Ahead = append(f.Ahead, in.date(t.Done))
			}
		}
	}
	who := cur
	if who == nil {
		who = old
	}
	if who != nil {
		s, ok := who.person(rec.Email)
		if !ok || s.Side != deal.Buyer {
			// A commit a buyer co-wrote (a squash merge of their branch,
			// a pair's commit) is theirs too: the buyer's edit counts.
			for _, e := range rec.CoAuthors {
				if c, found := who.person(e); found && c.Side == deal.Buyer {
					s, ok = c, true
					break
				}
			}
		}
		if ok {
			f.Who, f.Side = in.str(s.ID), in.str(string(s.Side))
		}
	}
	*last = lastVersion{hash: f.New, plan: cur, from: f.New}
	if old != cur {
		m.recycle(old) // its changes are cloned, nothing else holds it
	}
	return nil
}

// walkWithoutMemo makes the walk read every version alone, for the test
// that holds the memo to it.
var walkWithoutMemo bool

// isDecode tells a version that cannot be decoded from a repository that
// cannot be read: reading errors come wrapped with "read git".
func isDecode(err error) bool { return !strings.HasPrefix(err.Error(), "read git") }

// commitTime returns the author time of rec in its own zone, of zones
// (nil: one made for the call).
func (rec *commitRec) commitTime(zones zoneCache) time.Time {
	return time.Unix(rec.When, 0).In(zones.of(rec.Offset))
}

// inPlanTime returns when rec was committed, or written when that is
// later (a clock set wrong), in its author's zone: when a commit on the
// main line became the plan.
func (rec *commitRec) inPlanTime(zones zoneCache) time.Time {
	return time.Unix(max(rec.When, rec.Committed), 0).In(zones.of(rec.Offset))
}

// zoneCache holds a fixed zone for each offset from UTC met while telling
// the stories: a history of 100,000 commits has a handful, and a zone made
// for each commit was a tenth of the telling.
type zoneCache map[int]*time.Location

// of returns the fixed zone offset seconds east of UTC.
func (zc zoneCache) of(offset int) *time.Location {
	if z, ok := zc[offset]; ok {
		return z
	}
	z := time.FixedZone("", offset)
	if zc != nil {
		zc[offset] = z
	}
	return z
}
