package yuma

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// inputJSON is the `taod yuma simulate --input` format (the "input" object
// of the reference vectors). Pointers tell a missing field from a zero.
type inputJSON struct {
	Stake               []uint64    `json:"stake"`
	Weights             [][]uint16  `json:"weights"`
	PrevBonds           [][]uint16  `json:"prev_bonds,omitempty"`
	LastUpdate          []uint64    `json:"last_update"`
	BlockAtRegistration []uint64    `json:"block_at_registration"`
	CurrentBlock        *uint64     `json:"current_block"`
	Emission            *uint64     `json:"emission"`
	Params              *paramsJSON `json:"params"`
}

type paramsJSON struct {
	Kappa              *uint16 `json:"kappa"`
	BondsMovingAverage *uint64 `json:"bonds_moving_average"`
	ActivityCutoff     *uint64 `json:"activity_cutoff"`
	MaxValidators      *int    `json:"max_validators"`
	Tempo              *uint64 `json:"tempo,omitempty"`
}

// ParseInput decodes the `taod yuma simulate --input` JSON format:
//
//	{"stake": [u64…], "weights": [[u16…]…], "prev_bonds": [[u16…]…],
//	 "last_update": [u64…], "block_at_registration": [u64…],
//	 "current_block": u64, "emission": u64,
//	 "params": {"kappa": u16, "bonds_moving_average": u64,
//	            "activity_cutoff": u64, "max_validators": int, "tempo": u64}}
//
// prev_bonds and params.tempo are optional (no bonds; DefaultTempo); every
// other field is required and unknown fields are rejected, so a typo is not
// silently ignored. The result is validated (see Input.Validate). Errors
// wrap ErrInvalidInput.
func ParseInput(data []byte) (Input, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w inputJSON
	if err := dec.Decode(&w); err != nil {
		return Input{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Input{}, fmt.Errorf("%w: trailing data after the input object", ErrInvalidInput)
	}
	missing := func(name string) error {
		return fmt.Errorf("%w: missing field %q", ErrInvalidInput, name)
	}
	switch {
	case w.Stake == nil:
		return Input{}, missing("stake")
	case w.Weights == nil:
		return Input{}, missing("weights")
	case w.LastUpdate == nil:
		return Input{}, missing("last_update")
	case w.BlockAtRegistration == nil:
		return Input{}, missing("block_at_registration")
	case w.CurrentBlock == nil:
		return Input{}, missing("current_block")
	case w.Emission == nil:
		return Input{}, missing("emission")
	case w.Params == nil:
		return Input{}, missing("params")
	case w.Params.Kappa == nil:
		return Input{}, missing("params.kappa")
	case w.Params.BondsMovingAverage == nil:
		return Input{}, missing("params.bonds_moving_average")
	case w.Params.ActivityCutoff == nil:
		return Input{}, missing("params.activity_cutoff")
	case w.Params.MaxValidators == nil:
		return Input{}, missing("params.max_validators")
	}
	in := Input{
		Stake:               w.Stake,
		Weights:             w.Weights,
		Bonds:               w.PrevBonds,
		LastUpdate:          w.LastUpdate,
		BlockAtRegistration: w.BlockAtRegistration,
		CurrentBlock:        *w.CurrentBlock,
		Emission:            *w.Emission,
		Params: Params{
			Kappa:              *w.Params.Kappa,
			BondsMovingAverage: *w.Params.BondsMovingAverage,
			ActivityCutoff:     *w.Params.ActivityCutoff,
			MaxValidators:      *w.Params.MaxValidators,
			Tempo:              DefaultTempo,
		},
	}
	if w.Params.Tempo != nil {
		in.Params.Tempo = *w.Params.Tempo
	}
	if err := in.Validate(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// MarshalJSON encodes in in the format ParseInput reads (tempo included).
func (in Input) MarshalJSON() ([]byte, error) {
	p := in.Params
	return json.Marshal(inputJSON{
		Stake:               nonNil(in.Stake),
		Weights:             nonNilRows(in.Weights),
		PrevBonds:           in.Bonds,
		LastUpdate:          nonNil(in.LastUpdate),
		BlockAtRegistration: nonNil(in.BlockAtRegistration),
		CurrentBlock:        &in.CurrentBlock,
		Emission:            &in.Emission,
		Params: &paramsJSON{
			Kappa:              &p.Kappa,
			BondsMovingAverage: &p.BondsMovingAverage,
			ActivityCutoff:     &p.ActivityCutoff,
			MaxValidators:      &p.MaxValidators,
			Tempo:              &p.Tempo,
		},
	})
}

// outputJSON is the shape of the reference vectors' "expected" object, plus
// the dust.
type outputJSON struct {
	Consensus         []Fixed    `json:"consensus"`
	Ranks             []Fixed    `json:"ranks"`
	Trust             []Fixed    `json:"trust"`
	Incentive         []Fixed    `json:"incentive"`
	Dividends         []Fixed    `json:"dividends"`
	ValidatorTrust    []Fixed    `json:"validator_trust"`
	ValidatorPermits  []bool     `json:"validator_permits"`
	Active            []bool     `json:"active"`
	Bonds             [][]uint16 `json:"bonds"`
	IncentiveEmission []uint64   `json:"incentive_emission"`
	DividendEmission  []uint64   `json:"dividend_emission"`
	Dust              uint64     `json:"dust"`
}

// MarshalJSON encodes o in the shape of the reference vectors' "expected"
// object, plus "dust": values in [0, 1] as decimal numbers, bonds as full
// n×n rows of u16.
func (o Output) MarshalJSON() ([]byte, error) {
	n := len(o.Active)
	bonds := make([][]uint16, n)
	for i := range bonds {
		if i < len(o.Bonds) && len(o.Bonds[i]) == n {
			bonds[i] = o.Bonds[i]
		} else {
			bonds[i] = make([]uint16, n)
		}
	}
	return json.Marshal(outputJSON{
		Consensus:         nonNil(o.Consensus),
		Ranks:             nonNil(o.Ranks),
		Trust:             nonNil(o.Trust),
		Incentive:         nonNil(o.Incentive),
		Dividends:         nonNil(o.Dividends),
		ValidatorTrust:    nonNil(o.ValidatorTrust),
		ValidatorPermits:  nonNil(o.ValidatorPermits),
		Active:            nonNil(o.Active),
		Bonds:             bonds,
		IncentiveEmission: nonNil(o.IncentiveEmission),
		DividendEmission:  nonNil(o.DividendEmission),
		Dust:              o.Dust,
	})
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](x []T) []T {
	if x == nil {
		return []T{}
	}
	return x
}

// nonNilRows is nonNil for a matrix; rows may stay empty.
func nonNilRows[T any](m [][]T) [][]T {
	out := make([][]T, len(m))
	for i, row := range m {
		out[i] = nonNil(row)
	}
	return out
}
