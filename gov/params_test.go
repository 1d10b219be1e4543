package gov

import (
	"strings"
	"testing"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// TestParamsValidate: the defaults pass, each bound is accepted at its
// edge, and one step past it is refused with an error naming the key
// (governance shows that text in the refused proposal's receipt).
func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, c := range []struct {
		key        string
		edge, past func(*Params)
	}{
		{"voting_period", func(p *Params) { p.VotingPeriod = staking.MaxLockBlocks }, func(p *Params) { p.VotingPeriod = staking.MaxLockBlocks + 1 }},
		{"voting_period", func(p *Params) { p.VotingPeriod = 1 }, func(p *Params) { p.VotingPeriod = 0 }},
		{"min_deposit", func(p *Params) { p.MinDeposit = MinGovDeposit }, func(p *Params) { p.MinDeposit = MinGovDeposit - 1 }},
		{"min_deposit", func(p *Params) { p.MinDeposit = MaxGovDeposit }, func(p *Params) { p.MinDeposit = MaxGovDeposit + 1 }},
		{"quorum_ppm", func(p *Params) { p.Quorum = MaxQuorumPPM }, func(p *Params) { p.Quorum = MaxQuorumPPM + 1 }},
		{"threshold_ppm", func(p *Params) { p.Threshold = MinThresholdPPM }, func(p *Params) { p.Threshold = MinThresholdPPM - 1 }},
		{"threshold_ppm", func(p *Params) { p.Threshold = MaxThresholdPPM }, func(p *Params) { p.Threshold = MaxThresholdPPM + 1 }},
		{"veto_threshold_ppm", func(p *Params) { p.VetoThreshold = MinVetoThresholdPPM }, func(p *Params) { p.VetoThreshold = MinVetoThresholdPPM - 1 }},
		{"veto_threshold_ppm", func(p *Params) { p.VetoThreshold = types.PPM }, func(p *Params) { p.VetoThreshold = types.PPM + 1 }},
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
