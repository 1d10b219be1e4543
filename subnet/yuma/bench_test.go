package yuma

import (
	"math/rand/v2"
	"testing"
)

// benchInput is a subnet of n UIDs whose first v UIDs are staked, active
// validators that each weight every other UID, carrying the bonds of a
// previous epoch: the dense worst case of a full subnet.
func benchInput(b *testing.B, n, v int) Input {
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
				row[j] = uint16(r.UintN(65536))
			}
			in.Weights[i] = row
		}
	}
	out, err := Epoch(in) // previous epoch, for realistic bonds
	if err != nil {
		b.Fatal(err)
	}
	in.Bonds = out.Bonds
	return in
}

func benchmarkEpoch(b *testing.B, n, v int) {
	in := benchInput(b, n, v)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Epoch(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEpoch256x64(b *testing.B)   { benchmarkEpoch(b, 256, 64) }
func BenchmarkEpoch4096x256(b *testing.B) { benchmarkEpoch(b, 4096, 256) }
