// Package pgstore keeps the beacon's events in PostgreSQL, the shared event
// store for several beacon instances behind a load balancer (issue 8).
//
// [Open] connects a pgx pool and creates or migrates the schema itself: a
// schema_version table records the migrations applied, and a newer schema
// than this build knows is refused. The events table holds one row per
// [event.Event] with the primary key (load, seq), the dedupe key of the
// log, so a client retry or a copy from another instance is stored once.
// An index on (time) serves the sweep times of the report, the export and
// the retention purge. The page_loads table holds one row per
// page-load with its events summed (person, page, network, first and last
// time, active time, the kinds seen, the collateral opened), kept by the
// same statement that inserts the events: the report reads it, not every
// event. The replies table holds one row per reply a person sent from
// their room (an event of kind reply), keyed by the reply's id, with the
// whole reply as jsonb and the room, rotation and beacon instance it came
// from.
//
// [Store] implements [beacon.Store]: Append returns only once the
// events are committed (one multi-row INSERT ... ON CONFLICT (load, seq) DO
// NOTHING per group of concurrent requests, sorted by key so that
// concurrent instances never deadlock; the same statement adds the new
// events to their page_loads rows). When the database is unreachable
// Append returns an error, which the handler answers 503; the pool
// reconnects by itself when the database returns. Replies given to Append
// go to the replies table with the same promise (INSERT ... ON CONFLICT (id)
// DO NOTHING, in the transaction of the batch's events), and [Store.Replies]
// lists them: Store implements [beacon.ReplyReader].
//
// [Store.Feed] gives the report's aggregator the page-loads' summaries and,
// for the few page-loads a summary cannot render exactly, their events.
// [Store.Events] streams the stored events in the order the report reads a
// log (time, then load and seq), never a reply; [Store.Import],
// [Store.Export] move events and replies between the log files and the
// database; [Store.Purge] and [Store.PurgeReplies] enforce retention: the
// events before a day, and the replies before it the seller decided.
package pgstore
