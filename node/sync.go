package node

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/node/driver"
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

// syncer is the block-sync loop: it fetches finalised blocks from peers that
// are ahead and hands them to the driver in batches. Its goroutine is Run's
// (syncLoop); noteAnnounced is called from the gossip check's.
type syncer struct {
	n        *Node
	hint     blockHint
	wake     chan struct{}  // a peer announced a block above our head
	fetches  sync.WaitGroup // fetches started by fetchRange
	progress syncProgress   // catch-up as the RPC reports it
}

func newSyncer(n *Node) *syncer { return &syncer{n: n, wake: make(chan struct{}, 1)} }

// get returns the newest announcement.
func (h *blockHint) get() syncHint {
	h.mu.Lock()
	defer h.mu.Unlock()
	return syncHint{height: h.height, peer: h.peer}
}

// noteAnnounced records an announced block and wakes the sync loop.
func (s *syncer) noteAnnounced(from p2p.PeerID, height uint64) {
	s.hint.mu.Lock()
	if height > s.hint.height {
		s.hint.height, s.hint.peer = height, from
	}
	s.hint.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// A peer's declared head is a claim, not a fact: a peer that claims to be
// ahead and then answers a fetch with nothing, an error or a timeout is left
// out of sync for syncBenchBase, doubling with each failure in a row up to
// syncBenchMax, and the next peer is tried. A peer whose answer was short
// (fewer blocks than asked: legal at the server's byte cap, but it is also
// how a peer trickles) or slow (over syncSlow) is asked after the others
// until it answers in full; one still silent when another peer answered the
// same request (at least syncHedgeAfter later) has failed.
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
	slow  bool      // its last answer was short or slow
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

// rankSyncPeers orders the peers to fetch from: those that claim a head
// above ours and are not benched, first those with the fewest failures in a
// row, then those not slow, then the highest claim, then by ID (so the order
// is deterministic). A connected peer that announced a block (hint) within
// maxHintAhead of our head claims at least that block. No claim, however
// high, keeps the loop on one peer: a failure benches it, and the next
// candidate is another.
func rankSyncPeers(peers []p2p.PeerInfo, hint syncHint, reps syncPeers, head uint64, now time.Time) []syncCandidate {
	type ranked struct {
		syncCandidate
		rep syncRep
	}
	var rs []ranked
	for _, p := range peers {
		c := syncCandidate{id: p.ID, head: p.Hello.Head}
		if p.ID == hint.peer && hint.height > c.head && hint.height <= head+maxHintAhead {
			c.head, c.hinted = hint.height, true
		}
		r := reps.rep(c.id)
		if c.head <= head || now.Before(r.until) {
			continue
		}
		rs = append(rs, ranked{c, r})
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		switch {
		case a.rep.fails != b.rep.fails:
			return cmp.Compare(a.rep.fails, b.rep.fails)
		case a.rep.slow != b.rep.slow:
			if a.rep.slow {
				return 1
			}
			return -1
		case a.head != b.head:
			return cmp.Compare(b.head, a.head)
		}
		return cmp.Compare(a.id, b.id)
	})
	out := make([]syncCandidate, len(rs))
	for i, r := range rs {
		out[i] = r.syncCandidate
	}
	return out
}

// pickSyncPeer is the first of rankSyncPeers.
func pickSyncPeer(peers []p2p.PeerInfo, hint syncHint, reps syncPeers, head uint64, now time.Time) (syncCandidate, bool) {
	cs := rankSyncPeers(peers, hint, reps, head, now)
	if len(cs) == 0 {
		return syncCandidate{}, false
	}
	return cs[0], true
}

// syncHedgeAfter is how long a fetch may go unanswered before the next
// candidate is asked for the same blocks too: a peer that stalls costs this,
// not the frame timeout. The first good answer wins; the others are
// cancelled.
const syncHedgeAfter = time.Second

