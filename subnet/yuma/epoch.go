package yuma

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// MaxUIDs is the largest subnet Epoch accepts: UIDs are u16, as in subtensor.
const MaxUIDs = 1<<16 - 1

// BondsMovingAverageScale is the denominator of Params.BondsMovingAverage:
// 900_000 means the EMA keeps 0.9 of the previous bonds.
const BondsMovingAverageScale = 1_000_000

// DefaultTempo is subtensor's default tempo (blocks between two epochs of a
// subnet). The reference vectors were computed with it, and ParseInput uses
// it when the input omits params.tempo.
const DefaultTempo = 360

// ErrInvalidInput is wrapped by every error Epoch, Validate and ParseInput
// return for malformed input.
var ErrInvalidInput = errors.New("yuma: invalid input")

// Params are the subnet hyperparameters the epoch reads.
type Params struct {
	// Kappa is the consensus majority as a u16 proportion of 65535
	// (32767 ≈ 0.5): consensus is the weight that a Kappa share of active
	// validator stake sets at or above.
	Kappa uint16
	// BondsMovingAverage is the share of the previous bonds the bonds EMA
	// keeps, in millionths (900_000 keeps 0.9 and adds 0.1 of the new
	// bonds). At most BondsMovingAverageScale.
	BondsMovingAverage uint64
	// ActivityCutoff is how many blocks after its last weight update a UID
	// still counts as active.
	ActivityCutoff uint64
	// MaxValidators is how many UIDs, the top stakers, get a validator
	// permit. Must not be negative.
	MaxValidators int
	// Tempo is the number of blocks between two epochs of the subnet.
	// Previous bonds to UIDs registered within the last Tempo blocks are
	// dropped (the UID may be a new neuron on a recycled slot).
	Tempo uint64
}

// DefaultParams returns subtensor's default hyperparameters.
func DefaultParams() Params {
	return Params{
		Kappa:              32767,
		BondsMovingAverage: 900_000,
		ActivityCutoff:     5000,
		MaxValidators:      64,
		Tempo:              DefaultTempo,
	}
}

// Input is everything one epoch of one subnet reads. Slices are indexed by
// UID; n = len(Stake) and every other per-UID slice has length n.
type Input struct {
	// Stake is each UID's stake in rao. The total must fit in a uint64
	// (it does for real stake: 21M TAO is 2.1e16 rao).
	Stake []uint64
	// Weights[i] are the u16 weights UID i set on every UID. A row has
	// length n, or 0 when the UID set no weights.
	Weights [][]uint16
	// Bonds are the bonds stored by the previous epoch (Output.Bonds),
	// u16 and column max-upscaled. Nil means no bonds; a row has length n,
	// or 0 for a UID without bonds.
	Bonds [][]uint16
	// LastUpdate is the block at which each UID last set weights.
	LastUpdate []uint64
	// BlockAtRegistration is the block at which each UID was registered.
	BlockAtRegistration []uint64
	// CurrentBlock is the block the epoch runs at.
	CurrentBlock uint64
	// Emission is the rao this epoch distributes.
	Emission uint64
	Params   Params
}

// Output is the result of an epoch. Every []Fixed value is in [0, 1].
type Output struct {
	// Active reports whether each UID set weights within ActivityCutoff.
	Active []bool
	// ValidatorPermits are the new validator permits.
	ValidatorPermits []bool
	// Consensus is the stake-weighted Kappa-median of the weights each UID
	// received.
	Consensus []Fixed
	// Ranks are the normalized stake-weighted sums of clipped weights.
	Ranks []Fixed
	// Trust is each UID's rank over its pre-rank (before clipping): the
	// share of its weight that survived consensus clipping.
	Trust []Fixed
	// Incentive is each UID's share of the miners' half of the emission.
	Incentive []Fixed
	// Dividends is each UID's share of the validators' half.
	Dividends []Fixed
	// ValidatorTrust is the sum of each validator's clipped weights.
	ValidatorTrust []Fixed
	// Bonds are the new bonds to store, u16 and column max-upscaled as
	// subtensor stores them. A nil row means no bonds: rows of UIDs
	// without a permit are always nil (their bonds are cleared).
	Bonds [][]uint16
	// IncentiveEmission and DividendEmission are each UID's rao.
	IncentiveEmission []uint64
	DividendEmission  []uint64
	// Dust is the rao left over by rounding each UID's emission down,
	// Emission − Σ IncentiveEmission − Σ DividendEmission (also all of
	// Emission when nobody can receive it). The caller recycles or carries
	// it; Epoch never creates rao.
	Dust uint64
}

