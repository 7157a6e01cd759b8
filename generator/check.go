package generator

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/maproom/maproom/internal/deal"
	splitter "github.com/maproom/maproom/internal/frontmatter"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/spelling"
)

// checkDeal applies the rules of design.md's "Checking a plan" to a
// converted deal: errors that stop the build and the plan-quality warnings
// of domain.md. Every finding names the line it is about.
func checkDeal(b *Bundle, li *lineIndex, cfg *Config, today deal.Date, col collector) {
	d := b.Deal
	people := map[string]*deal.Stakeholder{}
	for i := range d.Stakeholders {
		s := &d.Stakeholders[i]
		if s.ID == "" {
			continue
		}
		if first, dup := people[s.ID]; dup {
			col.errorf(s.Line, "stakeholder id %q is used twice (first on line %d): ids must be unique within the deal", s.ID, first.Line)
			continue
		}
		people[s.ID] = s
	}
	if len(d.Stakeholders) == 0 {
		col.warnf(li.at("stakeholders"), "no stakeholders yet, so no rooms: list everyone in the decision under `stakeholders:` (each room is one person's)")
	}
	person := func(line int, id, what string) {
		role, isRole := strings.CutPrefix(id, "role:")
		switch {
		case id == "":
			col.errorf(line, "%s: name exactly one stakeholder id", what)
		case isRole && validRole(deal.Role(role)):
			var holders []string
			for _, p := range d.Stakeholders {
				if string(p.Role) == role {
					holders = append(holders, p.ID)
				}
			}
			if len(holders) > 0 {
				col.warnf(line, "%s is still the role %s: assign it to one stakeholder id (%s holds that role)", what, role, strings.Join(holders, ", "))
			} else {
				col.warnf(line, "%s is still the role %s: assign it to one stakeholder id", what, role)
			}
		case isRole:
			col.errorf(line, "%s %q: %q is not a role; buyer roles are %s%s", what, id, role, roleList(deal.BuyerRoles), closest(role, roleNames(append(slices.Clone(deal.BuyerRoles), deal.SellerRoles...))))
		case people[id] == nil && li.written[id]:
			// Written, but not read: the decoding error says why.
		case people[id] == nil:
			hint := closest(id, keys(people))
			if hint == "" {
				// No near id: say what may be written instead, by name
				// (a name is the usual slip: owner: Rita Alvarez).
				ids := make([]string, 0, len(d.Stakeholders))
				for _, p := range d.Stakeholders {
					if p.Name != "" && strings.EqualFold(p.Name, id) {
						hint = fmt.Sprintf(": that is %s's name; write their id, %q", p.Name, p.ID)
					}
					if !slices.Contains(ids, p.ID) { // a duplicate id is its own error
						ids = append(ids, p.ID)
					}
				}
				if hint == "" && len(ids) > 0 && len(ids) <= 15 {
					hint = fmt.Sprintf(": write one of the stakeholder ids (%s), or role:<role> for someone not yet named", strings.Join(ids, ", "))
				}
			}
			col.errorf(line, "%s %q is not a stakeholder of this deal%s", what, id, hint)
		}
	}

	// Collateral: ids, files, audiences.
	colls := map[string]*deal.Collateral{}
	listed := map[string]bool{}
	names := dealNames(d)
	for i := range d.Collateral {
		c := &d.Collateral[i]
		if first, dup := colls[c.ID]; dup && c.ID != "" {
			col.errorf(c.Line, "collateral id %q is used twice (first on line %d): ids must be unique within the deal; give this document another id", c.ID, first.Line)
		}
		colls[c.ID] = c
		p := fmt.Sprintf("collateral.%d", i)
		checkCollateralFile(b, c, li.at(p+".file"), col)
		listed[path.Clean(c.File)] = true
		if w := nameInID(c.ID, names); w != "" {
			col.errorf(li.at(p+".id"), "collateral id %q contains %q: collateral ids appear in room URLs, which must carry no company or person names, stakeholder ids nor the deal's value; choose a neutral id such as \"pricing\"", c.ID, w)
		} else if w := gluedNameInID(c.ID, names); w != "" {
			// Glued to another word, a name may be an ordinary word's start
			// or end ("white" in "whitepaper"): said, not an error.
			col.warnf(li.at(p+".id"), "collateral id %q may carry the name %q, glued to another word: collateral ids appear in room URLs, which must carry no company or person names; if it is one, choose a neutral id such as \"pricing\"", c.ID, w)
		}
		for j, a := range c.Audience {
			ap := li.at(fmt.Sprintf("%s.audience.%d", p, j))
			if r, ok := strings.CutPrefix(a, "role:"); ok {
				role := deal.Role(r)
				if !validRole(role) {
					col.errorf(ap, "audience %q: %q is not a role; buyer roles are %s", a, r, roleList(deal.BuyerRoles))
				} else if !slices.ContainsFunc(d.Stakeholders, func(s deal.Stakeholder) bool { return s.Role == role }) {
					col.warnf(ap, "audience %q: no stakeholder has role %s, so it adds nobody", a, r)
				}
				continue
			}
			if people[a] == nil {
				col.errorf(ap, "audience %q is neither a stakeholder id nor role:<role>%s", a, closest(a, keys(people)))
			}
		}
	}
	checkBuyerLogo(b, li, col)
	checkReviewNotes(b, col)
	checkUsual(b, li, col)
	checkReplyRecords(b, col)
	for _, f := range b.Files {
		if !listed[f] && f != path.Clean(d.BuyerLogo) {
			col.warnf(li.at("collateral"), "%s is in the bundle but no collateral entry lists it, so it is not published: add it under `collateral:` or move it out", f)
		}
	}

	titleWarn(col, li.at("title"), "the deal's title", d.Title)
	if g := strings.TrimSpace(d.Goal); g != "" && len(deal.Placeholders(g)) == 0 && !namesADay(g) {
		col.warnf(li.at("goal"), "the goal names no day: a goal is the buyer's reason with its date (\"Signed by 30 June so the July launch ships\", not \"adopt the tool\"); say by when")
	}

	// Milestones and tasks. The 3 to 5 decision points and the dozen tasks
	// are the sale's: onboarding milestones, after the close, come on top.
	sale := 0
	for _, m := range d.Milestones {
		if !m.Onboarding {
			sale++
		}
	}
	if n := sale; n < 3 || n > 5 {
		col.warnf(li.at("milestones"), "%d milestones: a plan reads best with 3 to 5 decision points (needs confirmed, evaluation passed, security approved, executive sign-off, signature)", n)
	}
	msIDs := map[string]bool{}
	msLine := map[string]int{}
	tasks := map[string]*deal.Task{}
	all := d.Tasks()
	for i := range d.Milestones {
		m := &d.Milestones[i]
		titleWarn(col, li.at(fmt.Sprintf("milestones.%d.title", i)), fmt.Sprintf("milestone %q's title", m.ID), m.Title)
		if msIDs[m.ID] && m.ID != "" {
			col.errorf(m.Line, "milestone id %q is used twice (first on line %d): ids must be unique within the deal", m.ID, msLine[m.ID])
		}
		if !msIDs[m.ID] {
			msLine[m.ID] = m.Line
		}
		msIDs[m.ID] = true
		p := fmt.Sprintf("milestones.%d", i)
		if w := cmp.Or(nameInID(m.ID, names), gluedNameInID(m.ID, names)); w != "" {
			col.warnf(li.at(p+".id"), "milestone id %q contains %q: ids end up in the room's links (#m-%s, shown in the address bar and copied with it), which should carry no company or person names nor the deal's value; choose a neutral id such as \"signed\"", m.ID, w, m.ID)
		}
		person(li.at(p+".lead"), m.Lead, fmt.Sprintf("milestone %q lead", m.ID))
		evidence(col, li.at(p+".evidence"), "milestone", m.ID, m.Evidence)
		// A plan part of which did not decode (a key set twice, a value
		// of the wrong type) may have lost the steps it writes: its error
		// says what to fix, and the steps are not missing.
		_, writesTasks := li.lines[p+".tasks"]
		if len(m.Tasks) == 0 && !(li.written != nil && writesTasks) {
			col.warnf(m.Line, "milestone %q has no task: it can never be done, and nothing in the plan leads to it; add the steps that reach it, each with one owner", m.ID)
		}
		if m.Due.IsZero() && !m.Reached() && d.Outcome != deal.Lost {
			// A decision point has its day: the rooms say "decision by"
			// it, and the report dates the milestone late from it.
			var last deal.Date
			for _, t := range m.Tasks {
				if t.Due.After(last) {
					last = t.Due
				}
			}
			hint := "write the day it is to be taken (due: YYYY-MM-DD)"
			if !last.IsZero() {
				hint = fmt.Sprintf("write the day it is to be taken, e.g. its last step's (due: %s)", last)
			}
			col.warnf(m.Line, "milestone %q has no date: a milestone is a decision with a day, which the rooms show and the report judges it late by; %s", m.ID, hint)
		}
		if !m.Due.IsZero() && !d.GoLive.IsZero() && m.Due.After(d.GoLive) && m.Onboarding && !m.Reached() {
			col.warnf(li.at(p+".due"), "onboarding milestone %q is due %s, after go-live %s: move it, or go-live", m.ID, m.Due, d.GoLive)
		}
		if !m.Due.IsZero() && !d.Close.IsZero() && m.Due.After(d.Close) && !m.Onboarding {
			col.warnf(li.at(p+".due"), "milestone %q is due %s, after the close date %s: move it or the close date, or, if it is onboarding after signature, mark it `onboarding: true`", m.ID, m.Due, d.Close)
		}
	}
	for _, t := range all {
		if first, dup := tasks[t.ID]; dup && t.ID != "" {
			col.errorf(t.Line, "task id %q is used twice (first on line %d): task ids must be unique within the deal; give this one another id", t.ID, first.Line)
			continue
		}
		tasks[t.ID] = t
		if line, ok := msLine[t.ID]; ok && t.ID != "" {
			// Replies and links name a step by its id: one id for two
			// steps makes them ambiguous (a reply would change the task).
			col.warnf(t.Line, "task id %q is milestone %q's id too (line %d): give the task another id, so that a reply or a link about either is not taken for the other", t.ID, t.ID, line)
		}
	}
	buyerOwned := false
	titled := map[string]*deal.Task{} // the first task of each title (deal.TitleKey)
	for i := range d.Milestones {
		for j := range d.Milestones[i].Tasks {
			t := &d.Milestones[i].Tasks[j]
			p := fmt.Sprintf("milestones.%d.tasks.%d", i, j)
			if w := cmp.Or(nameInID(t.ID, names), gluedNameInID(t.ID, names)); w != "" {
				col.warnf(li.at(p+".id"), "task id %q contains %q: ids end up in the room's links (#t-%s, shown in the address bar and copied with it), which should carry no company or person names nor the deal's value; choose a neutral id such as \"security-review\"", t.ID, w, t.ID)
			}
			person(li.at(p+".owner"), t.Owner, fmt.Sprintf("task %q owner", t.ID))
			// A room lists steps by title: two of the same title (a
			// suggestion accepted twice, say) read as one step shown twice.
			if k := deal.TitleKey(t.Title); k != "" {
				if first := titled[k]; first != nil {
					col.warnf(li.at(p+".title"), "tasks %q and %q have the same title: people cannot tell them apart in the rooms; rename one", first.ID, t.ID)
				} else {
					titled[k] = t
				}
			}
			titleWarn(col, li.at(p+".title"), fmt.Sprintf("task %q's title", t.ID), t.Title)
			if s := people[t.Owner]; s != nil && s.Side == deal.Buyer {
				buyerOwned = true
			} else if r, ok := strings.CutPrefix(t.Owner, "role:"); ok && validRole(deal.Role(r)) && deal.SideOfRole(deal.Role(r)) == deal.Buyer {
				buyerOwned = true // the role's own warning asks for a person
			}
			evidence(col, li.at(p+".evidence"), "task", t.ID, t.Evidence)
			if _, written := li.lines[p+".done"]; t.Status == deal.Done && t.Done.IsZero() && !written {
				// (A done date written but not a date has its own error.)
				col.errorf(li.at(p+".status"), "task %q is done but has no done date: add `done: YYYY-MM-DD`", t.ID)
			}
			if t.Status == deal.Done && t.Done.After(today) {
				col.warnf(li.at(p+".done"), "task %q is done on %s, after today (%s): is the date right? Until then the rooms, the report and notify count it open", t.ID, t.Done, today)
			}
			if t.Status != deal.Done && !t.Done.IsZero() {
				col.warnf(li.at(p+".done"), "task %q has a done date but status %s: set `status: done` or remove `done:`", t.ID, t.Status)
			}
			if !t.Due.IsZero() && !d.Close.IsZero() && t.Due.After(d.Close) && !d.Milestones[i].Onboarding {
				col.warnf(li.at(p+".due"), "task %q is due %s, after the close date %s", t.ID, t.Due, d.Close)
			} else if !t.Due.IsZero() && !d.GoLive.IsZero() && t.Due.After(d.GoLive) && d.Milestones[i].Onboarding && t.Status != deal.Done {
				col.warnf(li.at(p+".due"), "onboarding task %q is due %s, after go-live %s: the customer goes live without it; move it, or go-live", t.ID, t.Due, d.GoLive)
			} else if m := &d.Milestones[i]; !t.Due.IsZero() && !m.Due.IsZero() && t.Due.After(m.Due) {
				col.warnf(li.at(p+".due"), "task %q is due %s, after its milestone %q (due %s): move one of the two dates", t.ID, t.Due, m.ID, m.Due)
			}
			for k, a := range t.After {
				ap := li.at(fmt.Sprintf("%s.after.%d", p, k))
				dep := tasks[a]
				switch {
				case a == t.ID:
					col.errorf(ap, "task %q depends on itself", t.ID)
				case dep == nil && li.written[a]:
					// Written, but not read: the decoding error says why.
				case dep == nil && msIDs[a]:
					// A milestone is reached by its steps: the step waits on
					// them (or the last of them), but for itself and the
					// steps that wait on it.
					after := dependents(all, t.ID)
					var steps []string
					has := false
					if m, ok := d.Milestone(a); ok {
						has = len(m.Tasks) > 0
						for _, mt := range m.Tasks {
							if mt.ID != t.ID && !after[mt.ID] {
								steps = append(steps, mt.ID)
							}
						}
					}
					what := "it has no step yet: add its steps, then name those this one waits on"
					switch {
					case len(steps) > 0:
						what = "name the steps it waits on: " + strings.Join(steps, ", ")
					case has:
						what = "none of its steps can come before this one (this one, or steps that wait on it): remove the entry"
					}
					col.errorf(ap, "task %q depends on %q, which is a milestone, not a task: after: lists tasks; %s", t.ID, a, what)
				case dep == nil:
					col.errorf(ap, "task %q depends on %q, which is not a task of this deal%s", t.ID, a, closest(a, keys(tasks)))
				case !t.Due.IsZero() && !dep.Due.IsZero() && t.Due.Before(dep.Due) && dep.Status != deal.Done:
					col.warnf(li.at(p+".due"), "task %q is due %s, before %q (due %s) that it depends on", t.ID, t.Due, a, dep.Due)
				}
			}
			for k, c := range t.Collateral {
				switch owner := people[t.Owner]; {
				case colls[c] == nil:
					col.errorf(li.at(fmt.Sprintf("%s.collateral.%d", p, k)), "task %q relies on collateral %q, which is not listed under `collateral:`%s", t.ID, c, closest(c, keys(colls)))
				case owner != nil && !colls[c].CanSee(*owner):
					col.warnf(li.at(fmt.Sprintf("%s.collateral.%d", p, k)), "task %q relies on collateral %q, which its owner %s may not see: add %s to its audience, or take the document off the task", t.ID, c, owner.ID, owner.ID)
				}
			}
		}
	}
	saleTasks := 0
	for _, t := range all {
		if !d.Onboarding(t) {
			saleTasks++
		}
	}
	if saleTasks > 12 {
		col.warnf(li.at("milestones"), "%d tasks: a plan people keep current has about 10; split later work into a follow-up plan", saleTasks)
	}
	if len(all) > 0 && !buyerOwned {
		col.warnf(li.at("milestones"), "no task is owned by a buyer-side stakeholder: a plan the seller owns alone is a to-do list; give the buyer's steps to their owners")
	}
	if !slices.ContainsFunc(d.Stakeholders, func(s deal.Stakeholder) bool {
		return s.Side == deal.Buyer && s.Role.Decides()
	}) {
		col.warnf(li.at("stakeholders"), "no economic buyer or approver among the stakeholders: who signs? add them, even if the champion speaks for them")
	}
	if _, given := li.lines["review"]; d.Outcome == deal.Open && !given {
		// domain.md's seventh building block: the plan stays current
		// because both sides meet on it each week.
		col.warnf(li.offset, "no weekly review: a plan nobody reviews goes stale; agree a 15-minute review with the buyer and add `review: {day: tuesday, time: \"15:00\", length: 15m}`")
	}
	if !d.GoLive.IsZero() && !d.Close.IsZero() && d.GoLive.Before(d.Close) {
		col.warnf(li.at("golive"), "go-live %s is before the close date %s", d.GoLive, d.Close)
	}
	if d.Outcome == deal.Won {
		// Signed, with steps of the sale still open: the rooms say
		// "Signed" above them, and the report counts the plan's completion
		// as it ended. The mirror of an open deal whose sale is done.
		var open []string
		for _, t := range all {
			if t.Status != deal.Done && !d.Onboarding(t) {
				open = append(open, t.ID)
			}
		}
		if len(open) > 0 {
			col.warnf(li.at("outcome"), "outcome: won, and %s of the sale still open (%s): mark what was done done (with its date), and take off what the signature made moot, so the plan says how the deal was won", plural(len(open), "step", "steps"), strings.Join(open, ", "))
		}
	}
}

