package pgstore

import "github.com/maproom/maproom/analytics"

// AppendLine appends e as one event-log line, with its newline, byte for
// byte as the beacon's log writes it.
func AppendLine(b []byte, e *analytics.Event) []byte { return e.AppendJSON(b) }
