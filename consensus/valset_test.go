package consensus

import (
	"bytes"
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

// swrr is the textbook smooth weighted round-robin: the reference the
// proposer schedule must match from a fresh set.
func swrr(vals []types.Validator, turns int) []types.Address {
	cur := make([]int64, len(vals))
	var total int64
	for _, v := range vals {
		total += int64(v.Power)
	}
	var out []types.Address
	for range turns {
		best := 0
		for i, v := range vals {
			cur[i] += int64(v.Power)
			if i > 0 && (cur[i] > cur[best] || cur[i] == cur[best] && bytes.Compare(v.Address[:], vals[best].Address[:]) < 0) {
				best = i
			}
		}
		cur[best] -= total
		out = append(out, vals[best].Address)
	}
	return out
}

// TestProposerRotation: round-0 proposers across heights, and proposers
// across rounds of one height, rotate by power, in the reference order.
func TestProposerRotation(t *testing.T) {
	f := newFixture(t, 1, 2, 3, 4)
	want := swrr(f.set.Validators(), 100)

	set := f.set
	count := map[types.Address]int{}
	for h := range 100 {
		got := set.Proposer(0)
		if got != want[h] {
			t.Fatalf("height %d: proposer %s, reference %s", h+1, got, want[h])
		}
		count[got]++
		var err error
		if set, err = set.Next(set.Validators()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		if n := count[f.addr(i)]; n != 10*int(f.set.vals[i].Power) {
			t.Errorf("validator of power %d proposed %d of 100 heights", f.set.vals[i].Power, n)
		}
	}
	sc := f.set.schedule()
	for r := range uint32(100) {
		if got := f.set.vals[sc.at(r)].Address; got != want[r] {
			t.Fatalf("round %d: proposer %s, reference %s", r, got, want[r])
		}
	}
}

// TestProposerTieBreak: with equal power the lowest address goes first.
func TestProposerTieBreak(t *testing.T) {
	f := newFixture(t, 5, 5, 5, 5)
	lowest := f.addr(0)
	for i := range 4 {
		if bytes.Compare(f.addr(i).Bytes(), lowest.Bytes()) < 0 {
			lowest = f.addr(i)
		}
	}
	if got := f.set.Proposer(0); got != lowest {
		t.Fatalf("first proposer %s, want the lowest address %s", got, lowest)
	}
	seen := map[types.Address]bool{}
	for r := range uint32(4) {
		seen[f.set.Proposer(r)] = true
	}
	if len(seen) != 4 {
		t.Fatalf("equal powers: %d distinct proposers in 4 rounds", len(seen))
	}
}

// TestValidatorSetChanges: a new validator starts behind (no immediate turn,
// but a turn within a couple of cycles), a removed one is gone, and
// priorities stay within the window even with huge powers.
func TestValidatorSetChanges(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1, 1)
	vals := f.set.Validators()
	set, err := NewValidatorSet(vals[:4])
	if err != nil {
		t.Fatal(err)
	}
	set, err = set.Next(vals) // validator 4 joins
	if err != nil {
		t.Fatal(err)
	}
	if p := set.Priorities()[4]; p >= 0 {
		t.Fatalf("new validator starts at priority %d, want negative", p)
	}
	first := -1
	for h := range 10 {
		if set.Proposer(0) == f.addr(4) && first < 0 {
			first = h
		}
		if set, err = set.Next(vals); err != nil {
			t.Fatal(err)
		}
	}
	if first <= 0 || first >= 10 {
		t.Fatalf("new validator first proposes at height offset %d", first)
	}
	set, err = set.Next(vals[1:])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := set.Index(f.addr(0)); ok || set.Len() != 4 {
		t.Fatal("removed validator still in the set")
	}

	big := []types.Validator{{Address: f.addr(0), Power: MaxTotalPower / 2}, {Address: f.addr(1), Power: MaxTotalPower/2 - 7}, {Address: f.addr(2), Power: 1}}
	set, err = NewValidatorSet(big)
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if set, err = set.Next(big); err != nil {
			t.Fatal(err)
		}
		for _, p := range set.Priorities() {
			if p > 2*int64(set.TotalPower()) || p < -2*int64(set.TotalPower()) {
				t.Fatalf("priority %d outside the window of total %d", p, set.TotalPower())
			}
		}
	}
}

func TestValidatorSetEncode(t *testing.T) {
	f := newFixture(t, 3, 1, 4, 1, 5)
	set := f.set
	for range 7 {
		set, _ = set.Next(set.Validators())
	}
	b, err := set.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValidatorSet(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != set.Hash() || !equalInts(got.Priorities(), set.Priorities()) {
		t.Fatalf("round trip changed the set")
	}
	for r := range uint32(20) {
		if got.Proposer(r) != set.Proposer(r) {
			t.Fatalf("round %d proposer differs after round trip", r)
		}
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidatorSetInvalid(t *testing.T) {
	f := newFixture(t, 1, 1)
	a, b := f.addr(0), f.addr(1)
	for name, vals := range map[string][]types.Validator{
		"empty":      nil,
		"zero power": {{Address: a, Power: 0}},
		"duplicate":  {{Address: a, Power: 1}, {Address: a, Power: 2}},
		"overflow":   {{Address: a, Power: MaxTotalPower}, {Address: b, Power: 1}},
	} {
		if _, err := NewValidatorSet(vals); !errors.Is(err, ErrBadValidatorSet) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
