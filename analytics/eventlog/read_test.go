package eventlog

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
)

// TestReaderDedupe pins the one dedupe rule: a line whose (load, seq) was
// delivered is counted once, in the same file, in another file or stream
// of the same Reader, while its page-load is remembered (DedupeWindow after
// its last event, in the time of the newest event read); a copy that comes
// after the page-load was forgotten is delivered again.
func TestReaderDedupe(t *testing.T) {
	line := func(load int, seq int64, at time.Duration) []byte {
		e := testEvent(loadID(load), seq, testNow.Add(at))
		return e.AppendJSON(nil)
	}
	var a, b bytes.Buffer
	a.Write(line(1, 0, 0))
	a.Write(line(1, 0, 0))         // a retry in the same file: a duplicate
	a.Write(line(1, 1, time.Hour)) // the same page-load, another seq: an event
	b.Write(line(1, 0, 0))         // the other instance's copy: a duplicate
	b.Write(line(2, 0, DedupeWindow-time.Hour))
	b.Write(line(1, 1, DedupeWindow-time.Minute)) // within the window of load 1's last event
	b.Write(line(3, 0, 3*DedupeWindow))           // two days later: load 1 is forgotten
	b.Write(line(1, 1, 3*DedupeWindow))           // so this copy is delivered again

	r := NewReader()
	var got []string
	deliver := func(row *event.Row) error {
		got = append(got, row.LoadID()[30:]+"/"+string(rune('0'+row.Seq)))
		return nil
	}
	ctx := context.Background()
	if err := r.ReadStream(ctx, &a, "a", deliver); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadStream(ctx, &b, "b", deliver); err != nil {
		t.Fatal(err)
	}
	st := r.Stats()
	want := []string{"01/0", "01/1", "02/0", "03/0", "01/1"}
	if len(got) != len(want) || st.Duplicates != 3 || st.Events != 5 || st.Lines != 8 || st.Files != 2 {
		t.Fatalf("delivered %q with %+v; want %q, 3 duplicates", got, st, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delivered %q, want %q", got, want)
		}
	}
}
