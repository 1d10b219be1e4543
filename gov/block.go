package gov

import (
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Registry is the protocol parameter registry, package chain's: it alone
// knows every module's parameters, their bounds and what a change must
// migrate. gov asks it twice about a parameter-change proposal.
type Registry interface {
	// CheckChanges reports why changes could not apply to the parameters
	// in force and the state they govern (the proposal is refused).
	CheckChanges(changes []types.ParamChange) error
	// ApplyChanges applies passed changes on top of the parameters as they
	// stand in state now, migrating the state they reshape. refused says
	// why the state no longer admits them (the proposal fails, nothing is
	// written); err is an invariant broken.
	ApplyChanges(changes []types.ParamChange) (refused, err error)
}

// Block is governance's view of one block's execution: the state it
// writes, the height, the governance Params in force and the parameter
// Registry. Package chain makes one per block.
type Block struct {
	State    *state.State
	Height   uint64
	Params   Params
	Registry Registry
	Events   *types.EventLog // where the tally reports outcomes (nil: dropped)
}
