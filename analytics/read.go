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
	"path/filepath"
	"sort"
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
	CorruptAt  []string // "file:line: why" for the first 100 corrupt lines
}

// ReadLogs reads the event logs at paths, each a file or a folder (whose
// events-*.jsonl files are read, sorted by name: by day, then instance), and
// calls fn with each event once: a line whose (load, seq) was already seen,
// in this file or another instance's, is counted as a duplicate and
// skipped. Lines that are not valid events of a known schema version are
// counted and named in the stats, never fatal. An error from fn stops the
// reading and is returned; so is an error opening or reading a file.
//
// Memory grows with the number of distinct events (about 40 bytes each).
func ReadLogs(paths []string, fn func(Event) error) (ReadStats, error) {
	var st ReadStats
	files, err := logFiles(paths)
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
		err = readLog(f, name, &st, seen, fn)
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

func logFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		names, err := filepath.Glob(filepath.Join(p, "events-*.jsonl"))
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	return files, nil
}

// readLog reads one file's lines into fn.
func readLog(r io.Reader, name string, st *ReadStats, seen map[eventKey]struct{}, fn func(Event) error) error {
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
			if e := readLine(line, name, n, st, seen, fn); e != nil {
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

func readLine(line []byte, name string, n int, st *ReadStats, seen map[eventKey]struct{}, fn func(Event) error) error {
	torn := line[len(line)-1] != '\n'
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

// parseLine decodes one line, or says why it is not a valid event.
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

// padReader passes a log through with each run of zero bytes read as one
// newline. A log line never holds a zero byte (JSON escapes it), and the
// beacon zero-fills a file ahead of its lines while it writes it (see
// padChunk): so the padding of a live file, or of one a crash left open,
// reads as one blank line, and a hole of zeros left by a power loss ends
// the torn line before it instead of running into the line after.
type padReader struct {
	r     io.Reader
	inRun bool // the last byte read was a zero
}

func (p *padReader) Read(b []byte) (int, error) {
	for {
		n, err := p.r.Read(b)
		w := 0
		for i := 0; i < n; {
			j := bytes.IndexByte(b[i:n], 0)
			if j < 0 {
				w += copy(b[w:], b[i:n])
				p.inRun = false
				break
			}
			if j > 0 {
				w += copy(b[w:], b[i:i+j])
				p.inRun = false
				i += j
			}
			for i < n && b[i] == 0 {
				i++
			}
			if !p.inRun {
				b[w] = '\n' // w < i: the run was at least one byte
				w++
				p.inRun = true
			}
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