// Validate reports whether in is well formed: consistent lengths, square
// rows, a total stake that fits in uint64 and parameters in range.
func (in Input) Validate() error {
	n := len(in.Stake)
	if n > MaxUIDs {
		return fmt.Errorf("%w: %d UIDs, at most %d", ErrInvalidInput, n, MaxUIDs)
	}
	for _, f := range []struct {
		name string
		len  int
	}{
		{"weights", len(in.Weights)},
		{"last_update", len(in.LastUpdate)},
		{"block_at_registration", len(in.BlockAtRegistration)},
	} {
		if f.len != n {
			return fmt.Errorf("%w: %s has %d entries, stake has %d", ErrInvalidInput, f.name, f.len, n)
		}
	}
	if in.Bonds != nil && len(in.Bonds) != n {
		return fmt.Errorf("%w: prev_bonds has %d rows, stake has %d", ErrInvalidInput, len(in.Bonds), n)
	}
	if err := checkRows("weights", in.Weights, n); err != nil {
		return err
	}
	if err := checkRows("prev_bonds", in.Bonds, n); err != nil {
		return err
	}
	var total uint64
	for i, s := range in.Stake {
		var carry uint64
		if total, carry = bits.Add64(total, s, 0); carry != 0 {
			return fmt.Errorf("%w: total stake overflows uint64 at UID %d", ErrInvalidInput, i)
		}
	}
	if in.Params.BondsMovingAverage > BondsMovingAverageScale {
		return fmt.Errorf("%w: bonds_moving_average %d above %d", ErrInvalidInput, in.Params.BondsMovingAverage, BondsMovingAverageScale)
	}
	if in.Params.MaxValidators < 0 {
		return fmt.Errorf("%w: max_validators %d is negative", ErrInvalidInput, in.Params.MaxValidators)
	}
	return nil
}

func checkRows(name string, m [][]uint16, n int) error {
	for i, row := range m {
		if len(row) != 0 && len(row) != n {
			return fmt.Errorf("%w: %s row %d has %d entries, want %d (or none)", ErrInvalidInput, name, i, len(row), n)
		}
	}
	return nil
}

// Epoch runs one Yuma consensus epoch: subtensor's epoch with classic bonds,
// in fixed-point integer arithmetic. It is a pure function: the same Input
// always gives the same Output, on every platform. It returns an error
// wrapping ErrInvalidInput, and nothing else, for malformed input.
func Epoch(in Input) (Output, error) {
	if err := in.Validate(); err != nil {
		return Output{}, err
	}
	n := len(in.Stake)
	out := Output{
		IncentiveEmission: make([]uint64, n),
		DividendEmission:  make([]uint64, n),
	}

	// Who takes part: active UIDs, validator permits, and the stake that
	// votes (active permitted validators only).
	out.Active = activeMask(in.LastUpdate, in.CurrentBlock, in.Params.ActivityCutoff)
	var fairLaunch bool
	out.ValidatorPermits, fairLaunch = validatorPermits(in, out.Active)
	stake := votingStake(in.Stake, out.Active, out.ValidatorPermits, fairLaunch)
	s := normalize(stake)

	// Weights: permitted rows only, no self-weight, no weight set before its
	// target registered; rows normalized to sum to 1.
	w := maskedWeights(in, out.ValidatorPermits)

	// Consensus, clipping, validator trust.
	preranks := matmul(w, s, n)
	out.Consensus = weightedMedianCols(w, stake, in.Params.Kappa, n)
	clipped := colClip(w, out.Consensus)
	out.ValidatorTrust = rowSums(clipped, n)

	// Ranks, trust, incentive.
	ranks := matmul(clipped, s, n)
	out.Trust = ratios(ranks, preranks)
	out.Ranks = normalize128(ranks)
	out.Incentive = slices.Clone(out.Ranks)

	// Bonds and dividends.
	ema := emaBonds(in, clipped, s)
	out.Dividends = normalize128(matmulTranspose(ema, out.Incentive))
	out.Bonds = storedBonds(ema, out.ValidatorPermits, n)

	distribute(&out, in, stake)
	return out, nil
}

