package subnet

import (
	"fmt"

	"github.com/taonet/taod/types"
)

// SwapHotkey is the hotkey swap's subnet half: every registration of old
// (on each subnet, the same UID, with its axon, scores and bonds; on the
// root network, its membership and weights) and each pending weights
// commit move to next. Subnet weights are stored by UID and so follow the
// UID; root weights are stored by hotkey and move. Nothing is paid or
// recomputed: the next epoch reads the same stake, weights and bonds under
// the same UIDs. It touches no staking state: package chain calls it beside
// staking's half (staking.Block.SwapHotkey), which checks the sender and
// retires old; it refuses a next registered anywhere.
func (x *Block) SwapHotkey(old, next types.Address) error {
	st := x.State
	subnets := All(st)
	for _, s := range subnets {
		if _, ok := UIDOf(st, s.Netuid, next); ok {
			return fmt.Errorf("%w: %s on subnet %d", ErrSwapTargetRegistered, next, s.Netuid)
		}
	}
	if IsRootMember(st, next) {
		return fmt.Errorf("%w: %s on the root network", ErrSwapTargetRegistered, next)
	}
	for _, s := range subnets {
		uid, ok := UIDOf(st, s.Netuid, old)
		if !ok {
			continue
		}
		nb := u16b(s.Netuid)
		n, _ := getNeuron(st, s.Netuid, uid)
		n.Hotkey = next
		setNeuron(st, s.Netuid, uid, n)
		st.Set(key(pUIDOf, nb, old[:]), nil)
		st.Set(key(pUIDOf, nb, next[:]), u16b(uid))
		k := key(pCommit, nb, old[:])
		if b := st.Get(k); len(b) != 0 {
			cm := decodeCommit(k, b)
			if cm.Committer == (types.Address{}) {
				cm.Committer = old
			}
			st.Set(k, nil)
			setCommit(st, key(pCommit, nb, next[:]), cm)
		}
	}
	if m, ok := rootMember(st, old); ok {
		st.Set(key(pRootMember, old[:]), nil)
		setRootMember(st, next, m)
		w := RootWeightsOf(st, old)
		setSparse(st, key(pRootWeight, old[:]), Sparse{})
		setSparse(st, key(pRootWeight, next[:]), w)
	}
	return nil
}
