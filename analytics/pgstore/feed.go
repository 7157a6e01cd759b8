package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/report"
)

// pgEpoch is 2000-01-01 UTC, the origin of PostgreSQL's binary timestamps,
// in unix microseconds.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

func pgTime(b []byte) time.Time {
	return time.UnixMicro(pgEpoch + int64(binary.BigEndian.Uint64(b))).UTC()
}

// bstr is b as a string without a copy: valid while b is.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// The page-loads the report reads as summaries, and those whose events it
// reads one by one, for the aggregator's window ($1 from, $2 to, $3 the
// newest event schema this build reads, $4 the deal or ”). A page-load is
// summarisable when its events are all in the window, agree on deal,
// stakeholder, page and net, span at most the aggregator's dedupe window
// and are of a known schema; it is left out (and counted) when all its
// events are outside the window, or of another deal. Every other page-load
// is read event by event.
const (
	summarisable = `(max_v <= $3 AND NOT mixed AND first >= $1 AND last < $2 AND last - first <= interval '48 hours')`
	outside      = `(max_v <= $3 AND (last < $1 OR first >= $2))`
	sqlLeftOut   = `SELECT coalesce(sum(events) FILTER (WHERE ` + outside + `), 0),
		coalesce(sum(events) FILTER (WHERE ` + summarisable + ` AND $4 <> '' AND deal <> $4), 0)
	FROM page_loads`
	// sqlSummaries are the page-loads to read: those to add as summaries,
	// and those (s false) whose events to read one by one.
	sqlSummaries = `SELECT load, deal, stakeholder, page, net, first, last, events, active_ms, flags, open_first, open_last, opened,
		` + summarisable + ` AS s
	FROM page_loads WHERE NOT ` + outside + ` AND (NOT ` + summarisable + ` OR $4 = '' OR deal = $4)`
	// sqlSweeps lists the times at which the aggregator, reading every
	// event of the window in time order, sweeps (see report.SweepEvery).
	sqlSweeps = `WITH RECURSIVE s(t) AS (
		SELECT min(time) FROM events WHERE time >= $1 AND time < $2 AND v <= $3 AND ($4 = '' OR deal = $4)
		UNION ALL
		SELECT (SELECT min(time) FROM events WHERE time >= s.t + $5::interval AND time < $2 AND v <= $3 AND ($4 = '' OR deal = $4))
		FROM s WHERE s.t IS NOT NULL
	) SELECT t FROM s WHERE t IS NOT NULL`
)

// feedColumns are the columns the report's aggregator reads of an event.
const feedColumns = `v, time, deal, stakeholder, side, retired, page, kind, collateral, load, seq, active_ms, net, ua, webdriver`

// Feed adds every stored event to agg, with the result of adding them one
// by one with [report.Aggregator.Add] in the order of [Store.Events]:
// the report from the database is the report from logs holding the same
// events. Aggregation is done in PostgreSQL: the page-loads' rows
// (page_loads, kept up to date by every insert) are added as summaries
// with [report.Aggregator.AddLoad]; the events outside the window are
// counted there, not read; only page-loads that cannot be summarised
// exactly (across the window's edge, events that disagree on their person,
// page or network, longer than the dedupe window, or of a newer event
// schema) are read event by event. All reads see one snapshot.
//
// Of the report's input counters, lines and events are the events stored
// (the database holds each (load, seq) once, so there are no duplicate,
// corrupt or out-of-order lines), and files is 0.
func (s *Store) Feed(ctx context.Context, agg *report.Aggregator) error {
	_, err := s.feed(ctx, agg)
	return err
}

// feedStats says how Feed read the store.
type feedStats struct {
	summaries int // page-loads added as summaries
	exact     int // page-loads read event by event
	sweeps    int // sweep times told to the aggregator
}

func (s *Store) feed(ctx context.Context, agg *report.Aggregator) (feedStats, error) {
	var st feedStats
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return st, fmt.Errorf("event store: %w", err)
	}
	defer tx.Rollback(ctx)
	// JIT compilation costs seconds on these scans and saves nothing.
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return st, fmt.Errorf("event store: %w", err)
	}
	from, to, deal := agg.Window()
	args := []any{from, to, int16(event.SchemaVersion), deal}
	var (
		outsideN, otherN int
		exact            [][]byte
		long             bool
	)
	if err := tx.QueryRow(ctx, sqlLeftOut, args...).Scan(&outsideN, &otherN); err != nil {
		return st, fmt.Errorf("event store: %w", err)
	}
	agg.AddLeftOut(outsideN, otherN)
	if st.summaries, long, err = feedSummaries(ctx, tx, agg, args, &exact); err != nil {
		return st, err
	}
	st.exact = len(exact)
	if len(exact) == 0 {
		return st, nil
	}
	var sweeps []time.Time
	if long {
		rows, err := tx.Query(ctx, sqlSweeps, append(args, report.SweepEvery)...)
		if err != nil {
			return st, fmt.Errorf("event store: %w", err)
		}
		if sweeps, err = pgx.CollectRows(rows, pgx.RowTo[time.Time]); err != nil {
			return st, fmt.Errorf("event store: %w", err)
		}
	}
	st.sweeps = len(sweeps)
	return st, feedEvents(ctx, tx, agg, exact, sweeps)
}

