package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
)

func cmdCheck(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("check", "[flags]", "Checks every plan of the site and reports every error (with file:line and what to change)\nand every plan-quality warning in one run. Exits 1 when there are errors (or warnings with -strict).")
	s := e.siteFlags(fs)
	strict := fs.Bool("strict", e.getenv("MAPROOM_STRICT") == "1", "treat warnings as errors [MAPROOM_STRICT=1]")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	site, ps := e.loadSite(s.root, today)
	if *strict {
		ps = ps.Strict()
	}
	printProblems(e.stdout, ps)
	if m, err := manifest.Read(filepath.Join(s.root, manifest.DefaultPath)); err == nil {
		// Built before: the links are compared with whom they were sent
		// to only under the secret the rooms were built with.
		switch secret, err := e.builtSecret(s.root); {
		case err != nil:
			fmt.Fprintf(e.stderr, "note: %v; so an id given to someone else since the last build is not checked here (build checks it)\n", err)
		case !generator.SameSecret(m, secret) && (m.Keyed != "" || len(m.Rooms) > 0): // else not known, and nothing kept
			fmt.Fprintf(e.stderr, "note: the rooms were built with another site secret than this one, so an id given to someone else since the last build is not checked here (build, with the rooms' secret, checks it)\n")
		}
	}
	if ps.Errors() > 0 {
		return errFailed
	}
	tasks := 0
	for _, b := range site.Bundles {
		tasks += len(b.Deal.Tasks())
	}
	fmt.Fprintf(e.stdout, "ok: %s, %s checked\n", count(len(site.Bundles), "deal"), count(tasks, "task"))
	return nil
}

func cmdBuild(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("build", "[flags]", "Checks the plans, then renders one private room per stakeholder into the output folder.\nA build with errors leaves the previous output untouched; unchanged files are not rewritten.")
	s := e.siteFlags(fs)
	out := fs.String("out", e.getenv("MAPROOM_OUT"), "output folder (default <root>/public) [MAPROOM_OUT]")
	strict := fs.Bool("strict", e.getenv("MAPROOM_STRICT") == "1", "treat warnings as errors [MAPROOM_STRICT=1]")
	verbose := fs.Bool("v", false, "say for every deal whether it was rendered or kept, and why")
	sf := e.sourceFlags(fs)
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	opts, err := e.buildOptions(s)
	if err != nil {
		return err
	}
	opts.Out, opts.Strict = *out, *strict
	if opts.Replies, err = e.roomReplies(ctx, sf, s.root); err != nil {
		return err
	}
	opts.Replies = e.rehomed(ctx, s.root, opts.Replies, opts.History)
	// A build allocates many short-lived pages; collecting less often saves
	// about a fifth of its CPU and keeps the peak far under 400 MB on a
	// 1,000-deal site.
	debug.SetGCPercent(400)
	before := builtDeals(s.root)
	res, err := generator.Build(ctx, opts)
	if res != nil {
		printProblems(e.stderr, res.Problems)
	}
	if errors.Is(err, generator.ErrContent) {
		fmt.Fprintln(e.stderr, "build stopped: nothing was written, the previous output is unchanged")
		return errFailed
	}
	if err != nil {
		return err
	}
	reportBuild(e, res, opts.Out, *verbose)
	renamedNote(e, res.Site, opts.History, before)
	if res.Site.Config.BeaconURL == "" {
		fmt.Fprintf(e.stderr, "note: no beacon_url in %s, so view tracking and replies are off: the rooms record nothing and take no replies; set beacon_url to your maproom beacon's endpoint to turn them on\n", generator.ConfigPath(res.Site.Root))
	}
	return nil
}

// builtDeals lists the deals the last build published rooms for, by its
// manifest; none when there is none.
func builtDeals(root string) map[string]bool {
	out := map[string]bool{}
	if m, err := manifest.Read(filepath.Join(root, filepath.FromSlash(manifest.DefaultPath))); err == nil {
		for _, r := range m.Rooms {
			out[r.Deal] = true
		}
	}
	return out
}

// renamedNote says, for each deal whose folder was renamed since the last
// build (before: the deals it published), that its room links changed:
// a link derives from the deal's id, so the links sent before answer 404,
// and the people need the new ones.
func renamedNote(e *env, site *generator.Site, h *history.History, before map[string]bool) {
	if h == nil {
		return
	}
	deals := map[string]*generator.Bundle{}
	for _, b := range site.Bundles {
		deals[b.Deal.ID] = b
	}
	// A name another deal has now (two folders swapped, or a name taken
	// again): the links sent under it open the rooms of the deal named so
	// now, for the ids both deals have, up to the rotation the first one
	// gave them. Those people need a rotation above it.
	for _, b := range site.Bundles {
		st := h.Deals[b.Deal.ID]
		if st == nil {
			continue
		}
		for i, f := range st.Former {
			other := deals[f]
			at, known := st.FormerAt(i)
			if other == nil || other == b || !known {
				continue
			}
			linksTaken(e, site, other, f, at, "the deal now named "+b.Deal.ID+" (renamed in git)")
		}
		// A name another deal had until it was removed, given to this
		// one: a plan for another buyer, or of other people.
		if !st.Reused.IsZero() {
			var loc *time.Location
			if site.Config != nil {
				loc = site.Config.Location
			}
			linksTaken(e, site, b, b.Deal.ID, st.Reused, "another deal's until "+history.DayOf(st.Reused, loc).Time().Format("2 January 2006")+" (removed in git then)")
		}
	}
	for _, b := range site.Bundles {
		st := h.Deals[b.Deal.ID]
		if st == nil || before[b.Deal.ID] || b.Deal.Withdrawn {
			continue
		}
		for _, f := range st.Former {
			if before[f] {
				fmt.Fprintf(e.stderr, "note: %s was %s when its rooms were last built: every link of its rooms changed with the name, and those sent before answer 404; send the new ones: maproom invite %s\n", b.Deal.ID, f, b.Deal.ID)
				break
			}
		}
	}
}

