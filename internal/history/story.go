package history

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/maproom/maproom/internal/deal"
)

// diffPlans lists what changed from old to cur. A first version is one
// PlanCreated change (not a change per task); a removed plan none. alts are
// the other parents' versions of a merge: a change that only takes a
// value one of them already had is theirs, not the merge's.
//
// The changes keep no string of the versions' text: each is one in is
// keeping (a new copy when in is nil), and the slice returned has no room
// to spare; both are what the history holds of 100,000 versions.
func diffPlans(old, cur *Plan, alts []*Plan, in *interner) []fieldChange {
	if cur == nil {
		return nil
	}
	closeS := in.date(cur.Close)
	if old == nil {
		return []fieldChange{{Kind: PlanCreated, Close: closeS}}
	}
	var out []fieldChange
	if in != nil {
		out = in.scratch[:0]
		defer func() { in.scratch = out[:0] }()
	}
	date := func(k Kind, item, ms, title string, from, to deal.Date) {
		if from == to {
			return
		}
		c := fieldChange{Kind: k, Item: item, Milestone: ms, Title: title, From: in.date(from), To: in.date(to), Close: closeS}
		if !from.IsZero() && !to.IsZero() {
			c.Days = from.DaysUntil(to)
		}
		out = append(out, c)
	}
	date(CloseMoved, "", "", "", old.Close, cur.Close)
	if old.Outcome != cur.Outcome {
		out = append(out, fieldChange{Kind: OutcomeSet, From: string(old.Outcome), To: string(cur.Outcome), Close: closeS})
	}
	oldMs, curMs := byID{items: old.Milestones}, byID{items: cur.Milestones}
	var goneMs []Item // milestones whose id is gone: renamed, when one added has the title
	for i, m := range old.Milestones {
		if _, ok := curMs.find(m.ID, i); !ok {
			goneMs = append(goneMs, m)
		}
	}
	for i, m := range cur.Milestones {
		if o, ok := oldMs.find(m.ID, i); ok {
			date(MilestoneDue, m.ID, "", m.Title, o.Due, m.Due)
			if retitled(o.Title, m.Title) {
				out = append(out, fieldChange{Kind: MilestoneRetitled, Item: m.ID, Title: m.Title, From: o.Title, To: m.Title, Close: closeS})
			}
		} else if o, ok := renamedFrom(&goneMs, m); ok {
			out = append(out, fieldChange{Kind: milestoneRenamed, Item: m.ID, From: o.ID, Close: closeS})
			date(MilestoneDue, m.ID, "", m.Title, o.Due, m.Due)
			if retitled(o.Title, m.Title) { // its case, as for a task
				out = append(out, fieldChange{Kind: MilestoneRetitled, Item: m.ID, Title: m.Title, From: o.Title, To: m.Title, Close: closeS})
			}
		} else {
			out = append(out, fieldChange{Kind: MilestoneAdded, Item: m.ID, Title: m.Title, To: in.date(m.Due), Close: closeS})
		}
	}
	oldTasks, curTasks := byID{items: old.Tasks}, byID{items: cur.Tasks}
	var goneTasks []Item
	for i, t := range old.Tasks {
		if _, ok := curTasks.find(t.ID, i); !ok {
			goneTasks = append(goneTasks, t)
		}
	}
	for i, t := range cur.Tasks {
		o, ok := oldTasks.find(t.ID, i)
		if !ok {
			if o, ok = renamedFrom(&goneTasks, t); ok {
				out = append(out, fieldChange{Kind: taskRenamed, Item: t.ID, From: o.ID, Close: closeS})
			}
		}
		if !ok {
			out = append(out, fieldChange{Kind: TaskAdded, Item: t.ID, Milestone: t.Milestone, Title: t.Title, To: in.date(t.Due), Close: closeS})
			continue
		}
		date(TaskDue, t.ID, t.Milestone, t.Title, o.Due, t.Due)
		if o.Status != t.Status {
			out = append(out, fieldChange{Kind: TaskStatus, Item: t.ID, Milestone: t.Milestone, Title: t.Title, From: string(o.Status), To: string(t.Status), Close: closeS})
		}
		if o.Owner != t.Owner {
			out = append(out, fieldChange{Kind: TaskOwner, Item: t.ID, Milestone: t.Milestone, Title: t.Title, From: o.Owner, To: t.Owner, Close: closeS})
		}
		if retitled(o.Title, t.Title) {
			out = append(out, fieldChange{Kind: TaskRetitled, Item: t.ID, Milestone: t.Milestone, Title: t.Title, From: o.Title, To: t.Title, Close: closeS})
		}
	}
	for _, t := range goneTasks {
		out = append(out, fieldChange{Kind: TaskRemoved, Item: t.ID, Milestone: t.Milestone, Title: t.Title, From: in.date(t.Due), Close: closeS})
	}
	oldDocs := byID{items: old.Docs}
	for i, d := range cur.Docs {
		if _, ok := oldDocs.find(d.ID, i); !ok {
			out = append(out, fieldChange{Kind: DocAdded, Item: d.ID, Title: d.Title, Close: closeS})
		}
	}
	// What comes from the version's text is kept by in, so a change does
	// not keep the version alive; dates are kept already.
	for i := range out {
		c := &out[i]
		c.Item, c.Milestone, c.Title = in.str(c.Item), in.str(c.Milestone), in.str(c.Title)
		switch c.Kind {
		case TaskStatus, TaskOwner, taskRenamed, milestoneRenamed, TaskRetitled, MilestoneRetitled:
			c.From, c.To = in.str(c.From), in.str(c.To)
		}
	}
	if len(alts) > 0 {
		out = slices.DeleteFunc(out, func(c fieldChange) bool {
			for _, a := range alts {
				if valueIn(a, c) {
					return true
				}
			}
			return false
		})
		for i := range out {
			out[i].Merge = true
		}
	}
	if len(out) == 0 {
		return nil
	}
	return slices.Clip(slices.Clone(out))
}

