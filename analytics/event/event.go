package event

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/maproom/maproom/internal/reply"
)

// SchemaVersion is the version of [Event] lines written by this build.
// Version 2 added reply lines (kind "reply" with a "reply" field); lines of
// version 1 are read as they always were.
const SchemaVersion = 2

// Kind is what happened on a page.
type Kind string

// The event kinds.
const (
	KindView Kind = "view" // the page became visible for the first time in its page-load
	KindHB   Kind = "hb"   // heartbeat while the page counts time
	KindHide Kind = "hide" // the page was hidden or left
	KindOpen Kind = "open" // a link to a collateral page was followed
	KindDL   Kind = "dl"   // a link to a collateral file was followed

	// KindReply is a reply a person sent from their room (Event.Reply). It
	// is not a page event: a room script cannot send it as one (Valid is
	// false), view counts skip it, and ReadReplies reads it.
	KindReply Kind = "reply"
)

// Valid reports whether k is one of the page-event kinds a room script sends.
func (k Kind) Valid() bool {
	switch k {
	case KindView, KindHB, KindHide, KindOpen, KindDL:
		return true
	}
	return false
}

// Collateral reports whether events of kind k name a collateral.
func (k Kind) Collateral() bool { return k == KindOpen || k == KindDL }

// UA classes of [Event.UA].
const (
	UABrowser = "browser" // a User-Agent the crawler list does not know
	UACrawler = "crawler" // matched the crawler list; Event.Crawler says which pattern
	UAEmpty   = "empty"   // no User-Agent header
)

// Event is one line of the event log: what a room page reported, resolved
// against the manifest and stamped by the beacon. The package documentation
// describes each field. Events are values; the zero Event is not valid.
type Event struct {
	V           int       `json:"v"`
	Time        time.Time `json:"time"`
	Deal        string    `json:"deal"`
	Stakeholder string    `json:"stakeholder"`
	Side        string    `json:"side"`
	Role        string    `json:"role"`
	Room        string    `json:"room"`
	Rotation    int       `json:"rotation"`
	Retired     bool      `json:"retired"`
	Page        string    `json:"page"`
	Kind        Kind      `json:"kind"`
	Collateral  string    `json:"collateral"`
	Load        string    `json:"load"`
	Seq         int64     `json:"seq"`
	ActiveMS    int64     `json:"active_ms"`
	VisibleMS   int64     `json:"visible_ms"`
	Net         string    `json:"net"`
	UA          string    `json:"ua"`
	Crawler     string    `json:"crawler"`
	Webdriver   bool      `json:"webdriver"`
	Instance    string    `json:"instance"`
	// Reply is the reply of a KindReply line, nil on every other.
	Reply *reply.Reply `json:"reply,omitempty"`
}

// PreviewInstance is the Instance of the events of `maproom serve`'s local
// preview: the seller clicking through the rooms, never a buyer's
// engagement (the report leaves their page views out; a reply sent from
// the preview is still a reply).
const PreviewInstance = "preview"

// AppendJSON appends e as one event-log line (with its newline), byte for
// byte as the log writes it, so export tools write the same files. It
// writes the document encoding/json would for Event, without reflection:
// the beacon encodes every event it accepts.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(e.V), 10)
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `","deal":`...)
	b = appendString(b, e.Deal)
	b = append(b, `,"stakeholder":`...)
	b = appendString(b, e.Stakeholder)
	b = append(b, `,"side":`...)
	b = appendString(b, e.Side)
	b = append(b, `,"role":`...)
	b = appendString(b, e.Role)
	b = append(b, `,"room":`...)
	b = appendString(b, e.Room)
	b = append(b, `,"rotation":`...)
	b = strconv.AppendInt(b, int64(e.Rotation), 10)
	b = append(b, `,"retired":`...)
	b = strconv.AppendBool(b, e.Retired)
	b = append(b, `,"page":`...)
	b = appendString(b, e.Page)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(e.Kind))
	b = append(b, `,"collateral":`...)
	b = appendString(b, e.Collateral)
	b = append(b, `,"load":`...)
	b = appendString(b, e.Load)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"active_ms":`...)
	b = strconv.AppendInt(b, e.ActiveMS, 10)
	b = append(b, `,"visible_ms":`...)
	b = strconv.AppendInt(b, e.VisibleMS, 10)
	b = append(b, `,"net":`...)
	b = appendString(b, e.Net)
	b = append(b, `,"ua":`...)
	b = appendString(b, e.UA)
	b = append(b, `,"crawler":`...)
	b = appendString(b, e.Crawler)
	b = append(b, `,"webdriver":`...)
	b = strconv.AppendBool(b, e.Webdriver)
	b = append(b, `,"instance":`...)
	b = appendString(b, e.Instance)
	if e.Reply != nil {
		// Rare and small: encoding/json writes it. A Reply holds only
		// strings and a time, so it always encodes.
		rb, _ := json.Marshal(e.Reply)
		b = append(b, `,"reply":`...)
		b = append(b, rb...)
	}
	return append(b, "}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// with encoding/json; <, > and & are not escaped (the log is not HTML).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
