package staking

import (
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// WriteGenesisSet stores the bootstrap validators as the set governing
// heights from 0.
func WriteGenesisSet(st *state.State, vals []types.Validator) {
	writeValidatorSet(st, 0, SetRecord{Validators: vals, Hotkeys: make([]types.Address, len(vals)), Bootstrap: true})
}
