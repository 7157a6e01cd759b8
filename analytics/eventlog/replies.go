package eventlog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/reply"
)

// ReplyStats says what [ReadReplies] read.
type ReplyStats struct {
	Files      int      // files read
	Replies    int      // replies delivered
	Duplicates int      // reply lines whose id was already delivered
	Corrupt    int      // lines that claim to be replies and are not valid ones
	CorruptAt  []string // "file:line: why" for the first 100 of them
}

// ReadReplies reads the replies in the event logs at paths (files, or
// folders whose events-*.jsonl files are read), as ReadLogs reads events:
// each reply id once (a copy in another instance's file is a duplicate),
// oldest first (see event.SortReplies). Page events and lines that are not JSON are
// skipped without a word (ReadLogs names those); a line of kind "reply" that
// is not a valid reply is counted and named in the stats, never fatal. A
// reply sent before after (when after is not zero) is left out.
func ReadReplies(ctx context.Context, after time.Time, paths ...string) ([]reply.Reply, ReplyStats, error) {
	var st ReplyStats
	files, err := LogFiles(paths)
	if err != nil {
		return nil, st, err
	}
	seen := map[string]bool{}
	var out []reply.Reply
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, st, fmt.Errorf("read replies: %w", err)
		}
		st.Files++
		err = readLog(f, name, func(line []byte, n int, torn bool) error {
			if !containsReplyKind(line) {
				return nil
			}
			e, why := event.ParseLine(bytes.TrimSpace(line), torn)
			if why == "" && e.Kind != event.KindReply {
				return nil
			}
			if why != "" {
				st.Corrupt++
				if len(st.CorruptAt) < maxCorruptNamed {
					st.CorruptAt = append(st.CorruptAt, fmt.Sprintf("%s:%d: %s", name, n, why))
				}
				return nil
			}
			r := *e.Reply
			r.Rotation = e.Rotation
			r.Preview = e.Instance == event.PreviewInstance
			if seen[r.ID] {
				st.Duplicates++
				return nil
			}
			seen[r.ID] = true
			if !after.IsZero() && r.Time.Before(after) {
				return nil
			}
			st.Replies++
			out = append(out, r)
			return nil
		})
		f.Close()
		if err != nil {
			return nil, st, err
		}
	}
	event.SortReplies(out)
	return out, st, nil
}

// containsReplyKind is a fast filter: only a line holding "kind":"reply"
// can be a reply line as the beacon writes it, or one claiming to be.
func containsReplyKind(line []byte) bool {
	return bytes.Contains(line, []byte(`"reply"`))
}

// Replies reads the replies in the log's folder (see ReadReplies); lines a
// writer has not finished are not read. Corrupt reply lines are logged.
func (l *Log) Replies(ctx context.Context, after time.Time) ([]reply.Reply, error) {
	rs, st, err := ReadReplies(ctx, after, l.Dir())
	if err != nil {
		return nil, err
	}
	if st.Corrupt > 0 {
		l.logger.Warn("reply lines skipped", "corrupt", st.Corrupt, "first", st.CorruptAt[0])
	}
	return rs, nil
}
