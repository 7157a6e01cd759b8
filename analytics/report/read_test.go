package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/token"
)

func readerEvent(i int) event.Event {
	return event.Event{V: event.SchemaVersion, Time: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1500 * time.Millisecond),
		Deal: "acme", Stakeholder: "marcus", Side: "buyer", Role: "champion",
		Room: token.Key(token.Room(scenarioSecret, "acme", "marcus", 0)), Page: "room", Kind: event.KindHB,
		Load: fmt.Sprintf("%032x", i/10), Seq: int64(i % 10), ActiveMS: 1500, VisibleMS: 1500,
		Net: "203.0.113.0/24", UA: event.UABrowser, Instance: "beacon-a"}
}

// TestReadStreamMatchesReadLogs: the chunked reader sees the same lines,
// corrupt lines (at the same line numbers), events and duplicates as
// eventlog.ReadLogs, across chunk boundaries, over-long lines, CRLF, blank lines and
// a torn last line.
func TestReadStreamMatchesReadLogs(t *testing.T) {
	var b []byte
	for i := range 4000 { // about 1.7 MB: several chunks
		e := readerEvent(i)
		b = e.AppendJSON(b)
		switch i {
		case 100:
			b = e.AppendJSON(b) // a duplicate
		case 700:
			b = append(b, "\n  \n"...)
		case 1200:
			b = append(b, `{"v":1,"nope":`+"\r\n"...)
		case 1500:
			b = append(b, bytes.Repeat([]byte("x"), 513<<10)...) // longer than the reader's chunks
			b = append(b, '\n')
		case 2500:
			b = append(b, bytes.Repeat([]byte("y"), event.MaxLine+10)...) // longer than a line may be
			b = append(b, '\n')
		case 3000:
			b = append(bytes.TrimSuffix(b, []byte("\n")), "\r\n"...)
		}
	}
	b = append(b, `{"v":1,"time":"2026-11-20T09:00:00.000Z","deal":"acme"`...) // torn
	dir := t.TempDir()
	path := filepath.Join(dir, "events-2026-11-20-beacon-a.jsonl")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := eventlog.ReadLogs([]string{path}, func(event.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	deals, _ := scenarioSite(t)
	a := NewAggregator(deals, ReportOptions{Today: scenarioToday})
	if err := a.ReadLogs(context.Background(), []string{dir}); err != nil {
		t.Fatal(err)
	}
	got := a.Report().Input
	if len(want.CorruptAt) != 4 {
		t.Errorf("ReadLogs found %q, want the 4 bad lines", want.CorruptAt)
	}
	if got.Lines != want.Lines || got.Corrupt != want.Corrupt || got.Events != want.Events || got.Duplicates != want.Duplicates ||
		!reflect.DeepEqual(got.CorruptAt, want.CorruptAt) {
		t.Errorf("report reader: lines %d corrupt %d events %d duplicates %d\n%q\nReadLogs: lines %d corrupt %d events %d duplicates %d\n%q",
			got.Lines, got.Corrupt, got.Events, got.Duplicates, got.CorruptAt, want.Lines, want.Corrupt, want.Events, want.Duplicates, want.CorruptAt)
	}
	// the same bytes on standard input
	a = NewAggregator(deals, ReportOptions{Today: scenarioToday})
	if err := a.ReadStream(context.Background(), iotestHalfReader{bytes.NewReader(b)}, path); err != nil {
		t.Fatal(err)
	}
	if in := a.Report().Input; in.Lines != want.Lines || in.Events != want.Events || !reflect.DeepEqual(in.CorruptAt, want.CorruptAt) {
		t.Errorf("from a stream: %+v", in)
	}
}

// iotestHalfReader returns at most 7919 bytes per Read, as a pipe might.
type iotestHalfReader struct{ r *bytes.Reader }

func (h iotestHalfReader) Read(p []byte) (int, error) {
	return h.r.Read(p[:min(len(p), 7919)])
}

// TestReadLogsOrder: two instances' folders are read day by day, so a copy
// in the other instance's log of a page-load days old is still recognised.
func TestReadLogsOrder(t *testing.T) {
	dir := t.TempDir()
	for _, inst := range []string{"a", "b"} {
		os.MkdirAll(filepath.Join(dir, inst), 0o755)
		for day := 1; day <= 9; day++ {
			e := readerEvent(0)
			e.Time = time.Date(2026, 11, day, 23, 59, 0, 0, time.UTC)
			e.Load, e.Seq = fmt.Sprintf("%032x", day), 0
			os.WriteFile(filepath.Join(dir, inst, fmt.Sprintf("events-2026-11-%02d-%s.jsonl", day, inst)), e.AppendJSON(nil), 0o644)
		}
	}
	files, err := eventlog.LogFiles([]string{filepath.Join(dir, "a"), filepath.Join(dir, "b")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(files[0], "01-a.jsonl") || !strings.HasSuffix(files[1], "01-b.jsonl") || !strings.HasSuffix(files[17], "09-b.jsonl") {
		t.Errorf("files not in day order: %q", files)
	}
	deals, _ := scenarioSite(t)
	a := NewAggregator(deals, ReportOptions{Today: scenarioToday})
	a.ReadLogs(context.Background(), []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")})
	if in := a.Report().Input; in.Duplicates != 9 || in.OutOfOrder != 0 {
		t.Errorf("duplicates %d (want 9), out of order %d", in.Duplicates, in.OutOfOrder)
	}

	// One instance's days, then the other's, on standard input: the early
	// copies come after their page-loads were closed, and the report says so.
	var cat bytes.Buffer
	for _, inst := range []string{"a", "b"} {
		for day := 1; day <= 9; day++ {
			b, _ := os.ReadFile(filepath.Join(dir, inst, fmt.Sprintf("events-2026-11-%02d-%s.jsonl", day, inst)))
			cat.Write(b)
		}
	}
	a = NewAggregator(deals, ReportOptions{Today: scenarioToday})
	a.ReadStream(context.Background(), &cat, "stdin")
	if in := a.Report().Input; in.OutOfOrder == 0 || in.Duplicates+in.OutOfOrder != 9 {
		t.Errorf("out of order: duplicates %d, out of order %d, want them to add up to 9", in.Duplicates, in.OutOfOrder)
	}
}

// TestAddMatchesReadLogs: events fed one by one from eventlog.ReadLogs give the same
// deals as the aggregator's own reader.
func TestAddMatchesReadLogs(t *testing.T) {
	deals, s := scenarioSite(t)
	folders := writeScenarioLogs(t, s, t.TempDir())
	opts := ReportOptions{Today: scenarioToday, Location: s.Config.Location, Manifest: s.Manifest}
	own := NewAggregator(deals, opts)
	if err := own.ReadLogs(context.Background(), folders); err != nil {
		t.Fatal(err)
	}
	fed := NewAggregator(deals, opts)
	if _, err := eventlog.ReadLogs(folders, func(e event.Event) error { fed.Add(e); return nil }); err != nil {
		t.Fatal(err)
	}
	a, b := own.Report(), fed.Report()
	if !reflect.DeepEqual(a.Deals, b.Deals) {
		t.Errorf("the deals differ between ReadLogs+Add and Aggregator.ReadLogs")
	}
}

var _ Source = LogSource{}

// TestLogSource: the log as a report source gives the report the
// aggregator's own reader gives, from folders and from standard input, and
// the replies the log holds.
func TestLogSource(t *testing.T) {
	deals, s := scenarioSite(t)
	folders := writeScenarioLogs(t, s, t.TempDir())
	opts := ReportOptions{Today: scenarioToday, Location: s.Config.Location, Manifest: s.Manifest}
	own := NewAggregator(deals, opts)
	if err := own.ReadLogs(context.Background(), folders); err != nil {
		t.Fatal(err)
	}
	want := own.Report()
	fed := NewAggregator(deals, opts)
	if err := (LogSource{Paths: folders}).Feed(context.Background(), fed); err != nil {
		t.Fatal(err)
	}
	if got := fed.Report(); !reflect.DeepEqual(got, want) {
		t.Errorf("LogSource.Feed gives another report than ReadLogs: input %+v, want %+v", got.Input, want.Input)
	}
	// folder a on standard input, folder b as a folder: every line is read
	// once (copies of b's early days come after a's later days: the report
	// counts them out of order, as ReadStream's test shows)
	files, err := eventlog.LogFiles(folders[:1])
	if err != nil {
		t.Fatal(err)
	}
	var cat bytes.Buffer
	for _, f := range files {
		b, _ := os.ReadFile(f)
		cat.Write(b)
	}
	mixed := NewAggregator(deals, opts)
	if err := (LogSource{Paths: []string{"-", folders[1]}, Stdin: &cat}).Feed(context.Background(), mixed); err != nil {
		t.Fatal(err)
	}
	if in := mixed.Report().Input; in.Files != 1+len(mustFiles(t, folders[1])) || in.Lines != want.Input.Lines ||
		in.Events+in.Duplicates != want.Input.Events+want.Input.Duplicates {
		t.Errorf("stdin and a folder: %+v, want the lines of %+v", in, want.Input)
	}
	rs, err := (LogSource{Paths: folders}).Replies(context.Background(), time.Time{})
	wantRs, _, err2 := eventlog.ReadReplies(context.Background(), time.Time{}, folders...)
	if err != nil || err2 != nil || !reflect.DeepEqual(rs, wantRs) {
		t.Errorf("replies %v %v: %d, want %d", err, err2, len(rs), len(wantRs))
	}
}

func mustFiles(t *testing.T, dir string) []string {
	t.Helper()
	fs, err := eventlog.LogFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}
