package sim

import (
	"fmt"
	"github.com/taonet/taod/staking"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// genesisMs is the simulated chains' genesis time: the clock starts there
// and runs tickMs per tick.
const (
	genesisMs = 1_700_000_000_000
	tickMs    = 10
)

// chainApp is a node's real chain (chain.Chain) on in-memory Pebble
// (vfs.NewMem), run through the production App, driver.ChainApp: blocks are
// proposed, executed and committed as in a node, and the validator set is
// the chain's. A byzantine node also proposes corrupt blocks and signs twins.
// The store outlives crashes (every commit is synced); the ChainApp and its
// cache of executed blocks do not.
type chainApp struct {
	*driver.ChainApp
	w         *world
	n         *node
	byzantine bool
	chain     *chain.Chain
	store     *state.Store
}

// simGenesis is the chains' genesis: the test preset with the scenario's
// validators and powers (bootstrap validators, fixed power), the sim's
// chain ID, and a downtime window no scenario outlasts.
func simGenesis(vals []types.Validator) (*chain.Genesis, error) {
	addrs := make([]types.Address, len(vals))
	for i, v := range vals {
		addrs[i] = v.Address
	}
	g, err := chain.Preset("test", genesisMs, addrs, nil, 0)
	if err != nil {
		return nil, err
	}
	g.ChainID = chainID
	g.Validators = append([]types.Validator(nil), vals...)
	g.Params.Staking.DowntimeWindow = staking.MaxDowntimeWindow
	return g, g.Validate()
}

func newChainApp(w *world, n *node, g *chain.Genesis) (*chainApp, error) {
	st, err := state.Open("/chain", state.Options{FS: vfs.NewMem(), CacheMB: 1, MemTableMB: 1, TrieCache: 1, FlatCache: 1, Handles: 16, Logger: quietLog{}})
	if err != nil {
		return nil, err
	}
	c, err := chain.New(st, g)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &chainApp{w: w, n: n, byzantine: n.byzantine, chain: c, store: st}
	a.reset()
	return a, nil
}

// reset drops what a crash loses: the executed blocks held in memory.
func (a *chainApp) reset() { a.ChainApp = driver.NewChainApp(a.chain, a.store, nil, nil, nil) }

func (a *chainApp) close() error { return a.store.Close() }

// Propose: a byzantine proposer's block is corrupt one time in three.
func (a *chainApp) Propose(req *consensus.ProposalRequest, proposer types.Address, nowMs uint64, ev []types.Evidence) (*types.Block, error) {
	b, err := a.ChainApp.Propose(req, proposer, nowMs, ev)
	if err != nil || !a.byzantine || a.w.rng.IntN(3) != 0 {
		return b, err
	}
	return corrupt(b), nil
}

// Twin is another block of b's height: the same content at a later time, or
// a corrupt one.
func (a *chainApp) Twin(b *types.Block, invalid bool, salt byte) *types.Block {
	if invalid {
		return corrupt(b)
	}
	e, _, err := a.chain.Propose(chain.Proposal{Time: b.Header.Time + uint64(salt), Proposer: b.Header.Proposer, LastCommit: b.LastCommit, Evidence: b.Evidence}, nil)
	if err != nil {
		return corrupt(b)
	}
	return e.Block
}

// corrupt is b with a state root no execution gives.
func corrupt(b *types.Block) *types.Block {
	h := b.Header
	h.StateRoot = invalidMark
	return types.NewBlock(h, b.Txs, b.LastCommit, b.Evidence)
}

// Decided implements App.
func (a *chainApp) Decided(h uint64) (*consensus.Decision, error) {
	b, err := a.store.BlockByHeight(h)
	if err != nil {
		return nil, err
	}
	c, err := a.store.SeenCommit(h)
	if err != nil {
		return nil, err
	}
	if b == nil || c == nil {
		return nil, fmt.Errorf("sim: no block %d", h)
	}
	return &consensus.Decision{Block: b, Commit: c}, nil
}

// quietLog drops Pebble's messages.
type quietLog struct{}

func (quietLog) Debugf(string, ...any) {}
func (quietLog) Errorf(string, ...any) {}
