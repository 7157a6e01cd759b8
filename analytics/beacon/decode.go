package beacon

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/token"
)

// Limits of a request, enforced by [DecodeNotes] and the handler.
const (
	MaxBody    = 16 << 10 // bytes of a request body
	MaxNotes   = 50       // events in one request
	MaxDeltaMS = 75_000   // active or visible ms in one event: a 15 s heartbeat plus 60 s of slack
	MaxSeq     = 1 << 20  // sequence numbers of one page-load
	maxID      = 200      // bytes of a page or collateral id
)

// Note is one event as the room script sends it, before the beacon resolves
// its token. The package documentation describes the keys.
type Note struct {
	Token      string     `json:"t"`
	Page       string     `json:"p"`
	Kind       event.Kind `json:"k"`
	Collateral string     `json:"c,omitempty"`
	Load       string     `json:"l"`
	Seq        int64      `json:"s"`
	ActiveMS   int64      `json:"a"`
	VisibleMS  int64      `json:"v"`
	Webdriver  bool       `json:"w,omitempty"`
}

// DecodeNotes parses a request body and checks everything about its events
// that does not need the manifest: the shape of the array, of the token and
// the page-load id, the kind, whether a collateral is named exactly when the
// kind needs one, and the ranges of seq and the deltas. An error is a
// *[RejectError]; the first bad event decides it.
func DecodeNotes(body []byte) ([]Note, error) {
	if len(body) > MaxBody {
		return nil, reject(ReasonTooLarge, "%d bytes, the most is %d", len(body), MaxBody)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '[' {
		return nil, reject(ReasonMalformed, "want a JSON array of events")
	}
	notes, ok := decodeFast(body)
	if !ok {
		notes = nil
		if err := json.Unmarshal(body, &notes); err != nil {
			return nil, jsonReject(err)
		}
	}
	if len(notes) == 0 {
		return nil, reject(ReasonEmpty, "no events")
	}
	if len(notes) > MaxNotes {
		return nil, reject(ReasonTooMany, "%d events, the most is %d", len(notes), MaxNotes)
	}
	for i := range notes {
		if err := notes[i].check(); err != nil {
			err.Detail = "event " + strconv.Itoa(i) + ": " + err.Detail
			return nil, err
		}
	}
	return notes, nil
}

func jsonReject(err error) *RejectError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return reject(ReasonMalformed, "field %s: want %s", te.Field, te.Type)
	}
	return reject(ReasonMalformed, "%v", err)
}

// decodeFast decodes the bodies the room script sends: an array of flat
// objects with the one-letter keys of [Note], printable ASCII strings
// without escapes, and integers. It returns false for anything else
// (escapes, other bytes, other keys, keys in another case, other number
// forms, null, malformed JSON), which encoding/json then decodes or
// refuses: where it returns true, the notes are those encoding/json gives
// (FuzzDecodeNotes checks it). It costs a fifth of encoding/json and one
// allocation for the strings.
func decodeFast(body []byte) ([]Note, bool) {
	d := fastDecoder{b: body}
	d.ws()
	if !d.eat('[') {
		return nil, false
	}
	notes := make([]Note, 0, 1)
	d.ws()
	if d.eat(']') {
		return notes, d.end()
	}
	var all string // the body as one string: the notes' strings point into it
	for {
		d.ws()
		if !d.eat('{') {
			return nil, false
		}
		var n Note
		d.ws()
		if !d.eat('}') {
			for {
				d.ws()
				if d.i+4 > len(d.b) || d.b[d.i] != '"' || d.b[d.i+2] != '"' {
					return nil, false
				}
				key := d.b[d.i+1]
				d.i += 3
				d.ws()
				if !d.eat(':') {
					return nil, false
				}
				d.ws()
				var ok bool
				switch key {
				case 't', 'p', 'k', 'c', 'l':
					var from, to int
					if from, to, ok = d.str(); ok {
						if all == "" {
							all = string(body)
						}
						v := all[from:to]
						switch key {
						case 't':
							n.Token = v
						case 'p':
							n.Page = v
						case 'k':
							n.Kind = event.Kind(v)
						case 'c':
							n.Collateral = v
						case 'l':
							n.Load = v
						}
					}
				case 's':
					n.Seq, ok = d.int()
				case 'a':
					n.ActiveMS, ok = d.int()
				case 'v':
					n.VisibleMS, ok = d.int()
				case 'w':
					n.Webdriver, ok = d.boolean()
				}
				if !ok {
					return nil, false
				}
				d.ws()
				if d.eat('}') {
					break
				}
				if !d.eat(',') {
					return nil, false
				}
			}
		}
		notes = append(notes, n)
		d.ws()
		if d.eat(']') {
			return notes, d.end()
		}
		if !d.eat(',') {
			return nil, false
		}
	}
}

