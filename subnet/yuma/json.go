package yuma

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
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
	ValidatorPermits    []bool      `json:"validator_permits,omitempty"`
	Params              *paramsJSON `json:"params,omitempty"`
}

type paramsJSON struct {
	Kappa              *uint16 `json:"kappa,omitempty"`
	BondsMovingAverage *uint64 `json:"bonds_moving_average,omitempty"`
	ActivityCutoff     *uint64 `json:"activity_cutoff,omitempty"`
	MaxValidators      *int    `json:"max_validators,omitempty"`
	Tempo              *uint64 `json:"tempo,omitempty"`
}

// ParseInput decodes the `taod yuma simulate --input` JSON format:
//
//	{"stake": [u64…], "weights": [[u16…]…], "last_update": [u64…],
//	 "block_at_registration": [u64…], "current_block": u64, "emission": u64,
//	 "validator_permits": [bool…], "prev_bonds": [[u16…]…],
//	 "params": {"kappa": u16, "bonds_moving_average": u64 (<= 10^6),
//	            "activity_cutoff": u64, "max_validators": int, "tempo": u64}}
//
// validator_permits (default: top max_validators by stake), prev_bonds
// (default: none), params and each of its fields (default: DefaultParams)
// are optional; every other field is required. A row of weights or
// prev_bonds is n numbers, or empty or null for none. Unknown fields are
// rejected, so a typo is not silently ignored. The result is validated (see
// Input.Validate).
//
// Errors wrap ErrInvalidInput and name the field, with its index in an array
// ("weights[2][7]: 70000 is above 65535", "stake[0]: -1 is negative",
// "missing field \"emission\"").
func ParseInput(data []byte) (Input, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w inputJSON
	if err := dec.Decode(&w); err != nil {
		return Input{}, fmt.Errorf("%w: %w", ErrInvalidInput, explainDecodeError(data, err))
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
	}
	in := Input{
		Stake:               w.Stake,
		Weights:             w.Weights,
		Bonds:               w.PrevBonds,
		LastUpdate:          w.LastUpdate,
		BlockAtRegistration: w.BlockAtRegistration,
		CurrentBlock:        *w.CurrentBlock,
		Emission:            *w.Emission,
		ValidatorPermits:    w.ValidatorPermits,
		Params:              DefaultParams(),
	}
	if p := w.Params; p != nil {
		set(&in.Params.Kappa, p.Kappa)
		set(&in.Params.BondsMovingAverage, p.BondsMovingAverage)
		set(&in.Params.ActivityCutoff, p.ActivityCutoff)
		set(&in.Params.MaxValidators, p.MaxValidators)
		set(&in.Params.Tempo, p.Tempo)
	}
	if err := in.Validate(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// set sets *dst to *v when v is not nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// explainDecodeError turns a decoding error into one that names the field
// and index at fault. encoding/json names the field but not the index, and
// says "cannot unmarshal number -1 into … uint64" where a user wants "is
// negative": when the typed decode fails, the input is decoded again
// loosely (numbers as text) and checked field by field. Errors it cannot
// pin to a field (syntax errors, say) are returned as they are, with the
// byte offset for syntax errors.
func explainDecodeError(data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("%w (at byte %d)", err, syntax.Offset)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return err
	}
	if e := checkInputFields(doc); e != nil {
		return e
	}
	return err
}

// Largest values of the input's integer types, for checkInputFields.
const (
	u64Max = math.MaxUint64
	u16Max = math.MaxUint16
)

// checkInputFields checks the loosely decoded input against the format and
// returns the first problem found, naming the field.
func checkInputFields(doc map[string]any) error {
	vectors := []struct {
		name string
		max  uint64
	}{{"stake", u64Max}, {"last_update", u64Max}, {"block_at_registration", u64Max}}
	for _, f := range vectors {
		if err := checkVector(f.name, doc[f.name], f.max); err != nil {
			return err
		}
	}
	for _, name := range []string{"weights", "prev_bonds"} {
		rows, err := checkArray(name, doc[name])
		if err != nil {
			return err
		}
		for i, row := range rows {
			if err := checkVector(fmt.Sprintf("%s[%d]", name, i), row, u16Max); err != nil {
				return err
			}
		}
	}
	for _, name := range []string{"current_block", "emission"} {
		if v, ok := doc[name]; ok && v != nil {
			if err := checkUint(name, v, u64Max); err != nil {
				return err
			}
		}
	}
	permits, err := checkArray("validator_permits", doc["validator_permits"])
	if err != nil {
		return err
	}
	for i, p := range permits {
		if _, ok := p.(bool); !ok {
			return fmt.Errorf("validator_permits[%d]: want true or false, got %s", i, kindOf(p))
		}
	}
	params, ok := doc["params"].(map[string]any)
	if !ok {
		if p := doc["params"]; p != nil {
			return fmt.Errorf("params: want an object, got %s", kindOf(p))
		}
		return nil
	}
	for _, f := range []struct {
		name string
		max  uint64
	}{
		{"kappa", u16Max},
		{"bonds_moving_average", BondsMovingAverageScale},
		{"activity_cutoff", u64Max},
		{"max_validators", MaxUIDs},
		{"tempo", u64Max},
	} {
		if v, ok := params[f.name]; ok && v != nil {
			if err := checkUint("params."+f.name, v, f.max); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkArray returns v as an array; nil (missing or null) is an empty one.
func checkArray(path string, v any) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want an array, got %s", path, kindOf(v))
	}
	return a, nil
}

// checkVector checks that v is an array (or null) of integers in [0, max].
func checkVector(path string, v any, max uint64) error {
	a, err := checkArray(path, v)
	if err != nil {
		return err
	}
	for i, x := range a {
		if err := checkUint(fmt.Sprintf("%s[%d]", path, i), x, max); err != nil {
			return err
		}
	}
	return nil
}

// checkUint checks that v is a JSON integer in [0, max], written plainly.
func checkUint(path string, v any, max uint64) error {
	num, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("%s: want a whole number from 0 to %d, got %s", path, max, kindOf(v))
	}
	s := num.String()
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		if u > max {
			return fmt.Errorf("%s: %s is above %d", path, s, max)
		}
		return nil
	}
	r, ok := new(big.Rat).SetString(s) // exact: no floating point
	switch {
	case !ok:
		return fmt.Errorf("%s: %s is not a number", path, s)
	case r.Sign() < 0:
		return fmt.Errorf("%s: %s is negative", path, s)
	case !r.IsInt():
		return fmt.Errorf("%s: %s is not a whole number", path, s)
	case r.Num().IsUint64() && r.Num().Uint64() <= max:
		return fmt.Errorf("%s: %s: write whole numbers without a fraction or exponent", path, s)
	}
	return fmt.Errorf("%s: %s is above %d", path, s, max)
}

// kindOf names the JSON type of a loosely decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// MarshalJSON encodes in in the format ParseInput reads (tempo included).
func (in Input) MarshalJSON() ([]byte, error) {
	p := in.Params
	return json.Marshal(inputJSON{
		ValidatorPermits:    in.ValidatorPermits,
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
