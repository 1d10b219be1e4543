package gov

import (
	"testing"

	"github.com/taonet/taod/internal/modtest"

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
	modtest.CheckBounds(t, DefaultParams, Params.Validate, []modtest.Bound[Params]{
		{Key: "voting_period", Edge: func(p *Params) { p.VotingPeriod = staking.MaxLockBlocks }, Past: func(p *Params) { p.VotingPeriod = staking.MaxLockBlocks + 1 }},
		{Key: "voting_period", Edge: func(p *Params) { p.VotingPeriod = 1 }, Past: func(p *Params) { p.VotingPeriod = 0 }},
		{Key: "min_deposit", Edge: func(p *Params) { p.MinDeposit = MinGovDeposit }, Past: func(p *Params) { p.MinDeposit = MinGovDeposit - 1 }},
		{Key: "min_deposit", Edge: func(p *Params) { p.MinDeposit = MaxGovDeposit }, Past: func(p *Params) { p.MinDeposit = MaxGovDeposit + 1 }},
		{Key: "quorum_ppm", Edge: func(p *Params) { p.Quorum = MaxQuorumPPM }, Past: func(p *Params) { p.Quorum = MaxQuorumPPM + 1 }},
		{Key: "threshold_ppm", Edge: func(p *Params) { p.Threshold = MinThresholdPPM }, Past: func(p *Params) { p.Threshold = MinThresholdPPM - 1 }},
		{Key: "threshold_ppm", Edge: func(p *Params) { p.Threshold = MaxThresholdPPM }, Past: func(p *Params) { p.Threshold = MaxThresholdPPM + 1 }},
		{Key: "veto_threshold_ppm", Edge: func(p *Params) { p.VetoThreshold = MinVetoThresholdPPM }, Past: func(p *Params) { p.VetoThreshold = MinVetoThresholdPPM - 1 }},
		{Key: "veto_threshold_ppm", Edge: func(p *Params) { p.VetoThreshold = types.PPM }, Past: func(p *Params) { p.VetoThreshold = types.PPM + 1 }},
	})
}
