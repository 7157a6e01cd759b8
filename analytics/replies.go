package analytics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/reply"
)

// CheckReplyEvent says why e, of kind "reply", is not a valid reply line,
// or returns nil: schema version 2 or later (up to SchemaVersion), a reply
// whose id is one the beacon makes, whose deal and person are the line's
// own, and whose content reply.Validate accepts as of the time it was sent.
// The log's readers and the PostgreSQL store check replies with it.
func CheckReplyEvent(e *Event) error {
	r := e.Reply
	switch {
	case r == nil:
		return errors.New("a reply line without its reply")
	case e.V < 2 || e.V > SchemaVersion:
		return fmt.Errorf("reply %s: schema version %d: replies are version 2 to %d", r.ID, e.V, SchemaVersion)
	case !reply.ValidID(r.ID):
		return fmt.Errorf("reply id %.20q is not one the beacon makes", r.ID)
	case e.Deal == "" || r.Deal != e.Deal || r.Stakeholder != e.Stakeholder:
		return fmt.Errorf("reply %s names deal %q and person %q, its line %q and %q: they must agree", r.ID, r.Deal, r.Stakeholder, e.Deal, e.Stakeholder)
	case r.Time.IsZero():
		return fmt.Errorf("reply %s has no time", r.ID)
	}
	if err := r.Validate(r.Time); err != nil {
		return fmt.Errorf("reply %s does not validate: %w", r.ID, err)
	}
	return nil
}

// replyLineProblem is CheckReplyEvent's error as the readers name it, or "".
func replyLineProblem(e *Event) string {
	if err := CheckReplyEvent(e); err != nil {
		return err.Error()
	}
	return ""
}

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
// oldest first (see SortReplies). Page events and lines that are not JSON are
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
			e, why := parseLine(bytes.TrimSpace(line), torn)
			if why == "" && e.Kind != KindReply {
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
	SortReplies(out)
	return out, st, nil
}

// SortReplies orders replies oldest first; replies of the same instant keep
// their order (the order a log holds them in).
func SortReplies(rs []reply.Reply) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
}

// containsReplyKind is a fast filter: only a line holding "kind":"reply"
// can be a reply line as the beacon writes it, or one claiming to be.
func containsReplyKind(line []byte) bool {
	return bytes.Contains(line, []byte(`"reply"`))
}

// ReplyReader is a store that can list the replies it holds: *[Log] and the
// PostgreSQL store. The beacon's read endpoint ([RepliesPath]) serves it.
type ReplyReader interface {
	// Replies returns the replies sent at or after after (all when it is
	// zero), each id once, oldest first.
	Replies(ctx context.Context, after time.Time) ([]reply.Reply, error)
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

// maxRepliesDoc caps the read endpoint's answer FetchReplies reads.
const maxRepliesDoc = 64 << 20

// FetchReplies reads the replies from a beacon's read endpoint (GET
// base+RepliesPath with the read key as a bearer token), those sent at or
// after after when it is not zero. base must be https, or http on a
// loopback address (a beacon on this machine): the key never crosses a
// network in the clear. A 404 means the beacon has no read key or another
// one; the error says so.
func FetchReplies(ctx context.Context, client *http.Client, base, key string, after time.Time) ([]reply.Reply, error) {
	u, err := url.Parse(strings.TrimRight(base, "/") + RepliesPath)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a beacon address: write it like https://beacon.example.com", base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		return nil, fmt.Errorf("%s: the read key goes only over https (or to a beacon on this machine)", base)
	}
	if !after.IsZero() {
		u.RawQuery = url.Values{"after": {after.UTC().Format(time.RFC3339Nano)}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading replies from %s: %w", base, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s refused the read key: the beacon must run with the same key in its MAPROOM_READ_KEY", base)
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("reading replies from %s: %s %s", base, res.Status, res.Header.Get(RejectHeader))
	}
	var rs []reply.Reply
	if err := json.NewDecoder(io.LimitReader(res.Body, maxRepliesDoc)).Decode(&rs); err != nil {
		return nil, fmt.Errorf("reading replies from %s: not a list of replies: %w", base, err)
	}
	for i := range rs {
		if !reply.ValidID(rs[i].ID) {
			return nil, fmt.Errorf("reading replies from %s: reply %d has no valid id", base, i+1)
		}
	}
	SortReplies(rs)
	return rs, nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}
