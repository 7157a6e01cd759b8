package beacon

import (
	"fmt"
	"net/http"
)

// Reason names why the beacon refused a request. It is the first word of the
// X-Maproom-Reject header and the key of the rejection counters.
type Reason string

// The rejection reasons, with the status each is answered with.
const (
	ReasonNotFound     Reason = "not-found"      // 404: no such path
	ReasonMethod       Reason = "method"         // 405: not POST (or OPTIONS for CORS)
	ReasonOrigin       Reason = "origin"         // 403: Origin is not one of the rooms' origins
	ReasonPrefetch     Reason = "prefetch"       // 204: a prefetch; nothing stored
	ReasonContentType  Reason = "content-type"   // 415: not text/plain or application/json
	ReasonRateAddr     Reason = "rate-address"   // 429: too many requests from this address
	ReasonTooLarge     Reason = "too-large"      // 413: body over MaxBody bytes
	ReasonTooMany      Reason = "too-many"       // 413: more than MaxNotes events
	ReasonMalformed    Reason = "malformed"      // 400: not a JSON array of event objects
	ReasonEmpty        Reason = "empty"          // 400: no events
	ReasonBadToken     Reason = "bad-token"      // 400: not shaped like a token
	ReasonUnknownToken Reason = "unknown-token"  // 403: no room has this token
	ReasonBadKind      Reason = "bad-kind"       // 422: kind is not view, hb, hide, open or dl
	ReasonUnknownPage  Reason = "unknown-page"   // 422: page is not one of the room's pages
	ReasonCollateral   Reason = "bad-collateral" // 422: collateral missing, extra or not in the room
	ReasonBadLoad      Reason = "bad-load"       // 422: page-load id is not 32 lowercase hex digits
	ReasonOutOfRange   Reason = "out-of-range"   // 422: seq or a millisecond delta out of range
	ReasonRateToken    Reason = "rate-token"     // 429: too many events for this room
	ReasonUnavailable  Reason = "unavailable"    // 503: the log could not store the events, or the beacon is draining
	ReasonRetired      Reason = "retired-token"  // 410: a reply from a token rotated away (the link was replaced)
	ReasonNoReplies    Reason = "no-replies"     // 403: a reply from a room that takes none (a seller's, a closed deal's)
	ReasonBadReply     Reason = "bad-reply"      // 422: a reply field is missing or wrong
	ReasonNotYours     Reason = "not-yours"      // 403: a reply about what this room may not answer
	ReasonRateReply    Reason = "rate-reply"     // 429: too many replies from this room
)

// Reasons lists every reason in a stable order.
var Reasons = []Reason{ReasonNotFound, ReasonMethod, ReasonOrigin, ReasonPrefetch, ReasonContentType,
	ReasonRateAddr, ReasonTooLarge, ReasonTooMany, ReasonMalformed, ReasonEmpty, ReasonBadToken,
	ReasonUnknownToken, ReasonBadKind, ReasonUnknownPage, ReasonCollateral, ReasonBadLoad,
	ReasonOutOfRange, ReasonRateToken, ReasonUnavailable, ReasonRetired, ReasonNoReplies, ReasonBadReply,
	ReasonNotYours, ReasonRateReply}

// Status returns the HTTP status a rejection for r is answered with.
func (r Reason) Status() int {
	switch r {
	case ReasonNotFound:
		return http.StatusNotFound
	case ReasonMethod:
		return http.StatusMethodNotAllowed
	case ReasonOrigin, ReasonUnknownToken, ReasonNoReplies, ReasonNotYours:
		return http.StatusForbidden
	case ReasonRetired:
		return http.StatusGone
	case ReasonPrefetch:
		return http.StatusNoContent
	case ReasonContentType:
		return http.StatusUnsupportedMediaType
	case ReasonRateAddr, ReasonRateToken, ReasonRateReply:
		return http.StatusTooManyRequests
	case ReasonTooLarge, ReasonTooMany:
		return http.StatusRequestEntityTooLarge
	case ReasonMalformed, ReasonEmpty, ReasonBadToken:
		return http.StatusBadRequest
	case ReasonUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusUnprocessableEntity
	}
}

func (r Reason) index() int {
	for i, x := range Reasons {
		if x == r {
			return i
		}
	}
	panic("analytics: unknown reason " + string(r))
}

// RejectError is a refused request: the reason and a detail for the header.
type RejectError struct {
	Reason Reason
	Detail string
}

func (e *RejectError) Error() string {
	if e.Detail == "" {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Detail
}

func reject(r Reason, format string, args ...any) *RejectError {
	return &RejectError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
