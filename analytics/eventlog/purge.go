package eventlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/maproom/maproom/analytics/event"
)

// PurgeStats says what Purge did.
type PurgeStats struct {
	Purged    int // events deleted
	Kept      int // lines kept in the files read
	Scanned   int // files read
	Rewritten int // files rewritten without the purged events
	Removed   int // files removed, every line purged
	// Replies before the cut: those purged (decided: the bundle's record
	// holds them), and those kept (waiting for the seller's decision).
	Replies, RepliesKept int
}

// Purge deletes the page events dated before cut (of deal dealID only,
// when it is not "") from the log files at paths (files or folders, as
// LogFiles lists them). A file dated cut or later is not read: it holds no
// event before it; but for a copy report -from pulled (its name says the
// day of the pull, "-pull-" in it), which holds events of any day. Each file is rewritten whole through a temporary file
// and a rename, or removed when nothing is left, so a reader sees the old
// or the new file, never a half-written one; a file that fails is left
// unchanged and named in the error. A reply before cut is purged only when
// decided reports its id as decided (the seller accepted, declined or
// answered it, and the deal's bundle records it, the reply in it): one
// still waiting is the buyer's open request, kept and counted. Lines that
// are not events are kept: purge does not judge them. Purge must not run
// on today's file while a beacon writes it; the caller refuses a cut after
// today.
func Purge(paths []string, cut time.Time, dealID string, decided func(id string) bool) (PurgeStats, error) {
	var st PurgeStats
	files, err := LogFiles(paths)
	if err != nil {
		return st, fmt.Errorf("purge: %w", err)
	}
	for _, name := range files {
		if day, ok := LogFileDay(name); ok && day >= cut.Format(time.DateOnly) && !pulledCopy.MatchString(filepath.Base(name)) {
			continue
		}
		st.Scanned++
		p, k, err := purgeFile(name, cut, dealID, decided, &st)
		if err != nil {
			return st, fmt.Errorf("purge %s: %w (the file is unchanged)", name, err)
		}
		st.Purged += p
		st.Kept += k
		switch {
		case p > 0 && k == 0:
			st.Removed++
		case p > 0:
			st.Rewritten++
		}
	}
	return st, nil
}

// pulledCopy matches the name of a copy report -from pulled (LogFileName of
// the pull's day and "pull-" and its number), never a beacon's own log.
var pulledCopy = regexp.MustCompile(`^events-\d{4}-\d{2}-\d{2}-pull-\d{6}\.jsonl$`)

// purgeFile rewrites one log file without the events before cut (of
// dealID); a file left with nothing is removed.
func purgeFile(name string, cut time.Time, dealID string, decided func(id string) bool, st *PurgeStats) (purged, kept int, err error) {
	var replies, repliesKept int
	defer func() {
		if err == nil {
			st.Replies += replies
			st.RepliesKept += repliesKept
		}
	}()
	data, err := os.ReadFile(name)
	if err != nil {
		return 0, 0, err
	}
	// The zeros a beacon pads a file with (a file it left open) are not a
	// line; a zero byte before the last newline is part of its line, which
	// is kept (see Reader).
	data = bytes.TrimRight(data, "\x00")
	var keep bytes.Buffer
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		// Only the fields purge decides by: a line with a date is purged
		// by its date even where the reader would find fault with it.
		var ev struct {
			Time  time.Time `json:"time"`
			Deal  string    `json:"deal"`
			Kind  string    `json:"kind"`
			Reply *struct {
				ID string `json:"id"`
			} `json:"reply"`
		}
		if json.Unmarshal(line, &ev) == nil && !ev.Time.IsZero() && ev.Time.Before(cut) && (dealID == "" || ev.Deal == dealID) {
			// A reply is the buyer's request: it stays until the seller
			// decides it, then the deal's bundle records it.
			if ev.Kind != string(event.KindReply) {
				purged++
				continue
			}
			if ev.Reply != nil && decided != nil && decided(ev.Reply.ID) {
				purged++
				replies++
				continue
			}
			repliesKept++
		}
		kept++
		keep.Write(line)
	}
	if purged == 0 {
		return 0, kept, nil
	}
	dir := filepath.Dir(name)
	if kept == 0 {
		if err := os.Remove(name); err != nil {
			return 0, 0, err
		}
		return purged, 0, syncDir(dir)
	}
	fi, err := os.Stat(name)
	if err != nil {
		return 0, 0, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return 0, 0, err
	}
	_, err = tmp.Write(keep.Bytes())
	if err == nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if err == nil {
		err = keepOwner(tmp, fi)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, 0, err
	}
	return purged, kept, syncDir(dir)
}
