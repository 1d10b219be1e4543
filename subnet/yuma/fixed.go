package yuma

import (
	"math/bits"
	"strconv"
)

// FracBits is the number of fractional bits of a Fixed.
const FracBits = 62

// FixedOne is 1.0 as a Fixed.
const FixedOne Fixed = 1 << FracBits

// Fixed is an unsigned binary fixed-point number with FracBits fractional
// bits (U2.62): the real value is uint64(f) / 2^62, so it holds [0, 4) with a
// resolution of 2^-62 ≈ 2.2e-19. Every Yuma output in [0, 1] is a Fixed.
//
// Two headroom bits keep sums such as incentive + dividends (≤ 2) in range;
// products of two Fixed values are taken exactly in 128 bits (u128) and
// rounded once, towards zero.
type Fixed uint64

// FixedFromRatio returns num/den rounded towards zero. It requires
// num <= 4*den (the result must fit) and returns 0 when den is 0.
func FixedFromRatio(num, den uint64) Fixed {
	if den == 0 {
		return 0
	}
	hi, lo := bits.Mul64(num, uint64(FixedOne))
	if hi >= den { // quotient would not fit in 64 bits
		return Fixed(^uint64(0))
	}
	q, _ := bits.Div64(hi, lo, den)
	return Fixed(q)
}

// U16 returns f as a u16 proportion, floor(f * 65535), saturating at 65535:
// the form subtensor stores consensus, trust, incentive and dividends in.
func (f Fixed) U16() uint16 {
	if f >= FixedOne {
		return 0xffff
	}
	hi, lo := bits.Mul64(uint64(f), 0xffff)
	return uint16(hi<<(64-FracBits) | lo>>FracBits)
}

// decimalDigits is how many decimals String prints (before trimming zeros):
// enough to tell apart values one unit of 2^-62 apart in most cases, and far
// below every tolerance Yuma is checked against.
const decimalDigits = 18

const decimalScale = 1_000_000_000_000_000_000 // 10^decimalDigits

// String formats f in decimal with up to 18 fractional digits, rounded to
// nearest, trailing zeros trimmed ("0", "1", "0.5", "0.333333333333333333").
// It uses integer arithmetic only.
func (f Fixed) String() string {
	return string(f.appendDecimal(nil))
}

// Decimal formats f in decimal with exactly digits fractional digits (0 to
// 18), rounded to nearest: Decimal(6) of 1/3 is "0.333333", of 1 is
// "1.000000". It uses integer arithmetic only; for tables.
func (f Fixed) Decimal(digits int) string {
	digits = min(max(digits, 0), decimalDigits)
	scale := uint64(1)
	for range digits {
		scale *= 10
	}
	// r = round(f * 10^digits / 2^62) < 4*10^18 fits in a uint64.
	hi, lo := bits.Mul64(uint64(f), scale)
	var c uint64
	lo, c = bits.Add64(lo, 1<<(FracBits-1), 0)
	hi += c
	r := hi<<(64-FracBits) | lo>>FracBits
	b := strconv.AppendUint(nil, r/scale, 10)
	if digits == 0 {
		return string(b)
	}
	frac := strconv.FormatUint(r%scale, 10)
	b = append(b, '.')
	for range digits - len(frac) {
		b = append(b, '0')
	}
	return string(append(b, frac...))
}

// MarshalJSON encodes f as a JSON number in decimal (see String).
func (f Fixed) MarshalJSON() ([]byte, error) {
	return f.appendDecimal(nil), nil
}

func (f Fixed) appendDecimal(b []byte) []byte {
	// r = round(f * 10^18 / 2^62); f < 2^64 so r < 4*10^18 < 2^64.
	hi, lo := bits.Mul64(uint64(f), decimalScale)
	var c uint64
	lo, c = bits.Add64(lo, 1<<(FracBits-1), 0)
	hi += c
	r := hi<<(64-FracBits) | lo>>FracBits
	b = strconv.AppendUint(b, r/decimalScale, 10)
	frac := r % decimalScale
	if frac == 0 {
		return b
	}
	var digits [decimalDigits]byte
	for i := decimalDigits - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := decimalDigits
	for digits[end-1] == '0' {
		end--
	}
	b = append(b, '.')
	return append(b, digits[:end]...)
}

// u128 is an unsigned 128-bit integer. It carries exact products of two
// Fixed values (scale 2^124) and exact sums of them, so that a dot product is
// rounded once, when it is turned back into a Fixed by ratio.
type u128 struct{ hi, lo uint64 }

// mul64 returns the exact product a*b.
func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

// add returns x+y. Callers only add quantities whose sum is bounded far
// below 2^128 (sums of normalized values), so the carry out is dropped.
func (x u128) add(y u128) u128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, _ := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}
}

// sub returns x-y for x >= y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

// less reports x < y.
func (x u128) less(y u128) bool {
	return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo)
}

