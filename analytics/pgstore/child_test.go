package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// The beacon benchmark and the restart tests run beacons in child
// processes: this test binary, re-executed with childEnv set.
const childEnv = "MAPROOM_PGSTORE_TEST_CHILD" // "log", "postgres" or "floor"

func TestMain(m *testing.M) { loadgen.Main(m, childEnv, runChild) }

// childConfig is how a child beacon is set up, passed in its environment.
type childConfig struct {
	dir      string // rooms.json is read from it; mode log writes dir/events
	store    string // mode postgres: the database
	schema   string // mode postgres: its schema
	flushers int    // mode postgres: Options.Flushers (0: the default)
	batch    int    // mode postgres: Options.MaxBatch (0: the default)
}

func (c childConfig) env(mode string) []string {
	return []string{childEnv + "=" + mode, "CHILD_DIR=" + c.dir, "CHILD_STORE=" + c.store, "CHILD_SCHEMA=" + c.schema,
		"CHILD_FLUSHERS=" + strconv.Itoa(c.flushers), "CHILD_BATCH=" + strconv.Itoa(c.batch)}
}

// runChild serves the beacon on 127.0.0.1 as `maproom beacon` does, until
// SIGTERM: mode log on the event log (sync always), mode postgres on the
// store, mode floor on a [floorStore] in the store's database;
// X-Forwarded-For is trusted from 127.0.0.1, so that a load generator on
// this machine can speak for many clients. Operator messages go to
// standard error.
func runChild(ctx context.Context, mode string, ln net.Listener) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dir := os.Getenv("CHILD_DIR")
	m, err := manifest.Read(filepath.Join(dir, "rooms.json"))
	if err != nil {
		return err
	}
	trusted, _ := beacon.ParsePrefixes("127.0.0.1")
	cfg := beacon.HandlerConfig{Manifest: m, Logger: logger, TrustedProxies: trusted, Instance: "child-" + mode}
	switch mode {
	case "log":
		log, err := eventlog.OpenLog(filepath.Join(dir, "events"), eventlog.LogOptions{Instance: "child", Sync: eventlog.SyncAlways, Logger: logger})
		if err != nil {
			return err
		}
		cfg.Store = log
		return errors.Join(beacon.Serve(ctx, ln, beacon.NewHandler(cfg), logger), log.Close())
	case "postgres":
		fl, _ := strconv.Atoi(os.Getenv("CHILD_FLUSHERS"))
		mb, _ := strconv.Atoi(os.Getenv("CHILD_BATCH"))
		s, err := Open(ctx, os.Getenv("CHILD_STORE"), Options{Schema: os.Getenv("CHILD_SCHEMA"), Logger: logger, Flushers: fl, MaxBatch: mb})
		if err != nil {
			return err
		}
		cfg.Store = s
		return errors.Join(beacon.Serve(ctx, ln, beacon.NewHandler(cfg), logger), s.Close())
	case "floor":
		// Open makes the schema the pool's search_path.
		s, err := Open(ctx, os.Getenv("CHILD_STORE"), Options{Schema: os.Getenv("CHILD_SCHEMA"), Logger: logger})
		if err != nil {
			return err
		}
		f, err := startFloor(ctx, s.Pool())
		if err != nil {
			return errors.Join(err, s.Close())
		}
		cfg.Store = f
		err = beacon.Serve(ctx, ln, beacon.NewHandler(cfg), logger)
		return errors.Join(err, f.close(), s.Close())
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// floorStore is the least a beacon store that acknowledges only what
// PostgreSQL committed must do: it groups concurrent Appends, as [Store]
// does, and commits for each group one INSERT of one row (the group's
// event count) into a table with no index. It keeps no event. Beacons on
// it measure what the commits alone cost, whatever a store would insert.
type floorStore struct {
	pool *pgxpool.Pool
	reqs chan floorReq
	done chan struct{}
}

type floorReq struct {
	n    int
	done chan error
}

func startFloor(ctx context.Context, pool *pgxpool.Pool) (*floorStore, error) {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS commit_floor (n integer)`); err != nil {
		return nil, err
	}
	f := &floorStore{pool: pool, reqs: make(chan floorReq, 4096), done: make(chan struct{})}
	go f.run()
	return f, nil
}

func (f *floorStore) Append(ctx context.Context, events []event.Event) error {
	r := floorReq{len(events), make(chan error, 1)}
	select {
	case f.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run commits one INSERT for each group of the requests queued while the
// previous one committed, until close.
func (f *floorStore) run() {
	defer close(f.done)
	for r := range f.reqs {
		batch, n := []floorReq{r}, r.n
	more:
		for {
			select {
			case r, ok := <-f.reqs:
				if !ok {
					break more
				}
				batch, n = append(batch, r), n+r.n
			default:
				break more
			}
		}
		_, err := f.pool.Exec(context.Background(), `INSERT INTO commit_floor VALUES ($1)`, n)
		for _, r := range batch {
			r.done <- err
		}
	}
}

// close stops run once the queued requests are answered; Append must not
// be called after.
func (f *floorStore) close() error {
	close(f.reqs)
	<-f.done
	return nil
}

func startChild(t testing.TB, mode, name string, c childConfig) *loadgen.Child {
	t.Helper()
	return loadgen.StartChild(t, c.dir, name, c.env(mode)...)
}
