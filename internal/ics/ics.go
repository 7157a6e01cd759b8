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
// Start's location (written with its IANA TZID and a VTIMEZONE for it, or in
// UTC) and lasts Length. Weekly makes it repeat every week on the same
// weekday, up to and including the calendar day Until (in Start's location;
// written as UNTIL in UTC, as RFC 5545 requires with a TZID). A zero Until
// repeats for ever.
type Event struct {
	UID         string
	Summary     string
	Description string
	AllDay      bool
	Day         time.Time
	Start       time.Time
	Length      time.Duration
	Weekly      bool
	Until       time.Time
	// Except lists the instances of a weekly event that are not held (a
	// holiday), each at its start: EXDATE, in Start's time zone.
	Except []time.Time
	// Sequence is the event's revision (SEQUENCE), written when above 0:
	// a calendar holding the event already takes a later file of the same
	// UID as its update when the sequence is not lower (RFC 5545 3.8.7.4).
	Sequence int
}

// DaySequence is a SEQUENCE for an event made on day: the days since
// 1 January 2020, so that a calendar made later (the event moved since)
// is taken as its update, and the same day's calendars agree.
func DaySequence(day time.Time) int {
	y, m, d := day.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
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
	writeZones(line, events)
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + escape(e.UID))
		line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
		if e.Sequence > 0 {
			line(fmt.Sprintf("SEQUENCE:%d", e.Sequence))
		}
		if e.AllDay {
			line("DTSTART;VALUE=DATE:" + e.Day.Format("20060102"))
			line("DTEND;VALUE=DATE:" + e.Day.AddDate(0, 0, 1).Format("20060102"))
		} else {
			line("DTSTART" + timeValue(e.Start))
			line("DTEND" + timeValue(e.Start.Add(e.Length)))
		}
		if e.Weekly && e.Until.IsZero() {
			line("RRULE:FREQ=WEEKLY")
		} else if e.Weekly {
			line("RRULE:FREQ=WEEKLY;UNTIL=" + lastInstant(e.Until, e.Start.Location()).UTC().Format("20060102T150405Z"))
		}
		for _, x := range e.Except {
			if e.Weekly && !e.AllDay {
				line("EXDATE" + timeValue(x.In(e.Start.Location())))
			}
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

// lastInstant returns the last second of day's calendar date in loc.
func lastInstant(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, loc)
}

// writeZones writes a VTIMEZONE for each location the timed events name
// with a TZID. Go's time package does not expose a zone's rules, so each
// is derived from the offsets it gives: one STANDARD or DAYLIGHT
// observance for the offset in force a year before the first event, then
// one per transition (found to the second) until a year after the last
// occurrence (or ten years after the start of a series that never ends).
// Every time the calendar names thus converts exactly as Go converts it.
func writeZones(line func(string), events []Event) {
	type span struct{ from, to time.Time }
	spans := map[string]*span{}
	locs := map[string]*time.Location{}
	var names []string
	for _, e := range events {
		loc := e.Start.Location()
		if e.AllDay || loc == time.UTC {
			continue
		}
		end := e.Start.Add(e.Length)
		if e.Weekly {
			end = e.Start.AddDate(10, 0, 0)
			if !e.Until.IsZero() {
				end = lastInstant(e.Until, loc)
			}
		}
		sp, ok := spans[loc.String()]
		if !ok {
			sp = &span{e.Start, end}
			spans[loc.String()], locs[loc.String()] = sp, loc
			names = append(names, loc.String())
		}
		if e.Start.Before(sp.from) {
			sp.from = e.Start
		}
		if end.After(sp.to) {
			sp.to = end
		}
	}
	for _, name := range names {
		loc, sp := locs[name], spans[name]
		line("BEGIN:VTIMEZONE")
		line("TZID:" + name)
		from, to := sp.from.AddDate(-1, 0, 0), sp.to.AddDate(1, 0, 0)
		_, off := from.In(loc).Zone()
		observance(line, from.In(loc), off, off)
		for t := from; t.Before(to); {
			next := t.Add(24 * time.Hour)
			if _, o := next.In(loc).Zone(); o != off {
				at := transition(t, next, loc)
				observance(line, at.In(loc), off, o)
				off = o
			}
			t = next
		}
		line("END:VTIMEZONE")
	}
}

// transition returns the first second in (a, b] whose offset in loc
// differs from a's.
func transition(a, b time.Time, loc *time.Location) time.Time {
	_, off := a.In(loc).Zone()
	for b.Sub(a) > time.Second {
		mid := a.Add(b.Sub(a) / 2).Truncate(time.Second)
		if !mid.After(a) {
			break
		}
		if _, o := mid.In(loc).Zone(); o == off {
			a = mid
		} else {
			b = mid
		}
	}
	return b
}

// observance writes a STANDARD or DAYLIGHT component that starts at onset
// (a time in the zone after the change), whose local DTSTART is read in
// the offset before it, as RFC 5545 defines it.
func observance(line func(string), onset time.Time, fromOff, toOff int) {
	kind := "STANDARD"
	if onset.IsDST() {
		kind = "DAYLIGHT"
	}
	abbr, _ := onset.Zone()
	line("BEGIN:" + kind)
	line("DTSTART:" + onset.UTC().Add(time.Duration(fromOff)*time.Second).Format("20060102T150405"))
	line("TZOFFSETFROM:" + offset(fromOff))
	line("TZOFFSETTO:" + offset(toOff))
	if abbr != "" && abbr[0] != '+' && abbr[0] != '-' {
		line("TZNAME:" + escape(abbr))
	}
	line("END:" + kind)
}

// offset formats seconds east of UTC as RFC 5545's UTC-OFFSET: +hhmm, or
// +hhmmss when it has seconds.
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
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
