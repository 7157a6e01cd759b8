package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/pgstore"
	"github.com/maproom/maproom/internal/reply"
)

// replySource is where the replies buyers sent wait for the seller: the
// local event log, the PostgreSQL store or a beacon's read endpoint.
// Replies returns every reply the source holds, each id once, oldest first.
type replySource interface {
	Replies(ctx context.Context) ([]reply.Reply, error)
}

// sourceFlags choose the reply source; replies, accept, decline and answer
// share them.
type sourceFlags struct {
	logDir string
	store  string
	from   string
	keyEnv string
}

func (e *env) sourceFlags(fs *flag.FlagSet) *sourceFlags {
	sf := &sourceFlags{}
	fs.StringVar(&sf.logDir, "log-dir", e.getenv("MAPROOM_LOG_DIR"), "folder of the beacon's event log to read replies from (default <root>/.maproom/events) [MAPROOM_LOG_DIR]")
	fs.StringVar(&sf.store, "store", e.getenv("MAPROOM_STORE"), "read the replies from this PostgreSQL store (postgres://user@host/db) instead of the log [MAPROOM_STORE]")
	fs.StringVar(&sf.from, "from", e.getenv("MAPROOM_REPLIES_FROM"), "read the replies from this beacon over HTTPS (https://beacon.example.com), with the key in the variable -key-env names [MAPROOM_REPLIES_FROM]")
	fs.StringVar(&sf.keyEnv, "key-env", e.envOr("MAPROOM_KEY_ENV", "MAPROOM_READ_KEY"), "the environment variable that holds the beacon's read key (a key never goes on the command line) [MAPROOM_KEY_ENV]")
	return sf
}

// source returns the reply source the flags choose; logs are log files or
// folders named on the command line (replies only), read instead of the
// log folder.
func (e *env) source(sf *sourceFlags, root string, logs []string) (replySource, error) {
	n := 0
	for _, set := range []bool{sf.store != "", sf.from != "", len(logs) > 0} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: give one of -store, -from or log files", errUsage)
	}
	switch {
	case sf.store != "":
		return storeReplies{url: sf.store, e: e}, nil
	case sf.from != "":
		key := e.getenv(sf.keyEnv)
		if key == "" {
			return nil, fmt.Errorf("%w: -from %s needs the beacon's read key in $%s (the key the beacon runs with as -read-key or MAPROOM_READ_KEY)", errUsage, sf.from, sf.keyEnv)
		}
		return beaconReplies{url: sf.from, key: key}, nil
	case len(logs) > 0:
		return logReplies{paths: logs}, nil
	}
	dir := sf.logDir
	if dir == "" {
		dir = filepath.Join(root, ".maproom", "events")
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stderr, "maproom: no event log at %s: only the replies already recorded in the bundles are known (name the beacon's log with -log-dir, or use -store or -from)\n", dir)
		return logReplies{}, nil
	}
	return logReplies{paths: []string{dir}}, nil
}

// logReplies reads the replies of beacon event logs (files or folders).
type logReplies struct{ paths []string }

func (s logReplies) Replies(ctx context.Context) ([]reply.Reply, error) {
	if len(s.paths) == 0 {
		return nil, nil
	}
	return readLogReplies(ctx, s.paths...)
}

// readLogReplies reads the reply lines of event logs; see
// analytics.ReadReplies for the contract it follows.
var readLogReplies = readReplyLines

// readReplyLines reads the reply lines ("kind":"reply", schema v2) of the
// log files and folders (their *.jsonl files), each reply id once, oldest
// first. Other lines are skipped; a reply line that does not decode is an
// error naming file:line.
func readReplyLines(ctx context.Context, paths ...string) ([]reply.Reply, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		m, err := filepath.Glob(filepath.Join(p, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	seen := map[string]bool{}
	var out []reply.Reply
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := bytes.Trim(sc.Bytes(), "\x00 \r")
			if len(line) == 0 || !bytes.Contains(line, []byte(`"reply"`)) {
				continue
			}
			var ev struct {
				Kind  string       `json:"kind"`
				Reply *reply.Reply `json:"reply"`
			}
			if err := json.Unmarshal(line, &ev); err != nil || ev.Kind != "reply" {
				continue
			}
			if ev.Reply == nil || !reply.ValidID(ev.Reply.ID) {
				return nil, fmt.Errorf("%s:%d: a reply line without a valid reply id", f, n)
			}
			if seen[ev.Reply.ID] {
				continue
			}
			seen[ev.Reply.ID] = true
			out = append(out, *ev.Reply)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// storeReplies reads the replies kept in the PostgreSQL store.
type storeReplies struct {
	url string
	e   *env
}

func (s storeReplies) Replies(ctx context.Context) ([]reply.Reply, error) {
	st, err := pgstore.Open(ctx, s.url, pgstore.Options{Logger: s.e.log})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Replies(ctx, time.Time{})
}

// beaconReplies reads the replies from a beacon's authenticated read
// endpoint.
type beaconReplies struct{ url, key string }

func (s beaconReplies) Replies(ctx context.Context) ([]reply.Reply, error) {
	u := strings.TrimRight(s.url, "/")
	return nil, fmt.Errorf("reading replies from a beacon (-from %s) is not available yet: copy its log folder and read it with -log-dir", u)
}
