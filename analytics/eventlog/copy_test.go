package eventlog

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
)

// TestCopyLogLinesCursor: each copy sends what the last did not, from the
// cursor it returned: new lines of a file the beacon still writes (past its
// zero padding), a line only once it is whole, a new instance's file; and
// nothing twice.
func TestCopyLogLinesCursor(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways) // pads its file with zeros ahead of the lines
	defer l.Close()
	ctx := context.Background()
	appendN := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			if err := l.Append(ctx, []event.Event{testEvent(loadID(i), 1, testNow)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyFrom := func(cursor string) (string, string) {
		t.Helper()
		var b bytes.Buffer
		n, next, err := l.CopyLines(ctx, cursor, &b)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(b.String(), "\n"); got != n {
			t.Fatalf("CopyLines said %d lines, wrote %d", n, got)
		}
		return b.String(), next
	}
	loads := func(s string) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
			if i := strings.Index(line, `"load":"`); i >= 0 {
				out = append(out, line[i+8 : i+8+32][28:])
			}
		}
		return out
	}

	appendN(1, 3)
	got, c1 := copyFrom("")
	if l := loads(got); strings.Join(l, ",") != "0001,0002,0003" {
		t.Fatalf("first copy: %v\n%s", l, got)
	}
	appendN(4, 2)
	got, c2 := copyFrom(c1)
	if l := loads(got); strings.Join(l, ",") != "0004,0005" {
		t.Fatalf("second copy: %v", l)
	}
	if got, _ := copyFrom(c2); got != "" {
		t.Fatalf("a copy with nothing new sent %q", got)
	}

	// Another instance's file, its last line not yet whole.
	ev := testEvent(loadID(6), 1, testNow)
	line := string(ev.AppendJSON(nil))
	other := filepath.Join(dir, LogFileName(testNow.UTC().Format(time.DateOnly), "i2"))
	if err := os.WriteFile(other, []byte(line+line[:40]), 0o644); err != nil {
		t.Fatal(err)
	}
	got, c3 := copyFrom(c2)
	if l := loads(got); strings.Join(l, ",") != "0006" {
		t.Fatalf("a torn line copied, or the whole one not: %v", l)
	}
	whole := strings.Replace(line, loadID(6), loadID(7), 1)
	f, err := os.OpenFile(other, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line + whole)
	f.Close()
	got, _ = copyFrom(c3)
	if l := loads(got); strings.Join(l, ",") != "0007" {
		t.Fatalf("the line once whole: %v", l)
	}

	// A made-up cursor is refused.
	if _, _, err := l.CopyLines(ctx, "not-a-cursor", &bytes.Buffer{}); !errors.Is(err, ErrCursor) {
		t.Errorf("a made-up cursor: %v", err)
	}
}

// FuzzParseCursor: a cursor from a client never panics the beacon, and
// every cursor the beacon gives reads back as itself.
func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(logCursor{Done: "2026-11-22", Files: map[string]int64{"events-2026-11-23-b1.jsonl": 4096}}.String())
	f.Add("not-a-cursor")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		back, err := parseCursor(c.String())
		if err != nil || back.Done != c.Done || len(back.Files) != len(c.Files) {
			t.Fatalf("%q: %+v read back as %+v, %v", s, c, back, err)
		}
		for k, v := range c.Files {
			if back.Files[k] != v {
				t.Fatalf("%q: file %q at %d read back at %d", s, k, v, back.Files[k])
			}
		}
	})
}

// TestCopyLogLinesFileAhead: a file named for a day after tomorrow (an
// instance whose clock jumped ahead) is copied, but does not finish
// today's file: what is written today after it is still copied; and a
// cursor an older copy finished a day ahead with reads today's file again.
func TestCopyLogLinesFileAhead(t *testing.T) {
	was := copyNow
	copyNow = func() time.Time { return testNow }
	defer func() { copyNow = was }()
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	defer l.Close()
	ctx := context.Background()
	add := func(i int) {
		t.Helper()
		if err := l.Append(ctx, []event.Event{testEvent(loadID(i), 1, testNow)}); err != nil {
			t.Fatal(err)
		}
	}
	copyFrom := func(cursor string) (int, string) {
		t.Helper()
		var b bytes.Buffer
		n, next, err := l.CopyLines(ctx, cursor, &b)
		if err != nil {
			t.Fatal(err)
		}
		return n, next
	}
	add(1)
	ahead := testEvent(loadID(2), 1, testNow.AddDate(0, 0, 2))
	if err := os.WriteFile(filepath.Join(dir, LogFileName(testNow.AddDate(0, 0, 2).UTC().Format(time.DateOnly), "i2")), ahead.AppendJSON(nil), 0o644); err != nil {
		t.Fatal(err)
	}
	n, c := copyFrom("")
	if n != 2 {
		t.Fatalf("first copy: %d lines, want today's and the one ahead", n)
	}
	add(3)
	if n, _ := copyFrom(c); n != 1 {
		t.Errorf("after a file of a day ahead, today's new line: %d lines copied, want 1", n)
	}
	stuck := logCursor{Done: testNow.AddDate(0, 0, 1).UTC().Format(time.DateOnly)}.String()
	if n, _ := copyFrom(stuck); n < 2 {
		t.Errorf("a cursor finished a day ahead: %d lines copied, want today's read again", n)
	}
}
