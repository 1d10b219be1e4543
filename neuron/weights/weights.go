package weights

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/taonet/taod/subnet"
)

// ErrInfeasible reports hyperparameters no weights vector can satisfy:
// min_allowed_weights demands several entries, but the subnet is too small
// to spread weight under max_weight_limit.
var ErrInfeasible = errors.New("weights: no weights satisfy max_weight_limit and min_allowed_weights on this subnet")

const full = 65535

// FromScores turns a validator's scores (one per UID, any scale; index is
// the UID, len(scores) the subnet's size) into u16 weights the chain
// accepts from the validator at uid self: subnet.CheckWeights passes on the
// result. Weights keep the scores' order (a higher score never gets a lower
// weight); the largest weight is capped at max_weight_limit and the excess
// is not redistributed (the cap applies to the normalised share, so lowering
// the top raises everyone else's share); when too few UIDs scored, the
// next-best UIDs are added, with weight 0 if that suffices for
// min_allowed_weights, or the smallest positive weight if the cap needs more
// UIDs to share the total. All-zero scores give every UID equal weight.
func FromScores(h subnet.Hyperparams, self uint16, scores []uint64) (uids, weights []uint16, err error) {
	n := len(scores)
	if n == 0 {
		return nil, nil, fmt.Errorf("weights: empty subnet")
	}
	if n > 4096 {
		return nil, nil, fmt.Errorf("weights: %d scores, a subnet has at most 4096 UIDs", n)
	}
	limit := min(max(h.MaxWeightLimit, 1), full)
	need := int(max(min(h.MinAllowedWeights, uint64(n)), 1))
	spread := int((full + limit - 1) / limit) // entries needed for the cap to hold (ceil(65535/limit))

	q := quantize(scores)
	if n > 1 && n < spread {
		// No vector of 2+ entries can satisfy the cap: only a single weight on
		// someone else passes, and only if one entry is enough.
		if need > 1 {
			return nil, nil, fmt.Errorf("%w: %d UIDs, min_allowed_weights %d, max_weight_limit %d needs %d UIDs", ErrInfeasible, n, h.MinAllowedWeights, limit, spread)
		}
		best := -1
		for i := range n {
			if i != int(self) && (best < 0 || scores[i] > scores[best]) {
				best = i
			}
		}
		return []uint16{uint16(best)}, []uint16{full}, nil
	}

	// Order UIDs by score, best first (ties: lower UID).
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	positive := 0
	for _, i := range order {
		if q[i] > 0 {
			positive++
		}
	}
	if positive == 0 { // nothing scored: equal weights on everyone
		for i := range q {
			q[i] = 1
		}
		positive = n
	}
	take := max(positive, need)
	if take == 1 && order[0] == int(self) && n > 1 {
		take = 2 // a lone weight on oneself is refused
	}
	if take > 1 && positive < spread {
		// The cap needs more entries with weight: give the next-best the smallest weight.
		take = max(take, spread)
		for _, i := range order[:take] {
			q[i] = max(q[i], 1)
		}
	}
	sel := order[:take]
	if take > 1 {
		c := capFor(q, sel, limit)
		for _, i := range sel {
			q[i] = min(q[i], c)
		}
		rescale(q, sel, limit)
	}
	slices.Sort(sel)
	uids, weights = make([]uint16, take), make([]uint16, take)
	for k, i := range sel {
		uids[k], weights[k] = uint16(i), uint16(q[i])
	}
	return uids, weights, nil
}

// quantize maps scores onto 0..65535, the largest to 65535, rounding down.
func quantize(scores []uint64) []uint64 {
	top := slices.Max(scores)
	q := make([]uint64, len(scores))
	if top == 0 {
		return q
	}
	for i, s := range scores {
		hi, lo := bits.Mul64(s, full)
		q[i], _ = bits.Div64(hi, lo, top)
	}
	return q
}

// ok reports the chain's cap rule for entries whose largest value is top:
// top · 65535 ≤ limit · Σ.
func ok(top, sum, limit uint64) bool { return top*full <= limit*sum }

// capFor returns the largest c ≤ max(q) such that clipping the selected
// entries at c satisfies the cap rule. g(c) = limit·Σmin(q_i, c) − 65535·c
// is concave with g(0) = 0 and g(1) ≥ 0 (enough positive entries), so the
// feasible c form an interval [1, c*]: binary search finds c*.
func capFor(q []uint64, sel []int, limit uint64) uint64 {
	sumAt := func(c uint64) uint64 {
		var s uint64
		for _, i := range sel {
			s += min(q[i], c)
		}
		return s
	}
	var top uint64
	for _, i := range sel {
		top = max(top, q[i])
	}
	lo, hi := uint64(1), top
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid, sumAt(mid), limit) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// rescale stretches the selected weights so the largest is 65535 (better
// precision on chain), keeping the result only if the cap still holds
// exactly after rounding.
func rescale(q []uint64, sel []int, limit uint64) {
	var top uint64
	for _, i := range sel {
		top = max(top, q[i])
	}
	if top == 0 || top == full {
		return
	}
	scaled := make([]uint64, len(sel))
	var sum, newTop uint64
	for k, i := range sel {
		scaled[k] = q[i] * full / top
		sum += scaled[k]
		newTop = max(newTop, scaled[k])
	}
	if !ok(newTop, sum, limit) {
		return
	}
	for k, i := range sel {
		q[i] = scaled[k]
	}
}
