package chain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/taonet/taod/types"
)

// The parameter registry's change rules: which keys governance may change,
// within which bounds, and how a change applies to Params (package gov owns
// the proposals that carry changes; it reaches these through the Registry
// it declares, chain/govparams.go).

// Errors of a parameter change (failed calls: a Propose whose changes fail
// them). Their texts are in receipts, and so unchanged.
var (
	ErrMonetaryPolicy   = errors.New("chain: monetary policy (21M cap, halving schedule, 50/50 miner/validator split) is not governable")
	ErrNotGovernable    = errors.New("chain: parameter is not governable")
	ErrUnknownParameter = errors.New("chain: unknown protocol parameter")
	ErrBadParamValue    = errors.New("chain: bad parameter value")
)

// Bounds of the top-level parameters a governance change must keep (genesis
// sets them once; a change must leave blocks able to carry any call, and
// governance affordable enough to undo a change).
const (
	// MaxBaseFeePerWeight keeps the heaviest call (weights over 4,096 UIDs,
	// about 2 M weight) near 2 TAO, so a fee change can still be voted back.
	MaxBaseFeePerWeight = 1_000
	MinBlockTimeMs      = 10
	MaxBlockTimeMs      = 600_000
	MaxClockDriftMs     = 600_000
)

// MaxCallWeight is the weight of the heaviest call, weights over the most
// UIDs a call may carry (a test holds every call kind to it): a block must
// be able to carry it, or that call could never run again.
const MaxCallWeight = types.WeightsBaseWeight + types.WeightsPerUIDWeight*types.MaxWeightsLen

// checkGoverned checks the top-level parameters against the bounds a
// governance change must keep.
func checkGoverned(p Params) error {
	switch {
	case p.BaseFeePerWeight > MaxBaseFeePerWeight:
		return fmt.Errorf("base_fee_per_weight must be ≤ %d rao", MaxBaseFeePerWeight)
	case p.MaxBlockWeight < MaxCallWeight:
		return fmt.Errorf("max_block_weight must be ≥ %d, the heaviest call", MaxCallWeight)
	case p.BlockTimeMs < MinBlockTimeMs || p.BlockTimeMs > MaxBlockTimeMs:
		return fmt.Errorf("block_time_ms must be in [%d, %d]", MinBlockTimeMs, MaxBlockTimeMs)
	case p.MaxClockDriftMs > MaxClockDriftMs:
		return fmt.Errorf("max_clock_drift_ms must be ≤ %d", MaxClockDriftMs)
	}
	return nil
}

// monetaryKeys are refused by name, wherever they would sit.
var monetaryKeys = []string{"emission", "max_supply", "supply", "block_reward", "initial_reward", "reward", "halving", "issuance", "miner_split", "validator_split", "split"}

// notGovernable would break stored data if changed.
var notGovernable = map[string]string{
	"staking.consensus_epoch": "validator sets are stored by epoch boundary",
}

// ApplyParamChanges returns p with the changes applied, all or none, or a
// clear error: unknown key, monetary policy, not governable, bad value, or
// a result that fails validation.
func ApplyParamChanges(p Params, changes []types.ParamChange) (Params, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	var tree map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return p, err
	}
	for _, ch := range changes {
		path := strings.Split(ch.Key, ".")
		for _, seg := range path {
			for _, m := range monetaryKeys {
				if strings.Contains(seg, m) {
					return p, fmt.Errorf("%w: %q", ErrMonetaryPolicy, ch.Key)
				}
			}
		}
		if why, ok := notGovernable[ch.Key]; ok {
			return p, fmt.Errorf("%w: %s (%s)", ErrNotGovernable, ch.Key, why)
		}
		v, err := strconv.ParseUint(strings.TrimSpace(ch.Value), 10, 64)
		if err != nil {
			return p, fmt.Errorf("%w: %s = %q: want a non-negative integer", ErrBadParamValue, ch.Key, ch.Value)
		}
		node := tree
		for i, seg := range path {
			cur, ok := node[seg]
			if !ok {
				return p, fmt.Errorf("%w: %q", ErrUnknownParameter, ch.Key)
			}
			if i < len(path)-1 {
				if node, ok = cur.(map[string]any); !ok {
					return p, fmt.Errorf("%w: %q", ErrUnknownParameter, ch.Key)
				}
				continue
			}
			switch cur.(type) {
			case json.Number:
				node[seg] = json.Number(strconv.FormatUint(v, 10))
			case string:
				node[seg] = strconv.FormatUint(v, 10)
			default:
				return p, fmt.Errorf("%w: %q is not a numeric parameter", ErrUnknownParameter, ch.Key)
			}
		}
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return p, err
	}
	var next Params
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&next); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	if err := next.Validate(); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	if err := checkGoverned(next); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	return next, nil
}
