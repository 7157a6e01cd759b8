package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"github.com/maproom/maproom/generator"
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
