package reply

import (
	"slices"
	"strings"
)

// Join puts the replies read from a reply source (the event log, the
// PostgreSQL store, a beacon) together with the bundles' records: every
// reply once, as a Record. A reply the records hold is their record, whose
// copy of the reply is what was decided on, whatever the source says; a
// reply only sent is a Record without decisions. When several records
// hold one id, the first in records wins; likewise in sent. The result is
// ordered oldest reply first, then by id; sent and records are not
// modified. Join does no I/O: read the records with ReadRecords.
func Join(sent []Reply, records []Record) []Record {
	seen := make(map[string]bool, len(sent)+len(records))
	out := make([]Record, 0, len(sent)+len(records))
	for _, rec := range records {
		if !seen[rec.Reply.ID] {
			seen[rec.Reply.ID] = true
			out = append(out, rec)
		}
	}
	for _, r := range sent {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, Record{Reply: r})
		}
	}
	slices.SortStableFunc(out, func(a, b Record) int {
		if c := a.Reply.Time.Compare(b.Reply.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Reply.ID, b.Reply.ID)
	})
	return out
}

// WaitingReplies returns the replies that wait for the seller: those of Join(sent,
// records) whose State is Waiting, that is every reply sent or recorded
// that no record decides (accepts, declines or answers), oldest first, then
// by id. A reply recorded with a decision is not waiting even when the
// source still holds it, as it always will. It returns nil when none
// waits.
func WaitingReplies(sent []Reply, records []Record) []Reply {
	var out []Reply
	for _, rec := range Join(sent, records) {
		if rec.State() == Waiting {
			out = append(out, rec.Reply)
		}
	}
	return out
}
