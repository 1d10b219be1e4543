package yuma

import (
	"math"
	"slices"
)

// refOutput is what refEpoch computes.
type refOutput struct {
	consensus, ranks, trust, incentive, dividends, validatorTrust []float64
	permits                                                       []bool
	bonds                                                         [][]uint16
	incentiveEmission, dividendEmission                           []uint64
}

// refEpoch is a float64 transcription of subtensor's epoch (classic bonds),
// written straight from its steps, including its pivot-search weighted
// median, to cross-check Epoch on random inputs. Test code only: floats are
// fine here. It does not know taod's fair-launch rule.
func refEpoch(in Input) refOutput {
	n := len(in.Stake)
	p := in.Params
	zeros := func() []float64 { return make([]float64, n) }
	matrix := func() [][]float64 {
		m := make([][]float64, n)
		for i := range m {
			m[i] = zeros()
		}
		return m
	}
	normalize := func(x []float64) []float64 {
		var s float64
		for _, v := range x {
			s += v
		}
		out := slices.Clone(x)
		if s != 0 {
			for i := range out {
				out[i] /= s
			}
		}
		return out
	}
	colNormalize := func(m [][]float64) {
		for j := range n {
			var s float64
			for i := range n {
				s += m[i][j]
			}
			if s != 0 {
				for i := range n {
					m[i][j] /= s
				}
			}
		}
	}

	inactive := make([]bool, n)
	for i := range n {
		inactive[i] = in.LastUpdate[i]+p.ActivityCutoff < in.CurrentBlock
	}
	stake := zeros()
	for i, s := range in.Stake {
		stake[i] = float64(s)
	}
	stake = normalize(stake)

	// is_topk_nonzero: stable ascending sort, drop the first n-k.
	permits := make([]bool, n)
	for i := range n {
		permits[i] = stake[i] != 0
	}
	if n >= p.MaxValidators {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case stake[a] < stake[b]:
				return -1
			case stake[a] > stake[b]:
				return 1
			}
			return 0
		})
		for _, i := range idx[:n-p.MaxValidators] {
			permits[i] = false
		}
	}

	activeStake := slices.Clone(stake)
	for i := range n {
		if inactive[i] || !permits[i] {
			activeStake[i] = 0
		}
	}
	activeStake = normalize(activeStake)

	w := matrix()
	for i := range n {
		if !permits[i] || len(in.Weights[i]) == 0 {
			continue
		}
		for j := range n {
			if j != i && !(in.LastUpdate[i] <= in.BlockAtRegistration[j]) {
				w[i][j] = float64(in.Weights[i][j])
			}
		}
		w[i] = normalize(w[i])
	}

	preranks := zeros()
	for i := range n {
		for j := range n {
			preranks[j] += w[i][j] * activeStake[i]
		}
	}

	// weighted_median_col.
	kappa := float64(p.Kappa) / 65535
	consensus := zeros()
	var useRows []int
	for i := range n {
		if activeStake[i] > 0 {
			useRows = append(useRows, i)
		}
	}
	if len(useRows) > 0 {
		useStake := make([]float64, len(useRows))
		for k, i := range useRows {
			useStake[k] = activeStake[i]
		}
		useStake = normalize(useStake)
		var stakeSum float64
		for _, s := range useStake {
			stakeSum += s
		}
		minority := stakeSum - kappa
		for j := range n {
			score := make([]float64, len(useRows))
			for k, i := range useRows {
				score[k] = w[i][j]
			}
			part := make([]int, len(useRows))
			for k := range part {
				part[k] = k
			}
			consensus[j] = refWeightedMedian(useStake, score, part, minority, 0, stakeSum)
		}
	}

	clipped := matrix()
	vtrust := zeros()
	ranks := zeros()
	for i := range n {
		for j := range n {
			clipped[i][j] = math.Min(w[i][j], consensus[j])
			vtrust[i] += clipped[i][j]
			ranks[j] += clipped[i][j] * activeStake[i]
		}
	}
	trust := zeros()
	for j := range n {
		if preranks[j] != 0 {
			trust[j] = ranks[j] / preranks[j]
		}
	}
	ranks = normalize(ranks)
	incentive := slices.Clone(ranks)

	bonds := matrix()
	lastTempo := satSub(in.CurrentBlock, p.Tempo)
	for i := range n {
		if in.Bonds == nil || len(in.Bonds[i]) == 0 {
			continue
		}
		for j := range n {
			if !(lastTempo <= in.BlockAtRegistration[j]) {
				bonds[i][j] = float64(in.Bonds[i][j]) / 65535
			}
		}
	}
	colNormalize(bonds)
	delta := matrix()
	for i := range n {
		for j := range n {
			delta[i][j] = clipped[i][j] * activeStake[i]
		}
	}
	colNormalize(delta)
	alpha := 1 - float64(p.BondsMovingAverage)/1e6
	ema := matrix()
	for i := range n {
		for j := range n {
			ema[i][j] = alpha*delta[i][j] + (1-alpha)*bonds[i][j]
		}
	}
	colNormalize(ema)
	dividends := zeros()
	for i := range n {
		for j := range n {
			dividends[i] += ema[i][j] * incentive[j]
		}
	}
	dividends = normalize(dividends)

	stored := make([][]uint16, n)
	colMax := zeros()
	for i := range n {
		for j := range n {
			colMax[j] = math.Max(colMax[j], ema[i][j])
		}
	}
	for i := range n {
		stored[i] = make([]uint16, n)
		if !permits[i] {
			continue
		}
		for j := range n {
			x := ema[i][j]
			if colMax[j] != 0 {
				x /= colMax[j]
			}
			stored[i][j] = uint16(x * 65535)
		}
	}

	var emissionSum float64
	for i := range n {
		emissionSum += incentive[i] + dividends[i]
	}
	server, validator := zeros(), zeros()
	if emissionSum != 0 {
		for i := range n {
			server[i] = incentive[i] / emissionSum
			validator[i] = dividends[i] / emissionSum
		}
	} else {
		var s float64
		for _, v := range activeStake {
			s += v
		}
		if s == 0 {
			validator = slices.Clone(stake)
		} else {
			validator = slices.Clone(activeStake)
		}
	}
	e := float64(in.Emission)
	incEm, divEm := make([]uint64, n), make([]uint64, n)
	for i := range n {
		incEm[i] = uint64(server[i] * e)
		divEm[i] = uint64(validator[i] * e)
	}
	return refOutput{
		consensus: consensus, ranks: ranks, trust: trust, incentive: incentive,
		dividends: dividends, validatorTrust: vtrust, permits: permits, bonds: stored,
		incentiveEmission: incEm, dividendEmission: divEm,
	}
}

// refWeightedMedian is subtensor's mid-pivot weighted median search.
func refWeightedMedian(stake, score []float64, part []int, minority, lo, hi float64) float64 {
	if len(part) == 0 {
		return 0
	}
	if len(part) == 1 {
		return score[part[0]]
	}
	pivot := score[part[len(part)/2]]
	var loStake, hiStake float64
	var lower, upper []int
	for _, i := range part {
		switch {
		case score[i] == pivot:
		case score[i] < pivot:
			loStake += stake[i]
			lower = append(lower, i)
		default:
			hiStake += stake[i]
			upper = append(upper, i)
		}
	}
	switch {
	case lo+loStake <= minority && minority < hi-hiStake:
		return pivot
	case minority < lo+loStake && len(lower) > 0:
		return refWeightedMedian(stake, score, lower, minority, lo, lo+loStake)
	case hi-hiStake <= minority && len(upper) > 0:
		return refWeightedMedian(stake, score, upper, minority, hi-hiStake, hi)
	}
	return pivot
}