// checkCollateralFile reports a collateral file that is missing, outside the
// bundle (by its path or through a symbolic link), not a regular file, or
// not of a type maproom publishes (publishedExt).
func checkCollateralFile(b *Bundle, c *deal.Collateral, line int, col collector) {
	f := c.File
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(f), "."))
	switch {
	case f == "":
		col.errorf(line, "collateral %q has no file: add `file:` with a path inside the deal folder", c.ID)
		return
	case filepath.IsAbs(f) || !filepath.IsLocal(filepath.FromSlash(f)) || strings.Contains(f, `\`):
		col.errorf(line, "collateral %q file %q is outside the deal folder: copy it into %s and name it relative to it", c.ID, f, b.Dir)
		return
	case path.Clean(f) == BundleIndex:
		col.errorf(line, "collateral %q cannot publish the plan itself", c.ID)
		return
	case ext == "":
		col.errorf(line, "collateral %q file %q has no extension: give it the one of its type, such as .pdf, so that browsers open it as what it is", c.ID, f)
		return
	case !publishedExt[ext]:
		col.errorf(line, "collateral %q file %q: maproom does not publish .%s files (browsers may open some types as pages of the rooms' site and run their scripts, and the extension is part of the link): publish it as PDF, an image, an office document, or write it as a Markdown page", c.ID, f, ext)
		return
	}
	// Through an os.Root: a folder on the way that is a symbolic link out
	// of the deal folder (to another deal, say) is refused too.
	var fi os.FileInfo
	var text []byte // a Markdown page's bytes, to check they are UTF-8
	dir, err := os.OpenRoot(b.Dir)
	if err == nil {
		fi, err = dir.Lstat(filepath.FromSlash(f))
		if err == nil && fi.Mode().IsRegular() && c.IsPage() {
			text, err = dir.ReadFile(filepath.FromSlash(f))
		}
		dir.Close()
	}
	if line, ok := invalidUTF8Line(text); !ok {
		// The problem is the page's, on the line of its first bad byte.
		*col.ps = append(*col.ps, Problem{File: filepath.Join(b.Dir, filepath.FromSlash(f)), Line: line, Severity: Error,
			Msg: fmt.Sprintf("collateral %q is not UTF-8 text (the first bad byte is on this line): save it as UTF-8, or publish it as a PDF", c.ID)})
	} else {
		pageCol := collector{file: filepath.Join(b.Dir, filepath.FromSlash(f)), ps: col.ps}
		if len(text) > pageMax {
			pageCol.warnf(0, "collateral page %q is %s: each room that may see it gets a page of its own, every time it is built; keep a page under %s, and publish a long document as a PDF", c.ID, byteSize(len(text)), byteSize(pageMax))
		}
		if fm, ok := pageFrontmatter(text); ok {
			pageCol.warnf(1, "collateral page %q starts with a frontmatter block (lines 1 to %d), which a document page does not read: the rooms leave it out, and the page's title is its collateral entry's title; remove the block", c.ID, fm.BodyLine-1)
			// The rest as the rooms render it: a blank line for each of
			// the block's, so that lines keep their numbers.
			text = append(bytes.Repeat([]byte("\n"), fm.BodyLine-1), fm.Body...)
		}
		placeholderLines(text, pageCol, fmt.Sprintf("collateral page %q", c.ID))
		rawHTMLLines(text, pageCol, 0, fmt.Sprintf("collateral page %q", c.ID))
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		col.errorf(line, "collateral %q file %q does not exist in %s: add the file or fix the name%s", c.ID, f, b.Dir, closest(f, b.Files))
	case err != nil:
		col.errorf(line, "collateral %q file %q cannot be read inside the deal folder (%v): a folder on its path may be a symbolic link that leads out of %s; copy the file into the deal folder instead", c.ID, f, err, b.Dir)
	case fi.Mode()&os.ModeSymlink != 0:
		col.errorf(line, "collateral %q file %q is a symbolic link: copy the file into the deal folder instead", c.ID, f)
	case !fi.Mode().IsRegular():
		col.errorf(line, "collateral %q file %q is not a regular file", c.ID, f)
	}
}

// publishedExt lists the extensions of the files maproom publishes as
// collateral: documents, images, sound and video that browsers show,
// play or download but never run as pages of the site (as they would
// HTML, SVG or XML), and that carry no name into the file's link.
var publishedExt = map[string]bool{"md": true, "pdf": true, "txt": true, "csv": true, "tsv": true, "rtf": true,
	"doc": true, "docx": true, "xls": true, "xlsx": true, "ppt": true, "pptx": true,
	"odt": true, "ods": true, "odp": true, "key": true, "pages": true, "numbers": true,
	"png": true, "jpg": true, "jpeg": true, "gif": true, "webp": true, "avif": true, "heic": true,
	"mp3": true, "m4a": true, "wav": true, "mp4": true, "m4v": true, "mov": true, "webm": true,
	"zip": true, "ics": true, "vcf": true}

// evidence warns about a missing or vague completion condition: completion
// is proven by a named artifact, never an opinion (deal.VagueEvidence).
func evidence(col collector, line int, what, id, ev string) {
	switch deal.VagueEvidence(ev) {
	case "":
	case "missing":
		col.warnf(line, "%s %q has no evidence: name the artifact that proves it done, e.g. \"sign-off email from the security lead\"", what, id)
	default:
		col.warnf(line, "%s %q evidence %q is vague: name the artifact that proves it, e.g. \"counter-signed agreement\" or \"evaluation report stating proceed\"", what, id, ev)
	}
}

// idNames is what a collateral id must not contain: see dealNames.
type idNames struct {
	words  []string   // name words: never a whole word of an id
	values []string   // the deal's value, as written in an id: never a word of one
	ids    [][]string // stakeholder ids, as words: never a run of an id's words
	joined []string   // names of several words written as one: never a word of an id, nor (from 6 letters) inside one
	// company are the buyer's and the seller's name words: glued to
	// another word of an id ("zetapricing", "pricingzeta") from 4 letters.
	company []string
}

// dealNames gathers, folded by nameWords, the buyer's and the seller's
// name words (3 letters or more), the deal's value (380000, 380k), each
// stakeholder's name words (2 or more: "Li") and
// id (3 or more), and the buyer's and stakeholders' names of several
// words written as one, whole and without the words of company forms
// such as "corp", "the" or "of" ("acmecorp", "thehomedepot", "homedepot",
// "jordanpark"); those words are never name words on their own.
func dealNames(d *deal.Deal) idNames {
	var n idNames
	add := func(name string, min int) {
		all := nameWords(name)
		var kept []string
		for _, w := range all {
			if commonWord[w] {
				continue
			}
			kept = append(kept, w)
			if len(w) >= min {
				n.words = append(n.words, w)
			}
		}
		for _, ws := range [][]string{all, kept} {
			if len(ws) > 1 {
				n.joined = append(n.joined, strings.Join(ws, ""))
			}
		}
	}
	add(d.Buyer, 3)
	add(d.Seller, 3)
	for _, c := range []string{d.Buyer, d.Seller} {
		for _, w := range nameWords(c) {
			if !commonWord[w] && len(w) >= 4 {
				n.company = append(n.company, w)
			}
		}
	}
	if v := d.Value; v > 0 {
		n.values = append(n.values, strconv.FormatInt(v, 10))
		if v%1000 == 0 {
			n.values = append(n.values, strconv.FormatInt(v/1000, 10)+"k")
		}
	}
	for _, s := range d.Stakeholders {
		add(s.Name, 2)
		if id := nameWords(s.ID); len(strings.Join(id, "")) >= 3 {
			n.ids = append(n.ids, id)
		}
	}
	return n
}

// nameWords folds s to lowercase ASCII-like words: accents dropped
// ("Núñez" is "nunez"), split at spaces, hyphens, underscores, dots and
// slashes, with the other signs inside a word left out ("AT&T" is "att",
// "O'Brien" is "obrien").
func nameWords(s string) []string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), strings.ToLower(s))
	if err != nil {
		folded = strings.ToLower(s)
	}
	var words []string
	for _, w := range strings.FieldsFunc(folded, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("-_./", r) }) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	return words
}

// nameInID returns the name (of dealNames) that the collateral id
// contains, if any: a name word as a whole word of the id, a stakeholder
// id as a run of its words, or a name written as one word as a whole word
// or, from 6 letters, anywhere in it, separators left out. Single name
// words are not looked for inside longer words here, where they would
// turn up in ordinary ones ("ann" in "annual"): gluedNameInID does.
func nameInID(id string, names idNames) string {
	parts := nameWords(id)
	for _, p := range parts {
		if slices.Contains(names.words, p) || slices.Contains(names.joined, p) || slices.Contains(names.values, p) {
			return p
		}
	}
	for _, sid := range names.ids {
		for i := 0; i+len(sid) <= len(parts); i++ {
			if slices.Equal(parts[i:i+len(sid)], sid) {
				return strings.Join(sid, "-")
			}
		}
	}
	flat := strings.Join(parts, "")
	for _, n := range names.joined {
		if len(n) >= 6 && strings.Contains(flat, n) {
			return n
		}
	}
	return ""
}

// gluedNameInID returns a name of dealNames glued to another word of the
// id: a company's word (4 letters or more) at the start or the end of a
// word of the id, a person's (5 or more) at its start, or one of 6 or more
// anywhere in it. Shorter ones, or a person's at the end, would turn up in
// ordinary words ("ann" in "annual", "park" in "parking", "chase" in
// "purchase"); even these may ("white" in "whitepaper"), so check warns.
func gluedNameInID(id string, names idNames) string {
	for _, p := range nameWords(id) {
		for _, w := range names.company {
			if strings.HasPrefix(p, w) || strings.HasSuffix(p, w) {
				return w
			}
		}
		for _, w := range names.words {
			if len(w) >= 6 && strings.Contains(p, w) || len(w) >= 5 && strings.HasPrefix(p, w) {
				return w
			}
		}
	}
	return ""
}

// commonWord lists words that company names share with ordinary ids.
var commonWord = map[string]bool{"corp": true, "corporation": true, "company": true, "companies": true, "inc": true,
	"incorporated": true, "ltd": true, "limited": true, "llc": true, "gmbh": true, "group": true,
	"the": true, "and": true, "bank": true, "insurance": true, "systems": true, "data": true, "health": true,
	"analytics": true, "software": true, "solutions": true, "services": true, "technologies": true, "labs": true, "cloud": true,
	"of": true, "de": true, "du": true, "la": true, "le": true, "co": true, "ag": true, "sa": true, "nv": true, "bv": true,
	"plc": true, "oy": true, "ab": true, "as": true, "spa": true, "srl": true}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// closest returns "; did you mean "x"?" when a known name is close to s.
func closest(s string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := spelling.Distance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && (bestD <= 2 || bestD*3 <= len(s)) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// roleNames are rs as strings, for closest.
func roleNames(rs []deal.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func validRole(r deal.Role) bool {
	return r == deal.RoleOther || slices.Contains(deal.BuyerRoles, r) || slices.Contains(deal.SellerRoles, r)
}

// checkPlaceholders reports, as errors, every template placeholder
// (deal.Placeholders, "[[...]]") left in a frontmatter value of root or in
// the welcome note body, with its line: no placeholder is ever published.
// bodyLine is the file line the body starts on. Comments are not read (they
// are never published).
func checkPlaceholders(root *yaml.Node, li *lineIndex, body []byte, bodyLine int, col collector) {
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, key)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value)
			}
		case yaml.ScalarNode:
			if ps := deal.Placeholders(n.Value); len(ps) > 0 {
				col.errorf(n.Line+li.offset, "%s still holds the template's placeholder %s: write what it asks for, so the rooms say it (nothing in [[...]] is ever published)", key, strings.Join(ps, ", "))
			}
		}
	}
	walk(root, "the plan")
	for _, l := range placeholdersByLine(body) {
		col.errorf(bodyLine+l.line-1, "the welcome note still holds the template's placeholder %s: write what it asks for, or remove the sentence (nothing in [[...]] is ever published)", strings.Join(l.ps, ", "))
	}
}

// placeholderLines reports, as errors of col's file, each line of text
// (a Markdown page, a review note: what rooms publish) that holds a
// template placeholder, or starts one that goes on over the next lines.
func placeholderLines(text []byte, col collector, what string) {
	for _, l := range placeholdersByLine(text) {
		col.errorf(l.line, "%s still holds the placeholder %s: write what it asks for, or remove it (nothing in [[...]] is ever published)", what, strings.Join(l.ps, ", "))
	}
}

// placeholderLine is the placeholders starting on one line of a text.
type placeholderLine struct {
	line int // from 1
	ps   []string
}

// placeholdersByLine returns the placeholders of text (deal.Placeholders)
// by the line each starts on, a placeholder that goes on over several
// lines quoted on one.
func placeholdersByLine(text []byte) []placeholderLine {
	s := string(text)
	var out []placeholderLine
	line, at := 1, 0
	for _, sp := range deal.PlaceholderSpans(s) {
		line += strings.Count(s[at:sp[0]], "\n")
		at = sp[0]
		p := strings.Join(strings.Fields(s[sp[0]:sp[1]]), " ")
		if n := len(out); n > 0 && out[n-1].line == line {
			out[n-1].ps = append(out[n-1].ps, p)
		} else {
			out = append(out, placeholderLine{line: line, ps: []string{p}})
		}
	}
	return out
}

// htmlScan is the Markdown parser rawHTMLLines reads with, built once (a
// parser is safe for concurrent use: each Parse has its own context).
var htmlScan = goldmark.DefaultParser()

// rawHTMLLines warns, once per line of text (Markdown; its first line is
// line offset+1 of col's file), of raw HTML the rooms will not render:
// the tag is left out of the page, and the seller should know that what
// they wrote there does not show. An HTML comment is a note to oneself,
// never published: it is not warned of.
func rawHTMLLines(text []byte, col collector, offset int, what string) {
	rawHTMLWarn(text, col, offset, what, false)
}

// rawHTMLWarn is rawHTMLLines; asText tells a text the rooms show as
// words (a review note: a tag's text shows, the tag does not), not as
// rendered Markdown that leaves raw HTML out.
func rawHTMLWarn(text []byte, col collector, offset int, what string, asText bool) {
	if !bytes.ContainsRune(text, '<') {
		return
	}
	lineOf := func(pos int) int { return offset + 1 + bytes.Count(text[:pos], []byte("\n")) }
	warned := map[int]bool{}
	warn := func(pos int, raw []byte, lines int, toBlank, closed bool) {
		l := lineOf(pos)
		tag := strings.TrimSpace(string(raw))
		if warned[l] || strings.HasPrefix(tag, "<!--") {
			return
		}
		warned[l] = true
		if r := []rune(tag); len(r) > 40 {
			tag = string(r[:40]) + "…"
		}
		switch {
		case asText:
			col.warnf(l, "%s has raw HTML (%s), which the rooms never render: they show its text alone, without the tags; write it in Markdown (**bold**, [a link](https://...)) instead", what, tag)
		case lines > 1 && toBlank:
			// An HTML block runs to the next blank line: what follows
			// the tag up to there goes with it, Markdown and all.
			col.warnf(l, "%s has raw HTML (%s) that runs on to line %d, the next blank line: the rooms never render raw HTML, so all %d lines are left out of the page, the Markdown among them too; write it in Markdown (**bold**, [a link](https://...)), or put a blank line after the tag to keep what follows", what, tag, l+lines-1, lines)
		case lines > 1:
			// A <pre>, <script>, <style> or <textarea> block runs to its
			// closing tag, blank lines and all; never closed, to the end.
			end := "its closing tag"
			if !closed {
				end = "the end of the page, as it is never closed"
			}
			col.warnf(l, "%s has raw HTML (%s) that runs on to line %d, %s: the rooms never render raw HTML, so all %d lines are left out of the page, the Markdown among them too; write it in Markdown (a code block between ``` lines for preformatted text)", what, tag, l+lines-1, end, lines)
		default:
			col.warnf(l, "%s has raw HTML (%s), which the rooms never render: it is left out of the page; write it in Markdown (**bold**, [a link](https://...)) instead", what, tag)
		}
	}
	doc := htmlScan.Parse(gmtext.NewReader(text))
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			if n.Segments.Len() > 0 {
				var b []byte
				for i := 0; i < n.Segments.Len(); i++ {
					seg := n.Segments.At(i)
					b = append(b, seg.Value(text)...)
				}
				warn(n.Segments.At(0).Start, b, 1, true, true)
			}
		case *ast.HTMLBlock:
			if n.HTMLBlockType != ast.HTMLBlockType2 && n.Lines().Len() > 0 {
				first, last := n.Lines().At(0), n.Lines().At(n.Lines().Len()-1)
				if n.HasClosure() {
					last = n.ClosureLine // its closing tag's line, apart from Lines
				}
				toBlank := n.HTMLBlockType == ast.HTMLBlockType6 || n.HTMLBlockType == ast.HTMLBlockType7
				warn(first.Start, first.Value(text), lineOf(last.Start)-lineOf(first.Start)+1, toBlank, n.HasClosure())
			}
		}
		return ast.WalkContinue, nil
	})
}

