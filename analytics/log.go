package analytics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// SyncMode says when the log fsyncs.
type SyncMode int

const (
	// SyncAlways acknowledges an event only once it is fsynced: nothing
	// acknowledged is lost to a crash of the process or of the machine. The
	// zero value.
	SyncAlways SyncMode = iota
	// SyncNone acknowledges an event once it is written to the operating
	// system: a killed process loses nothing it acknowledged, a power loss
	// may.
	SyncNone
)

// ParseSyncMode parses "always" or "none".
func ParseSyncMode(s string) (SyncMode, error) {
	switch s {
	case "always":
		return SyncAlways, nil
	case "none":
		return SyncNone, nil
	}
	return 0, fmt.Errorf("sync mode %q: want always or none", s)
}

func (m SyncMode) String() string {
	if m == SyncNone {
		return "none"
	}
	return "always"
}

// ErrLogClosed is returned by [Log.Append] after [Log.Close].
var ErrLogClosed = errors.New("event log is closed")

// LogOptions configures [OpenLog].
type LogOptions struct {
	// Instance names this beacon in file names and events: letters, digits,
	// '.', '_' and '-', at most 64. Required.
	Instance string
	// Sync is when to fsync; the zero value is SyncAlways.
	Sync SyncMode
	// Logger receives repairs and write errors; nil discards them.
	Logger *slog.Logger
}

// LogStats are the log's running totals.
type LogStats struct {
	Events  int64 `json:"events"`  // events written (and synced, with SyncAlways)
	Writes  int64 `json:"writes"`  // group commits: one write (and one fdatasync with SyncAlways) each
	Syncs   int64 `json:"syncs"`   // fdatasync calls
	SyncMS  int64 `json:"sync_ms"` // time spent in them, in all
	Errors  int64 `json:"errors"`  // failed writes or syncs
	Repairs int64 `json:"repairs"` // torn tails cut when opening a file
}

// Log is the append-only event log of one beacon instance: JSON lines in
// files named events-YYYY-MM-DD-<instance>.jsonl (the UTC day of the
// event's time) in one folder.
//
// One goroutine writes (group commit): Append calls that arrive while it
// writes and fsyncs are written together by its next write and covered by
// its next fdatasync, so a busy beacon pays one fsync for many events.
//
// A lock file (.lock-<instance>) keeps a second process of the same
// instance from writing to the same folder. A Log is safe for concurrent
// use.
type Log struct {
	dir    string
	opts   LogOptions
	logger *slog.Logger
	lock   io.Closer

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *appendReq
	done   chan struct{} // closed when the writer is done

	files map[string]*logFile // by day; the writer goroutine's own

	events, writes, syncs, errs, repairs, syncNS atomic.Int64
}

type logFile struct {
	f    *os.File
	size int64
}

type appendReq struct {
	day  string
	n    int
	data []byte
	err  chan error
}

var reqPool = sync.Pool{New: func() any { return &appendReq{err: make(chan error, 1)} }}

const maxCommit = 1 << 20 // bytes gathered into one write

// OpenLog opens (creating it if need be) the log folder dir for instance,
// takes its lock, repairs a torn last line in each of the instance's files
// (a line cut short by a crash was never acknowledged), and starts the
// writer. Close it to drain.
func OpenLog(dir string, opts LogOptions) (*Log, error) {
	if !validInstance(opts.Instance) {
		return nil, fmt.Errorf("instance %q: use letters, digits, '.', '_' and '-' (at most 64)", opts.Instance)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, ".lock-"+opts.Instance))
	if err != nil {
		return nil, fmt.Errorf("event log %s: %w (is another beacon with --instance %s running?)", dir, err, opts.Instance)
	}
	l := &Log{
		dir:    dir,
		opts:   opts,
		logger: opts.Logger,
		lock:   lock,
		reqs:   make(chan *appendReq, 4096),
		done:   make(chan struct{}),
		files:  map[string]*logFile{},
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	names, err := filepath.Glob(filepath.Join(dir, "events-*-"+opts.Instance+".jsonl"))
	if err != nil {
		lock.Close()
		return nil, err
	}
	for _, name := range names {
		if err := l.repairFile(name); err != nil {
			lock.Close()
			return nil, err
		}
	}
	go l.run()
	return l, nil
}

