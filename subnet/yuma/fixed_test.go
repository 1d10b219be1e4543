package yuma

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestDividerMatchesDiv64 checks that a prepared divider gives exactly
// bits.Div64's quotient of n·k by d, for both scales the epoch uses, on edge
// and random operands.
func TestDividerMatchesDiv64(t *testing.T) {
	check := func(n, d, k uint64) {
		t.Helper()
		var want uint64
		if d != 0 {
			hi, lo := bits.Mul64(n, k)
			want, _ = bits.Div64(hi, lo, d)
		}
		v := newDivider(d, k)
		if got := v.div(n); got != want {
			t.Fatalf("floor(%#x·%#x / %#x) = %#x, want %#x", n, k, d, got, want)
		}
	}
	scales := []uint64{uint64(FixedOne), 0xffff, 1, 3, 1<<62 - 1}
	edges := []uint64{1, 2, 3, 5, 0xffff, 1<<16 + 1, 1 << 31, 1<<32 - 1, 1 << 32, 1<<62 - 1, 1 << 62, 1<<63 - 1, 1 << 63, 1<<63 + 1, math.MaxUint64 - 1, math.MaxUint64}
	for _, k := range scales {
		check(0, 0, k)
		for _, d := range edges {
			for _, n := range []uint64{0, 1, 2, d / 3, d / 2, d - 2, d - 1, d} {
				if n <= d {
					check(n, d, k)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500_000 {
		d := r.Uint64() >> r.UintN(64)
		if d == 0 {
			d = 1
		}
		n := r.Uint64N(d) + r.Uint64N(2) // up to d
		if r.IntN(4) == 0 {
			n = d - min(d, r.Uint64N(4))
		}
		check(n, d, scales[r.IntN(len(scales))])
	}
}

func FuzzDivider(f *testing.F) {
	f.Add(uint64(0), uint64(1), uint64(1<<62))
	f.Add(uint64(1<<63-1), uint64(1<<63), uint64(0xffff))
	f.Fuzz(func(t *testing.T, n, d, k uint64) {
		k %= 1<<62 + 1
		if d != 0 {
			n %= d + 1
		} else if d == 0 && n != 0 {
			return
		}
		var want uint64
		if d != 0 {
			hi, lo := bits.Mul64(n, k)
			want, _ = bits.Div64(hi, lo, d)
		}
		v := newDivider(d, k)
		if got := v.div(n); got != want {
			t.Fatalf("floor(%#x·%#x / %#x) = %#x, want %#x", n, k, d, got, want)
		}
	})
}
