package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/blueprint"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/notify"
	"github.com/maproom/maproom/internal/token"
)

const inviteAbout = `Emails each buyer stakeholder of a deal their own room link, and nothing else: no one's
link but theirs, with the weekly review's invite (review.ics) attached when the plan has a
review. The text is <root>/templates/invite.txt when the site has one (a "Subject: ..." line,
a blank line, then the body, with {{.FirstName}}, {{.Link}}, {{.DealTitle}}, {{.Goal}},
{{.Review}}, {{.Sender}} and the rest: see the README), else the built-in one. Without a
beacon_url the rooms take no replies: the built-in text then offers none ({{if .Replies}}
in a site's own), and -dry-run warns.

Who was invited when is recorded in <root>/.maproom/notify/sent.json: a person is never
invited twice with the same link (-resend sends again); a rotated link (rotate: bumped) is a
new invite that says it replaces the old one. Email goes through the [notify] smtp_host of
maproom.toml, always with STARTTLS and a verified certificate. A link the last build did
not write (.maproom/rooms.json) would answer 404: then nothing is sent. -dry-run prints
every message and sends nothing.`

func cmdInvite(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("invite", "<deal-id> [flags]", inviteAbout)
	s := e.siteFlags(fs)
	to := fs.String("to", "", "only these stakeholders, by id, comma-separated (any side; default every buyer stakeholder)")
	resend := fs.Bool("resend", false, "send again to people already invited with their current link")
	dry := fs.Bool("dry-run", false, "print every message and send nothing")
	id, err := dealArg(fs, "invite", args)
	if err != nil {
		return ignoreHelp(err)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	site, ps := e.loadSite(s.root, today)
	// What stops an invitation: the settings' errors and the deal's own
	// (its link may not be built as it reads). Another deal's draft, with
	// placeholders still in it, does not: its rooms are not this deal's.
	mine, others := dealProblems(ps, s.root, id)
	if mine.Errors() > 0 {
		printProblems(e.stderr, mine)
		fmt.Fprintf(e.stderr, "maproom: nothing sent: fix the errors above first\n")
		return errFailed
	}
	if note := othersNote(others, s.root); note != "" {
		fmt.Fprintf(e.stderr, "%s; %s's invitations go ahead\n", note, id)
	}
	var bundle *generator.Bundle
	for _, b := range site.Bundles {
		if b.Deal.ID == id {
			bundle = b
		}
	}
	if bundle == nil {
		return noDeal(site, id)
	}
	cfg := site.Config
	if cfg.BaseURL == "" {
		msg := fmt.Sprintf("no base_url in %s: an emailed link must be a full address: set base_url = \"https://rooms.example.com\" (where public/ is hosted)", generator.ConfigPath(s.root))
		if !*dry {
			return errors.New(msg)
		}
		fmt.Fprintf(e.stderr, "warning: %s\n", msg)
	}
	tmpl, err := inviteTemplate(s.root)
	if err != nil {
		return err
	}
	secret, err := e.builtSecret(s.root)
	if err != nil {
		return err
	}
	links := map[string]string{}
	for _, l := range generator.Links(site, secret) {
		if l.Deal == id {
			links[l.Stakeholder] = l.URL
		}
	}
	var only []string
	for _, p := range strings.Split(*to, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(only, p) { // each person once, named twice or not
			only = append(only, p)
		}
	}
	storePath := notifyStorePath(s.root)
	if !*dry {
		lock, err := notify.Lock(storePath)
		if err != nil {
			return err
		}
		defer lock.Close()
	}
	store, err := notify.OpenStore(storePath)
	if err != nil {
		return err
	}
	e.rehomedStore(ctx, s.root, site, store)
	ns, notes, err := notify.Invites(notify.InviteInput{Deal: bundle.Deal, Links: links, Template: tmpl, Location: cfg.Location,
		Timezone: cfg.Timezone, Today: today, Holidays: cfg.HolidayDays, Only: only, Store: store, Replies: cfg.BeaconURL != ""})
	if err != nil {
		if bundle.Deal.Closed() || bundle.Deal.Withdrawn {
			return err // the deal's state, not how the command was called
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	printNotes(e.stderr, notes)
	if err := checkBuilt(e, s.root, ns, *dry); err != nil {
		return err
	}

	if *dry && cfg.BeaconURL == "" && len(ns) > 0 {
		// The rooms have no reply form: the invite does not offer one.
		own := ""
		if tmpl.File != "" {
			own = fmt.Sprintf(" (check that %s promises none either: text in {{if .Replies}}...{{end}} is written only when they do)", tmpl.File)
		}
		fmt.Fprintf(e.stderr, "warning: replies are off (no beacon_url in %s): the rooms take no replies, so the invitations do not offer them%s; set beacon_url to your beacon's address (maproom beacon) to turn replies on\n", generator.ConfigPath(s.root), own)
	}
	if *dry {
		chans := dryChannels(cfg, true)
		if len(chans) == 0 {
			fmt.Fprintf(e.stderr, "note: email is off ([notify] smtp_host is not set in %s): a real run would send nothing\n", generator.ConfigPath(s.root))
			chans = []notify.Channel{&notify.Email{}}
		}
		sender := &notify.Sender{Channels: chans, Store: store, Now: e.now, Resend: *resend}
		return notify.WritePreview(e.stdout, sender.DryRun(ns), cfg.Location)
	}
	if cfg.Notify.SMTPHost == "" {
		return fmt.Errorf("email is off: set [notify] smtp_host and from in %s (see maproom help invite)", generator.ConfigPath(s.root))
	}
	cs := e.notifyChannels(cfg, true)
	if len(cs.channels) == 0 {
		cs.reportBroken(e.stderr, "nothing is sent")
		return errFailed
	}
	sender := &notify.Sender{Channels: cs.channels, Store: store, Now: e.now, Resend: *resend}
	outs, sendErr := sender.Send(ctx, ns)
	if err := sender.Close(); err != nil {
		e.log.Debug("closing the mail connection", "err", err)
	}
	sent := 0
	for _, o := range outs {
		switch o.Status {
		case notify.StatusSent:
			sent++
			fmt.Fprintf(e.stdout, "invited %s <%s>\n", o.Notice.To.Name, o.Notice.To.Email)
		case notify.StatusAlready:
			fmt.Fprintf(e.stdout, "already invited %s on %s with this link (-resend to send it again)\n", o.Notice.To.Name, o.When.In(cfg.Location).Format("2006-01-02 15:04"))
		}
	}
	if sendErr != nil {
		for _, err := range unjoin(sendErr) {
			fmt.Fprintf(e.stderr, "maproom: %v\n", err)
		}
		fmt.Fprintf(e.stderr, "maproom: %s sent; the others were not, and are not recorded: run maproom invite %s again once fixed\n", count(sent, "invitation"), id)
		return errFailed
	}
	return nil
}

// checkBuilt holds each invitation's link to the rooms the last build
// wrote (<root>/.maproom/rooms.json): a link it did not write answers 404,
// as when the person was added, or their link rotated, after the build, or
// the rooms were built with another secret. Then nothing is sent (a dry run
// warns and goes on). A site with no build here (built elsewhere, by CI
// say) gets a note: the links cannot be checked.
func checkBuilt(e *env, root string, ns []notify.Notice, dry bool) error {
	var links []roomLink
	for _, n := range ns {
		links = append(links, roomLink{n.To.ID, n.To.Link})
	}
	missing, path, err := unbuilt(root, links)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "note: no build here (%s), so the links cannot be checked against the rooms: make sure the site was built and published with this secret\n", path)
		return nil
	}
	if err != nil || len(missing) == 0 {
		return err
	}
	msg := fmt.Sprintf("the last build has no room for %s (%s): their links would answer 404; run maproom build, publish public/, then invite", strings.Join(missing, ", "), path)
	if dry {
		fmt.Fprintf(e.stderr, "warning: %s\n", msg)
		return nil
	}
	return fmt.Errorf("%s; nothing was sent", msg)
}

// roomLink is whose room a link is (a label), and the link.
type roomLink struct{ who, url string }

// unbuilt returns who of links has a link that is not a room of the last
// build (<root>/.maproom/rooms.json, path), as when the person was added,
// or their link rotated, after the build. err is fs.ErrNotExist when there
// is no build here.
func unbuilt(root string, links []roomLink) (missing []string, path string, err error) {
	path = filepath.Join(root, filepath.FromSlash(manifest.DefaultPath))
	m, err := manifest.Read(path)
	if err != nil {
		return nil, path, err
	}
	live := map[string]bool{}
	for _, r := range m.Rooms {
		if !r.Retired {
			live[r.Key] = true
		}
	}
	for _, l := range links {
		_, tok, found := strings.Cut(l.url, "r/")
		if !found || !live[token.Key(strings.TrimSuffix(tok, "/"))] {
			missing = append(missing, l.who)
		}
	}
	return missing, path, nil
}

// inviteTemplate reads <root>/templates/invite.txt, else the built-in text.
func inviteTemplate(root string) (*notify.Template, error) {
	path := filepath.Join(root, blueprint.Dir, notify.InviteFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return notify.DefaultTemplate(), nil
	}
	if err != nil {
		return nil, err
	}
	return notify.ParseTemplate(path, b)
}

// unjoin lists the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// othersNote names the deals of the site with errors among others (from
// dealProblems), with how many each has: "note: other deals of the site
// have errors (maproom check names them): fjord-errors (1 error)"; "" when
// none has. Their errors do not hold back what is done for another deal.
func othersNote(others generator.Problems, root string) string {
	content := filepath.Join(root, generator.ContentDir)
	var ids []string
	n := map[string]int{}
	for _, p := range others {
		if p.Severity != generator.Error {
			continue
		}
		id := "?"
		if rel, err := filepath.Rel(content, filepath.Clean(p.File)); err == nil {
			id, _, _ = strings.Cut(filepath.ToSlash(rel), "/")
		}
		if n[id] == 0 {
			ids = append(ids, id)
		}
		n[id]++
	}
	if len(ids) == 0 {
		return ""
	}
	var each []string
	for _, id := range ids {
		each = append(each, fmt.Sprintf("%s (%s)", id, count(n[id], "error")))
	}
	return "note: other deals of the site have errors (maproom check names them): " + strings.Join(each, ", ")
}

// dealProblems splits a site's problems into deal id's own, with the
// settings' (maproom.toml, or no file named), and the other deals'.
func dealProblems(ps generator.Problems, root, id string) (mine, others generator.Problems) {
	dir := filepath.Join(root, generator.ContentDir, id) + string(filepath.Separator)
	content := filepath.Join(root, generator.ContentDir) + string(filepath.Separator)
	for _, p := range ps {
		f := filepath.Clean(p.File)
		if f == filepath.Clean(generator.ConfigPath(root)) || strings.HasPrefix(f+string(filepath.Separator), dir) || !strings.HasPrefix(f, content) {
			mine = append(mine, p)
		} else {
			others = append(others, p)
		}
	}
	return mine, others
}
