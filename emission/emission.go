package emission

import (
	"errors"
	"fmt"
	"math/bits"
)

const (
	// RaoPerTAO is the number of rao in one TAO.
	RaoPerTAO uint64 = 1_000_000_000
	// MaxSupply is the cap on total issuance: 21,000,000 TAO.
	MaxSupply uint64 = 21_000_000 * RaoPerTAO
	// InitialReward is the reward of a block in era 0: 1 TAO.
	InitialReward uint64 = 1 * RaoPerTAO
)

// ppm is the denominator of a parts-per-million fraction.
const ppm = 1_000_000

// ErrRecycleExceedsIssuance is returned by Recycle when asked to recycle more
// than has been issued.
var ErrRecycleExceedsIssuance = errors.New("emission: recycled amount exceeds issuance")

// BlockReward returns the rao minted by a block when total issuance before it
// is issuance: InitialReward halved Era(issuance) times, rounded down, and
// clipped so that issuance plus the reward never exceeds MaxSupply. It is 0
// at or above MaxSupply and once the halved reward rounds down to 0.
func BlockReward(issuance uint64) uint64 {
	return mainnet().reward(issuance)
}

// Era returns the number of halvings in effect at issuance: the largest k
// with issuance >= MaxSupply - floor(MaxSupply/2^k). At or above MaxSupply,
// where every threshold is passed, it returns 55, the first k whose
// threshold is MaxSupply itself.
func Era(issuance uint64) uint {
	return mainnet().era(issuance)
}

// NextHalving returns the issuance at which the reward next halves,
// MaxSupply - floor(MaxSupply/2^(Era(issuance)+1)), which is always above
// issuance. ok is false when the reward is already 0, so that nothing is
// left to halve.
func NextHalving(issuance uint64) (threshold uint64, ok bool) {
	return mainnet().nextHalving(issuance)
}

// BlocksToNextHalving returns how many blocks at the current reward it takes
// for issuance to reach NextHalving(issuance), rounded up (the last block may
// overshoot the threshold), assuming nothing is recycled meanwhile. ok is
// false when the reward is already 0.
func BlocksToNextHalving(issuance uint64) (blocks uint64, ok bool) {
	return mainnet().blocksToNextHalving(issuance)
}

// Recycle returns issuance less amount: fees, registration burns and slashes
// leave total issuance so that later blocks mint them again. If amount
// exceeds issuance it returns issuance unchanged and an error wrapping
// ErrRecycleExceedsIssuance, since that can only come from a bookkeeping bug
// upstream and must not wrap around.
func Recycle(issuance, amount uint64) (uint64, error) {
	if amount > issuance {
		return issuance, fmt.Errorf("%w: recycle %d rao from issuance %d rao", ErrRecycleExceedsIssuance, amount, issuance)
	}
	return issuance - amount, nil
}

// Split divides amount 50/50: miners get floor(amount/2) and validators the
// rest, so miners + validators == amount.
func Split(amount uint64) (miners, validators uint64) {
	miners = amount / 2
	return miners, amount - miners
}

// SplitOwnerCut takes cutPPM parts per million of amount for the subnet
// owner, rounded down, and leaves the rest, so owner + rest == amount. A cut
// above 1,000,000 (100%) is treated as 100%: bounds on the cut are the
// caller's to validate, but no cut can pay the owner more than amount.
func SplitOwnerCut(amount uint64, cutPPM uint32) (owner, rest uint64) {
	cut := min(uint64(cutPPM), ppm)
	// amount*cut needs up to 84 bits; hi < cut <= ppm, so Div64 cannot
	// overflow and the quotient, at most amount, fits in 64 bits.
	hi, lo := bits.Mul64(amount, cut)
	owner, _ = bits.Div64(hi, lo, ppm)
	return owner, amount - owner
}

// schedule is a halving schedule with the given cap and first reward. The
// exported functions use the mainnet values; tests also run the same code
// on small schedules, where the clip and skipped eras can be checked
// exhaustively.
type schedule struct {
	maxSupply     uint64
	initialReward uint64
}

// mainnet returns the taod schedule. It is a function, not a variable, so
// that the package holds no mutable state.
func mainnet() schedule {
	return schedule{maxSupply: MaxSupply, initialReward: InitialReward}
}

// threshold returns the issuance at which era k begins.
func (s schedule) threshold(k uint) uint64 {
	return s.maxSupply - s.maxSupply>>k
}

// era returns the largest k with issuance >= threshold(k), saturated at
// bits.Len64(maxSupply) at or above the cap. For issuance < maxSupply,
// issuance >= threshold(k) iff maxSupply - issuance <= floor(maxSupply/2^k)
// iff 2^k <= maxSupply/(maxSupply - issuance) (left side an integer), so k
// is the bit length of that quotient minus one.
func (s schedule) era(issuance uint64) uint {
	if issuance >= s.maxSupply {
		return uint(bits.Len64(s.maxSupply))
	}
	return uint(bits.Len64(s.maxSupply/(s.maxSupply-issuance))) - 1
}

func (s schedule) reward(issuance uint64) uint64 {
	if issuance >= s.maxSupply {
		return 0
	}
	r := s.initialReward >> s.era(issuance) // a shift by 64 or more is 0 in Go
	if left := s.maxSupply - issuance; r > left {
		r = left
	}
	return r
}

func (s schedule) nextHalving(issuance uint64) (uint64, bool) {
	if s.reward(issuance) == 0 {
		return 0, false
	}
	// A nonzero reward means issuance < maxSupply, so era+1 is at most
	// bits.Len64(maxSupply) and threshold(era+1) > issuance by maximality.
	return s.threshold(s.era(issuance) + 1), true
}

func (s schedule) blocksToNextHalving(issuance uint64) (uint64, bool) {
	t, ok := s.nextHalving(issuance)
	if !ok {
		return 0, false
	}
	r := s.reward(issuance)
	d := t - issuance
	n := d / r
	if d%r != 0 {
		n++
	}
	return n, true
}
