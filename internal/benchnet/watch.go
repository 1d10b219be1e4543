package main

// The block watcher: when each tx became final on node0, and the round each
// height was decided in.

import (
	"context"
	"sync"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

type watcher struct {
	c  *gethrpc.Client
	mu struct {
		sync.Mutex
		final  map[types.Hash]time.Time // tx → when node0 served its block
		rounds map[uint64]uint32        // height → round its commit was decided in
		last   uint64                   // highest height read
	}
}

func newWatcher(c *gethrpc.Client) *watcher {
	w := &watcher{c: c}
	w.mu.final = make(map[types.Hash]time.Time)
	w.mu.rounds = make(map[uint64]uint32)
	return w
}

// run reads every block from the current height on until ctx ends.
func (w *watcher) run(ctx context.Context) {
	next := height(w.c) + 1
	for ctx.Err() == nil {
		h := height(w.c)
		for ; next <= h; next++ {
			var b struct {
				rpc.HeaderJSON
				Transactions []types.Hash    `json:"transactions"`
				LastCommit   *rpc.CommitJSON `json:"lastCommit"`
			}
			if err := w.c.CallContext(ctx, &b, "tao_getBlockByNumber", next, false); err != nil {
				break
			}
			now := time.Now()
			w.mu.Lock()
			for _, tx := range b.Transactions {
				w.mu.final[tx] = now
			}
			if b.LastCommit != nil {
				w.mu.rounds[b.LastCommit.Height] = b.LastCommit.Round
			}
			w.mu.last = next
			w.mu.Unlock()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (w *watcher) finalAt(h types.Hash) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.mu.final[h]
	return t, ok
}

func (w *watcher) height() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.mu.last
}

// round0 counts the heights in [from, to] decided in round 0.
func (w *watcher) round0(from, to uint64) (round0, heights int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for h := from; h <= to; h++ {
		if r, ok := w.mu.rounds[h]; ok {
			heights++
			if r == 0 {
				round0++
			}
		}
	}
	return round0, heights
}

// waitFinal waits until h is final or timeout passes.
func (w *watcher) waitFinal(h types.Hash, timeout time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if t, ok := w.finalAt(h); ok {
			return t, true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, false
}
