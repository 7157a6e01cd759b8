package notify

import (
	"path/filepath"
	"testing"
	"time"
)

// TestStoreRenamed: the notices sent about a deal are held as sent about
// the id its folder was renamed to, on every channel, and kept once the
// record is written; a digest (of no deal) and another deal's are not.
func TestStoreRenamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sent.json")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, n := range []Notice{
		{Key: "overdue/acme/t1/2026-11-10/flag/sam", Kind: KindOverdue, Deal: "acme", To: Person{ID: "sam"}},
		{Key: "overdue/globex/t1/2026-11-10/flag/sam", Kind: KindOverdue, Deal: "globex", To: Person{ID: "sam"}},
		{Key: "digest/seller/sam/2026-11-20", Kind: KindDigest, To: Person{ID: "sam"}},
	} {
		if err := st.Mark(n, "slack", at); err != nil {
			t.Fatal(err)
		}
	}
	if d := st.Deals(); !d["acme"] || !d["globex"] || len(d) != 2 {
		t.Errorf("Deals() = %v, want acme and globex (a digest is of no deal)", d)
	}
	st.Renamed("acme", "acme-platform")
	if r, ok := st.Sent("overdue/acme-platform/t1/2026-11-10/flag/sam", "slack"); !ok || r.Deal != "acme-platform" || !r.Sent.Equal(at) {
		t.Errorf("after the rename: %+v %v, want the notice held as sent on 20 November", r, ok)
	}
	if _, ok := st.Sent("overdue/acme/t1/2026-11-10/flag/sam", "slack"); !ok {
		t.Error("the record under the old id is gone")
	}
	if _, ok := st.Sent("overdue/globex-platform/t1/2026-11-10/flag/sam", "slack"); ok {
		t.Error("another deal's notice was renamed")
	}
	// Written with the next Mark, read back.
	if err := st.Mark(Notice{Key: "reply/acme-platform/r1/sam", Kind: KindReply, Deal: "acme-platform", To: Person{ID: "sam"}}, "slack", at); err != nil {
		t.Fatal(err)
	}
	again, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.Sent("overdue/acme-platform/t1/2026-11-10/flag/sam", "slack"); !ok {
		t.Error("the renamed record was not written")
	}
}
