package node

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// Gossip checks run on pubsub's goroutines, concurrently with the driver:
// they read only the store's head, the chain's stored validator sets (final
// once written) through a locked cache, and a view the driver publishes
// atomically.
//
// A consensus message is relayed only once authenticated, so whoever sends
// an invalid one wrote it or relayed it unchecked: Reject (gossipsub scores
// the sender down) is kept for what every honest node, whatever its height,
// would refuse the same way — form, a signer outside the set of the message's
// height, a bad signature. What a node merely cannot judge yet (a height whose
// set it does not know, a round far ahead) is ignored: not relayed, no blame.

// Bounds of what the gossip check relays.
const (
	// maxGossipRoundsAhead: votes and proposals for rounds further above
	// the engine's are not relayed (the engine holds at most a few rounds
	// ahead anyway; round skipping needs rounds only slightly above).
	maxGossipRoundsAhead = 1000
	// maxProposerCheckRounds bounds the proposer schedule computed per
	// proposal (O(rounds × validators)).
	maxProposerCheckRounds = 64
	// maxValuesPerStep is how many different values one signer's votes (or
	// proposals) of one height, round and step are relayed for: two prove
	// an equivocation; more only cost every node bandwidth. An honest
	// validator signs one.
	maxValuesPerStep = 2
	// maxStepsPerSigner bounds the (round, step) pairs remembered per signer
	// and height; past it the lowest round gives way to a higher one, and
	// lower ones are not relayed (an honest validator reaches it only after
	// ~128 rounds at one height, and moves up).
	maxStepsPerSigner = 256
)

// errUnknownSet: the set of a height is not stored yet (too far ahead).
var errUnknownSet = errors.New("node: validator set of that height not known yet")

// engineView is what the driver tells the gossip check of its engine.
type engineView struct {
	height uint64
	round  uint32
	set    *consensus.ValidatorSet // of height, with priorities
}

// gossipGate judges consensus gossip before relay (announcements: checkAnnouncement).
type gossipGate struct {
	chainID uint64
	sigs    *types.SigCache // the chain's: the engine and the chain find what the gate verified
	txs     *types.TxCache  // the chain's: a proposal's txs seen by gossip are not decoded again
	head    func() uint64
	setAt   func(h uint64) (staking.SetRecord, error)
	view    atomic.Pointer[engineView]
	// compact completes compact proposals (compact.go); nil: refused as
	// an unknown kind, as before they existed.
	compact *compactIn

	mu struct {
		sync.Mutex
		sets map[uint64]map[types.Address]bool // members by height, for heights near the head
		// values relayed per height and signer, by round and step
		seen map[uint64]map[types.Address]map[stepKey][]stepValue
	}
}

// stepKey is a round and a step (0: proposal, else the vote type).
type stepKey struct {
	round uint32
	step  uint8
}

// stepValue is what a signer said at a step: a block hash (and, for a
// proposal, its proof-of-lock round).
type stepValue struct {
	hash types.Hash
	pol  uint32
}

func newGossipGate(n *Node) *gossipGate {
	g := &gossipGate{
		chainID: n.chain.ChainID(),
		sigs:    n.chain.SigCache(),
		txs:     n.chain.TxCache(),
		head: func() uint64 {
			h, _ := n.chain.Head()
			return h.Height
		},
		setAt: n.chain.ValidatorSet,
	}
	g.mu.sets = make(map[uint64]map[types.Address]bool)
	g.mu.seen = make(map[uint64]map[types.Address]map[stepKey][]stepValue)
	return g
}

// fresh records a verified statement and reports whether to relay it: a
// value already relayed (a rebroadcast) or one of the first
// maxValuesPerStep at its step.
func (g *gossipGate) fresh(h, head uint64, signer types.Address, k stepKey, v stepValue) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for old := range g.mu.seen {
		if old+1 < head {
			delete(g.mu.seen, old)
		}
	}
	bySigner := g.mu.seen[h]
	if bySigner == nil {
		bySigner = make(map[types.Address]map[stepKey][]stepValue)
		g.mu.seen[h] = bySigner
	}
	steps := bySigner[signer]
	if steps == nil {
		steps = make(map[stepKey][]stepValue)
		bySigner[signer] = steps
	}
	vals, ok := steps[k]
	if slices.Contains(vals, v) {
		return true
	}
	if len(vals) >= maxValuesPerStep {
		return false
	}
	if !ok && len(steps) >= maxStepsPerSigner {
		lowest := k
		for s := range steps {
			if s.round < lowest.round || s.round == lowest.round && s.step < lowest.step {
				lowest = s
			}
		}
		if lowest == k {
			return false
		}
		delete(steps, lowest)
	}
	steps[k] = append(vals, v)
	return true
}

// members returns the members of the set of height h, read once per height.
func (g *gossipGate) members(h, head uint64) (map[types.Address]bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.mu.sets[h]; ok {
		return m, nil
	}
	vs, err := g.setAt(h)
	if err != nil {
		return nil, errUnknownSet
	}
	m := make(map[types.Address]bool, len(vs.Validators))
	for _, v := range vs.Validators {
		m[v.Address] = true
	}
	for k := range g.mu.sets {
		if k+1 < head { // only heights the window still accepts are kept
			delete(g.mu.sets, k)
		}
	}
	g.mu.sets[h] = m
	return m, nil
}

// checkConsensus judges one consensus message (the engine's encoding),
// cheapest checks first: form, height and round window, signer in the set of
// that height, then signatures (remembered, so the engine does not recover
// them again).
func (g *gossipGate) checkConsensus(b []byte) p2p.Verdict {
	v, _ := g.checkMessage(b)
	return v
}

