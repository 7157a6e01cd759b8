package generator

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// A Batch is what changed in the site since the last batch: the paths, or
// All when the watcher may have missed events (queue overflow) and the
// whole site must be rebuilt.
type Batch struct {
	Paths []string
	All   bool
}

// WatchOptions configures Watch.
type WatchOptions struct {
	Roots    []string      // folders or files to watch (content/, the theme, maproom.toml)
	Debounce time.Duration // quiet time that ends a batch; default 40ms
	Poll     time.Duration // >0: poll at this interval instead of fsnotify (network and container file systems)
}

// Watch reports batches of changes under the roots until ctx is done. With
// fsnotify it watches directories, not files (editors that save by writing a
// new file and renaming it over the old one would otherwise lose the
// watch), adds new directories as they appear, ignores chmod-only events and
// editor temporary files, and batches events until Debounce passes with no
// new one. An event-queue overflow yields Batch{All: true}.
func Watch(ctx context.Context, opts WatchOptions) (<-chan Batch, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = 40 * time.Millisecond
	}
	raw := make(chan string, 256)
	overflow := make(chan struct{}, 1)
	if opts.Poll > 0 {
		go poll(ctx, opts.Roots, opts.Poll, raw)
	} else {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			return nil, err
		}
		for _, r := range opts.Roots {
			if err := addTree(w, r); err != nil {
				w.Close()
				return nil, err
			}
		}
		go func() {
			defer w.Close()
			// resync fires a moment after a folder was created or
			// renamed: a folder renamed within the site keeps its
			// inotify watch under the old name, and fsnotify drops it
			// when the move reaches it, so the folder's new name is
			// watched anew once that happened (see rewatch).
			var resync <-chan time.Time
			tries := 0
			for {
				select {
				case <-ctx.Done():
					return
				case <-resync:
					resync = nil
					added, again := rewatch(w, opts.Roots)
					if again && tries < rewatchTries {
						tries++
						resync = time.After(rewatchAfter)
					}
					for _, p := range added {
						select {
						case raw <- p:
						case <-ctx.Done():
							return
						}
					}
				case ev, ok := <-w.Events:
					if !ok {
						return
					}
					if ev.Op == fsnotify.Chmod || ignoredName(filepath.Base(ev.Name)) {
						continue
					}
					if ev.Has(fsnotify.Create) {
						if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
							addTree(w, ev.Name) // a new folder: watch it and what it holds
							resync, tries = time.After(rewatchAfter), 0
						}
					}
					if ev.Has(fsnotify.Rename) {
						resync, tries = time.After(rewatchAfter), 0
					}
					select {
					case raw <- ev.Name:
					case <-ctx.Done():
						return
					}
				case err, ok := <-w.Errors:
					if !ok {
						return
					}
					if errors.Is(err, fsnotify.ErrEventOverflow) {
						select {
						case overflow <- struct{}{}:
						default:
						}
					}
				}
			}
		}()
	}
	out := make(chan Batch)
	go debounce(ctx, raw, overflow, opts.Debounce, out)
	return out, nil
}

// debounce gathers paths from raw until quiet has passed with no new one,
// then sends them as one batch (sorted, without duplicates).
func debounce(ctx context.Context, raw <-chan string, overflow <-chan struct{}, quiet time.Duration, out chan<- Batch) {
	defer close(out)
	pending := map[string]bool{}
	all := false
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-raw:
			pending[p] = true
		case <-overflow:
			all = true
		case <-fire:
			b := Batch{All: all}
			for p := range pending {
				b.Paths = append(b.Paths, p)
			}
			sort.Strings(b.Paths)
			pending, all, fire = map[string]bool{}, false, nil
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			continue
		}
		if timer == nil {
			timer = time.NewTimer(quiet)
		} else {
			timer.Reset(quiet)
		}
		fire = timer.C
	}
}

// rewatchAfter is how long after a folder was created or renamed the
// watches are checked against the folders: the move's own event, which
// drops the watch kept under the old name, is queued with the rename's.
const rewatchAfter = 100 * time.Millisecond

// rewatchTries bounds how often rewatch is tried again for one change.
const rewatchTries = 20

// rewatch drops the watches of folders that are gone under their name,
// watches every folder under the roots that has none (a folder renamed:
// its watch was kept under the old name, and so were those of the folders
// in it), and returns the folders it watched, so that what they hold is
// looked at again: a file saved in one before its watch came back is not
// missed. again is true when a folder's watch is still kept under an old
// name (the move's own event not read yet): call it again a moment later.
func rewatch(w *fsnotify.Watcher, roots []string) (added []string, again bool) {
	watched := map[string]bool{}
	for _, p := range w.WatchList() {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			w.Remove(p) // renamed or removed: the inode's watch goes with it
			continue
		}
		watched[filepath.Clean(p)] = true
	}
	for _, r := range roots {
		fi, err := os.Stat(r)
		if err != nil || !fi.IsDir() {
			continue
		}
		filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if p != r && (strings.HasPrefix(d.Name(), ".") || d.Name() == "public") {
				return fs.SkipDir
			}
			if !watched[filepath.Clean(p)] && w.Add(p) == nil {
				added = append(added, p)
			}
			return nil
		})
	}
	if len(added) > 0 {
		now := map[string]bool{}
		for _, p := range w.WatchList() {
			now[filepath.Clean(p)] = true
		}
		for _, p := range added {
			again = again || !now[filepath.Clean(p)]
		}
	}
	return added, again
}

// addTree watches dir and every folder below it (a file root: its folder).
func addTree(w *fsnotify.Watcher, root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return w.Add(filepath.Dir(root))
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished while walking
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "public") {
				return fs.SkipDir
			}
			return w.Add(p)
		}
		return nil
	})
}

// ignoredName reports files whose changes never matter: editor temporary
// and backup files, dot files.
func ignoredName(name string) bool {
	return isEditorTemp(name) || strings.HasPrefix(name, ".")
}

type stamp struct {
	size  int64
	mtime time.Time
}

// poll scans the roots every interval and reports what appeared, vanished
// or changed size or modification time.
func poll(ctx context.Context, roots []string, every time.Duration, raw chan<- string) {
	prev := scan(roots)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := scan(roots)
		var changed []string
		for p, s := range cur {
			if old, ok := prev[p]; !ok || old != s {
				changed = append(changed, p)
			}
		}
		for p := range prev {
			if _, ok := cur[p]; !ok {
				changed = append(changed, p)
			}
		}
		prev = cur
		for _, p := range changed {
			select {
			case raw <- p:
			case <-ctx.Done():
				return
			}
		}
	}
}

func scan(roots []string) map[string]stamp {
	m := map[string]stamp{}
	for _, r := range roots {
		filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if p != r && (strings.HasPrefix(d.Name(), ".") || d.Name() == "public") {
					return fs.SkipDir
				}
				return nil
			}
			if ignoredName(d.Name()) {
				return nil
			}
			if fi, err := d.Info(); err == nil {
				m[p] = stamp{fi.Size(), fi.ModTime()}
			}
			return nil
		})
	}
	return m
}
