package golden

import (
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// queries are the generator's reads of chain state, kept in this one file:
// when a refactor moves a query (staking, subnets and governance leaving
// chain/), only this file follows it. Replay never uses them.
type queries struct {
	c *chain.Chain
}

// validators is the BFT set that finalises height h.
func (q queries) validators(h uint64) ([]types.Validator, error) {
	set, err := q.c.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	if len(set.Validators) == 0 {
		return nil, fmt.Errorf("golden: empty validator set at height %d", h)
	}
	return set.Validators, nil
}

// difficulty is subnet netuid's PoW difficulty at the head.
func (q queries) difficulty(netuid uint16) (uint64, error) {
	s, ok := subnet.Get(q.c.State(), netuid)
	if !ok {
		return 0, fmt.Errorf("golden: no subnet %d", netuid)
	}
	return s.Difficulty, nil
}

// stake is coldkey's stake on hotkey at the head.
func (q queries) stake(cold, hot types.Address) uint64 {
	return staking.Stake(q.c.State(), cold, hot)
}

// balance is a's free balance at the head.
func (q queries) balance(a types.Address) uint64 {
	return q.c.State().Account(a).Balance
}

// jailed reports whether hotkey is jailed at the head.
func (q queries) jailed(hot types.Address) bool {
	h, _ := staking.HotkeyOf(q.c.State(), hot)
	return h.Jailed
}

// swapStatus is old's coldkey swap status at the head (0: none).
func (q queries) swapStatus(old types.Address) uint8 {
	s, _ := staking.ColdkeySwapOf(q.c.State(), old)
	return s.Status
}

// lastProposal is the ID of the newest proposal at the head.
func (q queries) lastProposal() uint64 {
	prs := gov.Proposals(q.c.State())
	if len(prs) == 0 {
		return 0
	}
	return prs[len(prs)-1].ID
}
