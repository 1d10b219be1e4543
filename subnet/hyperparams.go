package subnet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Hyperparams are one subnet's parameters.
type Hyperparams struct {
	Tempo                 uint64 `json:"tempo"`                // blocks between epochs
	Kappa                 uint64 `json:"kappa"`                // u16 fraction (32767 ≈ 0.5)
	BondsMovingAverage    uint64 `json:"bonds_moving_average"` // per million
	ActivityCutoff        uint64 `json:"activity_cutoff"`
	ImmunityPeriod        uint64 `json:"immunity_period"`
	MaxUIDs               uint64 `json:"max_uids"`
	MaxValidators         uint64 `json:"max_validators"`
	MinAllowedWeights     uint64 `json:"min_allowed_weights"`
	MaxWeightLimit        uint64 `json:"max_weight_limit"` // u16 fraction of the normalised weights
	WeightsRateLimit      uint64 `json:"weights_rate_limit"`
	WeightsVersion        uint64 `json:"weights_version"`
	TargetRegsPerInterval uint64 `json:"target_regs_per_interval"`
	AdjustmentInterval    uint64 `json:"adjustment_interval"`
	MaxRegsPerBlock       uint64 `json:"max_regs_per_block"`
	MinBurn               uint64 `json:"min_burn"`
	MaxBurn               uint64 `json:"max_burn"`
	MinDifficulty         uint64 `json:"min_difficulty"`
	MaxDifficulty         uint64 `json:"max_difficulty"`
	BurnRegistration      uint64 `json:"burn_registration"` // 1: BurnedRegister open
	PowRegistration       uint64 `json:"pow_registration"`  // 1: PowRegister open
	CommitReveal          uint64 `json:"commit_reveal"`     // 1: weights must be committed, then revealed
	RevealDelay           uint64 `json:"reveal_delay"`
	RevealWindow          uint64 `json:"reveal_window"`
	ServingRateLimit      uint64 `json:"serving_rate_limit"`
}

// Default returns the hyperparameters of a new subnet (subtensor's defaults
// where it has them).
func Default() Hyperparams {
	return Hyperparams{
		Tempo:                 360,
		Kappa:                 32767,
		BondsMovingAverage:    900_000,
		ActivityCutoff:        5000,
		ImmunityPeriod:        4096,
		MaxUIDs:               256,
		MaxValidators:         64,
		MinAllowedWeights:     1,
		MaxWeightLimit:        65535,
		WeightsRateLimit:      100,
		WeightsVersion:        0,
		TargetRegsPerInterval: 2,
		AdjustmentInterval:    360,
		MaxRegsPerBlock:       1,
		MinBurn:               500_000,
		MaxBurn:               100_000_000_000,
		MinDifficulty:         1 << 10,
		MaxDifficulty:         1 << 60,
		BurnRegistration:      1,
		PowRegistration:       1,
		CommitReveal:          0,
		RevealDelay:           10,
		RevealWindow:          100,
		ServingRateLimit:      50,
	}
}

// param describes one hyperparameter: its bounds and who may set it.
type param struct {
	name     string
	min, max uint64
	owner    bool // settable by the subnet owner (as subtensor allows); others need governance
	field    func(*Hyperparams) *uint64
}

