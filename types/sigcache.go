package types

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
	m *boundedMap[sigKey, Address]
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
	return &SigCache{m: newBoundedMap[sigKey, Address](size)}
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
	return c.m.len()
}

func (c *SigCache) get(k sigKey) (Address, bool) { return c.m.get(k) }

func (c *SigCache) add(k sigKey, a Address) { c.m.add(k, a) }
