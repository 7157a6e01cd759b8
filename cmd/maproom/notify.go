package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/notify"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
	"github.com/maproom/maproom/internal/token"
)

// notifyStorePath is the record of what was sent, under the site's
// private folder.
func notifyStorePath(root string) string {
	return filepath.Join(root, ".maproom", filepath.FromSlash(notify.StoreFile))
}

// channelSet is the channels maproom.toml turns on, and what is wrong with
// each that cannot work (a secret missing from the environment).
type channelSet struct {
	channels []notify.Channel
	// broken says, per channel name, why a real run cannot send on it.
	broken map[string]string
}

// notifyChannels builds the channels [notify] turns on. A channel whose
// secret is missing is left out and named in broken: the other channels
// still send, and the run ends non-zero. emailOnly leaves Slack and
// webhooks out (invitations go by email only).
func (e *env) notifyChannels(cfg *generator.Config, emailOnly bool) channelSet {
	n := cfg.Notify
	cs := channelSet{broken: map[string]string{}}
	secret := func(channel, key, name string) (string, bool) {
		v := e.getenv(name)
		if v == "" {
			cs.broken[channel] = fmt.Sprintf("[notify] %s names %s, which is not set in the environment: set it (never in maproom.toml)", key, name)
			return "", false
		}
		return v, true
	}
	if n.SMTPHost != "" {
		em := &notify.Email{Host: n.SMTPHost, Port: n.SMTPPort, From: n.From, Now: e.now}
		ok := true
		if n.SMTPUsernameEnv != "" {
			var uok, pok bool
			em.Username, uok = secret("email", "smtp_username_env", n.SMTPUsernameEnv)
			em.Password, pok = secret("email", "smtp_password_env", n.SMTPPasswordEnv)
			ok = uok && pok
		}
		if ok {
			cs.channels = append(cs.channels, em)
		}
	}
	if emailOnly {
		return cs
	}
	if n.SlackWebhookEnv != "" {
		if u, ok := secret("slack", "slack_webhook_env", n.SlackWebhookEnv); ok {
			// The URL is the secret: never shown, but checked, so that a
			// token pasted in its place, or plain http to another host,
			// is said at once rather than tried four times.
			pu, err := url.Parse(u)
			loopback := err == nil && (pu.Hostname() == "127.0.0.1" || pu.Hostname() == "localhost" || pu.Hostname() == "::1")
			if err != nil || pu.Host == "" || pu.Scheme != "https" && !(pu.Scheme == "http" && loopback) {
				cs.broken["slack"] = fmt.Sprintf("%s does not hold an https URL (a Slack incoming webhook is https://hooks.slack.com/services/...): set it to the webhook's URL", n.SlackWebhookEnv)
			} else {
				cs.channels = append(cs.channels, &notify.Slack{URL: u, Retry: notify.DefaultRetry})
			}
		}
	}
	if n.WebhookURL != "" {
		if s, ok := secret("webhook", "webhook_secret_env", n.WebhookSecretEnv); ok {
			cs.channels = append(cs.channels, &notify.Webhook{URL: n.WebhookURL, Secret: []byte(s), Retry: notify.DefaultRetry, Now: e.now})
		}
	}
	return cs
}

// dryChannels are the channels a dry run shows: every channel [notify]
// turns on, secrets or not (nothing is sent), so the preview says which
// would carry each message.
func dryChannels(cfg *generator.Config, emailOnly bool) []notify.Channel {
	n := cfg.Notify
	var chans []notify.Channel
	if n.SMTPHost != "" {
		chans = append(chans, &notify.Email{Host: n.SMTPHost, From: n.From})
	}
	if emailOnly {
		return chans
	}
	if n.SlackWebhookEnv != "" {
		chans = append(chans, &notify.Slack{})
	}
	if n.WebhookURL != "" {
		chans = append(chans, &notify.Webhook{})
	}
	return chans
}

// has reports whether channel name is configured, working or broken.
func (cs channelSet) has(name string) bool {
	if _, ok := cs.broken[name]; ok {
		return true
	}
	return slices.ContainsFunc(cs.channels, func(c notify.Channel) bool { return c.Name() == name })
}