// interner keeps one copy of each string the changes of a deal's versions
// repeat: ids, titles, statuses, dates. Consecutive versions of a plan
// name the same items, so most changes allocate no string. A nil interner
// copies every string. It is one reader's: not safe for concurrent use.
type interner struct {
	strs    map[string]string
	dates   map[deal.Date]string
	scratch []fieldChange // diffPlans' changes before they are copied out
}

// str returns the kept copy of s.
func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if in == nil {
		return strings.Clone(s)
	}
	if k, ok := in.strs[s]; ok {
		return k
	}
	if in.strs == nil {
		in.strs = map[string]string{}
	}
	k := strings.Clone(s)
	in.strs[k] = k
	return k
}

// date returns d as YYYY-MM-DD, "" for the zero date, kept.
func (in *interner) date(d deal.Date) string {
	if in == nil || d.IsZero() {
		return d.String()
	}
	if k, ok := in.dates[d]; ok {
		return k
	}
	if in.dates == nil {
		in.dates = map[deal.Date]string{}
	}
	k := d.String()
	in.dates[d] = k
	return k
}

// retitled reports whether an item's title changed from a to b, but for
// spaces (a line wrapped anew is no new title).
func retitled(a, b string) bool {
	return a != b && strings.Join(strings.Fields(a), " ") != strings.Join(strings.Fields(b), " ")
}

// renamedFrom finds, among the items of the version before whose ids are
// gone, the one item renamed to: the one with its title (the same but for
// case and spacing: its words), and takes it out of gone. An id changed
// along with its title is an item removed and another added.
func renamedFrom(gone *[]Item, item Item) (Item, bool) {
	title := deal.TitleKey(item.Title)
	for i, g := range *gone {
		if title != "" && deal.TitleKey(g.Title) == title {
			*gone = slices.Delete(*gone, i, i+1)
			return g, true
		}
	}
	return Item{}, false
}

// valueIn reports whether plan p already had the value change c sets.
func valueIn(p *Plan, c fieldChange) bool {
	find := func(items []Item) (Item, bool) {
		for _, it := range items {
			if it.ID == c.Item {
				return it, true
			}
		}
		return Item{}, false
	}
	switch c.Kind {
	case CloseMoved:
		return p.Close.String() == c.To
	case OutcomeSet:
		return string(p.Outcome) == c.To
	case MilestoneDue, MilestoneAdded:
		m, ok := find(p.Milestones)
		return ok && m.Due.String() == c.To
	case TaskDue:
		t, ok := find(p.Tasks)
		return ok && t.Due.String() == c.To
	case TaskStatus:
		t, ok := find(p.Tasks)
		return ok && string(t.Status) == c.To
	case TaskOwner:
		t, ok := find(p.Tasks)
		return ok && t.Owner == c.To
	case TaskRetitled:
		t, ok := find(p.Tasks)
		return ok && t.Title == c.To
	case MilestoneRetitled:
		m, ok := find(p.Milestones)
		return ok && m.Title == c.To
	case TaskAdded:
		_, ok := find(p.Tasks)
		return ok
	case TaskRemoved:
		_, ok := find(p.Tasks)
		return !ok
	case DocAdded:
		_, ok := find(p.Docs)
		return ok
	}
	return false
}

