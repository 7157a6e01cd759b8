package eventlog

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

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/filelock"
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
// writes, or while the last write is being fsynced, are written together by
// its next write and covered by one fdatasync, so a busy beacon pays one
// fsync for many events. With SyncAlways a file being written ends in zero
// padding (see padChunk), cut when the file is closed.
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
	// failedAt is when the last commit failed to write or sync (a full
	// disk, a read-only folder), in Unix nanoseconds; 0 once one succeeds.
	// For failedFor after it StoreHealth says the log is down, so /healthz
	// answers 503 and a load balancer sends the rooms to another beacon;
	// then up again, so that the events sent once the disk is freed find
	// it (nothing else would clear it while none come).
	failedAt atomic.Int64

	padWarned time.Time // the writer goroutine's: when it last warned of no room to pad
	// failWarned and failQuiet are the writer goroutine's: when it last
	// logged a failed write, and how many it has not logged since (a full
	// disk fails every write: one line a minute says it).
	failWarned time.Time
	failQuiet  int
}

type logFile struct {
	f      *os.File
	size   int64 // bytes of whole lines: where the next commit goes
	alloc  int64 // the file's length: size plus zero padding (SyncAlways)
	failed bool  // a sync failed: close and reopen
}

// padChunk is how far ahead of its lines the log zero-fills a file it
// writes with SyncAlways. fdatasync of a write that grows a file must also
// commit the file system's journal (the new length); a write into bytes
// that are already there only flushes data: 0.17 against 0.32 ms per
// fdatasync on this machine's ext4, alone. So the log writes zeros ahead of
// its lines, a chunk at a time, as PostgreSQL does with its WAL, and cuts
// them when it closes the file; after a crash, the next start cuts them (see
// repair). In one run of the load benchmark's setup (medians of 5 rounds),
// the beacon acknowledged 10,900 events/s without padding, 12,300 with
// 256 KiB chunks, 14,700 with 1 MiB, and 14,500-14,800 with 4 and 16 MiB;
// larger chunks make fewer of the slower, file-growing syncs.
const padChunk = 4 << 20

var zeros [64 << 10]byte

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
	lock, err := filelock.TryLock(filepath.Join(dir, ".lock-"+opts.Instance), 0o640)
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
	names, err := filepath.Glob(filepath.Join(dir, LogFileName("*", opts.Instance)))
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

// StoreHealth implements [StoreReporter]: the log's counters; it can store
// events while it is open, unless its last commit failed (a full disk)
// less than failedFor ago: a commit that succeeds makes it up at once, and
// so does the time passing, for events to come and try again.
func (l *Log) StoreHealth(context.Context) (any, bool) {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	failing := false
	if at := l.failedAt.Load(); at != 0 {
		failing = time.Since(time.Unix(0, at)) < failedFor
	}
	return l.Stats(), !closed && !failing
}

// failedFor is how long after a failed commit the log says it is down.
var failedFor = 30 * time.Second

// Append writes events and returns once they are written and, with
// SyncAlways, fsynced; only then may they be acknowledged. On error, none
// of the events of a failed day's commit are in the log (a partial write is
// cut back). If ctx ends first Append returns its error, and the events may
// or may not be written. Events are written as given: the caller stamps
// V, Time and Instance.
func (l *Log) Append(ctx context.Context, events []event.Event) error {
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
		if err := f.close(l.opts.Sync == SyncAlways); err != nil {
			errs = append(errs, err)
		}
		delete(l.files, day)
	}
	if err := l.lock.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// run is the single writer (group commit): it gathers what Append calls