type fastDecoder struct {
	b []byte
	i int
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *fastDecoder) eat(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// str reads a string of printable ASCII other than '"' and '\\' and
// returns where its contents start and end.
func (d *fastDecoder) str() (int, int, bool) {
	if !d.eat('"') {
		return 0, 0, false
	}
	from := d.i
	for ; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return from, d.i - 1, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// int reads an integer of JSON's form, at most 15 digits.
func (d *fastDecoder) int() (int64, bool) {
	neg := d.eat('-')
	from := d.i
	var v int64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		v = v*10 + int64(d.b[d.i]-'0')
		d.i++
	}
	digits := d.i - from
	if digits == 0 || digits > 15 || (digits > 1 && d.b[from] == '0') {
		return 0, false
	}
	if d.i < len(d.b) && (d.b[d.i] == '.' || d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func (d *fastDecoder) boolean() (bool, bool) {
	switch {
	case bytes.HasPrefix(d.b[d.i:], []byte("true")):
		d.i += 4
		return true, true
	case bytes.HasPrefix(d.b[d.i:], []byte("false")):
		d.i += 5
		return false, true
	}
	return false, false
}

// check validates n on its own.
func (n *Note) check() *RejectError {
	if !token.Valid(n.Token) {
		return reject(ReasonBadToken, "t is not a room token")
	}
	if !n.Kind.Valid() {
		return reject(ReasonBadKind, "k %.20q is not view, hb, hide, open or dl", n.Kind)
	}
	if n.Page == "" || len(n.Page) > maxID {
		return reject(ReasonUnknownPage, "p is empty or too long")
	}
	if n.Kind.Collateral() != (n.Collateral != "") {
		if n.Collateral == "" {
			return reject(ReasonCollateral, "%s needs c, the collateral id", n.Kind)
		}
		return reject(ReasonCollateral, "%s takes no c", n.Kind)
	}
	if len(n.Collateral) > maxID {
		return reject(ReasonCollateral, "c is too long")
	}
	if !event.ValidLoad(n.Load) {
		return reject(ReasonBadLoad, "l is not %d lowercase hex digits", event.LoadLen)
	}
	if n.Seq < 0 || n.Seq > MaxSeq {
		return reject(ReasonOutOfRange, "s %d is not in [0, %d]", n.Seq, MaxSeq)
	}
	if n.ActiveMS < 0 || n.ActiveMS > MaxDeltaMS {
		return reject(ReasonOutOfRange, "a %d is not in [0, %d]", n.ActiveMS, MaxDeltaMS)
	}
	if n.VisibleMS < 0 || n.VisibleMS > MaxDeltaMS {
		return reject(ReasonOutOfRange, "v %d is not in [0, %d]", n.VisibleMS, MaxDeltaMS)
	}
	if n.ActiveMS > n.VisibleMS {
		return reject(ReasonOutOfRange, "a %d is more than v %d", n.ActiveMS, n.VisibleMS)
	}
	return nil
}
