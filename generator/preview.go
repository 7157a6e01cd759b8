package generator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

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
	opts     Options
	mu       sync.Mutex
	cfg      *Config
	r        *renderer
	siteFP   string
	bundles  map[string]*Bundle         // by deal id
	problems map[string]Problems        // by deal folder; "" holds site-wide ones
	state    *buildState                // what the output folder holds
	rooms    map[string][]manifest.Room // manifest rooms by deal id
}

// NewPreview builds the site once. A site with errors still gives a
// Preview (with nothing rendered yet), so serve can start, show the errors,
// and build when they are fixed.
func NewPreview(ctx context.Context, opts Options) (*Preview, *Result, error) {
	if err := opts.defaults(); err != nil {
		return nil, nil, err
	}
	p := &Preview{opts: opts}
	res, err := p.full(ctx)
	return p, res, err
}

// Manifest returns the current private room manifest.
func (p *Preview) Manifest() (*manifest.Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.roomManifest(), nil
}

// Site returns the deals currently served, in id order.
func (p *Preview) Site() *Site {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &Site{Root: p.opts.Root, Config: p.cfg}
	for _, id := range sortedKeys(p.bundles) {
		s.Bundles = append(s.Bundles, p.bundles[id])
	}
	return s
}

// full runs a whole build and takes its result as the new state.
func (p *Preview) full(ctx context.Context) (*Result, error) {
	res, err := Build(ctx, p.opts)
	if err != nil {
		return res, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = res.Site.Config
	beacon := p.cfg.BeaconURL
	if p.opts.Beacon != nil {
		beacon = *p.opts.Beacon
	}
	theme := Theme(p.opts.Root, p.cfg)
	if p.r, err = newRenderer(theme, p.cfg, p.opts.Secret, p.opts.Today, beacon, p.opts.Scripts); err != nil {
		return res, err
	}
	p.r.waiting = groupReplies(p.opts.Replies)
	p.siteFP = fingerprint(Version, fmt.Sprintf("%+v", *p.cfg), beacon, strings.Join(p.opts.Scripts, ","), hashBytes(p.opts.Secret), themeHash(theme))
	p.bundles = map[string]*Bundle{}
	p.rooms = map[string][]manifest.Room{}
	p.problems = map[string]Problems{"": nil}
	for _, b := range res.Site.Bundles {
		p.bundles[b.Deal.ID] = b
		p.rooms[b.Deal.ID] = RoomsOf(b.Deal, p.opts.Secret)
	}
	abs, _ := filepath.Abs(filepath.Clean(p.opts.Out))
	p.state = readState(filepath.Join(p.opts.StateDir, "build.json"), abs)
	return res, nil
}

// Update rebuilds what the batch touched and returns what it did.
// Result.Manifest is non-nil only when the rooms changed (the beacon must
// then reload it).
func (p *Preview) Update(ctx context.Context, batch Batch) (*Result, error) {
	content, _ := filepath.Abs(filepath.Join(p.opts.Root, ContentDir))
	dirs := map[string]bool{}
	all := batch.All || p.r == nil
	for _, path := range batch.Paths {
		abs, _ := filepath.Abs(path)
		rel, err := filepath.Rel(content, abs)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") || !strings.Contains(rel, string(filepath.Separator)) {
			all = true // settings, theme, or a file beside the deal folders
			break
		}
		dirs[filepath.Join(p.opts.Root, ContentDir, strings.SplitN(rel, string(filepath.Separator), 2)[0])] = true
	}
	if all {
		return p.full(ctx)
	}
	p.mu.Lock()
	defer p.mu.Unlock()

	// Reload the touched deals; a deal whose index.md is gone is removed.
	changed := map[string]*Bundle{}
	var removed []string
	for dir := range dirs {
		delete(p.problems, dir)
		id := filepath.Base(dir)
		if !fileExists(filepath.Join(dir, BundleIndex)) {
			if _, ok := p.bundles[id]; ok {
				removed = append(removed, id)
			}
			continue
		}
		b, ps := LoadBundle(dir, p.cfg, p.opts.Today)
		p.problems[dir] = ps
		changed[id] = b
	}
	var ps Problems
	for _, dps := range p.problems {
		ps = append(ps, dps...)
	}
	ps.Sort()
	if p.opts.Strict {
		ps = ps.Strict()
	}
	res := &Result{Problems: ps}
	if ps.Errors() > 0 {
		res.Site = &Site{Root: p.opts.Root, Config: p.cfg}
		return res, ErrContent
	}

	out, err := newOutputState(p.opts.Out, p.state)
	if err != nil {
		return res, err
	}
	var groups []string
	for _, id := range sortedKeys(changed) {
		b := changed[id]
		groups = append(groups, id)
		_, why, did, err := buildDeal(p.r, out, b, p.siteFP, p.opts.Today)
		if err != nil {
			out.abort()
			return res, err
		}
		if did {
			res.Stats.Rendered++
		} else {
			res.Stats.Skipped++
		}
		res.Reasons = append(res.Reasons, why)
	}
	groups = append(groups, removed...)
	st, err := out.commitGroups(groups)
	if err != nil {
		return res, err
	}
	st.Rendered, st.Skipped = res.Stats.Rendered, res.Stats.Skipped
	res.Stats = st
	roomsChanged := len(removed) > 0
	for id, b := range changed {
		p.bundles[id] = b
		p.state.Groups[id] = out.next.Groups[id]
		if rooms := RoomsOf(b.Deal, p.opts.Secret); !reflect.DeepEqual(rooms, p.rooms[id]) {
			p.rooms[id] = rooms
			roomsChanged = true
		}
	}
	for _, id := range removed {
		delete(p.bundles, id)
		delete(p.rooms, id)
		delete(p.state.Groups, id)
		res.Reasons = append(res.Reasons, id+": removed")
	}
	res.Site = &Site{Root: p.opts.Root, Config: p.cfg}
	for _, id := range sortedKeys(p.bundles) {
		res.Site.Bundles = append(res.Site.Bundles, p.bundles[id])
	}
	if roomsChanged {
		// Only now is the manifest rebuilt and written: an edit that adds or
		// removes no room and no page leaves it (8,000 rooms on a large site)
		// alone.
		res.Manifest = p.roomManifest()
		if err := manifest.Publish(p.opts.Manifest, res.Manifest, p.opts.Today.String()); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Close saves the build state, so the next full build keeps what it can.
func (p *Preview) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == nil {
		return nil
	}
	return writeJSONAtomic(filepath.Join(p.opts.StateDir, "build.json"), p.state)
}

func (p *Preview) roomManifest() *manifest.Manifest {
	m := &manifest.Manifest{Version: manifest.Version, Site: siteURL(&p.opts, p.cfg)}
	for _, id := range sortedKeys(p.rooms) {
		m.Rooms = append(m.Rooms, p.rooms[id]...)
	}
	return m
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
	p.mu.Lock()
	next := groupReplies(rs)
	var paths []string
	if p.r != nil {
		for id, b := range p.bundles {
			if !sameReplies(p.r.waiting[id], next[id]) {
				paths = append(paths, filepath.Join(b.Dir, BundleIndex))
			}
		}
		p.r.waiting = next
	}
	p.opts.Replies = rs
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