var params = []param{
	{"tempo", 1, 65535, false, func(h *Hyperparams) *uint64 { return &h.Tempo }},
	{"kappa", 0, 65535, true, func(h *Hyperparams) *uint64 { return &h.Kappa }},
	{"bonds_moving_average", 0, 1_000_000, true, func(h *Hyperparams) *uint64 { return &h.BondsMovingAverage }},
	{"activity_cutoff", 1, 65535, true, func(h *Hyperparams) *uint64 { return &h.ActivityCutoff }},
	{"immunity_period", 0, 65535, true, func(h *Hyperparams) *uint64 { return &h.ImmunityPeriod }},
	{"max_uids", 1, 4096, false, func(h *Hyperparams) *uint64 { return &h.MaxUIDs }},
	{"max_validators", 1, 4096, false, func(h *Hyperparams) *uint64 { return &h.MaxValidators }},
	{"min_allowed_weights", 0, 4096, true, func(h *Hyperparams) *uint64 { return &h.MinAllowedWeights }},
	{"max_weight_limit", 1, 65535, true, func(h *Hyperparams) *uint64 { return &h.MaxWeightLimit }},
	{"weights_rate_limit", 0, 1 << 32, true, func(h *Hyperparams) *uint64 { return &h.WeightsRateLimit }},
	{"weights_version", 0, 1<<64 - 1, true, func(h *Hyperparams) *uint64 { return &h.WeightsVersion }},
	{"target_regs_per_interval", 1, 4096, false, func(h *Hyperparams) *uint64 { return &h.TargetRegsPerInterval }},
	{"adjustment_interval", 1, 1 << 20, false, func(h *Hyperparams) *uint64 { return &h.AdjustmentInterval }},
	{"max_regs_per_block", 1, 64, false, func(h *Hyperparams) *uint64 { return &h.MaxRegsPerBlock }},
	{"min_burn", 0, 1 << 60, true, func(h *Hyperparams) *uint64 { return &h.MinBurn }},
	{"max_burn", 1, 1 << 60, true, func(h *Hyperparams) *uint64 { return &h.MaxBurn }},
	{"min_difficulty", 1, 1<<64 - 1, true, func(h *Hyperparams) *uint64 { return &h.MinDifficulty }},
	{"max_difficulty", 1, 1<<64 - 1, true, func(h *Hyperparams) *uint64 { return &h.MaxDifficulty }},
	{"burn_registration", 0, 1, true, func(h *Hyperparams) *uint64 { return &h.BurnRegistration }},
	{"pow_registration", 0, 1, true, func(h *Hyperparams) *uint64 { return &h.PowRegistration }},
	{"commit_reveal", 0, 1, true, func(h *Hyperparams) *uint64 { return &h.CommitReveal }},
	{"reveal_delay", 1, 1 << 20, true, func(h *Hyperparams) *uint64 { return &h.RevealDelay }},
	{"reveal_window", 1, 1 << 20, true, func(h *Hyperparams) *uint64 { return &h.RevealWindow }},
	{"serving_rate_limit", 0, 1 << 32, true, func(h *Hyperparams) *uint64 { return &h.ServingRateLimit }},
}

var (
	ErrUnknownParam  = errors.New("subnet: unknown hyperparameter")
	ErrOutOfBounds   = errors.New("subnet: value out of bounds")
	ErrNotOwnerParam = errors.New("subnet: this hyperparameter is not settable by the subnet owner (governance only)")
	ErrInconsistent  = errors.New("subnet: hyperparameters inconsistent")
)

// Names lists the hyperparameter names.
func Names() []string {
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = p.name
	}
	return out
}

// Set changes one hyperparameter by name, checking its bounds, whether the
// owner may set it (byOwner), and that the result is consistent.
func (h *Hyperparams) Set(name string, v uint64, byOwner bool) error {
	i := slices.IndexFunc(params, func(p param) bool { return p.name == name })
	if i < 0 {
		return fmt.Errorf("%w %q (have %s)", ErrUnknownParam, name, strings.Join(Names(), ", "))
	}
	p := params[i]
	if byOwner && !p.owner {
		return fmt.Errorf("%w: %s", ErrNotOwnerParam, name)
	}
	if v < p.min || v > p.max {
		return fmt.Errorf("%w: %s must be in [%d, %d], got %d", ErrOutOfBounds, name, p.min, p.max, v)
	}
	next := *h
	*p.field(&next) = v
	if err := next.Validate(); err != nil {
		return err
	}
	*h = next
	return nil
}

// Get returns a hyperparameter by name.
func (h *Hyperparams) Get(name string) (uint64, bool) {
	for _, p := range params {
		if p.name == name {
			return *p.field(h), true
		}
	}
	return 0, false
}

// Validate checks the cross-field rules.
func (h Hyperparams) Validate() error {
	for _, p := range params {
		if v := *p.field(&h); v < p.min || v > p.max {
			return fmt.Errorf("%w: %s must be in [%d, %d], got %d", ErrOutOfBounds, p.name, p.min, p.max, v)
		}
	}
	switch {
	case h.MinBurn > h.MaxBurn:
		return fmt.Errorf("%w: min_burn %d > max_burn %d", ErrInconsistent, h.MinBurn, h.MaxBurn)
	case h.MinDifficulty > h.MaxDifficulty:
		return fmt.Errorf("%w: min_difficulty > max_difficulty", ErrInconsistent)
	case h.MaxValidators > h.MaxUIDs:
		return fmt.Errorf("%w: max_validators %d > max_uids %d", ErrInconsistent, h.MaxValidators, h.MaxUIDs)
	}
	return nil
}