// fetchResult is one peer's answer to a fetch.
type fetchResult struct {
	c      syncCandidate
	count  int
	blocks []p2p.SyncedBlock
	err    error
	took   time.Duration
}

// fetchRange fetches blocks from `from` on: it asks the first of rank()
// (the candidates claiming at least `from`), and one more, from a fresh
// ranking, each syncHedgeAfter without an answer or at once when an answer
// brings nothing, at most syncMaxAsks peers in all. Ranking afresh lets a
// peer that came ahead meanwhile (an announced block) outrun one that
// stalls. It scores every answer in reps and returns the first that brought
// blocks.
func (s *syncer) fetchRange(ctx context.Context, rank func() []syncCandidate, from uint64, reps syncPeers) (fetchResult, bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the losing fetches, if any
	results := make(chan fetchResult, syncMaxAsks)
	asked := make(map[p2p.PeerID]bool)
	waiting := make(map[p2p.PeerID]bool) // asked, not yet answered
	ask := func() bool {
		if len(asked) >= syncMaxAsks {
			return false
		}
		for _, c := range rank() {
			if c.head < from || asked[c.id] {
				continue
			}
			asked[c.id], waiting[c.id] = true, true
			count := int(min(c.head-from+1, 256))
			// A losing fetch may outlive this call (a stream reads until its
			// deadline); syncLoop waits for every fetch before it returns.
			s.fetches.Go(func() {
				start := time.Now()
				bs, err := s.n.host.FetchBlocks(ctx, c.id, from, count)
				results <- fetchResult{c: c, count: count, blocks: bs, err: err, took: time.Since(start)} // buffered: never blocks
			})
			return true
		}
		return false
	}
	if !ask() {
		return fetchResult{}, false
	}
	hedge := time.NewTimer(syncHedgeAfter)
	defer hedge.Stop()
	for len(waiting) > 0 {
		select {
		case <-hedge.C:
			ask()
			hedge.Reset(syncHedgeAfter)
		case r := <-results:
			delete(waiting, r.c.id)
			if ctx.Err() != nil {
				return fetchResult{}, false
			}
			if r.err == nil && len(r.blocks) > 0 {
				reps.served(r.c.id, len(r.blocks) < r.count || r.took > syncSlow)
				// Those still silent were outrun by over syncHedgeAfter: a
				// failure like a timeout (a bench, so a staller is not asked
				// again at each block once we are level with the others).
				for id := range waiting {
					reps.failed(id, time.Now())
				}
				return r, true
			}
			s.noteFailedClaim(r, from, reps)
			ask()
		}
	}
	return fetchResult{}, false
}

// syncMaxAsks bounds the peers asked for one range in one round.
const syncMaxAsks = 3

// noteFailedClaim scores a fetch that brought nothing.
func (s *syncer) noteFailedClaim(r fetchResult, from uint64, reps syncPeers) {
	if r.c.hinted {
		s.hint.mu.Lock()
		if s.hint.peer == r.c.id {
			s.hint.height = 0 // a hint we cannot fetch is no hint
		}
		s.hint.mu.Unlock()
	}
	// An empty answer from a peer that announced a block is no lie: a relay
	// may not have committed it yet. An empty answer to its own declared
	// head, an error or a timeout is.
	if r.err != nil || !r.c.hinted {
		bench := reps.failed(r.c.id, time.Now())
		s.n.log.Debug("block sync: peer failed its claim", zap.Stringer("peer", r.c.id), zap.Uint64("claimed", r.c.head),
			zap.Uint64("from", from), zap.Duration("benched", bench), zap.Error(r.err))
	}
}

