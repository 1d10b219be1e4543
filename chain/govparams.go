package chain

import (
	"fmt"

	"github.com/taonet/taod/types"
)

// registry is the parameter registry as governance sees it in one block
// (gov.Registry): the parameters in force for the block, the state, and
// the modules whose state a change may have to migrate.
type registry struct{ x *blockCtx }

// CheckChanges checks a proposal's changes when it is submitted: against
// the parameters in force for this block and the state they govern.
func (r registry) CheckChanges(changes []types.ParamChange) error {
	next, err := ApplyParamChanges(r.x.p, changes)
	if err != nil {
		return err
	}
	return checkParamsAgainstState(r.x.st, r.x.p, next)
}

// ApplyChanges writes a passed proposal's parameter changes, on top of the
// parameters as they stand in state (another proposal ending in this block
// may have changed them already: applying to the block's starting
// parameters would silently undo it), after checking them against the
// state they govern and migrating what they reshape. A change the state no
// longer admits is refused (the proposal fails); an error is an invariant
// broken.
func (r registry) ApplyChanges(changes []types.ParamChange) (refused, err error) {
	x := r.x
	cur, err := ParamsAt(x.st)
	if err != nil {
		return nil, err
	}
	next, err := ApplyParamChanges(cur, changes)
	if err == nil {
		err = checkParamsAgainstState(x.st, cur, next)
	}
	if err != nil {
		return err, nil
	}
	if err := x.migrateParams(cur, next); err != nil {
		return nil, fmt.Errorf("migrate state to the new parameters: %w", err)
	}
	writeParams(x.st, next)
	return nil, nil
}
