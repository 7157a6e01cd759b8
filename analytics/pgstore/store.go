package pgstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/maproom/maproom/analytics/event"
)

// Options configures [Open].
type Options struct {
	// Schema is the PostgreSQL schema the tables live in (created if
	// missing, and made the connections' search_path); empty takes the
	// connection string's search_path when it is one plain name (created
	// if missing too), else the server's default (public).
	Schema string
	// Logger receives operator messages (the database going away and
	// coming back); nil discards them.
	Logger *slog.Logger
	// MaxBatch is the most events one INSERT carries; 0 takes 2000.
	MaxBatch int
	// Flushers is how many INSERTs one store runs at once; 0 takes 1: the
	// requests that come while one INSERT commits make the next one, a
	// group commit (one flusher, larger batches, was the fastest in
	// BenchmarkBeacons on 2 cores).
	Flushers int
	// Timeout bounds one INSERT (its commit included); 0 takes 10 s.
	Timeout time.Duration
	// Retry, when the database cannot be reached at Open, has Open return
	// a store that refuses events (Append fails, Health says unreachable)
	// and keeps connecting and migrating in the background until it
	// succeeds, as a beacon started before its database needs. Without
	// it, Open fails. Errors other than an unreachable database (a newer
	// schema, a refused login, a failed migration) fail Open either way.
	Retry bool
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("pgstore: the store is closed")

// Store is the PostgreSQL event store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	opts   Options
	schema string

	mu     sync.RWMutex // guards closed against Append's enqueue
	closed bool
	reqs   chan *appendReq
	stop   chan struct{}
	wg     sync.WaitGroup

	appends, events, inserted, failures atomic.Int64
	down                                atomic.Bool
	ready                               atomic.Bool // the schema is migrated: events are taken
	lastErr                             atomic.Pointer[string]
}

// errNotReady is Append's error before the first connection (Options.Retry).
var errNotReady = errors.New("event store: not connected yet")

type appendReq struct {
	events []event.Event
	done   chan error
}

// Open connects to the database at url (postgres://...), creates or
// migrates the schema and starts the store. The database must be reachable
// now, unless opts.Retry is set; later outages are survived (see
// [Store.Append]).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 2000
	}
	if opts.Flushers <= 0 {
		opts.Flushers = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("event store: %w", err)
	}
	if opts.Schema == "" && plainIdent.MatchString(cfg.ConnConfig.RuntimeParams["search_path"]) {
		// search_path=name in the connection string: that schema, created
		// if need be
		opts.Schema = cfg.ConnConfig.RuntimeParams["search_path"]
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	if cfg.MaxConns < int32(opts.Flushers)+2 {
		cfg.MaxConns = int32(opts.Flushers) + 2
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("event store: %w", err)
	}
	s := &Store{pool: pool, log: opts.Logger, opts: opts, schema: opts.Schema,
		reqs: make(chan *appendReq, 4096), stop: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		if !opts.Retry || !unreachable(err) {
			pool.Close()
			return nil, err
		}
		s.note(err)
		s.wg.Add(1)
		go s.connect()
	} else {
		s.ready.Store(true)
	}
	for range opts.Flushers {
		s.wg.Add(1)
		go s.flusher()
	}
	return s, nil
}

// unreachable reports whether err says that the database could not be
// reached (or is starting or shutting down), rather than that it refused
// what was asked.
func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57P01-57P03: shutting down, starting up
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return !errors.Is(err, errNewerSchema)
}

