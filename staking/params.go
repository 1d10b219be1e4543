package staking

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/types"
)

// PowerUnit is the stake, in rao, behind one unit of BFT voting power.
const PowerUnit = types.RaoPerTAO

// Params govern staking, the validator set and slashing. Durations
// are in blocks; fractions in parts per million.
type Params struct {
	UnbondingPeriod   uint64 `json:"unbonding_period"`
	MinStake          uint64 `json:"min_stake,string"` // smallest stake position and AddStake, rao
	DefaultTake       uint32 `json:"default_take_ppm"`
	MaxTake           uint32 `json:"max_take_ppm"`
	TakeRateLimit     uint64 `json:"take_rate_limit"` // blocks between SetTake calls of one hotkey
	ConsensusEpoch    uint64 `json:"consensus_epoch"` // the validator set is recomputed every this many blocks
	MaxBFTValidators  int    `json:"max_bft_validators"`
	MinValidatorStake uint64 `json:"min_validator_stake,string"`
	MinBFTStake       uint64 `json:"min_bft_stake,string"` // handover: total bonded stake of the candidates
	MinBFTValidators  int    `json:"min_bft_validators"`   // handover: distinct candidates
	MaxPowerFraction  uint32 `json:"max_power_fraction_ppm"`
	JailPeriod        uint64 `json:"jail_period"`
	SlashFraction     uint32 `json:"slash_fraction_ppm"` // double sign
	DowntimeWindow    uint64 `json:"downtime_window"`
	DowntimeSlash     uint32 `json:"downtime_slash_ppm"`
	// HotkeySwapBurn is what a SwapHotkey costs its coldkey, recycled like
	// a registration burn (rao).
	HotkeySwapBurn uint64 `json:"hotkey_swap_burn,string"`
	// HotkeySwapRateLimit is the blocks a coldkey waits between two
	// SwapHotkey calls.
	HotkeySwapRateLimit uint64 `json:"hotkey_swap_rate_limit"`
	// Coldkey swaps (coldkeyswap.go): the delay between the announcement
	// and the move, the burn a schedule costs, and the records the
	// end-of-block hook may move per block (the rest carries over).
	ColdkeySwapDelay         uint64 `json:"coldkey_swap_delay"`
	ColdkeySwapCost          uint64 `json:"coldkey_swap_cost,string"`
	ColdkeySwapMovesPerBlock uint64 `json:"coldkey_swap_moves_per_block"`
}

// DefaultParams are mainnet's (12 s blocks).
func DefaultParams() Params {
	return Params{
		UnbondingPeriod:   50_400, // 7 days
		MinStake:          500_000,
		DefaultTake:       180_000,
		MaxTake:           180_000,
		TakeRateLimit:     216_000, // 30 days
		ConsensusEpoch:    100,
		MaxBFTValidators:  64,
		MinValidatorStake: 1_000 * types.RaoPerTAO,
		MinBFTStake:       100_000 * types.RaoPerTAO,
		MinBFTValidators:  4,
		MaxPowerFraction:  200_000,
		JailPeriod:        7_200, // 1 day
		SlashFraction:     50_000,
		DowntimeWindow:    1_000,
		DowntimeSlash:     100,
		// A swap costs about a registration burn; a day between swaps of one
		// coldkey leaves a leaked key replaceable at once and again later.
		HotkeySwapBurn:      types.RaoPerTAO,
		HotkeySwapRateLimit: 7_200, // 1 day

		ColdkeySwapDelay:         36_000, // 5 days
		ColdkeySwapCost:          types.RaoPerTAO,
		ColdkeySwapMovesPerBlock: 2_000,
	}
}

// TestParams are short, for integration tests and the test preset.
func TestParams() Params {
	p := DefaultParams()
	p.UnbondingPeriod = 20
	p.TakeRateLimit = 5
	p.ConsensusEpoch = 10
	p.MinValidatorStake = types.RaoPerTAO
	p.MinBFTStake = 10 * types.RaoPerTAO
	p.MinBFTValidators = 2
	p.JailPeriod = 10
	p.DowntimeWindow = 20
	p.HotkeySwapRateLimit = 5
	p.ColdkeySwapDelay = 10
	return p
}

