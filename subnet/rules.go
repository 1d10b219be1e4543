package subnet

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/taonet/taod/types"
)

// AdjustCost moves a registration cost (burn or difficulty) toward the
// target rate at the end of an adjustment interval, as subtensor does:
// next = current · (regs + target) / (2 · target), clamped to [lo, hi].
func AdjustCost(current, regs, target, lo, hi uint64) uint64 {
	if target == 0 {
		return min(max(current, lo), hi)
	}
	h, l := bits.Mul64(current, regs+target)
	d := 2 * target
	if h >= d {
		return hi
	}
	next, _ := bits.Div64(h, l, d)
	return min(max(next, lo), hi)
}

// CheckWork reports whether a seal meets a difficulty: seal · difficulty must
// not overflow 256 bits, i.e. seal ≤ (2^256 − 1) / difficulty.
func CheckWork(seal types.Hash, difficulty uint64) bool {
	if difficulty == 0 {
		return true
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 256)
	limit.Sub(limit, big.NewInt(1))
	limit.Div(limit, new(big.Int).SetUint64(difficulty))
	return new(big.Int).SetBytes(seal[:]).Cmp(limit) <= 0
}

// LockCost is the cost of creating a subnet: twice the last lock, decaying
// linearly to the minimum over reductionInterval blocks since it was paid.
func LockCost(lastLock, lastLockBlock, now, minLock, reductionInterval uint64) uint64 {
	doubled := lastLock * 2
	if lastLock > 1<<62 {
		doubled = 1 << 63
	}
	elapsed := now - min(now, lastLockBlock)
	var decay uint64
	if reductionInterval > 0 {
		h, l := bits.Mul64(lastLock, elapsed)
		if h >= reductionInterval {
			decay = doubled
		} else {
			decay, _ = bits.Div64(h, l, reductionInterval)
		}
	}
	if decay >= doubled {
		return minLock
	}
	return max(doubled-decay, minLock)
}

// PruneCandidate is a neuron considered for replacement.
type PruneCandidate struct {
	UID          uint16
	RegisteredAt uint64
	Score        uint64 // pruning score: lower goes first
}

// ChoosePrune picks the neuron to replace when a subnet is full: the lowest
// score among neurons past their immunity period, ties to the lowest UID;
// if every neuron is immune, the lowest score among all of them.
func ChoosePrune(cands []PruneCandidate, now, immunity uint64) (uint16, bool) {
	best, found, bestImmune := PruneCandidate{}, false, true
	for _, c := range cands {
		immune := c.RegisteredAt+immunity > now
		better := !found ||
			(bestImmune && !immune) ||
			(bestImmune == immune && (c.Score < best.Score || c.Score == best.Score && c.UID < best.UID))
		if better {
			best, found, bestImmune = c, true, immune
		}
	}
	return best.UID, found
}

// Weights errors.
var (
	ErrTooFewWeights  = errors.New("subnet: fewer weights than min_allowed_weights")
	ErrWeightTooLarge = errors.New("subnet: a weight exceeds max_weight_limit after normalisation")
	ErrZeroWeights    = errors.New("subnet: weights sum to zero")
	ErrUnknownUID     = errors.New("subnet: weight for a UID that does not exist")
	ErrSelfWeightOnly = errors.New("subnet: weights on yourself alone are not allowed")
)

// CheckWeights applies the weights rules to a weights vector from the
// neuron at self on a subnet of n UIDs. Duplicates and length mismatches are
// refused by types.SetWeights.Validate.
func CheckWeights(h Hyperparams, n int, self uint16, uids, weights []uint16) error {
	var sum, maxW uint64
	for i, u := range uids {
		if int(u) >= n {
			return fmt.Errorf("%w: uid %d (subnet has %d)", ErrUnknownUID, u, n)
		}
		sum += uint64(weights[i])
		maxW = max(maxW, uint64(weights[i]))
	}
	if sum == 0 {
		return ErrZeroWeights
	}
	if uint64(len(uids)) < min(h.MinAllowedWeights, uint64(n)) {
		return fmt.Errorf("%w: %d weights, minimum %d", ErrTooFewWeights, len(uids), min(h.MinAllowedWeights, uint64(n)))
	}
	if len(uids) == 1 && uids[0] == self && n > 1 {
		return ErrSelfWeightOnly
	}
	// Normalised to 65535, the largest weight must not exceed the limit.
	if maxW*65535 > h.MaxWeightLimit*sum && len(uids) > 1 {
		return fmt.Errorf("%w: %d/65535 > %d", ErrWeightTooLarge, maxW*65535/sum, h.MaxWeightLimit)
	}
	return nil
}
