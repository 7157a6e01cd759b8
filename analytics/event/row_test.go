package event

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readerEvent(i int) Event {
	return Event{V: SchemaVersion, Time: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1500 * time.Millisecond),
		Deal: "acme", Stakeholder: "marcus", Side: "buyer", Role: "champion",
		Room: "5f3a9c0e8d7b6a5948372615f4e3d2c1b0a99887766554433221100ffeeddccb", Page: "room", Kind: KindHB,
		Load: fmt.Sprintf("%032x", i/10), Seq: int64(i % 10), ActiveMS: 1500, VisibleMS: 1500,
		Net: "203.0.113.0/24", UA: UABrowser, Instance: "beacon-a"}
}

// TestParseRowMatchesParseLine: the fast path decodes the beacon's lines
// exactly as encoding/json does, and leaves every other line to it.
func TestParseRowMatchesParseLine(t *testing.T) {
	plainEv := readerEvent(3)
	odd := readerEvent(4)
	odd.Crawler = `Googlebot "x" \ ` + "\x01"
	odd.Kind, odd.Collateral = KindDL, "pricing"
	unicode := readerEvent(5)
	unicode.Stakeholder, unicode.Retired, unicode.Webdriver = "zoë", true, true
	for _, c := range []struct {
		e    Event
		fast bool
	}{{plainEv, true}, {odd, false}, {unicode, true}} {
		line := bytes.TrimSpace(c.e.AppendJSON(nil))
		var r Row
		if got := ParseRow(line, &r); got != c.fast {
			t.Errorf("ParseRow(%s) = %v, want %v", line, got, c.fast)
			continue
		}
		e, why := ParseLine(line, false)
		if why != "" {
			t.Fatalf("parseLine: %s", why)
		}
		if c.fast && !reflect.DeepEqual(r.Event(), e) {
			t.Errorf("fast %+v\nslow %+v", r.Event(), e)
		}
	}
	for _, bad := range []string{
		`{"v":1}`,
		strings.Replace(string(plainEv.AppendJSON(nil)), `"seq":3`, `"seq":03`, 1),
		strings.Replace(string(plainEv.AppendJSON(nil)), fmt.Sprintf(`"v":%d`, SchemaVersion), fmt.Sprintf(`"v":%d`, SchemaVersion+1), 1),
		strings.Replace(string(plainEv.AppendJSON(nil)), `T09:00:04.500Z`, `T09:00:04.5Z`, 1),
		strings.Replace(string(plainEv.AppendJSON(nil)), `"kind":"hb"`, `"kind":"hop"`, 1),
	} {
		var r Row
		if ParseRow(bytes.TrimSpace([]byte(bad)), &r) {
			t.Errorf("the fast path took %s", bad)
		}
	}
}

// FuzzParseRow: whatever the fast path accepts, encoding/json reads the same.
func FuzzParseRow(f *testing.F) {
	for i := range 4 {
		e := readerEvent(i)
		e.Kind = []Kind{KindView, KindHB, KindHide, KindOpen}[i]
		f.Add(bytes.TrimSpace(e.AppendJSON(nil)))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var r Row
		if !ParseRow(line, &r) {
			return
		}
		e, why := ParseLine(line, false)
		if why != "" {
			t.Fatalf("fast path took a line encoding/json rejects (%s): %s", why, line)
		}
		if want := e; !reflect.DeepEqual(r.Event(), want) {
			t.Fatalf("%s\nfast %+v\nslow %+v", line, r.Event(), want)
		}
	})
}
