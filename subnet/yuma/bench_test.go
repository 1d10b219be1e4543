package yuma

import (
	"math/rand/v2"
	"testing"
)

// benchInput is a subnet of n UIDs whose first v UIDs are staked, active
// validators that each weight every UID, carrying the bonds of a previous
// epoch: the dense worst case of a full subnet.
func benchInput(tb testing.TB, n, v int) Input { return benchInputDensity(tb, n, v, 100) }

// benchInputDensity is benchInput where each validator weights only
// density percent of the UIDs (chosen at random), the others 0.
func benchInputDensity(tb testing.TB, n, v, density int) Input {
	r := rand.New(rand.NewPCG(uint64(n), uint64(v)))
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        100_000,
		Emission:            360_000_000_000,
		Params:              DefaultParams(),
	}
	in.Params.MaxValidators = v
	for i := range n {
		in.LastUpdate[i] = in.CurrentBlock - r.Uint64N(1000)
		in.BlockAtRegistration[i] = r.Uint64N(in.CurrentBlock - 1000)
		if i < v {
			in.Stake[i] = 1_000_000_000_000 + r.Uint64N(10_000_000_000_000_000/uint64(v))
			row := make([]uint16, n)
			for j := range row {
				w := uint16(r.UintN(65536))
				if density < 100 && r.IntN(100) >= density {
					w = 0
				}
				row[j] = w
			}
			in.Weights[i] = row
		}
	}
	out, err := Epoch(in) // previous epoch, for realistic bonds
	if err != nil {
		tb.Fatal(err)
	}
	in.Bonds = out.Bonds
	return in
}

func benchmarkEpoch(b *testing.B, n, v, density int) {
	in := benchInputDensity(b, n, v, density)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Epoch(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEpoch256x64(b *testing.B)           { benchmarkEpoch(b, 256, 64, 100) }
func BenchmarkEpoch4096x256(b *testing.B)         { benchmarkEpoch(b, 4096, 256, 100) }
func BenchmarkEpoch4096x256Sparse10(b *testing.B) { benchmarkEpoch(b, 4096, 256, 10) }

// BenchmarkPlainPass4096x256 is the floor the epoch is measured against: one
// pass that reads every weight of the dense 4096×256 input once (it sums
// them). Any epoch must read each weight at least once.
func BenchmarkPlainPass4096x256(b *testing.B) {
	in := benchInput(b, 4096, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var sum uint64
		for _, row := range in.Weights {
			for _, w := range row {
				sum += uint64(w)
			}
		}
		if sum == 0 { // uses sum, so the pass cannot be optimized away
			b.Fatal("no weights")
		}
	}
}