// reportBroken writes why each broken channel cannot send.
func (cs channelSet) reportBroken(w io.Writer, what string) {
	for _, name := range []string{"email", "slack", "webhook"} {
		if why, ok := cs.broken[name]; ok {
			fmt.Fprintf(w, "maproom: %s: %s; %s by the other channels\n", name, why, what)
		}
	}
}

// printNotes writes what could not be told.
func printNotes(w io.Writer, notes []notify.Note) {
	for _, n := range notes {
		fmt.Fprintf(w, "maproom: %s: %s\n", n.Deal, n.Text)
	}
}

const notifyAbout = `Works out what needs telling today and sends each thing once: a flag (flag_days late) and
an alert (alert_days late) on an open task to its seller-side owner, or to the deal's account
executive for a buyer's task; at alert, on a buyer's task, a short reminder emailed to the
deal's champion with a link to their own room; each reply waiting for you; a decider
(economic buyer, approver) who has not opened their room [notify] unopened_days (7) after
it was published; the economic buyer's first visit. Overdue work, visits and waiting replies
are the report's (maproom report), read from the same logs or -store.

Channels are maproom.toml's [notify]: Slack (slack_webhook_env), email (smtp_host, STARTTLS
with a verified certificate), signed webhooks (webhook_url, webhook_secret_env); secrets only
from the environment variables named there. A buyer's reminder goes by email only. What was
sent is recorded per channel in <root>/.maproom/notify/sent.json, so a rerun sends nothing
new; a channel that fails does not stop the others, nothing it failed to send is recorded,
and the run exits 1. A crash between sending and recording sends that message again on the
next run (at least once): webhooks carry an Idempotency-Key header for the receiver to drop
the repeat. -digest (or [notify] digest = true) sends one message per person per day.
Run it from cron, a systemd timer or a scheduled CI job (see the README).`

