package generator

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"github.com/maproom/maproom/internal/manifest"
)

// Builder renders a site into its output folder and keeps what it needs to
// render again: a full build (Full), then rebuilds of the deals a batch of
// changes touched (Rebuild), which is how maproom serve follows edits. Both
// render with the same renderer and site fingerprint and write through the
// same output state, so a rebuild produces exactly the files a full build
// would; and both go live the same way (publish): the manifest first, the
// rooms after it.
//
// A Builder is safe for use by one goroutine at a time.
type Builder struct {
	opts    Options
	cfg     *Config
	r       *renderer
	siteFP  string
	bundles map[string]*Bundle         // by deal id
	rooms   map[string][]manifest.Room // manifest rooms by deal id
	state   *buildState                // what the output folder holds; nil before a full build
}

// NewBuilder checks opts and fills in its defaults; nothing is read or
// written yet.
func NewBuilder(opts Options) (*Builder, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	return &Builder{opts: opts}, nil
}

// prepare makes the renderer and the site fingerprint for cfg: the
// settings, beacon, scripts, secret and theme every page depends on.
func (b *Builder) prepare(cfg *Config) error {
	beacon := cfg.BeaconURL
	if b.opts.Beacon != nil {
		beacon = *b.opts.Beacon
	}
	theme := Theme(b.opts.Root, cfg)
	r, err := newRenderer(theme, cfg, b.opts.Secret, b.opts.Today, beacon, b.opts.Scripts)
	if err != nil {
		return err
	}
	r.waiting = groupReplies(b.opts.Replies)
	r.previewReplies = b.opts.PreviewReplies
	r.history = b.opts.History
	b.cfg, b.r = cfg, r
	b.siteFP = fingerprint(Version, fmt.Sprintf("%+v", *cfg), beacon, strings.Join(b.opts.Scripts, ","), hashBytes(b.opts.Secret), themeHash(theme))
	return nil
}

// Full loads and checks the whole site and renders every deal into the
// output folder, reusing the files of a deal none of whose inputs changed.
// A site with errors renders nothing and returns ErrContent with the
// problems in the Result.
func (b *Builder) Full(ctx context.Context) (*Result, error) {
	opts := b.opts
	site, ps := Load(LoadOptions{Root: opts.Root, Today: opts.Today, Secret: opts.Secret})
	res := &Result{Site: site, Problems: ps}
	if opts.Strict {
		res.Problems = ps.Strict()
	}
	if res.Problems.Errors() > 0 {
		return res, ErrContent
	}
	if err := b.prepare(site.Config); err != nil {
		return res, err
	}
	r, siteFP := b.r, b.siteFP
	out, err := newOutput(opts.Out, b.statePath())
	if err != nil {
		return res, err
	}
	defer out.abort()

	// Site-wide files.
	out.group("", &groupState{Site: siteFP, Today: opts.Today.String()})
	for _, rel := range sortedKeys(r.shared) {
		if err := out.put("", rel, r.shared[rel]); err != nil {
			return res, err
		}
	}

	// Deals, in parallel.
	type job struct {
		i int
		b *Bundle
	}
	jobs := make(chan job)
	rooms := make([][]manifest.Room, len(site.Bundles))
	reasons := make([]string, len(site.Bundles))
	errs := make([]error, len(site.Bundles))
	var wg sync.WaitGroup
	var mu sync.Mutex
	rendered, skipped := 0, 0
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					errs[j.i] = ctx.Err()
					continue
				}
				var err error
				var did bool
				rooms[j.i], reasons[j.i], did, err = buildDeal(r, out, j.b, siteFP, opts.Today)
				errs[j.i] = err
				mu.Lock()
				if did {
					rendered++
				} else {
					skipped++
				}
				mu.Unlock()
			}
		}()
	}
	for i, bu := range site.Bundles {
		jobs <- job{i, bu}
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	m := &manifest.Manifest{Version: manifest.Version, Site: siteURL(&opts, site.Config), Keyed: manifest.KeyMark(opts.Secret)}
	for _, rs := range rooms {
		m.Rooms = append(m.Rooms, rs...)
	}
	st, err := b.publish(m, out.commit)
	if err != nil {
		return res, err
	}
	b.bundles = map[string]*Bundle{}
	b.rooms = map[string][]manifest.Room{}
	for i, bu := range site.Bundles {
		b.bundles[bu.Deal.ID] = bu
		b.rooms[bu.Deal.ID] = rooms[i]
	}
	b.state = out.next
	st.Rendered, st.Skipped = rendered, skipped
	res.Stats, res.Manifest, res.Reasons = st, m, reasons
	return res, nil
}