// renamed is an id change the story's changes went through: after the
// first at of them, task (else milestone) id from is to.
type renamed struct {
	at       int
	task     bool
	from, to string
}

// underLatestIDs rewrites changes, in commit order, to name each task and
// milestone by the id it has after the last of renames: a milestone whose
// id changed keeps its slips. An id given to another item after a rename
// stays that item's: changes are walked from the latest back, and a rename
// applies only to the changes before it.
//
// It returns the ids before a rename (keyed "task:" or "milestone:" and the
// id) with the ids they have now; nil without a rename.
func underLatestIDs(changes []Change, renames []renamed) map[string]string {
	if len(renames) == 0 {
		return nil
	}
	tasks, milestones := map[string]string{}, map[string]string{}
	k := len(renames) - 1
	for j := len(changes) - 1; j >= -1; j-- {
		for ; k >= 0 && renames[k].at > j; k-- {
			r, ids := renames[k], milestones
			if r.task {
				ids = tasks
			}
			latest := r.to
			if l, ok := ids[r.to]; ok {
				latest = l
			}
			ids[r.from] = latest
		}
		if j < 0 {
			break
		}
		c := &changes[j]
		switch {
		case c.Kind == MilestoneDue || c.Kind == MilestoneAdded || c.Kind == MilestoneRetitled:
			if l, ok := milestones[c.Item]; ok {
				c.Item = l
			}
		case isTaskKind(c.Kind):
			if l, ok := tasks[c.Item]; ok {
				c.Item = l
			}
		}
		if l, ok := milestones[c.Milestone]; ok && c.Milestone != "" {
			c.Milestone = l
		}
	}
	// An old id given to another item later is that item's in the plan:
	// a caller looks up only an id the plan no longer has.
	out := map[string]string{}
	for old, now := range tasks {
		out["task:"+old] = now
	}
	for old, now := range milestones {
		out["milestone:"+old] = now
	}
	return out
}

// byID finds a version's items by ID. Consecutive versions of a plan
// mostly keep their items in place, so the item at the same position is
// tried first; the index by ID is built only when one is not there. When
// an ID repeats (a version that does not pass check), the one found is the
// item at the same position if it has the ID, else the last with it.
type byID struct {
	items []Item
	at    map[string]int // built on the first miss
}

func (x *byID) find(id string, hint int) (Item, bool) {
	if hint < len(x.items) && x.items[hint].ID == id {
		return x.items[hint], true
	}
	if x.at == nil {
		x.at = make(map[string]int, len(x.items))
		for i, it := range x.items {
			x.at[it.ID] = i
		}
	}
	i, ok := x.at[id]
	if !ok {
		return Item{}, false
	}
	return x.items[i], true
}

