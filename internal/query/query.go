package query

import (
	"errors"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"sync"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Chain answers rpc's queries about one chain.
type Chain struct {
	c     *chain.Chain
	store *state.Store

	mu struct {
		sync.Mutex
		head   types.Hash   // the head whose parameters params holds
		params chain.Params // decoded from that head's state
	}
}

var _ rpc.Query = (*Chain)(nil)

// New serves queries about c.
func New(c *chain.Chain) *Chain { return &Chain{c: c, store: c.Store()} }

// ChainID is the chain's numeric ID.
func (q *Chain) ChainID() uint64 { return q.c.ChainID() }

// Head is the last committed block now.
func (q *Chain) Head() rpc.Head {
	h, _ := q.store.Head()
	return rpc.Head(h)
}

// Params are the protocol parameters in force at the head now.
func (q *Chain) Params() chain.Params { return q.c.Params() }

// BlockByHeight returns the block at height; nil, nil if there is none.
func (q *Chain) BlockByHeight(height uint64) (*types.Block, error) {
	return absentAsNil(q.store.BlockByHeight(height))
}

// BlockByHash returns a block by hash; nil, nil if unknown.
func (q *Chain) BlockByHash(hash types.Hash) (*types.Block, error) {
	return absentAsNil(q.store.BlockByHash(hash))
}

func absentAsNil(b *types.Block, err error) (*types.Block, error) {
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// Receipts returns a committed block's receipts.
func (q *Chain) Receipts(block types.Hash) ([]types.Receipt, error) { return q.store.Receipts(block) }

// TxLocation finds a committed transaction.
func (q *Chain) TxLocation(tx types.Hash) (rpc.TxLocation, bool) {
	loc, err := q.store.TxLocation(tx)
	return rpc.TxLocation(loc), err == nil
}

// AccountAt reads an account at a past state root, through the trie.
func (q *Chain) AccountAt(root types.Hash, a types.Address) (rpc.Account, error) {
	r, err := q.store.ReaderAt(root)
	if err != nil {
		return rpc.Account{}, err
	}
	acc, err := r.Account(a)
	return rpc.Account(acc), err
}

// ProveAccount reads an account at a past state root with its Merkle proof.
func (q *Chain) ProveAccount(root types.Hash, a types.Address) (rpc.AccountProof, error) {
	r, err := q.store.ReaderAt(root)
	if err != nil {
		return rpc.AccountProof{}, err
	}
	key := state.AccountKey(a)
	nodes, err := r.Prove(key)
	if err != nil {
		return rpc.AccountProof{}, err
	}
	val, err := r.Get(key)
	if err != nil {
		return rpc.AccountProof{}, err
	}
	acc, _ := r.Account(a) // the value just read, decoded
	return rpc.AccountProof{Account: rpc.Account(acc), Key: key, Value: val, Nodes: nodes}, nil
}

// View opens a consistent view of the head state.
func (q *Chain) View() (rpc.View, error) {
	v, err := q.store.NewView()
	if err != nil {
		return nil, err
	}
	return &view{q: q, v: v, st: v.State(), params: q.paramsAt(v)}, nil
}

// paramsAt decodes the parameters in force at v's head, once per head.
func (q *Chain) paramsAt(v *state.View) chain.Params {
	head := v.Head().Hash
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.mu.head == head && head != (types.Hash{}) {
		return q.mu.params
	}
	p, err := chain.ParamsAt(v.State())
	if err != nil {
		// No readable parameters: the store is damaged. Answer with
		// what the chain falls back to, as it does itself.
		return q.c.Params()
	}
	q.mu.head, q.mu.params = head, p
	return p
}

// view is one block's state; every method reads that block.
type view struct {
	q      *Chain
	v      *state.View
	st     *state.State
	params chain.Params
}

func (v *view) Head() rpc.Head       { return rpc.Head(v.v.Head()) }
func (v *view) Params() chain.Params { return v.params }
func (v *view) Close()               { v.v.Close() }

func (v *view) Account(a types.Address) rpc.Account { return rpc.Account(v.st.Account(a)) }
func (v *view) Issuance() uint64                    { return v.st.Issuance() }
func (v *view) UndistributedPool() uint64           { return v.st.Pool() }

func (v *view) Stake(coldkey, hotkey types.Address) uint64 {
	return staking.Stake(v.st, coldkey, hotkey)
}
func (v *view) Hotkey(hk types.Address) (staking.HotkeyInfo, bool) {
	return staking.HotkeyOf(v.st, hk)
}
func (v *view) Nominators(hk types.Address) []staking.StakePosition {
	return staking.Nominators(v.st, hk)
}
func (v *view) StakesOf(ck types.Address) []staking.StakePosition { return staking.StakesOf(v.st, ck) }
func (v *view) Retired(hk types.Address) (staking.RetiredHotkey, bool) {
	return staking.Retired(v.st, hk)
}

func (v *view) UnbondingOf(ck types.Address) []staking.Unbonding {
	return staking.UnbondingOf(v.st, ck)
}

func (v *view) ColdkeySwap(old types.Address) (staking.ColdkeySwap, bool) {
	return staking.ColdkeySwapOf(v.st, old)
}
func (v *view) ColdkeySwaps(limit int) []staking.ColdkeySwap {
	return staking.PendingColdkeySwaps(v.st, limit)
}
func (v *view) Hotkeys() []rpc.HotkeyEntry {
	hks := staking.Hotkeys(v.st)
	out := make([]rpc.HotkeyEntry, len(hks))
	for i, h := range hks {
		out[i] = rpc.HotkeyEntry(h)
	}
	return out
}

func (v *view) ValidatorSet(height uint64) (staking.SetRecord, error) {
	return staking.ValidatorSetAt(v.st, v.params.Staking, height)
}

func (v *view) Subnet(netuid uint16) (subnet.Info, bool) { return subnet.Get(v.st, netuid) }
func (v *view) Subnets() []subnet.Info                   { return subnet.All(v.st) }
func (v *view) Neurons(netuid uint16) []subnet.Neuron    { return subnet.Neurons(v.st, netuid) }
func (v *view) Neuron(netuid, uid uint16) (subnet.Neuron, bool) {
	return subnet.NeuronAt(v.st, netuid, uid)
}
func (v *view) Weights(netuid, uid uint16) subnet.Sparse { return subnet.WeightsOf(v.st, netuid, uid) }
func (v *view) Bonds(netuid, uid uint16) subnet.Sparse   { return subnet.BondsOf(v.st, netuid, uid) }
func (v *view) WeightsCommit(netuid uint16, hk types.Address) (subnet.WeightsCommit, bool) {
	return subnet.CommitOf(v.st, netuid, hk)
}
func (v *view) RootMembers() []types.Address               { return subnet.RootMembers(v.st) }
func (v *view) RootWeights(hk types.Address) subnet.Sparse { return subnet.RootWeightsOf(v.st, hk) }
func (v *view) NetworkLockCost() uint64 {
	return v.q.c.NetworkLockCost(v.st, v.v.Head().Height+1)
}

func (v *view) Proposals() []gov.Proposal               { return gov.Proposals(v.st) }
func (v *view) Proposal(id uint64) (gov.Proposal, bool) { return gov.GetProposal(v.st, id) }
func (v *view) Votes(id uint64) []gov.VoteRecord        { return gov.Votes(v.st, id) }
func (v *view) Tally(id uint64) gov.Tally               { return gov.TallyVotes(v.st, id) }
func (v *view) ScheduledUpgrade() (gov.Upgrade, bool)   { return gov.ScheduledUpgrade(v.st) }

// BlockHash is the hash of the committed block at height.
func (q *Chain) BlockHash(height uint64) (types.Hash, bool) {
	h, err := q.store.BlockHash(height)
	return h, err == nil
}

// IndexedFrom is the first height the event index holds.
func (q *Chain) IndexedFrom() (uint64, bool) { return q.store.Indexing() }

// AccountEvents pages through the address index.
func (q *Chain) AccountEvents(a types.Address, from *rpc.EventRef, limit int) ([]rpc.HistoryEntry, *rpc.EventRef, error) {
	refs, next, err := q.store.AccountEvents(a, (*state.EventRef)(from), limit)
	if errors.Is(err, state.ErrNoIndex) {
		err = rpc.ErrIndexOff
	}
	out := make([]rpc.HistoryEntry, len(refs))
	for i, r := range refs {
		out[i].Ref = rpc.EventRef(r.Ref)
		if in := r.Incentive; in != nil {
			out[i].Incentive = &rpc.Incentive{Netuid: in.Netuid, UID: in.UID, Hotkey: in.Hotkey, Owner: in.Owner, Amount: in.Amount}
		}
	}
	return out, (*rpc.EventRef)(next), err
}

// EpochHistory reads a UID's kept epoch rows.
func (q *Chain) EpochHistory(netuid, uid uint16, limit int) ([]rpc.EpochPoint, error) {
	rows, err := q.store.EpochHistory(netuid, uid, ^uint64(0), limit)
	if errors.Is(err, state.ErrNoIndex) {
		err = rpc.ErrIndexOff
	}
	out := make([]rpc.EpochPoint, len(rows))
	for i, r := range rows {
		out[i] = rpc.EpochPoint{Height: r.Height, Hotkey: r.Hotkey, Incentive: r.Incentive, Dividends: r.Dividends, Emission: r.Emission}
	}
	return out, err
}
