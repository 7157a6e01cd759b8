package pgstore

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"

	"github.com/maproom/maproom/analytics"
)

// healthDoc is the /healthz document of a beacon on PostgreSQL: the
// handler's Health with the store's state under "store".
type healthDoc struct {
	analytics.Health
	Store Stats `json:"store"`
}

// HealthHandler wraps h so that GET /healthz also reports the store, and
// answers 503 while the database is unreachable (so that a load balancer
// sends the rooms to an instance that can store their events). Everything
// else goes to h.
func HealthHandler(h *analytics.Handler, s *Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != analytics.HealthPath || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			h.ServeHTTP(w, r)
			return
		}
		doc := healthDoc{Health: h.Health(), Store: s.Health(r.Context())}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if doc.Status != "ok" || doc.Store.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(doc)
	})
}

// Serve is [analytics.Serve] for a beacon on PostgreSQL: it serves h, with
// [HealthHandler], on ln until ctx ends, then drains. Close the store after
// it returns.
func Serve(ctx context.Context, ln net.Listener, h *analytics.Handler, s *Store, logger *slog.Logger) error {
	return analytics.ServeWrapped(ctx, ln, h, HealthHandler(h, s), logger)
}
