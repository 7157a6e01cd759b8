package eventlog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maproom/maproom/analytics/event"
)

// TestRepairKeepsLinesAfterAZeroByte is issue 13's reproduction: a closed
// log of 1200 lines, then "junk\x00junk", 800 more lines and a partial
// line, as a crash of the next writer would leave it. Start-up repair cuts
// only the partial line; both readers skip the junk line, name it as line
// 1201, and read the 2000 events; a torn line after them is named with its
// own number.
func TestRepairKeepsLinesAfterAZeroByte(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
	var b []byte
	for i := range 1200 {
		e := testEvent(loadID(1), int64(i), testNow)
		b = e.AppendJSON(b)
	}
	b = append(b, "junk\x00junk\n"...)
	for i := 1200; i < 2000; i++ {
		e := testEvent(loadID(1), int64(i), testNow)
		b = e.AppendJSON(b)
	}
	full := len(b)
	b = append(b, `{"v":1,"time":"2026-11-22T14:00:00Z","deal":"ac`...)
	if err := os.WriteFile(name, b, 0o640); err != nil {
		t.Fatal(err)
	}

	// Before the repair, the readers name the junk line and the torn one
	// by their own numbers.
	_, st := readAll(t, name)
	want := []string{name + ":1201: not JSON", name + ":2002: torn last line"}
	if st.Events != 2000 || st.Corrupt != 2 || st.Lines != 2002 ||
		!strings.HasPrefix(st.CorruptAt[0], want[0]) || !strings.HasPrefix(st.CorruptAt[1], want[1]) {
		t.Fatalf("ReadLogs before the repair: %+v, want 2000 events and %q", st, want)
	}

	l := openTestLog(t, dir, SyncAlways)
	if got := l.Stats().Repairs; got != 1 {
		t.Errorf("repairs %d, want 1 (the partial line)", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, b[:full]) {
		t.Fatalf("repair left %d bytes (%d lines), want the %d bytes before the partial line (2001 lines)",
			len(after), bytes.Count(after, []byte{'\n'}), full)
	}

	_, st = readAll(t, name)
	if st.Events != 2000 || st.Corrupt != 1 || st.Lines != 2001 || !strings.HasPrefix(st.CorruptAt[0], want[0]) {
		t.Fatalf("ReadLogs after the repair: %+v, want 2000 events and %q", st, want[0])
	}
}

// The readers take a zero byte inside a line as part of that line (so line
// numbers stay right) and drop only zeros at the end of the input, the
// padding of a live file.
func TestReadersZeroBytes(t *testing.T) {
	line := func(seq int64) string {
		e := testEvent(loadID(1), seq, testNow)
		return string(e.AppendJSON(nil))
	}
	zeros := func(n int) string { return strings.Repeat("\x00", n) }
	for _, tc := range []struct {
		name, content string
		events        int
		corrupt       []string // line numbers and reasons, "f:"-relative
	}{
		{"padding", line(0) + line(1) + zeros(5000), 2, nil},
		{"zero inside a line", line(0) + "a\x00b\n" + line(1) + line(2), 3, []string{"2: not JSON"}},
		{"zero at a line start", line(0) + "\x00" + line(1) + line(2), 2, []string{"2: not JSON"}},
		{"zero line", line(0) + "\x00\x00\n" + line(1), 2, []string{"2: not JSON"}},
		{"hole then lines", line(0) + zeros(4096) + line(1) + line(2) + zeros(100), 2, []string{"2: not JSON"}},
		{"torn then padding", line(0) + line(1)[:40] + zeros(5000), 1, []string{"2: torn last line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "events-2026-11-22-i1.jsonl")
			if err := os.WriteFile(name, []byte(tc.content), 0o640); err != nil {
				t.Fatal(err)
			}
			check := func(reader string, events, corrupt int, at []string) {
				t.Helper()
				ok := events == tc.events && corrupt == len(tc.corrupt) && len(at) == len(tc.corrupt)
				for i := 0; ok && i < len(at); i++ {
					ok = strings.HasPrefix(at[i], name+":"+tc.corrupt[i])
				}
				if !ok {
					t.Errorf("%s: %d events, %d corrupt %q; want %d events, corrupt %q", reader, events, corrupt, at, tc.events, tc.corrupt)
				}
			}
			_, st := readAll(t, name)
			check("Reader", st.Events, st.Corrupt, st.CorruptAt)
		})
	}
}

// FuzzRepair: after any damage (bytes inserted into a line or written over
// the file, the file cut short, any tail and zero padding appended) and a
// repair by OpenLog, the repair has cut only bytes after the last newline,
// and every complete line the damage did not touch is still read.
func FuzzRepair(f *testing.F) {
	f.Add(uint32(5), byte(0), []byte("junk\x00junk\n"), uint32(0), []byte(`{"v":1,"ti`), uint16(0))
	f.Add(uint32(5), byte(0), []byte("\x00"), uint32(0), []byte(nil), uint16(4000))
	f.Add(uint32(77), byte(1), bytes.Repeat([]byte{0}, 600), uint32(0), []byte("\n{}"), uint16(100))
	f.Add(uint32(3), byte(2), []byte("\n"), uint32(1500), []byte("x\x00y"), uint16(9))
	f.Add(uint32(0), byte(3), []byte(nil), uint32(0), []byte(nil), uint16(1))
	f.Fuzz(func(t *testing.T, pos uint32, mode byte, x []byte, cut uint32, tail []byte, pad uint16) {
		const n = 20
		var b []byte
		starts := make([]int, n+1)
		for i := range n {
			starts[i] = len(b)
			e := testEvent(loadID(i+1), int64(i), testNow)
			b = e.AppendJSON(b)
		}
		starts[n] = len(b)
		touched := make([]bool, n)
		touch := func(from, to int) { // bytes [from, to) of the original lines
			for i := range n {
				if starts[i] < to && from < starts[i+1] {
					touched[i] = true
				}
			}
		}
		// Damage inside: insert x into a line, or write it over the file.
		at := int(pos % uint32(len(b)))
		if len(x) > 0 {
			if mode&1 == 0 {
				touch(at, at+1)
				b = append(b[:at], append(append([]byte(nil), x...), b[at:]...)...)
				for i := range starts {
					if starts[i] > at {
						starts[i] += len(x)
					}
				}
			} else {
				end := min(len(b), at+len(x))
				touch(at, end)
				copy(b[at:end], x)
			}
		}
		// A torn end: the file cut short, then any tail and padding.
		if mode&2 != 0 {
			c := int(cut % uint32(len(b)+1))
			for i := range n {
				if starts[i+1] > c {
					touched[i] = true
				}
			}
			b = b[:c]
		}
		b = append(b, tail...)
		b = append(b, make([]byte, int(pad)%6000)...)

		dir := t.TempDir()
		name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
		if err := os.WriteFile(name, b, 0o640); err != nil {
			t.Fatal(err)
		}
		l, err := OpenLog(dir, LogOptions{Instance: "i1", Sync: SyncAlways})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, after) || bytes.IndexByte(b[len(after):], '\n') >= 0 {
			t.Fatalf("repair cut more than the torn tail and the padding:\nbefore %q\nafter  %q", b, after)
		}
		got := map[string]string{}
		if _, err := ReadLogs([]string{name}, func(e event.Event) error {
			got[e.Load] = string(e.AppendJSON(nil))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			e := testEvent(loadID(i+1), int64(i), testNow)
			if touched[i] || bytes.Contains(x, []byte(e.Load)) || bytes.Contains(tail, []byte(e.Load)) {
				continue // damaged, or the damage wrote another event of its key
			}
			if want := string(e.AppendJSON(nil)); got[e.Load] != want {
				t.Fatalf("line %d, untouched by the damage, was not read:\nfile %q\nread %q", i+1, after, got[e.Load])
			}
		}
	})
}
