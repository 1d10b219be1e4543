package types

import "sync"

// SigCache remembers the signers of recently verified signatures, so a
// precommit is recovered once although a node checks it several times: the
// gossip gate on arrival, the engine, and the chain again as the next
// block's LastCommit. Recovery is the cost (~50-180 µs); a hit is a map
// lookup. The answer for a (digest, signature) pair never changes, so the
// cache cannot change any outcome, only its cost.
//
// A node owns one (chain.Chain makes it) and hands it to each place that
// verifies; there is no package-level cache, so simulated nodes in one
// process never share one. It is bounded (oldest out) and safe for
// concurrent use. A nil *SigCache is valid and remembers nothing.
type SigCache struct {
	size int
	mu   struct {
		sync.Mutex
		m    map[sigKey]Address // guarded by mu
		ring []sigKey           // insertion order; the oldest entry is evicted first
		next int                // the ring slot to overwrite once full
	}
}

// sigKey is a signed digest and its 65-byte signature.
type sigKey struct {
	digest Hash
	sig    [65]byte
}

// DefaultSigCacheSize holds the precommits of many heights of a large set
// (a few hundred KB at most).
const DefaultSigCacheSize = 4096

// NewSigCache returns an empty cache of at most size entries (at least 1).
func NewSigCache(size int) *SigCache {
	size = max(size, 1)
	c := &SigCache{size: size}
	c.mu.m = make(map[sigKey]Address, size)
	c.mu.ring = make([]sigKey, 0, size)
	return c
}

func newSigKey(digest Hash, sig []byte) (k sigKey) {
	k.digest = digest
	copy(k.sig[:], sig)
	return k
}

// Recover is RecoverSigner, remembering its answers.
func (c *SigCache) Recover(digest Hash, sig []byte) (Address, error) {
	if c == nil {
		return RecoverSigner(digest, sig)
	}
	if err := checkSigShape(sig); err != nil {
		return Address{}, err
	}
	k := newSigKey(digest, sig)
	if a, ok := c.get(k); ok {
		return a, nil
	}
	a, err := recoverShaped(digest, sig)
	if err != nil {
		return Address{}, err
	}
	c.add(k, a)
	return a, nil
}

// Len is the number of remembered signatures.
func (c *SigCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mu.m)
}

func (c *SigCache) get(k sigKey) (Address, bool) {
	c.mu.Lock()
	a, ok := c.mu.m[k]
	c.mu.Unlock()
	return a, ok
}

func (c *SigCache) add(k sigKey, a Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.mu.m[k]; ok {
		return
	}
	if len(c.mu.ring) < c.size {
		c.mu.ring = append(c.mu.ring, k)
	} else {
		delete(c.mu.m, c.mu.ring[c.mu.next])
		c.mu.ring[c.mu.next] = k
		c.mu.next = (c.mu.next + 1) % c.size
	}
	c.mu.m[k] = a
}
