package eventlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/maproom/maproom/analytics/event"
)

// maxCorruptNamed is how many corrupt lines ReadStats.CorruptAt names.
const maxCorruptNamed = 100

// ReadStats says what a [Reader] read.
type ReadStats struct {
	Files      int      // files (and streams) read
	Lines      int      // event lines read: not blank, not reply lines
	Events     int      // events delivered
	Duplicates int      // lines skipped because their (load, seq) was already delivered
	Corrupt    int      // lines skipped because they are not valid events
	Replies    int      // reply lines (kind "reply"), skipped: see ReadReplies
	CorruptAt  []string // "file:line: why" for the first 100 corrupt lines
}

// DedupeWindow is how long the reader remembers a page-load after its
// last event, in the time of the newest event read: a copy of one of its
// events (another beacon instance's, a retry) is recognised within it.
const DedupeWindow = 48 * time.Hour

// sweepEvery is how often, in the time of the events, the reader forgets
// the page-loads that fell out of DedupeWindow.
const sweepEvery = 6 * time.Hour

// Reader is the one reader of the event log: the report, the handoff and
// the import into PostgreSQL all read events through it.
//
// It reads files and folders (in [LogFiles]'s order: by day, then instance)
// and streams, drops the zero padding of live files, decodes the lines
// (the beacon's own layout by a fast path, any other valid JSON event line
// by encoding/json, with the same result), skips and counts the lines that
// are not valid events of a known schema version (naming the first 100 as
// file:line, never fatal) and the reply lines (see [ReadReplies]), and
// delivers each event once, in the order of the log.
//
// The dedupe rule: an event is identified by its (load, seq). A line whose
// (load, seq) was delivered before is a duplicate, counted and skipped, as
// long as its page-load is remembered: until [DedupeWindow] after the
// page-load's last event, in the time of the newest event read. The beacon
// writes an event again only as a retry (seconds later) or as another
// instance's copy of the same request (the same moment), and the files are
// read day by day, so every copy of an event falls in the window; memory is
// bounded by the page-loads of two days, not by the events read. Events
// read far out of time order (one instance's log concatenated after
// another's) may be delivered twice; the report then says so (OutOfOrder).
// This is the rule the report always read by; an exact rule (remember
// every (load, seq) ever read) would cost memory with every event, and
// catch only copies no beacon writes.
//
// One Reader reads several files and streams as one log: a copy in a later
// file is a duplicate. A Reader is not safe for concurrent use.
type Reader struct {
	stats  ReadStats
	dedupe dedupe
	chunks chan *chunk // buffers, kept from file to file
	slot   int32       // the page-load slot of the row being delivered
}

// NewReader returns a Reader that has read nothing.
func NewReader() *Reader {
	return &Reader{dedupe: newDedupe()}
}

// Stats returns what the reader has read so far.
func (r *Reader) Stats() ReadStats { return r.stats }

// Slot returns, during a call of the function rows are delivered to, the
// reader's number for the row's page-load: the same for every row of the
// page-load while the reader remembers it (see the dedupe rule), and
// reused for another page-load after. A consumer that keeps state per
// page-load can find it by the slot, checking the page-load id, instead of
// looking the id up again.
func (r *Reader) Slot() int32 { return r.slot }

