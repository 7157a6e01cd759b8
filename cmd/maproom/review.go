package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/mdtext"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

const reviewAbout = `Writes the agenda of a deal's weekly review (15 minutes, or the plan's review: {length: ...})
as Markdown, to paste into the meeting or an email. The agenda is for the next review on or after the day (-today): the
plan's review day (review: {day: ...}), or the day itself without one.

A third of the meeting each (5 minutes of 15): status (progress since the last review, what changed in the plan and who changed
it, milestones, who has and has not looked at the room: the buyer side's visits as maproom
report counts them, in its week, the seven days up to the day), blockers (blocked
and late tasks, replies waiting for you, read from the same logs as the events, the warning
signs of the plan's history), next week (the open tasks due up to the review after
this one, seven days later; whose move it is; that next review). All but the meetings' dates
stands as of the day: the plan and its history as they stood then, days late counted to it.

The plan's history is read from git (cached in .maproom/history.cache); the last review is
the latest note in content/<deal>/reviews/YYYY-MM-DD.md, of the meeting it was saved after
(up to four days) or before (up to two). Save the meeting's notes there: the
rooms show them as the meeting log (every room of the deal, the buyer's too: write what was
agreed, never this agenda, which -o refuses to write inside content/), and the report counts
the weeks without one.`

func cmdReview(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("review", "<deal-id> [flags]", reviewAbout)
	s := e.siteFlags(fs)
	out := fs.String("o", "", "write the agenda to this file instead of standard output")
	logDir := fs.String("log-dir", e.envOr("MAPROOM_LOG_DIR", ""), "the event log, for who looked at the room (default <root>/.maproom/events when it exists) [MAPROOM_LOG_DIR]")
	od, err := e.loadOneDealAnyway(fs, s, "review", args)
	if err != nil {
		return ignoreHelp(err)
	}
	// As of the day: the plan of that day (the report's rule).
	h, err := od.asOfDay(ctx, e, s.root, "review", true)
	if err != nil {
		return err
	}
	id, today, cfg, dir, b := od.id, od.today, od.cfg, od.dir, od.b
	d := b.Deal
	notes, err := handoff.ReadReviews(dir)
	if err != nil {
		return err
	}
	recs, err := reply.ReadRecords(dir)
	if err != nil {
		return err
	}
	// The replies are read from the logs the events are read from, as
	// maproom replies -log-dir and maproom report read them.
	var logs []string
	if *logDir != "" {
		logs = []string{*logDir}
	}
	rr := readSentReplies(ctx, e, s.root, "", logs, false)
	rr.sent = e.rehomed(ctx, s.root, rr.sent, h)
	io.WriteString(e.stderr, rr.notes)
	// Decided replies are engagement too: a reply comes from a room.
	waiting, decided := reply.Split(rr.sent, recs)
	waiting = slices.DeleteFunc(waiting, func(r reply.Reply) bool { return r.Deal != id })
	decided = slices.DeleteFunc(decided, func(rec reply.Record) bool { return rec.Reply.Deal != id })
	due := func(t *deal.Task) deal.Date {
		if b.Plan == nil {
			return t.Due
		}
		v, _ := b.Plan.DueOf(t)
		return v
	}
	st := storyOn(h, id, today, cfg.Location)
	j, err := judgeDeal(ctx, od, s.root, *logDir, waiting, decided, h.Story(id))
	if err != nil {
		return err
	}
	crit := b.Plan.TurnPath(d, today) // whose move: the rooms' and the report's rule
	agenda := reviewAgenda(reviewInput{Deal: d, Story: st, Notes: notes, Judged: j, Decided: decided,
		Due: due, Critical: crit, Today: today, Holidays: cfg.HolidayDays, Loc: cfg.Location, Th: cfg.History.Thresholds(), Overdue: cfg.Overdue.Thresholds(), InGit: h.InGit, NoHistory: historyUnread(h),
		Uncommitted: st != nil && !od.pastPlan && !h.Story(id).Committed(b.Source), Published: firstPublished(s.root, id), CheckErrors: od.checkErrs})
	if *out == "" {
		_, err := io.WriteString(e.stdout, agenda)
		return err
	}
	if inside(filepath.Join(s.root, "content"), *out) {
		return fmt.Errorf("review: -o %s is inside the site's content/, which the rooms publish (a file in content/%s/reviews/ is every room's meeting log): the agenda holds what only you read (who opened the room, the warning signs), so write it elsewhere (-o review.md), and after the meeting save in content/%s/reviews/%s.md only what every stakeholder may read", *out, id, id, reviewMeeting(d, today))
	}
	if site, ok := publishedIn(s.root, *out); ok {
		return fmt.Errorf("review: -o %s is inside %s, a built site that is published as it is: the agenda holds what only you read (who opened the room, the warning signs), so write it elsewhere (-o review.md)", *out, site)
	}
	return writeFileAtomic(*out, []byte(agenda))
}

