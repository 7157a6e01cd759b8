// Package scenario holds the report scenarios of the report tests: the
// site in analytics/testdata/report/site, the visits its people (and some
// programs) made up to [Today], and a writer that turns those visits into
// the event logs of two beacon instances. The tests of analytics/report
// and of analytics/pgstore build their reports from these logs and compare
// them with the goldens and with the PostgreSQL store, so the logs are the
// same bytes on every call.
//
// It writes the log lines with analytics/event (Event.AppendJSON, as the
// beacon's log does), the leaf package of the event schema, so that the
// report's tests (which import this package) can use it.
package scenario

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/schedule"
)

// secret is the build secret of the scenario's room tokens.
const secret = "report-scenario-secret-0123456789abcdef"

// Secret returns the build secret the scenario's room tokens derive from,
// as a new slice on each call.
func Secret() []byte { return []byte(secret) }

// Today returns the day the scenarios are reported on, 2026-11-22. The logs
// hold visits after it too, which a report of that day leaves out.
func Today() deal.Date { return deal.NewDate(2026, time.November, 22) }

// Site is the scenario site as generator.Load loads it (its Config holds
// the report's title, location and overdue days), with what a report of it
// needs.
type Site struct {
	*generator.Site
	// Deals has one entry per bundle, in the order of Bundles.
	Deals []Deal
	// Manifest lists every deal's rooms as the generator builds them with
	// [Secret]. It records no publish days; the caller may change it.
	Manifest *manifest.Manifest
}

// Deal is a deal of the site with what a report needs of it: the fields
// of report.ReportDeal.
type Deal struct {
	Deal *deal.Deal
	// Plan is the deal's schedule on [Today]; nil when it has errors.
	Plan *schedule.Plan
	// CheckErrors counts the errors generator.Load found in the deal's
	// index.md (the scenario has deals with errors on purpose).
	CheckErrors int
	// CheckMessages are those errors as check gives them.
	CheckMessages []string
}

// dealCount is how many deals the scenario site has.
const dealCount = 5

// Load loads the scenario site from root, the path of
// analytics/testdata/report/site from the caller's working directory, as of
// [Today]. Problems the generator finds do not fail Load (they are counted
// in Deal.CheckErrors); a root that does not hold the scenario's five deals
// does.
func Load(root string) (*Site, error) {
	site, ps := generator.Load(generator.LoadOptions{Root: root, Today: Today()})
	errs, msgs := map[string]int{}, map[string][]string{}
	for _, p := range ps {
		if p.Severity == generator.Error {
			errs[p.File]++
			msgs[p.File] = append(msgs[p.File], p.Under(root).Error())
		}
	}
	s := &Site{Site: site, Manifest: &manifest.Manifest{Version: manifest.Version}}
	for _, b := range site.Bundles {
		file := filepath.Join(b.Dir, generator.BundleIndex)
		s.Deals = append(s.Deals, Deal{Deal: b.Deal, Plan: b.Plan, CheckErrors: errs[file], CheckMessages: msgs[file]})
		s.Manifest.Rooms = append(s.Manifest.Rooms, generator.RoomsOf(b.Deal, Secret())...)
	}
	if len(s.Deals) != dealCount {
		return nil, fmt.Errorf("scenario: %s: loaded %d deals, want %d: %v", root, len(s.Deals), dealCount, ps)
	}
	return s, nil
}
