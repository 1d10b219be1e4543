package yuma

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// propertySeeds is how many seeded random inputs each property test runs.
const propertySeeds = 300

// genOptions shape randomInput.
type genOptions struct {
	maxN          int
	distinctStake bool // no two UIDs with the same nonzero stake (no permit ties)
	zeroStake     bool // every stake is zero (fair launch)
}

// randomInput builds a random, valid Input from seed: a mix of whales, tiny
// and zero stakes, sparse and dense weight rows, stale and fresh updates,
// recently registered UIDs and optional previous bonds.
func randomInput(seed uint64, o genOptions) Input {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	n := 1 + r.IntN(o.maxN)
	current := uint64(1000 + r.IntN(20000))
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        current,
		Emission:            r.Uint64N(500_000_000_000),
		Params: Params{
			Kappa:              []uint16{32767, 32767, 0, 65535, uint16(r.UintN(65536))}[r.IntN(5)],
			BondsMovingAverage: []uint64{900_000, 900_000, 0, 1_000_000, r.Uint64N(1_000_001)}[r.IntN(5)],
			ActivityCutoff:     uint64(r.IntN(6000)),
			MaxValidators:      r.IntN(n + 3),
			Tempo:              uint64(r.IntN(720)),
		},
	}
	used := map[uint64]bool{}
	for i := range n {
		if !o.zeroStake {
			switch r.IntN(4) {
			case 0: // zero
			case 1:
				in.Stake[i] = r.Uint64N(1_000_000) // dust
			default:
				in.Stake[i] = r.Uint64N(2_000_000_000_000_000/uint64(n)) + 1
			}
			for o.distinctStake && in.Stake[i] != 0 && used[in.Stake[i]] {
				in.Stake[i]++
			}
			used[in.Stake[i]] = true
		}
		in.LastUpdate[i] = current - r.Uint64N(min(current, 8000))
		in.BlockAtRegistration[i] = current - r.Uint64N(min(current, 20000))
		if r.IntN(3) == 0 {
			row := make([]uint16, n)
			density := r.Float64()
			for j := range row {
				if r.Float64() < density {
					row[j] = uint16(r.UintN(65536))
				}
			}
			in.Weights[i] = row
		}
	}
	if r.IntN(2) == 0 {
		in.Bonds = make([][]uint16, n)
		for i := range n {
			if r.IntN(2) == 0 {
				row := make([]uint16, n)
				for j := range row {
					if r.IntN(3) == 0 {
						row[j] = uint16(r.UintN(65536))
					}
				}
				in.Bonds[i] = row
			}
		}
	}
	return in
}

func mustEpoch(t testing.TB, in Input) Output {
	t.Helper()
	out, err := Epoch(in)
	if err != nil {
		t.Fatalf("Epoch: %v", err)
	}
	return out
}

