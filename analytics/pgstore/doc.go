// Package pgstore keeps the beacon's events in PostgreSQL, the shared event
// store for several beacon instances behind a load balancer (issue 8).
//
// [Open] connects a pgx pool and creates or migrates the schema itself: a
// schema_version table records the migrations applied, and a newer schema
// than this build knows is refused. The events table holds one row per
// [analytics.Event] with the primary key (load, seq), the dedupe key of the
// log, so a client retry or a copy from another instance is stored once.
// Indexes on (time) and (deal, time) serve the report's reads and the
// retention purge.
//
// [Store] implements [analytics.Store]: Append returns only once the
// events are committed (one multi-row INSERT ... ON CONFLICT (load, seq) DO
// NOTHING per group of concurrent requests, sorted by key so that
// concurrent instances never deadlock). When the database is unreachable
// Append returns an error, which the handler answers 503; the pool
// reconnects by itself when the database returns.
//
// [Store.Events] streams the stored events in the order the report reads a
// log (time, then load and seq); [Store.Import], [Store.Export] and
// [Store.Purge] move events between the log files and the database and
// enforce retention.
package pgstore
