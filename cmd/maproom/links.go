package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/maproom/maproom/generator"
)

func cmdLinks(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("links", "[flags]", "Prints each stakeholder's private room link: name, role and link, per deal.\nSend each person their own link only: anyone holding it is counted as them.")
	s := e.siteFlags(fs)
	format := fs.String("format", e.envOr("MAPROOM_FORMAT", "table"), "output format: table, csv or json [MAPROOM_FORMAT]")
	dealID := fs.String("deal", "", "only this deal")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	site, ps := generator.Load(generator.LoadOptions{Root: s.root, Today: today})
	if ps.Errors() > 0 {
		printProblems(e.stderr, ps)
		return errFailed
	}
	secret, err := e.secret(s.root)
	if err != nil {
		return err
	}
	var links []generator.Link
	for _, l := range generator.Links(site, secret) {
		if *dealID == "" || l.Deal == *dealID {
			links = append(links, l)
		}
	}
	if *dealID != "" && len(links) == 0 {
		return fmt.Errorf("%w: no deal %q in this site", errUsage, *dealID)
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
		w.Write([]string{"deal", "stakeholder", "name", "side", "role", "url"})
		for _, l := range links {
			w.Write([]string{l.Deal, l.Stakeholder, l.Name, l.Side, l.Role, l.URL})
		}
		w.Flush()
		return w.Error()
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Version int              `json:"version"`
			Links   []generator.Link `json:"links"`
		}{1, links})
	}
	return fmt.Errorf("%w: --format %q: use table, csv or json", errUsage, *format)
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "maproom", generator.Version)
	return nil
}
