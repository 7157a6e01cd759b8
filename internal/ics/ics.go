// Package ics writes iCalendar (RFC 5545) files: the weekly MAP review and a
// person's due dates, downloaded from a room.
//
// Output is deterministic: UIDs and DTSTAMP come from the caller, lines end
// in CRLF and are folded at 75 octets, text is escaped.
package ics

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Event is one VEVENT. An all-day event uses Day (midnight of that date, any
// location) and ignores Start and Length; a timed event starts at Start in
// Start's location (written with its IANA TZID, or UTC) and lasts Length.
// Weekly makes it repeat every week on the same weekday.
type Event struct {
	UID         string
	Summary     string
	Description string
	AllDay      bool
	Day         time.Time
	Start       time.Time
	Length      time.Duration
	Weekly      bool
}

// Calendar returns a VCALENDAR holding events, stamped with stamp.
func Calendar(name string, stamp time.Time, events []Event) []byte {
	var b bytes.Buffer
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//maproom//deal room//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escape(name))
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + escape(e.UID))
		line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
		if e.AllDay {
			line("DTSTART;VALUE=DATE:" + e.Day.Format("20060102"))
			line("DTEND;VALUE=DATE:" + e.Day.AddDate(0, 0, 1).Format("20060102"))
		} else {
			line("DTSTART" + timeValue(e.Start))
			line("DTEND" + timeValue(e.Start.Add(e.Length)))
		}
		if e.Weekly {
			line("RRULE:FREQ=WEEKLY")
		}
		line("SUMMARY:" + escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION:" + escape(e.Description))
		}
		line("TRANSP:" + map[bool]string{true: "TRANSPARENT", false: "OPAQUE"}[e.AllDay])
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

func timeValue(t time.Time) string {
	if t.Location() == time.UTC {
		return ":" + t.Format("20060102T150405Z")
	}
	return fmt.Sprintf(";TZID=%s:%s", t.Location(), t.Format("20060102T150405"))
}

// escape escapes TEXT values (RFC 5545 3.3.11).
func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold writes s as one content line, folded so no line exceeds 75 octets
// and no UTF-8 sequence is split.
func fold(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a rune
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // continuation lines start with a space
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