// connect retries the migration, backing off from 250 ms to 5 s, until it
// succeeds (the store then takes events), fails for another reason than an
// unreachable database (logged; the store stays unready), or the store is
// closed.
func (s *Store) connect() {
	defer s.wg.Done()
	wait := 250 * time.Millisecond
	for {
		select {
		case <-s.stop:
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
		err := s.migrate(ctx)
		cancel()
		if err == nil {
			s.ready.Store(true)
			s.note(nil)
			return
		}
		s.note(err)
		if !unreachable(err) {
			s.log.Error("event store: giving up connecting: events are refused with 503 until the beacon restarts", "err", err)
			return
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// migrations are the schema's versions: migrations[i] takes the schema
// from version i to i+1. Append only; never edit a released one.
var migrations = []string{
	// 1: the events table, keyed by the dedupe key, with the report's indexes.
	`CREATE TABLE events (
		load        bytea       NOT NULL,
		seq         bigint      NOT NULL,
		time        timestamptz NOT NULL,
		v           smallint    NOT NULL,
		deal        text        NOT NULL,
		stakeholder text        NOT NULL,
		side        text        NOT NULL,
		role        text        NOT NULL,
		room        text        NOT NULL,
		rotation    integer     NOT NULL,
		retired     boolean     NOT NULL,
		page        text        NOT NULL,
		kind        text        NOT NULL,
		collateral  text        NOT NULL,
		active_ms   bigint      NOT NULL,
		visible_ms  bigint      NOT NULL,
		net         text        NOT NULL,
		ua          text        NOT NULL,
		crawler     text        NOT NULL,
		webdriver   boolean     NOT NULL,
		instance    text        NOT NULL,
		PRIMARY KEY (load, seq)
	);
	CREATE INDEX events_time ON events (time, load, seq);
	CREATE INDEX events_deal_time ON events (deal, time);`,
	// 2: page_loads, one row per page-load summing its events, kept by the
	// statement that inserts them; the report reads it instead of every
	// event. Filled from the events already stored.
	`CREATE TABLE page_loads (
		load        bytea       PRIMARY KEY,
		deal        text        NOT NULL,
		stakeholder text        NOT NULL,
		page        text        NOT NULL,
		net         text        NOT NULL,
		mixed       boolean     NOT NULL, -- its events disagree on deal, stakeholder, page or net
		first       timestamptz NOT NULL,
		last        timestamptz NOT NULL,
		events      integer     NOT NULL,
		active_ms   bigint      NOT NULL,
		flags       smallint    NOT NULL, -- see loadFlags
		open_first  timestamptz,
		open_last   timestamptz,
		opened      text[]      NOT NULL, -- collateral of its opens and dls (distinct once merged)
		max_v       smallint    NOT NULL
	) WITH (fillfactor = 80);
	INSERT INTO page_loads ` + rollupSelect("events") + `;
	-- the report no longer reads events by deal: one index less to keep
	DROP INDEX events_deal_time;`,
	// 3: replies, one row per reply a person sent from their room (an
	// event of kind reply), keyed by its id; the event's envelope that
	// says where it came from is kept beside it, its network and user
	// agent are not (replies outlive the retention purge).
	`CREATE TABLE replies (
		id          text        PRIMARY KEY,
		time        timestamptz NOT NULL, -- the reply's time
		v           smallint    NOT NULL, -- the event's schema version
		deal        text        NOT NULL,
		stakeholder text        NOT NULL,
		side        text        NOT NULL,
		role        text        NOT NULL,
		kind        text        NOT NULL, -- the reply's kind: confirm, propose, ...
		room        text        NOT NULL, -- the room key the reply came from
		rotation    integer     NOT NULL,
		instance    text        NOT NULL, -- the beacon instance that took it
		reply       jsonb       NOT NULL  -- the whole reply, as reply.Reply encodes
	);
	CREATE INDEX replies_time ON replies (time, id);`,
}

// The bits of page_loads.flags.
const (
	flagView      = 1
	flagHB        = 2
	flagHide      = 4
	flagOpen      = 8
	flagBot       = 16 // ua is not event.UABrowser
	flagWebdriver = 32
	flagRetired   = 64
)

// pageLoadColumns are page_loads' columns, in the order of rollupSelect.
const pageLoadColumns = `load, deal, stakeholder, page, net, mixed, first, last, events, active_ms, flags,
	open_first, open_last, opened, max_v`

// rollupSelect sums the events of src (a table or CTE with the events
// table's columns) into page_loads rows, ordered by load.
func rollupSelect(src string) string {
	open := fmt.Sprintf(`kind IN ('%s', '%s')`, event.KindOpen, event.KindDL)
	return fmt.Sprintf(`(`+pageLoadColumns+`) SELECT load, min(deal COLLATE "C"), min(stakeholder COLLATE "C"),
		min(page COLLATE "C"), min(net COLLATE "C"),
		min(deal COLLATE "C") <> max(deal COLLATE "C") OR min(stakeholder COLLATE "C") <> max(stakeholder COLLATE "C")
			OR min(page COLLATE "C") <> max(page COLLATE "C") OR min(net COLLATE "C") <> max(net COLLATE "C"),
		min(time), max(time), count(*), sum(active_ms),
		bit_or(CASE kind WHEN '%s' THEN %d WHEN '%s' THEN %d WHEN '%s' THEN %d WHEN '%s' THEN %d WHEN '%s' THEN %d ELSE 0 END
			| CASE WHEN ua <> '%s' THEN %d ELSE 0 END | CASE WHEN webdriver THEN %d ELSE 0 END
			| CASE WHEN retired THEN %d ELSE 0 END)::int2,
		min(time) FILTER (WHERE %s), max(time) FILTER (WHERE %s),
		coalesce(array_agg(collateral) FILTER (WHERE %s), '{}'),
		max(v)
	FROM %s GROUP BY load ORDER BY load`,
		event.KindView, flagView, event.KindHB, flagHB, event.KindHide, flagHide,
		event.KindOpen, flagOpen, event.KindDL, flagOpen, event.UABrowser, flagBot, flagWebdriver, flagRetired,
		open, open, open, src)
}

// rollupMerge is the ON CONFLICT clause that adds a batch's sums to a
// page-load's row.
const rollupMerge = `ON CONFLICT (load) DO UPDATE SET
	mixed = p.mixed OR excluded.mixed OR p.deal <> excluded.deal COLLATE "C" OR p.stakeholder <> excluded.stakeholder COLLATE "C"
		OR p.page <> excluded.page COLLATE "C" OR p.net <> excluded.net COLLATE "C",
	first = least(p.first, excluded.first),
	last = greatest(p.last, excluded.last),
	events = p.events + excluded.events,
	active_ms = p.active_ms + excluded.active_ms,
	flags = p.flags | excluded.flags,
	open_first = least(p.open_first, excluded.open_first),
	open_last = greatest(p.open_last, excluded.open_last),
	opened = CASE WHEN cardinality(excluded.opened) = 0 THEN p.opened
		ELSE ARRAY(SELECT DISTINCT c FROM unnest(p.opened || excluded.opened) AS c ORDER BY c) END,
	max_v = greatest(p.max_v, excluded.max_v)`

// SchemaVersion is the database schema version this build migrates to.
var SchemaVersion = len(migrations)

var errNewerSchema = errors.New("event store: schema too new")

// migrateLock is the advisory lock key under which instances create the
// schema and migrate it, one at a time.
const migrateLock = 7316028411

// migrate brings the schema to SchemaVersion, under an advisory lock so
// that instances starting together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	if s.schema != "" {
		// Under the lock too: CREATE SCHEMA IF NOT EXISTS run by two
		// sessions at once can fail in one of them with a unique violation.
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.schema}.Sanitize())
			return err
		})
		if err != nil {
			return fmt.Errorf("event store: creating schema %s: %w", s.schema, err)
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    integer     PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&cur); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	if cur > len(migrations) {
		return fmt.Errorf("%w: the database schema is version %d, newer than this maproom's %d: upgrade maproom", errNewerSchema, cur, len(migrations))
	}
	for v := cur + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("event store: migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("event store: migration %d: %w", v, err)
		}
		s.log.Info("event store schema migrated", "version", v)
	}
	return tx.Commit(ctx)
}

