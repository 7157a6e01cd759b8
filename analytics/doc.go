// Package analytics owns what maproom records about room visits: the event
// schema, the beacon's HTTP handler that validates and stores events, the
// append-only event log that is the data contract with the reports, and the
// reader the reports use.
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
// [SyncAlways]). A rejection gets a 4xx (or 503 when the log fails) and an
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
// # The event log (beacon to reports)
//
// The log is a folder of JSON-lines files, one per UTC day per beacon
// instance, named events-YYYY-MM-DD-<instance>.jsonl. Lines are only ever
// added after the last one, by one writer per instance (a lock file guards
// it). With sync always, a file being written ends in zero bytes: the
// writer fills the file with zeros some megabytes ahead of its lines, so
// that each fdatasync flushes data only rather than also a new file length
// (about half the latency), and cuts them when it closes the file; the next
// start cuts them after a crash, with a torn last line and nothing else.
// maproom's readers drop the zeros at the end of a file; other tools
// reading a live file should stop at the first zero byte there. A zero byte
// before the last newline is part of its line, which is corrupt. Each line
// is one [Event]:
//
//	{"v":1,"time":"2026-11-22T14:03:07.412Z","deal":"acme-data-platform",
//	 "stakeholder":"jordan","side":"buyer","role":"technical-evaluator",
//	 "room":"<hex sha-256 of the token>","rotation":0,"retired":false,
//	 "page":"room","kind":"hb","collateral":"","load":"<32 hex>","seq":3,
//	 "active_ms":14200,"visible_ms":15000,"net":"203.0.113.0/24",
//	 "ua":"browser","crawler":"","webdriver":false,"instance":"beacon-1"}
//
// (one line in the file; wrapped here.) Fields:
//
//   - v: the schema version, [SchemaVersion]. A reader rejects lines of a
//     newer version as corrupt rather than misreading them.
//   - time: the beacon's clock when the request arrived, UTC, millisecond
//     precision. The client's clock is never used.
//   - deal, stakeholder, side, role, rotation: from the manifest entry of the
//     room key, as it was when the event arrived.
//   - room: the room key (hex SHA-256 of the token), never the token.
//   - retired: the token had been rotated away (manifest Room.Retired); the
//     event is kept, marked, for the report to weigh.
//   - page: "room" or the collateral id of the page the event came from.
//   - kind: view (the page became visible), hb (heartbeat about every 15 s
//     while counting), hide (the page was hidden or left), open (a link to a
//     collateral page was followed), dl (a collateral file link was followed).
//   - collateral: the collateral id of an open or dl, empty otherwise.
//   - load, seq: the page-load id and sequence number; (load, seq) is unique
//     per event and is the dedupe key across instances and retries.
//   - active_ms, visible_ms: milliseconds since the page-load's previous event
//     during which the page was visible, focused and the person acted in the
//     last 60 s (active), or visible at all (visible); both in [0, 75000].
//     Summing a page-load's events gives its totals.
//   - net: the client's network truncated to /24 (IPv4) or /48 (IPv6); the
//     full address is never stored. Behind a proxy listed as trusted, the
//     client address is taken from X-Forwarded-For.
//   - ua: the user-agent class: "browser", "crawler" (the User-Agent matched
//     the maintained list of github.com/monperrus/crawler-user-agents) or
//     "empty" (no User-Agent). crawler is the list pattern it matched. These
//     and webdriver (navigator.webdriver as the page reported it) are raw
//     signals: the report decides what counts as a human visit.
//   - instance: the beacon instance that wrote the line.
//
// Readers ([ReadLogs]) take files and folders, skip and count lines that are
// not valid events (naming file:line), and deliver each (load, seq) once.
// Zero padding is neither a line nor corrupt.
//
// # Health
//
// GET [HealthPath] answers a JSON [Health] document: status ("ok", or
// "draining" with 503 during shutdown), the manifest's room count and load
// time, accepted requests, events and replies, rejections by reason,
// rate-limiter evictions, and under "store" the store's own state (the log's
// write and sync counts, or the database's; see [StoreReporter]).
package analytics