func cmdNotify(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("notify", "[flags] [log file, folder or - ...]", notifyAbout)
	s := e.siteFlags(fs)
	dry := fs.Bool("dry-run", false, "print every message that would be sent, and send and record nothing")
	digest := fs.Bool("digest", false, "one message per person per day (also [notify] digest = true)")
	dealID := fs.String("deal", "", "only this deal")
	store := fs.String("store", e.envOr("MAPROOM_STORE", ""), "read the events and replies from this PostgreSQL store instead of logs [MAPROOM_STORE]")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	in, site, err := e.notifyInput(ctx, s.root, today, *dealID, *store, paths)
	if err != nil {
		return err
	}
	cfg := site.Config
	// A room not opened counts from when maproom invite sent its link, when
	// it did after the room was published.
	if st, err := notify.OpenStore(notifyStorePath(s.root)); err == nil {
		e.rehomedStore(ctx, s.root, site, st)
		for i := range in.Deals {
			f := &in.Deals[i]
			for j := range f.Engagement {
				// Invited with the link they have now: an invitation of a
				// link since replaced (rotated, or a folder renamed) is
				// none ...
				var who notify.Person
				for _, p := range f.People {
					if p.ID == f.Engagement[j].Person {
						who = p
					}
				}
				if who.Link == "" {
					continue
				}
				// ... and to the address they have now (a corrected one
				// was never sent it).
				if rec, ok := st.SentAny(notify.InviteKey(f.ID, who.ID, who.Link)); ok && notify.SameAddress(rec.Addr, who.Email) {
					f.Engagement[j].Invited = deal.DateOf(rec.Sent.In(cfg.Location))
				}
			}
		}
	}
	ns, notes := notify.Decide(in)
	printNotes(e.stderr, notes)
	useDigest := *digest || cfg.Notify.Digest

	storePath := notifyStorePath(s.root)
	if *dry {
		st, err := notify.OpenStore(storePath)
		if err != nil {
			return err
		}
		e.rehomedStore(ctx, s.root, site, st)
		chans := dryChannels(cfg, false)
		if len(chans) == 0 {
			fmt.Fprintf(e.stderr, "note: no channel is configured ([notify] in %s): a real run would send nothing\n", generator.ConfigPath(s.root))
		}
		sender := &notify.Sender{Channels: chans, Store: st, Now: e.now, Digest: useDigest, Day: today}
		outs := sender.DryRun(ns)
		if len(chans) == 0 {
			outs = nil
			preview := ns
			if useDigest {
				// One message per person for the day, as a real run sends.
				preview = notify.Digest(ns, today)
			}
			for _, n := range preview {
				outs = append(outs, notify.Outcome{Notice: n, Status: notify.StatusWould, Channel: "(no channel)"})
			}
		}
		if len(outs) == 0 {
			fmt.Fprintln(e.stdout, "nothing needs telling")
			return nil
		}
		return notify.WritePreview(e.stdout, outs, cfg.Location)
	}

	cs := e.notifyChannels(cfg, false)
	if len(cs.channels) == 0 && len(cs.broken) == 0 {
		return fmt.Errorf("no channel is configured: add a [notify] section to %s (smtp_host, slack_webhook_env or webhook_url; see maproom help notify)", generator.ConfigPath(s.root))
	}
	lock, err := notify.Lock(storePath)
	if err != nil {
		return err
	}
	defer lock.Close()
	st, err := notify.OpenStore(storePath)
	if err != nil {
		return err
	}
	e.rehomedStore(ctx, s.root, site, st)
	sender := &notify.Sender{Channels: cs.channels, Store: st, Now: e.now, Digest: useDigest, Day: today}
	outs, sendErr := sender.Send(ctx, ns)
	if err := sender.Close(); err != nil {
		e.log.Debug("closing the mail connection", "err", err)
	}
	sent, already, held := 0, 0, 0
	for _, o := range outs {
		switch o.Status {
		case notify.StatusSent:
			sent++
			fmt.Fprintf(e.stdout, "sent by %s to %s: %s\n", o.Channel, o.Notice.To.Name, o.Notice.Subject)
		case notify.StatusAlready:
			if o.Why == notify.HeldForNextDigest {
				held++
				continue
			}
			already++
		case notify.StatusSkipped:
			if o.Channel == "" {
				why := o.Why
				if o.Notice.Audience == notify.Buyer && !cs.has("email") {
					why += ": set [notify] smtp_host"
				}
				fmt.Fprintf(e.stderr, "maproom: not sent: %s, to %s: %s\n", o.Notice.Subject, o.Notice.To.Name, why)
			}
		}
	}
	fmt.Fprintf(e.stdout, "%s sent, %s already sent before\n", count(sent, "message"), count(already, "message"))
	if held > 0 {
		fmt.Fprintf(e.stdout, "%s wait for the next digest: today's was sent\n", count(held, "digest"))
	}
	failed := sendErr != nil || len(cs.broken) > 0
	cs.reportBroken(e.stderr, "its messages were not sent (and are not recorded); the others went")
	if sendErr != nil {
		for _, err := range unjoin(sendErr) {
			fmt.Fprintf(e.stderr, "maproom: %v\n", err)
		}
	}
	if failed {
		fmt.Fprintln(e.stderr, "maproom: what failed is not recorded as sent (but for a message recorded as sent above): the next run tries it again")
		return errFailed
	}
	return nil
}

