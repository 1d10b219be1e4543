package staking

import (
	"strings"
	"testing"
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
	for _, c := range []struct {
		key        string
		edge, past func(*Params)
	}{
		{"consensus_epoch", func(p *Params) { p.ConsensusEpoch = 2 }, func(p *Params) { p.ConsensusEpoch = 1 }},
		{"consensus_epoch", func(p *Params) { p.ConsensusEpoch = MaxDurationBlocks }, func(p *Params) { p.ConsensusEpoch = MaxDurationBlocks + 1 }},
		{"max_bft_validators", func(p *Params) { p.MaxBFTValidators = MaxBFTValidatorsLimit }, func(p *Params) { p.MaxBFTValidators = MaxBFTValidatorsLimit + 1 }},
		{"min_bft_validators", func(p *Params) { p.MinBFTValidators = p.MaxBFTValidators }, func(p *Params) { p.MinBFTValidators = p.MaxBFTValidators + 1 }},
		{"max_take", func(p *Params) { p.DefaultTake = p.MaxTake }, func(p *Params) { p.DefaultTake = p.MaxTake + 1 }},
		{"downtime_window", func(p *Params) { p.DowntimeWindow = MaxDowntimeWindow }, func(p *Params) { p.DowntimeWindow = MaxDowntimeWindow + 1 }},
		{"unbonding_period", func(p *Params) { p.UnbondingPeriod = MaxLockBlocks }, func(p *Params) { p.UnbondingPeriod = MaxLockBlocks + 1 }},
		{"jail_period", func(p *Params) { p.JailPeriod = MaxLockBlocks }, func(p *Params) { p.JailPeriod = MaxLockBlocks + 1 }},
		{"hotkey_swap_burn", func(p *Params) { p.HotkeySwapBurn = MaxHotkeySwapBurn }, func(p *Params) { p.HotkeySwapBurn = 0 }},
		{"coldkey_swap_delay", func(p *Params) { p.ColdkeySwapDelay = MaxLockBlocks / 2 }, func(p *Params) { p.ColdkeySwapDelay = MaxLockBlocks/2 + 1 }},
		{"coldkey_swap_cost", func(p *Params) { p.ColdkeySwapCost = MinColdkeySwapCost }, func(p *Params) { p.ColdkeySwapCost = MinColdkeySwapCost - 1 }},
	} {
		p := DefaultParams()
		c.edge(&p)
		if err := p.Validate(); err != nil {
			t.Errorf("%s at its bound refused: %v", c.key, err)
		}
		p = DefaultParams()
		c.past(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s past its bound: %v, want an error naming it", c.key, err)
		}
	}
}
