package analytics

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxLine is the longest log line a reader accepts; a real one is under 1 KB.
const maxLine = 64 << 10

// maxCorruptNamed is how many corrupt lines Stats.Corrupt names.
const maxCorruptNamed = 100

// ReadStats says what [ReadLogs] read.
type ReadStats struct {
	Files      int      // files read
	Lines      int      // lines read, blank ones excluded
	Events     int      // events delivered
	Duplicates int      // lines skipped because their (load, seq) was already delivered
	Corrupt    int      // lines skipped because they are not valid events
	Replies    int      // reply lines (kind "reply"), skipped: see ReadReplies
	CorruptAt  []string // "file:line: why" for the first 100 corrupt lines
}

// ReadLogs reads the event logs at paths, each a file or a folder (whose
// events-*.jsonl files are read, in LogFiles's order: by day, then instance), and
// calls fn with each event once: a line whose (load, seq) was already seen,
// in this file or another instance's, is counted as a duplicate and
// skipped. Lines that are not valid events of a known schema version are
// counted and named in the stats, never fatal. An error from fn stops the
// reading and is returned; so is an error opening or reading a file.
//
// Memory grows with the number of distinct events (about 40 bytes each).
func ReadLogs(paths []string, fn func(Event) error) (ReadStats, error) {
	var st ReadStats
	files, err := LogFiles(paths)
	if err != nil {
		return st, err
	}
	seen := make(map[eventKey]struct{})
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return st, fmt.Errorf("read events: %w", err)
		}
		st.Files++
		err = readLog(f, name, func(line []byte, n int, torn bool) error {
			return readLine(line, name, n, torn, &st, seen, fn)
		})
		f.Close()
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

type eventKey struct {
	load [LoadLen / 2]byte
	seq  int64
}

// readLog calls fn with each line of one file (without its zero padding),
// its line number and whether it is torn (has no newline).
func readLog(r io.Reader, name string, fn func(line []byte, n int, torn bool) error) error {
	br := bufio.NewReaderSize(&padReader{r: r}, 64<<10)
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather up to maxLine, skip the rest.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if len(long) < maxLine+1 {
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

func readLine(line []byte, name string, n int, torn bool, st *ReadStats, seen map[eventKey]struct{}, fn func(Event) error) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	st.Lines++
	e, why := parseLine(line, torn)
	if why != "" {
		st.Corrupt++
		if len(st.CorruptAt) < maxCorruptNamed {
			st.CorruptAt = append(st.CorruptAt, fmt.Sprintf("%s:%d: %s", name, n, why))
		}
		return nil
	}
	if e.Kind == KindReply {
		st.Replies++
		return nil
	}
	var k eventKey
	hex.Decode(k.load[:], []byte(e.Load))
	k.seq = e.Seq
	if _, dup := seen[k]; dup {
		st.Duplicates++
		return nil
	}
	seen[k] = struct{}{}
	st.Events++
	return fn(e)
}

// parseLine decodes one line, or says why it is not a valid event. A valid
// reply line (kind "reply") is returned as such: callers that count page
// events skip it.
func parseLine(line []byte, torn bool) (Event, string) {
	var e Event
	if len(line) > maxLine {
		return e, fmt.Sprintf("line longer than %d bytes", maxLine)
	}
	if err := json.Unmarshal(line, &e); err != nil {
		if torn {
			return e, "torn last line (no newline): " + err.Error()
		}
		return e, "not JSON: " + err.Error()
	}
	switch {
	case e.V < 1:
		return e, "no schema version"
	case e.V > SchemaVersion:
		return e, fmt.Sprintf("schema version %d is newer than this maproom's %d: upgrade maproom", e.V, SchemaVersion)
	case e.Time.IsZero():
		return e, "no time"
	case e.Kind == KindReply:
		return e, replyLineProblem(&e)
	case !e.Kind.Valid():
		return e, fmt.Sprintf("unknown kind %.20q", e.Kind)
	case !validLoad(e.Load):
		return e, "bad page-load id"
	case e.Seq < 0:
		return e, "negative seq"
	case strings.TrimSpace(e.Room) == "" || e.Deal == "":
		return e, "no room or deal"
	case e.ActiveMS < 0 || e.VisibleMS < 0:
		return e, "negative duration"
	}
	return e, ""
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