// Validate checks the staking parameters.
func (p Params) Validate() error {
	switch {
	case p.ConsensusEpoch < 2:
		return errors.New("chain: consensus_epoch must be at least 2")
	case p.MaxBFTValidators <= 0 || p.MinBFTValidators <= 0:
		return errors.New("chain: max_bft_validators and min_bft_validators must be positive")
	case p.MaxTake > types.PPM || p.DefaultTake > p.MaxTake:
		return errors.New("chain: default_take must be ≤ max_take ≤ 1,000,000 ppm")
	case p.SlashFraction > types.PPM || p.DowntimeSlash > types.PPM || p.MaxPowerFraction > types.PPM:
		return errors.New("chain: fractions must be ≤ 1,000,000 ppm")
	case p.DowntimeWindow == 0 || p.UnbondingPeriod == 0:
		return errors.New("chain: downtime_window and unbonding_period must be positive")
	case p.MinBFTValidators > p.MaxBFTValidators || p.MaxBFTValidators > MaxBFTValidatorsLimit:
		return fmt.Errorf("chain: min_bft_validators ≤ max_bft_validators ≤ %d (the handover could never happen, or commits grow without bound)", MaxBFTValidatorsLimit)
	case p.DowntimeWindow > MaxDowntimeWindow:
		return fmt.Errorf("chain: downtime_window must be ≤ %d blocks (each record holds one bit per block)", MaxDowntimeWindow)
	case p.HotkeySwapBurn == 0 || p.HotkeySwapBurn > MaxHotkeySwapBurn:
		return fmt.Errorf("chain: hotkey_swap_burn must be in [1, %d] rao (a free swap is a free rename; a dear one strands a leaked hotkey)", uint64(MaxHotkeySwapBurn))
	case p.HotkeySwapRateLimit == 0 || p.HotkeySwapRateLimit > MaxLockBlocks:
		return fmt.Errorf("chain: hotkey_swap_rate_limit must be in [1, %d] blocks", MaxLockBlocks)
	}
	for _, d := range []struct {
		name string
		v    uint64
	}{{"unbonding_period", p.UnbondingPeriod}, {"take_rate_limit", p.TakeRateLimit}, {"jail_period", p.JailPeriod}} {
		if d.v > MaxLockBlocks {
			return fmt.Errorf("chain: %s must be ≤ %d blocks (it holds stake or rights for that long, even after a later change)", d.name, MaxLockBlocks)
		}
	}
	switch {
	case p.ColdkeySwapDelay == 0 || p.ColdkeySwapDelay > MaxLockBlocks/2:
		return fmt.Errorf("chain: coldkey_swap_delay must be in [1, %d] blocks (a dispute freezes a coldkey for twice as long)", MaxLockBlocks/2)
	case p.ColdkeySwapCost < MinColdkeySwapCost || p.ColdkeySwapCost > MaxColdkeySwapCost:
		return fmt.Errorf("chain: coldkey_swap_cost must be in [%s, %s] TAO (it bounds the pending swaps; too high, no one can leave a leaked key)", types.FormatTAO(MinColdkeySwapCost), types.FormatTAO(MaxColdkeySwapCost))
	case p.ColdkeySwapMovesPerBlock < MinColdkeySwapMoves || p.ColdkeySwapMovesPerBlock > MaxColdkeySwapMoves:
		return fmt.Errorf("chain: coldkey_swap_moves_per_block must be in [%d, %d] (records moved by the end-of-block hook)", MinColdkeySwapMoves, MaxColdkeySwapMoves)
	}
	if p.ConsensusEpoch > MaxDurationBlocks {
		return fmt.Errorf("chain: consensus_epoch must be ≤ %d blocks", uint64(MaxDurationBlocks))
	}
	return nil
}

// Bounds every staking parameter change must keep.
const (
	// MaxDurationBlocks bounds every duration parameter, so height + duration
	// cannot wrap (a wrapped release or jail height would fall in the past).
	MaxDurationBlocks = 1 << 32
	// MaxLockBlocks bounds the durations that hold funds or rights from the
	// height they start (unbonding, jail, take rate limit, voting): the
	// absolute end is stored, so a mistaken value would strand them even
	// after governance reverted it (and a voting period would delay that
	// revert as long). 2^20 blocks: about four months at 12 s blocks.
	MaxLockBlocks = 1 << 20
	// MaxDowntimeWindow keeps a downtime record (one bit per block) at 16 KiB.
	MaxDowntimeWindow = 1 << 17
	// MaxBFTValidatorsLimit bounds max_bft_validators and the genesis set,
	// and so the signatures of a valid commit and a proof of lock (package
	// chain derives the p2p size limits from it).
	MaxBFTValidatorsLimit = 256
	// MaxHotkeySwapBurn bounds hotkey_swap_burn (10,000 TAO, as
	// gov.min_deposit): above it an operator could not afford to move away
	// from a leaked hotkey, and governance could price swaps out for good.
	MaxHotkeySwapBurn = 10_000 * types.RaoPerTAO
	// Coldkey swaps: the cost is a burn, so it must not be free (each
	// pending swap is a record and a queue entry) nor so high a leaked key
	// cannot be left; the moves per block bound the hook's writes per block
	// (each move is a few writes) while letting a swap of thousands of
	// positions finish in a few blocks.
	MinColdkeySwapCost  = types.RaoPerTAO / 100
	MaxColdkeySwapCost  = 1_000 * types.RaoPerTAO
	MinColdkeySwapMoves = 16
	MaxColdkeySwapMoves = 20_000
)