// notifyInput fills notify's input from the report of today: the same
// plans, manifest, logs (or -store) and replies as maproom report reads,
// so notify and the report never disagree on what is late or who
// visited. Nothing is chased on a lost deal: of it, only the replies
// waiting for the seller are told.
func (e *env) notifyInput(ctx context.Context, root string, today deal.Date, dealID, store string, paths []string) (notify.Input, *generator.Site, error) {
	mc := make(chan manifestRead, 1)
	go func() { mc <- readManifest(root) }()
	rc := make(chan repliesRead, 1)
	go func() { rc <- readSentReplies(ctx, e, root, store, paths, true) }()
	site, ps := e.loadSite(root, today)
	mr, rr := <-mc, <-rc
	cfgErrs := generator.Problems{}
	for _, p := range ps {
		if p.Severity == generator.Error && p.File == generator.ConfigPath(root) {
			cfgErrs = append(cfgErrs, p)
		}
	}
	if len(site.Bundles) == 0 || len(cfgErrs) > 0 {
		// Settings in doubt (a secret written in the file, say): nothing is sent.
		printProblems(e.stderr, cfgErrs)
		if len(cfgErrs) == 0 {
			printProblems(e.stderr, ps)
		}
		return notify.Input{}, nil, errFailed
	}
	deals := reportDeals(e, site, ps)
	if dealID != "" && !hasDeal(deals, dealID) {
		return notify.Input{}, nil, noDeal(site, dealID)
	}
	if now := deal.DateOf(e.now().In(site.Config.Location)); today.Before(now) {
		// A run for a past day tells what the plans of that day told, as
		// the report of that day does (in git; the plans as they are
		// outside it).
		ds := make([]*deal.Deal, len(deals))
		for i := range deals {
			ds[i] = deals[i].Deal
		}
		deals = plansOfTheDay(e, root, site.Config, deals, readHistory(ctx, e, root, ds, false), today)
	}
	m, err := mr.use(e)
	if err != nil {
		return notify.Input{}, nil, err
	}
	rr.addWaiting(e, site, deals)
	cfg := site.Config
	purged := readPurged(e, root)
	agg := report.NewAggregator(deals, report.ReportOptions{
		Title: cfg.Title, Today: today, Location: cfg.Location,
		FlagDays: cfg.Overdue.FlagDays, AlertDays: cfg.Overdue.AlertDays,
		Deal: dealID, Manifest: m, Calendar: schedule.NewCalendar(cfg.HolidayDays...),
		Engagement: engagement(cfg.Engagement), UnopenedDays: cfg.Notify.UnopenedDays, Purged: purged,
	})
	if err := feedEvents(ctx, e, agg, root, store, paths); err != nil {
		return notify.Input{}, nil, err
	}
	rep := agg.Report()
	warnInput(e.stderr, rep.Input)

	secret, err := e.builtSecret(root)
	if err != nil {
		return notify.Input{}, nil, err
	}
	// Only a link the last build wrote is sent (as invite sends them): a
	// room never built, or rotated away, is a 404 in the buyer's inbox.
	live := map[string]bool{}
	if m != nil {
		for _, r := range m.Rooms {
			if !r.Retired {
				live[r.Key] = true
			}
		}
	}
	bundles := map[string]*generator.Bundle{}
	for _, b := range site.Bundles {
		bundles[b.Deal.ID] = b
	}
	// Nor a link of a person whose line is in error (an id given to
	// someone else, a rotation set back): the link may be another's.
	errLines := map[string]bool{}
	for _, p := range ps {
		if p.Severity == generator.Error {
			errLines[fmt.Sprintf("%s:%d", p.File, p.Line)] = true
		}
	}
	links := map[[2]string]string{}
	for _, l := range generator.Links(site, secret) {
		if b := bundles[l.Deal]; b != nil {
			if s, ok := b.Deal.Stakeholder(l.Stakeholder); ok && errLines[fmt.Sprintf("%s:%d", filepath.Join(b.Dir, generator.BundleIndex), s.Line)] {
				continue
			}
		}
		if tok := strings.TrimSuffix(strings.TrimPrefix(l.Path, "r/"), "/"); live[token.Key(tok)] {
			links[[2]string{l.Deal, l.Stakeholder}] = l.URL
		}
	}
	raw, decided := rawReplies(deals), map[string][]reply.Record{}
	for _, rd := range deals {
		if rd.Deal != nil {
			decided[rd.Deal.ID] = rd.Decided
		}
	}
	in := notify.Input{Today: today, UnopenedDays: cfg.Notify.UnopenedDays, NoEmail: cfg.Notify.SMTPHost == "", NoReplies: cfg.BeaconURL == ""}
	dayDeal := map[string]*deal.Deal{} // the plans of the day (a past -today's), else as they are
	for _, rd := range deals {
		if rd.Deal != nil {
			dayDeal[rd.Deal.ID] = rd.Deal
		}
	}
	for _, dr := range rep.Deals {
		b := bundles[dr.ID]
		if b == nil {
			continue
		}
		current := b.Deal
		if d := dayDeal[dr.ID]; d != nil && d != b.Deal {
			day := *b
			day.Deal = d
			b = &day
		}
		if b.Deal.Closed() || b.Deal.Withdrawn {
			// A lost deal chases nobody, but a reply its buyers sent
			// still waits for the seller to answer or decline it (their
			// last word is often why): that alone is told.
			f := notifyFacts(b, dr, m, links, cfg.Location, purged)
			noteBlocked(b, f.Waiting, raw[dr.ID], decided[dr.ID])
			f.Overdue, f.Engagement = nil, nil
			if len(f.Waiting) > 0 && !current.Withdrawn {
				in.Deals = append(in.Deals, f)
			}
			continue
		}
		if (current.Closed() || current.Withdrawn) && !b.Deal.Closed() {
			// Lost since that day: its buyers are not chased, nor its
			// sellers told, about a sale that is over.
			fmt.Fprintf(e.stderr, "maproom: %s was lost after %s: nothing is told of it for that day\n", dr.ID, today)
			continue
		}
		f := notifyFacts(b, dr, m, links, cfg.Location, purged)
		noteBlocked(b, f.Waiting, raw[dr.ID], decided[dr.ID])
		f.Won = b.Deal.Outcome == deal.Won
		if current.Outcome == deal.Won && b.Deal.Outcome != deal.Won {
			// Won since that day: its onboarding goes on, told as for a
			// won deal (to customer success); its sale steps are over.
			f.Won = true
			f.Overdue = slices.DeleteFunc(f.Overdue, func(o notify.Overdue) bool {
				t, ok := current.Task(o.Task)
				return !ok || !current.Pending(t)
			})
		}
		if f.Won || !agg.EventsRead() {
			// A won deal carries on into onboarding: its late steps and
			// the replies waiting are told; who opened the room no longer
			// decides anything. Without an event log nobody can be told
			// that a decider never opened their room.
			f.Engagement = nil
		}
		in.Deals = append(in.Deals, f)
	}
	return in, site, nil
}

