package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
	"unsafe"

	"github.com/maproom/maproom/analytics"
)

// feedColumns are the columns the report's aggregator reads.
const feedColumns = `v, time, deal, stakeholder, side, retired, page, kind, collateral, load, seq, active_ms, net, ua, webdriver`

// pgEpoch is 2000-01-01 UTC, the origin of PostgreSQL's binary timestamps,
// in unix microseconds.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// Feed adds every stored event to agg, in the order of [Store.Events]: the
// report from the database is the report from logs holding the same
// events. It is Events without the copies: it reads only the columns the
// report uses, decoded from PostgreSQL's binary format into strings that
// point into the driver's buffer, valid during one Add (which copies what
// it keeps).
func (s *Store) Feed(ctx context.Context, agg *analytics.Aggregator) error {
	rows, err := s.pool.Query(ctx, `SELECT `+feedColumns+` FROM events ORDER BY time, load, seq`)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	defer rows.Close()
	var e analytics.Event
	e.Room = "-" // not read: the report does not use it, but an event has one
	str := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return unsafe.String(&b[0], len(b))
	}
	var load [analytics.LoadLen]byte
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != 15 || len(v[0]) != 2 || len(v[1]) != 8 || len(v[5]) != 1 || len(v[10]) != 8 || len(v[11]) != 8 || len(v[14]) != 1 || len(v[9]) != analytics.LoadLen/2 {
			return fmt.Errorf("event store: unexpected row layout")
		}
		e.V = int(int16(binary.BigEndian.Uint16(v[0])))
		e.Time = time.UnixMicro(pgEpoch + int64(binary.BigEndian.Uint64(v[1]))).UTC()
		e.Deal, e.Stakeholder, e.Side = str(v[2]), str(v[3]), str(v[4])
		e.Retired = v[5][0] != 0
		e.Page, e.Kind, e.Collateral = str(v[6]), analytics.Kind(str(v[7])), str(v[8])
		hex.Encode(load[:], v[9])
		e.Load = unsafe.String(&load[0], len(load))
		e.Seq = int64(binary.BigEndian.Uint64(v[10]))
		e.ActiveMS = int64(binary.BigEndian.Uint64(v[11]))
		e.Net, e.UA = str(v[12]), str(v[13])
		e.Webdriver = v[14][0] != 0
		agg.Add(e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	return nil
}
