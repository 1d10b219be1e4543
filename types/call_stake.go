package types

import (
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Weights of the staking calls.
const (
	StakeWeight   uint64 = 50_000
	TakeWeight    uint64 = 30_000
	BindKeyWeight uint64 = 100_000 // two signature recoveries
	UnjailWeight  uint64 = 30_000
)

// PPM is one million parts per million: takes and fractions are in ppm.
const PPM = 1_000_000

var (
	ErrBadTake  = errors.New("types: take must be at most 1,000,000 ppm (100%)")
	ErrBadProof = errors.New("types: binding proof must be two 65-byte signatures")
)

// AddStake moves Amount rao from the sender's (coldkey's) balance to its stake
// on Hotkey.
type AddStake struct {
	Hotkey Address
	Amount uint64
}

func (*AddStake) Kind() CallKind { return CallAddStake }
func (*AddStake) Weight() uint64 { return StakeWeight }
func (c *AddStake) Validate() error {
	if c.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// RemoveStake moves Amount rao of the sender's stake on Hotkey into
// unbonding; it returns as balance after the unbonding period.
type RemoveStake struct {
	Hotkey Address
	Amount uint64
}

func (*RemoveStake) Kind() CallKind { return CallRemoveStake }
func (*RemoveStake) Weight() uint64 { return StakeWeight }
func (c *RemoveStake) Validate() error {
	if c.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// SetTake sets the commission (ppm) a validator hotkey keeps from rewards
// before they are shared with its nominators. Sent by the hotkey's owner.
type SetTake struct {
	Hotkey Address
	Take   uint32
}

func (*SetTake) Kind() CallKind { return CallSetTake }
func (*SetTake) Weight() uint64 { return TakeWeight }
func (c *SetTake) Validate() error {
	if c.Take > PPM {
		return ErrBadTake
	}
	return nil
}

// BindConsensusKey binds a consensus key (by its address) to a hotkey. The
// sender is the hotkey's owner coldkey (a hotkey without an owner becomes the
// sender's); both the hotkey and the consensus key sign BindMessage, proving
// the sender controls them.
type BindConsensusKey struct {
	Hotkey       Address
	ConsensusKey Address
	HotkeySig    []byte
	ConsensusSig []byte
}

func (*BindConsensusKey) Kind() CallKind { return CallBindConsensusKey }
func (*BindConsensusKey) Weight() uint64 { return BindKeyWeight }
func (c *BindConsensusKey) Validate() error {
	if len(c.HotkeySig) != 65 || len(c.ConsensusSig) != 65 {
		return ErrBadProof
	}
	return nil
}

// BindMessage is the digest both keys sign for a binding.
func BindMessage(chainID uint64, coldkey, hotkey, consensus Address) Hash {
	b, _ := rlp.EncodeToBytes([]any{"taod/bind-consensus-key", chainID, coldkey, hotkey, consensus})
	return Keccak256(b)
}

// SignBind builds a BindConsensusKey call signed by hotkey and consensus keys.
func SignBind(chainID uint64, coldkey Address, hotkey, consensus *ecdsa.PrivateKey) (*BindConsensusKey, error) {
	hk, ck := crypto.PubkeyToAddress(hotkey.PublicKey), crypto.PubkeyToAddress(consensus.PublicKey)
	m := BindMessage(chainID, coldkey, hk, ck)
	hs, err := crypto.Sign(m[:], hotkey)
	if err != nil {
		return nil, err
	}
	cs, err := crypto.Sign(m[:], consensus)
	if err != nil {
		return nil, err
	}
	return &BindConsensusKey{Hotkey: hk, ConsensusKey: ck, HotkeySig: hs, ConsensusSig: cs}, nil
}

// VerifyBind checks both signatures of a binding sent by coldkey.
func (c *BindConsensusKey) VerifyBind(chainID uint64, coldkey Address) error {
	m := BindMessage(chainID, coldkey, c.Hotkey, c.ConsensusKey)
	for _, s := range []struct {
		sig  []byte
		want Address
		who  string
	}{{c.HotkeySig, c.Hotkey, "hotkey"}, {c.ConsensusSig, c.ConsensusKey, "consensus key"}} {
		pub, err := crypto.SigToPub(m[:], s.sig)
		if err != nil || crypto.PubkeyToAddress(*pub) != s.want {
			return fmt.Errorf("%w: the %s signature does not match %s", ErrBadSignature, s.who, s.want)
		}
	}
	return nil
}

// Unjail lets a jailed validator hotkey back into the validator set after
// its jail period. Sent by the hotkey's owner.
type Unjail struct {
	Hotkey Address
}

func (*Unjail) Kind() CallKind  { return CallUnjail }
func (*Unjail) Weight() uint64  { return UnjailWeight }
func (*Unjail) Validate() error { return nil }

// SwapHotkeyWeight is the weight of a SwapHotkey: it rewrites every stake
// position, unbonding entry and registration of the hotkey (each of which
// paid its own call), so a flat, heavy weight; the burn is the real price.
const SwapHotkeyWeight uint64 = 500_000

// ErrSameHotkey reports a SwapHotkey from a hotkey to itself or to the zero
// address.
var ErrSameHotkey = errors.New("types: swap needs a new hotkey, different from the old one and non-zero")

// SwapHotkey moves everything Old carries (registrations with their UIDs,
// root membership and weights, stake and nominations, take, consensus-key
// binding, pending commits, unbonding entries) to New, a hotkey never used
// before, and retires Old for good. Sent by Old's owner coldkey, which pays
// the hotkey_swap_burn.
type SwapHotkey struct {
	Old Address
	New Address
}

func (*SwapHotkey) Kind() CallKind { return CallSwapHotkey }
func (*SwapHotkey) Weight() uint64 { return SwapHotkeyWeight }
func (c *SwapHotkey) Validate() error {
	if c.Old == c.New || c.New == (Address{}) {
		return ErrSameHotkey
	}
	return nil
}

// Weights of the coldkey-swap calls.
const (
	ScheduleColdkeySwapWeight uint64 = 50_000
	CancelColdkeySwapWeight   uint64 = 30_000
)

// ErrZeroColdkey reports a coldkey swap to the zero address.
var ErrZeroColdkey = errors.New("types: the new coldkey must not be the zero address")

// ScheduleColdkeySwap announces that the sender's (the old coldkey's)
// balance, stake, unbonding, hotkeys and subnets move to NewColdkey after
// the coldkey_swap_delay. A second schedule from the same key puts the
// swap into dispute (package staking, coldkeyswap.go).
type ScheduleColdkeySwap struct {
	NewColdkey Address
}

func (*ScheduleColdkeySwap) Kind() CallKind { return CallScheduleColdkeySwap }
func (*ScheduleColdkeySwap) Weight() uint64 { return ScheduleColdkeySwapWeight }
func (c *ScheduleColdkeySwap) Validate() error {
	if c.NewColdkey == (Address{}) {
		return ErrZeroColdkey
	}
	return nil
}

// CancelColdkeySwap withdraws the sender's scheduled (not disputed) coldkey
// swap; the schedule's cost is not refunded.
type CancelColdkeySwap struct{}

func (*CancelColdkeySwap) Kind() CallKind  { return CallCancelColdkeySwap }
func (*CancelColdkeySwap) Weight() uint64  { return CancelColdkeySwapWeight }
func (*CancelColdkeySwap) Validate() error { return nil }
