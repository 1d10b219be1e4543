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
// comparison is done on raw stake in 128-bit integers, so it is exact and
// independent of the order of the validators. When kappa is 0 nothing
// exceeds the whole stake and the largest weight is returned, as subtensor
// does.
func weightedMedianCols(w [][]Fixed, stake []uint64, kappa uint16, n int) []Fixed {
	median := make([]Fixed, n)
	var total uint64
	var rows []int // voting validators with weights; the others vote 0
	for i, st := range stake {
		if st == 0 {
			continue
		}
		total += st
		if w[i] != nil {
			rows = append(rows, i)
		}
	}
	if total == 0 {
		return median
	}
	threshold := mul64(total, uint64(0xffff-kappa))
	exceeds := func(cum uint64) bool { return threshold.less(mul64(cum, 0xffff)) }

	votes := make([]vote, 0, len(rows))
	for j := range n {
		votes = votes[:0]
		zero := total // stake voting 0 on j
		for _, i := range rows {
			if x := w[i][j]; x != 0 {
				votes = append(votes, vote{x, stake[i]})
				zero -= stake[i]
			}
		}
		if len(votes) == 0 || exceeds(zero) {
			continue // median is 0
		}
		median[j] = selectQuantile(votes, zero, exceeds, 2*bits.Len(uint(len(votes))))
	}
	return median
}

// selectQuantile returns the smallest weight x among votes such that
// below + (stake of votes with weight <= x) exceeds the threshold, or the
// largest weight if none does. It reorders votes.
//
// It is a quickselect with the middle element as pivot (deterministic, as
// in subtensor) and a three-way partition, expected O(len(votes)); after
// maxRounds rounds (an adversarial order) it sorts what remains, so the
// worst case stays O(len(votes)·log).
func selectQuantile(votes []vote, below uint64, exceeds func(uint64) bool, maxRounds int) Fixed {
	largest := votes[0].weight
	for _, v := range votes[1:] {
		largest = max(largest, v.weight)
	}
	part := votes
	for rounds := 0; len(part) > 0; rounds++ {
		if rounds >= maxRounds {
			slices.SortFunc(part, func(a, b vote) int { return cmp.Compare(a.weight, b.weight) })
			for _, v := range part {
				below += v.stake
				if exceeds(below) {
					return v.weight
				}
			}
			return largest
		}
		pivot := part[len(part)/2].weight
		// Dutch flag: part[:lt] < pivot, part[lt:gt] == pivot, part[gt:] > pivot.
		lt, i, gt := 0, 0, len(part)
		var less, equal uint64
		for i < gt {
			switch v := part[i]; {
			case v.weight < pivot:
				less += v.stake
				part[lt], part[i] = part[i], part[lt]
				lt++
				i++
			case v.weight > pivot:
				gt--
				part[gt], part[i] = part[i], part[gt]
			default:
				equal += v.stake
				i++
			}
		}
		switch {
		case exceeds(below + less):
			part = part[:lt]
		case exceeds(below + less + equal):
			return pivot
		default:
			below += less + equal
			part = part[gt:]
		}
	}
	return largest
}
