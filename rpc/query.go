package rpc

import (
	"fmt"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// The query surface: everything the API reads of the chain, declared here by
// its consumer and implemented over chain and state by internal/query. The
// API reads nothing else: no store, no *chain.Chain.
//
// Blocks, receipts, the tx index and past states never change once
// committed, so they are read directly (Query). The head state changes with
// every block, so a call that reads it opens a View: one block's state,
// read consistently however many reads the answer combines (a metagraph
// with each neuron's stake, a proposal with its live tally), and closes it
// when done.

// Query is the chain's read-only surface.
type Query interface {
	Blocks
	Archive
	Index
	// View opens a consistent view of the head state. Close it when done.
	View() (View, error)
}

// Head is the last committed (final) block.
type Head struct {
	Height    uint64
	Hash      types.Hash
	StateRoot types.Hash
	Time      uint64 // Unix ms
}

// TxLocation is where a committed transaction is.
type TxLocation struct {
	Height uint64
	Index  uint32
}

// Blocks reads committed blocks, receipts and the tx index.
type Blocks interface {
	ChainID() uint64
	// Head is the last committed block now.
	Head() Head
	// Params are the protocol parameters in force at the head now.
	Params() Params
	// BlockByHeight and BlockByHash return nil, nil when there is no such block.
	BlockByHeight(height uint64) (*types.Block, error)
	BlockByHash(hash types.Hash) (*types.Block, error)
	// Receipts are a committed block's: one per tx, then the block receipt
	// (types.BlockReceipt; genesis has none).
	Receipts(block types.Hash) ([]types.Receipt, error)
	TxLocation(tx types.Hash) (TxLocation, bool)
	// BlockHash is the hash of the committed block at height.
	BlockHash(height uint64) (types.Hash, bool)
}

// EventRef locates one event: block height, the receipt's index in the
// block's list (the block receipt is last) and the event's in the receipt.
type EventRef struct {
	Height  uint64
	Receipt uint32
	Event   uint32
}

// HistoryEntry is one entry of an account's history: the event at Ref, or
// (Incentive set) a miner's incentive the node's index recorded, which no
// receipt holds.
type HistoryEntry struct {
	Ref       EventRef
	Incentive *Incentive
}

// Incentive is a miner's incentive of one epoch (node-local record).
type Incentive struct {
	Netuid uint16
	UID    uint16
	Hotkey types.Address
	Owner  types.Address // zero when unknown
	Amount uint64        // rao
}

// EpochPoint is one UID's outcome of one epoch.
type EpochPoint struct {
	Height    uint64
	Hotkey    types.Address
	Incentive uint16 // 65535 = 1
	Dividends uint16 // 65535 = 1
	Emission  uint64 // rao
}

// Index reads the node-local event indexes; each read fails with
// ErrIndexOff when the node keeps none (config [index] enabled = false).
type Index interface {
	// IndexedFrom is the first height the index holds, and whether it is on.
	IndexedFrom() (uint64, bool)
	// AccountEvents lists up to limit entries of a's history (events
	// naming a, and its incentive records), newest first, from ref from
	// (inclusive; nil: the newest); next starts the following page, nil at
	// the end.
	AccountEvents(a types.Address, from *EventRef, limit int) (entries []HistoryEntry, next *EventRef, err error)
	// EpochHistory is (netuid, uid)'s last limit epochs, newest first.
	EpochHistory(netuid, uid uint16, limit int) ([]EpochPoint, error)
}

// Account is an account's nonce and balance (rao).
type Account struct {
	Nonce   uint64
	Balance uint64
}

// AccountProof is an account at a state root with its Merkle proof.
type AccountProof struct {
	Account Account
	Key     []byte   // the state key; the trie path is keccak256(Key)
	Value   []byte   // the value under Key, RLP([nonce, balance]); empty if absent
	Nodes   [][]byte // trie nodes, root first
}

// Archive reads past states through the trie, by state root.
type Archive interface {
	AccountAt(root types.Hash, a types.Address) (Account, error)
	ProveAccount(root types.Hash, a types.Address) (AccountProof, error)
}

// View is the state at one block. The per-namespace parts say what each
// namespace reads.
type View interface {
	// Head is the block whose state the view reads.
	Head() Head
	// Params are the protocol parameters in force at Head.
	Params() Params
	Close()
	TaoView
	StakeView
	SubnetView
	GovView
}

// TaoView is what tao_ and eth_ read of the head state.
type TaoView interface {
	Account(a types.Address) Account
	Issuance() uint64
	UndistributedPool() uint64
}

// HotkeyEntry is a hotkey with its record.
type HotkeyEntry struct {
	Hotkey types.Address
	Info   HotkeyInfo
}

// StakeView is what stake_ reads.
type StakeView interface {
	Stake(coldkey, hotkey types.Address) uint64
	Hotkey(hotkey types.Address) (HotkeyInfo, bool)
	Nominators(hotkey types.Address) []StakePosition
	Hotkeys() []HotkeyEntry
	StakesOf(coldkey types.Address) []StakePosition
	UnbondingOf(coldkey types.Address) []Unbonding
	// Retired is the record of a hotkey a swap retired.
	Retired(hotkey types.Address) (RetiredHotkey, bool)
	// ColdkeySwap is old's coldkey swap record; ColdkeySwaps lists up to
	// limit pending ones, the soonest due first.
	ColdkeySwap(old types.Address) (ColdkeySwap, bool)
	ColdkeySwaps(limit int) []ColdkeySwap
	// ValidatorSet is the set governing height, at most Head+1.
	ValidatorSet(height uint64) (SetRecord, error)
}

// SubnetView is what subnet_ reads (and StakeView for neurons' stake).
type SubnetView interface {
	Subnet(netuid uint16) (SubnetInfo, bool)
	Subnets() []SubnetInfo
	Neurons(netuid uint16) []Neuron
	Neuron(netuid, uid uint16) (Neuron, bool)
	Weights(netuid, uid uint16) Sparse
	// Bonds is a neuron's bond row as the last epoch stored it.
	Bonds(netuid, uid uint16) Sparse
	// WeightsCommit is hotkey's commit on netuid awaiting its reveal.
	WeightsCommit(netuid uint16, hotkey types.Address) (WeightsCommit, bool)
	RootMembers() []types.Address
	RootWeights(hotkey types.Address) Sparse
	// NetworkLockCost is what creating a subnet costs in the block after Head.
	NetworkLockCost() uint64
}

// GovView is what gov_ reads.
type GovView interface {
	Proposals() []GovProposal
	Proposal(id uint64) (GovProposal, bool)
	Votes(id uint64) []VoteRecord
	// Tally counts a proposal's votes now (final tallies are in GovProposal).
	Tally(id uint64) Tally
	ScheduledUpgrade() (Upgrade, bool)
}

// The protocol's records as the modules define them, named once here so that
// a module moving out of chain changes this file only.
type (
	Params        = chain.Params
	HotkeyInfo    = staking.HotkeyInfo
	StakePosition = staking.StakePosition
	Unbonding     = staking.Unbonding
	RetiredHotkey = staking.RetiredHotkey
	ColdkeySwap   = staking.ColdkeySwap
	SetRecord     = staking.SetRecord
	SubnetInfo    = subnet.Info
	Neuron        = subnet.Neuron
	Sparse        = subnet.Sparse
	WeightsCommit = subnet.WeightsCommit
	GovProposal   = gov.Proposal
	Tally         = gov.Tally
	VoteRecord    = gov.VoteRecord
	Upgrade       = gov.Upgrade
)

const (
	shareScale   = subnet.ShareScale // SubnetInfo.Share's denominator
	statusVoting = gov.StatusVoting  // GovProposal.Status while voting
)

// statusName names a GovProposal.Status.
func statusName(s uint8) string { return gov.StatusName(s) }

// Reading helpers shared by the namespaces.

// headAccount reads an account in the head state.
func headAccount(q Query, addr types.Address) (Account, error) {
	return withView(q, func(v View) (Account, error) { return v.Account(addr), nil })
}

// withView runs read on a view of the head state and closes the view.
func withView[T any](q Query, read func(View) (T, error)) (T, error) {
	v, err := q.View()
	if err != nil {
		var zero T
		return zero, err
	}
	defer v.Close()
	return read(v)
}

// located finds a committed tx: its block and location, or a nil block.
func located(q Blocks, hash types.Hash) (*types.Block, TxLocation, error) {
	loc, ok := q.TxLocation(hash)
	if !ok {
		return nil, loc, nil
	}
	b, err := q.BlockByHeight(loc.Height)
	if err != nil {
		return nil, loc, err
	}
	if b == nil || int(loc.Index) >= len(b.Txs) || b.Txs[loc.Index].Hash() != hash {
		return nil, loc, fmt.Errorf("tx index of %s points at block %d, index %d, which does not hold it", hash, loc.Height, loc.Index)
	}
	return b, loc, nil
}
