package pgstore

import (
	"path/filepath"
	"testing"

	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/testkit/scenario"
)

// The report scenarios of the analytics tests (package scenario): the site
// in ../testdata/report/site, its visits written as two beacon instances'
// logs, and the day they are reported on.

var scenarioToday = scenario.Today()

// loadScenario loads the scenario site and returns it with its deals and
// the options of its report on scenarioToday.
func loadScenario(t testing.TB) (*scenario.Site, []report.ReportDeal, report.ReportOptions) {
	t.Helper()
	s, err := scenario.Load(filepath.Join("..", "testdata", "report", "site"))
	if err != nil {
		t.Fatal(err)
	}
	var deals []report.ReportDeal
	for _, d := range s.Deals {
		deals = append(deals, report.ReportDeal{Deal: d.Deal, Plan: d.Plan, CheckErrors: d.CheckErrors, CheckMessages: d.CheckMessages})
	}
	c := s.Config
	return s, deals, report.ReportOptions{Title: c.Title, Location: c.Location, Today: scenarioToday,
		FlagDays: c.Overdue.FlagDays, AlertDays: c.Overdue.AlertDays, Manifest: s.Manifest}
}
