package subnet

import (
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BlockHashes gives the hash of a committed block (a PoW registration seals
// a recent one). *state.Store satisfies it.
type BlockHashes interface {
	BlockHash(height uint64) (types.Hash, error)
}

// Block is the subnet module's view of one block's execution: the state it
// writes, the height, the subnet Params in force, the staking Params (a
// registration gives a new hotkey staking's default take) and the chain's
// committed block hashes. Package chain makes one per block.
type Block struct {
	State   *state.State
	Height  uint64
	Params  Params
	Staking staking.Params
	Blocks  BlockHashes
	Events  *types.EventLog // where epochs report their outcome (nil: dropped)

	changed bool // a subnet was created or pruned, or the root trimmed: recompute shares
}
