package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// dealArg parses the arguments of a command that takes one deal id (flags
// may come before or after it) and returns the id; a missing or extra
// argument is a usage error that says how to call cmd.
func dealArg(fs *flag.FlagSet, cmd string, args []string) (string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return "", err // errHelp too: the caller ends without an error
	}
	switch {
	case len(pos) == 0:
		return "", fmt.Errorf("%w: name the deal: maproom %s <deal-id> (see maproom help %s)", errUsage, cmd, cmd)
	case len(pos) > 1:
		return "", fmt.Errorf("%w: one deal at a time: unexpected argument %q", errUsage, pos[1])
	}
	return pos[0], nil
}

// oneDeal is the deal a command works on, loaded alone: the site's
// settings, the day, the bundle's folder and the bundle, decoded, checked
// and scheduled, as it stood on the day (generator.LoadBundle reads it
// as of that day: deal.Deal.AsOf).
type oneDeal struct {
	id    string
	today deal.Date
	cfg   *generator.Config
	dir   string
	b     *generator.Bundle
	// pastPlan: asOfDay put in b a version of the plan git held on the
	// day, not the plan on disk (b.Source).
	pastPlan bool
	// checkErrs are the plan's check errors (file:line from the root),
	// for a command that goes on despite them (loadOneDealAnyway).
	checkErrs []string
}

// oneDealArgs parses cmd's arguments (dealArg) and returns the deal's id,
// the day and the deal's folder; a deal without a plan there is a usage
// error naming the folder looked in.
func (e *env) oneDealArgs(fs *flag.FlagSet, s *siteFlags, cmd string, args []string) (id string, today deal.Date, dir string, err error) {
	if id, err = dealArg(fs, cmd, args); err != nil {
		return "", today, "", err
	}
	if today, err = e.todayFor(s); err != nil {
		return "", today, "", err
	}
	dir = filepath.Join(s.root, generator.ContentDir, id)
	if _, err := os.Stat(filepath.Join(dir, generator.BundleIndex)); err != nil {
		return "", today, "", fmt.Errorf("%w: no deal %q: %s has no %s", errUsage, id, dir, generator.BundleIndex)
	}
	return id, today, dir, nil
}

// loadOneDeal parses cmd's arguments (dealArg) and loads that deal alone
// (the settings and content/<deal>/ only, not the whole site), as it
// stood on the day (-today: a task done after it is open). Problems in
// either are printed and fail the command; an unknown deal is a usage
// error naming the folder looked in.
func (e *env) loadOneDeal(fs *flag.FlagSet, s *siteFlags, cmd string, args []string) (*oneDeal, error) {
	id, today, dir, err := e.oneDealArgs(fs, s, cmd, args)
	if err != nil {
		return nil, err
	}
	cfg, ps := generator.LoadConfig(generator.ConfigPath(s.root))
	if ps.Errors() > 0 || cfg == nil {
		printProblems(e.stderr, ps)
		return nil, errFailed
	}
	b, ps := generator.LoadBundle(dir, cfg, today)
	if b == nil || ps.Errors() > 0 {
		printProblems(e.stderr, ps)
		return nil, errFailed
	}
	return &oneDeal{id: id, today: today, cfg: cfg, dir: dir, b: b}, nil
}

// loadOneDealAnyway is loadOneDeal for a command that goes on despite
// errors, as the report does (the weekly review: the meeting needs its
// agenda all the same): the settings in error are left out, their
// defaults standing in (generator.LoadConfigKept), and a plan that
// decodes with errors is kept, its errors in checkErrs. Only a plan that
// cannot be decoded, or settings nothing of which can be kept, fail it.
// The problems are printed, with what the command does about them.
func (e *env) loadOneDealAnyway(fs *flag.FlagSet, s *siteFlags, cmd string, args []string) (*oneDeal, error) {
	id, today, dir, err := e.oneDealArgs(fs, s, cmd, args)
	if err != nil {
		return nil, err
	}
	cfg, ps := generator.LoadConfigKept(generator.ConfigPath(s.root))
	printProblems(e.stderr, ps)
	if cfg == nil {
		return nil, errFailed
	}
	if n := ps.Errors(); n > 0 {
		fmt.Fprintf(e.stderr, "maproom: %s has %s: the %s leaves those settings out and uses their defaults (run maproom check)\n", generator.ConfigFile, count(n, "error"), cmd)
	}
	b, ps := generator.LoadBundle(dir, cfg, today)
	printProblems(e.stderr, ps)
	if b == nil {
		return nil, errFailed
	}
	od := &oneDeal{id: id, today: today, cfg: cfg, dir: dir, b: b}
	for _, p := range ps {
		if p.Severity == generator.Error {
			od.checkErrs = append(od.checkErrs, p.Under(s.root).Error())
		}
	}
	if n := len(od.checkErrs); n > 0 {
		fmt.Fprintf(e.stderr, "maproom: %s's plan has %s: the %s lists them among the blockers, and its dates cannot be trusted until they are fixed (run maproom check)\n", id, count(n, "error"), cmd)
	}
	return od, nil
}

// endOfDay is the end of day in loc (nil: UTC), the first instant of the
// next day: the history as it stood on day is the story until then
// (history.Story.Until).
func endOfDay(day deal.Date, loc *time.Location) time.Time {
	t := day.AddDays(1).Time()
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// storyOn is the story of the deal id in h as it stood at the end of day
// (nil outside git, or for a deal with no history).
func storyOn(h *history.History, id string, day deal.Date, loc *time.Location) *history.Story {
	st := h.Story(id)
	if st == nil {
		return nil
	}
	return st.Until(endOfDay(day, loc))
}

// asOfDay reads the deal's history (noting, when note, a site outside
// git) and puts in od the plan of its day when it was committed again
// since (plansOfTheDay: the report's rule). A deal first committed after
// the day did not exist on it: an error naming what (the command's
// output) there is none of.
func (od *oneDeal) asOfDay(ctx context.Context, e *env, root, what string, note bool) (*history.History, error) {
	h := readHistory(ctx, e, root, []*deal.Deal{od.b.Deal}, note)
	rds := plansOfTheDay(e, root, od.cfg, []report.ReportDeal{{Deal: od.b.Deal, Plan: od.b.Plan}}, h, od.today)
	if len(rds) == 0 {
		return nil, fmt.Errorf("%s did not exist on %s: no %s for that day", od.id, od.today, what)
	}
	od.pastPlan = rds[0].Deal != od.b.Deal
	od.b.Deal, od.b.Plan = rds[0].Deal, rds[0].Plan
	return h, nil
}
