package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

const repliesAbout = `Lists the replies buyers sent from their rooms that wait for you: the deal, the person and
their side, the kind, what it is about, what it says, the reason, its age and its id (accept,
decline or answer it by id). A reply whose bundle holds a decision (content/<deal>/replies/
<id>.json) is not waiting: -all lists those too, with their state. A reply naming a deal,
person or task the site no longer has is listed with a note, never dropped. Notes also say
when a reply conflicts with the plan, is superseded by the person's later reply on the same
step, has nothing left to apply (a step done since, a date the plan gives already: accept
refuses it), or gives evidence of done that names no artifact, when a suggested step's
title (case and spacing aside) is a step of the plan already or another waiting
suggestion's, and when a proposed date would move the close (a date after the close date,
or one with which the work due by the close would finish after it; for an onboarding step,
a date after go-live): agree it with the buyer's economic buyer before accepting it (when
they sent it, confirm with them that the close moves too). A note also gives what check would
newly say of the plan with the reply applied (a step due after its milestone, or before a
step it depends on), which accept says too.

Replies come from the local event log (<root>/.maproom/events, or the log files and folders
named), the PostgreSQL store (-store) or a beacon's read endpoint (-from, with the key in
MAPROOM_READ_KEY). With [replies] auto_accept in maproom.toml, the kinds it names are first
accepted, each only on the replying person's own task and only without a conflict (a done
only with evidence that names an artifact), and the output says what was applied.`

