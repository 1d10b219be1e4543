package rpc

import (
	"fmt"

	"github.com/taonet/taod/types"
)

// The reads a validator needs beyond the metagraph: a neuron's bonds, the
// subnet's whole weight matrix in one answer, and a hotkey's pending
// weights commit. Sparse rows are [uid, value] pairs, u16 as the chain
// stores them (65535 = 1 for weights; bonds are the epoch's moving average,
// normalised per column), as in subnet_neuron.

// MaxWeightPairs bounds a subnet_weights answer: 2^20 [uid, weight] pairs,
// at most about 13 MB of JSON (measured: 12.3 MB for 4,096 rows × 256,
// 13.0 MB for 256 rows × 4,096; 3.3 MB for 64 validators × 4,096 UIDs). A subnet's rows are bounded by the chain (max_uids
// ≤ 4,096, and only permit holders set weights, max_validators ≤ 4,096),
// but the product is not: 4,096 dense rows of 4,096 would be 16.7M pairs.
const MaxWeightPairs = 1 << 20

// neuronUID checks that uid is a neuron of an existing subnet.
func neuronUID(v View, netuid, uid uint16) error {
	s, err := subnetIn(v, netuid)
	if err != nil {
		return err
	}
	if uid >= s.N {
		return invalidParams("uid %d is out of range: subnet %d has %d neurons", uid, netuid, s.N)
	}
	return nil
}

// Bonds returns a neuron's bond row as the last epoch left it, as
// [uid, bond] pairs (empty before the neuron's first epoch with weights).
func (api *SubnetAPI) Bonds(netuid, uid uint16) ([][2]uint16, error) {
	return withView(api.b, func(v View) ([][2]uint16, error) {
		if err := neuronUID(v, netuid, uid); err != nil {
			return nil, err
		}
		return pairs(v.Bonds(netuid, uid)), nil
	})
}

// WeightMatrixJSON is every neuron's weight row, read from one head state.
type WeightMatrixJSON struct {
	Block     uint64        `json:"block"`
	BlockHash types.Hash    `json:"blockHash"`
	Weights   [][][2]uint16 `json:"weights"` // Weights[uid]: that UID's [uid, weight] pairs
}

// Weights returns the weight rows of every UID of a subnet, indexed by UID
// (an empty row for a UID that set none), with the block they were read at.
// It refuses (CodeLimit) a matrix of more than MaxWeightPairs pairs.
func (api *SubnetAPI) Weights(netuid uint16) (*WeightMatrixJSON, error) {
	return withView(api.b, func(v View) (*WeightMatrixJSON, error) {
		s, err := subnetIn(v, netuid)
		if err != nil {
			return nil, err
		}
		head := v.Head()
		out := &WeightMatrixJSON{Block: head.Height, BlockHash: head.Hash, Weights: make([][][2]uint16, s.N)}
		total := 0
		for uid := range s.N {
			row := v.Weights(netuid, uid)
			total += len(row.Index)
			if total > MaxWeightPairs {
				return nil, &Error{CodeLimit, fmt.Sprintf("subnet %d's weight matrix has more than %d entries: read it per UID with subnet_neuron", netuid, MaxWeightPairs)}
			}
			out.Weights[uid] = pairs(row)
		}
		return out, nil
	})
}

// WeightsCommitJSON is a weights commit awaiting its reveal. A reveal is
// accepted in a block from RevealFrom to RevealUntil inclusive, per the
// subnet's reveal_delay and reveal_window at the head; a commit stays
// until revealed or replaced, so RevealUntil may be past.
type WeightsCommitJSON struct {
	Hash        types.Hash `json:"hash"`
	Block       uint64     `json:"block"`
	RevealFrom  uint64     `json:"revealFrom"`
	RevealUntil uint64     `json:"revealUntil"`
}

// WeightsCommit returns hotkey's pending weights commit on a subnet, or
// null when it has none.
func (api *SubnetAPI) WeightsCommit(netuid uint16, hotkey types.Address) (*WeightsCommitJSON, error) {
	return withView(api.b, func(v View) (*WeightsCommitJSON, error) {
		s, err := subnetIn(v, netuid)
		if err != nil {
			return nil, err
		}
		if hotkey == (types.Address{}) {
			return nil, invalidParams("hotkey is the zero address")
		}
		cm, ok := v.WeightsCommit(netuid, hotkey)
		if !ok {
			return nil, nil
		}
		open, end := s.Hyper.RevealSpan(cm.Block)
		return &WeightsCommitJSON{Hash: cm.Hash, Block: cm.Block, RevealFrom: open, RevealUntil: end - 1}, nil
	})
}
