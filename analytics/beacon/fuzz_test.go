package beacon

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/maproom/maproom/analytics/event"
)

// FuzzDecodeNotes: the decoder never panics, fails only with a
// *RejectError, and whatever it accepts is in range and re-encodes to
// notes it accepts again.
func FuzzDecodeNotes(f *testing.F) {
	for _, tc := range handlerCases() {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(`[{"t":"` + tokJordan + `","p":"room","k":"hb","l":"` + testLoad + `","s":1e2,"a":0,"v":0}]`))
	f.Add([]byte(`[{"t":"` + tokJordan + `","p":"room","k":"hb","l":"` + testLoad + `","s":1,"a":0,"v":0,"t":"x"}]`))
	f.Add([]byte(" \n[ ]"))
	f.Add([]byte(`[{"t":"` + tokJordan + `","p":"room","k":"hb","l":"` + testLoad + `","s":1,"a":0,"v":0,"T":"x"}]`))
	f.Add([]byte(`[{"t":"` + tokJordan + `","p":"r\u00f6om","k":"open","c":"x","l":"` + testLoad + `","s":01,"a":-0,"v":0,"w":true}]`))
	f.Add([]byte(`[{"t":"` + tokJordan + `","p":"room","k":"hb","l":"` + testLoad + `","s":1,"a":0,"v":0,"w":false}, {}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		// The fast path, where it decodes, agrees with encoding/json.
		if fast, ok := decodeFast(body); ok {
			var std []Note
			if err := json.Unmarshal(body, &std); err != nil {
				t.Fatalf("fast path decoded what encoding/json refuses (%v): %q", err, body)
			}
			if len(std) == 0 {
				std = []Note{}
			}
			if !slices.Equal(fast, std) {
				t.Fatalf("fast path %+v, encoding/json %+v: %q", fast, std, body)
			}
		}
		notes, err := DecodeNotes(body)
		if err != nil {
			var rej *RejectError
			if !errors.As(err, &rej) {
				t.Fatalf("error %T %v is not a *RejectError", err, err)
			}
			if rej.Reason.Status() < 200 {
				t.Fatalf("reason %q has no status", rej.Reason)
			}
			return
		}
		if len(notes) == 0 || len(notes) > MaxNotes {
			t.Fatalf("accepted %d notes", len(notes))
		}
		for _, n := range notes {
			if n.ActiveMS < 0 || n.ActiveMS > n.VisibleMS || n.VisibleMS > MaxDeltaMS || n.Seq < 0 || n.Seq > MaxSeq ||
				!n.Kind.Valid() || !event.ValidLoad(n.Load) || n.Kind.Collateral() != (n.Collateral != "") {
				t.Fatalf("accepted out-of-range note %+v", n)
			}
		}
		again, err := json.Marshal(notes)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeNotes(again); err != nil && len(again) <= MaxBody {
			t.Fatalf("re-encoded notes refused: %v\n%s", err, again)
		}
	})
}
