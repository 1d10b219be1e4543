package yuma

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
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
// fine here. It does not know taod's fair-launch rule. Given
// in.ValidatorPermits, it uses them instead of the top-k by stake.
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

	// is_topk_nonzero: stable ascending sort, drop the first n-k (unless
	// the input gives the permits).
	permits := make([]bool, n)
	for i := range n {
		permits[i] = stake[i] != 0
	}
	if in.ValidatorPermits != nil {
		copy(permits, in.ValidatorPermits)
	} else if n >= p.MaxValidators {
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

// referenceInput builds a random subnet for the comparison with refEpoch:
// n UIDs (1..maxN), of which v (1..maxV) are validators with stake and
// weights (dense or sparse rows, some agreeing on a common preference,
// some stale), the others mostly miners without stake. Kappa, the bonds
// moving average, tempo, activity cutoff, max_validators, explicit permits
// and previous bonds all vary. One seed in eight uses round stakes (1 to 4
// TAO) with kappas that split them exactly (1/5, 1/3, 2/3, 4/5 of 65535),
// so that exact median ties occur and their detection is exercised.
func referenceInput(seed uint64, maxN, maxV int) Input {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	n := 1 + r.IntN(maxN)
	v := 1 + r.IntN(min(maxV, n))
	return subnetInput(r, n, v)
}

func subnetInput(r *rand.Rand, n, v int) Input {
	current := uint64(10_000 + r.IntN(20_000))
	roundStake := r.IntN(8) == 0
	kappas := []uint16{32767, 32767, 32767, 0, 65535, uint16(r.UintN(65536))}
	if roundStake {
		kappas = []uint16{13107, 21845, 43690, 52428, 32767}
	}
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        current,
		Emission:            r.Uint64N(1_000_000_000_000),
		Params: Params{
			Kappa:              kappas[r.IntN(len(kappas))],
			BondsMovingAverage: []uint64{900_000, 900_000, 0, 1_000_000, r.Uint64N(1_000_001)}[r.IntN(5)],
			ActivityCutoff:     uint64(1000 + r.IntN(6000)),
			MaxValidators:      max(0, v-2+r.IntN(5)),
			Tempo:              []uint64{DefaultTempo, uint64(r.IntN(720))}[r.IntN(2)],
		},
	}
	// A common preference that agreeing validators follow, with noise.
	prefer := make([]uint16, n)
	for j := range prefer {
		prefer[j] = uint16(r.UintN(65536))
	}
	density := []float64{1, 1, 0.5, 0.1, r.Float64()}[r.IntN(5)]
	for _, i := range r.Perm(n)[:v] {
		if roundStake {
			in.Stake[i] = uint64(1+r.IntN(4)) * 1_000_000_000
		} else {
			in.Stake[i] = 1_000_000_000 + r.Uint64N(10_000_000_000_000_000/uint64(v))
		}
		row := make([]uint16, n)
		agree := r.IntN(3) != 0
		for j := range row {
			switch {
			case r.Float64() >= density:
			case agree:
				row[j] = uint16(min(65535, int(prefer[j])+r.IntN(2000)))
			default:
				row[j] = uint16(r.UintN(65536))
			}
		}
		in.Weights[i] = row
	}
	for i := range n {
		in.LastUpdate[i] = current - r.Uint64N(min(current, 8000))
		in.BlockAtRegistration[i] = current - r.Uint64N(min(current, 20000))
		if in.Stake[i] == 0 && r.IntN(10) == 0 {
			in.Stake[i] = r.Uint64N(1_000_000) // dust: may take a spare permit
		}
	}
	if r.IntN(6) == 0 {
		in.ValidatorPermits = make([]bool, n)
		for i := range n {
			in.ValidatorPermits[i] = r.IntN(3) != 0 && (in.Weights[i] != nil || r.IntN(4) == 0)
		}
	}
	if r.IntN(2) == 0 {
		in.Bonds = make([][]uint16, n)
		for i := range n {
			if in.Weights[i] == nil && r.IntN(8) != 0 {
				continue
			}
			row := make([]uint16, n)
			for j := range row {
				if r.Float64() < density {
					row[j] = uint16(r.UintN(65536))
				}
			}
			in.Bonds[i] = row
		}
	}
	return in
}

// tieKind says whether a stake-weighted median sits on a tie.
type tieKind int

const (
	noTie tieKind = iota
	// nearTie: a cumulative stake is within 1e-12 (relative) of the
	// threshold without equalling it: float sums of up to a thousand
	// normalized stakes are off by up to ~1e-13, so rounding could still
	// flip the pivot. It takes a stake of a few rao against a total of
	// 10^16 (the generator's dust stakes do that now and then).
	nearTie
	// exactTie: a cumulative stake equals the threshold exactly.
	exactTie
)