// Append stores events and returns once they are committed; events whose
// (load, seq) is stored already are left as they are. A reply (an event of
// kind [event.KindReply]) goes to the replies table instead, with the
// same promise: committed before Append returns, and a reply whose id is
// stored already left as it is; a batch may mix both, committed together.
// A reply event that is not a valid reply line (no reply, a bad id, another
// deal or person than the event's, content reply.Reply.Validate refuses)
// is refused at once, and nothing of that call is stored. Concurrent calls
// are grouped into one INSERT. An error means the events may or may not be
// stored: the client is told to retry, and the dedupe keys make the retry
// harmless.
func (s *Store) Append(ctx context.Context, events []event.Event) error {
	if len(events) == 0 {
		return nil
	}
	for i := range events {
		if events[i].Kind == event.KindReply {
			// Checked here, not in the flusher: a bad reply would fail
			// every request grouped with it.
			if err := checkReply(&events[i]); err != nil {
				return fmt.Errorf("event store: event %d: %w", i, err)
			}
		}
	}
	if !s.ready.Load() {
		if e := s.lastErr.Load(); e != nil {
			return fmt.Errorf("%w: %s", errNotReady, *e)
		}
		return errNotReady
	}
	r := &appendReq{events: events, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flusher takes queued requests, as many as fit a batch, and inserts them
// in one statement.
func (s *Store) flusher() {
	defer s.wg.Done()
	var batch []*appendReq
	var evs []event.Event
	for {
		var r *appendReq
		select {
		case r = <-s.reqs:
		case <-s.stop:
			// drain what was queued before Close
			select {
			case r = <-s.reqs:
			default:
				return
			}
		}
		batch, evs = append(batch[:0], r), append(evs[:0], r.events...)
	more:
		for len(evs) < s.opts.MaxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
				evs = append(evs, r.events...)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
		n, err := s.insert(ctx, evs)
		cancel()
		s.note(err)
		if err == nil {
			s.appends.Add(int64(len(batch)))
			s.events.Add(int64(len(evs)))
			s.inserted.Add(n)
		} else {
			s.failures.Add(int64(len(batch)))
			err = fmt.Errorf("event store: %w", err)
		}
		for _, r := range batch {
			r.done <- err
		}
		clear(batch)
	}
}

// note records whether the database answered, and tells the operator when
// that changes.
func (s *Store) note(err error) {
	if err == nil {
		if s.down.CompareAndSwap(true, false) {
			s.lastErr.Store(nil)
			s.log.Info("event store reachable again")
		}
		return
	}
	msg := err.Error()
	s.lastErr.Store(&msg)
	if s.down.CompareAndSwap(false, true) {
		s.log.Error("event store unreachable: events are refused with 503 until it returns", "err", err)
	}
}

// insertSQL inserts one batch given as column arrays and adds the new
// events (not those stored already) to their page-loads' rows, in one
// statement; it returns how many events were new.
var insertSQL = `WITH ins AS (
	INSERT INTO events (load, seq, time, v, deal, stakeholder, side, role, room, rotation, retired,
		page, kind, collateral, active_ms, visible_ms, net, ua, crawler, webdriver, instance)
	SELECT * FROM unnest($1::bytea[], $2::int8[], $3::timestamptz[], $4::int2[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::int4[], $11::bool[], $12::text[], $13::text[], $14::text[], $15::int8[], $16::int8[],
		$17::text[], $18::text[], $19::text[], $20::bool[], $21::text[])
	ON CONFLICT (load, seq) DO NOTHING
	RETURNING load, time, v, deal, stakeholder, page, net, kind, collateral, active_ms, ua, webdriver, retired
), rollup AS (
	INSERT INTO page_loads AS p ` + rollupSelect("ins") + `
	` + rollupMerge + `
)
SELECT count(*) FROM ins`

// querier is what insertEvents needs of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insert stores events, the page events in the events table and the
// replies in the replies table, and returns how many were new. It returns
// after the commit: page events alone are one statement, its own
// transaction; with replies, one transaction holds both.
func (s *Store) insert(ctx context.Context, events []event.Event) (int64, error) {
	pages, replies := splitReplies(events)
	if len(replies) == 0 {
		return insertEvents(ctx, s.pool, pages)
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Events, then replies, each in key order: transactions of two
		// instances take their locks in one order and cannot deadlock.
		n = 0
		if len(pages) > 0 {
			m, err := insertEvents(ctx, tx, pages)
			if err != nil {
				return err
			}
			n += m
		}
		m, err := insertReplies(ctx, tx, replies)
		n += m
		return err
	})
	return n, err
}

// splitReplies returns the page events and the replies of events; events
// itself, without a copy, when it holds no reply.
func splitReplies(events []event.Event) (pages, replies []event.Event) {
	i := 0
	for i < len(events) && events[i].Kind != event.KindReply {
		i++
	}
	if i == len(events) {
		return events, nil
	}
	pages = append(make([]event.Event, 0, len(events)), events[:i]...)
	for _, e := range events[i:] {
		if e.Kind == event.KindReply {
			replies = append(replies, e)
		} else {
			pages = append(pages, e)
		}
	}
	return pages, replies
}

// insertEvents inserts page events in one statement and returns how many
// were new.
func insertEvents(ctx context.Context, q querier, events []event.Event) (int64, error) {
	idx := make([]int, len(events))
	keys := make([][]byte, len(events))
	for i := range events {
		idx[i] = i
		k, err := hex.DecodeString(events[i].Load)
		if err != nil || len(k) != event.LoadLen/2 {
			return 0, fmt.Errorf("event %d: bad page-load id %.40q", i, events[i].Load)
		}
		keys[i] = k
	}
	// Key order: two instances inserting overlapping batches take the
	// index locks in the same order and cannot deadlock.
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		if c := string(ka); c != string(kb) {
			return c < string(kb)
		}
		return events[idx[a]].Seq < events[idx[b]].Seq
	})
	n := len(events)
	var (
		load                                                                       = make([][]byte, n)
		seq, active, visible                                                       = make([]int64, n), make([]int64, n), make([]int64, n)
		at                                                                         = make([]time.Time, n)
		v                                                                          = make([]int16, n)
		rotation                                                                   = make([]int32, n)
		retired, webdriver                                                         = make([]bool, n), make([]bool, n)
		deal, who, side, role, room, page, kind, coll, netw, ua, crawler, instance = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	)
	for j, i := range idx {
		e := &events[i]
		load[j], seq[j], at[j], v[j] = keys[i], e.Seq, e.Time, int16(e.V)
		deal[j], who[j], side[j], role[j], room[j] = e.Deal, e.Stakeholder, e.Side, e.Role, e.Room
		rotation[j], retired[j], page[j], kind[j], coll[j] = int32(e.Rotation), e.Retired, e.Page, string(e.Kind), e.Collateral
		active[j], visible[j], netw[j], ua[j], crawler[j] = e.ActiveMS, e.VisibleMS, e.Net, e.UA, e.Crawler
		webdriver[j], instance[j] = e.Webdriver, e.Instance
	}
	var inserted int64
	err := q.QueryRow(ctx, insertSQL, load, seq, at, v, deal, who, side, role, room, rotation, retired,
		page, kind, coll, active, visible, netw, ua, crawler, webdriver, instance).Scan(&inserted)
	return inserted, err
}

