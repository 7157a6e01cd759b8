package beacon

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/maproom/maproom/analytics/eventlog"
)

// BenchmarkHandler is the beacon's cost per request without the network:
// ServeHTTP with the real log (sync none and always), in parallel.
func BenchmarkHandler(b *testing.B) {
	for _, sync := range []eventlog.SyncMode{eventlog.SyncNone, eventlog.SyncAlways} {
		b.Run(sync.String(), func(b *testing.B) {
			dir := b.TempDir()
			toks := writeManifest(b, dir, 20000)
			m := readManifest(b, dir)
			log, err := eventlog.OpenLog(dir, eventlog.LogOptions{Instance: "bench", Sync: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer log.Close()
			h := NewHandler(HandlerConfig{Manifest: m, Store: log, Instance: "bench",
				TokenRate: Rate{PerSecond: 1e6, Burst: 1e6}, AddrRate: Rate{PerSecond: 1e6, Burst: 1e6}})
			var ctr atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				g := ctr.Add(1)
				lid := fmt.Sprintf("%032x", g)
				var body []byte
				i := 0
				for pb.Next() {
					body = appendNote(body[:0], toks[i%len(toks)], lid, i)
					r := httptest.NewRequest("POST", NotePath, bytes.NewReader(body))
					r.RemoteAddr = "192.0.2.1:1234"
					r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusNoContent {
						b.Fatalf("%d %s (tok interval %d tol %d)", w.Code, w.Header().Get(RejectHeader), h.byToken.interval, h.byToken.tol)
					}
					i++
				}
			})
			if st := log.Stats(); st.Syncs > 0 {
				b.ReportMetric(float64(st.Events)/float64(st.Syncs), "events/sync")
			}
		})
	}
}