// checkReviewNotes checks the bundle's review notes (reviews/): each is
// published in the rooms' meeting log, so a placeholder in one is an
// error; a file not named as a note (YYYY-MM-DD.md, a real day) is never
// read, so the week it meant counts as missed: a warning.
// checkUsual warns of each milestone of the plan's template (template:)
// that the plan has no milestone or step for: deals of that kind usually
// need it. A template the site does not have is a warning too.
func checkUsual(b *Bundle, li *lineIndex, col collector) {
	if b.Deal.Outcome != deal.Open && b.Deal.Outcome != "" {
		return // a won or lost deal's plan is over: the report says nothing of it either
	}
	root := filepath.Dir(filepath.Dir(b.Dir))
	u, ok := UsualOf(root, b.Deal)
	if !ok {
		return
	}
	line := li.at("template")
	switch {
	case u.Broken != nil:
		col.warnf(line, "template %q of this site does not read, so its usual milestones are not checked: %v", u.Template, u.Broken)
		return
	case !u.Known:
		col.warnf(line, "template %q is not a template of this site (maproom new -list names them): correct the name, or remove `template:`", u.Template)
		return
	}
	for _, m := range u.Missing {
		col.warnf(line, "the plan has no milestone or step like %q (%s), which the %s template it was started from has: deals of this kind usually need it; add it, or, if this deal does not, remove `template:` to stop this warning", m.Title, m.ID, u.Template)
	}
}