// Close stops taking events, waits for the INSERTs in flight and closes
// the pool.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
	s.pool.Close()
	return nil
}

// Stats are the store's counters.
type Stats struct {
	Status   string `json:"status"`          // "ok" or "unreachable"
	Error    string `json:"error,omitempty"` // the last error while unreachable
	Schema   int    `json:"schema_version"`
	Appends  int64  `json:"appends"`  // Append calls committed
	Events   int64  `json:"events"`   // events committed, replies included
	Inserted int64  `json:"inserted"` // of them, new (the rest were copies or retries)
	Failures int64  `json:"failures"` // Append calls refused because the database failed
	Conns    int32  `json:"conns"`    // open connections
}

// Health pings the database (for at most 2 s) and returns the counters.
func (s *Store) Health(ctx context.Context) Stats {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if s.ready.Load() {
		s.note(s.pool.Ping(ctx))
	}
	return s.Stats()
}

// Stats returns the counters and the state of the last contact with the
// database, without contacting it.
func (s *Store) Stats() Stats {
	st := Stats{Status: "ok", Schema: SchemaVersion, Appends: s.appends.Load(), Events: s.events.Load(),
		Inserted: s.inserted.Load(), Failures: s.failures.Load(), Conns: s.pool.Stat().TotalConns()}
	if s.down.Load() || !s.ready.Load() {
		st.Status = "unreachable"
		if e := s.lastErr.Load(); e != nil {
			st.Error = *e
		}
	}
	return st
}
