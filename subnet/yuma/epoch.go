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
	// permit. At least 0, at most MaxUIDs.
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
	// ValidatorPermits, when not nil, are the validator permits to use
	// instead of the top Params.MaxValidators by stake (and instead of the
	// fair-launch rule): the permits the chain holds, say, or a what-if.
	// Params.MaxValidators does not cap them.
	ValidatorPermits []bool
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
		return fmt.Errorf("%w: stake has %d entries (UIDs), at most %d", ErrInvalidInput, n, MaxUIDs)
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
	if in.ValidatorPermits != nil && len(in.ValidatorPermits) != n {
		return fmt.Errorf("%w: validator_permits has %d entries, stake has %d", ErrInvalidInput, len(in.ValidatorPermits), n)
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
			return fmt.Errorf("%w: stake: the total overflows uint64 at stake[%d] (21M TAO is 2.1e16 rao)", ErrInvalidInput, i)
		}
	}
	if in.Params.BondsMovingAverage > BondsMovingAverageScale {
		return fmt.Errorf("%w: params.bonds_moving_average: %d is above %d", ErrInvalidInput, in.Params.BondsMovingAverage, BondsMovingAverageScale)
	}
	if in.Params.MaxValidators < 0 {
		return fmt.Errorf("%w: params.max_validators: %d is negative", ErrInvalidInput, in.Params.MaxValidators)
	}
	if in.Params.MaxValidators > MaxUIDs {
		return fmt.Errorf("%w: params.max_validators: %d is above %d", ErrInvalidInput, in.Params.MaxValidators, MaxUIDs)
	}
	return nil
}

func checkRows(name string, m [][]uint16, n int) error {
	for i, row := range m {
		if len(row) != 0 && len(row) != n {
			return fmt.Errorf("%w: %s[%d] has %d entries, want %d (or none): the matrix is ragged", ErrInvalidInput, name, i, len(row), n)
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
	// target registered; rows normalized to sum to 1. Pre-ranks on the way.
	w, preranks := maskedWeights(in, out.ValidatorPermits, s)

	// Consensus; then, in place, weights clipped to it, validator trust and
	// ranks.
	out.Consensus = weightedMedianCols(w, stake, in.Params.Kappa, n)
	var ranks []u128
	out.ValidatorTrust, ranks = clip(w, out.Consensus, s)

	// Trust, ranks, incentive.
	out.Trust = ratios(ranks, preranks)
	out.Ranks = normalize128(ranks)
	out.Incentive = slices.Clone(out.Ranks)

	// Bonds and dividends.
	var dividends []u128
	out.Bonds, dividends = emaBonds(in, w, ranks, s, out.Incentive, out.ValidatorPermits)
	out.Dividends = normalize128(dividends)

	distribute(&out, in, stake)
	return out, nil
}

// rows hands out rows of n values carved from one allocation, so a matrix
// costs one allocation instead of one per row.
type rows[T any] struct {
	buf []T
	n   int
}

func newRows[T any](count, n int) rows[T] { return rows[T]{buf: make([]T, count*n), n: n} }

// next returns the next zeroed row of length n.
func (r *rows[T]) next() []T {
	row := r.buf[:r.n:r.n]
	r.buf = r.buf[r.n:]
	return row
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
	var total uint64
	var candidates []int
	for i, st := range in.Stake {
		total += st // cannot overflow: checked by Validate
		if st > 0 {
			candidates = append(candidates, i)
		}
	}
	if in.ValidatorPermits != nil {
		return slices.Clone(in.ValidatorPermits), total == 0
	}
	permits = make([]bool, n)
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
// normalized to sum to 1, and the pre-ranks p_j = Σ_i w_ij·s_i (exact, u128,
// scale 2^124). Rows that end up empty are nil.
func maskedWeights(in Input, permits []bool, s []Fixed) ([][]Fixed, []u128) {
	n := len(in.Stake)
	w := make([][]Fixed, n)
	preranks := make([]u128, n)
	// A weight counts if it is not a self-weight and was set after its
	// target registered. First the row sums of what counts (to size one
	// allocation for all rows), then the normalized rows.
	sums := make([]uint64, n)
	var count int
	for i, row := range in.Weights {
		if !permits[i] || len(row) == 0 {
			continue
		}
		updated := in.LastUpdate[i]
		var sum uint64
		for j, v := range row {
			if updated > in.BlockAtRegistration[j] {
				sum += uint64(v)
			}
		}
		if updated > in.BlockAtRegistration[i] {
			sum -= uint64(row[i]) // the self-weight
		}
		if sum != 0 {
			sums[i] = sum
			count++
		}
	}
	slab := newRows[Fixed](count, n)
	for i, row := range in.Weights {
		if sums[i] == 0 {
			continue
		}
		updated := in.LastUpdate[i]
		div := newDivider(sums[i], uint64(FixedOne))
		si := uint64(s[i])
		r := slab.next()
		for j, v := range row {
			if v == 0 || updated <= in.BlockAtRegistration[j] || j == i {
				continue
			}
			x := Fixed(div.div(uint64(v)))
			r[j] = x
			if si != 0 {
				preranks[j] = preranks[j].add(mul64(uint64(x), si))
			}
		}
		w[i] = r
	}
	return w, preranks
}

// clip caps, in place, every weight at its column's consensus, and returns
// the validator trust (each row's sum of clipped weights) and the ranks
// r_j = Σ_i clipped_ij·s_i (exact, u128, scale 2^124).
func clip(w [][]Fixed, consensus []Fixed, s []Fixed) (vtrust []Fixed, ranks []u128) {
	n := len(consensus)
	vtrust = make([]Fixed, n)
	ranks = make([]u128, n)
	for i, row := range w {
		if row == nil {
			continue
		}
		si := uint64(s[i])
		var sum Fixed
		for j, x := range row {
			x = min(x, consensus[j])
			row[j] = x
			sum += x
			if x != 0 && si != 0 {
				ranks[j] = ranks[j].add(mul64(uint64(x), si))
			}
		}
		vtrust[i] = sum
	}
	return vtrust, ranks
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