// checkMessage is checkConsensus returning the decoded message too: what it
// accepts reaches the driver without being decoded a second time (a
// proposal carries a whole block).
func (g *gossipGate) checkMessage(b []byte) (p2p.Verdict, consensus.Message) {
	m, err := consensus.DecodeMessageWith(b, g.txs)
	if err != nil {
		return p2p.Reject, m
	}
	if !wellFormed(m) {
		return p2p.Reject, m
	}
	return g.judge(m), m
}

// judge is checkMessage past decoding and form: the height and round
// window, membership, the proposer's turn, signatures, and the per-step
// quota. A compact proposal goes through it with a block of no txs yet (the
// header alone fixes the block's hash and height).
func (g *gossipGate) judge(m consensus.Message) p2p.Verdict {
	head := g.head()
	h := m.Height()
	// The engine uses the head's height (late precommits for the next
	// LastCommit) up to head+2; head−1 is still relayed to stragglers.
	if h+1 < head || h > head+2 {
		return p2p.Ignore
	}
	round := msgRound(m)
	view := g.view.Load()
	if view != nil && h >= view.height {
		base := uint32(0)
		if h == view.height {
			base = view.round
		}
		if uint64(round) > uint64(base)+maxGossipRoundsAhead {
			return p2p.Ignore
		}
	}
	members, err := g.members(h, head)
	if err != nil {
		return p2p.Ignore
	}
	if m.Proposal != nil {
		if !members[m.Proposal.Proposer] {
			return p2p.Reject
		}
		for _, v := range m.POL {
			if !members[v.Validator] {
				return p2p.Reject
			}
		}
		// Out of turn: not relayed where it can be seen, and not blamed (a
		// node at another height relays it without knowing the turn).
		if view != nil && h == view.height && m.Proposal.Round <= view.round+maxProposerCheckRounds &&
			view.set.Proposer(m.Proposal.Round) != m.Proposal.Proposer {
			return p2p.Ignore
		}
		if m.Proposal.VerifyWith(g.chainID, g.sigs) != nil {
			return p2p.Reject
		}
		for _, v := range m.POL {
			if v.VerifyWith(g.chainID, g.sigs) != nil {
				return p2p.Reject
			}
		}
		p := m.Proposal
		if !g.fresh(h, head, p.Proposer, stepKey{p.Round, 0}, stepValue{p.BlockHash, p.POLRound}) {
			return p2p.Ignore
		}
		return p2p.Accept
	}
	v := m.Vote
	if !members[v.Validator] {
		return p2p.Reject
	}
	if v.VerifyWith(g.chainID, g.sigs) != nil {
		return p2p.Reject
	}
	// Counted only once verified: no one spends a validator's quota.
	if !g.fresh(h, head, v.Validator, stepKey{v.Round, uint8(v.Type)}, stepValue{hash: v.BlockHash}) {
		return p2p.Ignore
	}
	return p2p.Accept
}

// wellFormed checks what the engine would refuse as ErrBadMessage, so that
// no message reaching the engine through gossip is malformed.
func wellFormed(m consensus.Message) bool {
	switch {
	case m.Vote != nil && m.Proposal == nil && m.Block == nil && m.POL == nil:
		return m.Vote.Type == types.Prevote || m.Vote.Type == types.Precommit
	case m.Proposal != nil && m.Block != nil && m.Vote == nil:
		p := m.Proposal
		if m.Block.Height() != p.Height || m.Block.Hash() != p.BlockHash {
			return false
		}
		if p.POLRound == consensus.NoRound {
			return len(m.POL) == 0
		}
		if p.POLRound >= p.Round {
			return false
		}
		seen := make(map[types.Address]bool, len(m.POL))
		for _, v := range m.POL {
			if v == nil || v.Type != types.Prevote || v.Height != p.Height || v.Round != p.POLRound || v.BlockHash != p.BlockHash || seen[v.Validator] {
				return false
			}
			seen[v.Validator] = true
		}
		return true
	}
	return false
}

func msgRound(m consensus.Message) uint32 {
	if m.Proposal != nil {
		return m.Proposal.Round
	}
	return m.Vote.Round
}

// haveBlock reports whether the block of height h and hash is ours: its
// announcements (one from each neighbour that commits it) are then dropped
// unread past the header.
func (n *Node) haveBlock(h uint64, hash types.Hash) bool {
	if head, _ := n.chain.Head(); h > head.Height {
		return false
	}
	have, err := n.chain.BlockHash(h)
	return err == nil && have == hash
}

// checkAnnouncement judges an announced block. It is only a hint that its
// sender is ahead: the sync loop fetches it with its commit, which it
// verifies. It is not relayed: the block carries no proof of its own
// finality, and every node that decides a block live announces it, so each
// node hears it from each neighbour that has it. The hint is taken here,
// since an ignored message is not delivered (OnBlock is unused). Not
// relayed, an announcement's sender is its author: one that contradicts our
// finalised chain (another block at a height we have, or one at head+1 not
// extending our head) is a forgery.
func (n *Node) checkAnnouncement(from p2p.PeerID, b *types.Block) p2p.Verdict {
	head, _ := n.chain.Head()
	switch h := b.Height(); {
	case h <= head.Height:
		if have, err := n.chain.BlockHash(h); err == nil && have != b.Hash() {
			return p2p.Reject
		}
	case h == head.Height+1 && b.Header.ParentHash != head.Hash:
		return p2p.Reject
	case h <= head.Height+maxHintAhead && n.sync != nil:
		n.sync.noteAnnounced(from, h)
	}
	return p2p.Ignore
}
