package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/maproom/maproom/internal/token"
)

// buildState records what the last build wrote, so the next one can leave
// unchanged files alone: .maproom/build.json, one per output folder (see
// Builder.statePath). A file is trusted only while its size and
// modification time still match the record, so a stale or lost state file
// costs a rewrite, never a wrong page.
type buildState struct {
	Version int                    `json:"version"`
	Out     string                 `json:"out"` // the output folder it describes
	Groups  map[string]*groupState `json:"groups"`
}

// groupState is one deal's output ("" holds the site-wide files).
type groupState struct {
	Content string               `json:"content"` // fingerprint of the deal's own files
	Site    string               `json:"site"`    // fingerprint of settings, theme, secret and maproom itself
	Today   string               `json:"today"`
	Files   map[string]fileState `json:"files"` // slash paths under the output folder
}

type fileState struct {
	Hash  string `json:"h"`
	Size  int64  `json:"s"`
	MTime int64  `json:"m"`
}

const stateVersion = 2

// readState loads the state of the last build into out; a missing, stale
// or unreadable one gives an empty state with Out == "" (unknown).
func readState(path, out string) *buildState {
	empty := &buildState{Version: stateVersion, Groups: map[string]*groupState{}}
	b, err := os.ReadFile(path)
	if err != nil {
		return empty
	}
	var prev buildState
	if json.Unmarshal(b, &prev) != nil || prev.Version != stateVersion || prev.Groups == nil || prev.Out != out {
		return empty
	}
	return &prev
}

// Stats says what a build did to the output folder.
type Stats struct {
	Pages     int // HTML pages in the output
	Written   int // files new or changed
	Unchanged int // files left exactly as they were (not rewritten)
	Removed   int // files of the previous output no longer produced
	Rendered  int // deals rendered
	Skipped   int // deals whose inputs had not changed: not rendered at all
}

// output publishes a build into the output folder without ever leaving it
// half-written:
//
//   - while deals render, new and changed files go to a staging folder
//     beside the output; the output itself is not touched, so a failed build
//     (abort) leaves it exactly as it was;
//   - commit then renames each staged file over its old version (a rename is
//     atomic: a reader sees the old file or the new one, never a part) and
//     removes the files this build no longer produces. A first build, with
//     no output folder yet, renames the whole stage into place instead.
//
// Unchanged files are never rewritten: their bytes, inode and modification
// time stay as they were, so a static-host sync uploads nothing, and a
// build in which nothing changed does no writes at all. (Swapping whole
// folders would rewrite every file's directory entry and, on a disk where
// removing 30,000 files takes ten seconds, cost more than the build.)
type output struct {
	out, statePath string
	prev           *buildState
	mu             sync.Mutex
	next           *buildState
	stage          string // created on the first write
	staged         []string
	writes         chan pending // to the single writer goroutine
	writerDone     chan error
	dirs           sync.Map
	written        atomic.Int64
	unchanged      atomic.Int64
	pages          atomic.Int64
}

