package pgstore

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
)

// Filter selects stored events; the zero Filter selects all of them.
type Filter struct {
	Deal   string    // only this deal
	Before time.Time // only events before this instant
}

func (f Filter) where() (string, []any) {
	q, args := "", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		if q == "" {
			q = " WHERE "
		} else {
			q += " AND "
		}
		q += fmt.Sprintf(cond, len(args))
	}
	if f.Deal != "" {
		add("deal = $%d", f.Deal)
	}
	if !f.Before.IsZero() {
		add("time < $%d", f.Before)
	}
	return q, args
}

const eventColumns = `v, time, deal, stakeholder, side, role, room, rotation, retired, page, kind, collateral,
	load, seq, active_ms, visible_ms, net, ua, crawler, webdriver, instance`

// Events calls fn with each stored event selected by f, in the order a
// report reads the logs: by time, then page-load and seq (each (load, seq)
// once: the store keeps the first copy). An error from fn stops the
// reading and is returned. Feed a report with [report.Aggregator.Add].
func (s *Store) Events(ctx context.Context, f Filter, fn func(event.Event) error) error {
	where, args := f.where()
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events`+where+` ORDER BY time, load, seq`, args...)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	defer rows.Close()
	var (
		e    event.Event
		v    int16
		rot  int32
		kind string
		load []byte
	)
	dst := []any{&v, &e.Time, &e.Deal, &e.Stakeholder, &e.Side, &e.Role, &e.Room, &rot, &e.Retired, &e.Page, &kind,
		&e.Collateral, &load, &e.Seq, &e.ActiveMS, &e.VisibleMS, &e.Net, &e.UA, &e.Crawler, &e.Webdriver, &e.Instance}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("event store: %w", err)
		}
		e.V, e.Rotation, e.Kind, e.Load = int(v), int(rot), event.Kind(kind), hex.EncodeToString(load)
		e.Time = e.Time.UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	return nil
}

// ImportStats says what [Store.Import] did. ReadStats.Replies counts the
// reply lines read, copies included; a reply line that is not a valid
// reply is counted in ReadStats.Corrupt.
type ImportStats struct {
	eventlog.ReadStats
	Inserted       int // events new to the database
	Present        int // events the database held already
	RepliesNew     int // replies new to the database
	RepliesPresent int // replies the database held already (by id)
}

// importBatch is how many events one INSERT of an import carries.
const importBatch = 5000

// Import loads the event logs at paths (files or folders, as
// [eventlog.ReadLogs] reads them: corrupt lines skipped and counted,
// copies delivered once) into the database, and their replies (as
// [eventlog.ReadReplies] reads them) into the replies table. It is
// idempotent: events and replies already stored are left as they are and
// counted as present.
func (s *Store) Import(ctx context.Context, paths []string) (ImportStats, error) {
	var st ImportStats
	batch := make([]event.Event, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := s.insert(ctx, batch)
		if err != nil {
			return fmt.Errorf("event store: import: %w", err)
		}
		st.Inserted += int(n)
		st.Present += len(batch) - int(n)
		batch = batch[:0]
		return nil
	}
	rs, err := eventlog.ReadLogs(paths, func(e event.Event) error {
		batch = append(batch, e)
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	st.ReadStats = rs
	if err == nil {
		err = flush()
	}
	if err != nil || rs.Replies == 0 {
		return st, err
	}
	reps, _, err := readReplyEvents(ctx, paths)
	if err != nil {
		return st, fmt.Errorf("event store: import: %w", err)
	}
	n, err := s.importReplies(ctx, reps)
	if err != nil {
		return st, fmt.Errorf("event store: import: %w", err)
	}
	st.RepliesNew, st.RepliesPresent = int(n), len(reps)-int(n)
	return st, nil
}

// Export writes the stored events selected by f to w as event-log lines,
// byte for byte as the beacon writes them, in time order, and returns how
// many lines it wrote. The replies f selects (by their deal and time) are
// written among them as the beacon's reply lines, after the events of the
// same instant: their time is the reply's, and the network, user agent,
// page and page-load the store does not keep of a reply are empty.
// [Store.Import] of the output stores nothing new, and into an empty
// database stores the same events and replies.
func (s *Store) Export(ctx context.Context, w io.Writer, f Filter) (events, replies int, err error) {
	where, args := f.where()
	reps, err := s.replyEvents(ctx, where, args)
	if err != nil {
		return 0, 0, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	write := func(e *event.Event) error {
		line = AppendLine(line[:0], e)
		if e.Kind == event.KindReply {
			replies++
		} else {
			events++
		}
		_, err := bw.Write(line)
		return err
	}
	err = s.Events(ctx, f, func(e event.Event) error {
		for len(reps) > 0 && reps[0].Time.Before(e.Time) {
			if err := write(&reps[0]); err != nil {
				return err
			}
			reps = reps[1:]
		}
		return write(&e)
	})
	for i := 0; err == nil && i < len(reps); i++ {
		err = write(&reps[i])
	}
	if err != nil {
		return events, replies, err
	}
	return events, replies, bw.Flush()
}

// Purge deletes the events before the instant before, of deal only when
// deal is not empty, and returns how many it deleted. The page-loads that
// lose events are summed again from the events left, in the same
// transaction. Replies are not purged here: a reply is the buyer's request
// until the seller decides it; [Store.PurgeReplies] removes the decided
// ones, whose record lives on in the deal's bundle.
func (s *Store) Purge(ctx context.Context, before time.Time, deal string) (int64, error) {
	if before.IsZero() {
		return 0, fmt.Errorf("event store: purge: no date")
	}
	where, args := Filter{Deal: deal, Before: before}.where()
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the page-loads first: a beacon adding to one of them waits
		// for the purge, then adds to the row summed again.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE purged ON COMMIT DROP AS
			SELECT load FROM page_loads WHERE load IN (SELECT DISTINCT load FROM events`+where+`) FOR UPDATE`, args...); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM events`+where, args...)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM page_loads WHERE load IN (SELECT load FROM purged)`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO page_loads `+rollupSelect(`(SELECT * FROM events WHERE load IN (SELECT load FROM purged)) AS e`))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("event store: purge: %w", err)
	}
	return n, nil
}

// PurgeReplies deletes the replies sent before the instant before (of
// deal only, when it is not empty) whose ids are in decided: replies the
// seller accepted, declined or answered, which the deal's bundle records
// whole. It returns how many it deleted, and how many replies before the
// instant it kept, still waiting for a decision.
func (s *Store) PurgeReplies(ctx context.Context, before time.Time, deal string, decided []string) (purged, kept int64, err error) {
	if before.IsZero() {
		return 0, 0, fmt.Errorf("event store: purge replies: no date")
	}
	where, args := Filter{Deal: deal, Before: before}.where()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if len(decided) > 0 {
			tag, err := tx.Exec(ctx, `DELETE FROM replies`+where+fmt.Sprintf(` AND id = ANY($%d)`, len(args)+1), append(args, decided)...)
			if err != nil {
				return err
			}
			purged = tag.RowsAffected()
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM replies`+where, args...).Scan(&kept)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("event store: purge replies: %w", err)
	}
	return purged, kept, nil
}

// Count returns how many page events the database holds (replies are not
// events: see [Store.Replies]).
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n)
	return n, err
}
