package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/testkit/scenario"
)

// The report scenarios (package scenario): the site in ../testdata/report/site,
// its visits written as two beacon instances' logs, and the day they are
// reported on.

var (
	scenarioSecret = scenario.Secret()
	scenarioToday  = scenario.Today()
)

// scenarioSite loads the scenario site, and its deals as the report takes
// them.
func scenarioSite(t testing.TB) ([]ReportDeal, *scenario.Site) {
	t.Helper()
	s, err := scenario.Load(filepath.Join("..", "testdata", "report", "site"))
	if err != nil {
		t.Fatal(err)
	}
	deals := make([]ReportDeal, len(s.Deals))
	for i, d := range s.Deals {
		deals[i] = ReportDeal{Deal: d.Deal, Plan: d.Plan, CheckErrors: d.CheckErrors, CheckMessages: d.CheckMessages}
	}
	return deals, s
}

// writeScenarioLogs writes the scenario's logs under dir and returns their
// two folders.
func writeScenarioLogs(t testing.TB, s *scenario.Site, dir string) []string {
	t.Helper()
	folders, err := s.WriteLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return folders
}

// TestScenarioLogLines: every line package scenario writes, bar its two
// corrupt ones, is a valid event that the reader's fast path takes and that
// event.Event.AppendJSON writes back to the same bytes: its mirror of event.Event
// writes what the beacon writes.
func TestScenarioLogLines(t *testing.T) {
	_, s := scenarioSite(t)
	files, err := eventlog.LogFiles(writeScenarioLogs(t, s, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	events, corrupt := 0, 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range bytes.SplitAfter(b, []byte("\n")) {
			if len(line) == 0 { // after the last newline
				continue
			}
			text := bytes.TrimSuffix(line, []byte("\n"))
			e, bad := event.ParseLine(text, false)
			if bad != "" {
				corrupt++
				continue
			}
			events++
			if got := e.AppendJSON(nil); !bytes.Equal(got, line) {
				t.Errorf("%s:%d:\n  scenario %s  AppendJSON %s", filepath.Base(name), n+1, line, got)
			}
			var r event.Row
			if !event.ParseRow(text, &r) {
				t.Errorf("%s:%d: the reader's fast path refuses %s", filepath.Base(name), n+1, line)
			}
		}
	}
	if events == 0 || corrupt != 2 {
		t.Errorf("%d events and %d corrupt lines, want some and 2", events, corrupt)
	}
}
