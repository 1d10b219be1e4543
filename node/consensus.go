package node

import (
	"context"
	"fmt"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// openDriver opens the consensus WAL and the driver over the chain, the
// txpool and the p2p host (the transport). A WAL that does not replay stops
// the node: it would rather not start than risk a double sign.
func (n *Node) openDriver() error {
	path := filepath.Join(n.cfg.Path(n.cfg.DataDir), "consensus.wal")
	w, rep, err := wal.Open(wal.OS(), path)
	if err != nil {
		return fmt.Errorf("node: consensus WAL (refusing to start rather than risk a double sign): %w", err)
	}
	if rep.Warning != nil {
		n.log.Warn("consensus WAL: truncated a torn final record", zap.Error(rep.Warning))
	}
	p := n.chain.Params()
	cfg := driver.Config{
		ChainID:  n.chain.ChainID(),
		Timeouts: consensus.DefaultTimeouts(),
		// The gossip gate already recovered most votes' signers into the
		// chain's cache: the engine reads them there instead of again.
		Verifier:  consensus.SigVerifier{ChainID: n.chain.ChainID(), Cache: n.chain.SigCache()},
		App:       driver.NewChainApp(n.chain, n.store, n.pool, n.log, n.afterCommit),
		WAL:       w,
		Transport: n.transport,
		Clock:     driver.RealClock{SkewMs: n.clockSkewMs()},
		Log:       n.log,
		OnView: func(v driver.View) {
			n.gate.view.Store(&engineView{height: v.Height, round: v.Round, set: v.Set})
		},
	}
	cfg.Timeouts.Commit = p.BlockTimeMs / uint64(driver.TickInterval.Milliseconds())
	if n.valKey != nil {
		cfg.Signer = consensus.NewKeySigner(n.chain.ChainID(), n.valKey)
	}
	d, err := driver.Open(cfg, rep.Records)
	if err != nil {
		w.Close()
		return fmt.Errorf("node: %w", err)
	}
	n.driver, n.wal = d, w
	return nil
}

// transport is the driver's network: consensus messages and block
// announcements over the p2p host (none without one). Announcements are
// queued for a goroutine that Run owns, so the driver never waits for the
// network.
type transport struct {
	n         *Node
	announces chan *types.Block
}

// maxQueuedAnnounces bounds the blocks waiting to be announced; beyond it
// the oldest news is dropped (peers learn of a block from each neighbour).
const maxQueuedAnnounces = 16

func newTransport(n *Node) *transport {
	return &transport{n: n, announces: make(chan *types.Block, maxQueuedAnnounces)}
}

// Broadcast implements driver.Transport (with a chaos build's faults).
func (t *transport) Broadcast(ctx context.Context, m consensus.Message) error {
	if t.n.host == nil {
		return nil
	}
	var first error
	for _, out := range append([]consensus.Message{m}, t.n.faults(m)...) {
		b, err := t.encode(out)
		if err == nil {
			err = t.n.host.PublishConsensus(ctx, b)
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// encode is a message's wire form: compact for a proposal (compact.go)
// unless the node is configured to send full ones. The proposal's block is
// kept so that this node serves its txs to peers completing it.
func (t *transport) encode(m consensus.Message) ([]byte, error) {
	c := t.n.gate.compact
	if m.Proposal == nil || t.n.cfg.P2P.FullProposals || c == nil {
		return m.Encode()
	}
	b, err := encodeCompact(m)
	if err != nil {
		return nil, err
	}
	c.recent.add(m.Block)
	c.met.out(len(b), m.Block.Txs)
	return b, nil
}

// Announce implements driver.Transport: it queues b without blocking.
func (t *transport) Announce(_ context.Context, b *types.Block) {
	if t.n.host == nil {
		return
	}
	select {
	case t.announces <- b:
	default:
		t.n.log.Debug("block announcement dropped: queue full", zap.Uint64("height", b.Height()))
	}
}

// run publishes queued announcements until ctx ends.
func (t *transport) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case b := <-t.announces:
			if err := t.n.host.PublishBlock(ctx, b); err != nil && ctx.Err() == nil {
				t.n.log.Debug("announce block", zap.Uint64("height", b.Height()), zap.Error(err))
			}
		}
	}
}

// committedChain is what block sync serves of the committed chain:
// *chain.Chain's read methods.
type committedChain interface {
	Head() (state.Head, bool)
	BlockByHeight(h uint64) (*types.Block, error)
	SeenCommit(h uint64) (*types.Commit, error)
}

// chainSource adapts the committed chain to p2p.BlockSource.
type chainSource struct{ c committedChain }

func (s chainSource) Head() uint64 {
	h, _ := s.c.Head()
	return h.Height
}
func (s chainSource) BlockAt(h uint64) (*types.Block, error)   { return s.c.BlockByHeight(h) }
func (s chainSource) CommitAt(h uint64) (*types.Commit, error) { return s.c.SeenCommit(h) }

// offerConsensus queues a gossiped message, checked and decoded by the gate,
// for the driver.
func (n *Node) offerConsensus(from p2p.PeerID, checked any) {
	m, ok := checked.(consensus.Message)
	if !ok || n.driver == nil {
		return
	}
	n.driver.Offer(from.String(), m) // full: the engine is behind; rebroadcasts bring it again
}