func newOutput(out, statePath string) (*output, error) {
	out = filepath.Clean(out)
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	// Stages left by a build that was killed are removed here: beside the
	// output, and beside the folder it links to (see stageDir).
	dirs := []string{filepath.Dir(out)}
	if real, err := filepath.EvalSymlinks(out); err == nil && real != out {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, d := range dirs {
		old, _ := filepath.Glob(filepath.Join(d, "."+filepath.Base(out)+".stage-*"))
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	o := &output{out: out, statePath: statePath, prev: readState(statePath, abs),
		next:   &buildState{Version: stateVersion, Out: abs, Groups: map[string]*groupState{}},
		writes: make(chan pending, 512), writerDone: make(chan error, writers)}
	for range writers {
		go o.writer(o.writes)
	}
	return o, nil
}

// writers is how many goroutines write staged files. Creating small files
// waits on the disk more than on the CPU, but many concurrent creators
// contend in the kernel: measured on the 2-core machine, two writers beat
// one and four were far slower.
const writers = 2

// pending is a file waiting for the writer.
type pending struct {
	id, rel, hash string
	data          []byte
}

// writer writes staged files one at a time. Creating small files is
// serialised by the kernel anyway; several writers only contend (measured:
// sys time grows several-fold with four writers on two cores), so the
// renderers hand their files to this one goroutine and go on rendering.
func (o *output) writer(writes <-chan pending) {
	var first error
	for p := range writes {
		if first != nil {
			continue
		}
		first = o.write(p)
	}
	o.writerDone <- first
}

func (o *output) write(p pending) error {
	stage, err := o.stageDir()
	if err != nil {
		return err
	}
	dst := filepath.Join(stage, filepath.FromSlash(p.rel))
	if err := o.mkdir(filepath.Dir(dst)); err != nil {
		return err
	}
	if err := os.WriteFile(dst, p.data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", p.rel, err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.next.Groups[p.id].Files[p.rel] = fileState{Hash: p.hash, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	o.staged = append(o.staged, p.rel)
	o.mu.Unlock()
	return nil
}

// flush waits for every queued write and returns the first error.
func (o *output) flush() error {
	if o.writes == nil {
		return nil
	}
	close(o.writes)
	o.writes = nil
	var first error
	for range writers {
		if err := <-o.writerDone; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// group starts recording the files of one deal ("" for site-wide files).
func (o *output) group(id string, g *groupState) {
	g.Files = map[string]fileState{}
	o.mu.Lock()
	o.next.Groups[id] = g
	o.mu.Unlock()
}

// reuse keeps every file of a deal whose inputs did not change. It returns
// false when any file is missing or differs from the record: the deal must
// then be rendered.
func (o *output) reuse(id string, g *groupState) bool {
	prev := o.prev.Groups[id]
	if prev == nil || prev.Content != g.Content || prev.Site != g.Site || prev.Today != g.Today || len(prev.Files) == 0 {
		return false
	}
	for rel, fs := range prev.Files {
		if !o.intact(rel, fs) {
			return false
		}
	}
	g.Files = prev.Files
	o.mu.Lock()
	o.next.Groups[id] = g
	o.mu.Unlock()
	for rel := range prev.Files {
		if strings.HasSuffix(rel, ".html") {
			o.pages.Add(1)
		}
	}
	o.unchanged.Add(int64(len(prev.Files)))
	return true
}

// intact reports whether out/rel is still the file the record describes.
func (o *output) intact(rel string, fs fileState) bool {
	fi, err := os.Lstat(filepath.Join(o.out, filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == fs.Size && fi.ModTime().UnixNano() == fs.MTime
}

// put stores a file of group id at rel (slash path under the output).
func (o *output) put(id, rel string, data []byte) error {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:16])
	if strings.HasSuffix(rel, ".html") {
		o.pages.Add(1)
	}
	if old, ok := o.prevFile(id, rel); ok && old.Hash == h && o.intact(rel, old) {
		o.unchanged.Add(1)
		o.mu.Lock()
		o.next.Groups[id].Files[rel] = old
		o.mu.Unlock()
		return nil
	}
	o.written.Add(1)
	o.writes <- pending{id: id, rel: rel, hash: h, data: data}
	return nil
}

// prevFile finds rel among the files deal id wrote last time.
func (o *output) prevFile(id, rel string) (fileState, bool) {
	g := o.prev.Groups[id]
	if g == nil {
		return fileState{}, false
	}
	fs, ok := g.Files[rel]
	return fs, ok
}

func (o *output) stageDir() (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stage != "" {
		return o.stage, nil
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return "", err
	}
	// Beside the folder the output really is: an output that is a
	// symbolic link to where the host serves from (another file system,
	// often) takes its files by rename, which crosses no file system then.
	beside := filepath.Dir(o.out)
	if real, err := filepath.EvalSymlinks(o.out); err == nil && real != o.out {
		beside = filepath.Dir(real)
	}
	s, err := os.MkdirTemp(beside, "."+filepath.Base(o.out)+".stage-")
	if err != nil {
		return "", fmt.Errorf("staging the build: %w", err)
	}
	// The stage becomes the output when there is none yet: it gets the
	// mode of every folder in it (0755 under the umask), not MkdirTemp's
	// 0700, which the web server's user could not enter once the site is
	// copied to it (rsync -a keeps the mode).
	if err := os.Chmod(s, dirMode(s)); err != nil {
		os.Remove(s)
		return "", fmt.Errorf("staging the build: %w", err)
	}
	o.stage = s
	return s, nil
}

// dirMode returns the mode a folder made with 0755 gets under the
// process's umask, by making one in dir (0755 when it cannot).
func dirMode(dir string) os.FileMode {
	probe := filepath.Join(dir, ".mode")
	if err := os.Mkdir(probe, 0o755); err != nil {
		return 0o755
	}
	defer os.Remove(probe)
	if st, err := os.Stat(probe); err == nil {
		return st.Mode().Perm()
	}
	return 0o755
}

func (o *output) mkdir(dir string) error {
	if _, ok := o.dirs.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o.dirs.Store(dir, true)
	return nil
}

// abort removes the stage; the output stays exactly as it was.
func (o *output) abort() {
	o.flush()
	if o.stage != "" {
		os.RemoveAll(o.stage)
	}
}

// commit moves the staged files into the output, removes files no longer
// produced, and saves the state.
func (o *output) commit() (Stats, error) {
	defer o.abort()
	if err := o.flush(); err != nil {
		return Stats{}, err
	}
	st := Stats{Written: int(o.written.Load()), Unchanged: int(o.unchanged.Load()), Pages: int(o.pages.Load())}
	produced := map[string]bool{}
	for _, g := range o.next.Groups {
		for rel := range g.Files {
			produced[rel] = true
		}
	}
	if _, err := os.Stat(o.out); os.IsNotExist(err) && o.stage != "" {
		// A first build: the stage becomes the output in one rename.
		if err := os.Rename(o.stage, o.out); err != nil {
			return st, fmt.Errorf("publishing %s: %w", o.out, err)
		}
		o.stage = ""
		return st, writeJSONAtomic(o.statePath, o.next)
	}
	if err := o.moveStaged(); err != nil {
		return st, err
	}
	// Remove what this build does not produce. With a valid state of the
	// last build, that is its files this build did not make again. Without
	// one (lost, stale, or another output folder), maproom's folders (r/,
	// f/, assets/) and any other this build writes into are walked and the files in them that
	// have the shape of maproom's (madePath) are removed, so a room removed
	// from the plan is gone even then; every other file in the output
	// folder is not maproom's and is left alone.
	if o.prev.Out != "" {
		for _, g := range o.prev.Groups {
			for rel := range g.Files {
				if produced[rel] {
					continue
				}
				p := filepath.Join(o.out, filepath.FromSlash(rel))
				if err := os.Remove(p); err == nil {
					st.Removed++
					removeEmptyParents(p, o.out)
				}
			}
		}
		return st, writeJSONAtomic(o.statePath, o.next)
	}
	// r/, f/ and assets/ are maproom's whether or not this build writes
	// into them: a build whose only deal was withdrawn writes none.
	owned := map[string]bool{"r": true, "f": true, "assets": true}
	for rel := range produced {
		if top, _, ok := strings.Cut(rel, "/"); ok {
			owned[top] = true
		}
	}
	var empty []string
	err := filepath.WalkDir(o.out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, o.out+string(filepath.Separator)))
		top, _, nested := strings.Cut(rel, "/")
		if d.IsDir() {
			if p == o.out {
				return nil
			}
			if !owned[top] {
				return filepath.SkipDir
			}
			if madeDir.MatchString(rel) {
				empty = append(empty, p)
			}
			return nil
		}
		if nested && owned[top] && !produced[rel] && madePath.MatchString(rel) {
			if err := os.Remove(p); err != nil {
				return err
			}
			st.Removed++
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("removing old files: %w", err)
	}
	for i := len(empty) - 1; i >= 0; i-- {
		os.Remove(empty[i]) // fails, as it should, unless the folder is empty
	}
	return st, writeJSONAtomic(o.statePath, o.next)
}

// madePath matches the paths of the files a build makes in its folders: a
// room's or a collateral file's under a token folder, an asset with a
// content hash in its name. madeDir matches the token folders and those
// under them.
var (
	madePath = regexp.MustCompile(`^(?:[rf]/[a-z2-7]{` + strconv.Itoa(token.Len) + `}/.+|assets/[^/]+\.[0-9a-f]{10}\.[a-z0-9]+)$`)
	madeDir  = regexp.MustCompile(`^[rf]/[a-z2-7]{` + strconv.Itoa(token.Len) + `}(?:/.+)?$`)
)

// commitGroups is commit for a preview update: only the given deals were
// rendered (or removed), so only their old files are candidates for
// removal, and the output folder is not walked. The caller keeps the state.
func (o *output) commitGroups(groups []string) (Stats, error) {
	defer o.abort()
	if err := o.flush(); err != nil {
		return Stats{}, err
	}
	st := Stats{Written: int(o.written.Load()), Unchanged: int(o.unchanged.Load()), Pages: int(o.pages.Load())}
	if err := o.moveStaged(); err != nil {
		return st, err
	}
	for _, id := range groups {
		prev := o.prev.Groups[id]
		if prev == nil {
			continue
		}
		next := o.next.Groups[id]
		for rel := range prev.Files {
			if next != nil {
				if _, ok := next.Files[rel]; ok {
					continue
				}
			}
			p := filepath.Join(o.out, filepath.FromSlash(rel))
			if err := os.Remove(p); err == nil {
				st.Removed++
				os.Remove(filepath.Dir(p)) // the room folder, once empty
			}
		}
	}
	return st, nil
}

// removeEmptyParents removes p's folders up to (not including) root while
// they are empty.
func removeEmptyParents(p, root string) {
	for dir := filepath.Dir(p); dir != root && strings.HasPrefix(dir, root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			return
		}
	}
}

// writeJSONAtomic stores v as JSON at path (write aside, then rename),
// unless the file already holds exactly those bytes.
func writeJSONAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// writeFileAtomic replaces path with b (private, mode 0600) by a rename, so
// a reader sees the old bytes or the new, never a part; equal bytes are not
// rewritten.
func writeFileAtomic(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// moveStaged moves every staged file into the output folder, in path
// order, making its folders as needed.
func (o *output) moveStaged() error {
	sort.Strings(o.staged)
	// Every place is checked before the first file moves: a folder where a
	// page goes, or a file where a folder goes, stops the build with the
	// output as the last build left it, never half of each. (The output
	// folder itself may be a symbolic link to where the host serves from.)
	dirOK := map[string]bool{o.out: true}
	var checkDir func(dir string) error
	checkDir = func(dir string) error {
		if dirOK[dir] || !strings.HasPrefix(dir, o.out+string(filepath.Separator)) {
			return nil
		}
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			return fmt.Errorf("%s is a file where the build puts a folder: move it out of %s (nothing was changed there)", dir, o.out)
		}
		if err := checkDir(filepath.Dir(dir)); err != nil {
			return err
		}
		dirOK[dir] = true
		return nil
	}
	for _, rel := range o.staged {
		dst := filepath.Join(o.out, filepath.FromSlash(rel))
		if fi, err := os.Lstat(dst); err == nil && fi.IsDir() {
			return fmt.Errorf("publishing %s: %s is a folder where the build puts a file: move it out of %s (nothing was changed there)", rel, dst, o.out)
		}
		if err := checkDir(filepath.Dir(dst)); err != nil {
			return fmt.Errorf("publishing %s: %w", rel, err)
		}
	}
	for _, rel := range o.staged {
		dst := filepath.Join(o.out, filepath.FromSlash(rel))
		if err := o.mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(o.stage, filepath.FromSlash(rel)), dst); err != nil {
			return fmt.Errorf("publishing %s: %w", rel, err)
		}
	}
	return nil
}
