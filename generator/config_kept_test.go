package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigKept: a reader that goes on despite the settings' errors (the
// report) leaves out the settings on the lines in error, their defaults
// standing in, and keeps the rest; LoadConfig itself still gives no
// Config. A line that does not parse is left out like the others.
func TestConfigKept(t *testing.T) {
	p := filepath.Join(t.TempDir(), ConfigFile)
	write := func(s string) string {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := "title = \"Deals of the week\"\ntimezone = \"Europe/London\"\nholidays = [\"2026-12-25\"]\n[overdue]\nflag_days = 9\nalert_days = 5\n[history]\nflat_days = 0\nslips = 4\n[engagement]\nburst_opens = -2\nvisit_gap_minutes = 45\n"
	if c, ps := LoadConfig(write(bad)); c != nil || ps.Errors() != 3 {
		t.Fatalf("LoadConfig: %v, %d errors (%v); want no config, 3 errors", c, ps.Errors(), ps)
	}
	c, ps := LoadConfigKept(p)
	if ps.Errors() != 3 {
		t.Errorf("the problems %v, want LoadConfig's 3", ps)
	}
	if c == nil {
		t.Fatal("no config kept")
	}
	if c.Title != "Deals of the week" || c.Location == nil || c.Location.String() != "Europe/London" || len(c.HolidayDays) != 1 {
		t.Errorf("kept title %q, timezone %v, holidays %v; want the file's", c.Title, c.Location, c.HolidayDays)
	}
	if c.Overdue.FlagDays != 3 || c.Overdue.AlertDays != 7 {
		t.Errorf("overdue %+v, want the defaults 3 and 7 for the thresholds in error", c.Overdue)
	}
	if th := c.History.Thresholds(); th.FlatDays != 21 || th.Slips != 4 {
		t.Errorf("history thresholds %+v, want flat_days's default 21 and slips 4 kept", th)
	}
	if c.Engagement.BurstOpens != 0 || c.Engagement.VisitGapMinutes != 45 {
		t.Errorf("engagement %+v, want burst_opens left out (0: the default) and visit_gap_minutes 45 kept", c.Engagement)
	}
	// Out of order within the default range (7 and 3): both are left
	// out, not alert_days alone against flag_days's 7.
	c, ps = LoadConfigKept(write("[overdue]\nflag_days = 7\nalert_days = 3\n"))
	if ps.Errors() != 1 || c == nil || c.Overdue.FlagDays != 3 || c.Overdue.AlertDays != 7 {
		t.Errorf("flag_days 7, alert_days 3: kept %+v (%v), want the defaults 3 and 7 and one error", c, ps)
	}

	c, ps = LoadConfigKept(write("title = \"Deals of the week\ntimezone = \"Europe/Paris\"\n"))
	if ps.Errors() != 1 || !strings.Contains(ps[0].Error(), "maproom.toml:1: a quoted value is not closed on its line") {
		t.Errorf("an unclosed quote: %v, want it named on line 1 with what to change", ps)
	}
	if c == nil || c.Title != "Deal rooms" || c.Location.String() != "Europe/Paris" {
		t.Errorf("an unclosed quote: kept %+v, want the title's default and the timezone kept", c)
	}
	if _, ps := LoadConfig(write("timezone = \"UTC\"\ntimezone = \"UTC\"\n")); ps.Errors() != 1 || !strings.Contains(ps[0].Error(), `maproom.toml:2: "timezone" is set twice: keep one of them`) {
		t.Errorf("a key set twice: %v", ps)
	}
	// "Local" is the machine's zone: the rooms would change with the
	// machine that builds them.
	if _, ps := LoadConfig(write("timezone = \"Local\"\n")); ps.Errors() != 1 || !strings.Contains(ps[0].Error(), `maproom.toml:1: unknown timezone "Local": use an IANA name`) {
		t.Errorf("timezone Local: %v, want an error", ps)
	}
}
