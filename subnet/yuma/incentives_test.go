package yuma

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// This file checks the incentives Yuma is meant to create, over several
// epochs with bonds carried from one epoch to the next, as the chain does:
// agreeing with consensus pays more than deviating from it, copying stale
// weights pays less than honest work, and nobody is paid for nothing.

// market is a small subnet for multi-epoch simulations: validators
// 0..validators-1 with the given stakes weight miners validators..n-1.
type market struct {
	stake      []uint64
	validators int
	miners     int
	epoch      int
	bonds      [][]uint16
	params     Params
}

func newMarket(stake []uint64, miners int) *market {
	p := DefaultParams()
	p.MaxValidators = len(stake)
	return &market{stake: stake, validators: len(stake), miners: miners, params: p}
}

// step runs one epoch with the validators' weights over the miners
// (rows[v][m]) and carries the bonds to the next epoch.
func (m *market) step(t *testing.T, rows [][]uint16) Output {
	t.Helper()
	n := m.validators + m.miners
	current := uint64(10_000 + m.epoch*int(m.params.Tempo))
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		Bonds:               m.bonds,
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        current,
		Emission:            1_000_000_000_000,
		Params:              m.params,
	}
	copy(in.Stake, m.stake)
	for i := range n {
		in.LastUpdate[i] = current - 1
	}
	for v, row := range rows {
		in.Weights[v] = make([]uint16, n)
		copy(in.Weights[v][m.validators:], row)
	}
	out := mustEpoch(t, in)
	checkInvariants(t, in, out)
	m.bonds = out.Bonds
	m.epoch++
	return out
}

// randomPreference is a weight row over the miners: a few favourites with
// large weights, the rest small or zero.
func randomPreference(r *rand.Rand, miners int) []uint16 {
	row := make([]uint16, miners)
	for j := range row {
		if r.IntN(3) == 0 {
			row[j] = uint16(r.UintN(5000))
		}
	}
	for range 1 + r.IntN(3) {
		row[r.IntN(miners)] = uint16(20_000 + r.UintN(45_536))
	}
	return row
}

// jitter returns row with small independent noise, as honest validators
// who measure the same miners would set.
func jitter(r *rand.Rand, row []uint16) []uint16 {
	out := make([]uint16, len(row))
	for j, x := range row {
		if x != 0 {
			out[j] = uint16(min(65535, int(x)+r.IntN(1000)))
		}
	}
	return out
}

// TestPropertyConsensusPaysMoreThanDeviation: of two validators with equal
// stake, the one whose weights agree with the majority (and so with
// consensus) earns more dividends than the one that weights miners of its
// own choosing, in every epoch as bonds accrue.
func TestPropertyConsensusPaysMoreThanDeviation(t *testing.T) {
	for seed := range uint64(100) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			miners := 4 + r.IntN(12)
			// Validators 0..2 agree, validator 3 deviates; 0 and 3 have
			// the same stake.
			s := uint64(1_000_000_000_000 + r.Uint64N(1_000_000_000_000))
			m := newMarket([]uint64{s, s + r.Uint64N(s), s + r.Uint64N(s), s}, miners)
			m.params.Kappa = []uint16{32767, 32767, uint16(16384 + r.UintN(32768))}[r.IntN(3)]
			m.params.BondsMovingAverage = []uint64{900_000, 500_000, 975_000}[r.IntN(3)]
			var honest, deviant uint64
			prefer := randomPreference(r, miners)
			for epoch := range 12 {
				if r.IntN(3) == 0 { // the market moves now and then
					prefer = randomPreference(r, miners)
				}
				rows := [][]uint16{jitter(r, prefer), jitter(r, prefer), jitter(r, prefer), randomPreference(r, miners)}
				out := m.step(t, rows)
				honest += out.DividendEmission[0]
				deviant += out.DividendEmission[3]
				if out.DividendEmission[0] <= out.DividendEmission[3] {
					t.Fatalf("epoch %d: agreeing validator earned %d, deviating one %d (equal stake)",
						epoch, out.DividendEmission[0], out.DividendEmission[3])
				}
			}
			if honest <= deviant {
				t.Fatalf("over 12 epochs: agreeing validator earned %d, deviating one %d", honest, deviant)
			}
		})
	}
}