// activeMask marks UIDs that set weights within cutoff blocks.
func activeMask(lastUpdate []uint64, current, cutoff uint64) []bool {
	active := make([]bool, len(lastUpdate))
	for i, u := range lastUpdate {
		until, carry := bits.Add64(u, cutoff, 0)
		active[i] = carry != 0 || until >= current
	}
	return active
}

// validatorPermits gives permits to the MaxValidators UIDs with the most
// stake, among UIDs with nonzero stake; equal stakes favour the higher UID,
// as subtensor's stable ascending sort does.
//
// At a fair launch no UID has stake yet (fairLaunch is true): permits then go
// to active UIDs that set weights on another UID, earliest registered first
// (then lowest UID), and they vote as equally staked (see votingStake).
func validatorPermits(in Input, active []bool) (permits []bool, fairLaunch bool) {
	n := len(in.Stake)
	permits = make([]bool, n)
	var total uint64
	var candidates []int
	for i, st := range in.Stake {
		total += st // cannot overflow: checked by Validate
		if st > 0 {
			candidates = append(candidates, i)
		}
	}
	if total > 0 {
		slices.SortFunc(candidates, func(a, b int) int {
			if c := cmp.Compare(in.Stake[b], in.Stake[a]); c != 0 {
				return c
			}
			return cmp.Compare(b, a)
		})
	} else {
		fairLaunch = true
		for i := range n {
			if active[i] && setsWeights(in.Weights[i], i) {
				candidates = append(candidates, i)
			}
		}
		slices.SortFunc(candidates, func(a, b int) int {
			if c := cmp.Compare(in.BlockAtRegistration[a], in.BlockAtRegistration[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	if len(candidates) > in.Params.MaxValidators {
		candidates = candidates[:in.Params.MaxValidators]
	}
	for _, i := range candidates {
		permits[i] = true
	}
	return permits, fairLaunch
}

// setsWeights reports whether row (UID self's weights) has a nonzero weight
// on another UID.
func setsWeights(row []uint16, self int) bool {
	for j, v := range row {
		if v != 0 && j != self {
			return true
		}
	}
	return false
}

// votingStake is the stake that votes, in rao: that of active permitted
// validators, or 1 for each of them at a fair launch.
func votingStake(stake []uint64, active, permits []bool, fairLaunch bool) []uint64 {
	v := make([]uint64, len(stake))
	for i := range stake {
		switch {
		case !active[i] || !permits[i]:
		case fairLaunch:
			v[i] = 1
		default:
			v[i] = stake[i]
		}
	}
	return v
}

// normalize returns x / Σx (all zeros when Σx is 0). Σx must fit in uint64.
func normalize(x []uint64) []Fixed {
	var total uint64
	for _, v := range x {
		total += v
	}
	out := make([]Fixed, len(x))
	for i, v := range x {
		out[i] = FixedFromRatio(v, total)
	}
	return out
}

// maskedWeights returns the weights of permitted validators without
// self-weights and without weights set at or before their target's
// registration (they were meant for the slot's previous neuron), each row
// normalized to sum to 1. Rows that end up empty are nil.
func maskedWeights(in Input, permits []bool) [][]Fixed {
	n := len(in.Stake)
	w := make([][]Fixed, n)
	for i, row := range in.Weights {
		if !permits[i] || len(row) == 0 {
			continue
		}
		updated := in.LastUpdate[i]
		keep := func(j int, v uint16) bool {
			return v != 0 && j != i && updated > in.BlockAtRegistration[j]
		}
		var sum uint64
		for j, v := range row {
			if keep(j, v) {
				sum += uint64(v)
			}
		}
		if sum == 0 {
			continue
		}
		r := make([]Fixed, n)
		for j, v := range row {
			if keep(j, v) {
				r[j] = FixedFromRatio(uint64(v), sum)
			}
		}
		w[i] = r
	}
	return w
}

// matmul returns r_j = Σ_i m_ij·v_i, exact (u128, scale 2^124).
func matmul(m [][]Fixed, v []Fixed, n int) []u128 {
	acc := make([]u128, n)
	for i, row := range m {
		vi := uint64(v[i])
		if row == nil || vi == 0 {
			continue
		}
		for j, x := range row {
			if x != 0 {
				acc[j] = acc[j].add(mul64(uint64(x), vi))
			}
		}
	}
	return acc
}

// matmulTranspose returns d_i = Σ_j m_ij·v_j, exact.
func matmulTranspose(m [][]Fixed, v []Fixed) []u128 {
	acc := make([]u128, len(m))
	for i, row := range m {
		var sum u128
		for j, x := range row {
			if x != 0 && v[j] != 0 {
				sum = sum.add(mul64(uint64(x), uint64(v[j])))
			}
		}
		acc[i] = sum
	}
	return acc
}

// colClip returns m with every entry capped at its column's threshold.
func colClip(m [][]Fixed, threshold []Fixed) [][]Fixed {
	out := make([][]Fixed, len(m))
	for i, row := range m {
		if row == nil {
			continue
		}
		r := make([]Fixed, len(row))
		for j, x := range row {
			r[j] = min(x, threshold[j])
		}
		out[i] = r
	}
	return out
}

// rowSums returns Σ_j m_ij for each row. Rows of m sum to at most 1.
func rowSums(m [][]Fixed, n int) []Fixed {
	out := make([]Fixed, n)
	for i, row := range m {
		var sum Fixed
		for _, x := range row {
			sum += x
		}
		out[i] = sum
	}
	return out
}

// ratios returns a_j / b_j (0 where b_j is 0); a_j <= b_j.
func ratios(a, b []u128) []Fixed {
	out := make([]Fixed, len(a))
	for j := range a {
		out[j] = ratio(a[j], b[j])
	}
	return out
}

// normalize128 returns x / Σx (all zeros when Σx is 0).
func normalize128(x []u128) []Fixed {
	var total u128
	for _, v := range x {
		total = total.add(v)
	}
	out := make([]Fixed, len(x))
	for i, v := range x {
		out[i] = ratio(v, total)
	}
	return out
}

// emaBonds returns the column-normalized exponential moving average of the
// bonds: alpha·ΔB + (1−alpha)·B, where ΔB = clipped weights × voting stake
// (column-normalized), B the previous bonds without columns of UIDs
// registered within the last tempo (column-normalized), and
// 1−alpha = BondsMovingAverage/10^6. Rows with no bonds are nil.
func emaBonds(in Input, clipped [][]Fixed, s []Fixed) [][]Fixed {
	n := len(in.Stake)

	// ΔB_ij = c_ij·s_i / Σ_k c_kj·s_k.
	deltaSum := columnDivisors(matmul(clipped, s, n))
	delta := make([][]Fixed, n)
	for i, row := range clipped {
		si := uint64(s[i])
		if row == nil || si == 0 {
			continue
		}
		d := make([]Fixed, n)
		for j, x := range row {
			d[j] = deltaSum[j].ratio(mul64(uint64(x), si))
		}
		delta[i] = d
	}

	// B_ij / Σ_k B_kj, columns of recently registered UIDs dropped.
	lastTempo := satSub(in.CurrentBlock, in.Params.Tempo)
	keep := make([]bool, n)
	for j, reg := range in.BlockAtRegistration {
		keep[j] = lastTempo > reg
	}
	prevSum := make([]uint64, n)
	for _, row := range in.Bonds {
		for j, b := range row {
			if keep[j] {
				prevSum[j] += uint64(b)
			}
		}
	}
	prev := make([][]Fixed, n)
	for i, row := range in.Bonds {
		var r []Fixed
		for j, b := range row {
			if b != 0 && keep[j] {
				if r == nil {
					r = make([]Fixed, n)
				}
				r[j] = FixedFromRatio(uint64(b), prevSum[j])
			}
		}
		prev[i] = r
	}

	// EMA numerators newShare·ΔB + oldShare·B (scale 10^6), column-normalized
	// (the 10^6 cancels). Each row is built in place of its ΔB or B row.
	newShare := uint64(BondsMovingAverageScale) - in.Params.BondsMovingAverage
	oldShare := in.Params.BondsMovingAverage
	numerators := func(i int, yield func(j int, x u128)) {
		d, p := delta[i], prev[i]
		switch {
		case d != nil && p != nil:
			for j := range n {
				yield(j, mul64(newShare, uint64(d[j])).add(mul64(oldShare, uint64(p[j]))))
			}
		case d != nil:
			for j, x := range d {
				yield(j, mul64(newShare, uint64(x)))
			}
		case p != nil:
			for j, x := range p {
				yield(j, mul64(oldShare, uint64(x)))
			}
		}
	}
	sums := make([]u128, n)
	for i := range n {
		numerators(i, func(j int, x u128) { sums[j] = sums[j].add(x) })
	}
	emaSum := columnDivisors(sums)
	ema := make([][]Fixed, n)
	for i := range n {
		r := delta[i]
		if r == nil {
			r = prev[i]
		}
		if r == nil {
			continue
		}
		var nonzero bool
		numerators(i, func(j int, x u128) {
			r[j] = emaSum[j].ratio(x)
			nonzero = nonzero || r[j] != 0
		})
		if nonzero {
			ema[i] = r
		}
	}
	return ema
}

// columnDivisors prepares each column sum for use as a denominator.
func columnDivisors(sums []u128) []divisor {
	d := make([]divisor, len(sums))
	for j, s := range sums {
		d[j] = newDivisor(s)
	}
	return d
}

// storedBonds converts the EMA bonds to what the chain stores: each column
// scaled so its largest entry is 65535, rounded down to u16; rows of UIDs
// without a permit cleared (nil).
func storedBonds(ema [][]Fixed, permits []bool, n int) [][]uint16 {
	colMax := make([]Fixed, n)
	for _, row := range ema {
		for j, x := range row {
			colMax[j] = max(colMax[j], x)
		}
	}
	out := make([][]uint16, n)
	for i, row := range ema {
		if row == nil || !permits[i] {
			continue
		}
		r := make([]uint16, n)
		for j, x := range row {
			if x != 0 {
				r[j] = uint16(mulDiv(uint64(x), 0xffff, uint64(colMax[j])))
			}
		}
		out[i] = r
	}
	return out
}

// distribute splits the emission: incentive and dividends share it in
// proportion to incentive + dividends (so half each whenever both are
// nonzero). When both are zero (no weights, all outdated or only self
// weights), validators get it all by voting stake, or by stake if no stake
// votes. Each amount is rounded down; the remainder is Dust.
func distribute(out *Output, in Input, voting []uint64) {
	e := in.Emission
	var incSum, divSum uint64
	for i := range out.Incentive {
		incSum += uint64(out.Incentive[i])
		divSum += uint64(out.Dividends[i])
	}
	paid := uint64(0)
	if total := incSum + divSum; total != 0 {
		for i := range out.Incentive {
			out.IncentiveEmission[i] = mulDiv(e, uint64(out.Incentive[i]), total)
			out.DividendEmission[i] = mulDiv(e, uint64(out.Dividends[i]), total)
			paid += out.IncentiveEmission[i] + out.DividendEmission[i]
		}
	} else {
		shares := voting
		if sumOf(shares) == 0 {
			shares = in.Stake
		}
		if total := sumOf(shares); total != 0 {
			for i, sh := range shares {
				out.DividendEmission[i] = mulDiv(e, sh, total)
				paid += out.DividendEmission[i]
			}
		}
	}
	out.Dust = e - paid
}

func sumOf(x []uint64) uint64 {
	var s uint64
	for _, v := range x {
		s += v
	}
	return s
}

func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}