// checkInvariants checks what holds for every output.
func checkInvariants(t testing.TB, in Input, out Output) {
	t.Helper()
	n := len(in.Stake)
	var paid uint64
	for i := range n {
		paid += out.IncentiveEmission[i] + out.DividendEmission[i]
	}
	if paid > in.Emission || paid+out.Dust != in.Emission {
		t.Fatalf("emission not conserved: paid %d + dust %d, emission %d", paid, out.Dust, in.Emission)
	}
	for name, v := range map[string][]Fixed{
		"consensus": out.Consensus, "ranks": out.Ranks, "trust": out.Trust,
		"incentive": out.Incentive, "dividends": out.Dividends, "validator_trust": out.ValidatorTrust,
	} {
		if len(v) != n {
			t.Fatalf("%s has %d values, want %d", name, len(v), n)
		}
		for i, x := range v {
			if x > FixedOne {
				t.Fatalf("%s[%d] = %s above 1", name, i, x)
			}
		}
	}
	for name, v := range map[string][]Fixed{"incentive": out.Incentive, "dividends": out.Dividends} {
		var sum uint64
		for _, x := range v {
			sum += uint64(x)
		}
		// A sum of n shares of 1, each rounded down by less than 1.5 units
		// of 2^-62 (see divisor), never above 1.
		if sum != 0 && (sum > uint64(FixedOne) || sum+2*uint64(n) < uint64(FixedOne)) {
			t.Fatalf("%s sums to %s, want 1 (or 0)", name, Fixed(sum))
		}
	}
	var anyRank bool
	for _, x := range out.Ranks {
		anyRank = anyRank || x != 0
	}
	if anyRank && slices.Max(out.Incentive) == 0 {
		t.Fatalf("ranks nonzero but incentive zero")
	}
	if len(out.Bonds) != n {
		t.Fatalf("bonds has %d rows, want %d", len(out.Bonds), n)
	}
	var permits int
	for i, p := range out.ValidatorPermits {
		if p {
			permits++
		}
		if !p && out.Bonds[i] != nil {
			t.Fatalf("UID %d has bonds without a permit", i)
		}
	}
	switch {
	case in.ValidatorPermits != nil && !slices.Equal(out.ValidatorPermits, in.ValidatorPermits):
		t.Fatalf("permits %v, input gave %v", out.ValidatorPermits, in.ValidatorPermits)
	case in.ValidatorPermits == nil && permits > in.Params.MaxValidators:
		t.Fatalf("%d permits, max_validators %d", permits, in.Params.MaxValidators)
	}
}

// TestPropertyInvariants checks, on random inputs of both generators
// (including explicit permits and subnets of up to 200 UIDs), what holds
// for every epoch: emission conserved to the rao (paid + dust = emission),
// incentive and dividends each summing to 1 within rounding (or 0), every
// value in [0, 1], no bonds without a permit.
func TestPropertyInvariants(t *testing.T) {
	for seed := range uint64(propertySeeds) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			in := randomInput(seed, genOptions{maxN: 24})
			checkInvariants(t, in, mustEpoch(t, in))
			in = referenceInput(seed, 200, 64)
			checkInvariants(t, in, mustEpoch(t, in))
		})
	}
}

// TestGivenPermits: explicit validator permits replace the top-k by stake:
// a staked UID without one neither votes nor keeps bonds, and with no
// stake at all the permitted UIDs vote as equally staked.
func TestGivenPermits(t *testing.T) {
	in := Input{
		Stake:               []uint64{100, 1000, 0, 0},
		Weights:             [][]uint16{{0, 0, 1, 0}, {0, 0, 0, 1}, nil, nil},
		Bonds:               [][]uint16{{0, 0, 65535, 0}, {0, 0, 0, 65535}, nil, nil},
		LastUpdate:          []uint64{100, 100, 100, 100},
		BlockAtRegistration: []uint64{0, 0, 0, 0},
		ValidatorPermits:    []bool{true, false, false, false},
		CurrentBlock:        1000,
		Emission:            1_000_000,
		Params:              DefaultParams(),
	}
	out := mustEpoch(t, in)
	checkInvariants(t, in, out)
	if out.Incentive[2] != FixedOne || out.Incentive[3] != 0 {
		t.Errorf("incentive %v: only UID 0 votes, for UID 2", out.Incentive)
	}
	if out.Bonds[1] != nil || out.DividendEmission[1] != 0 {
		t.Errorf("UID 1 without a permit kept bonds %v or dividends %d", out.Bonds[1], out.DividendEmission[1])
	}
	// Fair launch with given permits: both vote, equally.
	in.Stake = make([]uint64, 4)
	in.ValidatorPermits = []bool{true, true, false, false}
	in.Bonds = nil
	out = mustEpoch(t, in)
	checkInvariants(t, in, out)
	if out.Incentive[2] != out.Incentive[3] || out.Incentive[2] == 0 {
		t.Errorf("fair launch incentive %v, want UIDs 2 and 3 equal", out.Incentive)
	}
}

func TestPropertyDeterministic(t *testing.T) {
	for seed := range uint64(propertySeeds) {
		in := randomInput(seed, genOptions{maxN: 24})
		before := cloneInput(in)
		a := mustEpoch(t, in)
		b := mustEpoch(t, in)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		if !inputsEqual(in, before) {
			t.Fatalf("seed %d: Epoch modified its input", seed)
		}
	}
}

