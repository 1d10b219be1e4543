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

// A peer's declared head is a claim, not a fact: a peer that claims to be
// ahead and then answers a fetch with nothing, an error or a timeout is left
// out of sync for syncBenchBase, doubling with each failure in a row up to
// syncBenchMax, and the next peer is tried. A peer that answers, but slowly
// (fewer blocks than asked in more than syncSlow), is asked after the others.
// Malformed data gets a peer banned (p2p, and the driver for a bad commit).
const (
	syncBenchBase = 2 * time.Second
	syncBenchMax  = 5 * time.Minute
	syncSlow      = 3 * time.Second
	// maxSyncReps bounds the reputations kept: records of peers that left
	// and whose bench is over are dropped beyond it.
	maxSyncReps = 1024
)

// syncRep is how one peer's claims to be ahead have held up.
type syncRep struct {
	fails int       // failed fetches in a row
	until time.Time // not asked for blocks before this
	slow  bool      // its last answer was slow
}

// syncPeers is the sync loop's record of its peers; only that goroutine
// uses it.
type syncPeers map[p2p.PeerID]*syncRep

func (sp syncPeers) rep(p p2p.PeerID) syncRep {
	if r := sp[p]; r != nil {
		return *r
	}
	return syncRep{}
}

// failed notes a failed fetch from p and returns how long p is benched.
func (sp syncPeers) failed(p p2p.PeerID, now time.Time) time.Duration {
	r := sp[p]
	if r == nil {
		sp.prune(now)
		r = &syncRep{}
		sp[p] = r
	}
	r.fails++
	d := syncBenchMax
	if r.fails <= 16 && syncBenchBase<<(r.fails-1) < syncBenchMax {
		d = syncBenchBase << (r.fails - 1)
	}
	r.until = now.Add(d)
	return d
}

// served notes a fetch from p that brought blocks.
func (sp syncPeers) served(p p2p.PeerID, slow bool) {
	if !slow {
		delete(sp, p)
		return
	}
	r := sp[p]
	if r == nil {
		r = &syncRep{}
		sp[p] = r
	}
	r.fails, r.until, r.slow = 0, time.Time{}, true
}

// prune drops records whose bench is over once there are too many.
func (sp syncPeers) prune(now time.Time) {
	if len(sp) < maxSyncReps {
		return
	}
	for p, r := range sp {
		if now.After(r.until) {
			delete(sp, p)
		}
	}
}

// syncHint is a copy of blockHint's values.
type syncHint struct {
	height uint64
	peer   p2p.PeerID
}

// syncCandidate is a peer that claims blocks above our head.
type syncCandidate struct {
	id     p2p.PeerID
	head   uint64 // the height it claims
	hinted bool   // the claim is only a block it announced
}

// pickSyncPeer chooses whom to fetch from among the peers that claim a head
// above ours and are not benched: first those with the fewest failures in a
// row, then those not slow, then the highest claim, then by ID (so the
// choice is deterministic). A connected peer that announced a block (hint)
// within maxHintAhead of our head claims at least that block. No claim, however
// high, keeps the loop on one peer: a failure benches it, and the next
// candidate is another.
func pickSyncPeer(peers []p2p.PeerInfo, hint syncHint, reps syncPeers, head uint64, now time.Time) (syncCandidate, bool) {
	var (
		best    syncCandidate
		bestRep syncRep
		found   bool
	)
	consider := func(c syncCandidate) {
		r := reps.rep(c.id)
		if c.head <= head || now.Before(r.until) {
			return
		}
		better := !found
		if found {
			switch {
			case r.fails != bestRep.fails:
				better = r.fails < bestRep.fails
			case r.slow != bestRep.slow:
				better = !r.slow
			case c.head != best.head:
				better = c.head > best.head
			default:
				better = c.id < best.id
			}
		}
		if better {
			best, bestRep, found = c, r, true
		}
	}
	for _, p := range peers {
		c := syncCandidate{id: p.ID, head: p.Hello.Head}
		if p.ID == hint.peer && hint.height > c.head && hint.height <= head+maxHintAhead {
			c.head, c.hinted = hint.height, true
		}
		consider(c)
	}
	return best, found
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
		reps    = make(syncPeers)
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
		d.hint.mu.Lock()
		hint := syncHint{height: d.hint.height, peer: d.hint.peer}
		d.hint.mu.Unlock()
		best, _ := pickSyncPeer(d.n.host.Peers(), hint, reps, head.Height, time.Now())
		if !shouldSync(head.Height, best.head, &lag, time.Now()) {
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
		if from > best.head {
			continue
		}
		count := int(min(best.head-from+1, 256))
		start := time.Now()
		blocks, err := d.n.host.FetchBlocks(ctx, best.id, from, count)
		if ctx.Err() != nil {
			return
		}
		if err != nil || len(blocks) == 0 {
			if best.hinted {
				d.hint.mu.Lock()
				if d.hint.peer == best.id {
					d.hint.height = 0 // a hint we cannot fetch is no hint
				}
				d.hint.mu.Unlock()
			}
			// An empty answer from a peer that announced a block is no lie:
			// a relay may not have committed it yet. An empty answer to its
			// own declared head, an error or a timeout is.
			if err != nil || !best.hinted {
				bench := reps.failed(best.id, time.Now())
				d.n.log.Debug("block sync: peer failed its claim", zap.Stringer("peer", best.id), zap.Uint64("claimed", best.head),
					zap.Uint64("from", from), zap.Duration("benched", bench), zap.Error(err))
			}
			wait = 50 * time.Millisecond
			continue
		}
		reps.served(best.id, len(blocks) < count && time.Since(start) > syncSlow)
		lvl := zap.DebugLevel // following a block or two behind is routine for a full node
		if best.head > head.Height+2 {
			lvl = zap.InfoLevel
		}
		d.n.log.Log(lvl, "syncing", zap.Uint64("from", from), zap.Int("blocks", len(blocks)), zap.Uint64("peer_head", best.head))
		for _, sb := range blocks {
			select {
			case d.decisions <- syncedDecision{consensus.Decision{Block: sb.Block, Commit: sb.Commit}, best.id}:
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
