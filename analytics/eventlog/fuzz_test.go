package eventlog

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/maproom/maproom/analytics/event"
)

// FuzzReadLog: the reader never panics or fails on any file content, every
// event line is counted once as an event, a duplicate or corrupt (reply
// lines are counted apart), and the events
// it delivers are valid.
func FuzzReadLog(f *testing.F) {
	good := testEvent(loadID(1), 0, testNow)
	f.Add(good.AppendJSON(nil))
	f.Add(append(good.AppendJSON(nil), good.AppendJSON(nil)...))
	f.Add([]byte(`{"v":1,"time":"2026-11-22T14:00:00Z","deal":"ac`))
	f.Add([]byte("\n\n{}\n[]\nnull\n" + strings.Repeat("x", 70<<10)))
	f.Add(bytes.Replace(good.AppendJSON(nil), []byte(`"v":1`), []byte(`"v":9`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader()
		n := 0
		deliver := func(r *event.Row) error {
			n++
			e := r.Event()
			if _, why := event.ParseLine(bytes.TrimSpace(e.AppendJSON(nil)), false); why != "" {
				t.Fatalf("delivered an event that does not read back: %s: %+v", why, e)
			}
			return nil
		}
		if err := rd.ReadStream(context.Background(), bytes.NewReader(data), "fuzz.jsonl", deliver); err != nil {
			t.Fatal(err)
		}
		st := rd.Stats()
		if n != st.Events || st.Events+st.Duplicates+st.Corrupt != st.Lines {
			t.Fatalf("lines %d != events %d + duplicates %d + corrupt %d + replies %d (delivered %d)", st.Lines, st.Events, st.Duplicates, st.Corrupt, st.Replies, n)
		}
		if st.Corrupt > 0 && !strings.HasPrefix(st.CorruptAt[0], "fuzz.jsonl:") {
			t.Fatalf("corrupt line not named: %q", st.CorruptAt[0])
		}
	})
}
