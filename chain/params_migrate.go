package chain

import (
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
)

// ErrParamsVsState reports a parameter change the state it governs cannot
// take: the proposal is refused when submitted, and fails if the state has
// moved that way by the end of its vote.
var ErrParamsVsState = errors.New("chain: parameter change conflicts with the chain's state")

// checkParamsAgainstState refuses a parameter change the state it governs
// cannot take (checked when the proposal is submitted, and again when it
// passes, since the state moves during the vote).
//
// Every governable parameter was audited (docs/notes/params.md); those not
// named here or in migrateParams are read afresh by the code that uses them
// and leave nothing stored that a new value misreads.
func checkParamsAgainstState(st *state.State, cur, next Params) error {
	if next.Subnets.SubnetLimit < cur.Subnets.SubnetLimit {
		// Registration prunes one subnet per new one: a limit below the
		// count would never be reached, and the count would stay above it.
		if n := len(subnet.All(st)); next.Subnets.SubnetLimit < n {
			return fmt.Errorf("%w: subnets.subnet_limit %d is below the %d subnets that exist", ErrParamsVsState, next.Subnets.SubnetLimit, n)
		}
	}
	return nil
}

// migrateParams reshapes the state a parameter change would otherwise leave
// to be misread, in the block that changes it: effects start with the next
// block, which must find the state in the new shape. It runs only in the
// block that applies a passed change, which a deposit and a vote paid for.
func (x *blockCtx) migrateParams(cur, next Params) error {
	if err := staking.MigrateParams(x.st, x.height, cur.Staking, next.Staking); err != nil {
		return err
	}
	x.sn.MigrateParams(cur.Subnets, next.Subnets)
	return nil
}
