// Package event is the schema of the event log, the data contract between
// the beacon and the reports: [Event] (one line of the log), its kinds and
// schema versions, [Event.AppendJSON] (the bytes the log holds), and the
// decoding and checking of one line ([ParseLine], the fast [ParseRow],
// [CheckReplyEvent]). It is a leaf: every package that reads or writes
// events uses it, and it imports only the standard library and
// internal/reply.
//
// # A line
//
// Each line of the log (analytics/eventlog has the files) is one [Event]:
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
package event