// tell turns the commits, parents first, into each current deal's story:
// first, in commit order, which story each changed file belongs to (a
// renamed folder's goes on under its new name, a removed one's ends);
// then the stories are told, each on its own, in parallel.
func tell(h *History, order []plumbing.Hash, recs map[plumbing.Hash]*commitRec, people map[string][]Person) {
	type commit struct {
		rec  *commitRec
		hex  string
		when time.Time
		main bool // on HEAD's first-parent line
		// landed is when the commit's changes became the plan, when later
		// than when: off the main line, when the merge that brought it in
		// was committed; on it, when it was committed (rebased,
		// cherry-picked or amended after it was written).
		landed time.Time
		// by is the merge that landed a commit off the main line (nil: on
		// it): what that merge resolved itself is no change of the branch.
		by *commitRec
	}
	zones := zoneCache{}
	mainline := map[plumbing.Hash]bool{}
	var line []plumbing.Hash // the main line, newest first
	for c := plumbing.NewHash(h.Head); ; {
		rec := recs[c]
		if rec == nil || mainline[c] {
			break
		}
		mainline[c] = true
		line = append(line, c)
		if len(rec.Parents) == 0 {
			break
		}
		c = rec.Parents[0]
	}
	// Each branch commit landed with the oldest merge on the main line
	// that reaches it.
	landed := map[plumbing.Hash]time.Time{}
	landedBy := map[plumbing.Hash]*commitRec{}
	for i := len(line) - 1; i >= 0; i-- {
		rec := recs[line[i]]
		if len(rec.Parents) < 2 {
			continue
		}
		merge := rec
		at := rec.inPlanTime(zones)
		stack := slices.Clone(rec.Parents[1:])
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if mainline[c] {
				continue
			}
			if _, ok := landed[c]; ok {
				continue
			}
			r := recs[c]
			if r == nil {
				continue
			}
			landed[c], landedBy[c] = at, merge
			stack = append(stack, r.Parents...)
		}
	}
	type tale struct {
		st      *Story
		commits []int // into commits, one for each of files
		files   []*fileRec
		changes int
	}
	// A branch's edit of a plan the merge that landed it did not take
	// (it kept the main line's version of that plan) never was the plan.
	kept := func(ch plumbing.Hash, f *fileRec) bool {
		m := landedBy[ch]
		if mainline[ch] || m == nil || f.From != "" || f.Old.IsZero() || f.New.IsZero() {
			return true
		}
		return slices.ContainsFunc(m.Files, func(mf fileRec) bool { return mf.Deal == f.Deal })
	}
	commits := make([]commit, 0, len(order))
	cur := map[string]*tale{}
	gone := map[string]*tale{} // deals whose folder was removed: one put back goes on

	for _, ch := range order {
		rec := recs[ch]
		if len(rec.Files) == 0 {
			continue
		}
		at := landed[ch]
		if mainline[ch] && rec.Committed > rec.When {
			at = rec.inPlanTime(zones)
		}
		commits = append(commits, commit{rec, ch.String(), rec.commitTime(zones), mainline[ch], at, landedBy[ch]})
		// The deals renamed by the commit leave their folders first: two
		// folders that swapped names each take the other's story.
		var moving map[string]*tale
		for i := range rec.Files {
			if f := &rec.Files[i]; f.From != "" && kept(ch, f) {
				if moving == nil {
					moving = map[string]*tale{}
				}
				moving[f.From] = cur[f.From]
				delete(cur, f.From)
			}
		}
		for i := range rec.Files {
			f := &rec.Files[i]
			if !kept(ch, f) {
				continue
			}
			var t *tale
			switch {
			case f.From != "":
				t = moving[f.From]
				if t != nil {
					// When the rename came into the plan: a rebased or
					// merged one later than it was written.
					left := rec.commitTime(zones)
					if at.After(left) {
						left = at
					}
					t.st.Former = append(t.st.Former, f.From)
					t.st.formerAt = append(t.st.formerAt, left)
				}
			case f.Old.IsZero():
			default:
				t = cur[f.Deal]
				if t == nil {
					t = gone[f.Deal] // removed, and put back (see restored)
				}
			}
			if f.New.IsZero() {
				if t := cur[f.Deal]; t != nil {
					gone[f.Deal] = t
					if mainline[ch] {
						t.st.gone = append(t.st.gone, span{From: rec.inPlanTime(zones)})
					}
				}
				delete(cur, f.Deal)
				continue
			}
			prev := gone[f.Deal]
			delete(gone, f.Deal)
			if t == nil {
				t = &tale{st: &Story{}}
				if prev != nil && len(prev.st.gone) > 0 {
					// Another deal had the name: removed, not put back.
					t.st.Reused = prev.st.gone[len(prev.st.gone)-1].From
				}
			}
			if n := len(t.st.gone); n > 0 && t.st.gone[n-1].To.IsZero() {
				// Put back: from when that came into the plan.
				back := rec.commitTime(zones)
				if at.After(back) {
					back = at
				}
				t.st.gone[n-1].To = back
			}
			cur[f.Deal] = t
			t.commits, t.files = append(t.commits, len(commits)-1), append(t.files, f)
			t.changes += len(f.Changes)
		}
	}
	ids := slices.Sorted(maps.Keys(cur))
	parallel(context.Background(), len(ids), func(i int) error {
		t := cur[ids[i]]
		st := t.st
		st.Deal = ids[i]
		st.Changes, st.Points = make([]Change, 0, t.changes), make([]Point, 0, len(t.files))
		var lastS, lastReview string
		var lastD deal.Date
		var renames []renamed
		for j, f := range t.files {
			c := &commits[t.commits[j]]
			rec, when := c.rec, c.when
			inPlan := when // a main-line version's, when it became the plan
			if c.landed.After(when) {
				inPlan = c.landed
			}
			if c.main && f.New != f.Old && inPlan.After(st.Written) {
				st.Written = inPlan
			}
			if c.main {
				st.head = f.New // parents first: the last is HEAD's
			}
			if f.Bad {
				st.Unreadable++
				continue
			}
			if !rec.Reverts.IsZero() {
				if st.reverts == nil {
					st.reverts = map[string]string{}
				}
				st.reverts[c.hex] = rec.Reverts.String()
			}
			a := Author{Name: rec.Name, Email: rec.Email, Stakeholder: f.Who, Side: deal.Side(f.Side), Preview: rec.Preview}
			// The plan as it is now names the author (or, for a commit a
			// buyer co-wrote, that buyer), though the version did not.
			same := func(p Person, e string) bool {
				return p.Email != "" && strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(e))
			}
			if a.Stakeholder == "" {
				for _, p := range people[f.Deal] {
					if same(p, rec.Email) {
						a.Stakeholder, a.Side = p.ID, p.Side
						break
					}
				}
			}
			if a.Side != deal.Buyer && len(rec.CoAuthors) > 0 {
				for _, p := range people[f.Deal] {
					if p.Side == deal.Buyer && slices.ContainsFunc(rec.CoAuthors, func(e string) bool { return same(p, e) }) {
						a.Stakeholder, a.Side = p.ID, p.Side
						break
					}
				}
			}
			// A branch's change of an item the merge that landed it
			// resolved itself (a conflict settled on a third value) never
			// was the plan: the merge's own change is.
			var resolved []fieldChange
			if c.by != nil && !c.main {
				for _, mf := range c.by.Files {
					if mf.Deal == f.Deal {
						resolved = mf.Changes
					}
				}
			}
			counted := 0
			for _, ch := range f.Changes {
				if slices.ContainsFunc(resolved, func(m fieldChange) bool { return m.Merge && m.Kind == ch.Kind && m.Item == ch.Item }) {
					continue
				}
				counted++
				if ch.Kind == taskRenamed || ch.Kind == milestoneRenamed {
					renames = append(renames, renamed{at: len(st.Changes), task: ch.Kind == taskRenamed, from: ch.From, to: ch.Item})
					continue
				}
				if ch.Close != lastS || lastS == "" {
					lastS, lastD = ch.Close, mustDate(ch.Close) // the close date seldom changes
				}
				st.Changes = append(st.Changes, Change{Commit: c.hex, When: when, Kind: ch.Kind, Item: ch.Item, Milestone: ch.Milestone,
					Title: ch.Title, From: ch.From, To: ch.To, Days: ch.Days, Close: lastD, Author: a, Reply: rec.Reply, Merge: ch.Merge, Landed: c.landed})
			}
			if c.main {
				if !f.New.IsZero() && f.Review != lastReview {
					st.reviews, lastReview = append(st.reviews, reviewAt{inPlan, f.Review}), f.Review
				}
				if f.Buyers && st.buyersSince.IsZero() {
					st.buyersSince = inPlan
				}
				pt := Point{When: inPlan, Done: f.Done, Total: f.Total}
				for _, a := range f.Ahead {
					if d, err := deal.ParseDate(a); err == nil {
						pt.ahead = append(pt.ahead, d)
					}
				}
				st.Points = append(st.Points, pt)
			}
			if len(f.Changes) == 0 || counted == 0 {
				continue // a rename, a merge that took its parents' values, or a branch's change the merge did not take
			}
			st.Commits++
			if st.First.IsZero() || when.Before(st.First) {
				st.First = when
			}
			if when.After(st.Last) {
				st.Last = when
			}
		}
		st.renamed = underLatestIDs(st.Changes, renames)
		// In the order the changes became the plan: parents come first, so
		// they are unless a commit was dated before its parent, or came
		// in later than it was written (a branch's, a rebased one's).
		byChange := func(a, b Change) int { return a.InPlan().Compare(b.InPlan()) }
		if !slices.IsSortedFunc(st.Changes, byChange) {
			slices.SortStableFunc(st.Changes, byChange)
		}
		byPoint := func(a, b Point) int { return a.When.Compare(b.When) }
		if !slices.IsSortedFunc(st.Points, byPoint) {
			slices.SortStableFunc(st.Points, byPoint)
		}
		return nil
	})
	for _, id := range ids {
		h.Deals[id] = cur[id].st
	}
}
