package consensus

import (
	"bytes"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

// MaxTotalPower bounds a set's total voting power so that proposer
// priorities, which stay within a few multiples of the total, fit in an int64
// (the bound CometBFT uses). 2.1·10^16 rao, all TAO that can ever exist, is
// far below it.
const MaxTotalPower = math.MaxInt64 / 8

// priorityWindow caps max−min priority at priorityWindow × total power, so a
// validator that was absent or newly added cannot hoard or owe turns forever.
const priorityWindow = 2

// ValidatorSet is the validator set of one height with the proposer priorities
// at the start of that height. It is an immutable value: methods that change
// it return a new set.
//
// The proposer of round r is found by the weighted round-robin of CometBFT:
// r+1 times, every validator's priority grows by its power and the validator
// with the highest priority (ties: the lowest address) is picked and loses the
// total power. Over any window of total-power consecutive turns, each
// validator proposes as many times as its power. Priorities carry over from
// one height to the next through Next, so the driver must store the set of
// every height with its priorities (Encode) and derive the next one with Next,
// also when it syncs blocks: every node then agrees on every proposer.
type ValidatorSet struct {
	vals     []types.Validator
	priority []int64
	index    map[types.Address]int // address → position in vals; lookups only
	total    uint64
}

// NewValidatorSet makes the set of a chain's first height: vals in the chain's
// order, all priorities zero. It rejects an empty set, zero power, duplicate
// addresses and total power above MaxTotalPower.
func NewValidatorSet(vals []types.Validator) (*ValidatorSet, error) {
	s, err := newSet(vals)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newSet(vals []types.Validator) (*ValidatorSet, error) {
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadValidatorSet)
	}
	s := &ValidatorSet{
		vals:     append([]types.Validator(nil), vals...),
		priority: make([]int64, len(vals)),
		index:    make(map[types.Address]int, len(vals)),
	}
	for i, v := range vals {
		if v.Power == 0 {
			return nil, fmt.Errorf("%w: validator %s has zero power", ErrBadValidatorSet, v.Address)
		}
		if _, dup := s.index[v.Address]; dup {
			return nil, fmt.Errorf("%w: validator %s listed twice", ErrBadValidatorSet, v.Address)
		}
		s.index[v.Address] = i
		if v.Power > MaxTotalPower-s.total {
			return nil, fmt.Errorf("%w: total power exceeds %d", ErrBadValidatorSet, int64(MaxTotalPower))
		}
		s.total += v.Power
	}
	return s, nil
}

// Len is the number of validators.
func (s *ValidatorSet) Len() int { return len(s.vals) }

// TotalPower is the sum of all voting power.
func (s *ValidatorSet) TotalPower() uint64 { return s.total }

// Validators returns a copy of the validators in the chain's order.
func (s *ValidatorSet) Validators() []types.Validator {
	return append([]types.Validator(nil), s.vals...)
}

// Validator returns validator i in the chain's order.
func (s *ValidatorSet) Validator(i int) types.Validator { return s.vals[i] }

// Index returns the position of addr in the set.
func (s *ValidatorSet) Index(addr types.Address) (int, bool) {
	i, ok := s.index[addr]
	return i, ok
}

// Priorities returns a copy of the proposer priorities, in the chain's order.
func (s *ValidatorSet) Priorities() []int64 { return append([]int64(nil), s.priority...) }

// Hash is types.ValidatorsHash of the validators; priorities are not hashed.
func (s *ValidatorSet) Hash() types.Hash { return types.ValidatorsHash(s.vals) }

// Proposer returns the proposer of round r of this set's height. It costs
// O(r·Len()); the engine caches the schedule instead.
func (s *ValidatorSet) Proposer(round uint32) types.Address {
	return s.vals[s.schedule().at(round)].Address
}

// Next returns the set of the following height: vals (the chain's set for it,
// in its order) with priorities carried over from s after one more turn.
// Validators that stay keep their priority; new ones start at −1.125 × the
// new total power, behind everyone, so leaving and re-joining the set cannot
// win turns; then priorities are rescaled into the window and centred on zero.
func (s *ValidatorSet) Next(vals []types.Validator) (*ValidatorSet, error) {
	n, err := newSet(vals)
	if err != nil {
		return nil, err
	}
	p := s.schedule()
	p.at(0) // the turn of this height's round 0
	total := int64(n.total)
	for i, v := range n.vals {
		if j, ok := s.index[v.Address]; ok {
			n.priority[i] = p.prio[j]
		} else {
			n.priority[i] = -(total + total>>3)
		}
	}
	q := n.schedule()
	copy(n.priority, q.prio)
	return n, nil
}

