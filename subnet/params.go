package subnet

import (
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"

	"github.com/taonet/taod/types"
)

// Params are the protocol-wide subnet parameters.
type Params struct {
	SubnetLimit           int         `json:"subnet_limit"`            // subnets besides the root
	MinLock               uint64      `json:"min_lock,string"`         // smallest network lock cost, rao
	LockReductionInterval uint64      `json:"lock_reduction_interval"` // blocks for the doubled lock cost to decay to the minimum
	NetworkImmunity       uint64      `json:"network_immunity"`        // blocks a new subnet cannot be pruned
	OwnerCut              uint32      `json:"owner_cut_ppm"`
	RootMaxValidators     int         `json:"root_max_validators"`
	RootTempo             uint64      `json:"root_tempo"`       // blocks between subnet-share updates
	PowBlockWindow        uint64      `json:"pow_block_window"` // how many blocks old a PoW's block hash may be
	Defaults              Hyperparams `json:"defaults"`         // hyperparameters of new subnets
}

// DefaultParams are mainnet's.
func DefaultParams() Params {
	return Params{
		SubnetLimit:           32,
		MinLock:               1_000 * types.RaoPerTAO,
		LockReductionInterval: 14 * 7_200,
		NetworkImmunity:       7 * 7_200,
		OwnerCut:              180_000,
		RootMaxValidators:     64,
		RootTempo:             360,
		PowBlockWindow:        100,
		Defaults:              Default(),
	}
}

func TestParams() Params {
	p := DefaultParams()
	p.SubnetLimit = 4
	p.MinLock = 10 * types.RaoPerTAO
	p.LockReductionInterval = 100
	p.NetworkImmunity = 20
	p.RootTempo = 10
	d := &p.Defaults
	d.Tempo = 10
	d.ImmunityPeriod = 20
	d.ActivityCutoff = 100
	d.MaxUIDs = 32
	d.MaxValidators = 8
	d.WeightsRateLimit = 2
	d.AdjustmentInterval = 10
	d.TargetRegsPerInterval = 4
	d.MaxRegsPerBlock = 4
	d.MinBurn = 100_000_000
	d.MinDifficulty = 1 << 8
	d.MaxDifficulty = 1 << 20
	d.RevealDelay = 3
	d.RevealWindow = 10
	d.ServingRateLimit = 0
	return p
}

// Validate checks the subnet parameters.
func (p Params) Validate() error {
	switch {
	case p.SubnetLimit <= 0 || p.SubnetLimit > 1024:
		return errors.New("chain: subnet_limit must be in [1, 1024]")
	case p.OwnerCut > types.PPM:
		return errors.New("chain: owner_cut must be ≤ 1,000,000 ppm")
	case p.RootMaxValidators <= 0 || p.RootTempo == 0:
		return errors.New("chain: root_max_validators and root_tempo must be positive")
	case p.RootMaxValidators > MaxRootValidators:
		return fmt.Errorf("chain: root_max_validators must be ≤ %d", MaxRootValidators)
	}
	for _, d := range []struct {
		name string
		v    uint64
	}{{"lock_reduction_interval", p.LockReductionInterval}, {"network_immunity", p.NetworkImmunity}, {"root_tempo", p.RootTempo}, {"pow_block_window", p.PowBlockWindow}} {
		if d.v > staking.MaxDurationBlocks {
			return fmt.Errorf("chain: %s must be ≤ %d blocks", d.name, staking.MaxDurationBlocks)
		}
	}
	return p.Defaults.Validate()
}

// MaxRootValidators bounds the root network (a Yuma run over its members
// and the subnets every root tempo).
const MaxRootValidators = 1024
