package axon

import (
	"context"
	"sync"

	"github.com/taonet/taod/neuron"
)

// gate bounds how many handlers run at once. Requests beyond the free slots
// wait in a queue ordered by the caller's stake (then arrival), bounded in
// count: when it is full, a newcomer with more stake than the last waiter
// displaces ("sheds") it; otherwise the newcomer is refused as busy.
type gate struct {
	max int // queue bound

	mu struct {
		sync.Mutex
		free    int       // free handler slots
		seq     uint64    // arrival counter, breaks stake ties
		waiting []*waiter // stake descending, then seq ascending
	}
}

type waiter struct {
	stake uint64
	seq   uint64
	done  chan bool // true: admitted to a slot; false: shed
}

func newGate(slots, queue int) *gate {
	g := &gate{max: queue}
	g.mu.free = slots
	return g
}

// acquire takes a handler slot, waiting in the queue if none is free. On
// success the caller must release. Refusals return CodeBusy, CodeShed or
// CodeTimeout (ctx ended).
func (g *gate) acquire(ctx context.Context, stake uint64) neuron.Code {
	g.mu.Lock()
	if g.mu.free > 0 && len(g.mu.waiting) == 0 {
		g.mu.free--
		g.mu.Unlock()
		return ""
	}
	if len(g.mu.waiting) >= g.max {
		last := g.mu.waiting[len(g.mu.waiting)-1]
		if g.max == 0 || stake <= last.stake {
			g.mu.Unlock()
			return neuron.CodeBusy
		}
		g.mu.waiting = g.mu.waiting[:len(g.mu.waiting)-1]
		last.done <- false
	}
	g.mu.seq++
	w := &waiter{stake: stake, seq: g.mu.seq, done: make(chan bool, 1)}
	i := len(g.mu.waiting)
	for i > 0 && g.mu.waiting[i-1].stake < stake {
		i--
	}
	g.mu.waiting = append(g.mu.waiting, nil)
	copy(g.mu.waiting[i+1:], g.mu.waiting[i:])
	g.mu.waiting[i] = w
	g.mu.Unlock()

	select {
	case ok := <-w.done:
		if !ok {
			return neuron.CodeShed
		}
		return ""
	case <-ctx.Done():
		g.mu.Lock()
		for j, x := range g.mu.waiting {
			if x == w {
				g.mu.waiting = append(g.mu.waiting[:j], g.mu.waiting[j+1:]...)
				g.mu.Unlock()
				return neuron.CodeTimeout
			}
		}
		g.mu.Unlock()
		// Admitted or shed while ctx ended: a slot handed over must go back.
		if <-w.done {
			g.release()
		}
		return neuron.CodeTimeout
	}
}

// release frees a slot, handing it to the first waiter if any.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.mu.waiting) > 0 {
		w := g.mu.waiting[0]
		g.mu.waiting = g.mu.waiting[1:]
		w.done <- true
		return
	}
	g.mu.free++
}

// queued is the number of waiting requests.
func (g *gate) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.mu.waiting)
}