// notifyFacts turns one deal's report into notify's facts.
func notifyFacts(b *generator.Bundle, dr report.DealReport, m *manifest.Manifest, links map[[2]string]string, loc *time.Location, purged map[string]deal.Date) notify.Facts {
	d := b.Deal
	f := notify.Facts{ID: d.ID, Title: d.Title, File: filepath.ToSlash(filepath.Join(generator.ContentDir, d.ID, generator.BundleIndex))}
	for _, s := range d.Stakeholders {
		p := notify.Person{Deal: d.ID, ID: s.ID, Name: s.Name, Email: s.Email, Side: s.Side, Role: s.Role}
		if s.Side == deal.Buyer {
			p.Link = links[[2]string{d.ID, s.ID}]
		}
		f.People = append(f.People, p)
	}
	late := map[string]int{}
	for _, o := range dr.Overdue {
		late[o.Task] = o.DaysLate
	}
	for _, o := range dr.Overdue {
		due, _ := deal.ParseDate(o.Due)
		n := notify.Overdue{Task: o.Task, Title: o.Title, Owner: o.Owner, Due: due, DaysLate: o.DaysLate, Severity: deal.Severity(o.Severity)}
		if t, ok := d.Task(o.Task); ok {
			// The step upstream that the report names (waits_on) first:
			// the one to chase; then the steps it comes after directly.
			ids := slices.Clone(t.After)
			if o.WaitsOn != "" {
				ids = append([]string{o.WaitsOn}, slices.DeleteFunc(ids, func(id string) bool { return id == o.WaitsOn })...)
			}
			for _, id := range ids {
				if p, ok := d.Task(id); ok && p.Status != deal.Done {
					n.WaitsOn = append(n.WaitsOn, notify.Before{Title: p.Title, Owner: p.Owner, DaysLate: late[p.ID]})
				}
			}
			// An open step of the seller's side further up the chain
			// (after:, through open steps: a done step waits on nothing
			// any more) holds it too: the champion is not chased for what
			// the seller has still to do.
			for _, p := range d.PendingUpstream(t) {
				if slices.Contains(ids, p.ID) {
					continue
				}
				if s, ok := d.Stakeholder(p.Owner); ok && s.Side == deal.Seller {
					n.WaitsOn = append(n.WaitsOn, notify.Before{Title: p.Title, Owner: p.Owner, DaysLate: late[p.ID]})
				}
			}
		}
		f.Overdue = append(f.Overdue, n)
	}
	for _, r := range dr.Replies {
		if r.Preview {
			continue // the seller's own click in the preview: nobody to tell, nor a buyer's answer
		}
		w := notify.Waiting{ID: r.ID, From: r.Stakeholder, Kind: r.Kind, About: r.About, Target: r.Target, Date: r.Date, Text: r.Text}
		switch {
		case r.Reason != "":
			w.Text = r.Reason
		case r.Evidence != "":
			w.Text = "evidence: " + r.Evidence // what proves it done
		}
		if r.Owner != "" {
			w.Text = strings.TrimPrefix(w.Text+"; owned by "+r.Owner, "; ")
		}
		if t, err := time.Parse(time.RFC3339, r.Sent); err == nil {
			w.Sent = deal.DateOf(t.In(loc))
		}
		f.Waiting = append(f.Waiting, w)
	}
	published := map[string]deal.Date{}
	if m != nil {
		for _, r := range m.Rooms {
			if r.Deal == d.ID && !r.Retired && r.Published != "" {
				published[r.Stakeholder], _ = deal.ParseDate(r.Published)
			}
		}
	}
	for _, sr := range dr.Stakeholders {
		en := notify.Engagement{Person: sr.ID, Published: published[sr.ID], Visits: sr.Visits, Replies: sr.Replies, Purged: report.PurgedDay(purged, d.ID)}
		en.Out, _ = deal.ParseDate(sr.RoomSince)
		if t, err := time.Parse(time.RFC3339, sr.FirstVisit); err == nil {
			en.FirstVisit = t.In(loc)
		}
		f.Engagement = append(f.Engagement, en)
	}
	return f
}

