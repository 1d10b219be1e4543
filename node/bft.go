package node

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// tick is the consensus engine's unit of time.
const tick = 10 * time.Millisecond

// inbound is a consensus message from a peer.
type inbound struct {
	from p2p.PeerID
	msg  consensus.Message
}

// driver owns the consensus engine: it feeds it ticks, peer messages and
// synced decisions, and does what each Ready asks, in the engine's order:
// persist (WAL + fsync), broadcast, evidence, validate, propose, commit.
type driver struct {
	n      *Node
	eng    *consensus.Engine
	wal    *wal.WAL
	signer *consensus.KeySigner // nil: observer (full node)
	key    *ecdsa.PrivateKey

	msgs      chan inbound
	decisions chan syncedDecision
	syncWake  chan struct{} // a peer announced a block above our head
	hint      blockHint

	set      *consensus.ValidatorSet        // the current height's set, with priorities
	executed map[types.Hash]*chain.Executed // blocks executed at the current height
	evidence []types.Evidence               // seen double signs, for our proposals
	ctx      context.Context                // of Run; for publishing
}

func newDriver(n *Node, key *ecdsa.PrivateKey) (*driver, error) {
	d := &driver{
		n:         n,
		msgs:      make(chan inbound, 4096),
		decisions: make(chan syncedDecision, 512),
		syncWake:  make(chan struct{}, 1),
		executed:  make(map[types.Hash]*chain.Executed),
	}
	p := n.chain.Params()
	cfg := consensus.Config{ChainID: n.chain.ChainID(), Timeouts: consensus.DefaultTimeouts(),
		Verifier: consensus.SigVerifier{ChainID: n.chain.ChainID(), Cache: n.chain.SigCache()}}
	cfg.Timeouts.Commit = p.BlockTimeMs / uint64(tick/time.Millisecond)
	if key != nil {
		d.key = key
		d.signer = consensus.NewKeySigner(n.chain.ChainID(), key)
		cfg.Signer = d.signer
	}
	eng, err := consensus.New(cfg)
	if err != nil {
		return nil, err
	}
	d.eng = eng
	path := filepath.Join(n.cfg.Path(n.cfg.DataDir), "consensus.wal")
	w, rep, err := wal.Open(wal.OS(), path)
	if err != nil {
		return nil, fmt.Errorf("node: consensus WAL (refusing to start rather than risk a double sign): %w", err)
	}
	if rep.Warning != nil {
		n.log.Warn("consensus WAL: truncated a torn final record", zap.Error(rep.Warning))
	}
	d.wal = w
	recs := make([]consensus.Record, 0, len(rep.Records))
	for i, b := range rep.Records {
		r, err := consensus.DecodeRecord(b)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("node: consensus WAL record %d does not decode: %w", i, err)
		}
		recs = append(recs, r)
	}
	if err := eng.Restore(recs); err != nil {
		w.Close()
		return nil, fmt.Errorf("node: restore consensus from its WAL: %w", err)
	}
	if err := d.startHeight(); err != nil {
		w.Close()
		return nil, err
	}
	// Our own signatures reach past the store's head: the store lost
	// blocks we helped commit (a damaged data directory, or one restored
	// from an older backup). The WAL's records re-decide what they can;
	// below the watermark the engine will not sign, so the node catches up
	// by block sync first — and a lone validator cannot: say so.
	if head, _ := n.store.Head(); eng.Watermark() > head.Height+1 {
		n.log.Warn("the store is behind heights this validator already signed; it will not sign again until it has caught up (by the consensus WAL or block sync)",
			zap.Uint64("head", head.Height), zap.Uint64("signed_up_to", eng.Watermark()))
	}
	return d, nil
}

// metaSet is where the current height's validator set with its proposer
// priorities is kept: height (8 bytes) ‖ encoded set.
const metaSet = "consensus/valset"

// startHeight gives the engine the height after the head.
func (d *driver) startHeight() error {
	head, _ := d.n.store.Head()
	h := head.Height + 1
	set, err := d.setFor(h)
	if err != nil {
		return err
	}
	d.set = set
	var last *types.Commit
	if head.Height > 0 {
		if last, err = d.n.store.SeenCommit(head.Height); err != nil {
			return err
		}
	}
	clear(d.executed)
	// The set of h+1 is stored once the head is applied (it is decided at
	// the end of an epoch's last block, for the height after next); only
	// its members get slots for next-height messages.
	var next []types.Validator
	if vs, err := d.n.chain.ValidatorSet(h + 1); err == nil {
		next = vs.Validators
	}
	if err := d.eng.NewHeight(consensus.HeightParams{Height: h, Validators: set, LastCommit: last, NextValidators: next}); err != nil {
		return err
	}
	d.publishView()
	return nil
}

// publishView tells the gossip check the engine's height, round and set.
func (d *driver) publishView() {
	st := d.eng.Status()
	if v := d.n.gate.view.Load(); v != nil && v.height == st.Height && v.round == st.Round {
		return
	}
	d.n.gate.view.Store(&engineView{height: st.Height, round: st.Round, set: d.set})
}

