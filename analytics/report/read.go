package report

import (
	"context"
	"io"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/reply"
)

// Source is where a report's events and replies come from: the event log
// ([LogSource]) or the PostgreSQL store (pgstore.Store). Feed adds every
// event (or page-load summary) of the source to the aggregator, each event
// once; Replies returns the replies sent at or after after (all when it is
// zero), each id once, oldest first.
type Source interface {
	Feed(ctx context.Context, a *Aggregator) error
	Replies(ctx context.Context, after time.Time) ([]reply.Reply, error)
}

// LogSource is the event log as a report's [Source]: the log files and
// folders at Paths, read in day order by the log's one reader
// (eventlog.Reader, which says how copies of an event are recognised).
// A path "-" is Stdin, read first, for its events only.
type LogSource struct {
	Paths []string
	Stdin io.Reader
}

// Feed reads the logs into a (see [Aggregator.ReadStream] and
// [Aggregator.ReadLogs]).
func (s LogSource) Feed(ctx context.Context, a *Aggregator) error {
	files, stdin := s.files()
	if stdin && s.Stdin != nil {
		if err := a.ReadStream(ctx, s.Stdin, "stdin"); err != nil {
			return err
		}
	}
	if len(files) == 0 {
		return nil
	}
	return a.ReadLogs(ctx, files)
}

// Replies reads the replies of the log files and folders
// (eventlog.ReadReplies); reply lines that are not valid replies are left
// out.
func (s LogSource) Replies(ctx context.Context, after time.Time) ([]reply.Reply, error) {
	files, _ := s.files()
	if len(files) == 0 {
		return nil, nil
	}
	rs, _, err := eventlog.ReadReplies(ctx, after, files...)
	return rs, err
}

// files returns the paths other than "-", and whether "-" is among them.
func (s LogSource) files() (files []string, stdin bool) {
	for _, p := range s.Paths {
		if p == "-" {
			stdin = true
			continue
		}
		files = append(files, p)
	}
	return files, stdin
}

// ReadLogs reads the event logs at paths into the aggregator. Each path is a
// file or a folder, whose events-*.jsonl files are read, in day order (the
// day in their name; files without one first, in the order given), by the
// log's reader: each event once, lines that are not valid events counted
// and the first 100 named as file:line, never fatal (see eventlog.Reader).
// An error opening or reading a file is returned. The files and streams
// one Aggregator reads are read as one log.
func (a *Aggregator) ReadLogs(ctx context.Context, paths []string) error {
	rd := a.reader()
	before := rd.Stats().Files
	err := rd.ReadFiles(ctx, paths, a.addRow)
	if rd.Stats().Files > before {
		// A log file read, even an empty one, says who did not visit; a
		// folder with no log file in it says nothing.
		a.fed = true
	}
	return err
}

// EventsRead reports whether any events were given (a log file read, even
// an empty one, a stream, events or summaries added; not a folder without
// a log file): without them the report judges no one's engagement, and
// nor should its callers.
func (a *Aggregator) EventsRead() bool { return a.fed }

// ReadStream reads one event log from r (standard input, say), as ReadLogs
// reads a file; name is used in messages about corrupt lines.
func (a *Aggregator) ReadStream(ctx context.Context, r io.Reader, name string) error {
	a.fed = true
	return a.reader().ReadStream(ctx, r, name, a.addRow)
}

func (a *Aggregator) reader() *eventlog.Reader {
	if a.rd == nil {
		a.rd = eventlog.NewReader()
	}
	return a.rd
}

// addRow adds an event the reader delivers.
func (a *Aggregator) addRow(r *event.Row) error {
	a.add(r, a.rd.Slot())
	return nil
}

// addReadStats adds what the reader read to the input statistics.
func (a *Aggregator) addReadStats() {
	if a.rd == nil {
		return
	}
	st := a.rd.Stats()
	a.stats.Files += st.Files
	a.stats.Lines += st.Lines
	a.stats.Duplicates += st.Duplicates
	a.stats.Corrupt += st.Corrupt
	for _, at := range st.CorruptAt {
		if len(a.stats.CorruptAt) < maxCorruptNamed {
			a.stats.CorruptAt = append(a.stats.CorruptAt, at)
		}
	}
}

// maxCorruptNamed is how many corrupt lines InputStats.CorruptAt names.
const maxCorruptNamed = 100