func checkReviewNotes(b *Bundle, col collector) {
	dir := filepath.Join(b.Dir, reviewsDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			col.errorf(0, "the review notes in %s cannot be read: %v", dir, err)
		}
		return
	}
	for _, e := range ents {
		name := e.Name()
		p := filepath.Join(dir, name)
		day, isNote := strings.CutSuffix(name, ".md")
		if _, err := deal.ParseDate(day); !isNote || err != nil || len(day) != len("2006-01-02") {
			collector{file: p, ps: col.ps}.warnf(0, "not a review note, so it is neither published nor counted: name each note by the day of its review, YYYY-MM-DD.md (a real day), or move it out of %s/", reviewsDir)
			continue
		}
		if !e.Type().IsRegular() {
			// Named as a note, but a link or a folder: nothing outside the
			// bundle is ever published through one.
			collector{file: p, ps: col.ps}.warnf(0, "not a plain file (a symbolic link, a folder or a device), so the review note is neither published nor counted: put the note itself here, as a file")
			continue
		}
		text, err := os.ReadFile(p)
		if err != nil {
			collector{file: p, ps: col.ps}.errorf(0, "cannot read the review note: %v", err)
			continue
		}
		if line, ok := invalidUTF8Line(text); !ok {
			collector{file: p, ps: col.ps}.errorf(line, "the review note is not UTF-8 text (the first bad byte is on this line): save it as UTF-8")
			continue
		}
		placeholderLines(text, collector{file: p, ps: col.ps}, "the review note")
		rawHTMLWarn(text, collector{file: p, ps: col.ps}, 0, "the review note", true)
	}
}