// publishedIn reports whether path is in a folder the rooms are published
// from, and which: the site's content/, its public/, the preview's folder,
// or any folder a build wrote (one holding the _headers file and the r/
// folder of the rooms, as every build's does), wherever -out put it.
func publishedIn(root, path string) (string, bool) {
	for _, dir := range []string{filepath.Join(root, "content"), filepath.Join(root, "public"), filepath.Join(root, ".maproom", "preview")} {
		if inside(dir, path) {
			return dir, true
		}
	}
	p, err := realPath(path)
	if err != nil {
		return "", false
	}
	for dir := p; ; {
		if fi, err := os.Stat(filepath.Join(dir, "_headers")); err == nil && fi.Mode().IsRegular() {
			if fi, err := os.Stat(filepath.Join(dir, "r")); err == nil && fi.IsDir() {
				return dir, true
			}
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
}

// inside reports whether path is dir or under it, both made absolute and
// their symbolic links followed (a link into dir is in it; a path that
// cannot be made absolute is taken as outside).
func inside(dir, path string) bool {
	d, err1 := realPath(dir)
	p, err2 := realPath(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && filepath.IsLocal(rel) || rel == "."
}

// realPath returns path absolute, with the symbolic links of the part of
// it that exists followed as the system follows them (a link, then "..":
// the path is not cleaned before): a file still to be written is placed
// where its folder really is.
func realPath(path string) (string, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return filepath.Abs(real)
	}
	i := strings.LastIndexByte(path, filepath.Separator)
	if filepath.Separator != '/' {
		i = max(i, strings.LastIndexByte(path, '/'))
	}
	dir, base := ".", path
	switch {
	case i == 0:
		dir, base = path[:1], path[1:]
	case i > 0:
		dir, base = path[:i], path[i+1:]
	}
	if dir == path {
		return filepath.Abs(path)
	}
	rp, err := realPath(dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, base), nil
}

// readHistory reads the plans' history of the site at root, with the
// cache in .maproom/; deals give the current plans, whose stakeholders'
// emails name authors too. A repository that cannot be read gives an empty
// history and a line on stderr; so does a site outside git when note is
// true (a build, which needs the history only for the rooms' "What
// changed", says nothing of it).
func readHistory(ctx context.Context, e *env, root string, deals []*deal.Deal, note bool) *history.History {
	people := map[string][]history.Person{}
	for _, d := range deals {
		people[d.ID] = history.PlanOf(d).People
	}
	h, err := history.Read(ctx, history.Options{Root: root, Decode: generator.DecodePlan,
		Cache: filepath.Join(root, ".maproom", "history.cache"), People: people})
	if err != nil {
		fmt.Fprintf(e.stderr, "maproom: the plans' git history cannot be read, so it is left out: %v\n", err)
		return &history.History{Deals: map[string]*history.Story{}}
	}
	if h.Note != "" && note {
		fmt.Fprintf(e.stderr, "maproom: %s\n", h.Note)
	}
	return h
}

type reviewInput struct {
	Deal  *deal.Deal
	Story *history.Story // nil outside git
	InGit bool
	// NoHistory says why the history of a site in git was not read (a
	// content folder linked out of the repository), "" when it was.
	NoHistory string
	Notes     []handoff.Review
	Waiting   []reply.Reply
	// Decided are the deal's replies a record decides: a blocked step's
	// reason comes from the reply that marked it so.
	Decided []reply.Record
	// Judged is the report's judgement of the deal for Today (judgeDeal):
	// who looked at the room is its buyer-side visits; the replies waiting
	// for the seller are its Replies (sent up to Today, what they are about
	// named by title).
	Judged   dealJudged
	Due      func(*deal.Task) deal.Date
	Critical deal.Path // the path the rooms show, for whose move (deal.WaitingOn)
	Today    deal.Date
	Holidays []deal.Date // the site calendar's (maproom.toml holidays)
	Loc      *time.Location
	Th       history.Thresholds
	Overdue  deal.Thresholds
	// Uncommitted: the plan has changes not committed yet, which the
	// history does not hold.
	Uncommitted bool
	// Published is the day the deal's first buyer room was published (the
	// manifest's; zero when unknown): since when a plan with nothing done
	// by a date has been flat, as the report counts it.
	Published deal.Date
	// CheckErrors are the plan's check errors (file:line: what to change):
	// the first blocker, the plan's dates in doubt until they are fixed.
	CheckErrors []string
}

// firstPublished is the day the manifest at root records deal id's first
// buyer room published, zero without a manifest or a day.
func firstPublished(root, id string) deal.Date {
	mr := readManifest(root)
	if mr.m == nil {
		return deal.Date{}
	}
	day, _ := deal.ParseDate(mr.m.FirstPublished()[id])
	return day
}

// committed qualifies what the history says changed: " in its commits"
// when the plan has changes not committed yet, "" otherwise.
func committed(in reviewInput) string {
	if in.Uncommitted {
		return " in its commits"
	}
	return ""
}

func shortDay(d deal.Date) string {
	if d.IsZero() {
		return "no date"
	}
	return d.Time().Format("Mon 2 Jan")
}

// reviewMeeting is the review meeting an agenda made on today is for: the
// first of the plan's review days (review: {day: ...}) on or after today,
// today itself when it is one; without a review day, or for a lost deal
// (whose review is the seller's own, on the day), today.
func reviewMeeting(d *deal.Deal, today deal.Date) deal.Date {
	m := today
	for d.Review.HasDay && d.Outcome != deal.Lost && m.Weekday() != d.Review.Day {
		m = m.AddDays(1)
	}
	return m
}

// reviewAgenda writes the 15-minute agenda of the review meeting on or
// after in.Today (reviewMeeting). What it tells stands as of in.Today:
// progress, changes, milestones, visits (the report's week, the seven days
// up to in.Today), blocked and late work (days late on in.Today), replies
// and whose move it is. The calendar is the meeting's: the header names
// the meeting's day (and time), the notes are saved under its day (the
// days to the close count from in.Today, as the report and the rooms count
// them), and "next week" lists the open tasks due
// from in.Today up to and including the meeting after it (seven days
// later, the "Next review" named for an open deal with a review day, or a
// won one with onboarding work left; for
// a plan without one, seven days after in.Today). What changed is counted
// from the last review held (the meeting its note is of: the review slot
// from four days before the note's day to two days after, else the note's
// day) or, without a note, the
// review slot before the meeting (a week before in.Today for a plan
// without a review day), from the review's time on that day: each change
// is on the agenda of the first meeting after it.
func reviewAgenda(in reviewInput) string {
	d := in.Deal
	meeting := reviewMeeting(d, in.Today)
	following := meeting.AddDays(7)
	when := shortDay(meeting)
	if d.Review.HasDay && d.Review.Time != "" {
		when += " at " + d.Review.Time
	}
	// A review day that is a holiday in the site's calendar is said so:
	// the meeting is to be moved, not held.
	holiday := func(day deal.Date) string {
		if slices.Contains(in.Holidays, day) {
			return " (a holiday in the site's calendar: agree another day)"
		}
		return ""
	}
	when += holiday(meeting)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	name := func(id string) string {
		if s, ok := d.Stakeholder(id); ok {
			return md(s.Name)
		}
		return md(strings.TrimPrefix(id, "role:")) + " (unassigned)"
	}
	var last deal.Date // the last review held before this meeting, from its note
	days := reviewDays(in.Notes, in.Today)
	// A note of this meeting's day is this meeting's own (saved while it
	// is prepared or held), and so is one of the two days before it (notes
	// prepared ahead, as the report counts a review held): what changed
	// counts from the review before.
	upTo := meeting.AddDays(-1)
	if d.Review.HasDay && d.Outcome != deal.Lost {
		upTo = meeting.AddDays(-3)
	}
	if in.Today.Before(upTo) {
		upTo = in.Today // a note written after the agenda's day was not there yet
	}
	if prior := reviewDays(in.Notes, upTo); len(prior) > 0 {
		last = prior[len(prior)-1]
	}
	// A note is of the meeting it follows or prepares: one saved from two
	// days before a review slot to four days after it (as the report
	// counts a review held) stands for the meeting on the slot's day, and
	// what changed counts from that meeting's time, not from the day the
	// note was saved (a change made between the two was on no agenda).
	held := last
	if !last.IsZero() && d.Review.HasDay {
		for s := last.AddDays(-4); !s.After(last.AddDays(2)); s = s.AddDays(1) {
			if s.Weekday() == d.Review.Day && s.Before(meeting) {
				held = s
			}
		}
	}
	since := held
	if since.IsZero() {
		// No note yet: since the plan's review slot before this meeting,
		// or a week.
		since = in.Today.AddDays(-7)
		if d.Review.HasDay && (!d.Ended() || d.Outcome == deal.Won && d.OnboardingLeft()) {
			since = meeting.AddDays(-7) // the reviews go on while onboarding lasts
		}
	}
	// What changed since is what came after the last review began: on its
	// day, from the meeting's time (a change that morning was on that
	// agenda already), from the day's start without one.
	from := since.Time()
	if hm, err := time.Parse("15:04", d.Review.Time); err == nil && d.Review.HasDay && since.Weekday() == d.Review.Day {
		from = from.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
	}
	from = time.Date(from.Year(), from.Month(), from.Day(), from.Hour(), from.Minute(), 0, 0, cmp.Or(in.Loc, time.UTC))
	done, total := d.Progress()

	lost := d.Outcome == deal.Lost
	if d.Outcome == deal.Won && !d.OnboardingLeft() && !d.GoLive.IsZero() && d.GoLive.Before(in.Today) {
		// The reviews ran while onboarding lasted, up to go-live: no
		// meeting is left. (Before go-live, the last agenda says the
		// sale's work is over.)
		p("# Weekly review: %s", md(d.Title))
		p("")
		p("The weekly reviews have ended: %s is won, its onboarding is done and it went live on %s, so there is no meeting to prepare. `maproom handoff %s` writes the customer-success handoff; a new plan with its own review day starts them again.", md(d.Buyer), shortDay(d.GoLive), d.ID)
		return b.String()
	}
	if lost {
		p("# Loss review: %s", md(d.Title))
		p("")
		p("%s · %s · %s: the deal with %s is lost", shortDay(meeting), reviewLength(d.Review), md(d.Seller), md(d.Buyer))
	} else {
		p("# Weekly review: %s", md(d.Title))
		p("")
		p("%s · %s · %s and %s", when, reviewLength(d.Review), md(d.Buyer), md(d.Seller))
	}
	p("")
	p("Goal: %s  ", md(d.Goal))
	closeLine := fmt.Sprintf("Close: %s", shortDay(d.Close))
	switch d.Outcome {
	case deal.Lost:
		closeLine += " (lost)"
	case deal.Won:
		closeLine += " (won)"
	}
	if n := in.Today.DaysUntil(d.Close); n >= 0 && !d.Ended() { // as of the day, as the report and the rooms count it
		closeLine += fmt.Sprintf(" (%s)", count(n, "day"))
	} else if n < 0 && !d.Ended() {
		closeLine += fmt.Sprintf(" (passed %s ago, still open)", count(-n, "day"))
	}
	p("%s · %d of %d tasks done", closeLine, done, total)
	p("")
	if !lost { // a loss review is the seller's team's alone
		p("_For your side: who looked at the room, the warnings and the replies are yours alone; share the rest with the buyer._")
		p("")
	}

	p("## Status (%s)", minutes(d.Review.Part()))
	p("")
	switch {
	case last.IsZero() && lost:
		p("- No review note on record.")
	case last.IsZero():
		p("- No review note yet: this is the first review on record (save its notes as reviews/%s.md, which every room shows).", meeting)
	default:
		p("- Last review: %s (reviews/%s.md).", shortDay(held), last)
	}
	if in.Story != nil {
		// Counted from the same moment as the changes listed below.
		switch pt, ok := in.Story.ProgressAt(from, in.Loc); {
		case !ok:
			p("- Progress: %d of %d tasks done; the plan was first committed %s, so there is no earlier count to compare.", done, total, shortDay(history.DayOf(in.Story.First, in.Loc)))
		case pt.Done != done:
			p("- Progress: %d of %d tasks done, %+d since %s.", done, total, done-pt.Done, shortDay(since))
		default:
			p("- Progress: %d of %d tasks done, no change since %s.", done, total, shortDay(since))
		}
		var changes []history.Change
		for _, c := range in.Story.Changes {
			if !c.InPlan().Before(from) && c.Kind != history.PlanCreated {
				changes = append(changes, c)
			}
		}
		// A commit git revert undid in these days, and the revert, moved
		// nothing; a revert of an earlier agenda's move is news.
		undone := in.Story.UndoneWithin(changes)
		changes = slices.DeleteFunc(changes, undone)
		if first := history.DayOf(in.Story.First, in.Loc); len(changes) == 0 && !first.Before(since) {
			p("- The plan has not changed since it was first committed, %s%s.", shortDay(first), committed(in))
		} else if len(changes) == 0 {
			p("- The plan has not changed since %s%s.", shortDay(since), committed(in))
		} else {
			p("- Changed since %s%s:", shortDay(since), committed(in))
			lines := changeLines(changes, d, in.Loc)
			for i, l := range lines {
				if i == maxChangeLines && len(lines) > maxChangeLines+1 {
					p("  - and %d more: `maproom handoff %s` lists every change of the plan (its Plan history, written under .maproom/, never published).", len(lines)-i, d.ID)
					break
				}
				p("  - %s", l)
			}
		}
		if in.Uncommitted {
			p("- The plan has changes not committed yet: this agenda reads it as it is; commit them so that the history (and the rooms' \"What changed\") has them.")
		}
	} else if in.NoHistory != "" {
		p("- Progress: %d of %d tasks done (what changed is not known: %s).", done, total, md(in.NoHistory))
	} else if !in.InGit {
		p("- Progress: %d of %d tasks done (the site is not in git, so what changed is not known).", done, total)
	} else {
		p("- Progress: %d of %d tasks done (the plan is not committed yet, so what changed is not known: commit content/%s/ and the history starts).", done, total, d.ID)
	}
	for _, m := range d.Milestones {
		mdone := 0
		for _, t := range m.Tasks {
			if t.Status == deal.Done {
				mdone++
			}
		}
		state := fmt.Sprintf("%d of %d done", mdone, len(m.Tasks))
		if mdone == len(m.Tasks) && mdone > 0 {
			state = "done"
		} else if late := m.Due.DaysUntil(in.Today); !m.Due.IsZero() && late > 0 && !d.Ended() {
			state += fmt.Sprintf(", %s late", count(late, "day")) // as the report's milestone line counts it
		}
		p("- Milestone \"%s\" (lead %s, due %s): %s.", md(m.Title), name(m.Lead), shortDay(m.Due), state)
	}
	if in.Judged.logRead {
		// The report's judgement of visits: who visited in its week (the
		// WeekDays up to and including Today), and when each last did. A
		// reply sent from a room counts as looking at it (the report's
		// rule): its person opened the plan.
		var seen, quiet []string
		week := map[string]bool{}
		var since deal.Date
		if w := in.Judged.dr.Week; w != nil {
			for _, id := range w.VisitorIDs {
				week[id] = true
			}
			since, _ = deal.ParseDate(w.Since)
		}
		for _, sr := range in.Judged.dr.Stakeholders {
			lv, err := deal.ParseDate(dayOfStamp(sr.LastVisit))
			lr, rerr := deal.ParseDate(dayOfStamp(sr.LastReply))
			replied := sr.Replies > 0 && rerr == nil
			switch {
			case sr.Visits > 0 && err == nil && week[sr.ID]:
				seen = append(seen, fmt.Sprintf("%s (%s)", md(sr.Name), shortDay(lv)))
			case replied && lr.After(since) && !lr.After(in.Today):
				seen = append(seen, fmt.Sprintf("%s (replied %s)", md(sr.Name), shortDay(lr)))
			case replied && (err != nil || lr.After(lv)):
				quiet = append(quiet, fmt.Sprintf("%s (last replied %s)", md(sr.Name), shortDay(lr)))
			case sr.Visits > 0 && err == nil:
				quiet = append(quiet, fmt.Sprintf("%s (last %s)", md(sr.Name), shortDay(lv)))
			default:
				quiet = append(quiet, md(sr.Name)+" (never)")
			}
		}
		if len(seen) > 0 {
			p("- Looked at the room this week: %s.", strings.Join(seen, ", "))
		}
		if len(quiet) > 0 {
			p("- Not this week: %s.", strings.Join(quiet, ", "))
		}
	} else {
		p("- Who looked at the room is not known: no event log was read (name the beacon's log, or -log-dir).")
	}
	p("")

	if lost {
		lossReview(p, in, name)
		p("")
		p("## Notes")
		p("")
		if d.Withdrawn {
			p("Keep the notes of this loss review with your team (your CRM, or a folder outside content/), not in content/%s/reviews/: the deal's rooms are taken down (`withdraw: true`), but that folder would be published in every room again if the deal were put back.", d.ID)
		} else {
			p("Keep the notes of this loss review with your team (your CRM, or a folder outside content/), not in content/%s/reviews/: every room of the deal shows that folder, and the buyer's people would read them. The deal's rooms stay open until the plan sets `withdraw: true`.", d.ID)
		}
		return b.String()
	}

	p("## Blockers (%s)", minutes(d.Review.Part()))
	p("")
	n := 0
	if k := len(in.CheckErrors); k > 0 {
		// As the report quotes them: the first three.
		p("- The plan fails check (%s): its dates and whose move below cannot be trusted until it is fixed (maproom check):", count(k, "error"))
		for _, msg := range in.CheckErrors[:min(3, k)] {
			p("  - %s", md(msg))
		}
		if k > 3 {
			p("  - and %d more.", k-3)
		}
		n++
	}
	// Each step once: a blocked one says how late it is too.
	lateBy := func(t *deal.Task) string {
		due := in.Due(t)
		late := deal.DaysLate(d, t, due, in.Today)
		if late <= 0 {
			return ""
		}
		s := fmt.Sprintf(", due %s, %s (%s)", shortDay(due), count(late, "day"), in.Overdue.Severity(late))
		// Late only because it waits on open work: say on what, as the
		// report does, not whose fault it is.
		if in.Judged.dr != nil {
			for _, o := range in.Judged.dr.Overdue {
				if o.Task == t.ID && o.WaitsOn != "" {
					if w, ok := d.Task(o.WaitsOn); ok {
						s += fmt.Sprintf(", waiting on \"%s\" (%s)", md(w.Title), name(w.Owner))
					}
				}
			}
		}
		return s
	}
	for _, t := range d.Tasks() {
		if t.Status == deal.Blocked {
			why := ""
			if r, ok := reply.LastBlocked(in.Decided, t.ID); ok && r.Reason != "" {
				why = fmt.Sprintf(": \"%s\", %s wrote", md(r.Reason), name(r.Stakeholder))
			}
			p("- Blocked: \"%s\" (%s)%s%s%s.", md(t.Title), name(t.Owner), blockedSince(in.Story, t.ID, in.Loc), lateBy(t), why)
			n++
		}
	}
	for _, t := range d.Tasks() {
		if late := lateBy(t); late != "" && t.Status != deal.Blocked {
			p("- Late: \"%s\" (%s)%s.", md(t.Title), name(t.Owner), late)
			n++
		}
	}
	shown := 0
	for _, r := range in.Judged.dr.Replies {
		if r.Superseded() || r.Preview {
			continue // their later reply stands (maproom replies names this one to close); the preview's is a click of the seller's
		}
		shown++
		what := r.Kind + " on "
		if r.TargetKind == reply.TargetTask || r.TargetKind == reply.TargetMilestone {
			what += `"` + md(r.About) + `"`
		} else {
			what += md(r.About)
		}
		if r.Date != "" {
			what += " for " + dayLabelLong(r.Date)
		}
		// Not their words: the agenda goes to both sides, and a reply
		// was written to the seller alone (maproom replies shows them).
		p("- Waiting for you: %s's reply (%s).", md(r.Person), what)
		n++
	}
	if shown > 0 {
		p("  (What they wrote is for you alone: maproom replies -deal %s.)", d.ID)
	}
	// The report's alerts for the day (a decider who never opened the
	// room, a plan that no longer fits its close, a proposal that would
	// move it...), but for what the lines above say: blocked and late steps.
	if dr := in.Judged.dr; dr != nil {
		for _, sg := range dr.Signals {
			if sg.Kind == report.SignalBlocked || sg.Kind == report.SignalLatePiling || history.IsSignal(sg.Kind) || // said below
				sg.Severity != report.SeverityAlert && sg.Kind != report.SignalOpenPastClose { // past its close: said at once
				continue
			}
			p("- Warning: %s.", md(sg.Summary))
			n++
		}
	}
	isHoliday := func(day deal.Date) bool { return slices.Contains(in.Holidays, day) }
	for _, sg := range history.Signals(history.Input{Deal: d, Story: in.Story, Reviews: days, Today: in.Today, Loc: in.Loc, Th: in.Th, Published: in.Published, DueOf: in.Due, Holiday: isHoliday}) {
		p("- Warning: %s.", md(sg.Evidence))
		n++
	}
	if n == 0 {
		p("- Nothing blocked, late or waiting.")
	}
	p("")

	p("## Next week (%s)", minutes(d.Review.Part()))
	p("")
	end := following
	var next []*deal.Task
	for _, t := range d.Tasks() {
		due := in.Due(t)
		if d.Pending(t) && t.Status != deal.Blocked && !due.IsZero() && !due.Before(in.Today) && !due.After(end) {
			next = append(next, t) // a blocked one is among the blockers
		}
	}
	slices.SortStableFunc(next, func(a, b *deal.Task) int { return in.Due(a).Time().Compare(in.Due(b).Time()) })
	switch {
	case len(next) == 0 && d.Outcome == deal.Won && !slices.ContainsFunc(d.Tasks(), d.Pending):
		p("- The deal is won and no onboarding step is open: the sale's work is over.")
	case len(next) == 0 && d.Outcome == deal.Won:
		p("- No onboarding step is due by %s (the deal is won: the sale's steps are over).", shortDay(end))
	case len(next) == 0:
		p("- Nothing is due by %s.", shortDay(end))
	}
	for _, t := range next {
		p("- Due %s: \"%s\" (%s).", shortDay(in.Due(t)), md(t.Title), name(t.Owner))
	}
	if tn, ok := deal.WaitingOn(d, in.Critical, in.Due, in.Today); ok {
		var an *report.Answer
		if dr := in.Judged.dr; dr != nil {
			an = report.AnswerTo(dr.Replies, tn.Task.ID)
		}
		if an != nil {
			// Answered from the room: the seller decides. The replies are
			// the seller's alone (the "Waiting for you" lines say which);
			// this part is shared with the buyer.
			p("- Whose move: yours (seller side), on \"%s\".", md(tn.Task.Title))
		} else {
			p("- Whose move: %s (%s side), on \"%s\".", name(tn.Task.Owner), tn.Side, md(tn.Task.Title))
		}
	}
	if d.Review.HasDay && (d.Outcome == deal.Open || d.Outcome == deal.Won && d.OnboardingLeft()) {
		// A won deal's review goes on while onboarding work is left.
		p("- Next review: %s at %s%s.", shortDay(following), d.Review.Time, holiday(following))
	}
	p("")
	p("## Notes")
	p("")
	p("Save the notes of this review as content/%s/reviews/%s.md: every room of the deal shows them, so write there what was agreed, not this agenda.", d.ID, meeting)
	return b.String()
}

// lossReview writes the middle of a lost deal's review, for the seller's
// team: where the plan stopped (the steps left open, most overdue first,
// with their owners and dates, and the warnings its history gave) and what
// to learn from it. A lost plan asks nothing more of anyone, so it has no
// blockers, replies waiting or next week.
func lossReview(p func(string, ...any), in reviewInput, name func(string) string) {
	d := in.Deal
	p("## Where it stopped (%s)", minutes(d.Review.Part()))
	p("")
	var open []*deal.Task
	for _, t := range d.Tasks() {
		if t.Status != deal.Done && !d.Onboarding(t) {
			open = append(open, t)
		}
	}
	slices.SortStableFunc(open, func(a, b *deal.Task) int { return cmpDue(in.Due(a), in.Due(b)) })
	if len(open) == 0 {
		p("- Every step of the sale was done: the plan did not stop, the decision went the other way.")
	}
	// How late a step was when the deal was lost, not today: the count
	// of a plan that stopped does not go on growing. Without the day in
	// the history (outside git, the loss not committed), as of today.
	end := endedOn(in.Story, deal.Lost, in.Loc, in.Today)
	when := " when the deal was lost"
	if _, ok := in.Story.EndedOn(deal.Lost, in.Loc); !ok {
		when = ""
	}
	for _, t := range open {
		state := "open"
		if t.Status == deal.Blocked {
			state = "blocked" + blockedSince(in.Story, t.ID, in.Loc)
		}
		due := in.Due(t)
		switch {
		case due.IsZero():
			p("- Left %s: \"%s\" (%s), no due date.", state, md(t.Title), name(t.Owner))
		case due.Before(end):
			p("- Left %s: \"%s\" (%s), due %s (%s past due%s).", state, md(t.Title), name(t.Owner), shortDay(due), count(due.DaysUntil(end), "day"), when)
		default:
			p("- Left %s: \"%s\" (%s), due %s.", state, md(t.Title), name(t.Owner), shortDay(due))
		}
	}
	// The warnings the plan gave while it was open: read as of the day
	// the deal was marked lost (history.Signals says nothing of an ended
	// deal, and a plan stays flat after the end by nature).
	asOpen := *d
	asOpen.Outcome = deal.Open
	story := in.Story // as it stood at the end: an edit after the loss is no lesson of the sale
	if story != nil {
		story = story.Until(endOfDay(end, in.Loc))
	}
	for _, sg := range history.Signals(history.Input{Deal: &asOpen, Story: story, Reviews: reviewDays(in.Notes, end), Today: end, Loc: in.Loc, Th: in.Th}) {
		p("- Warning the history gave before the end: %s.", sg.Evidence)
	}
	p("")
	p("## Lessons (%s)", minutes(d.Review.Part()))
	p("")
	p("- Which step stopped the deal, and whose was it?")
	p("- Was the decision maker in the plan, and did they open the room?")
	p("- What goes into the next plan from the start?")
}

// reviewDays are the days of the review notes held up to day, in the
// notes' order (oldest first).
func reviewDays(notes []handoff.Review, upTo deal.Date) []deal.Date {
	var days []deal.Date
	for _, n := range notes {
		if nd, err := deal.ParseDate(n.Day); err == nil && !nd.After(upTo) {
			days = append(days, nd)
		}
	}
	return days
}

// endedOn is the day the plan's history last set the deal's outcome to o,
// at the latest today; today when the history does not say.
func endedOn(st *history.Story, o deal.Outcome, loc *time.Location, today deal.Date) deal.Date {
	if day, ok := st.EndedOn(o, loc); ok && day.Before(today) {
		return day
	}
	return today
}

// cmpDue orders due dates, the earliest first and undated last.
func cmpDue(a, b deal.Date) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Time().Compare(b.Time())
}

// blockedSince says since when task id is blocked, from the history.
func blockedSince(st *history.Story, id string, loc *time.Location) string {
	if st == nil {
		return ""
	}
	for i := len(st.Changes) - 1; i >= 0; i-- {
		c := st.Changes[i]
		if c.Kind == history.TaskStatus && c.Item == id && c.To == string(deal.Blocked) {
			return ", since " + shortDay(history.DayOf(c.InPlan(), loc))
		}
	}
	return ""
}

// ownerLabel names an owner of deal d in the agenda: a stakeholder by
// name, an unassigned role as such.
func ownerLabel(d *deal.Deal, id string, esc func(string) string) string {
	if p, ok := d.Stakeholder(id); ok {
		return esc(p.Name)
	}
	if r, ok := strings.CutPrefix(id, "role:"); ok {
		return esc(strings.ReplaceAll(r, "-", " ")) + " (unassigned)"
	}
	return esc(id)
}

// maxChangeLines is how many changes the agenda's status lists: five
// minutes are not enough for more.
const maxChangeLines = 12

// changeLines says the changes in lines, oldest first: the moves of one
// date (a task's, a milestone's, the close's) are one line, where its last
// move is, from the first date to the last; the other changes a line each
// (describeChange).
func changeLines(changes []history.Change, d *deal.Deal, loc *time.Location) []string {
	type item struct {
		kind history.Kind
		id   string
	}
	moves := map[item][]history.Change{}
	isMove := func(c history.Change) bool {
		return c.Kind == history.TaskDue || c.Kind == history.MilestoneDue || c.Kind == history.CloseMoved
	}
	for _, c := range changes {
		if isMove(c) {
			k := item{c.Kind, c.Item}
			moves[k] = append(moves[k], c)
		}
	}
	var out []string
	seen := map[item]int{}
	for _, c := range changes {
		k := item{c.Kind, c.Item}
		ms := moves[k]
		if !isMove(c) || len(ms) < 2 {
			out = append(out, describeChange(c, d, loc, true, md))
			continue
		}
		if seen[k]++; seen[k] < len(ms) {
			continue // told with its last move
		}
		first, last := ms[0], ms[len(ms)-1]
		what := "the close date"
		switch c.Kind {
		case history.TaskDue:
			what = fmt.Sprintf("task \"%s\"", md(last.Title))
		case history.MilestoneDue:
			what = fmt.Sprintf("milestone \"%s\"", md(last.Title))
		}
		s := fmt.Sprintf("%s to %s: %s moved %d times, %s to %s", shortDay(history.DayOf(first.InPlan(), loc)), shortDay(history.DayOf(last.InPlan(), loc)),
			what, len(ms), dayLabel(first.From), dayLabel(last.To))
		if f, err := deal.ParseDate(first.From); err == nil {
			if t, err := deal.ParseDate(last.To); err == nil {
				s += fmt.Sprintf(" (net %+d days)", f.DaysUntil(t))
			}
		}
		// Who moved it, each named once, in the order they did.
		var who []string
		for _, m := range ms {
			if a := changeAuthor(m, d, true, md); a != "" && !slices.Contains(who, a) {
				who = append(who, a)
			}
		}
		if len(who) > 0 {
			s += ", by " + andList(who)
		}
		out = append(out, s)
	}
	return out
}

// describeChange says a change in a line: the day, who (a person named
// when the change was theirs, from their commit or their reply) and what,
// the plan's words written through esc (md for Markdown, plain for the
// handoff's HTML and JSON, which escape them themselves).
func describeChange(c history.Change, d *deal.Deal, loc *time.Location, seller bool, esc func(string) string) string {
	return describeChangeIn(c, d, loc, seller, esc, false)
}

// describeChangeIn is describeChange, its days with their year when
// withYear (the handoff's record, which spans the turn of a year).
func describeChangeIn(c history.Change, d *deal.Deal, loc *time.Location, seller bool, esc func(string) string, withYear bool) string {
	who := changeAuthor(c, d, seller, esc)
	dayLabel, shortDay := dayLabel, shortDay
	if withYear {
		dayLabel = func(s string) string {
			if d, err := deal.ParseDate(s); err == nil {
				return d.Time().Format("2 Jan 2006")
			}
			return s
		}
		shortDay = func(d deal.Date) string {
			if d.IsZero() {
				return "no date"
			}
			return d.Time().Format("Mon 2 Jan 2006")
		}
	}
	var what string
	switch c.Kind {
	case history.TaskDue, history.MilestoneDue:
		kind := "task"
		if c.Kind == history.MilestoneDue {
			kind = "milestone"
		}
		switch {
		case c.From == "":
			what = fmt.Sprintf("%s \"%s\" dated %s", kind, esc(c.Title), dayLabel(c.To))
		case c.To == "":
			what = fmt.Sprintf("%s \"%s\" lost its date (was %s)", kind, esc(c.Title), dayLabel(c.From))
		case c.Days > 0:
			what = fmt.Sprintf("%s \"%s\" moved %s later, %s to %s", kind, esc(c.Title), count(c.Days, "day"), dayLabel(c.From), dayLabel(c.To))
		default:
			what = fmt.Sprintf("%s \"%s\" moved %s earlier, %s to %s", kind, esc(c.Title), count(-c.Days, "day"), dayLabel(c.From), dayLabel(c.To))
		}
	case history.TaskStatus:
		what = fmt.Sprintf("task \"%s\": %s → %s", esc(c.Title), c.From, c.To)
	case history.TaskAdded:
		what = fmt.Sprintf("task \"%s\" added", esc(c.Title))
	case history.TaskRemoved:
		what = fmt.Sprintf("task \"%s\" removed", esc(c.Title))
	case history.MilestoneAdded:
		what = fmt.Sprintf("milestone \"%s\" added", esc(c.Title))
	case history.CloseMoved:
		what = fmt.Sprintf("close date moved from %s to %s", dayLabel(c.From), dayLabel(c.To))
	case history.DocAdded:
		what = fmt.Sprintf("document \"%s\" added", esc(c.Title))
	case history.PlanCreated:
		what = "plan written"
	case history.TaskOwner:
		what = fmt.Sprintf("task \"%s\" handed from %s to %s", esc(c.Title), ownerLabel(d, c.From, esc), ownerLabel(d, c.To, esc))
	case history.TaskRetitled:
		what = fmt.Sprintf("task \"%s\" renamed \"%s\"", esc(c.From), esc(c.To))
	case history.MilestoneRetitled:
		what = fmt.Sprintf("milestone \"%s\" renamed \"%s\"", esc(c.From), esc(c.To))
	case history.PlanEdited:
		what = "the plan's wording edited"
	case history.OutcomeSet:
		what = outcomeWords(c.To)
	default:
		what = string(c.Kind)
	}
	s := shortDay(history.DayOf(c.InPlan(), loc)) + ": " + what
	if who != "" {
		s += ", by " + who
	}
	return s
}

// changeAuthor names who made a change, when it was theirs ("" when not
// named): a buyer, from their commit or their reply, and with seller a
// person of the seller's side.
func changeAuthor(c history.Change, d *deal.Deal, seller bool, esc func(string) string) string {
	switch {
	case c.Author.Side == deal.Buyer:
		who := esc(c.Author.NameIn(d))
		switch {
		case c.Author.Preview:
			who += " (a reply sent from the local preview, not their own)"
		case c.Reply != "":
			who += " (their reply)"
		}
		return who
	case seller && c.Author.Name != "":
		return esc(c.Author.NameIn(d))
	}
	return ""
}

// outcomeWords says what setting a deal's outcome to o did.
func outcomeWords(o string) string {
	switch deal.Outcome(o) {
	case deal.Won:
		return "the deal marked won"
	case deal.Lost:
		return "the deal marked lost"
	}
	return "the deal opened again"
}

// dayLabelLong is a YYYY-MM-DD date as the agenda names days ("Thu 21
// Jan"); s itself when it is not one.
func dayLabelLong(s string) string {
	if d, err := deal.ParseDate(s); err == nil {
		return shortDay(d)
	}
	return s
}

func dayLabel(s string) string {
	d, err := deal.ParseDate(s)
	if err != nil {
		return s
	}
	return d.Time().Format("2 Jan")
}

// plansOf returns the deals' plans, whose stakeholders readHistory
// matches commit authors with.
func plansOf(deals []report.ReportDeal) []*deal.Deal {
	ds := make([]*deal.Deal, len(deals))
	for i := range deals {
		ds[i] = deals[i].Deal
	}
	return ds
}

// reportHistory gives each deal of the report its plan's story from h
// and the days of its review notes, and returns the note the report carries
// when the site is not in git ("" when it is).
func reportHistory(e *env, root string, site *generator.Site, deals []report.ReportDeal, h *history.History, today deal.Date) (string, []report.ReportDeal) {
	deals = plansOfTheDay(e, root, site.Config, deals, h, today)
	dirs := map[string]string{}
	bundles := map[string]*generator.Bundle{}
	for _, b := range site.Bundles {
		dirs[b.Deal.ID], bundles[b.Deal.ID] = b.Dir, b
	}
	for i := range deals {
		deals[i].Story = h.Story(deals[i].Deal.ID)
		if b := bundles[deals[i].Deal.ID]; b != nil && deals[i].Story != nil && deals[i].Deal == b.Deal && !deals[i].Story.Committed(b.Source) {
			// The plan read as it is on disk (not a past day's version).
			deals[i].Uncommitted = true
			fmt.Fprintf(e.stderr, "maproom: %s has changes not committed: the report reads the plan as it is, its history (slips, buyer edits, burn-up) stops at its last commit\n", filepath.Join(b.Dir, generator.BundleIndex))
		}
		notes, err := handoff.ReadReviews(dirs[deals[i].Deal.ID])
		if err != nil {
			fmt.Fprintf(e.stderr, "maproom: %s: %v\n", deals[i].Deal.ID, err)
		}
		for _, n := range notes {
			if d, err := deal.ParseDate(n.Day); err == nil {
				deals[i].Reviews = append(deals[i].Reviews, d)
			}
		}
	}
	if !h.InGit {
		return cmp.Or(h.Note, "the plans' git history could not be read"), deals
	}
	return "", deals
}

// plansOfTheDay gives a report for a past day the plans of that day: each
// deal whose plan was committed again after the day reads the version the
// last commit before the day's end left (under the folder name it had
// then), scheduled on the day; a deal first committed after the day did
// not exist on it and is left out, with a note. A deal not in git, or not
// changed since the day, keeps its plan as it is. A version of the day
// that does not decode (committed broken) fails check that day, with a
// note; one that cannot be read keeps the plan as it is, with a note.
func plansOfTheDay(e *env, root string, cfg *generator.Config, deals []report.ReportDeal, h *history.History, today deal.Date) []report.ReportDeal {
	if !h.InGit {
		return deals
	}
	t := today.AddDays(1).Time()
	end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cfg.Location)
	if end.After(e.now()) {
		// The day is not over: every commit there is was made by now,
		// whatever date a clock set wrong gave it, so the plans are as
		// they are.
		return deals
	}
	out := deals[:0]
	for _, rd := range deals {
		st := h.Deals[rd.Deal.ID]
		if st != nil && st.GoneAt(end.Add(-time.Second)) {
			// Its folder was removed on the day (and put back since).
			noteRemoved(e, rd.Deal.ID, today)
			continue
		}
		if st == nil || rd.Unreadable || st.Written.Before(end) {
			out = append(out, rd)
			continue
		}
		if !st.First.Before(end) {
			if h.Shallow {
				// The clone's history starts after the day: the deal may
				// well be older.
				fmt.Fprintf(e.stderr, "maproom: %s: the shallow clone's history starts after %s: the report reads the plan as it is now (git fetch --unshallow reads all of it)\n", rd.Deal.ID, today)
				out = append(out, rd)
				continue
			}
			fmt.Fprintf(e.stderr, "maproom: %s was first committed on %s, after %s: the report for that day leaves it out\n", rd.Deal.ID, st.First.In(cfg.Location).Format(time.DateOnly), today)
			continue
		}
		folders := []string{rd.Deal.ID}
		for i := len(st.Former) - 1; i >= 0; i-- {
			folders = append(folders, st.Former[i]) // newest first
		}
		text, ok, err := history.PlanAt(history.Options{Root: root}, folders, end)
		var d *deal.Deal
		if err == nil && ok {
			if d, err = generator.DecodePlan(rd.Deal.ID, text); err != nil {
				// The plan of that day was committed broken: it failed
				// check that day, as a broken file on disk does today.
				fmt.Fprintf(e.stderr, "maproom: %s: the plan of %s fails check (%v): the report reads it as failing that day\n", rd.Deal.ID, today, err)
				rd.CheckErrors = max(rd.CheckErrors, 1)
				rd.Plan = nil
				out = append(out, rd)
				continue
			}
		}
		if err == nil && !ok && !h.Shallow {
			// Committed before the day, and no version on it: its folder
			// was removed by then (and put back since).
			noteRemoved(e, rd.Deal.ID, today)
			continue
		}
		if err != nil || !ok {
			fmt.Fprintf(e.stderr, "maproom: %s: the plan of %s cannot be read (%v): the report reads the plan as it is now\n", rd.Deal.ID, today, cmp.Or(err, errors.New("no version")))
			out = append(out, rd)
			continue
		}
		d = d.AsOf(today) // as a loaded bundle is: done after the day is open on it
		// Withdrawn since the day: its rooms are out of the manifest now,
		// which says nothing of whether they were out that day.
		rd.RoomsUnknown = rd.Deal.Withdrawn && !d.Withdrawn
		rd.Deal, rd.CheckErrors = d, 0
		rd.Plan, _ = schedule.Compute(d, today, schedule.NewCalendar(cfg.HolidayDays...))
		out = append(out, rd)
	}
	return out
}

