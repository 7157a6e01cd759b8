package pgstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/reply"
)

// checkReply is the log readers' check of a reply line.
func checkReply(e *event.Event) error { return event.CheckReplyEvent(e) }

// insertRepliesSQL inserts replies given as column arrays; a reply whose
// id is stored already is left as it is.
const insertRepliesSQL = `INSERT INTO replies (id, time, v, deal, stakeholder, side, role, kind, room, rotation, instance, reply)
	SELECT id, time, v, deal, stakeholder, side, role, kind, room, rotation, instance, reply::jsonb
	FROM unnest($1::text[], $2::timestamptz[], $3::int2[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::int4[], $11::text[], $12::text[])
		AS r(id, time, v, deal, stakeholder, side, role, kind, room, rotation, instance, reply)
	ON CONFLICT (id) DO NOTHING`

// insertReplies inserts reply events (checked by checkReply) in one
// statement, in id order, and returns how many were new.
func insertReplies(ctx context.Context, q querier, events []event.Event) (int64, error) {
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return events[idx[a]].Reply.ID < events[idx[b]].Reply.ID })
	n := len(events)
	var (
		at                                                   = make([]time.Time, n)
		v                                                    = make([]int16, n)
		rotation                                             = make([]int32, n)
		id, deal, who, side, role, kind, room, instance, doc = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	)
	for j, i := range idx {
		e := &events[i]
		r := e.Reply
		b, err := json.Marshal(r)
		if err != nil {
			return 0, fmt.Errorf("reply %s: %w", r.ID, err)
		}
		id[j], at[j], v[j], deal[j], who[j] = r.ID, r.Time, int16(e.V), e.Deal, e.Stakeholder
		side[j], role[j], kind[j], room[j], rotation[j], instance[j], doc[j] = e.Side, e.Role, string(r.Kind), e.Room, int32(e.Rotation), e.Instance, string(b)
	}
	tag, err := q.Exec(ctx, insertRepliesSQL, id, at, v, deal, who, side, role, kind, room, rotation, instance, doc)
	if err != nil {
		return 0, fmt.Errorf("replies: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Replies returns the replies stored, sent at or after after (every one
// when after is zero), each id once, in the order of
// [event.SortReplies]: oldest first, then by id. It implements
// [beacon.ReplyReader]. Before the store is connected (Options.Retry) it
// returns an error.
func (s *Store) Replies(ctx context.Context, after time.Time) ([]reply.Reply, error) {
	if !s.ready.Load() {
		if e := s.lastErr.Load(); e != nil {
			return nil, fmt.Errorf("%w: %s", errNotReady, *e)
		}
		return nil, errNotReady
	}
	where, args := "", []any{}
	if !after.IsZero() {
		// The column keeps microseconds: a reply of after's microsecond is
		// read, and the exact comparison made below.
		where, args = " WHERE time >= $1", []any{after.Truncate(time.Microsecond)}
	}
	evs, err := s.replyEvents(ctx, where, args)
	if err != nil {
		return nil, err
	}
	out := make([]reply.Reply, 0, len(evs))
	for _, e := range evs {
		if after.IsZero() || !e.Reply.Time.Before(after) {
			r := *e.Reply
			r.Rotation = e.Rotation
			r.Preview = e.Instance == event.PreviewInstance
			out = append(out, r)
		}
	}
	return out, nil
}

// replyEvents reads the replies table's rows selected by where (with args)
// as the events they came in, sorted as event.SortReplies sorts
// replies. An event's time is its reply's; its network, user agent,
// page-load and page are not kept, so they are empty.
func (s *Store) replyEvents(ctx context.Context, where string, args []any) ([]event.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, v, side, role, room, rotation, instance, reply FROM replies`+where+` ORDER BY time, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("event store: replies: %w", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var (
			e   = event.Event{Kind: event.KindReply}
			id  string
			v   int16
			rot int32
			doc []byte
		)
		if err := rows.Scan(&id, &v, &e.Side, &e.Role, &e.Room, &rot, &e.Instance, &doc); err != nil {
			return nil, fmt.Errorf("event store: replies: %w", err)
		}
		r := new(reply.Reply)
		if err := json.Unmarshal(doc, r); err != nil {
			return nil, fmt.Errorf("event store: reply %s: the stored reply does not decode: %w", id, err)
		}
		e.V, e.Rotation, e.Reply = int(v), int(rot), r
		e.Time, e.Deal, e.Stakeholder = r.Time, r.Deal, r.Stakeholder
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("event store: replies: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Reply, out[j].Reply
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.ID < b.ID
	})
	return out, nil
}

// readReplyEvents reads the reply lines of the event logs at paths (as
// eventlog.ReadReplies reads them: valid replies only, each id once) as
// the events they came in, with the stats of the reading.
func readReplyEvents(ctx context.Context, paths []string) ([]event.Event, eventlog.ReplyStats, error) {
	rs, st, err := eventlog.ReadReplies(ctx, time.Time{}, paths...)
	if err != nil || len(rs) == 0 {
		return nil, st, err
	}
	// ReadReplies gives the replies; their events' envelopes (room,
	// rotation, instance, ...) come from the first line of each that reads
	// back to the same reply.
	want := make(map[string]*reply.Reply, len(rs))
	for i := range rs {
		want[rs[i].ID] = &rs[i]
	}
	got := make(map[string]event.Event, len(rs))
	err = replyLines(ctx, paths, func(line []byte) {
		var e event.Event
		if json.Unmarshal(line, &e) != nil || e.Kind != event.KindReply || e.Reply == nil {
			return
		}
		r, ok := want[e.Reply.ID]
		if _, done := got[e.Reply.ID]; !ok || done || !sameReply(e.Reply, r) || e.Deal != r.Deal || e.Stakeholder != r.Stakeholder {
			return
		}
		e.Reply = r
		got[r.ID] = e
	})
	if err != nil {
		return nil, st, err
	}
	out := make([]event.Event, len(rs))
	for i := range rs {
		e, ok := got[rs[i].ID]
		if !ok { // not expected: ReadReplies read it from one of these lines
			e = event.Event{V: event.SchemaVersion, Deal: rs[i].Deal, Stakeholder: rs[i].Stakeholder, Reply: &rs[i]}
		}
		e.Kind, e.Time = event.KindReply, rs[i].Time
		out[i] = e
	}
	return out, st, nil
}

func sameReply(a, b *reply.Reply) bool {
	ta, tb := *a, *b
	// The rotation is the envelope's, not the reply's own.
	ta.Time, tb.Time, ta.Rotation, tb.Rotation = time.Time{}, time.Time{}, 0, 0
	return ta == tb && a.Time.Equal(b.Time)
}

// replyLines calls fn with each line of the logs at paths (files, or
// folders whose events-*.jsonl files are read, in name order, as
// eventlog.ReadLogs lists them) that may be a reply line.
func replyLines(ctx context.Context, paths []string, fn func(line []byte)) error {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("read replies: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		names, err := filepath.Glob(filepath.Join(p, "events-*.jsonl"))
		if err != nil {
			return err
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("read replies: %w", err)
		}
		br := bufio.NewReaderSize(f, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if line = bytes.Trim(line, "\x00 \t\r\n"); bytes.Contains(line, []byte(`"reply"`)) {
				fn(line)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("read replies: %s: %w", name, err)
			}
		}
		f.Close()
	}
	return nil
}

// importReplies stores the reply events in batches of importBatch and
// returns how many were new.
func (s *Store) importReplies(ctx context.Context, events []event.Event) (int64, error) {
	var n int64
	for len(events) > 0 {
		batch := events[:min(len(events), importBatch)]
		events = events[len(batch):]
		m, err := insertReplies(ctx, s.pool, batch)
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}