// feedSummaries adds the summarisable page-loads and returns how many. The
// others, and those the aggregator finds otherwise (a time at the window's
// edge finer than a millisecond), are appended to exact; long reports
// whether one of them is longer than the aggregator's dedupe window.
func feedSummaries(ctx context.Context, tx pgx.Tx, agg *report.Aggregator, args []any, exact *[][]byte) (n int, long bool, err error) {
	rows, err := tx.Query(ctx, sqlSummaries, args...)
	if err != nil {
		return n, long, fmt.Errorf("event store: %w", err)
	}
	defer rows.Close()
	var (
		ls     report.LoadSummary
		opened []string
	)
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != 14 || len(v[5]) != 8 || len(v[6]) != 8 || len(v[7]) != 4 || len(v[8]) != 8 || len(v[9]) != 2 || len(v[13]) != 1 {
			return n, long, fmt.Errorf("event store: unexpected page_loads row layout")
		}
		if v[13][0] == 0 {
			*exact = append(*exact, append([]byte(nil), v[0]...))
			long = long || pgTime(v[6]).Sub(pgTime(v[5])) > 48*time.Hour
			continue
		}
		ls = report.LoadSummary{Deal: bstr(v[1]), Stakeholder: bstr(v[2]), Page: bstr(v[3]), Net: bstr(v[4]),
			First: pgTime(v[5]), Last: pgTime(v[6]), Events: int(int32(binary.BigEndian.Uint32(v[7]))),
			ActiveMS: int64(binary.BigEndian.Uint64(v[8]))}
		flags := binary.BigEndian.Uint16(v[9])
		ls.View, ls.HB, ls.Hide, ls.Opens = flags&flagView != 0, flags&flagHB != 0, flags&flagHide != 0, flags&flagOpen != 0
		ls.Bot, ls.Webdriver, ls.Retired = flags&flagBot != 0, flags&flagWebdriver != 0, flags&flagRetired != 0
		if ls.Opens {
			if len(v[10]) != 8 || len(v[11]) != 8 {
				return n, long, fmt.Errorf("event store: page-load %x has opens but no open times", v[0])
			}
			ls.OpenFirst, ls.OpenLast = pgTime(v[10]), pgTime(v[11])
			if opened, err = textArray(opened[:0], v[12]); err != nil {
				return n, long, fmt.Errorf("event store: page-load %x: opened: %w", v[0], err)
			}
			ls.Opened = opened
		}
		if !agg.Summarisable(ls.First, ls.Last) {
			*exact = append(*exact, append([]byte(nil), v[0]...))
			long = long || ls.Last.Sub(ls.First) > 48*time.Hour
			continue
		}
		agg.AddLoad(&ls)
		n++
	}
	if err := rows.Err(); err != nil {
		return n, long, fmt.Errorf("event store: %w", err)
	}
	return n, long, nil
}

// textArray decodes a one-dimensional text[] without nulls in PostgreSQL's
// binary format, appending its elements (pointing into b) to dst.
func textArray(dst []string, b []byte) ([]string, error) {
	if len(b) < 12 {
		return dst, fmt.Errorf("short array")
	}
	ndim := binary.BigEndian.Uint32(b)
	if ndim == 0 {
		return dst, nil
	}
	if ndim != 1 || len(b) < 20 {
		return dst, fmt.Errorf("%d dimensions", ndim)
	}
	n := int(binary.BigEndian.Uint32(b[12:]))
	b = b[20:]
	for range n {
		if len(b) < 4 {
			return dst, fmt.Errorf("short array")
		}
		l := int(int32(binary.BigEndian.Uint32(b)))
		if l < 0 || len(b) < 4+l {
			return dst, fmt.Errorf("null or short element")
		}
		dst = append(dst, bstr(b[4:4+l]))
		b = b[4+l:]
	}
	return dst, nil
}

// feedEvents adds the events of the page-loads loads one by one, in the
// order of [Store.Events], telling the aggregator of the sweeps that the
// events left out would have made.
func feedEvents(ctx context.Context, tx pgx.Tx, agg *report.Aggregator, loads [][]byte, sweeps []time.Time) error {
	rows, err := tx.Query(ctx, `SELECT `+feedColumns+` FROM events WHERE load = ANY($1) ORDER BY time, load, seq`, loads)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	defer rows.Close()
	var e event.Event
	e.Room = "-" // not read: the report does not use it, but an event has one
	var load [event.LoadLen]byte
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != 15 || len(v[0]) != 2 || len(v[1]) != 8 || len(v[5]) != 1 || len(v[10]) != 8 || len(v[11]) != 8 || len(v[14]) != 1 || len(v[9]) != event.LoadLen/2 {
			return fmt.Errorf("event store: unexpected row layout")
		}
		e.V = int(int16(binary.BigEndian.Uint16(v[0])))
		e.Time = pgTime(v[1])
		for len(sweeps) > 0 && !sweeps[0].After(e.Time) {
			agg.Tick(sweeps[0])
			sweeps = sweeps[1:]
		}
		e.Deal, e.Stakeholder, e.Side = bstr(v[2]), bstr(v[3]), bstr(v[4])
		e.Retired = v[5][0] != 0
		e.Page, e.Kind, e.Collateral = bstr(v[6]), event.Kind(bstr(v[7])), bstr(v[8])
		hex.Encode(load[:], v[9])
		e.Load = unsafe.String(&load[0], len(load))
		e.Seq = int64(binary.BigEndian.Uint64(v[10]))
		e.ActiveMS = int64(binary.BigEndian.Uint64(v[11]))
		e.Net, e.UA = bstr(v[12]), bstr(v[13])
		e.Webdriver = v[14][0] != 0
		agg.Add(e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	return nil
}
