package types

import "sync"

// sigCache remembers the signers of recently verified vote signatures, so a
// precommit is recovered once although the engine checks it on arrival (or
// in a synced block's commit) and the chain checks it again as the next
// block's LastCommit. Recovery is the cost (~50-180 µs); a hit is a map
// lookup. The answer for a (digest, signature) pair never changes, so the
// cache cannot change any outcome, only its cost.
type sigCache struct {
	mu   sync.Mutex
	m    map[sigKey]Address
	ring []sigKey // insertion order; the oldest entry is evicted first
	next int
}

// sigKey is a signed digest and its 65-byte signature.
type sigKey struct {
	digest Hash
	sig    [65]byte
}

// sigCacheSize holds the precommits of many heights of a large set (a few
// hundred KB at most).
const sigCacheSize = 4096

var votesSeen = &sigCache{m: make(map[sigKey]Address, sigCacheSize), ring: make([]sigKey, 0, sigCacheSize)}

func newSigKey(digest Hash, sig []byte) (k sigKey) {
	k.digest = digest
	copy(k.sig[:], sig)
	return k
}

func (c *sigCache) get(k sigKey) (Address, bool) {
	c.mu.Lock()
	a, ok := c.m[k]
	c.mu.Unlock()
	return a, ok
}

func (c *sigCache) add(k sigKey, a Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.ring) < sigCacheSize {
		c.ring = append(c.ring, k)
	} else {
		delete(c.m, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % sigCacheSize
	}
	c.m[k] = a
}
