package chain

import (
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
)

// blockCtx is the state of one block's execution: the chain's own view
// (state, height, the parameters in force) and each module's.
type blockCtx struct {
	c      *Chain
	st     *state.State
	height uint64
	p      Params // in force for this block

	sk *staking.Block

	subnetsChanged bool // a subnet was created or pruned: recompute shares
}
