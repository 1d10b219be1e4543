package gov

import (
	"fmt"

	"github.com/taonet/taod/state"
)

// CheckUpgrade stops block production at a scheduled upgrade this binary
// does not implement (implemented names those it does: `taod start
// --upgrade NAME`). Package chain calls it first thing in every block.
func CheckUpgrade(st *state.State, height uint64, implemented map[string]bool) error {
	u, ok := ScheduledUpgrade(st)
	if !ok || height < u.Height || implemented[u.Name] {
		return nil
	}
	return fmt.Errorf("%w: governance scheduled upgrade %q at height %d; install the version that implements it and restart with --upgrade %s", ErrUpgradeRequired, u.Name, u.Height, u.Name)
}
