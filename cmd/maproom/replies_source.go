package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/analytics/eventlog"
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
	fs.StringVar(&sf.logDir, "log-dir", e.getenv("MAPROOM_LOG_DIR"), "folder of the beacon's event log to read replies from (default <root>/.maproom/events, and the copies -from pulled into <root>/.maproom/pulled/) [MAPROOM_LOG_DIR]")
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
			return nil, fmt.Errorf("%w: -from %s needs the beacon's read key in $%s (the key the beacon runs with in its MAPROOM_READ_KEY)", errUsage, sf.from, sf.keyEnv)
		}
		return beaconReplies{url: sf.from, key: key, root: root, e: e}, nil
	case len(logs) > 0:
		return logReplies{paths: logs, stderr: e.stderr}, nil
	}
	dir := sf.logDir
	if dir == "" {
		dir = filepath.Join(root, ".maproom", "events")
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stderr, "maproom: no event log at %s: only the replies already recorded in the bundles are known (name the beacon's log with -log-dir, or use -store or -from)\n", dir)
		return logReplies{}, nil
	}
	return logReplies{paths: []string{dir}, stderr: e.stderr}, nil
}

// deskSource is source for the commands that list and decide replies
// (replies, accept, decline, answer): with no flag and no log named, it
// reads the copies -from pulled before (.maproom/pulled/<host>/) beside
// the local log, so that a reply listed from a beacon once is decided
// without pulling again.
func (e *env) deskSource(sf *sourceFlags, root string, logs []string) (replySource, error) {
	if sf.store != "" || sf.from != "" || sf.logDir != "" || len(logs) > 0 {
		return e.source(sf, root, logs)
	}
	var paths []string
	if dir := filepath.Join(root, ".maproom", "events"); dirExists(dir) {
		paths = append(paths, dir)
	}
	pulled, _ := filepath.Glob(filepath.Join(root, ".maproom", "pulled", "*"))
	for _, p := range pulled {
		if dirExists(p) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return e.source(sf, root, nil) // says there is no log
	}
	return logReplies{paths: paths, stderr: e.stderr}, nil
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// logReplies reads the replies of beacon event logs (files or folders).
type logReplies struct {
	paths  []string
	stderr io.Writer
}

func (s logReplies) Replies(ctx context.Context) ([]reply.Reply, error) {
	if len(s.paths) == 0 {
		return nil, nil
	}
	return readLogReplies(ctx, s.stderr, s.paths...)
}

// readLogReplies reads the replies of event logs (eventlog.ReadReplies);
// a reply line that is not valid is named on stderr, never fatal.
func readLogReplies(ctx context.Context, stderr io.Writer, paths ...string) ([]reply.Reply, error) {
	rs, st, err := eventlog.ReadReplies(ctx, time.Time{}, paths...)
	if err != nil {
		return nil, err
	}
	for _, at := range st.CorruptAt {
		fmt.Fprintf(stderr, "maproom: skipped %s\n", at)
	}
	return rs, nil
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

// beaconReplies pulls what the beacon recorded since the last pull (its
// events read endpoint, pullEvents) into the site's pull folder, and reads
// the replies there as from a local log: a reply pulled twice is listed
// once.
type beaconReplies struct {
	url, key, root string
	e              *env
}

func (s beaconReplies) Replies(ctx context.Context) ([]reply.Reply, error) {
	dir, err := pullEvents(ctx, s.e, s.root, s.url, s.key)
	if err != nil {
		return nil, err
	}
	return readLogReplies(ctx, s.e.stderr, dir)
}
