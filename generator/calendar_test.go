package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/ics/icstest"
	"github.com/maproom/maproom/internal/token"
)

// TestReviewSeriesEnds builds the example site (Europe/London, and again in
// America/New_York) and reads every room's invite with an iCalendar parser:
// the weekly review of an open deal ends at its go-live date, else its close
// date, and never holds a meeting after it; before it, every week has one.
func TestReviewSeriesEnds(t *testing.T) {
	for _, zone := range []string{"Europe/London", "America/New_York"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skip("no tz database:", err)
			}
			root := exampleSite(t)
			conf := filepath.Join(root, ContentDir, ConfigFile)
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(conf, []byte(strings.Replace(string(data), `timezone = "Europe/London"`, `timezone = "`+zone+`"`, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			today := deal.NewDate(2026, 11, 22)
			res, out := buildSite(t, root, today) // checks every .ics it writes
			series := 0
			for _, b := range res.Site.Bundles {
				d := b.Deal
				end := d.Close
				if !d.GoLive.IsZero() {
					end = d.GoLive
				}
				for _, s := range d.Stakeholders {
					data, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, d.ID, s.ID, s.Rotate), "calendar.ics"))
					if err != nil {
						continue
					}
					evs, err := icstest.Check(data)
					if err != nil {
						t.Fatalf("%s/%s: %v", d.ID, s.ID, err)
					}
					for _, e := range evs {
						if !e.Recurs {
							continue
						}
						series++
						if e.Until.IsZero() {
							t.Errorf("%s/%s: the review series never ends", d.ID, s.ID)
							continue
						}
						first, last := e.Occurrences[0].In(loc), e.Occurrences[len(e.Occurrences)-1].In(loc)
						if first.Location().String() != zone || first.Format("15:04") != d.Review.Time {
							t.Errorf("%s/%s: the first review is at %s; want %s %s", d.ID, s.ID, first, d.Review.Time, zone)
						}
						if got := deal.DateOf(last); got.After(end) || !got.AddDays(7).After(end) {
							t.Errorf("%s/%s: the last review is on %s; want the last %s on or before %s", d.ID, s.ID, got, d.Review.Day, end)
						}
						if got, want := len(e.Occurrences), deal.DateOf(first).DaysUntil(deal.DateOf(last))/7+1; got != want {
							t.Errorf("%s/%s: %d reviews from %s to %s; want one a week, %d", d.ID, s.ID, got, first, last, want)
						}
					}
				}
			}
			if series == 0 {
				t.Fatal("no room of the example site has a review series")
			}
		})
	}
}
