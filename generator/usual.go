package generator

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/maproom/maproom/internal/blueprint"
	"github.com/maproom/maproom/internal/deal"
)

// Usual is what a plan's template (template:) says of it: the template's
// milestones the plan has no milestone or step for, by id or by title.
// Deals of that kind usually need them: one missing is the generic
// template's early signal (domain.md: "an industry's usual milestone
// missing"), the buyer's "oh, we also need X" to come.
type Usual struct {
	Template string           // the template's name
	Known    bool             // the site has such a template
	Broken   error            // the site's template of that name does not read (not Known)
	Missing  []deal.Milestone // ID and Title of each milestone missing
}

// UsualOf returns what the template of d says of it, for the site at root
// (its own templates/ and the built-ins); ok is false when d names no
// template.
func UsualOf(root string, d *deal.Deal) (u Usual, ok bool) {
	if d.Template == "" {
		return Usual{}, false
	}
	u.Template = d.Template
	set := templatesOf(root)
	if set == nil {
		return u, true
	}
	t, err := set.Lookup(d.Template)
	if err != nil {
		if !errors.Is(err, blueprint.ErrUnknown) {
			u.Broken = err
		}
		return u, true
	}
	u.Known = true
	has := func(id, title string) bool {
		key := deal.TitleKey(title)
		for _, m := range d.Milestones {
			if m.ID == id || deal.TitleKey(m.Title) == key {
				return true
			}
			for _, tk := range m.Tasks {
				if tk.ID == id || deal.TitleKey(tk.Title) == key {
					return true
				}
			}
		}
		return false
	}
	for _, m := range t.Milestones {
		if !has(m.ID, m.Title) {
			u.Missing = append(u.Missing, deal.Milestone{ID: m.ID, Title: m.Title})
		}
	}
	return u, true
}

// templateSets caches each site's templates by its root, read again when
// its templates folder changes (a build of 1,000 plans reads them once).
var templateSets sync.Map // root -> templateSet

type templateSet struct {
	mod time.Time
	set *blueprint.Set
}

// templatesOf returns the templates of the site at root; nil when even the
// built-ins cannot be read (a bug the blueprint tests catch).
func templatesOf(root string) *blueprint.Set {
	// The folder's time changes with a file added or removed; a file's
	// with its edit.
	var mod time.Time
	dir := filepath.Join(root, blueprint.Dir)
	if fi, err := os.Stat(dir); err == nil {
		mod = fi.ModTime()
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			// Stat follows a link to a shared template: its target's time.
			if info, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && info.ModTime().After(mod) {
				mod = info.ModTime()
			}
		}
	}
	if v, ok := templateSets.Load(root); ok && v.(templateSet).mod.Equal(mod) {
		return v.(templateSet).set
	}
	set, err := blueprint.Load(root)
	if set == nil && err != nil {
		return nil
	}
	templateSets.Store(root, templateSet{mod, set})
	return set
}
