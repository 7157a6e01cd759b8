package eventlog

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
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

// TestDedupeSharedKey: page-loads whose ids fold to the same map key are
// told apart, and a sweep forgets one of them while it keeps the other.
func TestDedupeSharedKey(t *testing.T) {
	d := newDedupe()
	// ids whose halves hi and lo give hi*c ^ lo = 5, for hi = 1, 2, 3
	collide := func(hi uint64) string {
		var b [event.LoadLen / 2]byte
		binary.LittleEndian.PutUint64(b[:8], hi)
		binary.LittleEndian.PutUint64(b[8:], hi*0x9e3779b97f4a7c15^5)
		return hex.EncodeToString(b[:])
	}
	row := func(load int, seq int64, at time.Duration) *event.Row {
		e := testEvent(collide(uint64(load)), seq, testNow.Add(at))
		r := event.RowOf(&e)
		if k := loadKey(&r.Load); k != 5 {
			t.Fatalf("key %d", k)
		}
		return &r
	}
	slots := map[int]int32{} // the slot each load had when last seen
	for _, c := range []struct {
		load int
		r    *event.Row
		seen bool
	}{
		{1, row(1, 0, 0), false},
		{2, row(2, 0, time.Hour), false},
		{1, row(1, 0, time.Hour), true},
		{2, row(2, 1, time.Hour), false},
		{2, row(2, 0, 40*time.Hour), true},
		{3, row(3, 0, 60*time.Hour), false}, // sweeps: load 1 (last at 1 h) goes, load 2 (40 h) stays
		{2, row(2, 1, 61*time.Hour), true},
		{1, row(1, 0, 61*time.Hour), false},
		{3, row(3, 0, 61*time.Hour), true},
	} {
		got, slot := d.seen(c.r)
		if got != c.seen {
			t.Fatalf("load %s seq %d at %d: seen %v, want %v", c.r.LoadID(), c.r.Seq, c.r.At, got, c.seen)
		}
		// A load remembered keeps its slot; two loads remembered at once
		// never share one.
		if c.load == 2 {
			if old, ok := slots[2]; ok && old != slot {
				t.Errorf("load 2 moved from slot %d to %d while remembered", old, slot)
			}
		}
		for l, s := range slots {
			if l != c.load && s == slot && !(l == 1 && c.load == 3) {
				t.Errorf("loads %d and %d share slot %d", l, c.load, slot)
			}
		}
		slots[c.load] = slot
	}
	if len(d.loads) != 1 || len(d.ls) != 3 || len(d.free) != 0 {
		t.Errorf("%d keys, %d sets, %d free; want one key chaining 3 sets, the freed one reused", len(d.loads), len(d.ls), len(d.free))
	}
}
