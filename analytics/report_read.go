package analytics

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// ReadLogs reads the event logs at paths into the aggregator. Each path is a
// file or a folder, whose events-*.jsonl files are read. All the files are
// read in day order (the day in their name; files without one first, in the
// order given), so that copies of an event in several instances' logs are
// close together and recognised (see dedupeWindow). Lines that are not valid
// events are counted and the first 100 named as file:line, never fatal; an
// error opening or reading a file is returned.
//
// Lines written by the beacon are decoded by a fast path that reads the
// beacon's own layout; any other valid JSON event line is decoded with
// encoding/json, with the same result.
func (a *Aggregator) ReadLogs(ctx context.Context, paths []string) error {
	files, err := LogFiles(paths)
	if err != nil {
		return err
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		err = a.ReadStream(ctx, f, name)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadStream reads one event log from r (standard input, say); name is used
// in messages about corrupt lines. Lines are decoded on GOMAXPROCS
// goroutines in chunks of chunkSize bytes and added in order, so the result
// is the same as a line-by-line read; at most 2*GOMAXPROCS+2 chunks are in
// memory at once.
func (a *Aggregator) ReadStream(ctx context.Context, r io.Reader, name string) error {
	a.stats.Files++
	r = &padReader{r: r}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	if a.chunks == nil {
		a.chunks = make(chan *chunk, 2*workers+2)
		for range cap(a.chunks) {
			a.chunks <- &chunk{buf: make([]byte, chunkSize)}
		}
	}
	free := a.chunks
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
		err := split(ctx, r, free, jobs, ordered)
		close(jobs)
		close(ordered)
		errc <- err
	}()
	for c := range ordered {
		<-c.done
		a.apply(c, name)
		free <- c
	}
	wg.Wait()
	if err := <-errc; err != nil {
		return fmt.Errorf("read events %s: %w", name, err)
	}
	return nil
}

// chunkSize is the size of the chunks a log is decoded in.
const chunkSize = 512 << 10

// chunk is a run of whole lines of a log and, once decoded, its events.
type chunk struct {
	buf   []byte // owned
	data  []byte // whole lines, in buf
	line  int    // the number of data's first line
	long  bool   // data is the start of a line longer than chunkSize
	rows  []row  // decoded events; their slices point into buf
	bad   []string
	lines int // lines that are not blank
	done  chan struct{}
}

// split reads r into chunks of whole lines, hands each to the decoders and
// queues it, in order, for the aggregator.
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
	c.rows, c.bad, c.lines = c.rows[:0], c.bad[:0], 0
	if c.long {
		c.lines = 1
		c.bad = append(c.bad, fmt.Sprintf("%s:%d: line longer than %d bytes", name, c.line, maxLine))
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
		c.rows = append(c.rows, row{})
		r := &c.rows[len(c.rows)-1]
		if len(line) <= maxLine && parseRow(line, r) {
			continue
		}
		e, why := parseLine(line, torn)
		if why != "" {
			c.rows = c.rows[:len(c.rows)-1]
			c.bad = append(c.bad, fmt.Sprintf("%s:%d: %s", name, n, why))
			continue
		}
		if e.Kind == KindReply { // a reply is not a page view: see ReadReplies
			c.rows = c.rows[:len(c.rows)-1]
			c.lines--
			continue
		}
		*r = eventRow(&e)
	}
}

// apply adds a decoded chunk to the aggregator.
func (a *Aggregator) apply(c *chunk, name string) {
	a.stats.Lines += c.lines
	a.stats.Corrupt += len(c.bad)
	for _, b := range c.bad {
		if len(a.stats.CorruptAt) < maxCorruptNamed {
			a.stats.CorruptAt = append(a.stats.CorruptAt, b)
		}
	}
	for i := range c.rows {
		a.add(&c.rows[i])
	}
}

// addEvent adds a valid event.
func (a *Aggregator) addEvent(e *Event) {
	r := eventRow(e)
	a.add(&r)
}

// eventRow converts a valid event.
func eventRow(e *Event) row {
	r := row{at: e.Time.UnixMilli(), deal: []byte(e.Deal), stakeholder: []byte(e.Stakeholder), side: []byte(e.Side),
		page: []byte(e.Page), kind: e.Kind, collateral: []byte(e.Collateral), seq: e.Seq, active: e.ActiveMS,
		net: []byte(e.Net), ua: []byte(e.UA), retired: e.Retired, webdriver: e.Webdriver}
	decodeHex(r.load[:], e.Load)
	return r
}

// The fast path's helpers take the line and a position and return the new
// position, or -1 when the line does not fit the beacon's layout there.

// lit skips the literal l at i.
func lit(b []byte, i int, l string) int {
	if i < 0 || len(b)-i < len(l) || string(b[i:i+len(l)]) != l {
		return -1
	}
	return i + len(l)
}