// schedule returns the proposer order of the set's height, computed lazily.
func (s *ValidatorSet) schedule() *schedule {
	sc := &schedule{set: s, prio: append([]int64(nil), s.priority...)}
	sc.rescaleAndCentre()
	return sc
}

// schedule is the proposer of each round of one height. It keeps the
// priorities after the last computed turn and the proposer index of every
// round so far.
type schedule struct {
	set       *ValidatorSet
	prio      []int64
	proposers []int
}

// at returns the index of the proposer of round r.
func (sc *schedule) at(r uint32) int {
	for uint64(len(sc.proposers)) <= uint64(r) {
		sc.proposers = append(sc.proposers, sc.turn())
	}
	return sc.proposers[r]
}

// turn adds every validator's power to its priority, picks the highest
// (lowest address on ties) and takes the total power from it.
func (sc *schedule) turn() int {
	vals := sc.set.vals
	best := 0
	for i := range sc.prio {
		sc.prio[i] = addClip(sc.prio[i], int64(vals[i].Power))
		if i == 0 {
			continue
		}
		if sc.prio[i] > sc.prio[best] || sc.prio[i] == sc.prio[best] && bytes.Compare(vals[i].Address[:], vals[best].Address[:]) < 0 {
			best = i
		}
	}
	sc.prio[best] = subClip(sc.prio[best], int64(sc.set.total))
	return best
}

// rescaleAndCentre divides priorities so that max − min ≤ window × total and
// shifts them so that they average zero.
func (sc *schedule) rescaleAndCentre() {
	if len(sc.prio) == 0 {
		return
	}
	lo, hi := sc.prio[0], sc.prio[0]
	for _, p := range sc.prio {
		lo, hi = min(lo, p), max(hi, p)
	}
	window := priorityWindow * int64(sc.set.total)
	if diff := subClip(hi, lo); diff > window {
		ratio := (diff + window - 1) / window
		for i := range sc.prio {
			sc.prio[i] /= ratio
		}
	}
	sum := new(big.Int)
	for _, p := range sc.prio {
		sum.Add(sum, big.NewInt(p))
	}
	avg := sum.Div(sum, big.NewInt(int64(len(sc.prio)))).Int64() // Euclidean division: deterministic for negatives
	for i := range sc.prio {
		sc.prio[i] = subClip(sc.prio[i], avg)
	}
}

func addClip(a, b int64) int64 {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}

func subClip(a, b int64) int64 {
	switch {
	case b > 0 && a < math.MinInt64+b:
		return math.MinInt64
	case b < 0 && a > math.MaxInt64+b:
		return math.MaxInt64
	}
	return a - b
}

type wireValidator struct {
	Address  types.Address
	Power    uint64
	Priority uint64 // two's complement of the int64 priority
}

// Encode returns the set with its priorities as canonical RLP, for the driver
// to store beside the height it governs.
func (s *ValidatorSet) Encode() ([]byte, error) {
	w := make([]wireValidator, len(s.vals))
	for i, v := range s.vals {
		w[i] = wireValidator{v.Address, v.Power, uint64(s.priority[i])}
	}
	return rlp.EncodeToBytes(w)
}

// DecodeValidatorSet decodes a set written by Encode.
func DecodeValidatorSet(b []byte) (*ValidatorSet, error) {
	var w []wireValidator
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: decode: %v", ErrBadValidatorSet, err)
	}
	vals := make([]types.Validator, len(w))
	for i, x := range w {
		vals[i] = types.Validator{Address: x.Address, Power: x.Power}
	}
	s, err := newSet(vals)
	if err != nil {
		return nil, err
	}
	for i, x := range w {
		s.priority[i] = int64(x.Priority)
	}
	return s, nil
}

// hasTwoThirds reports whether power is more than 2/3 of total.
// total ≤ MaxTotalPower, so 3 × power cannot overflow.
func hasTwoThirds(power, total uint64) bool { return 3*power > 2*total }

// hasOneThird reports whether power is more than 1/3 of total.
func hasOneThird(power, total uint64) bool { return 3*power > total }
