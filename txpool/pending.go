package txpool

// Block building: the pooled transactions ready for the next block, merged
// across senders by tip.

import (
	"container/heap"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Pending returns up to max transactions ready for the next block: for each
// sender the run of consecutive nonces from its account nonce in st, merged
// across senders by highest tip, then arrival.
func (p *Pool) Pending(st *state.State, max int) []*types.Tx {
	// The account nonces are read without the lock: for 10,000 senders they
	// are ~10 ms of state reads, which gossip's Adds should not wait for.
	p.mu.Lock()
	froms := make([]types.Address, 0, len(p.mu.senders))
	for from := range p.mu.senders {
		froms = append(froms, from)
	}
	p.mu.Unlock()
	nonces := make([]uint64, len(froms))
	for i, from := range froms {
		nonces[i] = st.Account(from).Nonce
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	h := &tipHeap{}
	for i, from := range froms {
		if a := p.mu.senders[from]; a != nil {
			if e := a.txs[nonces[i]]; e != nil {
				*h = append(*h, &cursor{a: a, next: nonces[i], head: e})
			}
		}
	}
	heap.Init(h)
	out := make([]*types.Tx, 0, min(max, p.mu.pending))
	for h.Len() > 0 && len(out) < max {
		c := (*h)[0]
		out = append(out, c.head.tx)
		c.next++
		if e := c.a.txs[c.next]; e != nil {
			c.head = e
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return out
}

type cursor struct {
	a    *account
	next uint64
	head *entry
}

type tipHeap []*cursor

func (h tipHeap) Len() int { return len(h) }
func (h tipHeap) Less(i, j int) bool {
	a, b := h[i].head, h[j].head
	if a.tx.Tip() != b.tx.Tip() {
		return a.tx.Tip() > b.tx.Tip()
	}
	return a.seq < b.seq
}
func (h tipHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *tipHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *tipHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