// shr returns x >> s for s <= 64.
func (x u128) shr(s uint) u128 {
	if s >= 64 {
		return u128{0, x.hi >> (s - 64)}
	}
	if s == 0 {
		return x
	}
	return u128{x.hi >> s, x.lo>>s | x.hi<<(64-s)}
}

// ratio returns num/den as a Fixed, rounded towards zero, for num <= den
// (so the result is at most FixedOne). It returns 0 when den is 0 and
// FixedOne when num > den.
func ratio(num, den u128) Fixed {
	d := newDivisor(den)
	return d.ratio(num)
}

// divisor is a 128-bit denominator prepared for many ratios (a column
// sum, say).
//
// When den needs more than 64 bits, num and den are both shifted right until
// den fits in 64 bits with its top bit set; the relative error this adds is
// below 2^-63, far under one unit of the result for any num <= den.
type divisor struct {
	full  u128    // the denominator
	shift uint    // how far num and den are shifted right before dividing
	den   divider // full >> shift, scale 2^62
	// low's shifts, masked below 64 (Go's shifts by 64 or more cost a
	// test): num.lo >> loShift & loMask | num.hi << hiShift & hiMask.
	loShift, hiShift uint
	loMask, hiMask   uint64
}

func newDivisor(den u128) divisor {
	d := divisor{full: den}
	low := den.lo
	if den.hi != 0 {
		d.shift = uint(64 - bits.LeadingZeros64(den.hi))
		low = den.shr(d.shift).lo
	}
	d.den = newDivider(low, uint64(FixedOne))
	d.loShift, d.hiShift = d.shift&63, (64-d.shift)&63
	d.loMask = ^uint64(0)
	if d.shift == 64 {
		d.loMask = 0 // num.lo >> 64 is 0
	}
	if d.shift != 0 {
		d.hiMask = ^uint64(0) // num.hi << 64 is 0
	}
	return d
}

// low returns num >> shift as a uint64, for num <= den: the dividend of
// den.div. d.den.div(d.low(num)) is then num/den as a Fixed, as ratio
// returns, without ratio's checks: for a term num of the sum den (a weight
// of a column over the column's sum), in the hot loops, where both calls
// are inlined.
func (d *divisor) low(num u128) uint64 {
	return num.lo>>d.loShift&d.loMask | num.hi<<d.hiShift&d.hiMask
}

// ratio returns num/den; see the function ratio.
func (d *divisor) ratio(num u128) Fixed {
	switch {
	case d.full.isZero() || num.isZero():
		return 0
	case d.full.less(num):
		return FixedOne
	}
	// num <= full, so num >> shift <= full >> shift.
	return Fixed(d.den.div(num.shr(d.shift).lo))
}

// divider computes floor(n·k/d) for 0 <= n <= d, with d and k fixed and
// k <= 2^62, by multiplications only: a hardware 128-by-64-bit division
// costs several times more, and the epoch divides every weight and bond
// by a row or column sum four or five times.
//
// With d normalized (shifted left until its top bit is set, n shifted
// alike) and inv = floor(k·2^64/d), the estimate q = floor(n·inv/2^64)
// satisfies n·k/d − 1 < q <= n·k/d, because n < 2^64 and
// k·2^64/d − 1 < inv <= k·2^64/d; one test, (q+1)·d <= n·k, makes it
// exact. The result is exactly bits.Div64's quotient (see
// TestDividerMatchesDiv64).
type divider struct {
	d     uint64 // the divisor, normalized
	inv   uint64 // floor(k·2^64 / d)
	k     uint64 // the scale
	shift uint   // leading zeros of the original divisor
}

// newDivider prepares floor(n·k/d). A zero d gives a divider whose
// quotients are all 0.
func newDivider(d, k uint64) divider {
	if d == 0 {
		// q = 0 and (q+1)·d = 2^64 − 1 > n·0: div returns 0.
		return divider{d: ^uint64(0)}
	}
	s := uint(bits.LeadingZeros64(d))
	d <<= s
	inv, _ := bits.Div64(k, 0, d) // k < 2^63 <= d
	return divider{d: d, inv: inv, k: k, shift: s}
}

// div returns floor(n·k/d) for n <= d (the d given to newDivider).
func (v *divider) div(n uint64) uint64 {
	n <<= v.shift & 63 // shift < 64: the mask spares Go's test for >= 64
	q, _ := bits.Mul64(n, v.inv)
	hi, lo := bits.Mul64(n, v.k)
	phi, plo := bits.Mul64(q+1, v.d)
	// borrow is 1 when n·k < (q+1)·d, that is when q is already exact.
	_, borrow := bits.Sub64(lo, plo, 0)
	_, borrow = bits.Sub64(hi, phi, borrow)
	return q + 1 - borrow
}

// mulDiv returns floor(x*y/z) for y <= z, z > 0 (the result is at most x).
func mulDiv(x, y, z uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	q, _ := bits.Div64(hi, lo, z)
	return q
}
