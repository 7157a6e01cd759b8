package ics

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCalendarWeeklyReview(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	stamp := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	got := string(Calendar("Acme review", stamp, []Event{{
		UID: "review-acme@maproom", Summary: "MAP review; Acme, Northwind",
		Start: time.Date(2026, 11, 24, 15, 0, 0, 0, london), Length: 15 * time.Minute, Weekly: true,
	}}))
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "DTSTART;TZID=Europe/London:20261124T150000\r\n",
		"DTEND;TZID=Europe/London:20261124T151500\r\n", "RRULE:FREQ=WEEKLY\r\n",
		`SUMMARY:MAP review\; Acme\, Northwind` + "\r\n", "DTSTAMP:20261122T000000Z\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("calendar lacks %q:\n%s", want, got)
		}
	}
}

func TestCalendarAllDay(t *testing.T) {
	got := string(Calendar("due", time.Unix(0, 0), []Event{{UID: "t1", Summary: "Sign", AllDay: true, Day: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}}))
	if !strings.Contains(got, "DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n") {
		t.Errorf("all-day dates wrong:\n%s", got)
	}
}

func TestFoldKeepsLinesShortAndRunesWhole(t *testing.T) {
	long := strings.Repeat("Évaluation technique réussie — ", 12)
	got := string(Calendar("x", time.Unix(0, 0), []Event{{UID: "u", Summary: long, AllDay: true, Day: time.Unix(0, 0)}}))
	var joined strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a rune: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			joined.WriteString(l[1:])
		} else {
			joined.WriteString("\n" + l)
		}
	}
	if !strings.Contains(joined.String(), "SUMMARY:"+long) {
		t.Errorf("unfolded text differs from the summary")
	}
}
