package beacon

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Rate is a token-bucket rate: Burst events at once, refilled at PerSecond.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Default rates. A page-load sends about four events a minute, so one room
// (one person, a few tabs) fits well within 1/s; an address is often a
// company's NAT, shared by everyone on the deal.
var (
	DefaultTokenRate = Rate{PerSecond: 1, Burst: 60}
	DefaultAddrRate  = Rate{PerSecond: 20, Burst: 400}
)

// DefaultLimiterSlots is the capacity of each rate limiter: distinct keys it
// remembers at once. At 16 bytes a slot, 1<<17 slots are 2 MiB.
const DefaultLimiterSlots = 1 << 17

const limiterWays = 8 // slots per set

// Limiter rate-limits many keys in a fixed amount of memory. It is a
// set-associative table of GCRA buckets: a key hashes to a set of 8 slots;
// a key not in its set takes the slot whose bucket is fullest (an idle,
// fully refilled bucket carries no information, so evicting it is free).
// No key is stored, only its 64-bit keyed hash, and the table never grows:
// a flood of distinct keys can only evict other keys' partly drained
// buckets, which [Limiter.Evictions] counts.
//
// A Limiter is safe for concurrent use. Its zero value is not usable; use
// [NewLimiter].
type Limiter struct {
	seed     maphash.Seed
	interval int64 // ns per event
	tol      int64 // burst tolerance in ns
	sets     uint64
	tat      []int64 // theoretical arrival time per slot, ns; 0 = empty
	keys     []uint64
	locks    []sync.Mutex
	evicted  atomic.Int64
}

// NewLimiter returns a limiter for rate with room for about slots keys
// (rounded up to a power of two times 8).
func NewLimiter(rate Rate, slots int) *Limiter {
	if rate.PerSecond <= 0 {
		rate.PerSecond = 1
	}
	if rate.Burst < 1 {
		rate.Burst = 1
	}
	sets := uint64(1)
	for sets*limiterWays < uint64(slots) {
		sets <<= 1
	}
	interval := int64(float64(time.Second) / rate.PerSecond)
	nlocks := sets
	if nlocks > 1024 {
		nlocks = 1024
	}
	return &Limiter{
		seed:     maphash.MakeSeed(),
		interval: interval,
		tol:      interval * int64(rate.Burst),
		sets:     sets,
		tat:      make([]int64, sets*limiterWays),
		keys:     make([]uint64, sets*limiterWays),
		locks:    make([]sync.Mutex, nlocks),
	}
}

// Slots returns the fixed number of keys the limiter can hold.
func (l *Limiter) Slots() int { return len(l.keys) }

// Evictions returns how many partly drained buckets were evicted to make
// room: a number that keeps rising says the table is too small for the load.
func (l *Limiter) Evictions() int64 { return l.evicted.Load() }

// Allow spends n events from key's bucket at time now and reports whether
// the bucket had them. A refused call spends nothing.
func (l *Limiter) Allow(key []byte, n int, now time.Time) bool {
	h := maphash.Bytes(l.seed, key) | 1 // 0 marks an empty slot
	set := (h >> 32) & (l.sets - 1)
	t := now.UnixNano()
	mu := &l.locks[set%uint64(len(l.locks))]
	mu.Lock()
	defer mu.Unlock()
	base := set * limiterWays
	slot := -1
	for i := uint64(0); i < limiterWays; i++ {
		if l.keys[base+i] == h {
			slot = int(base + i)
			break
		}
	}
	if slot < 0 {
		// Take the fullest bucket (the smallest arrival time).
		slot = int(base)
		for i := base + 1; i < base+limiterWays; i++ {
			if l.tat[i] < l.tat[slot] {
				slot = int(i)
			}
		}
		if l.keys[slot] != 0 && l.tat[slot] > t {
			l.evicted.Add(1)
		}
		l.keys[slot] = h
		l.tat[slot] = 0
	}
	tat := l.tat[slot]
	if tat < t || tat-t > l.tol {
		// Allow never leaves an arrival time more than the burst ahead:
		// one that is, the clock went back (a correction by NTP). The
		// bucket is taken as full rather than refusing every event for as
		// long as the step.
		tat = t
	}
	next := tat + int64(n)*l.interval
	if next-t > l.tol {
		return false
	}
	l.tat[slot] = next
	return true
}

// Refund gives back n events that [Limiter.Allow] spent from key's bucket
// for work that was then not done (events the store failed to keep), as
// of time now: the bucket never holds more than the burst. A key the
// limiter no longer holds (its slot was taken by another) is left alone:
// its bucket, forgotten, is full.
func (l *Limiter) Refund(key []byte, n int, now time.Time) {
	h := maphash.Bytes(l.seed, key) | 1
	set := (h >> 32) & (l.sets - 1)
	mu := &l.locks[set%uint64(len(l.locks))]
	mu.Lock()
	defer mu.Unlock()
	base := set * limiterWays
	for i := base; i < base+limiterWays; i++ {
		if l.keys[i] == h {
			l.tat[i] = max(l.tat[i]-int64(n)*l.interval, now.UnixNano())
			return
		}
	}
}