// medianTie reports whether any column's median sits on a tie: whether,
// going up the distinct weights of a column, the voting stake that set
// weights <= some weight x (0 < cum < total) equals the threshold of the
// median, cum·65535 = total·(65535 − kappa), exactly or within float
// rounding. At an exact tie Epoch's exact comparison (cum does not exceed,
// so the median is the next weight up) and refEpoch's float comparison of
// the same sums (which may land on either side) can pick different pivots,
// and everything downstream of the consensus differs; such inputs are left
// out of the comparison. The check is exact and independent of both
// engines: normalized weights are compared as fractions v/sum in integers,
// stakes are summed as integers. permits and active are the ones the
// epoch used. It returns the first tied column, or -1.
func medianTie(in Input, permits, active []bool) (tieKind, int) {
	n := len(in.Stake)
	type vote struct{ num, den, stake uint64 }
	var total uint64
	sums := make([]uint64, n)
	for i := range n {
		if !permits[i] || !active[i] || in.Stake[i] == 0 {
			continue
		}
		total += in.Stake[i]
		for j, w := range in.Weights[i] {
			if j != i && in.LastUpdate[i] > in.BlockAtRegistration[j] {
				sums[i] += uint64(w)
			}
		}
	}
	if total == 0 {
		return noTie, -1
	}
	threshold := mul64(total, uint64(0xffff-in.Params.Kappa))
	worst, col := noTie, -1
	for j := range n {
		zero := total
		var votes []vote
		for i := range n {
			if !permits[i] || !active[i] || in.Stake[i] == 0 || sums[i] == 0 {
				continue
			}
			w := in.Weights[i][j]
			if w == 0 || j == i || in.LastUpdate[i] <= in.BlockAtRegistration[j] {
				continue
			}
			votes = append(votes, vote{uint64(w), sums[i], in.Stake[i]})
			zero -= in.Stake[i]
		}
		less := func(a, b vote) bool { return a.num*b.den < b.num*a.den } // < 2^48 each
		slices.SortFunc(votes, func(a, b vote) int {
			switch {
			case less(a, b):
				return -1
			case less(b, a):
				return 1
			}
			return 0
		})
		check := func(cum uint64) {
			if cum == 0 || cum == total {
				return // no weight below or above: both engines agree
			}
			c := mul64(cum, 0xffff)
			if c == threshold {
				worst, col = exactTie, j
				return
			}
			gap := math.Abs(float64(c.hi)*0x1p64 + float64(c.lo) - (float64(threshold.hi)*0x1p64 + float64(threshold.lo)))
			if gap <= 1e-12*float64(total)*0xffff && worst == noTie {
				worst, col = nearTie, j
			}
		}
		cum := zero
		check(cum)
		for k, v := range votes {
			cum += v.stake
			if k+1 == len(votes) || less(v, votes[k+1]) {
				check(cum)
			}
		}
		if worst == exactTie {
			return worst, col
		}
	}
	return worst, col
}

// referenceStats gathers the comparison's results for the log.
type referenceStats struct {
	cases, exactTies, nearTies, tiesDiffering int
	maxN, maxV                                int
	maxErr                                    map[string]float64
}

