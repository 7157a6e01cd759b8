package eventlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/event"
)

// CopyLines copies the log folder's whole, valid lines after cursor to w
// (see CopyLogLines), for the beacon's events read endpoint; corrupt
// lines it leaves out are logged.
func (l *Log) CopyLines(ctx context.Context, cursor string, w io.Writer) (int, string, error) {
	n, next, st, err := CopyLogLines(ctx, cursor, w, l.Dir())
	if st.Corrupt > 0 {
		l.logger.Warn("events read endpoint: corrupt lines left out", "corrupt", st.Corrupt, "first", st.CorruptAt[0])
	}
	return n, next, err
}

// CopyStats says what CopyLogLines read.
type CopyStats struct {
	Files     int      // files opened
	Lines     int      // whole lines read, not blank
	Corrupt   int      // lines left out: not valid events or replies
	CorruptAt []string // "file:+line: why" for the first 100, the line counted from the cursor
}

// copyNow is the clock CopyLogLines bounds the files' days by.
var copyNow = time.Now

// ErrCursor is returned for a cursor the log did not give.
var ErrCursor = errors.New("cursor")

// logCursor is where a copy of a log folder ended: the bytes of whole
// lines copied per file, and the day before which every file was read
// whole (the beacon writes only today's file and the day before's).
type logCursor struct {
	Done  string           `json:"done,omitempty"` // YYYY-MM-DD: files of earlier days are finished
	Files map[string]int64 `json:"files,omitempty"`
}

func parseCursor(s string) (logCursor, error) {
	var c logCursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil {
		for name, off := range c.Files {
			if off < 0 || strings.ContainsAny(name, "/\\") {
				err = errors.New("bad offset")
			}
		}
	}
	if err != nil {
		return logCursor{}, fmt.Errorf("%w: %.20q is not one this beacon gave", ErrCursor, s)
	}
	return c, nil
}

func (c logCursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CopyLogLines writes to w the whole, valid lines (page events and
// replies) of the log folder dir after cursor, as they are in the files
// (trimmed, one newline each), and returns how many, the cursor to copy
// from next time and what it read. A line still being written (no newline
// yet) is left for the next copy; a line a reader would skip as corrupt is
// not copied, and counted in the stats. Files are read in [LogFiles]
// order; the cursor names the bytes read of each file of the last two
// days, so what one copy sent the next does not send again, whatever the
// clocks of the instances that wrote the lines.
func CopyLogLines(ctx context.Context, cursor string, w io.Writer, dir string) (int, string, CopyStats, error) {
	var st CopyStats
	cur, err := parseCursor(cursor)
	if err != nil {
		return 0, "", st, err
	}
	files, err := LogFiles([]string{dir})
	if err != nil {
		return 0, "", st, err
	}
	next := logCursor{Files: map[string]int64{}}
	// The newest day of a file is what finishes the days before it, but
	// never a day after tomorrow (UTC): a file of a day ahead (an
	// instance whose clock jumped) would leave today's unread for good.
	newest, ahead := "", copyNow().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if cur.Done >= ahead {
		// A cursor an older copy finished a day ahead with: today's and
		// yesterday's files are read again, within the days a reader
		// drops repeats in (DedupeWindow).
		cur.Done = copyNow().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	}
	n := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return n, "", st, err
		}
		name := filepath.Base(path)
		day, _ := LogFileDay(name)
		if day > newest && day <= ahead {
			newest = day
		}
		if day < cur.Done {
			continue
		}
		from := cur.Files[name]
		end, err := copyFileLines(path, from, w, &st, &n)
		if err != nil {
			return n, "", st, err
		}
		next.Files[name] = end
	}
	// Files two days older than the newest are finished: drop them from
	// the cursor, which stays small however long the log.
	if t, err := time.Parse(time.DateOnly, newest); err == nil {
		next.Done = t.AddDate(0, 0, -1).Format(time.DateOnly)
		if next.Done < cur.Done {
			next.Done = cur.Done
		}
		for name := range next.Files {
			if day, _ := LogFileDay(name); day < next.Done {
				delete(next.Files, name)
			}
		}
	}
	return n, next.String(), st, nil
}

// copyFileLines copies the valid whole lines of path from byte offset from
// and returns the offset after the last whole line.
func copyFileLines(path string, from int64, w io.Writer, st *CopyStats, n *int) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return from, fmt.Errorf("read events: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return from, err
	} else if fi.Size() < from {
		from = 0 // the file was replaced (a purge rewrote it): read it again
	}
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return from, err
	}
	st.Files++
	br := bufio.NewReaderSize(&padReader{r: f}, 64<<10)
	end := from
	var long []byte
	for ln := 1; ; ln++ {
		line, err := br.ReadSlice('\n')
		size := int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				size += int64(len(line))
				if len(long) <= event.MaxLine {
					long = append(long, line...)
				}
			}
			line = long
		}
		if err == io.EOF {
			return end, nil // a line without its newline is still being written
		}
		if err != nil {
			return end, fmt.Errorf("read events %s: %w", path, err)
		}
		end += size
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		st.Lines++
		if _, why := event.ParseLine(line, false); why != "" {
			st.Corrupt++
			if len(st.CorruptAt) < maxCorruptNamed {
				st.CorruptAt = append(st.CorruptAt, fmt.Sprintf("%s:+%d: %s", path, ln, why))
			}
			continue
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return end, err
		}
		*n++
	}
}
