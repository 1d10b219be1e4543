package staking

import (
	"testing"

	"github.com/taonet/taod/internal/modtest"
)

// TestParamsValidate: the defaults and the test preset pass, each bound is
// accepted at its edge, and one step past it is refused with an error
// naming the key (a refused governance change carries that text).
func TestParamsValidate(t *testing.T) {
	for name, p := range map[string]Params{"default": DefaultParams(), "test": TestParams()} {
		if err := p.Validate(); err != nil {
			t.Fatalf("%s params: %v", name, err)
		}
	}
	modtest.CheckBounds(t, DefaultParams, Params.Validate, []modtest.Bound[Params]{
		{Key: "consensus_epoch", Edge: func(p *Params) { p.ConsensusEpoch = 2 }, Past: func(p *Params) { p.ConsensusEpoch = 1 }},
		{Key: "consensus_epoch", Edge: func(p *Params) { p.ConsensusEpoch = MaxDurationBlocks }, Past: func(p *Params) { p.ConsensusEpoch = MaxDurationBlocks + 1 }},
		{Key: "max_bft_validators", Edge: func(p *Params) { p.MaxBFTValidators = MaxBFTValidatorsLimit }, Past: func(p *Params) { p.MaxBFTValidators = MaxBFTValidatorsLimit + 1 }},
		{Key: "min_bft_validators", Edge: func(p *Params) { p.MinBFTValidators = p.MaxBFTValidators }, Past: func(p *Params) { p.MinBFTValidators = p.MaxBFTValidators + 1 }},
		{Key: "max_take", Edge: func(p *Params) { p.DefaultTake = p.MaxTake }, Past: func(p *Params) { p.DefaultTake = p.MaxTake + 1 }},
		{Key: "downtime_window", Edge: func(p *Params) { p.DowntimeWindow = MaxDowntimeWindow }, Past: func(p *Params) { p.DowntimeWindow = MaxDowntimeWindow + 1 }},
		{Key: "unbonding_period", Edge: func(p *Params) { p.UnbondingPeriod = MaxLockBlocks }, Past: func(p *Params) { p.UnbondingPeriod = MaxLockBlocks + 1 }},
		{Key: "jail_period", Edge: func(p *Params) { p.JailPeriod = MaxLockBlocks }, Past: func(p *Params) { p.JailPeriod = MaxLockBlocks + 1 }},
		{Key: "hotkey_swap_burn", Edge: func(p *Params) { p.HotkeySwapBurn = MaxHotkeySwapBurn }, Past: func(p *Params) { p.HotkeySwapBurn = 0 }},
		{Key: "coldkey_swap_delay", Edge: func(p *Params) { p.ColdkeySwapDelay = MaxLockBlocks / 2 }, Past: func(p *Params) { p.ColdkeySwapDelay = MaxLockBlocks/2 + 1 }},
		{Key: "coldkey_swap_cost", Edge: func(p *Params) { p.ColdkeySwapCost = MinColdkeySwapCost }, Past: func(p *Params) { p.ColdkeySwapCost = MinColdkeySwapCost - 1 }},
	})
}
