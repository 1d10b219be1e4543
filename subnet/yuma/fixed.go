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
func ratio(num, den u128) Fixed { return newDivisor(den).ratio(num) }

// divisor is a denominator prepared for many ratios (a column sum, say).
//
// When den needs more than 64 bits, num and den are both shifted right until
// den fits in 64 bits with its top bit set; the relative error this adds is
// below 2^-63, far under one unit of the result for any num <= den.
type divisor struct {
	full  u128   // the denominator
	shift uint   // how far num and den are shifted right before dividing
	den   uint64 // full >> shift
}

func newDivisor(den u128) divisor {
	d := divisor{full: den, den: den.lo}
	if den.hi != 0 {
		d.shift = uint(64 - bits.LeadingZeros64(den.hi))
		d.den = den.shr(d.shift).lo
	}
	return d
}

// ratio returns num/den; see the function ratio.
func (d divisor) ratio(num u128) Fixed {
	switch {
	case d.den == 0 || num.isZero():
		return 0
	case d.full.less(num):
		return FixedOne
	}
	n := num.shr(d.shift).lo
	// n <= den < 2^64, so n*2^62 / den <= 2^62 and Div64 cannot overflow.
	hi, lo := bits.Mul64(n, uint64(FixedOne))
	q, _ := bits.Div64(hi, lo, d.den)
	return Fixed(q)
}

// mulDiv returns floor(x*y/z) for y <= z, z > 0 (the result is at most x).
func mulDiv(x, y, z uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	q, _ := bits.Div64(hi, lo, z)
	return q
}