// TestPropertyStaleCopierEarnsLess: with commit-reveal, the freshest weights
// a lazy validator can copy are the last revealed ones, one epoch old. The
// honest validators' preference moves in most epochs; a validator that
// sets, each epoch, the weights an honest one set the epoch before never
// earns more than an honest validator of equal stake once bonds have
// accrued (from the third epoch on), and earns less in total.
func TestPropertyStaleCopierEarnsLess(t *testing.T) {
	var shares []float64 // copier's dividends as a share of the honest one's
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 4))
		miners := 4 + r.IntN(12)
		// Validators 0..2 are honest, 3 copies; 0 and 3 have the same
		// stake and the copier holds under half of it all.
		s := uint64(1_000_000_000_000 + r.Uint64N(1_000_000_000_000))
		m := newMarket([]uint64{s, s + r.Uint64N(s), s + r.Uint64N(s), s}, miners)
		m.params.BondsMovingAverage = []uint64{900_000, 500_000, 975_000}[r.IntN(3)]
		const epochs, accrued = 16, 2
		var revealed [][]uint16 // the honest rows of the previous epoch
		var honest, copier uint64
		prefer := randomPreference(r, miners)
		for epoch := range epochs {
			if r.IntN(3) != 0 {
				prefer = randomPreference(r, miners)
			}
			rows := [][]uint16{jitter(r, prefer), jitter(r, prefer), jitter(r, prefer), nil}
			if revealed != nil {
				rows[3] = slices.Clone(revealed[r.IntN(3)])
			} else {
				rows[3] = make([]uint16, miners) // nothing revealed yet
			}
			out := m.step(t, rows)
			revealed = rows[:3]
			if epoch < accrued {
				continue
			}
			honest += out.DividendEmission[0]
			copier += out.DividendEmission[3]
			if out.DividendEmission[0] < out.DividendEmission[3] {
				t.Fatalf("seed %d, epoch %d: honest validator earned %d, stale copier %d (equal stake)",
					seed, epoch, out.DividendEmission[0], out.DividendEmission[3])
			}
		}
		if honest <= copier {
			t.Fatalf("seed %d: honest validator earned %d, stale copier %d", seed, honest, copier)
		}
		shares = append(shares, float64(copier)/float64(honest))
	}
	slices.Sort(shares)
	t.Logf("stale copier's dividends as a share of an honest validator's: min %.3f, median %.3f, max %.3f",
		shares[0], shares[len(shares)/2], shares[len(shares)-1])
}

// TestPropertyUnweightedMinerEarnsNothing: a miner (no stake, no permit, no
// bonds) that no validator weights, or that only outdated weights (set
// before it registered) point at, gets no consensus, rank, incentive,
// dividends or emission, whatever the rest of the subnet does.
func TestPropertyUnweightedMinerEarnsNothing(t *testing.T) {
	for seed := range uint64(300) {
		in := referenceInput(seed, 48, 48)
		n := len(in.Stake)
		r := rand.New(rand.NewPCG(seed, 5))
		j := r.IntN(n)
		in.Stake[j] = 0
		if in.ValidatorPermits != nil {
			in.ValidatorPermits[j] = false
		}
		if in.Bonds != nil {
			in.Bonds[j] = nil
		}
		if seed%2 == 0 {
			for _, row := range in.Weights {
				if row != nil {
					row[j] = 0
				}
			}
		} else {
			// Registered now: every weight on it was set before.
			in.BlockAtRegistration[j] = in.CurrentBlock
		}
		if sumOf(in.Stake) == 0 {
			continue // fair launch: j could be a validator
		}
		out := mustEpoch(t, in)
		checkInvariants(t, in, out)
		if out.Consensus[j] != 0 || out.Ranks[j] != 0 || out.Incentive[j] != 0 || out.Dividends[j] != 0 ||
			out.IncentiveEmission[j] != 0 || out.DividendEmission[j] != 0 {
			t.Fatalf("seed %d: unweighted miner %d got consensus %s rank %s incentive %s dividends %s emission %d+%d",
				seed, j, out.Consensus[j], out.Ranks[j], out.Incentive[j], out.Dividends[j],
				out.IncentiveEmission[j], out.DividendEmission[j])
		}
	}
}