// md writes text from the plan or a reply (a title, a name, a reason)
// into the agenda as plain text (mdtext.Escape).
func md(s string) string { return mdtext.Escape(s) }

// reviewLength says how long the plan's review meeting is: "15 minutes",
// "1 hour 30 minutes".
func reviewLength(r deal.Review) string {
	l := r.Length
	if l <= 0 {
		l = 15 * time.Minute
	}
	h, m := int(l/time.Hour), int(l%time.Hour/time.Minute)
	switch {
	case h == 0:
		return minutes(m)
	case m == 0:
		return count(h, "hour")
	}
	return count(h, "hour") + " " + minutes(m)
}

// minutes says n minutes.
func minutes(n int) string { return count(n, "minute") }

// andList joins names as a sentence does: "A", "A and B", "A, B and C".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// historyUnread says why a site in git has no history read at all (its
// content folder linked out of the repository, no commit yet: History's
// note), "" when its history was read or the site is not in git.
func historyUnread(h *history.History) string {
	if (h.InGit || h.Unborn) && len(h.Deals) == 0 && h.Note != "" && !h.Shallow {
		return h.Note
	}
	return ""
}

// noteRemoved says that a report for a past day leaves out a deal whose
// folder was removed by then.
func noteRemoved(e *env, id string, today deal.Date) {
	fmt.Fprintf(e.stderr, "maproom: %s was not among the plans on %s (its folder was removed by then): the report for that day leaves it out\n", id, today)
}
