package types

import "sync"

// boundedMap is a map of at most size entries, safe for concurrent use,
// that forgets its oldest entry to make room (a ring of keys in insertion
// order). The node's caches of recovered signers use it: their answers
// never change, so forgetting costs only a recovery.
//
// It grows as entries arrive rather than allocating its bound up front: a
// chain's caches are sized for a full txpool (65,536 senders, ~9 MB) but
// most nodes, and every idle one, hold far fewer; several nodes in one
// process (tests, the simulator) would otherwise pay the bound each.
type boundedMap[K comparable, V any] struct {
	size int
	mu   struct {
		sync.Mutex
		m    map[K]V // guarded by mu
		ring []K     // insertion order; the oldest entry is evicted first
		next int     // the ring slot to overwrite once full
	}
}

// minBoundedRing is the ring's first allocation.
const minBoundedRing = 64

func newBoundedMap[K comparable, V any](size int) *boundedMap[K, V] {
	return &boundedMap[K, V]{size: max(size, 1)}
}

func (b *boundedMap[K, V]) get(k K) (V, bool) {
	b.mu.Lock()
	v, ok := b.mu.m[k]
	b.mu.Unlock()
	return v, ok
}

func (b *boundedMap[K, V]) add(k K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.mu.m[k]; ok {
		return
	}
	if b.mu.m == nil {
		b.mu.m = make(map[K]V)
	}
	if n := len(b.mu.ring); n < b.size {
		if n == cap(b.mu.ring) {
			// Double, but never past the bound: append's own growth would
			// overshoot it by up to a quarter of a large ring.
			ring := make([]K, n, min(max(2*n, minBoundedRing), b.size))
			copy(ring, b.mu.ring)
			b.mu.ring = ring
		}
		b.mu.ring = append(b.mu.ring, k)
	} else {
		delete(b.mu.m, b.mu.ring[b.mu.next])
		b.mu.ring[b.mu.next] = k
		b.mu.next = (b.mu.next + 1) % b.size
	}
	b.mu.m[k] = v
}

func (b *boundedMap[K, V]) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.mu.m)
}

// ringCap is the ring's allocated length (tests: growth stays lazy and
// within the bound).
func (b *boundedMap[K, V]) ringCap() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return cap(b.mu.ring)
}