// ReadFiles reads the event logs at paths, each a file or a folder (whose
// events-*.jsonl files are read), and calls fn with each event once (see
// [Reader]). The row is valid during the call only. An error from fn stops
// the reading and is returned; so is an error opening or reading a file.
func (r *Reader) ReadFiles(ctx context.Context, paths []string, fn func(*event.Row) error) error {
	files, err := LogFiles(paths)
	if err != nil {
		return err
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		err = r.ReadStream(ctx, f, name, fn)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadStream reads one event log from rd (standard input, say), as
// ReadFiles reads a file; name is used in messages about corrupt lines.
// Lines are decoded on up to four goroutines in chunks of chunkSize bytes
// and delivered in order, so the result is the same as a line-by-line
// read; at most 2*4+2 chunks are in memory at once.
func (r *Reader) ReadStream(ctx context.Context, rd io.Reader, name string, fn func(*event.Row) error) error {
	r.stats.Files++
	rd = &padReader{r: rd}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	if r.chunks == nil {
		r.chunks = make(chan *chunk, 2*workers+2)
		for range cap(r.chunks) {
			r.chunks <- &chunk{buf: make([]byte, chunkSize)}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := r.chunks
	jobs := make(chan *chunk, cap(free))
	ordered := make(chan *chunk, cap(free))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				c.decode(name)
				close(c.done)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() {
		err := split(ctx, rd, free, jobs, ordered)
		close(jobs)
		close(ordered)
		errc <- err
	}()
	var fnErr error
	for c := range ordered {
		<-c.done
		if fnErr == nil {
			if fnErr = r.deliver(c, fn); fnErr != nil {
				cancel()
			}
		}
		free <- c
	}
	wg.Wait()
	err := <-errc
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("read events %s: %w", name, err)
	}
	return nil
}

// ReadLogs reads the event logs at paths with a new [Reader] and calls fn
// with each event once, as an Event.
func ReadLogs(paths []string, fn func(event.Event) error) (ReadStats, error) {
	r := NewReader()
	err := r.ReadFiles(context.Background(), paths, func(row *event.Row) error { return fn(row.Event()) })
	return r.Stats(), err
}

// deliver counts a decoded chunk and hands its events on.
func (r *Reader) deliver(c *chunk, fn func(*event.Row) error) error {
	r.stats.Lines += c.lines
	r.stats.Replies += c.replies
	r.stats.Corrupt += len(c.bad)
	for _, b := range c.bad {
		if len(r.stats.CorruptAt) < maxCorruptNamed {
			r.stats.CorruptAt = append(r.stats.CorruptAt, b)
		}
	}
	for i := range c.rows {
		row := &c.rows[i]
		dup, slot := r.dedupe.seen(row)
		if dup {
			r.stats.Duplicates++
			continue
		}
		r.slot = slot
		r.stats.Events++
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// dedupe remembers the (load, seq) delivered of the page-loads of the
// last DedupeWindow of events (see Reader).
type dedupe struct {
	// loads maps a page-load id folded to 8 bytes (loadKey: a faster map
	// key than the 16) to the first of its seqSets, which chain the
	// page-loads whose ids fold alike.
	loads            map[uint64]int32
	ls               []seqSet
	free             []int32
	maxAt, nextSweep int64
}

// seqSet is the sequence numbers delivered of one page-load.
type seqSet struct {
	load [event.LoadLen / 2]byte
	next int32 // the next seqSet of the same loads key, -1 after the last
	last int64 // unix ms of its newest event
	seq  [4]uint64
	more map[int64]struct{}
}

func newDedupe() dedupe { return dedupe{loads: make(map[uint64]int32)} }

// seen reports whether r's (load, seq) was delivered, and marks it; slot
// is the index of its page-load's seqSet.
func (d *dedupe) seen(r *event.Row) (dup bool, slot int32) {
	if r.At > d.maxAt {
		d.maxAt = r.At
		if r.At >= d.nextSweep {
			d.sweep(r.At - DedupeWindow.Milliseconds())
			d.nextSweep = r.At + sweepEvery.Milliseconds()
		}
	}
	slot = d.find(&r.Load)
	s := &d.ls[slot]
	s.last = max(s.last, r.At)
	if seq := r.Seq; seq < 256 {
		w, b := seq>>6, uint64(1)<<(seq&63)
		if s.seq[w]&b != 0 {
			return true, slot
		}
		s.seq[w] |= b
		return false, slot
	}
	if _, ok := s.more[r.Seq]; ok {
		return true, slot
	}
	if s.more == nil {
		s.more = make(map[int64]struct{})
	}
	s.more[r.Seq] = struct{}{}
	return false, slot
}

// find returns the index of the seqSet of the page-load load, new if it
// is not kept.
func (d *dedupe) find(load *[event.LoadLen / 2]byte) int32 {
	k := loadKey(load)
	head, ok := d.loads[k]
	if ok {
		for i := head; i >= 0; i = d.ls[i].next {
			if d.ls[i].load == *load {
				return i
			}
		}
	} else {
		head = -1
	}
	var i int32
	if n := len(d.free); n > 0 {
		i = d.free[n-1]
		d.free = d.free[:n-1]
		d.ls[i] = seqSet{}
	} else {
		d.ls = append(d.ls, seqSet{})
		i = int32(len(d.ls) - 1)
	}
	d.ls[i].load, d.ls[i].next = *load, head
	d.loads[k] = i
	return i
}

// loadKey folds a page-load id to 8 bytes: the beacon's ids are random,
// and ids that differ in one half only (sequential test ids) still differ.
func loadKey(load *[event.LoadLen / 2]byte) uint64 {
	return binary.LittleEndian.Uint64(load[:8])*0x9e3779b97f4a7c15 ^ binary.LittleEndian.Uint64(load[8:])
}

// sweep forgets the page-loads whose last event is before cutoff.
func (d *dedupe) sweep(cutoff int64) {
	for k, head := range d.loads {
		first, tail := int32(-1), int32(-1)
		for i := head; i >= 0; {
			next := d.ls[i].next
			if d.ls[i].last < cutoff {
				d.free = append(d.free, i)
			} else {
				d.ls[i].next = -1
				if tail < 0 {
					first = i
				} else {
					d.ls[tail].next = i
				}
				tail = i
			}
			i = next
		}
		switch {
		case first < 0:
			delete(d.loads, k)
		case first != head:
			d.loads[k] = first
		}
	}
}

// chunkSize is the size of the chunks a log is decoded in.
const chunkSize = 512 << 10

// chunk is a run of whole lines of a log and, once decoded, its events.
type chunk struct {
	buf     []byte      // owned
	data    []byte      // whole lines, in buf
	line    int         // the number of data's first line
	long    bool        // data is the start of a line longer than chunkSize
	rows    []event.Row // decoded events; their slices point into buf
	bad     []string
	lines   int // event lines: not blank, not replies
	replies int // reply lines
	done    chan struct{}
}

// split reads r into chunks of whole lines, hands each to the decoders and
// queues it, in order, for delivery.
func split(ctx context.Context, r io.Reader, free <-chan *chunk, jobs, ordered chan<- *chunk) error {
	var carry []byte // the start of a line, carried to the next chunk
	line, skipping := 1, false
	for eof := false; !eof; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c := <-free
		n := copy(c.buf, carry)
		for n < len(c.buf) && !eof {
			m, err := r.Read(c.buf[n:])
			n += m
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		data := c.buf[:n]
		carry = carry[:0]
		if skipping {
			// the rest of an over-long line, already reported: drop it
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				data = data[:0]
			} else {
				data, skipping = data[i+1:], false
				line++
			}
		}
		end := len(data) // data[:end] are whole lines (all of it at EOF)
		if !eof {
			end = bytes.LastIndexByte(data, '\n') + 1
		}
		c.data, c.line, c.long, c.done = data[:end], line, false, make(chan struct{})
		switch {
		case end == 0 && len(data) == len(c.buf):
			// a whole chunk without a newline: too long to be an event
			c.long, skipping = true, true
		default:
			carry = append(carry, data[end:]...)
		}
		line += bytes.Count(c.data, []byte{'\n'})
		jobs <- c
		ordered <- c
	}
	return nil
}

// decode decodes the chunk's lines.
func (c *chunk) decode(name string) {
	c.rows, c.bad, c.lines, c.replies = c.rows[:0], c.bad[:0], 0, 0
	if c.long {
		c.lines = 1
		c.bad = append(c.bad, fmt.Sprintf("%s:%d: line longer than %d bytes", name, c.line, event.MaxLine))
		return
	}
	data := c.data
	for n := c.line; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		torn := line[len(line)-1] != '\n'
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		c.lines++
		c.rows = append(c.rows, event.Row{})
		r := &c.rows[len(c.rows)-1]
		if len(line) <= event.MaxLine && event.ParseRow(line, r) {
			continue
		}
		e, why := event.ParseLine(line, torn)
		if why != "" {
			c.rows = c.rows[:len(c.rows)-1]
			c.bad = append(c.bad, fmt.Sprintf("%s:%d: %s", name, n, why))
			continue
		}
		if e.Kind == event.KindReply { // a reply is not a page view: see ReadReplies
			c.rows = c.rows[:len(c.rows)-1]
			c.lines--
			c.replies++
			continue
		}
		*r = event.RowOf(&e)
	}
}

// readLog calls fn with each line of one file (without its zero padding),
// its line number and whether it is torn (has no newline). ReadReplies
// reads with it.
func readLog(r io.Reader, name string, fn func(line []byte, n int, torn bool) error) error {
	br := bufio.NewReaderSize(&padReader{r: r}, 64<<10)
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather up to MaxLine, skip the rest.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if len(long) < event.MaxLine+1 {
					long = append(long, line...)
				}
			}
			line = long
		}
		if len(line) > 0 {
			if e := fn(line, n, line[len(line)-1] != '\n'); e != nil {
				return e
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read events %s: %w", name, err)
		}
	}
}

// padReader passes a log through without the zero bytes at its end: the
// beacon zero-fills a file ahead of its lines while it writes it (see
// padChunk), so a live file, or one a crash left open, ends in zeros that
// are neither a line nor corrupt. A zero byte anywhere else is passed
// through as it is: it is part of its line (which is then corrupt: JSON
// escapes a zero byte, so no event line holds one), never a line break, so
// the line numbers readers print stay right. A hole of zeros that a power
// loss leaves inside the last commit is such a corrupt line too (see
// [Log.repair]).
type padReader struct {
	r     io.Reader
	zeros int    // zero bytes read and not passed on yet: padding unless data follows
	rest  []byte // data read after those zeros, to pass on after them
	after int    // zero bytes read after rest
	buf   []byte // rest's storage
	err   error  // the error of the last read of r, returned once rest is passed on
}

func (p *padReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		if len(p.rest) > 0 {
			if p.zeros > 0 {
				n := min(len(b), p.zeros)
				clear(b[:n])
				p.zeros -= n
				return n, nil
			}
			n := copy(b, p.rest)
			p.rest = p.rest[n:]
			if len(p.rest) == 0 {
				p.zeros, p.after = p.after, 0
			}
			return n, nil
		}
		if p.err != nil {
			return 0, p.err // zeros still held are the end's padding
		}
		n, err := p.r.Read(b)
		p.err = err
		k := n
		for k > 0 && b[k-1] == 0 {
			k--
		}
		switch {
		case k == 0:
			p.zeros += n
			if n == 0 && err == nil {
				return 0, nil
			}
		case p.zeros == 0:
			p.zeros = n - k
			return k, nil
		default:
			p.buf = append(p.buf[:0], b[:k]...)
			p.rest, p.after = p.buf, n-k
		}
	}
}