// TestPropertyPermutation relabels the UIDs and expects the outputs relabeled
// the same way, exactly: every sum is exact, so the order of UIDs cannot
// matter. Stakes are distinct so that permit ties (broken by UID) do not
// arise.
func TestPropertyPermutation(t *testing.T) {
	for seed := range uint64(propertySeeds) {
		in := randomInput(seed, genOptions{maxN: 24, distinctStake: true})
		n := len(in.Stake)
		perm := rand.New(rand.NewPCG(seed, 1)).Perm(n) // new UID of old UID i is perm[i]
		pin := permuteInput(in, perm)
		out, pout := mustEpoch(t, in), mustEpoch(t, pin)
		want := permuteOutput(out, perm)
		if !reflect.DeepEqual(pout, want) {
			t.Fatalf("seed %d: outputs of relabeled UIDs differ\n got %+v\nwant %+v", seed, pout, want)
		}
	}
}

// TestFairLaunch: with no stake at all, active UIDs that set weights get
// permits by registration order and vote as equally staked.
func TestFairLaunch(t *testing.T) {
	const n = 6
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          []uint64{100, 100, 100, 100, 100, 100},
		BlockAtRegistration: []uint64{30, 10, 20, 5, 5, 5},
		CurrentBlock:        200,
		Emission:            1_000_000,
		Params:              DefaultParams(),
	}
	in.Params.MaxValidators = 2
	// UIDs 0, 1 and 2 validate; 1 and 2 registered first, so they get the
	// two permits. Both weight miner 4 over miner 5, 3:1 and 1:1.
	in.Weights[0] = []uint16{0, 0, 0, 0, 0, 65535}
	in.Weights[1] = []uint16{0, 0, 0, 0, 3, 1}
	in.Weights[2] = []uint16{0, 0, 0, 0, 1, 1}
	out := mustEpoch(t, in)
	checkInvariants(t, in, out)
	if want := []bool{false, true, true, false, false, false}; !slices.Equal(out.ValidatorPermits, want) {
		t.Fatalf("permits = %v, want %v", out.ValidatorPermits, want)
	}
	// Equal stakes, normalized weights 0.75 and 0.5 on miner 4, 0.25 and 0.5
	// on miner 5. Kappa = 32767/65535 is just under one half, so half of the
	// stake is a kappa share: consensus is the higher weight of each column.
	if got := out.Consensus[4]; got != FixedOne/4*3 {
		t.Errorf("consensus[4] = %s, want 0.75", got)
	}
	if got := out.Consensus[5]; got != FixedOne/2 {
		t.Errorf("consensus[5] = %s, want 0.5", got)
	}
	if out.IncentiveEmission[4] == 0 || out.DividendEmission[1] == 0 || out.DividendEmission[2] == 0 {
		t.Errorf("fair launch paid nothing: incentive %v dividends %v", out.IncentiveEmission, out.DividendEmission)
	}
	if out.Dust > 2*n {
		t.Errorf("dust %d", out.Dust)
	}

	// With no active validator setting weights, nobody is paid: all dust.
	for i := range in.Weights {
		in.Weights[i] = nil
	}
	out = mustEpoch(t, in)
	if out.Dust != in.Emission {
		t.Errorf("no validators: dust %d, want all of %d", out.Dust, in.Emission)
	}
}

// TestNoWeightsPaysStake: without usable weights, validators are paid by
// active stake (subtensor's fallback).
func TestNoWeightsPaysStake(t *testing.T) {
	in := Input{
		Stake:               []uint64{300, 100, 0},
		Weights:             [][]uint16{{65535, 0, 0}, nil, nil}, // self-weight only
		LastUpdate:          []uint64{10, 10, 10},
		BlockAtRegistration: []uint64{0, 0, 0},
		CurrentBlock:        20,
		Emission:            1000,
		Params:              DefaultParams(),
	}
	out := mustEpoch(t, in)
	if want := []uint64{750, 250, 0}; !slices.Equal(out.DividendEmission, want) || out.Dust != 0 {
		t.Errorf("dividend emission %v dust %d, want %v and 0", out.DividendEmission, out.Dust, want)
	}
}