// rawReplies are the waiting replies as sent, by deal, then by id.
func rawReplies(deals []report.ReportDeal) map[string]map[string]reply.Reply {
	out := map[string]map[string]reply.Reply{}
	for _, rd := range deals {
		if rd.Deal == nil {
			continue
		}
		for _, r := range rd.Waiting {
			if out[rd.Deal.ID] == nil {
				out[rd.Deal.ID] = map[string]reply.Reply{}
			}
			out[rd.Deal.ID][r.ID] = r
		}
	}
	return out
}

// noteBlocked sets Blocked on each waiting reply that maproom accept would
// refuse, with the reason, as maproom replies notes it: the plan changed
// since the reply was sent (a conflict), or the target is not the
// person's to change. The seller is then not told to accept it.
func noteBlocked(b *generator.Bundle, ws []notify.Waiting, raw map[string]reply.Reply, decided []reply.Record) {
	d := b.Deal
	for i := range ws {
		r, ok := raw[ws[i].ID]
		if !ok || r.Kind == reply.Question {
			continue
		}
		if why := closedTo(d, r); why != "" {
			ws[i].Blocked = closedNote(d)
			continue
		}
		if who, ok := d.Stakeholder(r.Stakeholder); ok && who.Rotate > r.Rotation {
			ws[i].Blocked = rotatedShort(who, r, true) // closed deals and questions are told above
			continue
		}
		if t := reply.TargetsFor(d, r.Stakeholder); !t.AllowsReply(r) {
			ws[i].Blocked = "it is not theirs to change, so accept refuses it"
			continue
		}
		_, err := reply.Apply(b.Source, d, reply.Record{Reply: r}, reply.ApplyOptions{Planned: plannedOf(b)})
		switch {
		case errors.Is(err, reply.ErrConflict):
			var ce *reply.ConflictError
			errors.As(err, &ce)
			ws[i].Blocked = "it conflicts with the plan: " + conflictWhat(ce)
		case err != nil && r.Kind != reply.Suggest: // a suggestion waits for -milestone
			ws[i].Blocked = strings.TrimPrefix(err.Error(), "reply "+r.ID+": ")
		}
	}
	// A reply the same person replaced with a later one on the same step
	// is theirs no more to accept: maproom replies' rule (supersededBy).
	var sent []reply.Reply
	for _, r := range raw {
		sent = append(sent, r)
	}
	joined := reply.Join(sent, decided)
	items := make([]*replyItem, len(joined))
	for i := range joined {
		items[i] = &replyItem{Reply: joined[i].Reply, Record: &joined[i]}
	}
	later := supersededBy(items)
	for i := range ws {
		if id := later[ws[i].ID]; id != "" && ws[i].Blocked == "" {
			ws[i].Blocked = "it is superseded by " + id + ", their later reply on the same step"
		}
	}
}
