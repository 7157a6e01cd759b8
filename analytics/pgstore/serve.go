package pgstore

import (
	"context"
)

// StoreHealth implements beacon.StoreReporter: the store's counters
// under "store" in /healthz, after a ping of the database (at most 2 s);
// while it is unreachable the beacon answers 503 there, so that a load
// balancer sends the rooms to an instance that can store their events.
func (s *Store) StoreHealth(ctx context.Context) (any, bool) {
	st := s.Health(ctx)
	return st, st.Status == "ok"
}