func cmdReplies(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("replies", "[flags] [log file or folder ...]", repliesAbout)
	s := e.siteFlags(fs)
	sf := e.sourceFlags(fs)
	format := fs.String("format", e.envOr("MAPROOM_FORMAT", "table"), "output format: table or json [MAPROOM_FORMAT]")
	all := fs.Bool("all", false, "list decided replies too, with their state")
	dealID := fs.String("deal", "", "only this deal's replies")
	logs, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("%w: -format %q: use table or json", errUsage, *format)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	// Settings with errors stop the listing (auto_accept must mean what
	// it says); a plan with errors does not: its replies are listed.
	if cfg, ps := generator.LoadConfig(generator.ConfigPath(s.root)); cfg == nil {
		printProblems(e.stderr, ps)
		return errFailed
	}
	src, err := e.deskSource(sf, s.root, logs)
	if err != nil {
		return err
	}
	sent, err := src.Replies(ctx)
	if err != nil {
		return err
	}
	sent = e.rehomed(ctx, s.root, sent, nil)
	site, ps := e.loadSite(s.root, today)
	if site.Config == nil || len(site.Bundles) == 0 {
		printProblems(e.stderr, ps)
		return errFailed
	}
	if *dealID != "" && !slices.ContainsFunc(site.Bundles, func(b *generator.Bundle) bool { return b.Deal.ID == *dealID }) {
		return noDeal(site, *dealID)
	}
	items := gatherReplies(e, site, sent)

	// What the log says and the notes for the seller go to stdout with
	// the table, to stderr beside JSON so that stdout stays JSON.
	say := e.stdout
	if *format == "json" {
		say = e.stderr
	}
	if kinds := site.Config.Replies.AutoAccept; len(kinds) > 0 {
		if n := autoAccept(e, s, site, items, kinds, *dealID, say); n > 0 {
			// The plans changed: read them again for titles and notes.
			site, _ = e.loadSite(s.root, today)
			items = gatherReplies(e, site, sent)
		}
	}

	deals := map[string]*generator.Bundle{}
	for _, b := range site.Bundles {
		deals[b.Deal.ID] = b
	}
	later, state, alike := supersededBy(items), map[string]string{}, sameSuggestions(items)
	for _, it := range items {
		state[it.Reply.ID] = it.record().State()
	}
	// A reply about a step renamed since (its title the same) is listed
	// under the new id, as accept applies it: the plan's history says
	// which, read once, only when a reply names a step the plan lacks.
	var hist *history.History
	var rows []replyRow
	gone := map[string]int{} // the waiting replies of deals no longer in the site
	for _, it := range items {
		if *dealID != "" && it.Reply.Deal != *dealID {
			continue
		}
		if b := deals[it.Reply.Deal]; b != nil && it.Reply.Target != "" && !hasItem(b.Deal, it.Reply.Target) && it.record().State() == reply.Waiting {
			if hist == nil {
				var ds []*deal.Deal
				for _, b := range site.Bundles {
					ds = append(ds, b.Deal)
				}
				hist = readHistory(ctx, e, s.root, ds, false)
			}
			if now, ok := hist.Deals[b.Deal.ID].Renamed(it.Reply.Target, it.Reply.TargetKind == reply.TargetMilestone); ok && hasItem(b.Deal, now) {
				it.renamedFrom, it.Reply.Target = it.Reply.Target, now
			}
		}
		row := makeRow(it, deals[it.Reply.Deal], today, site.Config)
		if it.Reply.Preview {
			row.Note = strings.TrimPrefix(row.Note+"; ", "; ") + previewNote
		}
		if it.renamedFrom != "" {
			row.Note = strings.TrimPrefix(row.Note+"; ", "; ") + fmt.Sprintf("sent about %s, renamed %s since: accept applies it there", it.renamedFrom, it.Reply.Target)
		}
		if id := later[it.Reply.ID]; id != "" && row.State == reply.Waiting {
			what := "decide that one, and decline or answer this"
			if st := state[id]; st != reply.Waiting {
				what = "that one is " + st + ": decline or answer this"
			}
			row.Note = strings.TrimPrefix(row.Note+"; ", "; ") + "superseded by " + id + ", their later reply on the same step: " + what
		} else if len(row.checks) > 0 {
			row.Note = strings.Join(append(slices.DeleteFunc([]string{row.Note}, func(n string) bool { return n == "" }), row.checks...), "; ")
		}
		if row.State == reply.Waiting {
			for _, o := range alike[it.Reply.ID] {
				name := o.Reply.Stakeholder
				if b := deals[o.Reply.Deal]; b != nil {
					name = nameOf(b.Deal, name)
				}
				row.Note = strings.TrimPrefix(row.Note+"; ", "; ") + "also suggested by " + name + ", " + o.Reply.ID
			}
		}
		if !*all && row.State != reply.Waiting {
			continue
		}
		if !*all && deals[it.Reply.Deal] == nil && folderGone(s.root, it.Reply.Deal) {
			// Its deal's folder is gone from the site (a rename is
			// followed: rehomed): nothing can be decided on it, and it
			// does not wait for the seller. A plan that fails to load
			// keeps its replies listed, with a note.
			gone[it.Reply.Deal]++
			continue
		}
		rows = append(rows, row)
	}
	for _, id := range slices.Sorted(maps.Keys(gone)) {
		them := "them"
		if gone[id] == 1 {
			them = "it"
		}
		fmt.Fprintf(say, "maproom: %s sent from the rooms of %s, a deal no longer in the site (its folder was removed), not listed: nothing can be decided on %s; replies -all lists %s\n", count(gone[id], "reply"), id, them, them)
	}
	if *format == "json" {
		if rows == nil {
			rows = []replyRow{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writeRepliesTable(e.stdout, rows, *all)
}

// gatherReplies joins the replies read from the source with the records of
// every bundle (reply.Join): each id once, the record's copy first (it is
// what was decided on), oldest first.
// folderGone reports whether the site has no folder for deal id (removed,
// or never there), as opposed to a plan there that does not load.
func folderGone(root, id string) bool {
	if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
		return true
	}
	_, err := os.Stat(filepath.Join(root, generator.ContentDir, id))
	return errors.Is(err, fs.ErrNotExist)
}

func gatherReplies(e *env, site *generator.Site, sent []reply.Reply) []*replyItem {
	var recs []reply.Record
	for _, b := range site.Bundles {
		rs, err := reply.ReadRecords(b.Dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "maproom: %v\n", err)
		}
		recs = append(recs, rs...)
	}
	joined := reply.Join(sent, recs)
	items := make([]*replyItem, len(joined))
	for i := range joined {
		items[i] = &replyItem{Reply: joined[i].Reply}
		if len(joined[i].Decisions) > 0 {
			items[i].Record = &joined[i]
		}
	}
	return items
}

// autoAccept accepts the waiting replies of the kinds [replies] auto_accept
// names, each only on the person's own task, only without a conflict or a
// later reply of theirs on the step, and a done only with evidence that
// names an artifact (deal.VagueEvidence). It
// says what it applied and what it left, and returns how many it applied.
// It never fails the listing: a reply it cannot accept stays waiting.
func autoAccept(e *env, s *siteFlags, site *generator.Site, items []*replyItem, kinds []string, dealID string, say io.Writer) int {
	deals := map[string]*deal.Deal{}
	for _, b := range site.Bundles {
		deals[b.Deal.ID] = b.Deal
	}
	var due []*replyItem
	later := supersededBy(items)
	for _, it := range items {
		r := it.Reply
		d := deals[r.Deal]
		if d == nil || (dealID != "" && r.Deal != dealID) || it.record().State() != reply.Waiting || !slices.Contains(kinds, string(r.Kind)) {
			continue
		}
		if later[r.ID] != "" {
			continue // the person replied again on the step: the seller decides
		}
		if r.Preview {
			continue // sent from the preview: the seller's own click, never applied as the person's unasked
		}
		if r.Kind == reply.Done && deal.VagueEvidence(r.Evidence) != "" {
			continue // nothing shows it done: the seller asks, or accepts it by hand
		}
		// Only a task the person owns: never a milestone or someone else's.
		if r.TargetKind == reply.TargetMilestone || !slices.Contains(reply.TargetsFor(d, r.Stakeholder).Own, r.Target) {
			continue
		}
		due = append(due, it)
	}
	if len(due) == 0 {
		return 0
	}
	dk, err := e.openDesk(s)
	if err != nil {
		fmt.Fprintf(say, "auto_accept: %d replies left waiting: %v\n", len(due), err)
		return 0
	}
	defer dk.close()
	for _, it := range items {
		dk.sent = append(dk.sent, it.Reply)
	}
	n := 0
	for _, it := range due {
		it.Reply.TargetKind = reply.TargetTask
		msg, err := dk.accept(it, reply.ApplyOptions{})
		if err != nil {
			fmt.Fprintf(say, "auto_accept: left waiting: %v\n", err)
			continue
		}
		fmt.Fprintf(say, "auto_accept: %s\n", msg)
		n++
	}
	return n
}

// replyRow is one reply as listed; the JSON format's fields.
type replyRow struct {
	ID          string     `json:"id"`
	Deal        string     `json:"deal"`
	Stakeholder string     `json:"stakeholder"`
	Person      string     `json:"person"`
	Side        string     `json:"side"`
	Kind        reply.Kind `json:"kind"`
	Target      string     `json:"target"`
	TargetKind  string     `json:"target_kind"`
	TargetTitle string     `json:"target_title"`
	What        string     `json:"what"`
	Reason      string     `json:"reason"`
	Time        time.Time  `json:"time"`
	AgeDays     int        `json:"age_days"`
	State       string     `json:"state"`
	Note        string     `json:"note,omitempty"`
	// checks are what check would newly say of the plan with the reply
	// applied (newProblems): added to Note unless a later reply
	// supersedes this one.
	checks    []string
	Decisions []reply.Decision `json:"decisions,omitempty"`
}

// previewNote is what replies and accept say of a reply sent from the
// local preview (reply.Reply.Preview).
const previewNote = "sent from the local preview (maproom serve): a click in their room on this machine, not necessarily their word"

// supersededBy maps each waiting reply that would change a step (confirm,
// propose, done, blocked) to the id of the latest such reply its person
// sent later about the same task or milestone, waiting or decided (items
// oldest first): a buyer who proposed one date and then another wants the
// second, and accepting the first would undo it. A question stands alone.
func supersededBy(items []*replyItem) map[string]string {
	rs := make([]reply.Reply, len(items))
	for i, it := range items {
		rs[i] = it.Reply
	}
	out := reply.Superseded(rs)
	for _, it := range items {
		if it.record().State() != reply.Waiting {
			delete(out, it.Reply.ID) // decided: nothing to supersede any more
		}
	}
	return out
}

// sameSuggestions maps each waiting suggestion to the other waiting
// suggestions of the same deal with the same title (deal.TitleKey), oldest
// first (items oldest first): two buyers asking for one step, which the
// seller adds once.
func sameSuggestions(items []*replyItem) map[string][]*replyItem {
	type key struct{ deal, title string }
	by := map[key][]*replyItem{}
	for _, it := range items {
		r := it.Reply
		if k := deal.TitleKey(r.Text); r.Kind == reply.Suggest && k != "" && it.record().State() == reply.Waiting {
			by[key{r.Deal, k}] = append(by[key{r.Deal, k}], it)
		}
	}
	out := map[string][]*replyItem{}
	for _, its := range by {
		for _, it := range its {
			for _, o := range its {
				if o != it {
					out[it.Reply.ID] = append(out[it.Reply.ID], o)
				}
			}
		}
	}
	return out
}

// makeRow describes a reply against its deal's plan (b nil: the site has no
// such deal), with a note for whatever the seller should know before
// deciding: an unknown deal, person or target, a reply the person may not
// send, a conflict, nothing left to apply (a step done since, a date the
// plan gives already: reply.NothingToApplyError), evidence of done that
// names no artifact (deal.VagueEvidence, the rule check applies to the
// plan).
func makeRow(it *replyItem, b *generator.Bundle, today deal.Date, cfg *generator.Config) replyRow {
	r := it.Reply
	rec := it.record()
	row := replyRow{
		ID: r.ID, Deal: r.Deal, Stakeholder: r.Stakeholder, Person: r.Stakeholder,
		Kind: r.Kind, Target: r.Target, TargetKind: r.TargetKind, Reason: r.Reason,
		Time: r.Time, State: rec.State(), Decisions: rec.Decisions,
	}
	if row.TargetKind == "" {
		row.TargetKind = reply.TargetPlan
		if r.Target != "" {
			row.TargetKind = "task"
		}
	}
	loc := time.UTC
	if cfg != nil && cfg.Location != nil {
		loc = cfg.Location
	}
	// A reply the log stamps after -today (the flag sets the day dates
	// are checked against, not which replies are listed) is of that day:
	// no age below 0.
	row.AgeDays = max(0, deal.DateOf(r.Time.In(loc)).DaysUntil(today))
	row.TargetTitle = strings.Trim(targetTitle(nil, r), `"`)
	var notes []string
	if b == nil {
		notes = append(notes, fmt.Sprintf("the site has no deal %q", r.Deal))
	} else {
		d := b.Deal
		who, ok := d.Stakeholder(r.Stakeholder)
		if ok {
			row.Person, row.Side = who.Name, string(who.Side)
		} else {
			notes = append(notes, fmt.Sprintf("%q is not a stakeholder of the deal", r.Stakeholder))
		}
		t := reply.TargetsFor(d, r.Stakeholder)
		if r.Target != "" && r.TargetKind == "" {
			r.TargetKind = t.Resolve(r.Target)
			if r.TargetKind != "" {
				row.TargetKind = r.TargetKind
			}
		}
		known := r.Target == "" || t.Resolve(r.Target) != ""
		if known {
			row.TargetTitle = strings.Trim(targetTitle(d, r), `"`)
		} else {
			notes = append(notes, fmt.Sprintf("%s %q is not in the plan", row.TargetKind, r.Target))
		}
		if ok && row.State == reply.Waiting && who.Rotate > r.Rotation {
			notes = append(notes, rotatedShort(who, r, known && closedTo(d, r) == "" && t.AllowsReply(r)))
		}
		if ok && known && row.State == reply.Waiting {
			if why := closedTo(d, r); why != "" {
				notes = append(notes, closedNote(d))
			} else if !t.AllowsReply(r) {
				notes = append(notes, "not theirs to change: accept refuses it")
			} else if out, err := reply.Apply(b.Source, d, rec, reply.ApplyOptions{Planned: plannedOf(b)}); errors.Is(err, reply.ErrConflict) {
				var ce *reply.ConflictError
				errors.As(err, &ce)
				notes = append(notes, "conflict: "+conflictWhat(ce))
			} else if ne, ok := errors.AsType[*reply.NothingToApplyError](err); ok {
				// A step done since, a date the plan gives already:
				// accept refuses it, whatever -force says.
				notes = append(notes, ne.Note)
			} else if se, ok := errors.AsType[*reply.SameStepError](err); ok {
				// A suggested step the plan has by its title: accept
				// refuses it, unless -task-id or -force.
				notes = append(notes, se.Note())
			} else if err == nil && cfg != nil && !bytes.Equal(out, b.Source) {
				// What check would say of the plan with it that it does
				// not say now (a step due after its milestone, a step
				// done before what it comes after): accept says it too,
				// once committed; the seller hears it before deciding
				// (after the other notes: see checkNotes).
				row.checks = newProblems(b, out, cfg, today)
			}
			if t.AllowsReply(r) {
				// A date the close cannot take: the seller hears it
				// before accepting, as the report flags it.
				var cal schedule.Calendar
				if cfg != nil {
					cal = schedule.NewCalendar(cfg.HolidayDays...)
				}
				if n := closeNote(d, b.Plan, r, today, cal); n != "" {
					notes = append(notes, n)
					// check's own word on a date past the close says no
					// more than this.
					row.checks = slices.DeleteFunc(row.checks, func(c string) bool {
						return strings.Contains(c, "after the close date") || strings.Contains(c, "after go-live")
					})
				}
			}
		}
		if r.Kind == reply.Done && row.State == reply.Waiting && deal.VagueEvidence(r.Evidence) != "" {
			// The rule check holds the plan's evidence to: the
			// buyer's word is news, but not yet proof.
			notes = append(notes, "the evidence names no artifact: ask what shows it done")
		}
		if r.Kind == reply.Propose {
			if due := targetDue(d, r); due != "" && row.State == reply.Waiting {
				row.What = fmt.Sprintf("%s (now %s)", r.Date, due)
			}
		}
	}
	if row.What == "" {
		row.What = replyWhat(r)
	}
	row.Note = strings.Join(notes, "; ")
	return row
}

// newProblems lists what check says of plan b with its text changed to
// out and does not say of it now: "accepting it: " and the message, an
// error as such (accept refuses what fails check).
func newProblems(b *generator.Bundle, out []byte, cfg *generator.Config, today deal.Date) []string {
	_, now := generator.CheckPlan(b.Dir, b.Source, cfg, today)
	_, then := generator.CheckPlan(b.Dir, out, cfg, today)
	var notes []string
	for _, p := range then {
		if slices.ContainsFunc(now, func(q generator.Problem) bool { return q.Severity == p.Severity && sameWarning(q.Msg, p.Msg) }) {
			continue
		}
		what := "accepting it: "
		if p.Severity == generator.Error {
			what = "accepting it fails check: "
		}
		notes = append(notes, what+p.Msg)
	}
	return notes
}

// conflictWhat is the short form of a conflict for the listing.
func conflictWhat(ce *reply.ConflictError) string {
	if ce == nil {
		return "the plan changed since"
	}
	msg := ce.Error()
	if _, rest, ok := strings.Cut(msg, "changed since the reply was sent: "); ok {
		if what, _, ok := strings.Cut(rest, ": read the reply"); ok {
			return what
		}
	}
	return "the plan changed since"
}

// replyWhat is what a reply says, by kind: the date, the evidence, the
// text.
func replyWhat(r reply.Reply) string {
	switch r.Kind {
	case reply.Confirm:
		if r.Date != "" {
			return "confirmed " + r.Date // the date the person confirmed
		}
		return "confirmed"
	case reply.Propose:
		return r.Date
	case reply.Done:
		if r.Evidence != "" {
			return r.Date + ": " + r.Evidence
		}
		return r.Date
	case reply.Blocked:
		return "blocked"
	case reply.Question:
		return r.Text
	case reply.Suggest:
		w := inQuotes(r.Text)
		if r.Owner != "" {
			w += ", owner " + r.Owner
		}
		if r.Date != "" {
			w += ", by " + r.Date
		}
		return w
	}
	return r.Text
}

// writeRepliesTable writes the rows as an aligned table, long texts cut.
func writeRepliesTable(w io.Writer, rows []replyRow, all bool) error {
	if len(rows) == 0 {
		if all {
			_, err := fmt.Fprintln(w, "no replies")
			return err
		}
		_, err := fmt.Fprintln(w, "no replies waiting")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "DEAL\tPERSON\tSIDE\tKIND\tTARGET\tWHAT\tREASON\tAGE\tID"
	if all {
		head += "\tSTATE"
	}
	fmt.Fprintln(tw, head+"\tNOTE")
	for _, r := range rows {
		line := strings.Join([]string{r.Deal, r.Person, orDash(r.Side), string(r.Kind), cell(r.TargetTitle, 40), cell(r.What, 48), cell(r.Reason, 32), age(r.AgeDays), r.ID}, "\t")
		if all {
			line += "\t" + r.State
		}
		fmt.Fprintln(tw, line+"\t"+r.Note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	waiting := 0
	for _, r := range rows {
		if r.State == reply.Waiting {
			waiting++
		}
	}
	noun := "replies"
	if waiting == 1 {
		noun = "reply"
	}
	_, err := fmt.Fprintf(w, "%d %s waiting: maproom accept ID, maproom decline ID -why \"...\", maproom answer ID \"...\"\n", waiting, noun)
	return err
}

// cell makes text fit one table cell: one line, at most n runes.
func cell(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func age(days int) string {
	if days <= 0 {
		return "today"
	}
	return fmt.Sprintf("%dd", days)
}