// checkReplyRecords checks that the bundle's reply records (replies/)
// read: the build renders each room's replies from them, so one that does
// not is an error of the check too, on its file (and line), not a build
// that stops.
func checkReplyRecords(b *Bundle, col collector) {
	_, err := reply.ReadRecords(b.Dir)
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var re *reply.RecordError
		if errors.As(e, &re) {
			collector{file: re.File, ps: col.ps}.errorf(re.Line, "%s", re.Msg)
			continue
		}
		col.errorf(0, "%v", e)
	}
}

// dependents returns the ids of the tasks that wait on task id through
// after:, directly or through others.
func dependents(all []*deal.Task, id string) map[string]bool {
	out := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, t := range all {
			if out[t.ID] {
				continue
			}
			for _, a := range t.After {
				if a == id || out[a] {
					out[t.ID], changed = true, true
					break
				}
			}
		}
	}
	return out
}

// pageFrontmatter returns the frontmatter block a document page starts
// with, as Hugo's pages do: a block between --- lines with a line that
// sets a key page generators read (title, date, draft, tags...), whether
// or not its YAML parses. A page that merely opens with a --- rule, its
// text up to another one ("## Annual subscription", "Note: prices in
// EUR"), is not one: it is rendered whole.
func pageFrontmatter(src []byte) (splitter.Doc, bool) {
	fm, p := splitter.Split(src)
	if p != splitter.OK {
		return fm, false
	}
	for _, l := range bytes.Split(fm.Front, []byte("\n")) {
		if m := frontKey.FindSubmatch(l); m != nil && frontKeys[strings.ToLower(string(m[1]))] {
			return fm, true
		}
	}
	return fm, false
}

