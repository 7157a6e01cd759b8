package eventlog

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/token"
)

// The test events' clock and room token.
var (
	testNow   = time.Date(2026, 11, 22, 14, 3, 7, 412_345_678, time.UTC)
	tokJordan = token.Room([]byte("test secret, not for production"), "acme", "jordan", 0)
)

func testEvent(load string, seq int64, at time.Time) event.Event {
	return event.Event{V: event.SchemaVersion, Time: at.UTC().Truncate(time.Millisecond), Deal: "acme", Stakeholder: "jordan",
		Side: "buyer", Role: "champion", Room: token.Key(tokJordan), Page: "room", Kind: event.KindHB, Load: load, Seq: seq,
		ActiveMS: 100, VisibleMS: 200, Net: "192.0.2.0/24", UA: event.UABrowser, Instance: "i1"}
}

func loadID(i int) string { return fmt.Sprintf("%032x", i) }

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	e := testEvent(loadID(7), 3, testNow)
	e.Crawler = `Googlebot\/ "x" <&> ` + "\x00\x1f\u2028 é \xff"
	e.Collateral = "pricing"
	e.Retired = true
	got := e.AppendJSON(nil)
	var back event.Event
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	want, _ := json.Marshal(e)
	var viaStd event.Event
	json.Unmarshal(want, &viaStd)
	if !reflect.DeepEqual(back, viaStd) {
		t.Fatalf("hand encoding decodes to\n%+v\nencoding/json to\n%+v", back, viaStd)
	}
	if got[len(got)-1] != '\n' || strings.Count(string(got), "\n") != 1 {
		t.Fatalf("not one line: %q", got)
	}
}

