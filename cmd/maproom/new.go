package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/blueprint"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/schedule"
)

const newCmdAbout = `Starts a deal's plan from a template: writes <root>/content/<deal-id>/index.md with every task
dated backwards from the signature date through its dependencies, skipping weekends and the
holidays of maproom.toml. Give -close (the signature date), or -golive (signature is then due the
template's onboarding business days earlier). Owners and leads are roles (role:security) for you
to give to stakeholders; maproom check lists those left. An existing deal folder is never touched.

Templates are built in; a site's own <root>/templates/<name>.md adds one or overrides the built-in
of that name. -list shows them.`

var newDealIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func cmdNew(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("new", "<deal-id> -template NAME (-close DATE | -golive DATE) [flags]\n       maproom new -list [-root DIR]", newCmdAbout)
	s := e.siteFlags(fs)
	list := fs.Bool("list", false, "list the templates, built-in and the site's own, with a line on each")
	tmplName := fs.String("template", "", "the template to start from (see -list)")
	closeDate := fs.String("close", "", "the date the contract must be signed by, YYYY-MM-DD")
	goLive := fs.String("golive", "", "the buyer's go-live date, YYYY-MM-DD: signature is due the template's onboarding before it")
	buyer := fs.String("buyer", "", `the buying company (default the placeholder "[[the buyer's company]]", to write)`)
	seller := fs.String("seller", "", `your company (default the placeholder "[[your company]]", to write)`)
	title := fs.String("title", "", `the deal's title, neutral: link previews show it (default "<seller> for <buyer>")`)
	goal := fs.String("goal", "", `the buyer's dated business reason (default "Signed by <close> so that [[...]]", to complete)`)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}

	set, loadErr := blueprint.Load(s.root)
	if set == nil {
		return loadErr
	}
	if *list {
		if len(pos) > 0 {
			return fmt.Errorf("%w: -list takes no deal id", errUsage)
		}
		return newList(e, set, loadErr)
	}

	switch {
	case len(pos) == 0:
		return fmt.Errorf("%w: name the new deal: maproom new <deal-id> -template NAME -close DATE (see maproom help new)", errUsage)
	case len(pos) > 1:
		return fmt.Errorf("%w: one deal at a time: unexpected argument %q", errUsage, pos[1])
	case !newDealIDRe.MatchString(pos[0]):
		return fmt.Errorf("%w: deal id %q: the deal's folder name, in lowercase letters, digits and hyphens, %s", errUsage, pos[0], generator.SlugExample(pos[0], "acme-renewal"))
	case *tmplName == "":
		return fmt.Errorf("%w: choose a template with -template NAME: one of %s", errUsage, strings.Join(set.Names(), ", "))
	case (*closeDate == "") == (*goLive == ""):
		return fmt.Errorf("%w: give the signature date with -close YYYY-MM-DD, or the go-live date with -golive YYYY-MM-DD (not both)", errUsage)
	}
	id := pos[0]
	opts := blueprint.Options{Buyer: *buyer, Seller: *seller, Title: *title, Goal: *goal}
	if opts.Close, err = newDate("close", *closeDate); err != nil {
		return err
	}
	if opts.GoLive, err = newDate("golive", *goLive); err != nil {
		return err
	}
	if opts.Today, err = e.todayFor(s); err != nil {
		return err
	}
	// A plan is worked back from a date ahead: one gone by dates every step
	// in the past, overdue on its first report.
	for _, d := range []struct {
		name string
		on   deal.Date
	}{{"close", opts.Close}, {"golive", opts.GoLive}} {
		if !d.on.IsZero() && d.on.Before(opts.Today) {
			return fmt.Errorf("%w: -%s %s is before today (%s): a plan is worked back from a date ahead, so every step would start overdue; give the date the buyer now aims for", errUsage, d.name, d.on, opts.Today)
		}
	}

	t, err := set.Lookup(*tmplName)
	if errors.Is(err, blueprint.ErrUnknown) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return fmt.Errorf("the template %s has errors: fix them, or choose another template", *tmplName)
	}
	if loadErr != nil {
		fmt.Fprintf(e.stderr, "warning: other templates of the site have errors:\n%v\n", loadErr)
	}
	cfg, ps := generator.LoadConfig(generator.ConfigPath(s.root))
	if ps.Errors() > 0 || cfg == nil {
		printProblems(e.stderr, ps)
		return errFailed
	}
	opts.Calendar = schedule.NewCalendar(cfg.HolidayDays...)

	content := filepath.Join(s.root, generator.ContentDir)
	dir := filepath.Join(content, id)
	file := filepath.Join(dir, generator.BundleIndex)
	exists := fmt.Errorf("%s already exists: maproom new never overwrites a deal; choose another id, or remove the folder first", dir)
	if _, err := os.Lstat(dir); err == nil {
		return exists
	}
	dr, err := t.Draft(opts)
	if err != nil {
		return err
	}
	if opts.Close.IsZero() && dr.Close.Before(opts.Today) {
		// -golive less the onboarding gives a signature gone by.
		return fmt.Errorf("%w: -golive %s less %s of onboarding puts the signature on %s, before today (%s): every step would start overdue; give the go-live the buyer now aims for (%s at the earliest), or the signature date with -close",
			errUsage, opts.GoLive, count(t.Onboarding, "business day"), dr.Close, opts.Today, earliestGoLive(opts.Today, t.Onboarding, opts.Calendar))
	}
	if err := os.MkdirAll(content, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return exists
		}
		return err
	}
	if err := newWriteFile(file, dr.Source); err != nil {
		os.Remove(dir)
		return err
	}
	newReport(e, t, opts, dr, file)
	if w := opts.Close; !w.IsZero() && !opts.Calendar.IsBusinessDay(w) {
		off := "a holiday in maproom.toml"
		if wd := w.Weekday(); wd == time.Saturday || wd == time.Sunday {
			off = "a " + wd.String()
		}
		fmt.Fprintf(e.stderr, "%s:%d: warning: the close date %s is %s, not a business day: the signature is planned on a day people are off, and the last steps fall due the business day before; give a business day with -close if that is not meant\n", file, dr.CloseLine, w, off)
	}
	if cfg.File == "" {
		// A new site: the settings it runs on, each explained, so that
		// links and view tracking are a line to uncomment away.
		toml := filepath.Join(s.root, generator.ConfigFile)
		if err := newWriteFile(toml, []byte(newSiteConfig)); err != nil {
			return fmt.Errorf("writing the site settings: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: the site settings, commented; set base_url and beacon_url there before sending links\n", toml)
	}
	return nil
}

