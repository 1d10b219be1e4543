package subnet

import (
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// MoveOwnership gives every subnet owned by from to `to` (a coldkey swap,
// staking/coldkeyswap.go, through package chain) and returns how many
// moved. The owner cut, the hyperparameters and the lock returned at
// pruning follow the owner field. The walk is over all subnets, at most
// subnet_limit of them.
func MoveOwnership(st *state.State, from, to types.Address) int {
	n := 0
	for _, s := range All(st) {
		if s.Owner == from && from != (types.Address{}) {
			s.Owner = to
			setSubnetInfo(st, s)
			n++
		}
	}
	return n
}