// compareWithReference runs Epoch and refEpoch on in and checks every
// output against the tolerances of the reference vectors. A case whose
// median sits on a tie (see medianTie) is counted and skipped; whether it
// would have differed is counted too.
func compareWithReference(t *testing.T, name string, in Input, st *referenceStats) {
	t.Helper()
	out := mustEpoch(t, in)
	ref := refEpoch(in)
	n := len(in.Stake)
	var problems []string
	fail := func(format string, args ...any) {
		if len(problems) < 8 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	errs := map[string]float64{}
	for _, f := range []struct {
		name string
		got  []Fixed
		want []float64
	}{
		{"consensus", out.Consensus, ref.consensus},
		{"ranks", out.Ranks, ref.ranks},
		{"trust", out.Trust, ref.trust},
		{"incentive", out.Incentive, ref.incentive},
		{"dividends", out.Dividends, ref.dividends},
		{"validator_trust", out.ValidatorTrust, ref.validatorTrust},
	} {
		for i := range n {
			d := math.Abs(toFloat(f.got[i]) - f.want[i])
			errs[f.name] = max(errs[f.name], d)
			if d > unitTolerance {
				fail("%s[%d] = %s, reference %v", f.name, i, f.got[i], f.want[i])
			}
		}
	}
	if !slices.Equal(out.ValidatorPermits, ref.permits) {
		fail("permits %v, reference %v", out.ValidatorPermits, ref.permits)
	}
	for i := range n {
		for j := range n {
			var got uint16
			if out.Bonds[i] != nil {
				got = out.Bonds[i][j]
			}
			d := math.Abs(float64(got) - float64(ref.bonds[i][j]))
			errs["bonds"] = max(errs["bonds"], d)
			if d > bondTolerance {
				fail("bonds[%d][%d] = %d, reference %d", i, j, got, ref.bonds[i][j])
			}
		}
		for _, e := range []struct {
			name      string
			got, want uint64
		}{
			{"incentive_emission", out.IncentiveEmission[i], ref.incentiveEmission[i]},
			{"dividend_emission", out.DividendEmission[i], ref.dividendEmission[i]},
		} {
			d := math.Abs(float64(e.got) - float64(e.want))
			errs[e.name] = max(errs[e.name], d)
			if d > float64(n) {
				fail("%s[%d] = %d, reference %d", e.name, i, e.got, e.want)
			}
		}
	}
	if kind, col := medianTie(in, out.ValidatorPermits, out.Active); kind != noTie {
		if kind == exactTie {
			st.exactTies++
		} else {
			st.nearTies++
		}
		if len(problems) > 0 {
			st.tiesDiffering++
		}
		t.Logf("%s (n=%d, kappa %d): skipped, median of column %d on an %s; differs from the reference: %v",
			name, n, in.Params.Kappa, col, map[tieKind]string{exactTie: "exact tie", nearTie: "near tie"}[kind], len(problems) > 0)
		return
	}
	st.cases++
	st.maxN = max(st.maxN, n)
	var validators int // permitted UIDs that set weights
	for i, p := range out.ValidatorPermits {
		if p && in.Weights[i] != nil {
			validators++
		}
	}
	st.maxV = max(st.maxV, validators)
	for k, v := range errs {
		st.maxErr[k] = max(st.maxErr[k], v)
	}
	if len(problems) > 0 {
		t.Errorf("%s (n=%d): Epoch differs from the float reference:\n  %s", name, n, strings.Join(problems, "\n  "))
	}
}

// TestAgainstFloatReference compares Epoch with refEpoch, a float64
// transcription of subtensor's epoch, on random subnets: 280 seeds of up
// to 64 UIDs, 20 of up to 256 UIDs and 128 validators, and 6 of 1024 UIDs
// with 256 validators, within the tolerances of the reference vectors
// (values in [0, 1] within 1e-6, u16 bonds within 2, emissions within n
// rao). Cases where a stake-weighted median sits on a tie are detected
// exactly (medianTie), counted and left out: there a rounding step may
// flip the pivot. The log reports the counts and the largest error per
// field.
func TestAgainstFloatReference(t *testing.T) {
	st := referenceStats{maxErr: map[string]float64{}}
	for seed := range uint64(300) {
		maxN, maxV := 64, 64
		if seed >= 280 {
			maxN, maxV = 256, 128
		}
		compareWithReference(t, fmt.Sprint("seed ", seed), referenceInput(seed, maxN, maxV), &st)
	}
	large := 6
	if testing.Short() {
		large = 1
	}
	for k := range large {
		r := rand.New(rand.NewPCG(uint64(k), 0x1a29e))
		compareWithReference(t, fmt.Sprint("large ", k), subnetInput(r, 1024, 256), &st)
	}
	t.Logf("compared %d cases (up to %d UIDs, %d validators); skipped %d exact and %d near median ties, %d of which differed",
		st.cases, st.maxN, st.maxV, st.exactTies, st.nearTies, st.tiesDiffering)
	fields := slices.Sorted(maps.Keys(st.maxErr))
	for _, f := range fields {
		t.Logf("max |error| %-18s %.3g", f, st.maxErr[f])
	}
	if skipped := st.exactTies + st.nearTies; skipped*10 > st.cases {
		t.Errorf("%d of %d cases skipped as ties: ties should be rare", skipped, st.cases+skipped)
	}
}

// TestMedianTie checks the tie detector on hand-made columns. Stakes 1 and
// 2 with kappa 21845 (1/3) put the threshold at exactly 2 of the total 3,
// which the stake-2 validator reaches alone where its weight is the lower.
func TestMedianTie(t *testing.T) {
	in := Input{
		Stake:               []uint64{1, 2, 0, 0},
		Weights:             [][]uint16{{0, 0, 3, 0}, {1, 0, 1, 0}, nil, nil},
		LastUpdate:          []uint64{10, 10, 10, 10},
		BlockAtRegistration: []uint64{0, 0, 0, 0},
		CurrentBlock:        10,
		Params:              DefaultParams(),
	}
	in.Params.Kappa = 21845
	permits, active := []bool{true, true, false, false}, []bool{true, true, true, true}
	// Column 2: 1/2 (stake 2) below 1 (stake 1): 2 of 3 at the lower weight.
	if kind, col := medianTie(in, permits, active); kind != exactTie || col != 2 {
		t.Errorf("stake 2 below: tie %d in column %d, want an exact tie in column 2", kind, col)
	}
	// Equal fractions with different sums (2/4 and 1/2) are one weight:
	// stake 0, then 3; no tie.
	in.Weights[0], in.Weights[1] = []uint16{0, 0, 2, 2}, []uint16{0, 0, 1, 1}
	if kind, col := medianTie(in, permits, active); kind != noTie {
		t.Errorf("equal weights: tie %d in column %d, want none", kind, col)
	}
	// One rao off the threshold, of 3·10^15: a near tie.
	in.Weights[0], in.Weights[1] = []uint16{0, 0, 3, 0}, []uint16{1, 0, 1, 0}
	in.Stake[0], in.Stake[1] = 1_000_000_000_000_000, 2_000_000_000_000_000-1
	if kind, col := medianTie(in, permits, active); kind != nearTie || col != 2 {
		t.Errorf("one rao off: tie %d in column %d, want a near tie in column 2", kind, col)
	}
}
