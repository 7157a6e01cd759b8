package beacon

import (
	"encoding/binary"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

func TestLimiterRate(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 2, Burst: 4}, 64)
	now := testNow
	k := []byte("room-a")
	for i := 0; i < 4; i++ {
		if !l.Allow(k, 1, now) {
			t.Fatalf("burst event %d refused", i)
		}
	}
	if l.Allow(k, 1, now) {
		t.Fatal("5th event of a burst of 4 allowed")
	}
	if !l.Allow([]byte("room-b"), 4, now) {
		t.Fatal("another key refused")
	}
	now = now.Add(500 * time.Millisecond) // one event refilled
	if !l.Allow(k, 1, now) || l.Allow(k, 1, now) {
		t.Fatal("refill at 2/s wrong")
	}
	if l.Allow([]byte("room-c"), 5, now) {
		t.Fatal("a batch larger than the burst allowed")
	}
	now = now.Add(time.Hour)
	if !l.Allow(k, 4, now) {
		t.Fatal("bucket did not refill to the burst")
	}
}

// TestLimiterClockBack: a wall clock set back (an NTP correction) does not
// refuse a key's events for as long as the step; the rate still holds
// from the new time on. (A key drained at 12:00 was refused until 12:00
// came again.)
func TestLimiterClockBack(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 1, Burst: 3}, 64)
	k := []byte("203.0.113.0/24")
	now := testNow
	for i := 0; i < 3; i++ {
		if !l.Allow(k, 1, now) {
			t.Fatalf("burst event %d refused", i)
		}
	}
	if l.Allow(k, 1, now) {
		t.Fatal("4th event of a burst of 3 allowed")
	}
	back := now.Add(-time.Hour)
	if !l.Allow(k, 1, back) {
		t.Fatal("after the clock went back an hour, the key is still refused")
	}
	if !l.Allow(k, 2, back) || l.Allow(k, 1, back) {
		t.Fatal("after the clock went back, the burst is not the limit it was")
	}
}

// TestLimiterMemoryBound streams a million distinct addresses through a
// limiter and checks that it allocates nothing, keeps its capacity and
// still limits the address that floods it.
func TestLimiterMemoryBound(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 1, Burst: 10}, DefaultLimiterSlots)
	slots := l.Slots()
	now := testNow
	heavy := netip.MustParseAddr("203.0.113.66")
	hk := addrKey(heavy)
	for i := 0; i < 10; i++ {
		l.Allow(hk[:], 1, now)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var ip [4]byte
	for i := 0; i < 1_000_000; i++ {
		binary.BigEndian.PutUint32(ip[:], 0x0a000000+uint32(i)) // 10.0.0.0 + i
		k := addrKey(netip.AddrFrom4(ip))
		if !l.Allow(k[:], 1, now) {
			t.Fatalf("new address %d refused", i)
		}
		if i%1000 == 0 {
			now = now.Add(time.Microsecond) // the flood lasts 1 ms in all
			if l.Allow(hk[:], 1, now) {
				t.Fatalf("flooding address allowed after %d others", i)
			}
		}
	}
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if l.Slots() != slots {
		t.Fatalf("slots %d, was %d", l.Slots(), slots)
	}
	if grew > 256<<10 {
		t.Fatalf("heap grew %d bytes over a million addresses", grew)
	}
	if allocs := after.Mallocs - before.Mallocs; allocs > 1000 {
		t.Fatalf("%d allocations over a million addresses", allocs)
	}
	t.Logf("%d slots (%d KiB), heap grew %d bytes, %d evictions", slots, slots*16/1024, grew, l.Evictions())
}

func BenchmarkLimiter(b *testing.B) {
	l := NewLimiter(DefaultAddrRate, DefaultLimiterSlots)
	now := testNow
	b.RunParallel(func(pb *testing.PB) {
		var k [8]byte
		i := uint64(0)
		for pb.Next() {
			i++
			binary.LittleEndian.PutUint64(k[:], i*0x9e3779b97f4a7c15)
			l.Allow(k[:], 1, now)
		}
	})
}

// TestLimiterRefund: Refund gives back what Allow spent, never more than
// the burst, and does nothing for a key the limiter does not hold.
func TestLimiterRefund(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 1, Burst: 3}, 64)
	k := []byte("room-a")
	now := testNow
	if !l.Allow(k, 3, now) || l.Allow(k, 1, now) {
		t.Fatal("burst of 3 wrong")
	}
	l.Refund(k, 2, now)
	if !l.Allow(k, 2, now) || l.Allow(k, 1, now) {
		t.Fatal("a refund of 2 did not give back exactly 2")
	}
	later := now.Add(time.Hour) // refilled: a refund adds nothing past the burst
	l.Refund(k, 3, later)
	if !l.Allow(k, 3, later) || l.Allow(k, 1, later) {
		t.Fatal("a refund to a full bucket raised it past the burst")
	}
	l.Refund([]byte("room-b"), 5, later)
	if !l.Allow([]byte("room-b"), 3, later) || l.Allow([]byte("room-b"), 1, later) {
		t.Fatal("a refund to an unknown key gave it more than the burst")
	}
}
