package analytics

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/maproom/maproom/internal/token"
)

// Limits of a request, enforced by [DecodeNotes] and the handler.
const (
	MaxBody    = 16 << 10 // bytes of a request body
	MaxNotes   = 50       // events in one request
	MaxDeltaMS = 75_000   // active or visible ms in one event: a 15 s heartbeat plus 60 s of slack
	MaxSeq     = 1 << 20  // sequence numbers of one page-load
	LoadLen    = 32       // hex digits of a page-load id
	maxID      = 200      // bytes of a page or collateral id
)

// Note is one event as the room script sends it, before the beacon resolves
// its token. The package documentation describes the keys.
type Note struct {
	Token      string `json:"t"`
	Page       string `json:"p"`
	Kind       Kind   `json:"k"`
	Collateral string `json:"c,omitempty"`
	Load       string `json:"l"`
	Seq        int64  `json:"s"`
	ActiveMS   int64  `json:"a"`
	VisibleMS  int64  `json:"v"`
	Webdriver  bool   `json:"w,omitempty"`
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
	var notes []Note
	if err := json.Unmarshal(body, &notes); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, reject(ReasonMalformed, "field %s: want %s", te.Field, te.Type)
		}
		return nil, reject(ReasonMalformed, "%v", err)
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
	if !validLoad(n.Load) {
		return reject(ReasonBadLoad, "l is not %d lowercase hex digits", LoadLen)
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

func validLoad(s string) bool {
	if len(s) != LoadLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