// queued while it was busy, writes each day's share with one write, and,
// with SyncAlways, fdatasyncs each file it wrote before it answers the
// callers; calls that arrive meanwhile form the next group.
//
// The writer gathers a group only once the previous group's fdatasync is
// done, so a call that arrives during a sync goes into the very next one
// (it waits one and a half syncs on average). An earlier design handed
// each written group to a syncer goroutine and gathered the next group at
// once, while the syncer worked: calls arriving after that early gather
// then waited for the sync after next, two and a half syncs. In one run of
// the load benchmark (3 rounds of 4 s, twice each, alternating) the beacon
// acknowledged 14,822 and 15,925 events/s this way against 13,350 and
// 13,974 with the syncer, with a bare handler at 35,500-36,300 req/s.
func (l *Log) run() {
	defer close(l.done)
	var batch, rest, same []*appendReq
	var buf []byte
	type written struct {
		lf   *logFile
		reqs []*appendReq
		n    int
		err  error // the write's or the sync's: answered once the commit's outcome is recorded
	}
	var groups []written
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
		groups = groups[:0]
		failed := false
		same = same[:0]
		for len(batch) > 0 {
			day := batch[0].day
			buf, rest = buf[:0], rest[:0]
			start, n := len(same), 0
			for _, r := range batch {
				if r.day == day {
					buf = append(buf, r.data...)
					same = append(same, r)
					n += r.n
				} else {
					rest = append(rest, r)
				}
			}
			lf, err := l.write(day, buf)
			if err != nil {
				failed = true
			}
			groups = append(groups, written{lf, same[start:], n, err})
			batch, rest = rest, batch
		}
		for i := range groups {
			g := &groups[i]
			if g.err == nil && l.opts.Sync == SyncAlways {
				g.err = l.sync(g.lf)
			}
			if g.err == nil {
				l.events.Add(int64(g.n))
			} else {
				failed = true
			}
		}
		// The commit failed if any day of it did (two, around midnight);
		// said before the writers hear, so that a health check made once
		// an Append returned sees this commit's outcome.
		if failed {
			l.failedAt.Store(time.Now().UnixNano())
		} else {
			l.failedAt.Store(0)
		}
		for _, g := range groups {
			answer(g.reqs, g.err)
		}
		clear(same)
		if cap(buf) > 4*maxCommit {
			buf = nil
		}
	}
}

func answer(reqs []*appendReq, err error) {
	for _, r := range reqs {
		r.err <- err
	}
}

// sync makes what was written to lf durable with fdatasync. A failed sync
// marks the file failed: the next commit closes it and reopens and
// repairs it, since after a failed fsync the kernel may have dropped the
// unwritten pages and a later fsync would not report it.
func (l *Log) sync(lf *logFile) error {
	t := time.Now()
	err := datasync(lf.f)
	l.syncNS.Add(int64(time.Since(t)))
	l.syncs.Add(1)
	if err != nil {
		lf.failed = true
		l.errs.Add(1)
		l.logger.Error("event log sync failed", "file", lf.f.Name(), "err", err)
		return fmt.Errorf("event log: %w", err)
	}
	return nil
}

// write writes one day's lines with a single write at the end of its lines.
// A failed write is cut back, so that no torn or unacknowledged line stays
// in the middle of the log.
func (l *Log) write(day string, b []byte) (*logFile, error) {
	l.writes.Add(1)
	lf, err := l.file(day)
	if err == nil && l.opts.Sync == SyncAlways && lf.size+int64(len(b)) > lf.alloc {
		if perr := lf.pad(int64(len(b))); perr != nil {
			// No room for the padding (a disk nearly full): the zeros
			// written go, and the lines are written without it (the
			// sync then writes the file's length too). An event that
			// fits is not refused for padding that does not.
			if terr := lf.f.Truncate(lf.size); terr != nil {
				err = errors.Join(perr, terr)
				l.dropFile(day)
			} else {
				lf.alloc = lf.size
				if now := time.Now(); now.Sub(l.padWarned) > time.Minute {
					// Once a minute while the disk stays full, not at
					// every commit.
					l.padWarned = now
					l.logger.Warn("event log: no room to pad the file ahead, writing without it", "file", lf.f.Name(), "err", perr)
				}
			}
		}
	}
	if err == nil {
		var n int
		n, err = lf.f.WriteAt(b, lf.size)
		if err != nil {
			// Whatever part of the lines reached the file goes (WriteAt
			// may say 0 of a write the disk took in part before it
			// filled): the file holds whole lines only.
			if terr := lf.f.Truncate(lf.size); terr != nil {
				err = errors.Join(err, terr)
				l.dropFile(day)
			} else {
				lf.alloc = lf.size
			}
		} else {
			lf.size += int64(n)
			lf.alloc = max(lf.alloc, lf.size)
		}
	}
	if err != nil {
		l.errs.Add(1)
		if now := time.Now(); now.Sub(l.failWarned) > time.Minute {
			l.logger.Error("event log write failed", "day", day, "err", err, "failed_since_last_logged", l.failQuiet)
			l.failWarned, l.failQuiet = now, 0
		} else {
			l.failQuiet++
		}
		return nil, fmt.Errorf("event log: %w", err)
	}
	return lf, nil
}