func TestEmptySubnet(t *testing.T) {
	out := mustEpoch(t, Input{Emission: 42, Params: DefaultParams()})
	if out.Dust != 42 || len(out.Active) != 0 {
		t.Errorf("empty subnet: %+v", out)
	}
}

func TestEpochRejectsMalformedInput(t *testing.T) {
	good := func() Input {
		return Input{
			Stake:               []uint64{1, 2},
			Weights:             [][]uint16{nil, {1, 0}},
			LastUpdate:          []uint64{1, 1},
			BlockAtRegistration: []uint64{0, 0},
			Params:              DefaultParams(),
		}
	}
	if _, err := Epoch(good()); err != nil {
		t.Fatalf("good input: %v", err)
	}
	for name, mutate := range map[string]func(*Input){
		"ragged weights":  func(in *Input) { in.Weights[1] = []uint16{1} },
		"short weights":   func(in *Input) { in.Weights = in.Weights[:1] },
		"short updates":   func(in *Input) { in.LastUpdate = nil },
		"short regs":      func(in *Input) { in.BlockAtRegistration = []uint64{0} },
		"bonds rows":      func(in *Input) { in.Bonds = [][]uint16{nil} },
		"ragged bonds":    func(in *Input) { in.Bonds = [][]uint16{nil, {1, 2, 3}} },
		"stake overflow":  func(in *Input) { in.Stake[0] = math.MaxUint64 },
		"bma":             func(in *Input) { in.Params.BondsMovingAverage = 1_000_001 },
		"max validators":  func(in *Input) { in.Params.MaxValidators = -1 },
		"too many uids":   func(in *Input) { in.Stake = make([]uint64, MaxUIDs+1) },
		"weights no rows": func(in *Input) { in.Weights = nil },
	} {
		in := good()
		mutate(&in)
		if _, err := Epoch(in); !isInvalid(err) {
			t.Errorf("%s: error %v, want ErrInvalidInput", name, err)
		}
	}
}

// FuzzEpoch builds small inputs from the fuzz bytes: Epoch must never panic,
// and what it returns must satisfy the invariants.
func FuzzEpoch(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte("\x05\xff\xff\xff\x00\x00\x80\x7f\x01\x02\x03validator weights and bonds"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := inputFromBytes(data)
		out, err := Epoch(in)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("error %v does not wrap ErrInvalidInput", err)
			}
			return
		}
		checkInvariants(t, in, out)
	})
}

