package pgstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/maproom/maproom/analytics"
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
	// Flushers is how many INSERTs one store runs at once; 0 takes 2 (fewer,
	// larger batches were faster in BenchmarkAppend on 2 cores).
	Flushers int
	// Timeout bounds one INSERT (its commit included); 0 takes 10 s.
	Timeout time.Duration
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
	lastErr                             atomic.Pointer[string]
}

type appendReq struct {
	events []analytics.Event
	done   chan error
}

// Open connects to the database at url (postgres://...), creates or
// migrates the schema and starts the store. The database must be reachable
// now; later outages are survived (see [Store.Append]).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 2000
	}
	if opts.Flushers <= 0 {
		opts.Flushers = 2
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
		pool.Close()
		return nil, err
	}
	for range opts.Flushers {
		s.wg.Add(1)
		go s.flusher()
	}
	return s, nil
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
}

// SchemaVersion is the database schema version this build migrates to.
var SchemaVersion = len(migrations)

// migrate brings the schema to SchemaVersion, under an advisory lock so
// that instances starting together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	if s.schema != "" {
		if _, err := s.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("event store: creating schema %s: %w", s.schema, err)
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7316028411)`); err != nil {
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
		return fmt.Errorf("event store: the database schema is version %d, newer than this maproom's %d: upgrade maproom", cur, len(migrations))
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
// (load, seq) is stored already are left as they are. Concurrent calls are
// grouped into one INSERT. An error means the events may or may not be
// stored: the client is told to retry, and the dedupe key makes the retry
// harmless.
func (s *Store) Append(ctx context.Context, events []analytics.Event) error {
	if len(events) == 0 {
		return nil
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
	var evs []analytics.Event
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

// insertSQL inserts one batch given as column arrays.
const insertSQL = `INSERT INTO events (load, seq, time, v, deal, stakeholder, side, role, room, rotation, retired,
	page, kind, collateral, active_ms, visible_ms, net, ua, crawler, webdriver, instance)
SELECT * FROM unnest($1::bytea[], $2::int8[], $3::timestamptz[], $4::int2[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::int4[], $11::bool[], $12::text[], $13::text[], $14::text[], $15::int8[], $16::int8[],
	$17::text[], $18::text[], $19::text[], $20::bool[], $21::text[])
ON CONFLICT (load, seq) DO NOTHING`

// insert inserts events in one statement (its own transaction: it returns
// after the commit) and returns how many were new.
func (s *Store) insert(ctx context.Context, events []analytics.Event) (int64, error) {
	idx := make([]int, len(events))
	keys := make([][]byte, len(events))
	for i := range events {
		idx[i] = i
		k, err := hex.DecodeString(events[i].Load)
		if err != nil || len(k) != analytics.LoadLen/2 {
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
	tag, err := s.pool.Exec(ctx, insertSQL, load, seq, at, v, deal, who, side, role, room, rotation, retired,
		page, kind, coll, active, visible, netw, ua, crawler, webdriver, instance)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
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
	Events   int64  `json:"events"`   // events committed
	Inserted int64  `json:"inserted"` // of them, new (the rest were copies or retries)
	Failures int64  `json:"failures"` // Append calls refused because the database failed
	Conns    int32  `json:"conns"`    // open connections
}

// Health pings the database (for at most 2 s) and returns the counters.
func (s *Store) Health(ctx context.Context) Stats {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s.note(s.pool.Ping(ctx))
	return s.Stats()
}

// Stats returns the counters and the state of the last contact with the
// database, without contacting it.
func (s *Store) Stats() Stats {
	st := Stats{Status: "ok", Schema: SchemaVersion, Appends: s.appends.Load(), Events: s.events.Load(),
		Inserted: s.inserted.Load(), Failures: s.failures.Load(), Conns: s.pool.Stat().TotalConns()}
	if s.down.Load() {
		st.Status = "unreachable"
		if e := s.lastErr.Load(); e != nil {
			st.Error = *e
		}
	}
	return st
}
