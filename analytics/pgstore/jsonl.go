package pgstore

import (
	"github.com/maproom/maproom/analytics/event"
)

// AppendLine appends e as one event-log line, with its newline, byte for
// byte as the beacon's log writes it.
func AppendLine(b []byte, e *event.Event) []byte { return e.AppendJSON(b) }
