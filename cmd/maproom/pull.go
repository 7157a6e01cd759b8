package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/eventlog"
)

// pullState is what a pull folder remembers between pulls (pull.json).
type pullState struct {
	Beacon string    `json:"beacon"`        // the beacon pulled from
	Cursor string    `json:"cursor"`        // the beacon's cursor: where the next pull starts
	Pulls  int       `json:"pulls"`         // pulls that brought lines
	Lines  int64     `json:"lines"`         // lines pulled, in all
	Last   time.Time `json:"last,omitzero"` // when the last pull ran
}

// pullDir is the folder a beacon's pulled log is kept in:
// <root>/.maproom/pulled/<host[_port]>.
func pullDir(root, beacon string) (string, error) {
	u, err := url.Parse(beacon)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: -from %q: write the beacon's address like https://beacon.example.com", errUsage, beacon)
	}
	if h := u.Hostname(); u.Scheme != "https" && !(u.Scheme == "http" && (h == "localhost" || net.ParseIP(h).IsLoopback())) {
		return "", fmt.Errorf("%w: -from %s: the read key goes only over https (or to a beacon on this machine)", errUsage, beacon)
	}
	return filepath.Join(root, ".maproom", "pulled", strings.ReplaceAll(u.Host, ":", "_")), nil
}

// pullEvents copies what the beacon at base recorded since the last pull
// (the beacon's cursor, kept in pull.json) into its pull folder, and
// returns the folder, to be read as a log. Each pull that brings lines
// writes one file of them whole (temporary file, synced, renamed), then
// pull.json the same way: an interrupted pull leaves the folder as it was,
// or with the latest lines in it twice, which the readers read once (an
// event's load and sequence, a reply's id). A pull without a cursor
// brings everything and replaces the folder's files.
func pullEvents(ctx context.Context, e *env, root, base, key string) (string, error) {
	dir, err := pullDir(root, base)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	statePath := filepath.Join(dir, "pull.json")
	var st pullState
	if b, err := os.ReadFile(statePath); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return "", fmt.Errorf("%s: %v (delete the folder to pull everything again)", statePath, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if st.Beacon != "" && st.Beacon != base {
		st.Cursor = "" // another address of the same host: start again, the reader skips what is there twice
	}
	now := e.now().UTC()
	name := filepath.Join(dir, eventlog.LogFileName(now.Format(time.DateOnly), fmt.Sprintf("pull-%06d", st.Pulls+1)))
	var got beacon.FetchedEvents
	client := &http.Client{Timeout: 10 * time.Minute}
	err = writeAtomic(name, 0o600, func(w io.Writer) error {
		var err error
		got, err = beacon.FetchEvents(ctx, client, base, key, st.Cursor, w)
		return err
	})
	if err != nil {
		return "", err
	}
	if got.Lines == 0 {
		os.Remove(name)
	} else {
		st.Pulls++
	}
	if full := st.Cursor == ""; full {
		// Everything came again (a first pull, or pull.json was lost): the
		// files of earlier pulls hold nothing more, and the reader
		// recognises a copy only within two days of the newest event.
		old, err := eventlog.LogFiles([]string{dir})
		if err != nil {
			return "", err
		}
		for _, f := range old {
			if f != name {
				if err := os.Remove(f); err != nil {
					return "", err
				}
			}
		}
	}
	st.Beacon = base
	st.Lines += int64(got.Lines)
	if st.Cursor == "" {
		st.Lines = int64(got.Lines)
	}
	st.Cursor = got.Cursor
	st.Last = now
	if err := writeAtomic(statePath, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}); err != nil {
		return "", err
	}
	fmt.Fprintf(e.stderr, "maproom: pulled %s from %s into %s\n", count(got.Lines, "line"), base, dir)
	return dir, nil
}
