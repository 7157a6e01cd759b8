package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// purgedFile records, under .maproom, the day before which maproom events
// purge deleted the events, of every deal ("") and of single deals (their
// ids): {"": "2026-11-30", "acme-data-platform": "2026-12-01"}. The report,
// notify and handoff read it, so that a person whose visits went with the
// purge is not said never to have opened their room (see
// report.ReportOptions.Purged).
func purgedFile(root string) string { return filepath.Join(root, ".maproom", "purged.json") }

// readPurged returns the days of purgedFile; nil when there is none. A
// file that cannot be read is said on e's stderr (when e is not nil) and
// read as none: the report then judges from the events left.
func readPurged(e *env, root string) map[string]deal.Date {
	data, err := os.ReadFile(purgedFile(root))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var days map[string]string
	if err == nil {
		err = json.Unmarshal(data, &days)
	}
	out := map[string]deal.Date{}
	for id, s := range days {
		d, perr := deal.ParseDate(s)
		if perr != nil {
			err = fmt.Errorf("%q for %q: %w", s, id, perr)
			break
		}
		out[id] = d
	}
	if err != nil {
		if e != nil {
			fmt.Fprintf(e.stderr, "maproom: %s cannot be read (%v): the events purged are not known; fix the file, or remove it and purge again\n", purgedFile(root), err)
		}
		return nil
	}
	return out
}

// purgedBroken reports whether purgedFile is there and cannot be read.
func purgedBroken(root string) bool {
	_, err := os.Stat(purgedFile(root))
	return err == nil && readPurged(nil, root) == nil
}

// purgedReadable says, before a purge deletes anything, that purgedFile
// cannot be read: the purge could not record its day in it.
func purgedReadable(root string) error {
	if purgedBroken(root) {
		return fmt.Errorf("%s cannot be read, so a purge could not record its day: fix or remove it first (nothing was purged)", purgedFile(root))
	}
	return nil
}

// recordPurge writes to purgedFile that the events before cut (a UTC day)
// of deal dealID ("" for every deal) were purged, keeping the latest day
// of each; written through a temporary file and a rename.
func recordPurge(root, dealID string, cut time.Time) error {
	days := map[string]string{}
	if purgedBroken(root) {
		// Rewritten, the other purges it records would be lost.
		return fmt.Errorf("%s cannot be read: fix or remove it", purgedFile(root))
	}
	for id, d := range readPurged(nil, root) {
		days[id] = d.String()
	}
	day := cut.UTC().Format(time.DateOnly)
	if old, ok := days[dealID]; !ok || old < day {
		days[dealID] = day
	}
	data, err := json.MarshalIndent(days, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(purgedFile(root)), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(purgedFile(root), append(data, '\n'))
}