// newSiteConfig is the maproom.toml `new` writes in a site without one:
// every setting, commented out at its default, with what it changes. It
// decodes to the defaults (TestNewSiteConfig).
const newSiteConfig = `# maproom site settings (strict TOML: a misspelt key is an error).
# Written by maproom new: uncomment a setting to change it.

# The site's name, in page titles.
# title = "Deal rooms"

# Where the public/ folder is hosted. maproom links prints full links with
# it; without it the links are paths (/r/<token>/) to put after your host.
# base_url = "https://rooms.example.com"

# The beacon's endpoint (maproom beacon). With it, rooms record what each
# person opens and for how long, and buyers can reply to the plan; without
# it, no view is tracked and rooms take no replies.
# beacon_url = "https://beacon.example.com/note"

# Dates, due dates and "today" are in this IANA timezone.
# timezone = "UTC"

# Days that are not business days, besides weekends: maproom new and the
# schedule skip them.
# holidays = ["2026-12-25", "2027-01-01"]

# A folder (relative to this file's site root) whose files override the
# default theme's, file by file.
# theme = "theme"

# Days late at which an open task is flagged, then alerted on.
# [overdue]
# flag_days = 3
# alert_days = 7

# Replies maproom replies accepts on its own, on a task the replying person
# owns: confirm, propose, done, blocked. Default: none.
# [replies]
# auto_accept = ["confirm"]
`

func newDate(name, s string) (deal.Date, error) {
	if s == "" {
		return deal.Date{}, nil
	}
	d, err := deal.ParseDate(s)
	if err != nil {
		return deal.Date{}, fmt.Errorf("%w: -%s %q: write YYYY-MM-DD", errUsage, name, s)
	}
	return d, nil
}

