// Package beacon is the beacon: the HTTP handler that takes the room
// script's events and the reply forms, checks them against the room
// manifest and its limits, and stores them (in the event log,
// analytics/eventlog, or PostgreSQL, analytics/pgstore, through the [Store]
// interface it defines); the rejection reasons; the server with its
// connection cap and graceful drain; the manifest's reloading; and the
// client of its read endpoint ([FetchReplies]).
//
// # Wire format (room script to beacon)
//
// The room script POSTs to [NotePath] a text/plain body holding a JSON array
// of at most [MaxNotes] objects and at most [MaxBody] bytes:
//
//	[{"t":"<token>","p":"room","k":"view","l":"<page-load id>","s":0,"a":0,"v":0}]
//
// t is the room token (the client never claims an identity: the beacon looks
// up token.Key(t) in the manifest), p the page id ("room" or a collateral id),
// k the kind (view, hb, hide, open, dl), c the collateral id of an open or dl,
// l a page-load id of 32 lowercase hex digits, s the sequence number within
// the page-load, a and v the active and visible milliseconds since the
// page-load's previous event, w true when navigator.webdriver is set.
// Unknown keys are ignored so that a newer theme works with an older beacon.
//
// A request is accepted or rejected whole. Accepted requests get 204 No
// Content, and only after every event is in the log (and fsynced with
// the log's sync always). A rejection gets a 4xx (or 503 when the log fails) and an
// X-Maproom-Reject header "<reason>: <detail>"; the reasons are the [Reason]
// constants and are counted at [HealthPath]. A prefetch (Sec-Purpose or
// Purpose: prefetch) is answered 204 with X-Maproom-Reject "prefetch" and
// nothing is stored.
//
// Per-event deltas a and v must be in [0, [MaxDeltaMS]]: the script sends a
// heartbeat every 15 s while it counts, so 75 s (a heartbeat plus a minute of
// timer slack for a throttled or frozen page) is the most one event can carry;
// the script clamps to that same cap. s must be in [0, [MaxSeq]].
//
// # Health
//
// GET [HealthPath] answers a JSON [Health] document: status ("ok", or
// "draining" with 503 during shutdown), the manifest's room count and load
// time, accepted requests, events and replies, rejections by reason,
// rate-limiter evictions, and under "store" the store's own state (the log's
// write and sync counts, or the database's; see [StoreReporter]).
package beacon
