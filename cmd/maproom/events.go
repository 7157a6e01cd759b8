package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/analytics/pgstore"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/reply"
)

const eventsAbout = `Moves the beacon's view events between the event log and PostgreSQL, and
enforces retention (personal data must not be kept forever).

  maproom events import -store URL [log file or folder ...]
  maproom events export -store URL [-o file] [-deal ID] [-before DATE]
  maproom events purge -before DATE [-deal ID] [-store URL | log file or folder ...]

import loads log files into the database: each (load, seq) once, corrupt lines
skipped and named, events already stored left as they are, so running it twice
changes nothing. export writes the stored events as log lines, byte for byte as
the beacon writes them, in time order. purge deletes the events before DATE
(00:00 UTC), of one deal with -deal: from the database with -store, otherwise
from the log files, each rewritten atomically (a file left empty is removed;
lines that are not events are kept). A buyer's reply before DATE goes too
once you decided it (accepted, declined or answered: the deal's bundle keeps
it, in content/<deal>/replies/); one still waiting is kept, and counted.
Without log arguments, the site's .maproom/events folder is used.`

// cmdEvents runs maproom events import, export or purge.
func cmdEvents(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := e.newFlags("events", "import|export|purge [flags] [log file or folder ...]", eventsAbout)
		fs.String("store", "", "PostgreSQL connection string, postgres://user@host/db [MAPROOM_STORE]")
		fs.String("root", ".", "site root: its .maproom/events is the default log folder [MAPROOM_ROOT]")
		fs.String("before", "", "export or purge the events before this day, YYYY-MM-DD (UTC)")
		fs.String("deal", "", "export or purge only this deal's events")
		fs.String("o", "", "export: write the log lines to this file instead of standard output")
		if err := parse(fs, args); err != nil {
			return ignoreHelp(err)
		}
		return fmt.Errorf("%w: name what to do: maproom events import, export or purge", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := e.newFlags("events "+sub, "[flags] [log file or folder ...]", eventsAbout)
	store := fs.String("store", e.envOr("MAPROOM_STORE", ""), "PostgreSQL connection string, postgres://user@host/db [MAPROOM_STORE]")
	root := fs.String("root", e.envOr("MAPROOM_ROOT", "."), "site root: its .maproom/events is the default log folder [MAPROOM_ROOT]")
	var before, dealID, out *string
	switch sub {
	case "import":
	case "export":
		out = fs.String("o", "", "write the log lines to this file instead of standard output")
		before = fs.String("before", "", "only events before this day, YYYY-MM-DD (UTC)")
		dealID = fs.String("deal", "", "only this deal")
	case "purge":
		before = fs.String("before", "", "delete the events before this day, YYYY-MM-DD (UTC); required")
		dealID = fs.String("deal", "", "only this deal's events")
	default:
		return fmt.Errorf("%w: unknown events command %q: use import, export or purge", errUsage, sub)
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	var cut time.Time
	if before != nil && *before != "" {
		if cut, err = time.Parse(time.DateOnly, *before); err != nil {
			return fmt.Errorf("%w: -before %q: write YYYY-MM-DD", errUsage, *before)
		}
	}
	named := len(paths) > 0
	if !named {
		paths = []string{filepath.Join(*root, ".maproom", "events")}
	}

	if sub == "purge" {
		if !named {
			// The copies report -from pulled from a beacon hold its
			// events too: retention reaches them as well.
			pulled, _ := filepath.Glob(filepath.Join(*root, ".maproom", "pulled", "*"))
			if len(pulled) > 0 && !dirExists(paths[0]) {
				paths = nil // a seller who only pulls has no log of their own
			}
			paths = append(paths, pulled...)
		}
		if cut.IsZero() {
			return fmt.Errorf("%w: purge needs -before YYYY-MM-DD", errUsage)
		}
		if err := purgedReadable(*root); err != nil {
			return err
		}
		if *store == "" {
			return purgeLogs(ctx, e, *root, paths, cut, *dealID)
		}
	} else if *store == "" {
		return fmt.Errorf("%w: %s needs -store postgres://... (or MAPROOM_STORE)", errUsage, sub)
	}
	s, err := pgstore.Open(ctx, *store, pgstore.Options{Logger: e.log})
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "import":
		st, err := s.Import(ctx, paths)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %s from %s: %d new, %d already stored; %s and %s skipped\n",
			count(st.Events, "event"), count(st.Files, "file"), st.Inserted, st.Present,
			count(st.Duplicates, "duplicate line"), count(st.Corrupt, "corrupt line"))
		if r := st.RepliesNew + st.RepliesPresent; r > 0 {
			fmt.Fprintf(e.stdout, "and %s: %d new, %d already stored\n", count(r, "reply"), st.RepliesNew, st.RepliesPresent)
		}
		for i, at := range st.CorruptAt {
			if i == 5 {
				fmt.Fprintf(e.stderr, "  ... and %d more\n", st.Corrupt-5)
				break
			}
			fmt.Fprintf(e.stderr, "  %s\n", at)
		}
		return nil
	case "export":
		return exportEvents(ctx, e, s, *out, pgstore.Filter{Deal: *dealID, Before: cut})
	}
	n, err := s.Purge(ctx, cut, *dealID)
	if err != nil {
		return err
	}
	sent, err := s.Replies(ctx, time.Time{})
	if err != nil {
		return err
	}
	waitingIDs := pendingReplies(e, *root, sent)
	var ids []string // the replies no longer waiting: decided, or repeats
	for _, r := range sent {
		if !waitingIDs[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	r, waiting, err := s.PurgeReplies(ctx, cut, *dealID, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "purged %s before %s%s from the database\n", andReplies(int(n), int(r)), cut.Format(time.DateOnly), ofDeal(*dealID))
	unknownDeal(e, *root, *dealID, int(n+r+waiting))
	notePurge(e, *root, *dealID, cut, int(n))
	if waiting > 0 {
		fmt.Fprintf(e.stdout, "kept %s before %s still waiting for your decision: accept, decline or answer them (maproom replies), and the next purge removes them\n",
			count(int(waiting), "reply"), cut.Format(time.DateOnly))
	}
	return nil
}

func ofDeal(id string) string {
	if id == "" {
		return ""
	}
	return " of deal " + id
}

// exportEvents writes the stored events to outPath (atomically) or stdout.
func exportEvents(ctx context.Context, e *env, s *pgstore.Store, outPath string, f pgstore.Filter) error {
	if outPath == "" {
		n, r, err := s.Export(ctx, e.stdout, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "exported %s\n", andReplies(n, r))
		return nil
	}
	n, r := 0, 0
	err := writeAtomic(outPath, 0o640, func(w io.Writer) error {
		var err error
		n, r, err = s.Export(ctx, w, f)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %s to %s\n", andReplies(n, r), outPath)
	return nil
}

// andReplies counts events, and replies when there are any.
func andReplies(events, replies int) string {
	if replies == 0 {
		return count(events, "event")
	}
	return count(events, "event") + " and " + count(replies, "reply")
}

// writeAtomic writes path through a temporary file in its folder, synced
// and renamed over it, so that a reader sees the old or the new file whole.
func writeAtomic(path string, mode os.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncFolder(dir)
}

func syncFolder(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// purgeLogs deletes the events before cut (of dealID only, when given) from
// the log files at paths (eventlog.Purge), refusing a cut after today. A
// reply before cut goes too unless it still waits for the seller
// (pendingReplies): a decided one lives on in its deal's bundle, and a
// repeat of one (a form sent twice) is that one.
func purgeLogs(ctx context.Context, e *env, root string, paths []string, cut time.Time, dealID string) error {
	today := e.now().UTC().Truncate(24 * time.Hour)
	if cut.After(today) {
		return fmt.Errorf("%w: -before %s is after today (%s, UTC): a running beacon is still writing today's log", errUsage, cut.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	sent, _, err := eventlog.ReadReplies(ctx, time.Time{}, paths...)
	if err != nil {
		return err
	}
	waiting := pendingReplies(e, root, sent)
	// Only a reply known to be done with goes: one this build could not
	// read (a newer beacon's, say) is not in sent, and stays.
	done := map[string]bool{}
	for _, r := range sent {
		if !waiting[r.ID] {
			done[r.ID] = true
		}
	}
	st, err := eventlog.Purge(paths, cut, dealID, func(id string) bool { return done[id] })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "purged %s before %s%s from the log: %s read, %d rewritten, %d removed; %s kept in them\n",
		andReplies(st.Purged-st.Replies, st.Replies), cut.Format(time.DateOnly), ofDeal(dealID), count(st.Scanned, "file"), st.Rewritten, st.Removed, count(st.Kept, "line"))
	if st.RepliesKept > 0 {
		fmt.Fprintf(e.stdout, "kept %s before %s still waiting for your decision: accept, decline or answer them (maproom replies), and the next purge removes them\n",
			count(st.RepliesKept, "reply"), cut.Format(time.DateOnly))
	}
	unknownDeal(e, root, dealID, st.Purged+st.RepliesKept)
	notePurge(e, root, dealID, cut, st.Purged)
	return nil
}

// notePurge records a purge that deleted events (recordPurge): from then
// on the report, notify and handoff judge who opened a room from its day
// on, and say so, rather than call someone whose visits went with it a
// person who never opened their room.
func notePurge(e *env, root, dealID string, cut time.Time, purged int) {
	if purged == 0 {
		return
	}
	if err := recordPurge(root, dealID, cut); err != nil {
		fmt.Fprintf(e.stderr, "maproom: the purge is done, but it could not be recorded in %s (%v): the report may call someone whose visits were purged a person who never opened their room\n", purgedFile(root), err)
		return
	}
	fmt.Fprintf(e.stdout, "who opened a room is judged from %s on from now (%s): a visit before it is gone\n", cut.Format(time.DateOnly), purgedFile(root))
}

// unknownDeal says on stderr when -deal named a deal the site has no
// folder for and the purge found nothing of it: a misspelt id (a deal
// removed since may still have events to purge, so it is no error).
func unknownDeal(e *env, root, dealID string, found int) {
	if dealID == "" || found > 0 {
		return
	}
	if fi, err := os.Stat(filepath.Join(root, generator.ContentDir, dealID)); err == nil && fi.IsDir() {
		return
	}
	var ids []string
	if dirs, err := os.ReadDir(filepath.Join(root, generator.ContentDir)); err == nil {
		for _, d := range dirs {
			if d.IsDir() && !strings.HasPrefix(d.Name(), ".") && !strings.HasPrefix(d.Name(), "_") {
				ids = append(ids, d.Name())
			}
		}
	}
	fmt.Fprintf(e.stderr, "maproom: warning: no deal folder %s, and nothing of it before the day: check the id (the site's deals: %s)\n", dealID, strings.Join(ids, ", "))
}

// pendingReplies returns the ids of the replies of sent that wait for the
// seller, as maproom replies tells them (reply.Split, with the records of
// the site's bundles): not decided, and not a repeat of another. A bundle
// whose records cannot be read is named on stderr, and its replies wait.
func pendingReplies(e *env, root string, sent []reply.Reply) map[string]bool {
	var recs []reply.Record
	if dirs, err := os.ReadDir(filepath.Join(root, generator.ContentDir)); err == nil {
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			rs, err := reply.ReadRecords(filepath.Join(root, generator.ContentDir, d.Name()))
			if err != nil {
				fmt.Fprintf(e.stderr, "maproom: %v: the replies it records are kept as waiting\n", err)
				continue
			}
			recs = append(recs, rs...)
		}
	}
	ws, _ := reply.Split(sent, recs)
	ids := make(map[string]bool, len(ws))
	for _, r := range ws {
		ids[r.ID] = true
	}
	return ids
}

// beaconStore is what the beacon needs of the store it keeps events in:
// the log, or PostgreSQL with -store. Both also report their state in
// /healthz (beacon.StoreReporter) and list the replies
// (beacon.ReplyReader).
type beaconStore interface {
	beacon.Store
	Close() error
}

// openBeaconStore opens the store the flags choose, and says which.
func openBeaconStore(ctx context.Context, e *env, url, dir string, opts eventlog.LogOptions) (beaconStore, error) {
	if url == "" {
		return eventlog.OpenLog(dir, opts)
	}
	// Retry: a beacon started before its database answers 503 until it
	// can store events, rather than not starting.
	s, err := pgstore.Open(ctx, url, pgstore.Options{Logger: e.log, Retry: true})
	if err != nil {
		return nil, err
	}
	name := "postgres"
	if cfg, err := pgxpool.ParseConfig(url); err == nil {
		name = fmt.Sprintf("postgres://%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	}
	e.log.Info("events are stored in PostgreSQL, not the log", "store", name, "schema_version", pgstore.SchemaVersion)
	return s, nil
}
