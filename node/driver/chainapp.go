package driver

import (
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Store is where ChainApp keeps node-local metadata, which is not chain
// state (the proposer priorities of valset.go): state.Store. The committed
// chain itself (head, commits) it reads through chain.Chain.
type Store interface {
	GetMeta(k string) ([]byte, error)
	PutMeta(k string, v []byte) error
}

// Mempool is the txpool as the proposer and validator use it.
type Mempool interface {
	// Pending returns up to max txs ready to include, in order.
	Pending(st *state.State, max int) []*types.Tx
	// Update drops what block b included and the rejected txs.
	Update(st *state.State, b *types.Block, rejected []chain.Rejected)
	// Get returns the pool's copy of a tx (its sender already recovered).
	Get(h types.Hash) (*types.Tx, bool)
}

// Committed is a block ChainApp just committed, for the node's bookkeeping
// (pool, metrics, logs, head subscribers).
type Committed struct {
	Executed   *chain.Executed
	Start      time.Time // when the commit began
	ParentTime uint64    // the parent header's time, Unix ms
	CatchingUp bool
}

// ChainApp is the production App: the chain on its store, proposing from a
// txpool. It keeps the blocks executed at the current height so that a
// proposal validated (or built) here is not executed again at commit.
type ChainApp struct {
	chain    *chain.Chain
	store    Store
	pool     Mempool // nil: propose empty blocks
	log      *zap.Logger
	onCommit func(Committed)
	executed map[types.Hash]*chain.Executed
}

// NewChainApp returns the App of c on store s. pool may be nil; onCommit,
// if set, is called after each commit.
func NewChainApp(c *chain.Chain, s Store, pool Mempool, log *zap.Logger, onCommit func(Committed)) *ChainApp {
	if log == nil {
		log = zap.NewNop()
	}
	return &ChainApp{chain: c, store: s, pool: pool, log: log, onCommit: onCommit, executed: make(map[types.Hash]*chain.Executed)}
}

// Head implements App.
func (a *ChainApp) Head() uint64 {
	h, _ := a.chain.Head()
	return h.Height
}

// SeenCommit implements App.
func (a *ChainApp) SeenCommit(h uint64) (*types.Commit, error) { return a.chain.SeenCommit(h) }

// Validators implements App.
func (a *ChainApp) Validators(h uint64) ([]types.Validator, error) {
	vs, err := a.chain.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	return vs.Validators, nil
}

// EvidenceMaxAge implements App: evidence is usable for the unbonding period.
func (a *ChainApp) EvidenceMaxAge() uint64 { return a.chain.Params().Staking.UnbondingPeriod }

// GetMeta implements App.
func (a *ChainApp) GetMeta(k string) ([]byte, error) { return a.store.GetMeta(k) }

// PutMeta implements App.
func (a *ChainApp) PutMeta(k string, v []byte) error { return a.store.PutMeta(k, v) }

// Propose implements App: a block from the txpool's pending txs.
func (a *ChainApp) Propose(req *consensus.ProposalRequest, proposer types.Address, nowMs uint64, evidence []types.Evidence) (*types.Block, error) {
	var candidates []*types.Tx
	if a.pool != nil {
		candidates = a.pool.Pending(a.chain.State(), a.chain.Params().MaxBlockTxs)
	}
	e, rejected, err := a.chain.Propose(chain.Proposal{Time: nowMs, Proposer: proposer, LastCommit: req.LastCommit, Evidence: evidence}, candidates)
	if errors.Is(err, gov.ErrUpgradeRequired) {
		a.log.Error("stopping for a software upgrade", zap.Uint64("height", req.Height), zap.Error(err))
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if len(rejected) > 0 && a.pool != nil {
		a.pool.Update(a.chain.State(), &types.Block{}, rejected)
	}
	a.executed[e.Block.Hash()] = e
	return e.Block, nil
}

// Validate implements App: it executes the proposal (once per block).
func (a *ChainApp) Validate(b *types.Block, nowMs uint64) error {
	if _, ok := a.executed[b.Hash()]; ok {
		return nil
	}
	a.usePooled(b)
	e, err := a.chain.Execute(b, nowMs)
	if err != nil {
		return err
	}
	a.executed[b.Hash()] = e
	return nil
}

// usePooled swaps a block's txs for the pool's copies of the same bytes,
// whose senders were already recovered when they arrived: executing a
// proposal then costs no signature recovery for txs this node has seen.
func (a *ChainApp) usePooled(b *types.Block) {
	if a.pool == nil {
		return
	}
	for i, tx := range b.Txs {
		if p, ok := a.pool.Get(tx.Hash()); ok {
			b.Txs[i] = p
		}
	}
}

// Commit implements App.
func (a *ChainApp) Commit(dec *consensus.Decision, catchingUp bool) error {
	start := time.Now()
	b := dec.Block
	e, ok := a.executed[b.Hash()]
	if !ok {
		var err error
		if e, err = a.chain.Execute(b, 0); err != nil {
			if errors.Is(err, gov.ErrUpgradeRequired) {
				return err
			}
			return fmt.Errorf("driver: decided block %d does not execute (state diverged?): %w", b.Height(), err)
		}
	}
	parent, _ := a.chain.Head()
	commit := a.chain.Commit
	if catchingUp {
		commit = a.chain.CommitDeferSync // the last block of the batch syncs
	}
	if err := commit(e, dec.Commit); err != nil {
		return err
	}
	clear(a.executed) // a new height: nothing executed for it yet
	if a.onCommit != nil {
		a.onCommit(Committed{Executed: e, Start: start, ParentTime: parent.Time, CatchingUp: catchingUp})
	}
	return nil
}
