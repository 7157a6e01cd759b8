package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"strings"
	"text/tabwriter"

	"github.com/maproom/maproom/generator"
)

func cmdLinks(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("links", "[flags]", "Prints each stakeholder's private room link: name, side, role and link, per deal (CSV and JSON add\nthe person's email). Send each person their own link only: anyone holding it is counted as\nthem; maproom invite emails each their own.")
	s := e.siteFlags(fs)
	format := fs.String("format", e.envOr("MAPROOM_FORMAT", "table"), "output format: table, csv or json [MAPROOM_FORMAT]")
	dealID := fs.String("deal", "", "only this deal: other deals' errors are a note on stderr, not a failure")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	site, ps := e.loadSite(s.root, today)
	if *dealID != "" {
		// One deal's links: its own errors (and the settings') stop them;
		// another deal's do not, as for maproom invite.
		mine, others := dealProblems(ps, s.root, *dealID)
		if mine.Errors() > 0 {
			printProblems(e.stderr, mine)
			return errFailed
		}
		if note := othersNote(others, s.root); note != "" {
			fmt.Fprintf(e.stderr, "%s; %s's links are printed\n", note, *dealID)
		}
	} else if ps.Errors() > 0 {
		printProblems(e.stderr, ps)
		return errFailed
	}
	secret, err := e.builtSecret(s.root)
	if err != nil {
		return err
	}
	emails := map[[2]string]string{}
	for _, b := range site.Bundles {
		for _, p := range b.Deal.Stakeholders {
			emails[[2]string{b.Deal.ID, p.ID}] = p.Email
		}
	}
	var links []linkRow
	for _, l := range generator.Links(site, secret) {
		if *dealID == "" || l.Deal == *dealID {
			links = append(links, linkRow{Link: l, Email: emails[[2]string{l.Deal, l.Stakeholder}]})
		}
	}
	if *dealID != "" && len(links) == 0 {
		for _, b := range site.Bundles {
			switch {
			case b.Deal.ID != *dealID:
			case b.Deal.Withdrawn:
				return fmt.Errorf("%s is withdrawn (withdraw: true): its rooms are taken down and have no links; remove withdraw: to publish them again", *dealID)
			default:
				return fmt.Errorf("%s has no room: add its people under stakeholders, and build", *dealID)
			}
		}
		return noDeal(site, *dealID)
	}
	// A link the last build did not write answers 404 (a person added, a
	// link rotated, since): say so, as invite does.
	var rl []roomLink
	for _, l := range links {
		rl = append(rl, roomLink{l.Deal + "/" + l.Stakeholder, l.URL})
	}
	missing, path, err := unbuilt(s.root, rl)
	switch {
	case errors.Is(err, iofs.ErrNotExist) && len(links) > 0:
		fmt.Fprintf(e.stderr, "warning: the rooms were never built here (no %s; maproom serve's preview is no build to publish): every link answers 404 until you run maproom build and publish public/\n", path)
	case err == nil && len(missing) > 0:
		fmt.Fprintf(e.stderr, "warning: the last build has no room for %s (%s): their links answer 404 until you run maproom build and publish public/\n", strings.Join(missing, ", "), path)
	}
	if len(links) == 0 {
		fmt.Fprintln(e.stderr, "note: no deal has a room: add people under stakeholders (a withdrawn deal has none)")
		links = []linkRow{} // [] in JSON, not null
	}
	if site.Config.BaseURL == "" {
		fmt.Fprintf(e.stderr, "warning: no base_url in %s, so these links are paths relative to where public/ is hosted: set base_url = \"https://rooms.example.com\" (your host) to print full links\n", generator.ConfigPath(s.root))
	}
	switch *format {
	case "table":
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEAL\tNAME\tSIDE\tROLE\tLINK")
		for _, l := range links {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Deal, l.Name, l.Side, l.Role, l.URL)
		}
		return tw.Flush()
	case "csv":
		w := csv.NewWriter(e.stdout)
		w.Write([]string{"deal", "stakeholder", "name", "side", "role", "url", "email"})
		for _, l := range links {
			w.Write([]string{l.Deal, l.Stakeholder, l.Name, l.Side, l.Role, l.URL, l.Email})
		}
		w.Flush()
		return w.Error()
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Version int       `json:"version"`
			Links   []linkRow `json:"links"`
		}{1, links})
	}
	return fmt.Errorf("%w: -format %q: use table, csv or json", errUsage, *format)
}

// linkRow is a link with its person's email (from the plan; "" without
// one), so a mail merge or maproom invite can reach them.
type linkRow struct {
	generator.Link
	Email string `json:"email,omitempty"`
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "maproom", generator.Version)
	return nil
}
