package types

import "sync/atomic"

// SenderCache remembers the senders of recently recovered transactions by
// tx hash, so a transaction's signature is recovered once per node although
// the node decodes its bytes several times: from gossip into the txpool,
// then again inside the proposal that carries it, whose decoded Tx is a new
// value with no sender yet. A hash is keccak256 of the exact encoded bytes
// and the sender is a function of those bytes, so a hit gives the answer a
// recovery would: the cache changes no outcome, only its cost (~50-180 µs
// per recovery against a map lookup and a keccak the Tx caches anyway).
//
// A node owns one (chain.Chain makes it); it is bounded (oldest out) and
// safe for concurrent use. Failed recoveries are not remembered. A nil
// *SenderCache is valid and remembers nothing.
type SenderCache struct {
	m            *boundedMap[Hash, Address]
	hits, misses atomic.Uint64
}

// DefaultSenderCacheSize covers a full txpool's worth of recent txs (the
// pool holds at most 40,960) at about 100 bytes an entry.
const DefaultSenderCacheSize = 1 << 16

// NewSenderCache returns an empty cache of at most size entries (at least 1).
func NewSenderCache(size int) *SenderCache {
	return &SenderCache{m: newBoundedMap[Hash, Address](size)}
}

// Sender returns tx's sender: the one tx already holds, else the one
// remembered for tx's hash (handed to tx, so later calls on it are free),
// else a recovery, remembered when it succeeds.
func (c *SenderCache) Sender(tx *Tx) (Address, error) {
	if r := tx.sender.Load(); r != nil || c == nil {
		return tx.Sender()
	}
	h := tx.Hash()
	if a, ok := c.m.get(h); ok {
		c.hits.Add(1)
		tx.sender.CompareAndSwap(nil, &senderResult{addr: a})
		return tx.Sender()
	}
	c.misses.Add(1)
	a, err := tx.Sender()
	if err == nil {
		c.m.add(h, a)
	}
	return a, err
}

// Stats reports how many lookups found a remembered sender and how many
// recovered one.
func (c *SenderCache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}
