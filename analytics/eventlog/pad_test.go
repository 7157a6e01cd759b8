package eventlog

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/maproom/maproom/analytics/event"
)

// A log written with SyncAlways is zero-padded while open: both readers
// read every event of the live file and call nothing corrupt, and Close
// leaves whole lines only.
func TestLogPaddingWhileOpen(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	defer l.Close()
	var evs []event.Event
	for i := range 50 {
		evs = append(evs, testEvent(loadID(1), int64(i), testNow))
	}
	if err := l.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.IndexByte(b, 0)
	if lines <= 0 || int64(len(b))%padChunk != 0 || len(bytes.Trim(b[lines:], "\x00")) != 0 || b[lines-1] != '\n' {
		t.Fatalf("live file: %d bytes, lines end at %d; want whole lines then zeros to a multiple of %d", len(b), lines, padChunk)
	}

	got, st := readAll(t, dir)
	if len(got) != 50 || st.Corrupt != 0 || st.Lines != 50 {
		t.Fatalf("ReadLogs of the live file: %d events, %+v", len(got), st)
	}

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(name)
	if int64(len(b)) != int64(lines) || bytes.IndexByte(b, 0) >= 0 || b[len(b)-1] != '\n' {
		t.Fatalf("closed file: %d bytes (lines were %d), zeros at %d", len(b), lines, bytes.IndexByte(b, 0))
	}
}

// OpenLog cuts what a crash leaves after the last whole line: padding
// quietly, torn bytes as a repair. Zeros before the last whole line stay:
// readers skip their line as corrupt and read the lines after it.
func TestLogRepairsPaddedFiles(t *testing.T) {
	e1, e2 := testEvent(loadID(1), 0, testNow), testEvent(loadID(1), 1, testNow)
	line, line2 := string(e1.AppendJSON(nil)), string(e2.AppendJSON(nil))
	zeros := func(n int) string { return strings.Repeat("\x00", n) }
	for _, tc := range []struct {
		name, content, want string
		repairs             int64
	}{
		{"padding", line + line2 + zeros(5000), line + line2, 0},
		{"torn then padding", line + line2[:40] + zeros(5000), line, 1},
		{"hole then lines", line + zeros(4096) + line2 + zeros(100), line + zeros(4096) + line2, 0},
		{"zero inside, torn", line + "a\x00b\n" + line2 + line2[:40], line + "a\x00b\n" + line2, 1},
		{"torn, no padding", line + line2[:40], line, 1},
		{"clean", line + line2, line + line2, 0},
		{"only padding", zeros(300), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
			if err := os.WriteFile(name, []byte(tc.content), 0o640); err != nil {
				t.Fatal(err)
			}
			l := openTestLog(t, dir, SyncAlways)
			if got := l.Stats().Repairs; got != tc.repairs {
				t.Errorf("repairs %d, want %d", got, tc.repairs)
			}
			l.Close()
			b, _ := os.ReadFile(name)
			if string(b) != tc.want {
				t.Fatalf("after repair:\n%q\nwant\n%q", b, tc.want)
			}
		})
	}
}

func TestPadReader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\n\x00\x00\x00", "a\n"},
		{"a\x00\x00b\n", "a\x00\x00b\n"},
		{"\x00\x00", ""},
		{"a\nb\n", "a\nb\n"},
		{"a\x00b\x00\x00c", "a\x00b\x00\x00c"},
		{"a\x00b\x00\x00c\x00", "a\x00b\x00\x00c"},
		{"\x00a\n\x00\x00", "\x00a\n"},
		{"", ""},
	} {
		for name, r := range map[string]io.Reader{
			"whole":    strings.NewReader(tc.in),
			"one byte": iotest.OneByteReader(strings.NewReader(tc.in)),
			"half":     iotest.HalfReader(strings.NewReader(tc.in)),
		} {
			got, err := io.ReadAll(&padReader{r: r})
			if err != nil || string(got) != tc.want {
				t.Errorf("%s %q: %q, %v; want %q", name, tc.in, got, err, tc.want)
			}
		}
	}
}