// FuzzParseInput: ParseInput never panics; what it accepts, Epoch runs, and
// it survives a JSON round trip.
func FuzzParseInput(f *testing.F) {
	f.Add([]byte(`{"stake":[1,2],"weights":[[0,1],[1,0]],"last_update":[5,5],"block_at_registration":[0,0],"current_block":10,"emission":100,"params":{"kappa":32767,"bonds_moving_average":900000,"activity_cutoff":5000,"max_validators":2}}`))
	f.Add([]byte(`{"stake":[],"weights":[],"last_update":[],"block_at_registration":[],"current_block":0,"emission":0,"params":{"kappa":0,"bonds_moving_average":0,"activity_cutoff":0,"max_validators":0,"tempo":1},"prev_bonds":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInput(data)
		if err != nil {
			return
		}
		if n := len(in.Stake); n > 64 {
			return // keep iterations fast
		}
		out := mustEpoch(t, in)
		checkInvariants(t, in, out)
		back, err := in.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		in2, err := ParseInput(back)
		if err != nil || !inputsEqual(in, in2) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// inputFromBytes reads a small Input from fuzz bytes (zeros past the end).
func inputFromBytes(data []byte) Input {
	pos := 0
	next := func() byte {
		if pos >= len(data) {
			return 0
		}
		pos++
		return data[pos-1]
	}
	u16 := func() uint16 { return uint16(next())<<8 | uint16(next()) }
	u64 := func() uint64 {
		var v uint64
		for range 8 {
			v = v<<8 | uint64(next())
		}
		return v
	}
	n := int(next() % 9)
	in := Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
	}
	flags := next()
	for i := range n {
		in.Stake[i] = u64() >> (next() % 64)
		if flags&1 != 0 {
			in.Stake[i] >>= 10 // keep totals valid more often
		}
		in.LastUpdate[i] = uint64(u16())
		in.BlockAtRegistration[i] = uint64(u16())
		if next()%2 == 0 {
			row := make([]uint16, n)
			for j := range row {
				row[j] = u16()
			}
			in.Weights[i] = row
		}
	}
	if flags&2 != 0 {
		in.Bonds = make([][]uint16, n)
		for i := range n {
			if next()%2 == 0 {
				row := make([]uint16, n)
				for j := range row {
					row[j] = u16()
				}
				in.Bonds[i] = row
			}
		}
	}
	in.CurrentBlock = uint64(u16())
	in.Emission = u64()
	in.Params = Params{
		Kappa:              u16(),
		BondsMovingAverage: uint64(u16()) * 16,
		ActivityCutoff:     uint64(u16()),
		MaxValidators:      int(next()%10) - 1,
		Tempo:              uint64(u16()),
	}
	return in
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidInput) }

func fixedsToFloats(x []Fixed) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = toFloat(v)
	}
	return out
}

func cloneMatrix(m [][]uint16) [][]uint16 {
	if m == nil {
		return nil
	}
	out := make([][]uint16, len(m))
	for i, row := range m {
		out[i] = slices.Clone(row)
	}
	return out
}

func cloneInput(in Input) Input {
	c := in
	c.Stake = slices.Clone(in.Stake)
	c.Weights = cloneMatrix(in.Weights)
	c.Bonds = cloneMatrix(in.Bonds)
	c.LastUpdate = slices.Clone(in.LastUpdate)
	c.BlockAtRegistration = slices.Clone(in.BlockAtRegistration)
	c.ValidatorPermits = slices.Clone(in.ValidatorPermits)
	return c
}

// inputsEqual compares inputs, treating nil and empty rows alike.
func inputsEqual(a, b Input) bool {
	rowsEqual := func(x, y [][]uint16) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !slices.Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return slices.Equal(a.Stake, b.Stake) && rowsEqual(a.Weights, b.Weights) && rowsEqual(a.Bonds, b.Bonds) &&
		slices.Equal(a.LastUpdate, b.LastUpdate) && slices.Equal(a.BlockAtRegistration, b.BlockAtRegistration) &&
		slices.Equal(a.ValidatorPermits, b.ValidatorPermits) &&
		a.CurrentBlock == b.CurrentBlock && a.Emission == b.Emission && a.Params == b.Params
}

// permuteInput relabels UID i as perm[i].
func permuteInput(in Input, perm []int) Input {
	n := len(perm)
	p := in
	p.Stake = permuteVec(in.Stake, perm)
	p.LastUpdate = permuteVec(in.LastUpdate, perm)
	p.BlockAtRegistration = permuteVec(in.BlockAtRegistration, perm)
	if in.ValidatorPermits != nil {
		p.ValidatorPermits = permuteVec(in.ValidatorPermits, perm)
	}
	p.Weights = permuteMatrix(in.Weights, perm, n)
	if in.Bonds != nil {
		p.Bonds = permuteMatrix(in.Bonds, perm, n)
	}
	return p
}

func permuteOutput(o Output, perm []int) Output {
	n := len(perm)
	return Output{
		Active:            permuteVec(o.Active, perm),
		ValidatorPermits:  permuteVec(o.ValidatorPermits, perm),
		Consensus:         permuteVec(o.Consensus, perm),
		Ranks:             permuteVec(o.Ranks, perm),
		Trust:             permuteVec(o.Trust, perm),
		Incentive:         permuteVec(o.Incentive, perm),
		Dividends:         permuteVec(o.Dividends, perm),
		ValidatorTrust:    permuteVec(o.ValidatorTrust, perm),
		Bonds:             permuteMatrix(o.Bonds, perm, n),
		IncentiveEmission: permuteVec(o.IncentiveEmission, perm),
		DividendEmission:  permuteVec(o.DividendEmission, perm),
		Dust:              o.Dust,
	}
}

func permuteVec[T any](x []T, perm []int) []T {
	out := make([]T, len(x))
	for i, v := range x {
		out[perm[i]] = v
	}
	return out
}

func permuteMatrix(m [][]uint16, perm []int, n int) [][]uint16 {
	out := make([][]uint16, n)
	for i, row := range m {
		if row == nil {
			continue
		}
		out[perm[i]] = permuteVec(row, perm)
	}
	return out
}

// TestSelectQuantile checks the radix select, the quickselect and its
// sorting fallback against the definition, on random votes: few and many,
// with many ties, with weights spread over the whole range or clustered in
// a narrow one, and with kappa anywhere.
func TestSelectQuantile(t *testing.T) {
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 2))
		count := 1 + r.IntN(40)
		if seed%3 == 0 {
			count = 1 + r.IntN(400) // radix rounds
		}
		weight := []func() Fixed{
			func() Fixed { return Fixed(1 + r.IntN(1+r.IntN(12))) },                  // ties
			func() Fixed { return Fixed(1 + r.Uint64N(uint64(FixedOne))) },           // spread
			func() Fixed { return FixedOne/3 + Fixed(r.Uint64N(1+r.Uint64N(1000))) }, // clustered
			func() Fixed { return Fixed(1) << r.UintN(FracBits+1) },                  // powers of two
		}[r.IntN(4)]
		votes := make([]vote, count)
		var total uint64
		for i := range votes {
			votes[i] = vote{weight: weight(), stake: 1 + r.Uint64N(1000)}
			total += votes[i].stake
		}
		below := r.Uint64N(500)
		total += below
		kappa := []uint16{32767, 0, 65535, uint16(r.UintN(65536))}[r.IntN(4)]
		threshold := mul64(total, uint64(0xffff-kappa))
		exceeds := func(cum uint64) bool { return threshold.less(mul64(cum, 0xffff)) }
		limit := minorityLimit(total, kappa)
		for _, cum := range []uint64{0, 1, below, limit - 1, limit, limit + 1, total} {
			if exceeds(cum) != (cum > limit) {
				t.Fatalf("seed %d: exceeds(%d) = %v, limit %d", seed, cum, exceeds(cum), limit)
			}
		}
		if exceeds(below) {
			continue
		}
		// Definition: the smallest weight x with below + stake(weight <= x)
		// exceeding, else the largest weight. In ascending order, x is the
		// weight at which the running sum first exceeds, once all votes of
		// that weight are counted.
		sorted := slices.SortedFunc(slices.Values(votes), func(a, b vote) int { return cmp.Compare(a.weight, b.weight) })
		want := sorted[len(sorted)-1].weight
		cum := below
		for k, v := range sorted {
			cum += v.stake
			if (k+1 == len(sorted) || sorted[k+1].weight != v.weight) && exceeds(cum) {
				want = v.weight
				break
			}
		}
		var or Fixed
		for _, v := range votes {
			or |= v.weight
		}
		for _, bound := range []Fixed{or, sorted[len(sorted)-1].weight, or | Fixed(r.Uint64N(uint64(FixedOne)))} {
			if got := selectQuantile(slices.Clone(votes), below, limit, bound); got != want {
				t.Fatalf("seed %d (%d votes, bound %d): selectQuantile = %d, want %d", seed, count, bound, got, want)
			}
		}
		for _, maxRounds := range []int{0, 1, 64} {
			if got := quickSelect(slices.Clone(votes), below, limit, maxRounds); got != want {
				t.Fatalf("seed %d, maxRounds %d: quickSelect = %d, want %d", seed, maxRounds, got, want)
			}
		}
	}
}
