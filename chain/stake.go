package chain

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Failed-call errors of staking.
var (
	ErrUnknownHotkey     = errors.New("chain: unknown hotkey (bind a consensus key or register it on a subnet first)")
	ErrNotOwner          = errors.New("chain: sender does not own this hotkey")
	ErrBelowMinStake     = errors.New("chain: stake below the minimum")
	ErrInsufficientStake = errors.New("chain: amount exceeds stake")
	ErrTakeTooHigh       = errors.New("chain: take above the maximum")
	ErrRateLimited       = errors.New("chain: rate limited")
	ErrKeyReused         = errors.New("chain: consensus key was already bound once and cannot be reused")
	ErrNotJailed         = errors.New("chain: hotkey is not jailed")
	ErrStillJailed       = errors.New("chain: jail period has not ended")
)

// blockCtx is the state of one block's execution.
type blockCtx struct {
	c      *Chain
	st     *state.State
	height uint64
	p      Params // in force for this block

	subnetsChanged bool // a subnet was created or pruned: recompute shares
}

func (x *blockCtx) addStake(from types.Address, c *types.AddStake) error {
	p := x.p.Staking
	if _, ok := hotkeyInfo(x.st, c.Hotkey); !ok {
		return fmt.Errorf("%w: %s", ErrUnknownHotkey, c.Hotkey)
	}
	if c.Amount < p.MinStake {
		return fmt.Errorf("%w: adding %d rao, minimum %d", ErrBelowMinStake, c.Amount, p.MinStake)
	}
	acc := x.st.Account(from)
	if acc.Balance < c.Amount {
		return fmt.Errorf("%w: staking %s TAO, balance %s TAO", ErrInsufficientBalance, types.FormatTAO(c.Amount), types.FormatTAO(acc.Balance))
	}
	acc.Balance -= c.Amount
	x.st.SetAccount(from, acc)
	setStake(x.st, from, c.Hotkey, Stake(x.st, from, c.Hotkey)+c.Amount)
	return nil
}

func (x *blockCtx) removeStake(from types.Address, hotkey types.Address, amount uint64) error {
	p := x.p.Staking
	if _, ok := hotkeyInfo(x.st, hotkey); !ok {
		return fmt.Errorf("%w: %s", ErrUnknownHotkey, hotkey)
	}
	have := Stake(x.st, from, hotkey)
	if amount > have {
		return fmt.Errorf("%w: removing %s TAO, stake %s TAO", ErrInsufficientStake, types.FormatTAO(amount), types.FormatTAO(have))
	}
	if left := have - amount; left != 0 && left < p.MinStake {
		return fmt.Errorf("%w: %d rao would remain (minimum %d); remove all of it or less", ErrBelowMinStake, left, p.MinStake)
	}
	setStake(x.st, from, hotkey, have-amount)
	addUnbonding(x.st, Unbonding{Coldkey: from, Hotkey: hotkey, Amount: amount, ReleaseAt: x.height + p.UnbondingPeriod})
	return nil
}

func (x *blockCtx) setTake(from types.Address, c *types.SetTake) error {
	p := x.p.Staking
	h, ok := hotkeyInfo(x.st, c.Hotkey)
	switch {
	case !ok:
		return fmt.Errorf("%w: %s", ErrUnknownHotkey, c.Hotkey)
	case h.Owner != from:
		return fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, c.Hotkey, h.Owner)
	case c.Take > p.MaxTake:
		return fmt.Errorf("%w: %d ppm, maximum %d", ErrTakeTooHigh, c.Take, p.MaxTake)
	case h.TakeSetAt != 0 && x.height < h.TakeSetAt+p.TakeRateLimit:
		return fmt.Errorf("%w: take was set at block %d; next change from block %d", ErrRateLimited, h.TakeSetAt, h.TakeSetAt+p.TakeRateLimit)
	}
	h.Take, h.TakeSetAt = c.Take, x.height
	setHotkeyInfo(x.st, c.Hotkey, h)
	return nil
}

func (x *blockCtx) bindConsensusKey(from types.Address, c *types.BindConsensusKey) error {
	if err := c.VerifyBind(x.c.ChainID(), from); err != nil {
		return err
	}
	if prev := x.st.Get(key(pConsKey, c.ConsensusKey[:])); len(prev) != 0 {
		return fmt.Errorf("%w: %s was bound to hotkey %s", ErrKeyReused, c.ConsensusKey, types.Address(prev))
	}
	// A bootstrap validator may bind its own key (once): the same node then
	// goes on as a staked validator, so no second signer appears.
	h, ok := hotkeyInfo(x.st, c.Hotkey)
	if !ok {
		h = newHotkey(from, x.p.Staking)
	} else if h.Owner != from {
		return fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, c.Hotkey, h.Owner)
	}
	h.PendingKey = c.ConsensusKey
	setHotkeyInfo(x.st, c.Hotkey, h)
	x.st.Set(key(pConsKey, c.ConsensusKey[:]), c.Hotkey[:])
	x.st.Set(key(pPending, c.Hotkey[:]), marker)
	return nil
}

