package subnet

import (
	"strings"
	"testing"

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
	for _, c := range []struct {
		key        string
		edge, past func(*Params)
	}{
		{"subnet_limit", func(p *Params) { p.SubnetLimit = 1024 }, func(p *Params) { p.SubnetLimit = 1025 }},
		{"subnet_limit", func(p *Params) { p.SubnetLimit = 1 }, func(p *Params) { p.SubnetLimit = 0 }},
		{"owner_cut", func(p *Params) { p.OwnerCut = 1_000_000 }, func(p *Params) { p.OwnerCut = 1_000_001 }},
		{"root_max_validators", func(p *Params) { p.RootMaxValidators = MaxRootValidators }, func(p *Params) { p.RootMaxValidators = MaxRootValidators + 1 }},
		{"root_tempo", func(p *Params) { p.RootTempo = staking.MaxDurationBlocks }, func(p *Params) { p.RootTempo = 0 }},
		{"network_immunity", func(p *Params) { p.NetworkImmunity = staking.MaxDurationBlocks }, func(p *Params) { p.NetworkImmunity = staking.MaxDurationBlocks + 1 }},
		{"pow_block_window", func(p *Params) { p.PowBlockWindow = staking.MaxDurationBlocks }, func(p *Params) { p.PowBlockWindow = staking.MaxDurationBlocks + 1 }},
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
