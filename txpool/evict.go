package txpool

// Eviction: which other senders' tails make room for a newcomer when the
// pool is full.

import (
	"container/heap"
	"fmt"
)

// room is what an admission adds to each limit.
type room struct{ pending, queued, bytes int }

// makeRoomLocked chooses the txs to evict so that need fits every limit, or
// says why it cannot: each victim is the tail of another sender; queued
// tails go first and an executable newcomer evicts them whatever they pay;
// otherwise the newcomer's tip must beat the victim's; a sender's first
// AccountSlots pending txs are never victims. Nothing changes until the
// caller removes the victims.
func (p *Pool) makeRoomLocked(self *account, need room, executable bool, tip uint64) ([]*account, error) {
	pend, que, size := p.mu.pending+need.pending, p.mu.queued.count+need.queued, p.mu.bytes+need.bytes
	var (
		victims []*account
		taken   map[*account]int // pending tails already chosen per sender
		aside   []*account       // senders popped off the queued heap
	)
	// Victims are chosen on the live heap, each popped sender keyed by its
	// next tail; the heap is put back as it was before anything is removed.
	defer func() {
		for _, a := range aside {
			a.qt = 0
			if a.qi >= 0 {
				heap.Fix(&p.mu.queued, a.qi)
			} else {
				heap.Push(&p.mu.queued, a)
			}
		}
	}()
	cheapestQueued := func() (*account, *entry) {
		for p.mu.queued.Len() > 0 {
			a := p.mu.queued.h[0]
			if a != self {
				return a, a.tailAfter(a.qt)
			}
			heap.Pop(&p.mu.queued)
			aside = append(aside, a)
		}
		return nil, nil
	}
	for pend > p.cfg.GlobalSlots || que > p.cfg.GlobalQueue || size > p.cfg.MaxBytes {
		var (
			v  *account
			ve *entry
		)
		if que > p.cfg.GlobalQueue || size > p.cfg.MaxBytes {
			if v, ve = cheapestQueued(); v != nil {
				if !executable && tip <= ve.tx.Tip() {
					return nil, fmt.Errorf("%w: tip %d rao, cheapest queued has %d (%d queued)", ErrUnderpriced, tip, ve.tx.Tip(), p.mu.queued.count)
				}
				heap.Pop(&p.mu.queued)
				aside = append(aside, v)
				if v.qt++; v.qt < v.queued() {
					heap.Push(&p.mu.queued, v) // keyed by its next tail
				}
				victims = append(victims, v)
				size -= ve.mem
				que--
				continue
			}
		}
		if pend > p.cfg.GlobalSlots || size > p.cfg.MaxBytes && executable {
			if v, ve = p.cheapestPendingTailLocked(self, taken); v != nil {
				if tip <= ve.tx.Tip() {
					return nil, fmt.Errorf("%w: tip %d rao, cheapest evictable has %d (%d pending, %d bytes)", ErrUnderpriced, tip, ve.tx.Tip(), p.mu.pending, p.mu.bytes)
				}
				if taken == nil {
					taken = make(map[*account]int)
				}
				taken[v]++
				victims = append(victims, v)
				size -= ve.mem
				pend--
				continue
			}
		}
		return nil, fmt.Errorf("%w (%d pending of %d, %d queued of %d, %d bytes of %d)",
			ErrPoolFull, p.mu.pending, p.cfg.GlobalSlots, p.mu.queued.count, p.cfg.GlobalQueue, p.mu.bytes, p.cfg.MaxBytes)
	}
	return victims, nil
}

// cheapestPendingTailLocked finds, among senders other than self holding
// more than AccountSlots pending txs and no queued ones, the lowest-tip tail
// after the tails already taken. Ties go to the newest arrival, so the
// choice does not depend on map order.
func (p *Pool) cheapestPendingTailLocked(self *account, taken map[*account]int) (*account, *entry) {
	var (
		best  *account
		bestE *entry
	)
	for a := range p.mu.overSlots {
		t := taken[a]
		if a == self || a.queued() > 0 || a.pending-t <= p.cfg.AccountSlots {
			continue
		}
		e := a.txs[a.pendingEnd()-1-uint64(t)]
		if bestE == nil || cheaper(e, bestE) {
			best, bestE = a, e
		}
	}
	return best, bestE
}

// cheaper orders eviction candidates: lower tip first, then newer arrival.
func cheaper(a, b *entry) bool {
	return a.tx.Tip() < b.tx.Tip() || a.tx.Tip() == b.tx.Tip() && a.seq > b.seq
}

// tailHeap orders the senders with queued txs by their tail (skipping qt
// tails while victims are chosen), cheapest first. count is the number of
// queued txs of all senders.
type tailHeap struct {
	h     []*account
	count int
}

func (q *tailHeap) Len() int { return len(q.h) }
func (q *tailHeap) Less(i, j int) bool {
	return cheaper(q.h[i].tailAfter(q.h[i].qt), q.h[j].tailAfter(q.h[j].qt))
}
func (q *tailHeap) Swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.h[i].qi, q.h[j].qi = i, j
}
func (q *tailHeap) Push(x any) {
	a := x.(*account)
	a.qi = len(q.h)
	q.h = append(q.h, a)
}
func (q *tailHeap) Pop() any {
	a := q.h[len(q.h)-1]
	q.h = q.h[:len(q.h)-1]
	a.qi = -1
	return a
}

// tailAfter is a's tx that is the tail once t tails are gone.
func (a *account) tailAfter(t int) *entry {
	for n := a.last; ; n-- {
		if e := a.txs[n]; e != nil {
			if t == 0 {
				return e
			}
			t--
		}
		if n <= a.nonce {
			return nil
		}
	}
}