func newHotkey(owner types.Address, p StakingParams) HotkeyInfo {
	return HotkeyInfo{Owner: owner, Take: p.DefaultTake}
}

// RegisterHotkey gives an unowned hotkey its owner (subnet registration uses
// it); it reports whether the hotkey is now owned by owner.
func RegisterHotkey(st *state.State, p StakingParams, hotkey, owner types.Address) bool {
	h, ok := hotkeyInfo(st, hotkey)
	if !ok {
		setHotkeyInfo(st, hotkey, newHotkey(owner, p))
		return true
	}
	return h.Owner == owner
}

func (x *blockCtx) unjail(from types.Address, c *types.Unjail) error {
	h, ok := hotkeyInfo(x.st, c.Hotkey)
	switch {
	case !ok:
		return fmt.Errorf("%w: %s", ErrUnknownHotkey, c.Hotkey)
	case h.Owner != from:
		return fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, c.Hotkey, h.Owner)
	case !h.Jailed:
		return ErrNotJailed
	case x.height < h.JailedUntil:
		return fmt.Errorf("%w: jailed until block %d", ErrStillJailed, h.JailedUntil)
	}
	h.Jailed = false
	setHotkeyInfo(x.st, c.Hotkey, h)
	return nil
}

// releaseUnbonding returns the stake whose unbonding ends at this height.
func (x *blockCtx) releaseUnbonding() error {
	due, err := dueUnbondings(x.st, x.height)
	if err != nil {
		return err
	}
	for _, u := range due {
		acc := x.st.Account(u.Coldkey)
		acc.Balance += u.Amount
		x.st.SetAccount(u.Coldkey, acc)
		deleteUnbonding(x.st, u)
	}
	return nil
}

func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c) // callers ensure a·b/c fits (b ≤ c)
	return q
}

// slash takes fraction ppm of every stake and unbonding entry on hotkey,
// recycles it and jails the hotkey until height + jail period.
func (x *blockCtx) slash(hotkey types.Address, fraction uint32) (uint64, error) {
	noms, err := nominators(x.st, hotkey)
	if err != nil {
		return 0, err
	}
	unbonding, err := unbondingOfHotkey(x.st, hotkey)
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, n := range noms {
		cut := mulDiv(n.Amount, uint64(fraction), types.PPM)
		setStake(x.st, n.Coldkey, hotkey, n.Amount-cut)
		total += cut
	}
	for _, u := range unbonding {
		cut := mulDiv(u.Amount, uint64(fraction), types.PPM)
		k := key(pUnbond, hotkey[:], u64b(u.ReleaseAt), u.Coldkey[:])
		if cut == u.Amount {
			deleteUnbonding(x.st, u)
		} else {
			setU64(x.st, k, u.Amount-cut)
		}
		total += cut
	}
	is, err := emission.Recycle(x.st.Issuance(), total)
	if err != nil {
		return 0, fmt.Errorf("chain: invariant broken: slash: %w", err)
	}
	x.st.SetIssuance(is)
	h, _ := hotkeyInfo(x.st, hotkey)
	h.Jailed, h.JailedUntil = true, x.height+x.p.Staking.JailPeriod
	setHotkeyInfo(x.st, hotkey, h)
	return total, nil
}

// CreditReward credits amount rao (already minted; the caller debits it
// from wherever it was held) to a validator hotkey: the owner keeps its take,
// and the rest is shared pro rata by stake among all stake positions on the
// hotkey (the owner's included), floored, with the rounding dust to the owner.
// Rewards are credited as stake. An unknown hotkey is an error.
func CreditReward(st *state.State, hotkey types.Address, amount uint64) error {
	h, ok := hotkeyInfo(st, hotkey)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownHotkey, hotkey)
	}
	if amount == 0 {
		return nil
	}
	noms, err := nominators(st, hotkey)
	if err != nil {
		return err
	}
	var total uint64
	for _, n := range noms {
		total += n.Amount
	}
	ownerCut := mulDiv(amount, uint64(h.Take), types.PPM)
	rest := amount - ownerCut
	var paid uint64
	if total > 0 {
		for _, n := range noms {
			share := mulDiv(rest, n.Amount, total)
			if share > 0 {
				setStake(st, n.Coldkey, hotkey, n.Amount+share)
				paid += share
			}
		}
	}
	owner := ownerCut + rest - paid
	setStake(st, h.Owner, hotkey, Stake(st, h.Owner, hotkey)+owner)
	return nil
}
