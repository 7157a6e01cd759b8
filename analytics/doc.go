// Package analytics holds no code: it is the map of what maproom records
// about room visits and how it reports them. Each subpackage owns one thing
// and imports only the ones above it in this list:
//
//   - analytics/event: the event and reply schema, one log line's decoding
//     and checks (a leaf).
//   - analytics/eventlog: the event log: file naming and listing, the
//     group-commit writer, repair, the one reader with its dedupe rule, the
//     replies it holds, purge.
//   - analytics/beacon: the HTTP handler (/note, /reply, /replies,
//     /healthz), limits, rejection reasons, the server, manifest reloading,
//     and the Store interface the log and PostgreSQL implement.
//   - analytics/report: the aggregator, the report model, the engagement
//     rules and signals, the five writers (text, Markdown, HTML, CSV,
//     JSON), and the Source interface the log and PostgreSQL implement.
//   - analytics/pgstore: PostgreSQL as a beacon store and a report source,
//     import and export.
//
// An event flows: room script -> beacon -> eventlog (or pgstore) -> report.
package analytics