// syncLoop fetches finalised blocks from peers that are ahead and hands them
// to the driver in batches (the engine verifies each commit against the set).
func (s *syncer) syncLoop(ctx context.Context) {
	defer s.fetches.Wait() // they end when the host closes, at the latest
	t := time.NewTimer(syncPoll)
	defer t.Stop()
	var (
		fetched      uint64 // highest height handed to the driver
		lag          lagState
		wait         = syncPoll
		reps         = make(syncPeers)
		inflight     <-chan driver.BatchResult // the batch the driver has, if any
		inflightFrom p2p.PeerID                // the peer that served it
	)
	// awaitBatch waits for the driver's answer to the batch in flight and
	// settles it; false when ctx ended first.
	awaitBatch := func() bool {
		select {
		case r := <-inflight:
			s.settle(r, inflightFrom, &fetched)
			inflight = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		if inflight != nil {
			select {
			case r := <-inflight:
				s.settle(r, inflightFrom, &fetched)
				inflight = nil
			default:
			}
		}
		t.Reset(wait)
		woken := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
			woken = true
		}
		wait = syncPoll
		head, _ := s.n.chain.Head()
		cands := rankSyncPeers(s.n.host.Peers(), s.hint.get(), reps, head.Height, time.Now())
		var best syncCandidate
		if len(cands) > 0 {
			best = cands[0]
		}
		fetching := shouldSync(head.Height, best.head, &lag, time.Now())
		s.progress.note(head.Height, highestClaim(cands), fetching)
		if !fetching {
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
			for _, p := range s.n.host.Peers() {
				wg.Go(func() {
					sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
					defer cancel()
					s.n.host.Status(sctx, p.ID)
				})
			}
			wg.Wait()
			continue
		}
		wait = time.Millisecond // behind: ask again at once after this batch
		from := max(head.Height+1, fetched+1)
		if from > best.head {
			if inflight != nil && !awaitBatch() { // all fetched: wait for the driver
				return
			}
			continue
		}
		rank := func() []syncCandidate {
			return rankSyncPeers(s.n.host.Peers(), s.hint.get(), reps, head.Height, time.Now())
		}
		res, ok := s.fetchRange(ctx, rank, from, reps)
		if ctx.Err() != nil {
			return
		}
		if !ok {
			wait = 50 * time.Millisecond
			continue
		}
		best, blocks := res.c, res.blocks
		lvl := zap.DebugLevel // following a block or two behind is routine for a full node
		if best.head > head.Height+2 {
			lvl = zap.InfoLevel
		}
		s.n.log.Log(lvl, "syncing", zap.Uint64("from", from), zap.Int("blocks", len(blocks)), zap.Uint64("peer_head", best.head))
		// The driver applies one batch while the next is fetched; before
		// handing it another, see how far the last took the head. A refused
		// commit (a bad peer) drops the rest, fetched again from the head.
		if inflight != nil {
			if !awaitBatch() {
				return
			}
			if from > fetched+1 {
				continue // the batch before this one fell short
			}
		}
		decs := make([]consensus.Decision, len(blocks))
		for i, sb := range blocks {
			decs[i] = consensus.Decision{Block: sb.Block, Commit: sb.Commit}
		}
		done := make(chan driver.BatchResult, 1)
		if err := s.n.driver.Sync(ctx, driver.Batch{Decisions: decs, Done: done}); err != nil {
			return
		}
		inflight, inflightFrom = done, best.id
		fetched = blocks[len(blocks)-1].Block.Height()
	}
}

// settle takes the driver's answer to a batch: a commit that does not
// finalise its block is garbage from the peer that served it (banned), and a
// batch that fell short is fetched again from the head it reached.
func (s *syncer) settle(r driver.BatchResult, from p2p.PeerID, fetched *uint64) {
	if errors.Is(r.Err, consensus.ErrBadCommit) && s.n.host != nil {
		s.n.host.Ban(from, "bad_sync_commit")
	}
	if r.Head < *fetched {
		*fetched = r.Head
	}
}

// highestClaim is the highest head the candidates claim (they are ranked by
// reputation first, so it need not be the first's).
func highestClaim(cs []syncCandidate) uint64 {
	var h uint64
	for _, c := range cs {
		h = max(h, c.head)
	}
	return h
}
