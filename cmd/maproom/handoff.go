package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

const handoffAbout = `Writes the customer-success handoff of a deal: the goal and the criteria promised, who's who
with their engagement (from the event log, when there is one), the completed steps with their
dates and evidence, the replies and answers, the plan's history from git, the review notes
(content/<deal>/reviews/*.md) and the open items: the open steps with their owners, and the
replies sent from the rooms that wait for an answer (read from the event log, as maproom
replies reads it). Three files: handoff.html (one self-contained page, no script,
opens offline), handoff.md and handoff.json. The folder is private by default (under .maproom/),
never published.`

func cmdHandoff(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("handoff", "<deal-id> [flags]", handoffAbout)
	s := e.siteFlags(fs)
	out := fs.String("out", "", "folder to write the three files to (default <root>/.maproom/handoff/<deal-id>)")
	logDir := fs.String("log-dir", e.envOr("MAPROOM_LOG_DIR", ""), "the event log, for engagement and the replies sent (default <root>/.maproom/events when it exists) [MAPROOM_LOG_DIR]")
	od, err := e.loadOneDeal(fs, s, "handoff", args)
	if err != nil {
		return ignoreHelp(err)
	}
	// As of the day: the plan of that day (the report's and the review's
	// rule), and nothing written after it.
	h, err := od.asOfDay(ctx, e, s.root, "handoff", false)
	if err != nil {
		return err
	}
	id, today, cfg, dir, b := od.id, od.today, od.cfg, od.dir, od.b
	d := b.Deal
	all, err := reply.ReadRecords(dir)
	if err != nil {
		return err
	}
	// The replies sent from the rooms are read from the source maproom
	// replies and maproom review read (the log -log-dir names, else the
	// site's): a reply no record decides waits, and is an open item.
	var logs []string
	if *logDir != "" {
		logs = []string{*logDir}
	}
	rr := readSentReplies(ctx, e, s.root, "", logs, false)
	rr.sent = e.rehomed(ctx, s.root, rr.sent, h)
	io.WriteString(e.stderr, rr.notes)
	waiting, decided := reply.Split(rr.sent, all)
	// As of the day: nothing sent after it, and a decision made after it
	// leaves the reply waiting, as it was then.
	end := endOfDay(today, cfg.Location)
	var recs []reply.Record
	// A reply sent from the local preview is the seller's click, not the
	// person's word: left out, as from the published rooms, unless it was
	// accepted (it changed the plan).
	for _, r := range waiting {
		if r.Deal == id && r.Time.Before(end) && !r.Preview {
			recs = append(recs, reply.Record{Reply: r})
		}
	}
	for _, rec := range decided {
		if rec.Reply.Deal != id || !rec.Reply.Time.Before(end) || rec.Reply.Preview && rec.State() != reply.Accepted {
			continue
		}
		rec.Decisions = slices.DeleteFunc(slices.Clone(rec.Decisions), func(dc reply.Decision) bool { return !dc.Time.Before(end) })
		recs = append(recs, rec)
	}
	slices.SortStableFunc(recs, func(a, b reply.Record) int { return a.Reply.Time.Compare(b.Reply.Time) })
	notes, err := handoff.ReadReviews(dir)
	if err != nil {
		return err
	}
	var reviews []handoff.Review
	for _, n := range notes {
		if n.Day <= today.String() {
			reviews = append(reviews, n)
		}
	}
	// Signed: the day the sale's last step was done, as the plan records
	// it (the signature, in a plan that ends with it), else the day the
	// plan's history marked the deal won.
	var signed deal.Date
	st := storyOn(h, id, today, cfg.Location)
	if d.Outcome == deal.Won {
		if last, ok := d.SaleDoneOn(); ok && !last.After(today) {
			signed = last
		} else if st != nil {
			signed = endedOn(st, deal.Won, cfg.Location, today.AddDays(1))
			if signed.After(today) {
				signed = deal.Date{} // the history does not say
			}
		}
	}
	hb := handoff.New(handoff.Input{Deal: d, Records: recs, Reviews: reviews, Today: today, TZ: cfg.Location, Signed: signed,
		DueOf: func(t *deal.Task) deal.Date {
			if b.Plan == nil {
				return t.Due
			}
			due, _ := b.Plan.DueOf(t)
			return due
		}})
	// Every reply is engagement, waiting or decided, as in the report.
	var waitingNow []reply.Reply
	var decidedNow []reply.Record
	for _, rec := range recs {
		if rec.State() == reply.Waiting {
			waitingNow = append(waitingNow, rec.Reply)
		} else {
			decidedNow = append(decidedNow, rec)
		}
	}
	j, err := judgeDeal(ctx, od, s.root, *logDir, waitingNow, decidedNow, h.Story(id))
	if err != nil {
		return err
	}
	handoffEngagement(hb, j)
	switch unread := historyUnread(h); {
	case unread != "":
		hb.HistoryNote = unread
	case !h.InGit:
		hb.HistoryNote = "the site is not in a git repository"
	case st == nil:
		hb.HistoryNote = fmt.Sprintf("the plan is not committed yet: commit content/%s/ and the history starts", id)
	default:
		hb.HistoryRead = true
		for _, c := range st.Changes {
			hb.History = append(hb.History, describeChangeIn(c, d, cfg.Location, true, plainText, true))
		}
	}
	if *out == "" {
		*out = filepath.Join(s.root, ".maproom", "handoff", id)
	} else if dir, ok := publishedIn(s.root, *out); ok {
		return fmt.Errorf("handoff: -out %s is inside %s, which is published: the handoff holds what only your team reads (every stakeholder's email and role, their engagement, the replies), so write it elsewhere (the default is .maproom/handoff/%s)", *out, dir, id)
	}
	html, err := hb.HTML()
	if err != nil {
		return err
	}
	js, err := hb.JSON()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"handoff.html", html}, {"handoff.md", hb.Markdown()}, {"handoff.json", js}} {
		p := filepath.Join(*out, f.name)
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", p)
	}
	if d.Outcome != deal.Won {
		fmt.Fprintf(e.stderr, "note: %s is %s, not won: the handoff shows where it stands\n", id, d.Outcome)
	}
	return nil
}

