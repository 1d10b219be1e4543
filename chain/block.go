package chain

import (
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
)

// blockCtx is the state of one block's execution: the chain's own view
// (state, height, the parameters in force) and each module's.
type blockCtx struct {
	c      *Chain
	st     *state.State
	height uint64
	p      Params // in force for this block

	sk *staking.Block
	sn *subnet.Block
	gv *gov.Block
}
