package p2p

import (
	"sync"
	"time"
)

// txBudget is a token bucket per peer of the gossiped txs we check and do
// not admit. Checking a tx costs a signature recovery; a tx the node ignores
// (its sender has no balance, it is already committed, the pool is full)
// gives gossipsub no reason to score its sender down, since an honest peer
// at another height sends some. Without a budget a peer could make every
// neighbour recover signatures for free, forever. Spending is after the
// fact (a batch is checked whole, then its ignored txs are charged, the
// balance may go negative), and a peer in debt has its batches dropped
// unchecked until it refills: at most burst + rate × t checks in vain.
type txBudget struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu struct {
		sync.Mutex
		peers map[PeerID]*txBucket // connected peers that have spent tokens
	}
}

type txBucket struct {
	tokens float64
	last   time.Time
}

func newTxBudget(rate float64, burst int, now func() time.Time) *txBudget {
	b := &txBudget{rate: rate, burst: float64(burst), now: now}
	b.mu.peers = make(map[PeerID]*txBucket)
	return b
}

// refillLocked brings p's bucket up to now; nil when p owes nothing.
func (b *txBudget) refillLocked(p PeerID) *txBucket {
	bk := b.mu.peers[p]
	if bk == nil {
		return nil
	}
	now := b.now()
	bk.tokens = min(b.burst, bk.tokens+now.Sub(bk.last).Seconds()*b.rate)
	bk.last = now
	if bk.tokens >= b.burst {
		delete(b.mu.peers, p) // full again: forget it
		return nil
	}
	return bk
}

// allow reports whether p may have a batch checked: its balance is positive.
func (b *txBudget) allow(p PeerID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.refillLocked(p)
	return bk == nil || bk.tokens > 0
}

// spend charges p for n txs checked and not admitted.
func (b *txBudget) spend(p PeerID, n int) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.refillLocked(p)
	if bk == nil {
		bk = &txBucket{tokens: b.burst, last: b.now()}
		b.mu.peers[p] = bk
	}
	bk.tokens -= float64(n)
}

// forget drops p's bucket when it disconnects. A reconnecting peer starts
// with a full budget, but reconnecting costs it a handshake and a
// connection of its IP's few.
func (b *txBudget) forget(p PeerID) {
	b.mu.Lock()
	delete(b.mu.peers, p)
	b.mu.Unlock()
}
