package types

import (
	"sync"
	"sync/atomic"
)

// TxCache remembers recently decoded transactions by the hash of their
// bytes, so a node decodes each transaction once although the same bytes
// reach it several times: by RPC or gossip into the txpool, then inside
// every proposal, block announcement and sync response that carries it.
// The key is keccak256 of the encoded bytes and a Tx is a pure function of
// them, so a hit returns what a decode would, only cheaper (a keccak and a
// map lookup against an RLP decode, a canonical re-encode and a keccak),
// and it returns the very *Tx decoded first, whose sender, once recovered,
// stays recovered.
//
// A node owns one (chain.Chain makes it). It is bounded both by entries
// and by the total encoded bytes it holds (oldest out), and safe for
// concurrent use. Only transactions that decoded are remembered: bad bytes
// cost their sender bandwidth, not our memory. A nil *TxCache is valid: it
// decodes every time and remembers nothing.
type TxCache struct {
	maxCount, maxBytes int
	hits, misses       atomic.Uint64

	mu struct {
		sync.Mutex
		m map[Hash]*Tx // grown as filled: an idle node's cache costs nothing
		// ring holds the keys in insertion order, oldest at start; it
		// grows (doubling) up to maxCount slots.
		ring     []Hash
		start, n int
		bytes    int // sum of Size() of the entries
	}
}

// Default bounds of a node's TxCache. 16,384 entries hold more than a
// full block of the largest preset (10,000 txs) plus the recent gossip in
// flight around it; entries the txpool also holds share its *Tx, so they
// cost only the index (~100 bytes each). The byte bound limits what a peer
// can park here with valid-looking txs nobody admits (they decode, so they
// are kept): 16 MiB of envelopes, about twice that decoded, per node.
const (
	DefaultTxCacheCount = 16384
	DefaultTxCacheBytes = 16 << 20
)

// NewTxCache returns an empty cache of at most count entries holding at
// most bytes encoded bytes (each at least 1; a tx larger than bytes is
// decoded but not remembered).
func NewTxCache(count, bytes int) *TxCache {
	c := &TxCache{maxCount: max(count, 1), maxBytes: max(bytes, 1)}
	c.mu.m = make(map[Hash]*Tx)
	return c
}

// Decode is DecodeTx, answering from the cache when it holds raw's hash and
// remembering what it decodes.
func (c *TxCache) Decode(raw []byte) (*Tx, error) {
	return c.decode(raw, true)
}

// Get returns the cached tx of hash h, if any: a compact proposal names
// its txs by hash, and those this node decoded (gossip, RPC) are here even
// when the pool no longer holds them.
func (c *TxCache) Get(h Hash) (*Tx, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	tx := c.mu.m[h]
	c.mu.Unlock()
	if tx == nil {
		return nil, false
	}
	c.hits.Add(1)
	return tx, true
}

// Peek is Decode that does not remember a miss: for reads of old data (the
// store's blocks) that should use the cache but not flush it.
func (c *TxCache) Peek(raw []byte) (*Tx, error) {
	return c.decode(raw, false)
}

func (c *TxCache) decode(raw []byte, remember bool) (*Tx, error) {
	// Out-of-bounds bytes are refused by DecodeTx before any hashing.
	if c == nil || len(raw) == 0 || len(raw) > MaxTxSize {
		return DecodeTx(raw)
	}
	h := Keccak256(raw)
	c.mu.Lock()
	tx := c.mu.m[h]
	c.mu.Unlock()
	if tx != nil {
		c.hits.Add(1)
		return tx, nil
	}
	c.misses.Add(1)
	tx, err := decodeTx(raw, &h)
	if err != nil || !remember {
		return tx, err
	}
	return c.add(tx), nil
}

// add remembers tx unless a tx of its hash is already there (a concurrent
// decode of the same bytes), and returns the one remembered, so that all
// callers share one *Tx.
func (c *TxCache) add(tx *Tx) *Tx {
	size := tx.Size()
	if size > c.maxBytes {
		return tx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.mu.m[tx.hash]; old != nil {
		return old
	}
	for c.mu.n >= c.maxCount || c.mu.bytes+size > c.maxBytes {
		c.evictOldestLocked()
	}
	if c.mu.n == len(c.mu.ring) {
		c.growLocked()
	}
	c.mu.ring[(c.mu.start+c.mu.n)%len(c.mu.ring)] = tx.hash
	c.mu.n++
	c.mu.m[tx.hash] = tx
	c.mu.bytes += size
	return tx
}

func (c *TxCache) evictOldestLocked() {
	h := c.mu.ring[c.mu.start]
	c.mu.ring[c.mu.start] = Hash{}
	c.mu.start = (c.mu.start + 1) % len(c.mu.ring)
	c.mu.n--
	c.mu.bytes -= c.mu.m[h].Size()
	delete(c.mu.m, h)
}

// growLocked doubles the ring (up to maxCount slots), keeping the order.
// It is called only when the ring is full and holds fewer than maxCount.
func (c *TxCache) growLocked() {
	size := min(max(2*len(c.mu.ring), 64), c.maxCount)
	ring := make([]Hash, size)
	for i := 0; i < c.mu.n; i++ {
		ring[i] = c.mu.ring[(c.mu.start+i)%len(c.mu.ring)]
	}
	c.mu.ring, c.mu.start = ring, 0
}

// Stats reports how many decodes the cache answered and how many it did
// not (each a DecodeTx).
func (c *TxCache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Len is the number of remembered transactions; Bytes their encoded size.
func (c *TxCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.n
}

// Bytes is the total encoded size of the remembered transactions.
func (c *TxCache) Bytes() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.bytes
}