// pad zero-fills the file past its padding so that need more bytes fit
// before its end, in whole padChunks. The next fdatasync makes the zeros
// and the new length durable with the lines.
func (lf *logFile) pad(need int64) error {
	end := (lf.size + need + padChunk - 1) / padChunk * padChunk
	for lf.alloc < end {
		n, err := lf.f.WriteAt(zeros[:min(int64(len(zeros)), end-lf.alloc)], lf.alloc)
		lf.alloc += int64(n)
		if err != nil {
			return err
		}
	}
	return nil
}

// close cuts the padding (unless a sync failed: then the next open repairs
// it) and closes the file: a log file closed cleanly holds whole lines
// only.
func (lf *logFile) close(sync bool) error {
	var err error
	if lf.alloc > lf.size && !lf.failed {
		err = lf.f.Truncate(lf.size)
		if err == nil && sync {
			err = datasync(lf.f)
		}
	}
	return errors.Join(err, lf.f.Close())
}

func (l *Log) dropFile(day string) {
	if lf := l.files[day]; lf != nil {
		if err := lf.close(l.opts.Sync == SyncAlways); err != nil {
			l.logger.Error("event log close failed", "day", day, "err", err)
		}
		delete(l.files, day)
	}
}

// file returns the open file for day, opening (and repairing) it if need
// be. At most two days stay open: today and the day before, for events
// stamped just before midnight. A file whose sync failed is closed and
// opened again.
func (l *Log) file(day string) (*logFile, error) {
	if lf := l.files[day]; lf != nil {
		if !lf.failed {
			return lf, nil
		}
		l.dropFile(day)
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
	path := filepath.Join(l.dir, LogFileName(day, l.opts.Instance))
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	lf := &logFile{f: f}
	fail := func(err error) (*logFile, error) {
		lf.close(false)
		return nil, err
	}
	if lf.size, err = l.repair(f, path); err != nil {
		return fail(err)
	}
	lf.alloc = lf.size
	if l.opts.Sync == SyncAlways {
		if created {
			if err := syncDir(l.dir); err != nil {
				return fail(err)
			}
		}
	}
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

// repair cuts what a crash can leave after the last whole line and returns
// the file's size after: the zero padding at the end of the file (see
// padChunk), then the torn last line, the bytes after the last newline.
// That is all it cuts: a zero byte before the last newline is kept, since
// the lines after it may have been acknowledged; readers skip its line as
// corrupt and name it. (A power loss can leave such a hole of zeros inside
// the last commit, where some of its pages never reached the disk: the
// lines around the hole are corrupt, the ones after it read as they are,
// though they were never acknowledged.) A file that ends in a newline was
// closed cleanly and is left alone. Only a cut of torn bytes counts as a
// repair; padding is expected.
func (l *Log) repair(f *os.File, path string) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return 0, fmt.Errorf("event log %s: %w", path, err)
	}
	if last[0] == '\n' {
		return size, nil
	}
	end, err := dataEnd(f, size)
	if err != nil {
		return 0, fmt.Errorf("event log %s: %w", path, err)
	}
	keep, err := lastNewline(f, end)
	if err != nil {
		return 0, fmt.Errorf("event log %s: %w", path, err)
	}
	if err := f.Truncate(keep); err != nil {
		return 0, fmt.Errorf("event log %s: repair: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("event log %s: repair: %w", path, err)
	}
	if end > keep {
		l.repairs.Add(1)
		l.logger.Warn("event log: cut a torn end (it was never acknowledged)",
			"file", path, "bytes", size-keep)
	} else {
		l.logger.Info("event log: cut the zero padding of a file that was not closed", "file", path, "bytes", size-keep)
	}
	return keep, nil
}

// dataEnd returns the offset just after the last byte of the first size
// bytes of f that is not zero, or 0.
func dataEnd(f io.ReaderAt, size int64) (int64, error) {
	var buf [64 << 10]byte
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return 0, nil
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
