package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// TestTodayInTheSiteZone: without -today, the day is the site timezone's,
// even while maproom.toml has an error elsewhere (the report goes on with
// the settings it can keep): 20:00 UTC on 7 December is the 8th in
// Auckland.
func TestTodayInTheSiteZone(t *testing.T) {
	root := t.TempDir()
	for name, toml := range map[string]string{
		"ok":         "timezone = \"Pacific/Auckland\"\n",
		"bad flag":   "timezone = \"Pacific/Auckland\"\n[overdue]\nflag_days = 0\n",
		"bad syntax": "timezone = \"Pacific/Auckland\"\ntitle = \"unclosed\n",
	} {
		if err := os.WriteFile(filepath.Join(root, "maproom.toml"), []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		e := &env{now: func() time.Time { return time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC) }, getenv: func(string) string { return "" }}
		got, err := e.todayFor(&siteFlags{root: root})
		if err != nil || got != deal.NewDate(2026, 12, 8) {
			t.Errorf("%s: today %v (%v), want 2026-12-08, Auckland's day", name, got, err)
		}
	}
}
