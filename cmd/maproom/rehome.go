package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/notify"
	"github.com/maproom/maproom/internal/reply"
)

// rehomed returns rs with each reply sent from a deal folder renamed
// since (git mv; the history's Story.Former) under the deal's current id:
// the seller lists, decides and reports it there, and the buyer's new room
// shows it. Which deal a name was is told by the time the reply was sent
// (History.NamedAt): two folders that swapped names, or a name taken again
// by a new deal, each keep their own replies; a reply sent to a deal
// removed since, before a new deal took its name (Story.Reused, First), is
// left out. h is the history when the
// caller has read it, else it is read (through its cache), and only when
// there is a reply.
func (e *env) rehomed(ctx context.Context, root string, rs []reply.Reply, h *history.History) []reply.Reply {
	if len(rs) == 0 {
		return rs
	}
	if h == nil {
		h = readHistory(ctx, e, root, nil, false)
	}
	var out []reply.Reply
	changed := false
	dropped := map[string]int{}
	for _, r := range rs {
		if cur, ok := h.NamedAt(r.Deal, r.Time); ok && cur != r.Deal {
			r.Deal, changed = cur, true
		} else if st := h.Story(r.Deal); st != nil && !st.Reused.IsZero() && (!r.Time.After(st.Reused) || r.Time.Before(st.First)) {
			// Sent to the deal that had the name (its rooms answer until
			// the next build after its removal), before the new deal took
			// it (by the later of its removal and the new deal's first
			// commit, which a rebase may date earlier): no room shows it.
			changed = true
			dropped[r.Deal]++
			continue
		}
		out = append(out, r)
	}
	for _, id := range slices.Sorted(maps.Keys(dropped)) {
		fmt.Fprintf(e.stderr, "maproom: %s sent to the deal named %s before a new deal took the name (%s) left out: they were the removed deal's\n",
			count(dropped[id], "reply"), id, laterOf(h.Story(id).First, h.Story(id).Reused).UTC().Format("2006-01-02"))
	}
	if !changed {
		return rs
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

// laterOf returns the later of a and b.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