// dealJudged is one deal as the report judges it for the day of od: its
// DealReport and whether an event log was read for it.
type dealJudged struct {
	dr *report.DealReport
	// logRead is false when there is no event log: nobody's engagement is
	// known, which is not "never opened".
	logRead bool
}

// judgeDeal reads the deal of od through the report's Aggregator, for
// od.today, with the rooms the manifest at root records (none built: the
// rooms' scope from the content, as the report takes it): the event log at logDir (default <root>/.maproom/events; no
// log there is no engagement, not an error), waiting, the replies sent
// from the deal's rooms that no record decides, and decided, those a record
// decides (nil: none; both count as engagement, as in the report); st, the
// deal's whole history (nil outside git: not the story of the day, which
// leaves out a rename after it), gives the names its folder has had, whose
// logged views are its own. So the
// review and the handoff count what the report counts: visits are the
// report's (analytics/report/engagement.go: no crawler, no automated
// browser, no scanner-like page-load, no glance, nothing of maproom
// serve's local preview, nothing after the day), and a waiting reply
// names its task or milestone by title, left out when sent after the day.
func judgeDeal(ctx context.Context, od *oneDeal, root, logDir string, waiting []reply.Reply, decided []reply.Record, st *history.Story) (dealJudged, error) {
	cfg := od.cfg
	// The rooms as built: who has a room, and since when (a room published
	// days ago is not "never opened"; an unpublished deal is not unvisited).
	mr := readManifest(root)
	if mr.err != nil {
		return dealJudged{}, mr.err // it names the file, as report's does
	}
	agg := report.NewAggregator([]report.ReportDeal{{Deal: od.b.Deal, Plan: od.b.Plan, Waiting: waiting, Decided: decided, Story: st,
		CheckErrors: len(od.checkErrs), CheckMessages: od.checkErrs}}, report.ReportOptions{
		Today: od.today, Location: cfg.Location, FlagDays: cfg.Overdue.FlagDays, AlertDays: cfg.Overdue.AlertDays,
		Deal: od.id, Manifest: mr.m, Calendar: schedule.NewCalendar(cfg.HolidayDays...), Engagement: engagement(cfg.Engagement),
		History: cfg.History.Thresholds(), UnopenedDays: cfg.Notify.UnopenedDays, Purged: readPurged(nil, root),
	})
	read := true
	if logDir == "" {
		logDir = filepath.Join(root, ".maproom", "events")
		if _, err := os.Stat(logDir); errors.Is(err, fs.ErrNotExist) {
			read = false
		}
	}
	if read {
		if err := agg.ReadLogs(ctx, []string{logDir}); err != nil {
			return dealJudged{}, fmt.Errorf("reading the event log for engagement: %w", err)
		}
	}
	rep := agg.Report()
	if len(rep.Deals) != 1 {
		return dealJudged{}, fmt.Errorf("the report has no deal %q", od.id)
	}
	return dealJudged{dr: &rep.Deals[0], logRead: read}, nil
}

// handoffEngagement gives the handoff's people the visits the report
// counts (judgeDeal): the buyer side's; the seller side's views of their
// rooms are previews, never engagement.
func handoffEngagement(hb *handoff.Bundle, j dealJudged) {
	if !j.logRead {
		return
	}
	hb.Engaged = true // read: a person without visits never opened their room
	for _, sr := range j.dr.Stakeholders {
		v := handoff.Visits{Visits: sr.Visits, First: dayOfStamp(sr.FirstVisit), Last: dayOfStamp(sr.LastVisit),
			ActiveSeconds: sr.ActiveSeconds, Replies: sr.Replies, LastReply: dayOfStamp(sr.LastReply)}
		for _, o := range sr.Opened {
			v.Opened = append(v.Opened, o.Title)
		}
		hb.Engage(sr.ID, v)
	}
}

// dayOfStamp is the day, YYYY-MM-DD, of an RFC 3339 time the report
// writes in the site timezone; "" for none.
func dayOfStamp(s string) string {
	if len(s) < len(time.DateOnly) {
		return ""
	}
	return s[:len(time.DateOnly)]
}

// plainText is text as it is: for the handoff, whose formats escape what
// they write themselves.
func plainText(s string) string { return s }
