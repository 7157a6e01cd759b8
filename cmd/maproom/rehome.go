package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/notify"
	"github.com/maproom/maproom/internal/reply"
)

// rehomed returns rs with each reply sent from a deal whose folder was
// renamed since (git mv; the history's Story.Former) under the deal's
// current id: the seller lists, decides and reports it there, and the
// buyer's new room shows it. The history is read (through its cache) only
// when a reply names a deal the site has no folder for; a reply of a deal
// removed from the site keeps its id.
func (e *env) rehomed(ctx context.Context, root string, rs []reply.Reply) []reply.Reply {
	has := map[string]bool{}
	exists := func(id string) bool {
		ok, seen := has[id]
		if !seen {
			_, err := os.Stat(filepath.Join(root, generator.ContentDir, id, generator.BundleIndex))
			ok = err == nil
			has[id] = ok
		}
		return ok
	}
	if !slices.ContainsFunc(rs, func(r reply.Reply) bool { return r.Deal != "" && !exists(r.Deal) }) {
		return rs
	}
	h := readHistory(ctx, e, root, nil, false)
	now := map[string]string{} // a former id, the deal's current one
	for id, st := range h.Deals {
		for _, f := range st.Former {
			if exists(id) && !exists(f) {
				now[f] = id
			}
		}
	}
	if len(now) == 0 {
		return rs
	}
	out := slices.Clone(rs)
	for i := range out {
		if id, ok := now[out[i].Deal]; ok {
			out[i].Deal = id
		}
	}
	return out
}

// rehomedStore holds, in the record of notices sent, those of a deal whose
// folder was renamed since as its current id's too (notify.Store.Renamed),
// so that neither notify nor invite sends them again. The history is read
// only when the record names a deal the site has no folder for.
func (e *env) rehomedStore(ctx context.Context, root string, site *generator.Site, st *notify.Store) {
	in := map[string]bool{}
	for _, b := range site.Bundles {
		in[b.Deal.ID] = true
	}
	gone := false
	for d := range st.Deals() {
		gone = gone || !in[d]
	}
	if !gone {
		return
	}
	old := st.Deals()
	h := readHistory(ctx, e, root, nil, false)
	for _, b := range site.Bundles {
		if s := h.Deals[b.Deal.ID]; s != nil {
			for _, f := range s.Former {
				if old[f] && !in[f] {
					st.Renamed(f, b.Deal.ID)
				}
			}
		}
	}
}