func openTestLog(t *testing.T, dir string, sync SyncMode) *Log {
	t.Helper()
	l, err := OpenLog(dir, LogOptions{Instance: "i1", Sync: sync})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func readAll(t *testing.T, paths ...string) ([]event.Event, ReadStats) {
	t.Helper()
	var evs []event.Event
	st, err := ReadLogs(paths, func(e event.Event) error { evs = append(evs, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return evs, st
}

func TestLogAppendAndRead(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := l.Append(ctx, []event.Event{testEvent(loadID(g), int64(i), testNow)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// A batch straddling midnight goes to two files.
	late := testEvent(loadID(99), 0, time.Date(2026, 11, 22, 23, 59, 59, 999e6, time.UTC))
	early := testEvent(loadID(99), 1, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err := l.Append(ctx, []event.Event{late, early}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	st := l.Stats()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, []event.Event{late}); err != ErrLogClosed {
		t.Fatalf("append after close: %v", err)
	}
	if st.Events != 802 || st.Writes < 2 || st.Writes > 802 || st.Syncs < 2 || st.Syncs > st.Writes {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("802 events in %d writes and %d syncs", st.Writes, st.Syncs)
	for _, name := range []string{"events-2026-11-22-i1.jsonl", "events-2026-11-23-i1.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	evs, rst := readAll(t, dir)
	if len(evs) != 802 || rst.Corrupt != 0 || rst.Duplicates != 0 || rst.Files != 2 {
		t.Fatalf("read %d events, stats %+v", len(evs), rst)
	}
	if evs[len(evs)-1] != early {
		t.Fatalf("last event %+v, want %+v", evs[len(evs)-1], early)
	}
}

func TestLogRepairsTornLine(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncNone)
	if err := l.Append(context.Background(), []event.Event{testEvent(loadID(1), 0, testNow), testEvent(loadID(1), 1, testNow)}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
	f, _ := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"v":1,"time":"2026-11-22T14:00:00Z","deal":"ac`)
	f.Close()

	// A reader of the torn file counts the line and names it.
	_, st := readAll(t, name)
	if st.Corrupt != 1 || !strings.HasPrefix(st.CorruptAt[0], name+":3: torn last line") {
		t.Fatalf("stats %+v", st)
	}

	l = openTestLog(t, dir, SyncNone)
	if l.Stats().Repairs != 1 {
		t.Fatalf("repairs %d", l.Stats().Repairs)
	}
	if err := l.Append(context.Background(), []event.Event{testEvent(loadID(1), 2, testNow)}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	evs, st := readAll(t, dir)
	if len(evs) != 3 || st.Corrupt != 0 {
		t.Fatalf("after repair: %d events, %+v", len(evs), st)
	}
}

func TestLogLock(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncNone)
	if _, err := OpenLog(dir, LogOptions{Instance: "i1"}); err == nil || !strings.Contains(err.Error(), "--instance i1") {
		t.Fatalf("second writer of one instance: %v", err)
	}
	other, err := OpenLog(dir, LogOptions{Instance: "i2"})
	if err != nil {
		t.Fatalf("another instance: %v", err)
	}
	other.Close()
	l.Close()
	l = openTestLog(t, dir, SyncNone)
	l.Close()
	if _, err := OpenLog(dir, LogOptions{Instance: "a/b"}); err == nil {
		t.Fatal("instance with a slash accepted")
	}
}

func TestLogCloseDrains(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if err := l.Append(context.Background(), []event.Event{testEvent(loadID(g), int64(i), testNow)}); err != nil {
					return
				}
				mu.Lock()
				acked++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	evs, _ := readAll(t, dir)
	if len(evs) < acked {
		t.Fatalf("%d acknowledged, %d in the log", acked, len(evs))
	}
}

func TestReadLogs(t *testing.T) {
	dir := t.TempDir()
	a := testEvent(loadID(1), 0, testNow)
	b := testEvent(loadID(1), 1, testNow)
	c := testEvent(loadID(2), 0, testNow)
	line := func(e event.Event) string { return string(e.AppendJSON(nil)) }
	newer := strings.Replace(line(c), fmt.Sprintf(`{"v":%d`, event.SchemaVersion), fmt.Sprintf(`{"v":%d`, event.SchemaVersion+1), 1)
	os.WriteFile(filepath.Join(dir, "events-2026-11-22-i1.jsonl"), []byte(line(a)+line(b)+"\n"+"not json\n"+newer+`{"v":1,"kind":"hb"}`+"\n"), 0o644)
	// A second instance saw a retry of b, and c.
	os.WriteFile(filepath.Join(dir, "events-2026-11-22-i2.jsonl"), []byte(line(b)+line(c)), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	evs, st := readAll(t, dir)
	if len(evs) != 3 || st.Duplicates != 1 || st.Corrupt != 3 || st.Files != 2 || st.Lines != 7 {
		t.Fatalf("events %d, stats %+v", len(evs), st)
	}
	wantAt := []string{"i1.jsonl:4: not JSON", fmt.Sprintf("i1.jsonl:5: schema version %d is newer", event.SchemaVersion+1), "i1.jsonl:6: no time"}
	for i, w := range wantAt {
		if !strings.Contains(st.CorruptAt[i], w) {
			t.Errorf("corrupt %d: %q, want %q", i, st.CorruptAt[i], w)
		}
	}
	// Files can be named directly, in any order; errors from fn stop.
	stop := fmt.Errorf("stop")
	_, err := ReadLogs([]string{filepath.Join(dir, "events-2026-11-22-i2.jsonl")}, func(event.Event) error { return stop })
	if err != stop {
		t.Fatalf("fn error: %v", err)
	}
	if _, err := ReadLogs([]string{filepath.Join(dir, "missing")}, func(event.Event) error { return nil }); err == nil {
		t.Fatal("missing path read")
	}
	// A very long line is skipped, the next one read.
	long := filepath.Join(dir, "long.jsonl")
	os.WriteFile(long, []byte(strings.Repeat("x", 200<<10)+"\n"+line(testEvent(loadID(3), 0, testNow))), 0o644)
	evs, st = readAll(t, long)
	if len(evs) != 1 || st.Corrupt != 1 || !strings.Contains(st.CorruptAt[0], "long.jsonl:1: line longer") {
		t.Fatalf("long line: %d events, %+v", len(evs), st)
	}
}