// frontKey is a line that sets a top-level key.
var frontKey = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*)\s*:`)

// frontKeys are the keys page generators' frontmatter sets (Hugo's,
// Jekyll's).
var frontKeys = map[string]bool{"title": true, "date": true, "draft": true, "tags": true, "description": true, "author": true,
	"authors": true, "weight": true, "slug": true, "categories": true, "summary": true, "lastmod": true, "aliases": true,
	"type": true, "layout": true, "keywords": true, "toc": true, "permalink": true, "publishdate": true, "expirydate": true,
	"linktitle": true, "menu": true, "params": true, "url": true, "subtitle": true, "lang": true}

// titleWarn warns of a title (what: "task \"x\"'s title") that spans
// lines, or holds a control, invisible or direction-changing character:
// rooms, reports, emails and calendar invites show a title as one line,
// and such a character as something other than it reads (a terminal
// report would even take it as a command).
func titleWarn(col collector, line int, what, title string) {
	if spansLines(title) {
		col.warnf(line, "%s spans lines: rooms, reports and emails show a title as one line; write it on one line", what)
		return
	}
	if why := reply.BadChar(strings.TrimRight(title, "\r\n"), false); why != "" {
		col.warnf(line, "%s %s", what, why)
	}
}

// namesADay reports whether a goal says when: a number (a day, a year,
// Q3), a month, or a word of the calendar ("end of the quarter").
func namesADay(goal string) bool {
	if strings.ContainsFunc(goal, unicode.IsDigit) {
		return true
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(goal), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if calendarWords[w] {
			return true
		}
	}
	return false
}

var calendarWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`january february march april may june july august september october november december
		jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
		week weeks month months quarter quarters year years today tomorrow christmas easter spring summer autumn fall winter
		weekend eoy eoq eom fy fiscal holiday holidays season
		januar februar märz mai juni juli oktober dezember woche monat quartal jahr ende
		janvier février mars avril juin juillet août septembre octobre novembre décembre semaine mois trimestre année
		enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre semana año
		gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre settimana mese anno`) {
		m[w] = true
	}
	return m
}()

// spansLines reports whether a title holds a line break before its end (a
// YAML block scalar, or "\n" in a quoted one).
func spansLines(title string) bool {
	return strings.ContainsAny(strings.TrimRight(title, "\r\n"), "\r\n")
}