func validInstance(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Dir returns the log's folder.
func (l *Log) Dir() string { return l.dir }

// Stats returns the running totals.
func (l *Log) Stats() LogStats {
	return LogStats{Events: l.events.Load(), Writes: l.writes.Load(), Syncs: l.syncs.Load(),
		SyncMS: l.syncNS.Load() / 1e6, Errors: l.errs.Load(), Repairs: l.repairs.Load()}
}

// Append writes events and returns once they are written and, with
// SyncAlways, fsynced; only then may they be acknowledged. On error, none
// of the events of a failed day's commit are in the log (a partial write is
// cut back). If ctx ends first Append returns its error, and the events may
// or may not be written. Events are written as given: the caller stamps
// V, Time and Instance.
func (l *Log) Append(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	var reqs [4]*appendReq
	pending := reqs[:0]
	for i := 0; i < len(events); {
		r := reqPool.Get().(*appendReq)
		r.day = dayOf(events[i].Time)
		r.data = r.data[:0]
		r.n = 0
		for ; i < len(events) && dayOf(events[i].Time) == r.day; i++ {
			r.data = events[i].AppendJSON(r.data)
			r.n++
		}
		pending = append(pending, r)
	}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		for _, r := range pending {
			reqPool.Put(r)
		}
		return ErrLogClosed
	}
	for _, r := range pending {
		l.reqs <- r
	}
	l.mu.RUnlock()
	var errs []error
	for _, r := range pending {
		select {
		case err := <-r.err:
			if err != nil {
				errs = append(errs, err)
			}
			if cap(r.data) <= 64<<10 {
				reqPool.Put(r)
			}
		case <-ctx.Done():
			// The writer still owns the unanswered requests; let them go.
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

func dayOf(t time.Time) string {
	var b [10]byte
	return string(t.UTC().AppendFormat(b[:0], "2006-01-02"))
}

// Close stops taking events, writes and syncs every event already handed to
// Append, closes the files and releases the lock. It is safe to call twice.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	var errs []error
	for day, f := range l.files {
		if err := f.f.Close(); err != nil {
			errs = append(errs, err)
		}
		delete(l.files, day)
	}
	if err := l.lock.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// run is the single writer: it gathers what Append calls queued while it
// was busy, writes it with one write, fsyncs it (SyncAlways) and answers
// the callers. Calls that arrive meanwhile form the next group.
func (l *Log) run() {
	defer close(l.done)
	var batch, same, rest []*appendReq
	var buf []byte
	for open := true; open; {
		r, ok := <-l.reqs
		if !ok {
			return
		}
		batch = append(batch[:0], r)
		size := len(r.data)
	gather:
		for size < maxCommit {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					open = false
					break gather
				}
				batch = append(batch, r)
				size += len(r.data)
			default:
				break gather
			}
		}
		for len(batch) > 0 {
			day := batch[0].day
			buf, same, rest = buf[:0], same[:0], rest[:0]
			n := 0
			for _, r := range batch {
				if r.day == day {
					buf = append(buf, r.data...)
					same = append(same, r)
					n += r.n
				} else {
					rest = append(rest, r)
				}
			}
			err := l.commit(day, buf)
			if err == nil {
				l.events.Add(int64(n))
			}
			for _, r := range same {
				r.err <- err
			}
			batch, rest = rest, batch
		}
		if cap(buf) > 4*maxCommit {
			buf = nil
		}
	}
}

// commit writes one day's lines with a single write and, with SyncAlways,
// fdatasyncs them. A failed commit is cut back, so that no torn or
// unacknowledged line stays in the middle of the log.
func (l *Log) commit(day string, b []byte) error {
	l.writes.Add(1)
	lf, err := l.file(day)
	if err == nil {
		var n int
		n, err = lf.f.Write(b)
		if err == nil && l.opts.Sync == SyncAlways {
			t := time.Now()
			err = datasync(lf.f)
			l.syncNS.Add(int64(time.Since(t)))
			l.syncs.Add(1)
		}
		if err != nil {
			if n > 0 {
				if terr := lf.f.Truncate(lf.size); terr != nil {
					err = errors.Join(err, terr)
					l.dropFile(day)
				}
			}
		} else {
			lf.size += int64(n)
		}
	}
	if err != nil {
		l.errs.Add(1)
		l.logger.Error("event log write failed", "day", day, "err", err)
		return fmt.Errorf("event log: %w", err)
	}
	return nil
}

func (l *Log) dropFile(day string) {
	if lf := l.files[day]; lf != nil {
		lf.f.Close()
		delete(l.files, day)
	}
}

// file returns the open file for day, opening (and repairing) it if need
// be. At most two days stay open: today and the day before, for events
// stamped just before midnight.
func (l *Log) file(day string) (*logFile, error) {
	if lf := l.files[day]; lf != nil {
		return lf, nil
	}
	if len(l.files) >= 2 {
		days := make([]string, 0, len(l.files))
		for d := range l.files {
			days = append(days, d)
		}
		sort.Strings(days)
		for _, d := range days[:len(days)-1] {
			l.dropFile(d)
		}
	}
	path := filepath.Join(l.dir, "events-"+day+"-"+l.opts.Instance+".jsonl")
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	size, err := l.repair(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if created && l.opts.Sync == SyncAlways {
		if err := syncDir(l.dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	lf := &logFile{f: f, size: size}
	l.files[day] = lf
	return lf, nil
}

func (l *Log) repairFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	_, err = l.repair(f, path)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// repair cuts a torn last line (bytes after the last newline) and returns
// the file's size after.
func (l *Log) repair(f *os.File, path string) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	keep, err := lastNewline(f, size)
	if err != nil {
		return 0, fmt.Errorf("event log %s: %w", path, err)
	}
	if keep == size {
		return size, nil
	}
	if err := f.Truncate(keep); err != nil {
		return 0, fmt.Errorf("event log %s: repair torn line: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("event log %s: repair torn line: %w", path, err)
	}
	l.repairs.Add(1)
	l.logger.Warn("event log: cut a torn last line (it was never acknowledged)",
		"file", path, "bytes", size-keep)
	return keep, nil
}

// lastNewline returns the offset just after the last '\n' in the first
// size bytes of f, or 0.
func lastNewline(f io.ReaderAt, size int64) (int64, error) {
	var buf [4096]byte
	end := size
	for end > 0 {
		start := end - int64(len(buf))
		if start < 0 {
			start = 0
		}
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