// linksTaken warns of each stakeholder of b whose link the deal that had
// the folder name name until at (was, as the warning says it) sent to
// its own people: the same id at a rotation no higher than that deal's.
func linksTaken(e *env, site *generator.Site, b *generator.Bundle, name string, at time.Time, was string) {
	// The plan as it stood under that name just before: the rotations its
	// links had.
	text, ok, err := history.PlanAt(history.Options{Root: site.Root}, []string{name}, at.Add(-time.Second))
	if err != nil || !ok {
		return
	}
	then, err := generator.DecodePlan(name, text)
	if err != nil {
		return
	}
	for _, s := range b.Deal.Stakeholders {
		if prev, ok := then.Stakeholder(s.ID); ok && s.Rotate <= prev.Rotate {
			fmt.Fprintf(e.stderr, "warning: %s:%d: %q: the name %s was %s, and its links for %q up to rotation %d went to that deal's people: they open this deal's room now; set rotate: %d here so that they open nothing\n",
				filepath.Join(b.Dir, generator.BundleIndex), s.Line, s.ID, name, was, s.ID, prev.Rotate, prev.Rotate+1)
		}
	}
}

// roomReplies reads the replies the rooms list as waiting, from the source
// the flags choose (see sourceFlags); with no flag set, from the local
// event log if there is one, else none: a build never needs a beacon.
func (e *env) roomReplies(ctx context.Context, sf *sourceFlags, root string) ([]reply.Reply, error) {
	if sf.store == "" && sf.from == "" {
		dir := sf.logDir
		if dir == "" {
			dir = filepath.Join(root, ".maproom", "events")
		}
		if !fileExists(dir) {
			return nil, nil
		}
	}
	src, err := e.source(sf, root, nil)
	if err != nil {
		return nil, err
	}
	rs, err := src.Replies(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the replies the rooms list: %w", err)
	}
	return rs, nil
}

// buildOptions gathers what every building command needs.
func (e *env) buildOptions(s *siteFlags) (generator.Options, error) {
	today, err := e.todayFor(s)
	if err != nil {
		return generator.Options{}, err
	}
	secret, err := e.secret(s.root)
	if err != nil {
		return generator.Options{}, err
	}
	if err := sameSecret(s.root, secret); err != nil {
		return generator.Options{}, err
	}
	h := readHistory(context.Background(), e, s.root, nil, false)
	return generator.Options{Root: s.root, Secret: secret, Today: today, Log: e.log, History: h}, nil
}

// reportBuild says what the build wrote, kept and why.
func reportBuild(e *env, res *generator.Result, out string, verbose bool) {
	if out == "" {
		out = filepath.Join(res.Site.Root, "public")
	}
	st := res.Stats
	fmt.Fprintf(e.stdout, "built %s into %s: %d pages, %d rooms\n", count(len(res.Site.Bundles), "deal"), out, st.Pages, countRooms(res))
	fmt.Fprintf(e.stdout, "files: %d written, %d unchanged (not rewritten), %d removed\n", st.Written, st.Unchanged, st.Removed)
	if verbose {
		for _, r := range res.Reasons {
			fmt.Fprintln(e.stdout, "  "+r)
		}
		return
	}
	// Group deals by reason, naming a few of each.
	groups := map[string][]string{}
	for _, r := range res.Reasons {
		id, why, _ := strings.Cut(r, ": ")
		groups[why] = append(groups[why], id)
	}
	whys := make([]string, 0, len(groups))
	for w := range groups {
		whys = append(whys, w)
	}
	sort.Strings(whys)
	for _, w := range whys {
		ids := groups[w]
		more := ""
		if len(ids) > 4 {
			more = fmt.Sprintf(" and %d more", len(ids)-4)
			ids = ids[:4]
		}
		fmt.Fprintf(e.stdout, "deals %s: %s%s\n", w, strings.Join(ids, ", "), more)
	}
}

func countRooms(res *generator.Result) int {
	n := 0
	for _, r := range res.Manifest.Rooms {
		if !r.Retired {
			n++
		}
	}
	return n
}

func ignoreHelp(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
