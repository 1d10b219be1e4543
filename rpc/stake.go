package rpc

import (
	"fmt"
	"strconv"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// StakeAPI is the stake_ namespace: stake positions, delegates, validator
// sets and unbonding.
type StakeAPI struct{ b Backend }

func rao(v uint64) string { return strconv.FormatUint(v, 10) }

// GetStake returns coldkey's stake on hotkey in rao.
func (api *StakeAPI) GetStake(coldkey, hotkey types.Address) (string, error) {
	return withView(api.b, func(v View) (string, error) { return rao(v.Stake(coldkey, hotkey)), nil })
}

// NominatorJSON is one stake position on a hotkey.
type NominatorJSON struct {
	Coldkey types.Address `json:"coldkey"`
	Stake   string        `json:"stake"`
}

// HotkeyJSON describes a hotkey and who stakes on it.
type HotkeyJSON struct {
	Hotkey       types.Address   `json:"hotkey"`
	Owner        types.Address   `json:"owner"`
	TotalStake   string          `json:"totalStake"`
	TakePPM      uint32          `json:"takePpm"`
	ConsensusKey *types.Address  `json:"consensusKey"`
	PendingKey   *types.Address  `json:"pendingConsensusKey"`
	Jailed       bool            `json:"jailed"`
	JailedUntil  uint64          `json:"jailedUntil,omitempty"`
	Nominators   []NominatorJSON `json:"nominators,omitempty"`
	// Retired is set for a hotkey a swap retired (issue 16): it has no
	// stake or registrations left and can never be used again.
	Retired *RetiredJSON `json:"retired,omitempty"`
}

// RetiredJSON says where a retired hotkey went.
type RetiredJSON struct {
	SwappedTo types.Address `json:"swappedTo"`
	AtBlock   uint64        `json:"atBlock"`
}

func hotkeyJSON(hk types.Address, h HotkeyInfo) *HotkeyJSON {
	out := &HotkeyJSON{Hotkey: hk, Owner: h.Owner, TotalStake: rao(h.TotalStake), TakePPM: h.Take, Jailed: h.Jailed}
	if h.Jailed {
		out.JailedUntil = h.JailedUntil
	}
	if h.ConsensusKey != (types.Address{}) {
		k := h.ConsensusKey
		out.ConsensusKey = &k
	}
	if h.PendingKey != (types.Address{}) {
		k := h.PendingKey
		out.PendingKey = &k
	}
	return out
}

// OfHotkey returns a hotkey's record and its nominators; for a hotkey a
// swap retired, its owner and where it went (retired); null if unknown.
func (api *StakeAPI) OfHotkey(hotkey types.Address) (*HotkeyJSON, error) {
	return withView(api.b, func(v View) (*HotkeyJSON, error) {
		h, ok := v.Hotkey(hotkey)
		if !ok {
			if r, retired := v.Retired(hotkey); retired {
				return &HotkeyJSON{Hotkey: hotkey, Owner: r.Owner, TotalStake: "0", Retired: &RetiredJSON{SwappedTo: r.SwappedTo, AtBlock: r.At}}, nil
			}
			return nil, nil
		}
		out := hotkeyJSON(hotkey, h)
		for _, n := range v.Nominators(hotkey) {
			out.Nominators = append(out.Nominators, NominatorJSON{n.Coldkey, rao(n.Amount)})
		}
		return out, nil
	})
}

// Delegates lists every hotkey with stake (without nominator lists).
func (api *StakeAPI) Delegates() ([]*HotkeyJSON, error) {
	return withView(api.b, func(v View) ([]*HotkeyJSON, error) {
		out := []*HotkeyJSON{}
		for _, h := range v.Hotkeys() {
			if h.Info.TotalStake > 0 {
				out = append(out, hotkeyJSON(h.Hotkey, h.Info))
			}
		}
		return out, nil
	})
}

// PositionJSON is one stake position of a coldkey.
type PositionJSON struct {
	Hotkey types.Address `json:"hotkey"`
	Stake  string        `json:"stake"`
}

// StakesOf lists a coldkey's stake positions.
func (api *StakeAPI) StakesOf(coldkey types.Address) ([]PositionJSON, error) {
	return withView(api.b, func(v View) ([]PositionJSON, error) {
		out := []PositionJSON{}
		for _, p := range v.StakesOf(coldkey) {
			out = append(out, PositionJSON{p.Hotkey, rao(p.Amount)})
		}
		return out, nil
	})
}

// ValidatorJSON is a member of a validator set.
type ValidatorJSON struct {
	ConsensusKey types.Address  `json:"consensusKey"`
	Hotkey       *types.Address `json:"hotkey"` // null for bootstrap validators
	Power        uint64         `json:"power"`
}

// ValidatorsJSON is the validator set of a height.
type ValidatorsJSON struct {
	Height     uint64          `json:"height"`
	Hash       types.Hash      `json:"hash"`
	Bootstrap  bool            `json:"bootstrap"`
	TotalPower uint64          `json:"totalPower"`
	Validators []ValidatorJSON `json:"validators"`
}

// Validators returns the validator set governing a height (default: the
// next block's).
func (api *StakeAPI) Validators(block *BlockNumber) (*ValidatorsJSON, error) {
	v, err := api.b.View()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	head := v.Head()
	h := head.Height + 1
	if block != nil && !block.latest {
		h = block.n
	}
	if h > head.Height+1 {
		return nil, &Error{CodeNotFound, "the validator set of height " + rao(h) + " is not decided yet (head " + rao(head.Height) + ")"}
	}
	set, err := v.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	out := &ValidatorsJSON{Height: h, Hash: set.Hash(), Bootstrap: set.Bootstrap, TotalPower: set.TotalPower(), Validators: []ValidatorJSON{}}
	for i, v := range set.Validators {
		j := ValidatorJSON{ConsensusKey: v.Address, Power: v.Power}
		if i < len(set.Hotkeys) && set.Hotkeys[i] != (types.Address{}) {
			hk := set.Hotkeys[i]
			j.Hotkey = &hk
		}
		out.Validators = append(out.Validators, j)
	}
	return out, nil
}

// UnbondingJSON is stake on its way back to balance.
type UnbondingJSON struct {
	Hotkey    types.Address `json:"hotkey"`
	Amount    string        `json:"amount"`
	ReleaseAt uint64        `json:"releaseAt"`
}

// Unbonding lists a coldkey's unbonding stake.
func (api *StakeAPI) Unbonding(coldkey types.Address) ([]UnbondingJSON, error) {
	return withView(api.b, func(v View) ([]UnbondingJSON, error) {
		out := []UnbondingJSON{}
		for _, u := range v.UnbondingOf(coldkey) {
			out = append(out, UnbondingJSON{u.Hotkey, rao(u.Amount), u.ReleaseAt})
		}
		return out, nil
	})
}

// MaxColdkeySwaps bounds one stake_coldkeySwaps answer.
const MaxColdkeySwaps = 256

// ColdkeySwapJSON is a coldkey swap: scheduled (moves at dueAt), disputed
// (the old coldkey is frozen; lapses at dueAt unless governance resolves
// it), cancelled (a schedule before dueAt is a dispute) or executing.
type ColdkeySwapJSON struct {
	Coldkey     types.Address  `json:"coldkey"`
	Status      string         `json:"status"`
	NewColdkey  types.Address  `json:"newColdkey"`
	Disputed    *types.Address `json:"disputedWith,omitempty"` // the second destination of a dispute
	ScheduledAt uint64         `json:"scheduledAt"`
	DueAt       uint64         `json:"dueAt"`
	Frozen      bool           `json:"frozen"`
}

func coldkeySwapJSON(s ColdkeySwap) *ColdkeySwapJSON {
	out := &ColdkeySwapJSON{Coldkey: s.Old, Status: staking.SwapStatusName(s.Status), NewColdkey: s.New, ScheduledAt: s.ScheduledAt, DueAt: s.Due, Frozen: s.Frozen()}
	if s.Other != (types.Address{}) {
		o := s.Other
		out.Disputed = &o
	}
	return out
}

// ColdkeySwap returns coldkey's swap; null if it has none.
func (api *StakeAPI) ColdkeySwap(coldkey types.Address) (*ColdkeySwapJSON, error) {
	return withView(api.b, func(v View) (*ColdkeySwapJSON, error) {
		s, ok := v.ColdkeySwap(coldkey)
		if !ok {
			return nil, nil
		}
		return coldkeySwapJSON(s), nil
	})
}

// ColdkeySwaps lists pending coldkey swaps (cancelled ones' tombstones
// included), the soonest due first, at most limit (default and maximum
// MaxColdkeySwaps).
func (api *StakeAPI) ColdkeySwaps(limit *int) ([]*ColdkeySwapJSON, error) {
	n := MaxColdkeySwaps
	if limit != nil {
		if *limit <= 0 || *limit > MaxColdkeySwaps {
			return nil, &Error{CodeInvalidParams, fmt.Sprintf("limit must be in [1, %d]", MaxColdkeySwaps)}
		}
		n = *limit
	}
	return withView(api.b, func(v View) ([]*ColdkeySwapJSON, error) {
		out := []*ColdkeySwapJSON{}
		for _, s := range v.ColdkeySwaps(n) {
			out = append(out, coldkeySwapJSON(s))
		}
		return out, nil
	})
}
