// Package icstest checks iCalendar files in tests with a maintained parser
// (github.com/emersion/go-ical) and the rules of RFC 5545 that parser does
// not enforce: every TZID a value names has its VTIMEZONE, whose offsets
// agree with Go's time package at every occurrence, and a recurrence from a
// zoned start ends with UNTIL in UTC. Only tests import it.
package icstest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Event is what Check read of one VEVENT.
type Event struct {
	UID         string
	Start       time.Time   // in its TZID's location (Go's), or UTC; a date at midnight UTC
	Recurs      bool        // has an RRULE
	Until       time.Time   // the RRULE's UNTIL; zero when it has none
	Occurrences []time.Time // every start of a recurring event (at most 1000), else Start
}

// Check parses an .ics file and returns its events, or the first way it
// breaks RFC 5545 found.
func Check(data []byte) ([]Event, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, fmt.Errorf("does not parse: %w", err)
	}
	var again bytes.Buffer
	if err := ical.NewEncoder(&again).Encode(cal); err != nil {
		return nil, fmt.Errorf("does not encode again (a required property is missing): %w", err)
	}
	zones := zoneSet{}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		z, err := readZone(c)
		if err != nil {
			return nil, err
		}
		zones[z.id] = z
	}
	var out []Event
	for _, e := range cal.Events() {
		uid, _ := e.Props.Text(ical.PropUID)
		ev := Event{UID: uid}
		start := e.Props.Get(ical.PropDateTimeStart)
		if start == nil {
			return nil, fmt.Errorf("event %s has no DTSTART", uid)
		}
		tzid := start.Params.Get(ical.PropTimezoneID)
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			p := e.Props.Get(name)
			if p == nil {
				continue
			}
			t, err := p.DateTime(nil)
			if err != nil {
				return nil, fmt.Errorf("event %s %s: %w", uid, name, err)
			}
			if name == ical.PropDateTimeStart {
				ev.Start = t
			}
			if id := p.Params.Get(ical.PropTimezoneID); id != "" {
				if err := zones.agree(id, t); err != nil {
					return nil, fmt.Errorf("event %s %s: %w", uid, name, err)
				}
			}
		}
		ev.Occurrences = []time.Time{ev.Start}
		if rr := e.Props.Get(ical.PropRecurrenceRule); rr != nil {
			ev.Recurs = true
			opt, err := e.Props.RecurrenceRule()
			if err != nil {
				return nil, fmt.Errorf("event %s: %w", uid, err)
			}
			for _, part := range strings.Split(rr.Value, ";") {
				if v, ok := strings.CutPrefix(part, "UNTIL="); ok {
					if tzid != "" && !strings.HasSuffix(v, "Z") {
						return nil, fmt.Errorf("event %s: UNTIL=%s with a DTSTART in TZID=%s must be in UTC (RFC 5545 3.3.10)", uid, v, tzid)
					}
					ev.Until = opt.Until
				}
			}
			set, err := e.RecurrenceSet(nil)
			if err != nil {
				return nil, fmt.Errorf("event %s: %w", uid, err)
			}
			ev.Occurrences = ev.Occurrences[:0]
			it := set.Iterator()
			for t, ok := it(); ok && len(ev.Occurrences) < 1000; t, ok = it() {
				ev.Occurrences = append(ev.Occurrences, t)
				if tzid != "" {
					if err := zones.agree(tzid, t); err != nil {
						return nil, fmt.Errorf("event %s, occurrence %s: %w", uid, t.Format(time.DateOnly), err)
					}
				}
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

// zone is a VTIMEZONE: its observances in onset order.
type zone struct {
	id  string
	obs []observance
}

type observance struct {
	onset time.Time // UTC
	to    int       // seconds east of UTC from the onset
}

type zoneSet map[string]*zone

func readZone(c *ical.Component) (*zone, error) {
	id, _ := c.Props.Text(ical.PropTimezoneID)
	z := &zone{id: id}
	for _, o := range c.Children {
		if o.Name != ical.CompTimezoneStandard && o.Name != ical.CompTimezoneDaylight {
			return nil, fmt.Errorf("VTIMEZONE %s holds %s", id, o.Name)
		}
		var from, to int
		var err error
		for _, f := range []struct {
			name string
			v    *int
		}{{ical.PropTimezoneOffsetFrom, &from}, {ical.PropTimezoneOffsetTo, &to}} {
			p := o.Props.Get(f.name)
			if p == nil {
				return nil, fmt.Errorf("VTIMEZONE %s: an observance lacks %s", id, f.name)
			}
			if *f.v, err = utcOffset(p.Value); err != nil {
				return nil, fmt.Errorf("VTIMEZONE %s %s: %w", id, f.name, err)
			}
		}
		p := o.Props.Get(ical.PropDateTimeStart)
		if p == nil || strings.HasSuffix(p.Value, "Z") || p.Params.Get(ical.PropTimezoneID) != "" {
			return nil, fmt.Errorf("VTIMEZONE %s: an observance's DTSTART must be a local time", id)
		}
		if o.Props.Get(ical.PropRecurrenceRule) != nil || o.Props.Get(ical.PropRecurrenceDates) != nil {
			return nil, fmt.Errorf("VTIMEZONE %s: this check reads observances without RRULE or RDATE only", id)
		}
		local, err := time.Parse("20060102T150405", p.Value)
		if err != nil {
			return nil, fmt.Errorf("VTIMEZONE %s DTSTART: %w", id, err)
		}
		z.obs = append(z.obs, observance{onset: local.Add(-time.Duration(from) * time.Second), to: to})
	}
	if len(z.obs) == 0 {
		return nil, fmt.Errorf("VTIMEZONE %s has no STANDARD or DAYLIGHT observance", id)
	}
	sort.Slice(z.obs, func(i, j int) bool { return z.obs[i].onset.Before(z.obs[j].onset) })
	return z, nil
}

// agree checks that the VTIMEZONE of id exists and gives t (a time in Go's
// location for id) the offset Go gives it.
func (zs zoneSet) agree(id string, t time.Time) error {
	z := zs[id]
	if z == nil {
		return fmt.Errorf("TZID=%s has no VTIMEZONE (RFC 5545 3.2.19)", id)
	}
	_, want := t.Zone()
	got, found := 0, false
	for _, o := range z.obs {
		if !t.Before(o.onset) {
			got, found = o.to, true
		}
	}
	if !found {
		return fmt.Errorf("VTIMEZONE %s starts after %s", id, t)
	}
	if got != want {
		return fmt.Errorf("VTIMEZONE %s gives %s the offset %ds; Go's time package gives %ds", id, t, got, want)
	}
	return nil
}

// utcOffset parses RFC 5545's UTC-OFFSET: +hhmm or +hhmmss.
func utcOffset(s string) (int, error) {
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("offset %q: want +hhmm or +hhmmss", s)
	}
	var h, m, sec int
	if _, err := fmt.Sscanf(s[1:5], "%02d%02d", &h, &m); err != nil {
		return 0, fmt.Errorf("offset %q: %w", s, err)
	}
	if len(s) == 7 {
		if _, err := fmt.Sscanf(s[5:], "%02d", &sec); err != nil {
			return 0, fmt.Errorf("offset %q: %w", s, err)
		}
	}
	v := h*3600 + m*60 + sec
	if s[0] == '-' {
		v = -v
	}
	return v, nil
}
