package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/reply"
)

const handoffAbout = `Writes the customer-success handoff of a deal: the goal and the criteria promised, who's who
with their engagement (from the event log, when there is one), the completed steps with their
dates and evidence, the replies and answers, the plan's history from git, the review notes
(content/<deal>/reviews/*.md) and
the open items with their owners. Three files: handoff.html (one self-contained page, no script,
opens offline), handoff.md and handoff.json. The folder is private by default (under .maproom/),
never published.`

func cmdHandoff(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("handoff", "<deal-id> [flags]", handoffAbout)
	s := e.siteFlags(fs)
	out := fs.String("out", "", "folder to write the three files to (default <root>/.maproom/handoff/<deal-id>)")
	logDir := fs.String("log-dir", e.envOr("MAPROOM_LOG_DIR", ""), "the event log, for engagement (default <root>/.maproom/events when it exists) [MAPROOM_LOG_DIR]")
	od, err := e.loadOneDeal(fs, s, "handoff", args)
	if err != nil {
		return err
	}
	id, today, cfg, dir, b := od.id, od.today, od.cfg, od.dir, od.b
	d := b.Deal
	recs, err := reply.ReadRecords(dir)
	if err != nil {
		return err
	}
	reviews, err := handoff.ReadReviews(dir)
	if err != nil {
		return err
	}
	hb := handoff.New(handoff.Input{Deal: d, Records: recs, Reviews: reviews, Today: today, TZ: cfg.Location,
		DueOf: func(t *deal.Task) deal.Date {
			if b.Plan == nil {
				return t.Due
			}
			due, _ := b.Plan.DueOf(t)
			return due
		}})
	if err := handoffEngagement(hb, d, s.root, *logDir); err != nil {
		return err
	}
	if h := readHistory(ctx, e, s.root, []*deal.Deal{d}, false); h.InGit {
		hb.HistoryRead = true
		if st := h.Story(id); st != nil {
			for _, c := range st.Changes {
				hb.History = append(hb.History, describeChange(c, cfg.Location, true))
			}
		}
	}
	if *out == "" {
		*out = filepath.Join(s.root, ".maproom", "handoff", id)
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

// handoffEngagement adds the deal's human events of the event log to the
// handoff: no log is no engagement, not an error.
func handoffEngagement(hb *handoff.Bundle, d *deal.Deal, root, logDir string) error {
	if logDir == "" {
		logDir = filepath.Join(root, ".maproom", "events")
		if _, err := os.Stat(logDir); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	titles := map[string]string{}
	for _, c := range d.Collateral {
		titles[c.ID] = c.Title
	}
	_, err := eventlog.ReadLogs([]string{logDir}, func(ev event.Event) error {
		if ev.Deal != d.ID || ev.Crawler != "" || ev.Webdriver || ev.Kind == event.KindReply {
			return nil
		}
		opened := ""
		if ev.Kind.Collateral() {
			opened = titles[ev.Collateral]
		}
		hb.Seen(ev.Stakeholder, ev.Time, ev.Kind == event.KindView, ev.ActiveMS, opened)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the event log for engagement: %w", err)
	}
	hb.Engaged = true // read: a person without events never opened their room
	return nil
}
