package yuma

import (
	"cmp"
	"math/bits"
	"slices"
)

// vote is one validator's weight on a column and the stake behind it.
type vote struct {
	weight Fixed
	stake  uint64
}

// weightedMedianCols returns, for each column j of w, the stake-weighted
// kappa-median of the weights the voting validators (stake_i > 0) set on j:
// the smallest weight x such that the stake setting weights <= x exceeds
// the minority share (1 − kappa/65535) of the voting stake,
//
//	Σ_{i: w_ij <= x} stake_i · 65535 > Σ_i stake_i · (65535 − kappa).
//
// In other words, a kappa share of the stake set weights >= x. This is the
// value subtensor's pivot search (weighted_median_col) converges to; the
// comparison is done on raw stake in integers, so it is exact and
// independent of the order of the validators. When kappa is 0 nothing
// exceeds the whole stake and the largest weight is returned, as subtensor
// does.
//
// Since cum·65535 is a multiple of 65535, cum·65535 > T holds exactly when
// cum > floor(T/65535): the test is one comparison with a precomputed
// limit, floor(Σ stake·(65535 − kappa) / 65535) (see minorityLimit).
func weightedMedianCols(w [][]Fixed, stake []uint64, kappa uint16, n int) []Fixed {
	median := make([]Fixed, n)
	var total uint64
	var voters []voter // voting validators with weights; the others vote 0
	for i, st := range stake {
		if st == 0 {
			continue
		}
		total += st
		if w[i] != nil {
			voters = append(voters, voter{w[i], st})
		}
	}
	if total == 0 {
		return median
	}
	limit := minorityLimit(total, kappa)

	votes := make([]vote, len(voters))
	for j := range n {
		// Gather the nonzero votes on j without branching on the weight.
		k := 0
		zero := total // stake voting 0 on j
		var or Fixed  // OR of the weights: a bound on the largest
		for _, v := range voters {
			x := v.row[j]
			votes[k] = vote{x, v.stake}
			nonzero := mask(x != 0)
			k += int(nonzero & 1)
			zero -= v.stake & nonzero
			or |= x
		}
		if k == 0 || zero > limit {
			continue // median is 0
		}
		median[j] = selectQuantile(votes[:k], zero, limit, or)
	}
	return median
}

// voter is a voting validator's row of weights and its stake.
type voter struct {
	row   []Fixed
	stake uint64
}

// minorityLimit returns floor(total·(65535 − kappa) / 65535): a cumulative
// stake cum exceeds the minority share of total, cum·65535 >
// total·(65535 − kappa), exactly when cum > minorityLimit(total, kappa).
func minorityLimit(total uint64, kappa uint16) uint64 {
	return mulDiv(total, uint64(0xffff-kappa), 0xffff)
}

// radixBits is how many bits of a weight's range one radix round of
// selectQuantile resolves, and radixMin the fewest votes it is used for:
// below that, quickselect is cheaper than a histogram of 2^radixBits bins.
const (
	radixBits = 8
	radixMin  = 48
)

// selectQuantile returns the smallest weight x among votes such that
// below + (stake of votes with weight <= x) exceeds limit, or the largest
// weight if none does. It requires below <= limit, nonzero stakes and
// every weight <= bound (the OR of all weights serves), and reorders votes.
// The stakes plus below must not overflow a uint64.
//
// Many votes are narrowed by radix rounds. The weights lie in
// [lo, lo + 2^(shift+radixBits)), at first [0, 2^bits.Len(bound)); a
// histogram of their stake over the 2^radixBits bins of width 2^shift finds
// the bin where the running stake first exceeds limit, and only that bin's
// votes are kept, in a range 2^radixBits times narrower. A bin of width 1 is
// one weight: the answer. The last few votes go to quickSelect. The passes
// are free of data-dependent branches, which random weights would
// mispredict half the time.
func selectQuantile(votes []vote, below, limit uint64, bound Fixed) Fixed {
	lo := Fixed(0)
	shift := uint(max(0, bits.Len64(uint64(bound))-radixBits))
	for len(votes) >= radixMin {
		var hist [1 << radixBits]uint64
		for _, v := range votes {
			hist[uint64(v.weight-lo)>>shift&(1<<radixBits-1)] += v.stake
		}
		bin := 0
		for ; bin < len(hist); bin++ {
			if below+hist[bin] > limit {
				break
			}
			below += hist[bin]
		}
		if bin == len(hist) {
			// No prefix exceeds limit (only possible in the first round,
			// before the range is narrowed to a bin that does): the
			// answer is the largest weight.
			largest := votes[0].weight
			for _, v := range votes[1:] {
				largest = max(largest, v.weight)
			}
			return largest
		}
		lo += Fixed(bin) << shift
		if shift == 0 {
			return lo // a bin of width 1
		}
		k := 0
		for _, v := range votes {
			votes[k] = v
			k += int(mask(uint64(v.weight-lo)>>shift == 0) & 1)
		}
		votes = votes[:k]
		shift = uint(max(0, int(shift)-radixBits))
	}
	return quickSelect(votes, below, limit, 2*bits.Len(uint(len(votes))))
}

// quickSelect is selectQuantile by quickselect with the middle element as
// pivot (deterministic), expected O(len(votes)); after maxRounds rounds (an
// adversarial order) it sorts what remains, so the worst case stays
// O(len(votes)·log). Each round first sums the stake below and at the
// pivot, then keeps only the side that holds the answer.
func quickSelect(votes []vote, below, limit uint64, maxRounds int) Fixed {
	part := votes
	for rounds := 0; ; rounds++ {
		if rounds >= maxRounds {
			slices.SortFunc(part, func(a, b vote) int { return cmp.Compare(a.weight, b.weight) })
			for _, v := range part {
				below += v.stake
				if below > limit {
					return v.weight
				}
			}
			return part[len(part)-1].weight
		}
		pivot := part[len(part)/2].weight
		var less, equal uint64
		for _, v := range part {
			less += v.stake & mask(v.weight < pivot)
			equal += v.stake & mask(v.weight == pivot)
		}
		var k int
		switch {
		case below+less > limit: // the answer is below the pivot
			for _, v := range part {
				part[k] = v
				k += int(mask(v.weight < pivot) & 1)
			}
		case below+less+equal > limit:
			return pivot
		default: // the answer is above the pivot, if anything is
			below += less + equal
			for _, v := range part {
				part[k] = v
				k += int(mask(v.weight > pivot) & 1)
			}
		}
		if k == 0 {
			// Nothing above: the pivot is the largest weight and no
			// prefix exceeds limit. (Nothing below cannot happen, since
			// below <= limit on entry and stakes are nonzero.)
			return pivot
		}
		part = part[:k]
	}
}

// mask returns all ones if b, else 0, without a branch.
func mask(b bool) uint64 {
	var m uint64
	if b {
		m = 1
	}
	return -m
}
