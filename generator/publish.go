package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
)

// buildState records what the last build wrote, so the next one can leave
// unchanged files alone: .maproom/build.json. A file is reused only when its
// size and modification time still match the record, so a stale or lost
// state file costs a rewrite, never a wrong page.
type buildState struct {
	Version int                    `json:"version"`
	Groups  map[string]*groupState `json:"groups"`
}

// groupState is one deal's output ("" holds the site-wide files).
type groupState struct {
	Content string               `json:"content"` // fingerprint of the deal's own files
	Site    string               `json:"site"`    // fingerprint of settings, theme, secret and maproom itself
	Today   string               `json:"today"`
	Files   map[string]fileState `json:"files"`
}

type fileState struct {
	Hash  string `json:"h"`
	Size  int64  `json:"s"`
	MTime int64  `json:"m"`
}

const stateVersion = 1

func readState(path string) *buildState {
	st := &buildState{Version: stateVersion, Groups: map[string]*groupState{}}
	b, err := os.ReadFile(path)
	if err != nil {
		return st
	}
	var prev buildState
	if json.Unmarshal(b, &prev) != nil || prev.Version != stateVersion || prev.Groups == nil {
		return st
	}
	return &prev
}

// Stats says what a build did to the output folder.
type Stats struct {
	Pages     int // HTML pages in the output
	Written   int // files new or changed
	Unchanged int // files kept as they were (same bytes, same inode)
	Removed   int // files of the previous output no longer produced
	Rendered  int // deals rendered
	Skipped   int // deals whose inputs had not changed: not rendered at all
}

// output stages a build beside the output folder and swaps it in whole:
// until commit, the previous output is untouched; abort leaves it as it
// was. Unchanged files are hard-linked from the previous output, so their
// bytes, inode and modification time stay the same and a static-host sync
// sees nothing to upload.
type output struct {
	out, stage string
	prev       *buildState
	mu         sync.Mutex
	next       *buildState
	dirs       sync.Map
	written    atomic.Int64
	unchanged  atomic.Int64
	pages      atomic.Int64
}

func newOutput(out string, prev *buildState) (*output, error) {
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".stage-")
	if err != nil {
		return nil, fmt.Errorf("staging the build: %w", err)
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		return nil, err
	}
	return &output{out: out, stage: stage, prev: prev, next: &buildState{Version: stateVersion, Groups: map[string]*groupState{}}}, nil
}

// group starts recording the files of one deal ("" for site-wide files).
func (o *output) group(id string, g *groupState) {
	g.Files = map[string]fileState{}
	o.mu.Lock()
	o.next.Groups[id] = g
	o.mu.Unlock()
}

// reuse links every file of an unchanged deal from the previous output. It
// returns false, having linked nothing it keeps, when any file is missing or
// differs from the record: the deal must then be rendered.
func (o *output) reuse(id string, g *groupState) bool {
	prev := o.prev.Groups[id]
	if prev == nil || prev.Content != g.Content || prev.Site != g.Site || prev.Today != g.Today || len(prev.Files) == 0 {
		return false
	}
	for rel, fs := range prev.Files {
		if !o.linkOld(rel, fs) {
			return false
		}
	}
	g.Files = prev.Files
	o.mu.Lock()
	o.next.Groups[id] = g
	o.mu.Unlock()
	for rel := range prev.Files {
		if filepath.Ext(rel) == ".html" {
			o.pages.Add(1)
		}
	}
	o.unchanged.Add(int64(len(prev.Files)))
	return true
}

// linkOld hard-links out/rel into the stage if it still matches fs.
func (o *output) linkOld(rel string, fs fileState) bool {
	src := filepath.Join(o.out, rel)
	fi, err := os.Lstat(src)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != fs.Size || fi.ModTime().UnixNano() != fs.MTime {
		return false
	}
	dst := filepath.Join(o.stage, rel)
	if err := o.mkdir(filepath.Dir(dst)); err != nil {
		return false
	}
	if err := os.Link(src, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return true
		}
		return copyFile(src, dst, fi.ModTime()) == nil
	}
	return true
}

// put stores a file of group id at rel (slash path under the output).
func (o *output) put(id, rel string, data []byte) error {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:16])
	rel = filepath.FromSlash(rel)
	if filepath.Ext(rel) == ".html" {
		o.pages.Add(1)
	}
	var fs fileState
	if old, ok := o.prevFile(id, rel); ok && old.Hash == h && o.linkOld(rel, old) {
		fs = old
		o.unchanged.Add(1)
	} else {
		dst := filepath.Join(o.stage, rel)
		if err := o.mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", rel, err)
		}
		fi, err := os.Stat(dst)
		if err != nil {
			return err
		}
		fs = fileState{Hash: h, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
		o.written.Add(1)
	}
	o.mu.Lock()
	o.next.Groups[id].Files[rel] = fs
	o.mu.Unlock()
	return nil
}

func (o *output) prevFile(id, rel string) (fileState, bool) {
	g := o.prev.Groups[id]
	if g == nil {
		return fileState{}, false
	}
	fs, ok := g.Files[rel]
	return fs, ok
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

// abort removes the stage; the previous output stays as it was.
func (o *output) abort() { os.RemoveAll(o.stage) }

// commit swaps the stage in for the output folder and saves the state.
func (o *output) commit(statePath string) (Stats, error) {
	st := Stats{Written: int(o.written.Load()), Unchanged: int(o.unchanged.Load()), Pages: int(o.pages.Load())}
	for id, g := range o.prev.Groups {
		ng := o.next.Groups[id]
		for rel := range g.Files {
			if ng == nil {
				st.Removed++
			} else if _, ok := ng.Files[rel]; !ok {
				st.Removed++
			}
		}
	}
	old := ""
	if _, err := os.Stat(o.out); err == nil {
		f, err := os.MkdirTemp(filepath.Dir(o.out), "."+filepath.Base(o.out)+".old-")
		if err != nil {
			o.abort()
			return st, err
		}
		os.Remove(f)
		if err := os.Rename(o.out, f); err != nil {
			o.abort()
			return st, fmt.Errorf("moving the previous output aside: %w", err)
		}
		old = f
	}
	if err := os.Rename(o.stage, o.out); err != nil {
		if old != "" {
			os.Rename(old, o.out)
		}
		o.abort()
		return st, fmt.Errorf("publishing the new output: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return st, writeJSONAtomic(statePath, o.next)
}

func writeJSONAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
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

func copyFile(src, dst string, mtime interface{ UnixNano() int64 }) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