// str returns the contents of a string up to its closing quote, which it
// skips, followed by the literal next. parseRow has made sure the line holds
// no escapes or control characters.
func str(b []byte, i int, next string) ([]byte, int) {
	if i < 0 {
		return nil, -1
	}
	j := bytes.IndexByte(b[i:], '"')
	if j < 0 {
		return nil, -1
	}
	return b[i : i+j], lit(b, i+j+1, next)
}

// num reads a JSON integer of at most 18 digits, then the literal next.
func num(b []byte, i int, next string) (int64, int) {
	if i < 0 || i >= len(b) {
		return 0, -1
	}
	neg := b[i] == '-'
	if neg {
		i++
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	if d := i - start; d == 0 || d > 18 || (d > 1 && b[start] == '0') {
		return 0, -1
	}
	if neg {
		n = -n
	}
	return n, lit(b, i, next)
}

// boolean reads true or false, then the literal next.
func boolean(b []byte, i int, next string) (bool, int) {
	if i < 0 {
		return false, -1
	}
	switch {
	case len(b)-i >= 4 && string(b[i:i+4]) == "true":
		return true, lit(b, i+4, next)
	case len(b)-i >= 5 && string(b[i:i+5]) == "false":
		return false, lit(b, i+5, next)
	}
	return false, -1
}

// stamp reads YYYY-MM-DDTHH:MM:SS.mmmZ, the beacon's layout, as unix ms,
// then the literal next.
func stamp(b []byte, i int, next string) (int64, int) {
	const n = len("2006-01-02T15:04:05.000Z")
	if i < 0 || len(b)-i < n {
		return 0, -1
	}
	t := b[i : i+n]
	if t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z' {
		return 0, -1
	}
	bad := false
	dig := func(from, to int) int {
		v := 0
		for _, c := range t[from:to] {
			bad = bad || c < '0' || c > '9'
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := dig(0, 4), dig(5, 7), dig(8, 10)
	h, mi, sec, ms := dig(11, 13), dig(14, 16), dig(17, 19), dig(20, 23)
	if bad || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return 0, -1
	}
	days := daysFromCivil(y, mo, d)
	return ((days*24+int64(h))*60+int64(mi))*60_000 + int64(sec)*1000 + int64(ms), lit(b, i+n, next)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d (proleptic
// Gregorian; H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseRow decodes a line in the exact layout the beacon writes
// (Event.appendJSON) into r, and checks it as parseLine does. It returns
// false for any other line, valid or not: the caller then decodes it with
// parseLine.
func parseRow(b []byte, r *row) bool {
	if !plain(b) {
		return false
	}
	var v, visible int64
	var room, kind, load []byte
	i := lit(b, 0, `{"v":`)
	v, i = num(b, i, `,"time":"`)
	r.at, i = stamp(b, i, `","deal":"`)
	r.deal, i = str(b, i, `,"stakeholder":"`)
	r.stakeholder, i = str(b, i, `,"side":"`)
	r.side, i = str(b, i, `,"role":"`)
	_, i = str(b, i, `,"room":"`)
	room, i = str(b, i, `,"rotation":`)
	_, i = num(b, i, `,"retired":`)
	r.retired, i = boolean(b, i, `,"page":"`)
	r.page, i = str(b, i, `,"kind":"`)
	kind, i = str(b, i, `,"collateral":"`)
	r.collateral, i = str(b, i, `,"load":"`)
	load, i = str(b, i, `,"seq":`)
	r.seq, i = num(b, i, `,"active_ms":`)
	r.active, i = num(b, i, `,"visible_ms":`)
	visible, i = num(b, i, `,"net":"`)
	r.net, i = str(b, i, `,"ua":"`)
	r.ua, i = str(b, i, `,"crawler":"`)
	_, i = str(b, i, `,"webdriver":`)
	r.webdriver, i = boolean(b, i, `,"instance":"`)
	_, i = str(b, i, `}`)
	if i != len(b) {
		return false
	}
	switch string(kind) {
	case "view":
		r.kind = KindView
	case "hb":
		r.kind = KindHB
	case "hide":
		r.kind = KindHide
	case "open":
		r.kind = KindOpen
	case "dl":
		r.kind = KindDL
	default:
		return false
	}
	if v < 1 || v > SchemaVersion || len(load) != LoadLen || r.seq < 0 || r.active < 0 || visible < 0 ||
		len(r.deal) == 0 || len(bytes.TrimSpace(room)) == 0 {
		return false
	}
	for i := 0; i < LoadLen/2; i++ {
		hi, lo := load[2*i], load[2*i+1]
		if !isLowerHex(hi) || !isLowerHex(lo) {
			return false
		}
		r.load[i] = unhex(hi)<<4 | unhex(lo)
	}
	return true
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// plain reports whether b holds no backslash and no control character, so
// that every JSON string in it is its bytes as they are.
func plain(b []byte) bool {
	if bytes.IndexByte(b, '\\') >= 0 {
		return false
	}
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// a byte below 0x20 borrows into its high bit
		if (x-0x20*lo)&^x&hi != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 {
			return false
		}
	}
	return true
}
