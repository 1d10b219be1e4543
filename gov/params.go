package gov

import (
	"fmt"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// Params govern governance itself. Fractions are ppm.
type Params struct {
	MinDeposit    uint64 `json:"min_deposit,string"`
	VotingPeriod  uint64 `json:"voting_period"`      // blocks
	Quorum        uint32 `json:"quorum_ppm"`         // voted stake / snapshot stake
	Threshold     uint32 `json:"threshold_ppm"`      // yes / (yes + no + veto) must exceed it
	VetoThreshold uint32 `json:"veto_threshold_ppm"` // veto / voted at or above it: vetoed, deposit burned
}

// DefaultParams are mainnet's.
func DefaultParams() Params {
	return Params{MinDeposit: 100 * types.RaoPerTAO, VotingPeriod: 50_400, Quorum: 334_000, Threshold: 500_000, VetoThreshold: 334_000}
}

// Bounds that keep governance able to govern under the threat model (less
// than 1/3 of stake Byzantine; DESIGN.md): honest stake (over 2/3) must be
// able to reach quorum and pass a proposal alone, and Byzantine stake
// (under 1/3) must not be able to pass or veto one alone. Outside them a
// single change could lock governance for good: a threshold of 100%
// passes nothing, a veto threshold of 0 vetoes (and burns) everything, and
// no later proposal could undo it.
const (
	MaxQuorumPPM        = 667_000
	MinThresholdPPM     = 500_000
	MaxThresholdPPM     = 666_000
	MinVetoThresholdPPM = 334_000
	// MinGovDeposit keeps a proposal from being free to submit;
	// MaxGovDeposit keeps one affordable, or no later proposal could undo
	// the change that raised it (mainnet's is 100 TAO).
	MinGovDeposit = types.RaoPerTAO
	MaxGovDeposit = 10_000 * types.RaoPerTAO
)

// Validate checks the governance parameters.
func (p Params) Validate() error {
	switch {
	case p.VotingPeriod == 0 || p.VotingPeriod > staking.MaxLockBlocks:
		return fmt.Errorf("chain: voting_period must be in [1, %d] blocks", staking.MaxLockBlocks)
	case p.MinDeposit < MinGovDeposit || p.MinDeposit > MaxGovDeposit:
		return fmt.Errorf("chain: min_deposit must be in [%s, %s] TAO", types.FormatTAO(MinGovDeposit), types.FormatTAO(MaxGovDeposit))
	case p.Quorum > MaxQuorumPPM:
		return fmt.Errorf("chain: quorum_ppm must be ≤ %d (honest stake alone must reach it)", MaxQuorumPPM)
	case p.Threshold < MinThresholdPPM || p.Threshold > MaxThresholdPPM:
		return fmt.Errorf("chain: threshold_ppm must be in [%d, %d]", MinThresholdPPM, MaxThresholdPPM)
	case p.VetoThreshold < MinVetoThresholdPPM || p.VetoThreshold > types.PPM:
		return fmt.Errorf("chain: veto_threshold_ppm must be in [%d, %d] (less than 1/3 of stake must not veto alone)", MinVetoThresholdPPM, types.PPM)
	}
	return nil
}
