package yuma

// The bonds step of Epoch: the exponential moving average of the clipped
// weights, and the dividends it yields.

// emaBlock is how many columns emaBonds processes at a time: its buffers
// hold one block of every bond row (about 200 KB for 256 rows), small
// enough to stay in cache between the passes over a block.
const emaBlock = 32

// emaBonds computes the bonds, and the dividends before normalization.
//
// The bonds are the column-normalized exponential moving average
// alpha·ΔB + (1−alpha)·B, where ΔB is the clipped weights times voting
// stake, column-normalized (its column sums are the ranks); B is the
// previous bonds without the columns of UIDs registered within the last
// tempo, column-normalized; 1−alpha = BondsMovingAverage/10^6. It returns
// them as the chain stores them: each column scaled so its largest entry is
// 65535 and rounded down to u16, rows of UIDs without a permit cleared
// (nil), as are rows without any bond. The dividends are
// d_i = Σ_j ema_ij·incentive_j, exact (u128).
//
// Every step of the EMA is local to a column once the ranks are known, so it
// runs one block of columns at a time over all bond rows: each previous
// bond is normalized once and the EMA matrix is never stored whole.
func emaBonds(in Input, clipped [][]Fixed, ranks []u128, s, incentive []Fixed, permits []bool) (stored [][]uint16, dividends []u128) {
	n := len(in.Stake)
	stored = make([][]uint16, n)
	dividends = make([]u128, n)

	// The rows that can hold bonds: voting validators' clipped weights
	// (ΔB), previous bonds (B), or both. A missing one reads as a row of
	// zeros, so that one loop serves every row.
	type bondRow struct {
		i     int
		delta []Fixed  // clipped weights (zeros if UID i has no ΔB)
		si    uint64   // UID i's normalized voting stake
		prev  []uint16 // previous bonds (zeros if none)
		out   []uint16 // stored bonds, nil without a permit
	}
	zeroDelta, zeroPrev := make([]Fixed, n), make([]uint16, n)
	var bondRows []bondRow
	var permitted int
	for i := range n {
		r := bondRow{i: i, si: uint64(s[i]), delta: zeroDelta, prev: zeroPrev}
		hasDelta := clipped[i] != nil && r.si != 0
		hasPrev := in.Bonds != nil && len(in.Bonds[i]) != 0
		if !hasDelta && !hasPrev {
			continue
		}
		if hasDelta {
			r.delta = clipped[i]
		}
		if hasPrev {
			r.prev = in.Bonds[i]
		}
		if permits[i] {
			permitted++
		}
		bondRows = append(bondRows, r)
	}
	slab := newRows[uint16](permitted, n)
	for k := range bondRows {
		if permits[bondRows[k].i] {
			bondRows[k].out = slab.next()
		}
	}

	// Column divisors: ΔB_ij = c_ij·s_i / ranks_j, and B_ij = b_ij / Σ_k b_kj
	// where a dropped column's divisor is zero, so its B is 0.
	deltaSum := columnDivisors(ranks)
	lastTempo := satSub(in.CurrentBlock, in.Params.Tempo)
	prevSum := make([]uint64, n)
	for _, r := range bondRows {
		for j, b := range r.prev {
			prevSum[j] += uint64(b)
		}
	}
	prevDiv := make([]divider, n)
	for j, reg := range in.BlockAtRegistration {
		if lastTempo > reg {
			prevDiv[j] = newDivider(prevSum[j], uint64(FixedOne))
		} else {
			prevDiv[j] = newDivider(0, 0)
		}
	}

	// EMA numerators newShare·ΔB + oldShare·B (scale 10^6), normalized by
	// their column sums (the 10^6 cancels).
	newShare := uint64(BondsMovingAverageScale) - in.Params.BondsMovingAverage
	oldShare := in.Params.BondsMovingAverage
	nums := make([]u128, len(bondRows)*emaBlock)
	emas := make([]Fixed, len(bondRows)*emaBlock)
	nonzero := make([]bool, len(bondRows))
	var (
		sums   [emaBlock]u128
		emaSum [emaBlock]divisor
		scale  [emaBlock]divider
	)
	for j0 := 0; j0 < n; j0 += emaBlock {
		width := min(emaBlock, n-j0)
		deltaDiv, bDiv := deltaSum[j0:j0+width], prevDiv[j0:j0+width]
		clear(sums[:])
		for k, r := range bondRows {
			num := nums[k*emaBlock : k*emaBlock+width]
			delta, prev := r.delta[j0:j0+width], r.prev[j0:j0+width]
			for c := range num {
				var x u128
				if d := delta[c]; d != 0 {
					dv := &deltaDiv[c]
					x = mul64(newShare, dv.den.div(dv.low(mul64(uint64(d), r.si))))
				}
				if b := prev[c]; b != 0 {
					x = x.add(mul64(oldShare, bDiv[c].div(uint64(b))))
				}
				num[c] = x
				sums[c] = sums[c].add(x)
			}
		}
		var colMax [emaBlock]Fixed
		for c := range width {
			emaSum[c] = newDivisor(sums[c])
		}
		inc := incentive[j0 : j0+width]
		for k := range bondRows {
			num := nums[k*emaBlock : k*emaBlock+width]
			ema := emas[k*emaBlock : k*emaBlock+width]
			var d u128
			var any Fixed
			for c, x := range num {
				var v Fixed
				if !x.isZero() { // mostly false or mostly true: predictable
					v = Fixed(emaSum[c].den.div(emaSum[c].low(x)))
					colMax[c] = max(colMax[c], v)
					d = d.add(mul64(uint64(v), uint64(inc[c])))
				}
				ema[c] = v
				any |= v
			}
			if any != 0 {
				nonzero[k] = true
				dividends[bondRows[k].i] = dividends[bondRows[k].i].add(d)
			}
		}
		for c := range width {
			scale[c] = newDivider(uint64(colMax[c]), 0xffff)
		}
		for k, r := range bondRows {
			if r.out == nil {
				continue
			}
			out := r.out[j0 : j0+width]
			for c, v := range emas[k*emaBlock : k*emaBlock+width] {
				if v != 0 {
					out[c] = uint16(scale[c].div(uint64(v)))
				}
			}
		}
	}
	for k, r := range bondRows {
		if nonzero[k] && r.out != nil {
			stored[r.i] = r.out
		}
	}
	return stored, dividends
}

// columnDivisors prepares each column sum for use as a denominator.
func columnDivisors(sums []u128) []divisor {
	d := make([]divisor, len(sums))
	for j, s := range sums {
		d[j] = newDivisor(s)
	}
	return d
}
