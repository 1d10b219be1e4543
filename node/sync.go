package node

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/p2p"
)

// syncPoll is how often a node that is not catching up asks its peers for
// their heads; lagGrace is how long a peer may be one block ahead before we
// fetch that block rather than wait for our own consensus to decide it.
const (
	// maxHintAhead bounds how far above our head an announced block is
	// believed before a Status call confirms it.
	maxHintAhead = 256
	syncPoll     = 500 * time.Millisecond
	lagGrace     = 200 * time.Millisecond
)

// lagState notes since when a peer has been one block ahead of us.
type lagState struct {
	height uint64 // the block we lack; 0: not lagging
	since  time.Time
}

// shouldSync says whether to fetch blocks, given our head and the best head
// a peer reports. A peer one block ahead is normal for a moment: its commit
// came first and ours follows from the same votes. If it lasts lagGrace,
// those votes are gone (the others moved on: we missed the proposal, or
// every validator restarted at once) and only a fetch brings the block.
func shouldSync(head, peerHead uint64, lag *lagState, now time.Time) bool {
	switch {
	case peerHead > head+1:
		*lag = lagState{}
		return true
	case peerHead == head+1:
		if lag.height != head+1 {
			*lag = lagState{head + 1, now}
		}
		return now.Sub(lag.since) >= lagGrace
	}
	*lag = lagState{}
	return false
}

// blockHint is the newest block a peer announced, a hint that it is ahead
// before a Status call says so.
type blockHint struct {
	mu     sync.Mutex
	height uint64
	peer   p2p.PeerID
}

// noteAnnounced records an announced block and wakes the sync loop.
func (d *driver) noteAnnounced(from p2p.PeerID, height uint64) {
	d.hint.mu.Lock()
	if height > d.hint.height {
		d.hint.height, d.hint.peer = height, from
	}
	d.hint.mu.Unlock()
	select {
	case d.syncWake <- struct{}{}:
	default:
	}
}

// syncLoop fetches finalised blocks from peers that are ahead and feeds them
// to the engine as decisions (it verifies each commit against the set).
func (d *driver) syncLoop(ctx context.Context) {
	t := time.NewTimer(syncPoll)
	defer t.Stop()
	var (
		fetched uint64 // highest height handed to the driver
		lag     lagState
		wait    = syncPoll
	)
	for {
		t.Reset(wait)
		woken := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.syncWake:
			woken = true
		}
		wait = syncPoll
		head, _ := d.n.store.Head()
		var best p2p.PeerInfo
		for _, p := range d.n.host.Peers() {
			if p.Hello.Head > best.Hello.Head {
				best = p
			}
		}
		d.hint.mu.Lock()
		if d.hint.height > best.Hello.Head && d.hint.height <= head.Height+maxHintAhead {
			best.ID, best.Hello.Head = d.hint.peer, d.hint.height
		}
		d.hint.mu.Unlock()
		if !shouldSync(head.Height, best.Hello.Head, &lag, time.Now()) {
			if lag.height != 0 {
				wait = lagGrace // look again when the grace is over
			}
			if woken {
				continue
			}
			// Refresh what peers say of their heads, all at once: a peer
			// that does not answer must not delay the others (and is
			// disconnected after a second miss, to be dialled afresh).
			var wg sync.WaitGroup
			for _, p := range d.n.host.Peers() {
				wg.Go(func() {
					sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
					defer cancel()
					d.n.host.Status(sctx, p.ID)
				})
			}
			wg.Wait()
			continue
		}
		wait = time.Millisecond // behind: ask again at once after this batch
		from := max(head.Height+1, fetched+1)
		if from > best.Hello.Head {
			continue
		}
		count := int(min(best.Hello.Head-from+1, 256))
		blocks, err := d.n.host.FetchBlocks(ctx, best.ID, from, count)
		if err != nil {
			d.n.log.Debug("block sync", zap.Stringer("peer", best.ID), zap.Error(err))
			d.hint.mu.Lock()
			if d.hint.peer == best.ID {
				d.hint.height = 0 // a hint we cannot fetch is no hint
			}
			d.hint.mu.Unlock()
			wait = 50 * time.Millisecond
			continue
		}
		lvl := zap.DebugLevel // following a block or two behind is routine for a full node
		if best.Hello.Head > head.Height+2 {
			lvl = zap.InfoLevel
		}
		d.n.log.Log(lvl, "syncing", zap.Uint64("from", from), zap.Int("blocks", len(blocks)), zap.Uint64("peer_head", best.Hello.Head))
		for _, sb := range blocks {
			select {
			case d.decisions <- syncedDecision{consensus.Decision{Block: sb.Block, Commit: sb.Commit}, best.ID}:
				fetched = sb.Block.Height()
			case <-ctx.Done():
				return
			}
		}
		// Fetch the next range while the driver applies this one, keeping
		// at most a range queued.
		for len(d.decisions) > 256 && ctx.Err() == nil {
			time.Sleep(2 * time.Millisecond)
		}
		// Once the driver has taken every decision, the head must reach the
		// last: a refused commit (a bad peer) drops the rest, which are
		// fetched again from the head.
		if len(d.decisions) == 0 {
			deadline := time.Now().Add(time.Second)
			now, _ := d.n.store.Head()
			for now.Height < fetched && time.Now().Before(deadline) && ctx.Err() == nil {
				time.Sleep(2 * time.Millisecond)
				now, _ = d.n.store.Head()
			}
			if now.Height < fetched {
				fetched = now.Height
			}
		}
	}
}