// setFor returns the consensus set of height h with its priorities: stored,
// or rolled forward from the last stored one (or from genesis).
func (d *driver) setFor(h uint64) (*consensus.ValidatorSet, error) {
	var (
		from uint64
		set  *consensus.ValidatorSet
	)
	if b, err := d.n.store.GetMeta(metaSet); err == nil && len(b) > 8 {
		from = binary.BigEndian.Uint64(b)
		if s, err := consensus.DecodeValidatorSet(b[8:]); err == nil && from <= h {
			set = s
		}
	}
	if set == nil {
		vs, err := d.n.chain.ValidatorSet(1)
		if err != nil {
			return nil, err
		}
		if set, err = consensus.NewValidatorSet(vs.Validators); err != nil {
			return nil, err
		}
		from = 1
	}
	for ; from < h; from++ {
		vs, err := d.n.chain.ValidatorSet(from + 1)
		if err != nil {
			return nil, err
		}
		if set, err = set.Next(vs.Validators); err != nil {
			return nil, err
		}
	}
	return set, d.saveSet(h, set)
}

func (d *driver) saveSet(h uint64, s *consensus.ValidatorSet) error {
	enc, err := s.Encode()
	if err != nil {
		return err
	}
	return d.n.store.PutMeta(metaSet, append(binary.BigEndian.AppendUint64(nil, h), enc...))
}

// run drives the engine until ctx ends or something fails.
func (d *driver) run(ctx context.Context) error {
	d.ctx = ctx
	defer d.wal.Close()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			d.eng.Tick()
		case in := <-d.msgs:
			// Gossip delivers only what the gossip check authenticated, so
			// an error here is not the sender's doing: an out-of-turn
			// proposal it could not judge (its author is a validator), or a
			// view that moved between the check and now. The relayer is
			// never punished for it.
			if err := d.eng.Step(in.msg); err != nil {
				d.n.log.Debug("consensus message refused", zap.Stringer("peer", in.from), zap.Error(err))
			}
		case dec := <-d.decisions:
			if dec.Block.Height() == d.eng.Height() {
				if err := d.eng.Step(dec.Decision); err != nil {
					d.n.log.Warn("synced block refused", zap.Uint64("height", dec.Block.Height()), zap.Stringer("peer", dec.from), zap.Error(err))
					// A commit that does not finalise the block it came
					// with is garbage from the peer that served it.
					if errors.Is(err, consensus.ErrBadCommit) && d.n.host != nil {
						d.n.host.Ban(dec.from, "bad_sync_commit")
					}
				}
			}
		}
		if err := d.drain(); err != nil {
			return err
		}
		d.publishView()
	}
}

// drain does what the engine asks until it has nothing more.
func (d *driver) drain() error {
	for d.eng.HasReady() {
		rd := d.eng.Ready()
		if len(rd.Persist) > 0 {
			recs := make([][]byte, len(rd.Persist))
			for i, r := range rd.Persist {
				b, err := r.Encode()
				if err != nil {
					return fmt.Errorf("node: encode WAL record: %w", err)
				}
				recs[i] = b
			}
			if err := d.wal.Append(recs...); err != nil {
				return fmt.Errorf("node: consensus WAL append (stopping: cannot vote safely): %w", err)
			}
		}
		for _, m := range rd.Broadcast {
			if d.n.host == nil {
				continue
			}
			for _, out := range append([]consensus.Message{m}, d.faults(m)...) {
				b, err := out.Encode()
				if err != nil {
					return err
				}
				if err := d.n.host.PublishConsensus(d.ctx, b); err != nil && d.ctx.Err() == nil {
					d.n.log.Debug("publish consensus message", zap.Error(err))
				}
			}
		}
		for _, ev := range rd.Evidence {
			d.addEvidence(ev)
		}
		for _, b := range rd.ToValidate {
			d.validate(b)
		}
		if rd.NeedProposal != nil {
			if err := d.propose(rd.NeedProposal); err != nil {
				return err
			}
		}
		if rd.Commit != nil {
			if err := d.commit(rd.Commit); err != nil {
				return err
			}
		}
		d.eng.Advance(rd)
	}
	return nil
}

func (d *driver) addEvidence(ev types.Evidence) {
	for i := range d.evidence {
		if d.evidence[i].SameOffence(&ev) {
			return
		}
	}
	d.n.log.Warn("double sign seen", zap.Stringer("validator", ev.A.Validator), zap.Uint64("height", ev.A.Height), zap.Uint32("round", ev.A.Round))
	d.evidence = append(d.evidence, ev)
}

// nowMs is the node's clock in Unix ms (skewed by a chaos fault switch).
func (d *driver) nowMs() uint64 { return uint64(time.Now().UnixMilli() + d.n.clockSkewMs()) }

// validate executes a proposed block and tells the engine whether it is valid.
func (d *driver) validate(b *types.Block) {
	valid := true
	if _, ok := d.executed[b.Hash()]; !ok {
		d.usePooled(b)
		e, err := d.n.chain.Execute(b, d.nowMs())
		if err != nil {
			valid = false
			d.n.log.Info("prevoting nil: invalid proposal", zap.Uint64("height", b.Height()), zap.Stringer("hash", b.Hash()), zap.Error(err))
		} else {
			d.executed[b.Hash()] = e
		}
	}
	d.step(consensus.Validated{Height: b.Height(), Hash: b.Hash(), Valid: valid})
}

