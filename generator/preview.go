package generator

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
)

// Preview keeps a site built for `maproom serve`. After one full build it
// rebuilds only what a batch of changes touched: a change inside a deal's
// folder reloads, checks and renders that deal alone; a change to the
// settings, the theme or anything else rebuilds everything. A batch with
// errors changes nothing: the last good rooms stay served, and the errors
// are returned (ErrContent) for the terminal and the browser.
//
// A Preview is safe for use by one goroutine at a time.
type Preview struct {
	mu       sync.Mutex
	b        *Builder
	problems map[string]Problems // by deal folder; "" holds site-wide ones
	// pending are the deal folders changed since the last rebuild that
	// went through: a rebuild stopped by another deal's error renders
	// none of them, and the next one, when the error is fixed, renders
	// them all (a link rotated meanwhile stopped working only then).
	pending map[string]bool
}

// NewPreview builds the site once. A site with errors still gives a
// Preview (with nothing rendered yet), so serve can start, show the errors,
// and build when they are fixed.
func NewPreview(ctx context.Context, opts Options) (*Preview, *Result, error) {
	b, err := NewBuilder(opts)
	if err != nil {
		return nil, nil, err
	}
	p := &Preview{b: b}
	res, err := p.full(ctx)
	return p, res, err
}

// Manifest returns the current private room manifest.
func (p *Preview) Manifest() (*manifest.Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.manifest(), nil
}

// Site returns the deals currently served, in id order.
func (p *Preview) Site() *Site {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.site()
}

// full runs a whole build.
func (p *Preview) full(ctx context.Context) (*Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	res, err := p.b.Full(ctx)
	if err == nil {
		p.problems = map[string]Problems{"": nil}
		p.pending = nil // every deal rendered
	}
	return res, err
}

// Update rebuilds what the batch touched and returns what it did.
// Result.Manifest is non-nil only when the rooms changed (the beacon must
// then reload it).
func (p *Preview) Update(ctx context.Context, batch Batch) (*Result, error) {
	opts := &p.b.opts
	content, _ := filepath.Abs(filepath.Join(opts.Root, ContentDir))
	dirs := map[string]bool{}
	p.mu.Lock()
	all := batch.All || p.b.r == nil
	p.mu.Unlock()
	for _, path := range batch.Paths {
		abs, _ := filepath.Abs(path)
		rel, err := filepath.Rel(content, abs)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") || !strings.Contains(rel, string(filepath.Separator)) {
			all = true // settings, theme, or a file beside the deal folders
			break
		}
		dirs[filepath.Join(opts.Root, ContentDir, strings.SplitN(rel, string(filepath.Separator), 2)[0])] = true
	}
	if all {
		return p.full(ctx)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for dir := range p.pending {
		dirs[dir] = true
	}

	// Reload the touched deals; a deal whose index.md is gone is removed.
	changed := map[string]*Bundle{}
	var removed []string
	for dir := range dirs {
		delete(p.problems, dir)
		id := filepath.Base(dir)
		if !fileExists(filepath.Join(dir, BundleIndex)) {
			if _, ok := p.b.bundles[id]; ok {
				removed = append(removed, id)
			}
			continue
		}
		b, ps := LoadBundle(dir, p.b.cfg, opts.Today)
		if b != nil && b.Deal != nil {
			// A rotate: set below the manifest's is an error here as in a
			// full build: the retired link would answer again.
			ps = append(ps, rotationsKept(&Site{Bundles: []*Bundle{b}}, filepath.Join(opts.Root, ".maproom", "rooms.json"), opts.Secret)...)
		}
		p.problems[dir] = ps
		changed[id] = b
	}
	var ps Problems
	for _, dps := range p.problems {
		ps = append(ps, dps...)
	}
	ps.Sort()
	if opts.Strict {
		ps = ps.Strict()
	}
	if ps.Errors() > 0 {
		p.pending = dirs // rendered once the error is fixed
		return &Result{Problems: ps, Site: &Site{Root: opts.Root, Config: p.b.cfg}}, ErrContent
	}
	res, err := p.b.Rebuild(ctx, changed, removed)
	p.pending = nil
	if err != nil {
		p.pending = dirs // tried again with the next change
	}
	res.Problems = ps
	res.Site = p.b.site()
	return res, err
}

// Close saves the build state, so the next full build keeps what it can.
func (p *Preview) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.saveState()
}

// newOutputState is newOutput with the previous state already in memory.
func newOutputState(out string, prev *buildState) (*output, error) {
	if prev == nil {
		return nil, errors.New("preview: no previous build")
	}
	o := &output{out: filepath.Clean(out), prev: prev,
		next:   &buildState{Version: stateVersion, Out: prev.Out, Groups: map[string]*groupState{}},
		writes: make(chan pending, 512), writerDone: make(chan error, writers)}
	for range writers {
		go o.writer(o.writes)
	}
	return o, nil
}

// SetReplies makes rs the waiting replies the rooms list (see
// Options.Replies) and renders again the deals whose replies changed, as
// Update does; it returns nil and no error when none did.
func (p *Preview) SetReplies(ctx context.Context, rs []reply.Reply) (*Result, error) {
	next := groupReplies(rs)
	return p.renderChanged(ctx, func(id string, _ *Bundle) bool {
		return !sameReplies(p.b.r.waiting[id], next[id])
	}, func() {
		if p.b.r != nil {
			p.b.r.waiting = next
		}
		p.b.opts.Replies = rs
	})
}

// SetHistory gives the rooms the plans' history h (a commit landed) and
// renders again the deals whose rooms show another story (their latest
// changes); nil, nil when none does.
func (p *Preview) SetHistory(ctx context.Context, h *history.History) (*Result, error) {
	return p.renderChanged(ctx, func(id string, b *Bundle) bool {
		return historyFingerprint(b, p.b.r.history.Story(id)) != historyFingerprint(b, h.Story(id))
	}, func() {
		if p.b.r != nil {
			p.b.r.history = h
		}
		p.b.opts.History = h
	})
}

// renderChanged lists, under the lock, the deals whose rooms changed says
// differ once set has given the builder its new input (changed is asked
// before set, and only once a first build made a renderer), then renders
// those deals again; nil, nil when none does.
func (p *Preview) renderChanged(ctx context.Context, changed func(id string, b *Bundle) bool, set func()) (*Result, error) {
	p.mu.Lock()
	var paths []string
	if p.b.r != nil {
		for id, b := range p.b.bundles {
			if changed(id, b) {
				paths = append(paths, filepath.Join(b.Dir, BundleIndex))
			}
		}
	}
	set()
	p.mu.Unlock()
	if len(paths) == 0 {
		return nil, nil
	}
	sort.Strings(paths)
	return p.Update(ctx, Batch{Paths: paths})
}

// sameReplies reports whether a and b hold the same replies in the same
// order (ids are unique; a reply never changes once sent).
func sameReplies(a, b []reply.Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}