// writeNew writes a file that must not exist yet.
func newWriteFile(file string, b []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(file)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(file)
		return err
	}
	return nil
}

// listTemplates prints each usable template with its description, saying
// where a site's own template comes from and whether it overrides a
// built-in; then the problems of any that do not parse.
func newList(e *env, set *blueprint.Set, loadErr error) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, t := range set.All() {
		where := ""
		switch {
		case t.Overrides:
			where = fmt.Sprintf(" (%s, overrides the built-in)", t.File)
		case !t.Builtin:
			where = fmt.Sprintf(" (%s)", t.File)
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", t.Name, t.Description, where)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if loadErr != nil {
		fmt.Fprintln(e.stderr, loadErr)
		return errFailed
	}
	return nil
}

// reportNew says what was written and what is left to do.
func newReport(e *env, t *blueprint.Template, opts blueprint.Options, dr *blueprint.Draft, file string) {
	from := "built-in"
	if !t.Builtin {
		from = t.File
	}
	fmt.Fprintf(e.stdout, "wrote %s from the template %s (%s): %s, %s\n", file, t.Name, from,
		count(len(t.Milestones), "milestone"), count(len(t.Tasks()), "task"))
	if opts.Close.IsZero() {
		fmt.Fprintf(e.stdout, "signature by %s: go-live %s less %s of onboarding\n", dr.Close, opts.GoLive, count(t.Onboarding, "business day"))
	} else {
		fmt.Fprintf(e.stdout, "signature by %s\n", dr.Close)
	}
	fmt.Fprintf(e.stdout, "work starts %s at the latest; critical path: %s\n", dr.Start, strings.Join(dr.CriticalPath, " -> "))
	if dr.Overrun > 0 {
		fmt.Fprintf(e.stderr, "%s:%d: warning: the close date %s cannot be met: started today (%s), the plan finishes %s at the earliest, %s late; move the date or shorten the work (critical path: %s)\n",
			file, dr.CloseLine, dr.Close, opts.Today, dr.Finish, count(dr.Overrun, "business day"), strings.Join(dr.CriticalPath, " -> "))
	}
	fmt.Fprintln(e.stdout, "to do (maproom check lists what is left):")
	// The fields the draft still holds a placeholder in, as written (a
	// title made from -buyer and -seller has none left).
	var blank []string
	for _, l := range strings.Split(string(dr.Source), "\n") {
		for _, name := range []string{"title", "buyer", "seller", "goal"} {
			if strings.HasPrefix(l, name+":") && len(deal.Placeholders(l)) > 0 {
				blank = append(blank, name)
			}
		}
	}
	if len(blank) > 0 {
		fmt.Fprintf(e.stdout, "  - %s: write what the [[...]] placeholders ask for\n", strings.Join(blank, ", "))
	}
	fmt.Fprintln(e.stdout, "  - the welcome note: write what its [[...]] placeholders ask for; check and build refuse a plan that still holds one")
	fmt.Fprintln(e.stdout, "  - stakeholders: list everyone in the decision, then give each role:<role> owner and lead to one of them")
	if len(t.Collateral) > 0 {
		files := make([]string, len(t.Collateral))
		for i, c := range t.Collateral {
			files[i] = c.File
		}
		fmt.Fprintf(e.stdout, "  - collateral: add %s to %s (or change file:); the build stops until they are there\n",
			strings.Join(files, ", "), filepath.Dir(file))
	}
}

// earliestGoLive is the first day whose signature, worked back from it by
// onboarding business days as new does (schedule.SignBy), is not before
// today.
func earliestGoLive(today deal.Date, onboarding int, cal schedule.Calendar) deal.Date {
	g := cal.AddBusinessDays(today, onboarding)
	for schedule.SignBy(g, onboarding, cal).Before(today) {
		g = g.AddDays(1)
	}
	for d := g.AddDays(-1); !schedule.SignBy(d, onboarding, cal).Before(today); d = d.AddDays(-1) {
		g = d // an earlier day that still fits
	}
	return g
}
