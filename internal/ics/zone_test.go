package ics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/ics"
	"github.com/maproom/maproom/internal/ics/icstest"
)

// TestWeeklySeriesIsValidICalendar writes a weekly review that crosses
// daylight-saving changes in zones of each kind and checks the file with an
// iCalendar parser: a VTIMEZONE whose offsets agree with Go's at every
// occurrence, a series that ends on its last day with UNTIL in UTC, and
// every meeting at the same local time.
func TestWeeklySeriesIsValidICalendar(t *testing.T) {
	stamp := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone  string
		until time.Time
		want  int // meetings
	}{
		{"Europe/London", time.Date(2027, 6, 29, 0, 0, 0, 0, time.UTC), 32}, // the last on its Tuesday
		{"America/New_York", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), 32},
		{"Australia/Lord_Howe", time.Date(2027, 11, 30, 0, 0, 0, 0, time.UTC), 54}, // half-hour DST, southern
		{"Asia/Kolkata", time.Date(2027, 1, 26, 0, 0, 0, 0, time.UTC), 10},         // fixed +05:30
		{"Etc/GMT+5", time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC), 9},             // fixed, the day before a meeting
		{"Africa/Casablanca", time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC), 58},   // Ramadan changes
		{"UTC", time.Date(2027, 6, 29, 0, 0, 0, 0, time.UTC), 32},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Skip("no tz database:", err)
			}
			start := time.Date(2026, 11, 24, 15, 0, 0, 0, loc)
			data := ics.Calendar("review", stamp, []ics.Event{
				{UID: "review@maproom", Summary: "MAP review", Start: start, Length: 15 * time.Minute, Weekly: true, Until: tc.until},
				{UID: "due@maproom", Summary: "Due", AllDay: true, Day: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)},
			})
			evs, err := icstest.Check(data)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			if tc.zone == "UTC" && strings.Contains(string(data), "TZID") {
				t.Errorf("a UTC calendar names a TZID:\n%s", data)
			}
			review := evs[0]
			if !review.Recurs || review.Until.IsZero() || len(review.Occurrences) != tc.want {
				t.Fatalf("review: recurs %v, until %v, %d meetings; want until %s, %d meetings", review.Recurs, review.Until, len(review.Occurrences), tc.until.Format(time.DateOnly), tc.want)
			}
			last := review.Occurrences[len(review.Occurrences)-1].In(loc)
			if last.AddDate(0, 0, 7).Format(time.DateOnly) <= tc.until.Format(time.DateOnly) || last.Format(time.DateOnly) > tc.until.Format(time.DateOnly) {
				t.Errorf("last meeting %s; want the last Tuesday on or before %s", last, tc.until.Format(time.DateOnly))
			}
			for _, o := range review.Occurrences {
				if o := o.In(loc); o.Hour() != 15 || o.Minute() != 0 || o.Weekday() != time.Tuesday {
					t.Errorf("a meeting at %s; want Tuesdays at 15:00 %s", o, tc.zone)
				}
			}
		})
	}
}

// TestCheckRefusesTheOldInvite shows the checker bites: the invite as
// maproom wrote it before, a TZID without its VTIMEZONE and a series that
// never ends, fails it.
func TestCheckRefusesTheOldInvite(t *testing.T) {
	old := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//maproom//deal room//EN\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20261122T000000Z\r\n" +
		"DTSTART;TZID=Europe/London:20261124T150000\r\nDTEND;TZID=Europe/London:20261124T151500\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := time.LoadLocation("Europe/London"); err != nil {
		t.Skip("no tz database:", err)
	}
	if _, err := icstest.Check([]byte(old)); err == nil || !strings.Contains(err.Error(), "has no VTIMEZONE") {
		t.Errorf("Check = %v; want an error for the missing VTIMEZONE", err)
	}
}
