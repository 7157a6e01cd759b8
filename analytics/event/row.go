package event

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// Row is one event line decoded in place: its byte slices point into the
// line (or into the Event it was made from), so a Row is valid only as
// long as that is, and is what the log's reader hands on without
// allocating. A Row is made by [ParseRow] or [RowOf].
type Row struct {
	At                                  int64 // Event.Time in unix milliseconds
	V                                   int
	Deal, Stakeholder, Side, Role, Room []byte
	Rotation                            int
	Retired                             bool
	Page                                []byte
	Kind                                Kind
	Collateral                          []byte
	Load                                [LoadLen / 2]byte // the page-load id, decoded
	Seq, ActiveMS, VisibleMS            int64
	Net, UA, Crawler                    []byte
	Webdriver                           bool
	Instance                            []byte

	full *Event // the event RowOf was given: its time may be finer than At
}

// RowOf returns the row of a valid page event (see [Event.Problem]).
func RowOf(e *Event) Row {
	r := Row{At: e.Time.UnixMilli(), V: e.V, Deal: []byte(e.Deal), Stakeholder: []byte(e.Stakeholder), Side: []byte(e.Side),
		Role: []byte(e.Role), Room: []byte(e.Room), Rotation: e.Rotation, Retired: e.Retired,
		Page: []byte(e.Page), Kind: e.Kind, Collateral: []byte(e.Collateral), Seq: e.Seq, ActiveMS: e.ActiveMS,
		VisibleMS: e.VisibleMS, Net: []byte(e.Net), UA: []byte(e.UA), Crawler: []byte(e.Crawler),
		Webdriver: e.Webdriver, Instance: []byte(e.Instance), full: e}
	for i := range r.Load {
		r.Load[i] = unhex(e.Load[2*i])<<4 | unhex(e.Load[2*i+1])
	}
	return r
}

// Event returns the row as an Event, with copies of its strings: the
// event its line decodes to.
func (r *Row) Event() Event {
	if r.full != nil {
		return *r.full
	}
	return Event{V: r.V, Time: time.UnixMilli(r.At).UTC(), Deal: string(r.Deal), Stakeholder: string(r.Stakeholder),
		Side: string(r.Side), Role: string(r.Role), Room: string(r.Room), Rotation: r.Rotation, Retired: r.Retired,
		Page: string(r.Page), Kind: r.Kind, Collateral: string(r.Collateral), Load: r.LoadID(), Seq: r.Seq,
		ActiveMS: r.ActiveMS, VisibleMS: r.VisibleMS, Net: string(r.Net), UA: string(r.UA), Crawler: string(r.Crawler),
		Webdriver: r.Webdriver, Instance: string(r.Instance)}
}

