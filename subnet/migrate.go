package subnet

import (
	"slices"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// MigrateParams reshapes the subnet state a parameter change (by
// governance) would otherwise leave to be misread: a lowered
// root_max_validators trims the root network to it. Package chain calls it
// in the block that applies a passed change.
func (x *Block) MigrateParams(cur, next Params) {
	if next.RootMaxValidators < cur.RootMaxValidators {
		x.trimRoot(next.RootMaxValidators)
	}
}

// trimRoot removes the root members with the least stake (ties: the highest
// address, as RootRegister replaces them) until at most limit remain.
func (x *Block) trimRoot(limit int) {
	members := RootMembers(x.State)
	if len(members) <= limit {
		return
	}
	stake := make(map[types.Address]uint64, len(members))
	for _, m := range members {
		h, _ := staking.HotkeyOf(x.State, m)
		stake[m] = h.TotalStake
	}
	slices.SortFunc(members, func(a, b types.Address) int {
		if stake[a] != stake[b] {
			if stake[a] < stake[b] {
				return -1
			}
			return 1
		}
		return b.Cmp(a)
	})
	for _, m := range members[:len(members)-limit] {
		x.State.Set(key(pRootMember, m[:]), nil)
		x.State.Set(key(pRootWeight, m[:]), nil)
	}
	x.changed = true // the shares change with the members
}
