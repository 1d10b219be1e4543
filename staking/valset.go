package staking

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// SetRecord is the stored record of the BFT validator set governing a range
// of heights, in canonical order: power descending, then address ascending.
// Its RLP encoding is state (key V<from>), so its fields are consensus bytes.
// It carries what staking needs beside the validators (their hotkeys, the
// bootstrap flag); consensus.ValidatorSet, built from Validators, is the
// engine's one validator-set type, with proposer priorities.
type SetRecord struct {
	Validators []types.Validator
	Hotkeys    []types.Address // Hotkeys[i] is validator i's hotkey; zero for bootstrap validators
	Bootstrap  bool            // the genesis bootstrap set (fixed power)
}

// Hash is the hash headers carry (validators and powers only).
func (s *SetRecord) Hash() types.Hash { return types.ValidatorsHash(s.Validators) }

// TotalPower sums the voting power.
func (s *SetRecord) TotalPower() uint64 {
	var t uint64
	for _, v := range s.Validators {
		t += v.Power
	}
	return t
}

// setStart is the first height governed by the set in force at height h: the
// set decided when an epoch's last block H (H % epoch == 0) is applied
// governs heights H+2 … H+epoch+1; before the first one, the genesis set.
func setStart(h, epoch uint64) uint64 {
	if h < epoch+2 {
		return 0
	}
	return (h-2)/epoch*epoch + 2
}

func writeValidatorSet(st *state.State, from uint64, s SetRecord) {
	b, _ := rlp.EncodeToBytes(&s)
	st.Set(key(pValSet, u64b(from)), b)
}

// ValidatorSetAt returns the validator set governing height h.
func ValidatorSetAt(st interface{ Get([]byte) []byte }, p Params, h uint64) (SetRecord, error) {
	from := setStart(h, p.ConsensusEpoch)
	b := st.Get(key(pValSet, u64b(from)))
	var s SetRecord
	if len(b) == 0 {
		return s, fmt.Errorf("chain: no validator set stored for height %d (from %d)", h, from)
	}
	if err := rlp.DecodeBytes(b, &s); err != nil {
		return s, fmt.Errorf("chain: corrupt validator set at %d: %w", from, err)
	}
	return s, nil
}

type candidate struct {
	hotkey, consensus types.Address
	stake             uint64
}

// UpdateValidatorSet runs at the end of an epoch's last block H: pending key
// rotations take effect, and the set for heights from H+2 is decided.
func (x *Block) UpdateValidatorSet() error {
	p := x.Params
	st := x.State
	// Key rotations.
	// Keys of another length are not records (see ErrMalformedRecord).
	var rotating []types.Address
	st.Iterate([]byte{pPending}, func(k, _ []byte) bool {
		if len(k) == addressKeyLen {
			rotating = append(rotating, types.Address(k[1:21]))
		}
		return true
	})
	for _, hk := range rotating {
		h, _ := hotkeyInfo(st, hk)
		h.ConsensusKey, h.PendingKey = h.PendingKey, types.Address{}
		setHotkeyInfo(st, hk, h)
		st.Set(key(pPending, hk[:]), nil)
		st.Set(key(pCandidate, hk[:]), marker)
	}
	// Candidates: bound, not jailed, with enough stake.
	var cands []candidate
	st.Iterate([]byte{pCandidate}, func(k, _ []byte) bool {
		if len(k) != addressKeyLen {
			return true
		}
		hk := types.Address(k[1:21])
		h, _ := hotkeyInfo(st, hk)
		if !h.Jailed && h.ConsensusKey != (types.Address{}) && h.TotalStake >= p.MinValidatorStake && h.TotalStake >= PowerUnit {
			cands = append(cands, candidate{hk, h.ConsensusKey, h.TotalStake})
		}
		return true
	})
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.stake != b.stake {
			if a.stake > b.stake {
				return -1
			}
			return 1
		}
		return a.hotkey.Cmp(b.hotkey)
	})
	if len(cands) > p.MaxBFTValidators {
		cands = cands[:p.MaxBFTValidators]
	}
	var bonded uint64
	for _, c := range cands {
		bonded += c.stake
	}
	handedOver := len(st.Get(keyHandover)) != 0
	if !handedOver && bonded >= p.MinBFTStake && len(cands) >= p.MinBFTValidators {
		handedOver = true
		st.Set(keyHandover, marker)
	}
	prev, err := ValidatorSetAt(st, p, x.Height+1)
	if err != nil {
		return err
	}
	var next SetRecord
	switch {
	case handedOver && len(cands) > 0:
		next = stakedSet(cands, p.MaxPowerFraction)
	case handedOver:
		next = prev // never leave the chain without validators
	default:
		next = x.bootstrapSet()
	}
	writeValidatorSet(st, x.Height+2, next)
	return nil
}

// bootstrapSet is the genesis set without jailed members (all of it if that
// would leave none).
func (x *Block) bootstrapSet() SetRecord {
	g := x.Bootstrap
	var out SetRecord
	out.Bootstrap = true
	for _, v := range g {
		if len(x.State.Get(key(pJailedBoot, v.Address[:]))) == 0 {
			out.Validators = append(out.Validators, v)
			out.Hotkeys = append(out.Hotkeys, types.Address{})
		}
	}
	if len(out.Validators) == 0 {
		out.Validators = slices.Clone(g)
		out.Hotkeys = make([]types.Address, len(g))
	}
	return out
}

// stakedSet turns candidates (sorted by stake) into a set with power in
// PowerUnits, capped at maxFraction of the total when the cap can hold.
func stakedSet(cands []candidate, maxFraction uint32) SetRecord {
	powers := make([]uint64, len(cands))
	for i, c := range cands {
		powers[i] = max(c.stake/PowerUnit, 1)
	}
	capPowers(powers, maxFraction)
	var s SetRecord
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if powers[a] != powers[b] {
			if powers[a] > powers[b] {
				return -1
			}
			return 1
		}
		return cands[a].consensus.Cmp(cands[b].consensus)
	})
	for _, i := range idx {
		s.Validators = append(s.Validators, types.Validator{Address: cands[i].consensus, Power: powers[i]})
		s.Hotkeys = append(s.Hotkeys, cands[i].hotkey)
	}
	return s
}

// capPowers limits each power (sorted descending) to f ppm of the capped
// total: the top k are set to C = f·R / (1 − f·k), R the sum of the rest,
// for the smallest k where the next power is ≤ C. It does nothing when the
// cap cannot hold (n·f < 1).
func capPowers(p []uint64, f uint32) {
	n := uint64(len(p))
	if f == 0 || n*uint64(f) < 1_000_000 || f >= 1_000_000 {
		return
	}
	var rest uint64
	for _, v := range p {
		rest += v
	}
	for k := 0; k < len(p); k++ {
		den := 1_000_000 - uint64(f)*uint64(k)
		if den == 0 {
			return
		}
		hi, lo := bits.Mul64(uint64(f), rest)
		c, _ := bits.Div64(hi, lo, den)
		if p[k] <= c {
			for i := 0; i < k; i++ {
				p[i] = max(c, 1)
			}
			return
		}
		rest -= p[k]
	}
}
