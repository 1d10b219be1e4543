package types

import "sync"

// boundedMap is a map of at most size entries, safe for concurrent use,
// that forgets its oldest entry to make room (a ring of keys in insertion
// order). The node's caches of recovered signers use it: their answers
// never change, so forgetting costs only a recovery.
type boundedMap[K comparable, V any] struct {
	size int
	mu   struct {
		sync.Mutex
		m    map[K]V // guarded by mu
		ring []K     // insertion order; the oldest entry is evicted first
		next int     // the ring slot to overwrite once full
	}
}

func newBoundedMap[K comparable, V any](size int) *boundedMap[K, V] {
	size = max(size, 1)
	b := &boundedMap[K, V]{size: size}
	b.mu.m = make(map[K]V, size)
	b.mu.ring = make([]K, 0, size)
	return b
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
	if len(b.mu.ring) < b.size {
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