func (d *driver) step(m consensus.Msg) {
	if err := d.eng.Step(m); err != nil {
		d.n.log.Debug("engine refused own input", zap.Error(err))
	}
}

// usePooled swaps a block's txs for the pool's copies of the same bytes,
// whose senders were already recovered when they arrived: executing a
// proposal then costs no signature recovery for txs this node has seen.
func (d *driver) usePooled(b *types.Block) {
	for i, tx := range b.Txs {
		if p, ok := d.n.pool.Get(tx.Hash()); ok {
			b.Txs[i] = p
		}
	}
}

// propose builds a block from the txpool and hands it to the engine.
func (d *driver) propose(req *consensus.ProposalRequest) error {
	head, _ := d.n.store.Head()
	t := d.nowMs()
	if t <= head.Time {
		t = head.Time + 1
	}
	candidates := d.n.pool.Pending(d.n.chain.State(), d.n.chain.Params().MaxBlockTxs)
	e, rejected, err := d.n.chain.Propose(chain.Proposal{Time: t, Proposer: d.signer.Address(), LastCommit: req.LastCommit, Evidence: d.evidence}, candidates)
	if errors.Is(err, gov.ErrUpgradeRequired) {
		d.n.log.Error("stopping for a software upgrade", zap.Uint64("height", req.Height), zap.Error(err))
		return err
	}
	if err != nil {
		return fmt.Errorf("node: build block %d: %w", req.Height, err)
	}
	if len(rejected) > 0 {
		d.n.pool.Update(d.n.chain.State(), &types.Block{}, rejected)
	}
	d.executed[e.Block.Hash()] = e
	d.step(consensus.ProposalBlock{Height: req.Height, Round: req.Round, Block: e.Block})
	return nil
}

// commit applies a decided block, then starts the next height.
func (d *driver) commit(dec *consensus.Decision) error {
	start := time.Now()
	b := dec.Block
	e, ok := d.executed[b.Hash()]
	if !ok {
		var err error
		if e, err = d.n.chain.Execute(b, 0); err != nil {
			if errors.Is(err, gov.ErrUpgradeRequired) {
				return err
			}
			return fmt.Errorf("node: decided block %d does not execute (state diverged?): %w", b.Height(), err)
		}
	}
	parent, _ := d.n.store.Head()
	commit := d.n.chain.Commit
	if len(d.decisions) > 0 {
		commit = d.n.chain.CommitDeferSync // catching up: the last block of the batch syncs
	}
	if err := commit(e, dec.Commit); err != nil {
		return err
	}
	d.n.afterCommit(e, nil, start, parent.Time, len(d.decisions) > 0)
	d.pruneEvidence(b)
	vs, err := d.n.chain.ValidatorSet(b.Height() + 1)
	if err != nil {
		return err
	}
	next, err := d.set.Next(vs.Validators)
	if err != nil {
		return err
	}
	if err := d.saveSet(b.Height()+1, next); err != nil {
		return err
	}
	// Compacting rewrites and fsyncs the WAL: do it now and then, not per
	// height (records of old heights are harmless on restore).
	if h := b.Height(); d.wal.Size() > 0 && (h%100 == 0 || d.wal.Size() > 4<<20) {
		if err := d.wal.Compact(func(rec []byte) bool {
			r, err := consensus.DecodeRecord(rec)
			return err != nil || r.Height() > h
		}); err != nil {
			return fmt.Errorf("node: compact consensus WAL: %w", err)
		}
	}
	// Announce blocks decided live; blocks replayed by sync are old news.
	if d.n.host != nil && len(d.decisions) == 0 {
		go d.n.host.PublishBlock(d.ctx, b)
	}
	return d.startHeight()
}

// pruneEvidence drops evidence the block carried or that is too old to use.
func (d *driver) pruneEvidence(b *types.Block) {
	keep := d.evidence[:0]
	maxAge := d.n.chain.Params().Staking.UnbondingPeriod
	for _, ev := range d.evidence {
		included := false
		for i := range b.Evidence {
			included = included || b.Evidence[i].SameOffence(&ev)
		}
		if !included && ev.A.Height+maxAge >= b.Height() {
			keep = append(keep, ev)
		}
	}
	d.evidence = keep
}

// storeSource adapts the store to p2p.BlockSource.
type storeSource struct{ s *state.Store }

func (s storeSource) Head() uint64 {
	h, _ := s.s.Head()
	return h.Height
}
func (s storeSource) BlockAt(h uint64) (*types.Block, error)   { return s.s.BlockByHeight(h) }
func (s storeSource) CommitAt(h uint64) (*types.Commit, error) { return s.s.SeenCommit(h) }

// syncedDecision is a fetched block and its commit, with the peer that
// served them (banned if the commit does not hold).
type syncedDecision struct {
	consensus.Decision
	from p2p.PeerID
}
