package eventlog

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/maproom/maproom/analytics/event"
)

// withFileSizeLimit runs fn with the process's file size limit at limit
// bytes (a write past it fails with EFBIG, SIGXFSZ ignored), then puts
// the limit back; it skips the test where the limit cannot be set.
func withFileSizeLimit(t *testing.T, limit uint64, fn func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("no file size limit to set: %v", err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	lim := syscall.Rlimit{Cur: limit, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("cannot limit the file size: %v", err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}()
	fn()
}

// TestLogWritesWithoutRoomToPad: when the padding does not fit (a disk
// nearly full; here, a file size limit below padChunk), the log writes the
// lines without it: an event that fits is stored, and no zeros are left
// behind. (The 4 MiB of zeros failed, the event was refused with 503, and
// the zeros written stayed, filling the disk.)
func TestLogWritesWithoutRoomToPad(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	defer l.Close()
	const limit = 256 << 10
	var evs []event.Event
	for i := range 20 {
		evs = append(evs, testEvent(loadID(1), int64(i), testNow))
	}
	var err error
	withFileSizeLimit(t, limit, func() { err = l.Append(context.Background(), evs) })
	if err != nil {
		t.Fatalf("events that fit were refused for the padding: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events-2026-11-22-i1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= limit || len(b) == 0 || b[len(b)-1] != '\n' {
		t.Fatalf("the file holds %d bytes ending in %q; want the lines alone, no padding", len(b), b[max(0, len(b)-1):])
	}
	got, st := readAll(t, dir)
	if len(got) != 20 || st.Corrupt != 0 {
		t.Fatalf("read back %d events, %+v; want the 20 written", len(got), st)
	}
}

// TestLogHealthAfterAFailedWrite: a log whose last commit failed (no room
// left for the lines themselves) says it is down, so /healthz answers 503;
// the next commit that succeeds makes it up again. (It said "ok" with its
// errors counted.)
func TestLogHealthAfterAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncAlways)
	defer l.Close()
	up := func() bool { _, ok := l.StoreHealth(context.Background()); return ok }
	if !up() {
		t.Fatal("a new log is down")
	}
	var err error
	withFileSizeLimit(t, 16, func() { err = l.Append(context.Background(), []event.Event{testEvent(loadID(1), 0, testNow)}) })
	if err == nil {
		t.Fatal("an event was written past a 16-byte file size limit")
	}
	if up() {
		t.Error("the log says it is up after its last commit failed")
	}
	// Nothing comes while it says so (a load balancer sends the rooms
	// elsewhere): after a while it says it is up, for events to try again.
	was := failedFor
	failedFor = 0
	if !up() {
		t.Error("the log is still down after failedFor")
	}
	failedFor = was
	if err := l.Append(context.Background(), []event.Event{testEvent(loadID(1), 1, testNow)}); err != nil {
		t.Fatal(err)
	}
	if !up() {
		t.Error("the log is still down after a commit succeeded")
	}
}

// TestLogFullDiskLeavesWholeLines: a write the disk takes in part (here,
// a file size limit a few bytes past the lines written) leaves no part of
// a line behind: the file, closed, holds the whole lines before it, and
// reads back with nothing torn.
func TestLogFullDiskLeavesWholeLines(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, SyncNone)
	if err := l.Append(context.Background(), []event.Event{testEvent(loadID(1), 0, testNow)}); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "events-2026-11-22-i1.jsonl")
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	var evs []event.Event
	for i := range 5 {
		evs = append(evs, testEvent(loadID(2), int64(i), testNow))
	}
	withFileSizeLimit(t, uint64(fi.Size())+100, func() { err = l.Append(context.Background(), evs) })
	if err == nil {
		t.Fatal("events were written past the file size limit")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != fi.Size() || b[len(b)-1] != '\n' {
		t.Fatalf("the file holds %d bytes ending in %q; want the %d bytes of the first line alone", len(b), b[max(0, len(b)-1):], fi.Size())
	}
	if got, st := readAll(t, dir); len(got) != 1 || st.Corrupt != 0 || st.Lines != 1 {
		t.Fatalf("read back %d events, %+v; want the one written whole", len(got), st)
	}
}
