package beacon

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
)

// EventsPath is the beacon's read endpoint for its log: GET, with the read
// key, for the seller's `maproom report -from` and `maproom replies -from`.
const EventsPath = "/events"

// LineCopier is a store that can copy its log lines from a cursor:
// *eventlog.Log. The beacon's events read endpoint ([EventsPath]) serves
// it.
type LineCopier interface {
	// CopyLines writes to w each whole, valid line (page events and
	// replies) recorded after cursor ("" for every line), each ending in a
	// newline, and returns how many and the cursor of what it copied. A
	// cursor it did not give is an error wrapping eventlog.ErrCursor.
	CopyLines(ctx context.Context, cursor string, w io.Writer) (n int, next string, err error)
}

// maxCursor caps the cursor a client sends: it names two days' files.
const maxCursor = 8 << 10

// readEvents answers GET [EventsPath] for the seller's pulls: the store's log
// lines (page events and replies) after ?cursor= (all without one), as
// JSON lines, and last a line {"cursor":"..."} to send next time: an
// answer without it was cut short. Like [RepliesPath] it needs the read
// key as a bearer token, and does not exist without it (404); neither does
// it for a store that cannot copy lines (PostgreSQL: read it with -store).
func (h *Handler) readEvents(w http.ResponseWriter, r *http.Request) {
	lc, ok := h.store.(LineCopier)
	if !h.readAllowed(w, r, ok) {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	if len(cursor) > maxCursor {
		h.refuse(w, reject(ReasonMalformed, "cursor of %d bytes: pull without one to start again", len(cursor)))
		return
	}
	// A long log takes longer than the beacon's write timeout to send.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(EventsWriteTimeout))
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 64<<10)
	n, next, err := lc.CopyLines(r.Context(), cursor, bw)
	if errors.Is(err, eventlog.ErrCursor) && n == 0 {
		h.refuse(w, reject(ReasonMalformed, "%v: pull without one to start again", err))
		return
	}
	if err == nil {
		var end []byte
		end, err = json.Marshal(struct {
			Cursor string `json:"cursor"`
			Lines  int    `json:"lines"`
		}{next, n})
		if err == nil {
			bw.Write(append(end, '\n'))
			err = bw.Flush()
		}
	}
	if err != nil {
		// The client sees an answer without its cursor line, and keeps
		// nothing of it.
		h.logger.Warn("events read endpoint: answer cut", "lines", n, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// EventsWriteTimeout bounds how long the events read endpoint may take to
// send its answer.
const EventsWriteTimeout = 10 * time.Minute

// FetchedEvents is what [FetchEvents] copied.
type FetchedEvents struct {
	Lines  int    // lines written
	Cursor string // to pull from next time
}

// FetchEvents copies to w the log lines a beacon's events read endpoint
// (GET base+EventsPath, the read key as a bearer token) gives after cursor
// ("" for all): each checked to be a JSON object, written with its
// newline. An answer that does not end in the endpoint's cursor line was
// cut short and is an error (w then holds part of it: write to a temporary
// file). base must be https, or http on a loopback address. A 404 means
// the beacon has no read key, another one, or a store without the
// endpoint.
func FetchEvents(ctx context.Context, client *http.Client, base, key, cursor string, w io.Writer) (FetchedEvents, error) {
	var got FetchedEvents
	u, err := url.Parse(strings.TrimRight(base, "/") + EventsPath)
	if err != nil || u.Host == "" {
		return got, fmt.Errorf("%q is not a beacon address: write it like https://beacon.example.com", base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		return got, fmt.Errorf("%s: the read key goes only over https (or to a beacon on this machine)", base)
	}
	if cursor != "" {
		u.RawQuery = url.Values{"cursor": {cursor}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return got, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := keyClient(client).Do(req)
	if err != nil {
		return got, fmt.Errorf("reading events from %s: %w", base, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return got, fmt.Errorf("%s refused the read key, or keeps its events in PostgreSQL: the beacon must run with the same key in its MAPROOM_READ_KEY (a beacon with -store is read with -store)", base)
	case res.StatusCode != http.StatusOK:
		return got, fmt.Errorf("reading events from %s: %s %s", base, res.Status, res.Header.Get(RejectHeader))
	}
	br := bufio.NewReaderSize(res.Body, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(long) <= event.MaxLine {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			if len(long) > event.MaxLine {
				return got, fmt.Errorf("reading events from %s: line %d is longer than %d bytes", base, n, event.MaxLine)
			}
			line = long
		}
		if err != nil {
			if err == io.EOF {
				return got, fmt.Errorf("reading events from %s: the answer was cut short after %d lines: pull again", base, got.Lines)
			}
			return got, fmt.Errorf("reading events from %s: %w", base, err)
		}
		var head struct {
			Cursor *string `json:"cursor"`
			Lines  int     `json:"lines"`
			Kind   string  `json:"kind"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return got, fmt.Errorf("reading events from %s: line %d is not an event: %v", base, n, err)
		}
		if head.Cursor != nil && head.Kind == "" {
			if head.Lines != got.Lines {
				return got, fmt.Errorf("reading events from %s: %d lines came of the %d sent: pull again", base, got.Lines, head.Lines)
			}
			got.Cursor = *head.Cursor
			return got, nil
		}
		if _, err := w.Write(line); err != nil {
			return got, err
		}
		got.Lines++
	}
}
