package scenario

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// schemaVersion is the version of the scenario's lines: version 1, which
// every reader still reads as it always did (replies came in version 2).
const schemaVersion = 1

// instance names beacon instance i (0 or 1): beacon-a or beacon-b.
func instance(i int) string { return fmt.Sprintf("beacon-%c", 'a'+i) }

// WriteLogs writes the scenario's visits under dir as the event logs of two
// beacon instances, dir/beacon-a and dir/beacon-b (created as needed), one
// file per UTC day each (events-YYYY-MM-DD-beacon-a.jsonl), and returns the
// two folders in that order. Besides the visits' events, with the copies
// one instance logged of the other's and the retries one logged twice, the
// logs hold an event of a person no longer in the content (zed of acme) and
// two corrupt lines at the end of beacon-b's file of 2026-11-20.
//
// Each event takes its person's side, role and current rotation from
// s.Deals; a visit of a deal or person not there is an error. The same
// site always gives the same bytes. On an error, what was written stays
// under dir.
func (s *Site) WriteLogs(dir string) ([]string, error) {
	w := &logWriter{folders: []string{filepath.Join(dir, instance(0)), filepath.Join(dir, instance(1))}, files: map[string]*logFile{}}
	if err := errors.Join(w.writeScenario(s.Deals), w.close()); err != nil {
		return nil, err
	}
	return w.folders, nil
}

// writeScenario writes the visits, the person no longer in the content and
// the corrupt lines. Write errors are left in w.err.
func (w *logWriter) writeScenario(deals []Deal) error {
	byID := map[string]*deal.Deal{}
	for _, d := range deals {
		byID[d.Deal.ID] = d.Deal
	}
	for i, v := range visits {
		d := byID[v.deal]
		if d == nil {
			return fmt.Errorf("scenario: visit %d: no deal %s", i, v.deal)
		}
		s, ok := d.Stakeholder(v.who)
		if !ok {
			return fmt.Errorf("scenario: visit %d: no %s in %s", i, v.who, v.deal)
		}
		at, err := time.Parse(time.RFC3339, v.at)
		if err != nil {
			return fmt.Errorf("scenario: visit %d: %w", i, err)
		}
		for _, e := range v.events(i, d, s, at) {
			w.write(v.instance, &e)
			if v.copy {
				e.Instance = instance(1 - v.instance)
				w.write(1-v.instance, &e)
			}
			if v.retry > 0 && e.Seq == int64(v.retry) {
				e.Time = e.Time.Add(2 * time.Second)
				w.write(v.instance, &e)
			}
		}
	}
	// someone removed from the content since
	w.write(0, &event.Event{V: schemaVersion, Time: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Deal: "acme", Stakeholder: "zed",
		Side: "buyer", Role: "legal", Room: token.Key(token.Room(Secret(), "acme", "zed", 0)), Page: manifest.PageRoom, Kind: event.KindView,
		Load: fmt.Sprintf("%032x", 999), UA: event.UABrowser, Net: "192.0.2.0/24", Instance: instance(0)})
	if f := w.file(1, "2026-11-20"); f != nil {
		f.buf.WriteString("{this is not an event\n")
		f.buf.WriteString(`{"v":9,"time":"2026-11-20T12:00:00.000Z"}` + "\n")
	}
	return nil
}

// logWriter writes events into the instances' daily files. Its first error
// sticks: after it, nothing more is written, and close returns it.
type logWriter struct {
	folders []string            // one per instance
	files   map[string]*logFile // by path
	err     error
}

// logFile is one daily file being written.
type logFile struct {
	f   *os.File
	buf *bufio.Writer
	b   []byte // the line being written
}

// write appends e to instance inst's file of e's UTC day.
func (w *logWriter) write(inst int, e *event.Event) {
	if f := w.file(inst, e.Time.UTC().Format(time.DateOnly)); f != nil {
		f.b = e.AppendJSON(f.b[:0])
		_, w.err = f.buf.Write(f.b)
	}
}

// file returns instance inst's file of day (YYYY-MM-DD), created on first
// use, or nil after an error.
func (w *logWriter) file(inst int, day string) *logFile {
	if w.err != nil {
		return nil
	}
	name := filepath.Join(w.folders[inst], fmt.Sprintf("events-%s-%s.jsonl", day, instance(inst)))
	if f := w.files[name]; f != nil {
		return f
	}
	if w.err = os.MkdirAll(w.folders[inst], 0o755); w.err != nil {
		return nil
	}
	f, err := os.Create(name)
	if err != nil {
		w.err = err
		return nil
	}
	lf := &logFile{f: f, buf: bufio.NewWriter(f)}
	w.files[name] = lf
	return lf
}

// close flushes and closes every file, and returns the first write error
// joined with those of flushing and closing.
func (w *logWriter) close() error {
	errs := []error{w.err}
	for _, f := range w.files {
		errs = append(errs, f.buf.Flush(), f.f.Close())
	}
	return errors.Join(errs...)
}