// Rebuild renders the deals of changed (loaded and checked by the caller,
// by deal id) and takes down those of removed, leaving every other deal's
// files alone. It needs a full build first. Result.Manifest is non-nil
// only when the rooms changed (a beacon must then reload it); the manifest
// is rebuilt and written only then: an edit that adds or removes no room
// and no page leaves it (8,000 rooms on a large site) alone.
func (b *Builder) Rebuild(ctx context.Context, changed map[string]*Bundle, removed []string) (*Result, error) {
	res := &Result{}
	if b.state == nil || b.r == nil {
		return res, errors.New("rebuild: no full build yet")
	}
	out, err := newOutputState(b.opts.Out, b.state)
	if err != nil {
		return res, err
	}
	defer out.abort()
	var groups []string
	rooms := map[string][]manifest.Room{}
	for _, id := range sortedKeys(changed) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		groups = append(groups, id)
		rs, why, did, err := buildDeal(b.r, out, changed[id], b.siteFP, b.opts.Today)
		if err != nil {
			return res, err
		}
		rooms[id] = rs
		if did {
			res.Stats.Rendered++
		} else {
			res.Stats.Skipped++
		}
		res.Reasons = append(res.Reasons, why)
	}
	groups = append(groups, removed...)
	roomsChanged := len(removed) > 0
	for id, rs := range rooms {
		if !reflect.DeepEqual(rs, b.rooms[id]) {
			roomsChanged = true
		}
	}
	var m *manifest.Manifest
	if roomsChanged {
		m = b.manifestWith(rooms, removed)
	}
	st, err := b.publish(m, func() (Stats, error) { return out.commitGroups(groups) })
	if err != nil {
		return res, err
	}
	st.Rendered, st.Skipped = res.Stats.Rendered, res.Stats.Skipped
	res.Stats, res.Manifest = st, m
	for id, bu := range changed {
		b.bundles[id] = bu
		b.rooms[id] = rooms[id]
		b.state.Groups[id] = out.next.Groups[id]
	}
	for _, id := range removed {
		delete(b.bundles, id)
		delete(b.rooms, id)
		delete(b.state.Groups, id)
		res.Reasons = append(res.Reasons, id+": removed")
	}
	return res, nil
}

// publish makes the rendered output live. The manifest (when there is one
// to write) goes first: a room must never be live before the beacon can
// know its token, or its first view would be refused and lost. If the
// rooms then fail to go live, the previous manifest is put back, so the
// beacon keeps accepting the rooms still served.
func (b *Builder) publish(m *manifest.Manifest, commit func() (Stats, error)) (Stats, error) {
	if m == nil {
		return commit()
	}
	prev, prevErr := os.ReadFile(b.opts.Manifest)
	if err := manifest.Publish(b.opts.Manifest, m, b.opts.Today.String()); err != nil {
		return Stats{}, fmt.Errorf("writing the room manifest (no room changed): %w", err)
	}
	st, err := commit()
	if err != nil && prevErr == nil {
		err = errors.Join(err, writeFileAtomic(b.opts.Manifest, prev))
	}
	return st, err
}

// manifestWith is the manifest of the current rooms with those of changed
// deals replaced and those of removed deals left out.
func (b *Builder) manifestWith(changed map[string][]manifest.Room, removed []string) *manifest.Manifest {
	gone := map[string]bool{}
	for _, id := range removed {
		gone[id] = true
	}
	m := &manifest.Manifest{Version: manifest.Version, Site: siteURL(&b.opts, b.cfg), Keyed: manifest.KeyMark(b.opts.Secret)}
	ids := map[string]bool{}
	for id := range b.rooms {
		ids[id] = true
	}
	for id := range changed {
		ids[id] = true
	}
	for _, id := range sortedKeys(ids) {
		if gone[id] {
			continue
		}
		if rs, ok := changed[id]; ok {
			m.Rooms = append(m.Rooms, rs...)
		} else {
			m.Rooms = append(m.Rooms, b.rooms[id]...)
		}
	}
	return m
}

// site is the deals currently built, in id order.
func (b *Builder) site() *Site {
	s := &Site{Root: b.opts.Root, Config: b.cfg}
	for _, id := range sortedKeys(b.bundles) {
		s.Bundles = append(s.Bundles, b.bundles[id])
	}
	return s
}

// manifest is the manifest of the rooms currently built.
func (b *Builder) manifest() *manifest.Manifest { return b.manifestWith(nil, nil) }

// saveState writes what the output folder holds, so the next full build
// keeps what it can.
func (b *Builder) saveState() error {
	if b.state == nil {
		return nil
	}
	return writeJSONAtomic(b.statePath(), b.state)
}

// statePath is the file that records what the output folder holds: one
// per output folder, so that a build into another folder (-out) leaves
// the record of the usual one alone, and the next build there rewrites
// nothing unchanged. The site's public/ keeps build.json; another folder
// has build-<8 hex digits of its absolute path's hash>.json.
func (b *Builder) statePath() string {
	out, err := filepath.Abs(b.opts.Out)
	if err != nil {
		out = b.opts.Out
	}
	if def, err := filepath.Abs(filepath.Join(b.opts.Root, "public")); err == nil && def == out {
		return filepath.Join(b.opts.StateDir, "build.json")
	}
	sum := sha256.Sum256([]byte(out))
	return filepath.Join(b.opts.StateDir, fmt.Sprintf("build-%x.json", sum[:4]))
}
