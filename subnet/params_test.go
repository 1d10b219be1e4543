package subnet

import (
	"testing"

	"github.com/taonet/taod/internal/modtest"

	"github.com/taonet/taod/staking"
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
		{Key: "subnet_limit", Edge: func(p *Params) { p.SubnetLimit = 1024 }, Past: func(p *Params) { p.SubnetLimit = 1025 }},
		{Key: "subnet_limit", Edge: func(p *Params) { p.SubnetLimit = 1 }, Past: func(p *Params) { p.SubnetLimit = 0 }},
		{Key: "owner_cut", Edge: func(p *Params) { p.OwnerCut = 1_000_000 }, Past: func(p *Params) { p.OwnerCut = 1_000_001 }},
		{Key: "root_max_validators", Edge: func(p *Params) { p.RootMaxValidators = MaxRootValidators }, Past: func(p *Params) { p.RootMaxValidators = MaxRootValidators + 1 }},
		{Key: "root_tempo", Edge: func(p *Params) { p.RootTempo = staking.MaxDurationBlocks }, Past: func(p *Params) { p.RootTempo = 0 }},
		{Key: "network_immunity", Edge: func(p *Params) { p.NetworkImmunity = staking.MaxDurationBlocks }, Past: func(p *Params) { p.NetworkImmunity = staking.MaxDurationBlocks + 1 }},
		{Key: "pow_block_window", Edge: func(p *Params) { p.PowBlockWindow = staking.MaxDurationBlocks }, Past: func(p *Params) { p.PowBlockWindow = staking.MaxDurationBlocks + 1 }},
	})
}