// LoadID returns the page-load id in its hex form.
func (r *Row) LoadID() string {
	var b [LoadLen]byte
	for i, c := range r.Load {
		b[2*i], b[2*i+1] = hexDigits[c>>4], hexDigits[c&0xf]
	}
	return string(b[:])
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// The fast path's helpers take the line and a position and return the new
// position, or -1 when the line does not fit the beacon's layout there.

// lit skips the literal l at i.
func lit(b []byte, i int, l string) int {
	if i < 0 || len(b)-i < len(l) || string(b[i:i+len(l)]) != l {
		return -1
	}
	return i + len(l)
}

// str returns the contents of a string up to its closing quote, which it
// skips, followed by the literal next. parseRow has made sure the line holds
// no escapes or control characters.
func str(b []byte, i int, next string) ([]byte, int) {
	if i < 0 {
		return nil, -1
	}
	j := bytes.IndexByte(b[i:], '"')
	if j < 0 {
		return nil, -1
	}
	return b[i : i+j], lit(b, i+j+1, next)
}

// num reads a JSON integer of at most 18 digits, then the literal next.
func num(b []byte, i int, next string) (int64, int) {
	if i < 0 || i >= len(b) {
		return 0, -1
	}
	neg := b[i] == '-'
	if neg {
		i++
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	if d := i - start; d == 0 || d > 18 || (d > 1 && b[start] == '0') {
		return 0, -1
	}
	if neg {
		n = -n
	}
	return n, lit(b, i, next)
}

// boolean reads true or false, then the literal next.
func boolean(b []byte, i int, next string) (bool, int) {
	if i < 0 {
		return false, -1
	}
	switch {
	case len(b)-i >= 4 && string(b[i:i+4]) == "true":
		return true, lit(b, i+4, next)
	case len(b)-i >= 5 && string(b[i:i+5]) == "false":
		return false, lit(b, i+5, next)
	}
	return false, -1
}

// stamp reads YYYY-MM-DDTHH:MM:SS.mmmZ, the beacon's layout, as unix ms,
// then the literal next.
func stamp(b []byte, i int, next string) (int64, int) {
	const n = len("2006-01-02T15:04:05.000Z")
	if i < 0 || len(b)-i < n {
		return 0, -1
	}
	t := b[i : i+n]
	if t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z' {
		return 0, -1
	}
	bad := false
	dig := func(from, to int) int {
		v := 0
		for _, c := range t[from:to] {
			bad = bad || c < '0' || c > '9'
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := dig(0, 4), dig(5, 7), dig(8, 10)
	h, mi, sec, ms := dig(11, 13), dig(14, 16), dig(17, 19), dig(20, 23)
	if bad || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > deal.DaysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return 0, -1
	}
	days := daysFromCivil(y, mo, d)
	return ((days*24+int64(h))*60+int64(mi))*60_000 + int64(sec)*1000 + int64(ms), lit(b, i+n, next)
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d (proleptic
// Gregorian; H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// ParseRow decodes a line in the exact layout the beacon writes
// ([Event.AppendJSON]) into r, and checks it as [ParseLine] does. It
// returns false for any other line, valid or not: the caller then decodes
// it with ParseLine (and [RowOf]). r's byte slices point into b.
func ParseRow(b []byte, r *Row) bool {
	if !plain(b) {
		return false
	}
	var v, rotation int64
	var kind, load []byte
	i := lit(b, 0, `{"v":`)
	v, i = num(b, i, `,"time":"`)
	r.At, i = stamp(b, i, `","deal":"`)
	r.Deal, i = str(b, i, `,"stakeholder":"`)
	r.Stakeholder, i = str(b, i, `,"side":"`)
	r.Side, i = str(b, i, `,"role":"`)
	r.Role, i = str(b, i, `,"room":"`)
	r.Room, i = str(b, i, `,"rotation":`)
	rotation, i = num(b, i, `,"retired":`)
	r.Retired, i = boolean(b, i, `,"page":"`)
	r.Page, i = str(b, i, `,"kind":"`)
	kind, i = str(b, i, `,"collateral":"`)
	r.Collateral, i = str(b, i, `,"load":"`)
	load, i = str(b, i, `,"seq":`)
	r.Seq, i = num(b, i, `,"active_ms":`)
	r.ActiveMS, i = num(b, i, `,"visible_ms":`)
	r.VisibleMS, i = num(b, i, `,"net":"`)
	r.Net, i = str(b, i, `,"ua":"`)
	r.UA, i = str(b, i, `,"crawler":"`)
	r.Crawler, i = str(b, i, `,"webdriver":`)
	r.Webdriver, i = boolean(b, i, `,"instance":"`)
	r.Instance, i = str(b, i, `}`)
	if i != len(b) {
		return false
	}
	switch string(kind) {
	case "view":
		r.Kind = KindView
	case "hb":
		r.Kind = KindHB
	case "hide":
		r.Kind = KindHide
	case "open":
		r.Kind = KindOpen
	case "dl":
		r.Kind = KindDL
	default:
		return false
	}
	if v < 1 || v > SchemaVersion || len(load) != LoadLen || r.Seq < 0 || r.ActiveMS < 0 || r.VisibleMS < 0 ||
		len(r.Deal) == 0 || len(bytes.TrimSpace(r.Room)) == 0 || rotation != int64(int(rotation)) {
		return false
	}
	for i := 0; i < LoadLen/2; i++ {
		hi, lo := load[2*i], load[2*i+1]
		if !isLowerHex(hi) || !isLowerHex(lo) {
			return false
		}
		r.Load[i] = unhex(hi)<<4 | unhex(lo)
	}
	r.V, r.Rotation, r.full = int(v), int(rotation), nil
	return true
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// plain reports whether b holds no backslash and no control character, so
// that every JSON string in it is its bytes as they are.
func plain(b []byte) bool {
	if bytes.IndexByte(b, '\\') >= 0 {
		return false
	}
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// a byte below 0x20 borrows into its high bit
		if (x-0x20*lo)&^x&hi != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 {
			return false
		}
	}
	return true
}
