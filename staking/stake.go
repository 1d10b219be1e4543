package staking

import (
	"fmt"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Block is staking's view of one block's execution: the state it writes,
// the height, the staking parameters in force and the two facts of the
// chain its rules need. Package chain makes one per block.
type Block struct {
	State     *state.State
	Height    uint64
	Params    Params
	ChainID   uint64            // consensus-key bindings and evidence are signed for it
	Bootstrap []types.Validator // the genesis set, in force until the handover
	Events    *types.EventLog   // where end-of-block work reports what it did (nil: dropped)
}

// AddStake moves amount from from's balance to its stake on a known
// hotkey (at least min_stake).
func (x *Block) AddStake(from types.Address, c *types.AddStake) error {
	p := x.Params
	if _, err := x.known(c.Hotkey); err != nil {
		return err
	}
	if c.Amount < p.MinStake {
		return fmt.Errorf("%w: adding %d rao, minimum %d", ErrBelowMinStake, c.Amount, p.MinStake)
	}
	acc := x.State.Account(from)
	if acc.Balance < c.Amount {
		return fmt.Errorf("%w: staking %s TAO, balance %s TAO", ErrInsufficientBalance, types.FormatTAO(c.Amount), types.FormatTAO(acc.Balance))
	}
	acc.Balance -= c.Amount
	x.State.SetAccount(from, acc)
	setStake(x.State, from, c.Hotkey, Stake(x.State, from, c.Hotkey)+c.Amount)
	return nil
}

// RemoveStake moves amount of from's stake on hotkey into unbonding: it
// returns to the balance unbonding_period blocks on, slashable meanwhile.
// What remains must be zero or at least min_stake.
func (x *Block) RemoveStake(from types.Address, hotkey types.Address, amount uint64) error {
	p := x.Params
	if _, err := x.known(hotkey); err != nil {
		return err
	}
	have := Stake(x.State, from, hotkey)
	if amount > have {
		return fmt.Errorf("%w: removing %s TAO, stake %s TAO", ErrInsufficientStake, types.FormatTAO(amount), types.FormatTAO(have))
	}
	if left := have - amount; left != 0 && left < p.MinStake {
		return fmt.Errorf("%w: %d rao would remain (minimum %d); remove all of it or less", ErrBelowMinStake, left, p.MinStake)
	}
	setStake(x.State, from, hotkey, have-amount)
	addUnbonding(x.State, Unbonding{Coldkey: from, Hotkey: hotkey, Amount: amount, ReleaseAt: x.Height + p.UnbondingPeriod})
	return nil
}

// SetTake sets a hotkey's take (by its owner, at most max_take, once per
// take_rate_limit blocks).
func (x *Block) SetTake(from types.Address, c *types.SetTake) error {
	p := x.Params
	h, err := OwnedHotkey(x.State, c.Hotkey, from)
	switch {
	case err != nil:
		return err
	case c.Take > p.MaxTake:
		return fmt.Errorf("%w: %d ppm, maximum %d", ErrTakeTooHigh, c.Take, p.MaxTake)
	case h.TakeSetAt != 0 && x.Height < h.TakeSetAt+p.TakeRateLimit:
		return fmt.Errorf("%w: take was set at block %d; next change from block %d", ErrRateLimited, h.TakeSetAt, h.TakeSetAt+p.TakeRateLimit)
	}
	h.Take, h.TakeSetAt = c.Take, x.Height
	setHotkeyInfo(x.State, c.Hotkey, h)
	return nil
}

// BindConsensusKey binds a fresh consensus key to a hotkey (creating the
// hotkey if it is new): it takes effect at the next consensus epoch, and a
// key is never bound twice.
func (x *Block) BindConsensusKey(from types.Address, c *types.BindConsensusKey) error {
	if err := c.VerifyBind(x.ChainID, from); err != nil {
		return err
	}
	if err := CheckNotRetired(x.State, c.Hotkey); err != nil {
		return err
	}
	if prev := x.State.Get(key(pConsKey, c.ConsensusKey[:])); len(prev) != 0 {
		return fmt.Errorf("%w: %s was bound to hotkey %s", ErrKeyReused, c.ConsensusKey, types.Address(prev))
	}
	// A bootstrap validator may bind its own key (once): the same node then
	// goes on as a staked validator, so no second signer appears.
	h, ok := hotkeyInfo(x.State, c.Hotkey)
	if !ok {
		h = newHotkey(from, x.Params)
	} else if h.Owner != from {
		return fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, c.Hotkey, h.Owner)
	}
	h.PendingKey = c.ConsensusKey
	setHotkeyInfo(x.State, c.Hotkey, h)
	x.State.Set(key(pConsKey, c.ConsensusKey[:]), c.Hotkey[:])
	x.State.Set(key(pPending, c.Hotkey[:]), marker)
	return nil
}

func newHotkey(owner types.Address, p Params) HotkeyInfo {
	return HotkeyInfo{Owner: owner, Take: p.DefaultTake}
}

// RegisterHotkey gives an unowned hotkey its owner (subnet registration uses
// it); it reports whether the hotkey is now owned by owner. A retired
// hotkey is never owned again (callers name it: CheckNotRetired).
func RegisterHotkey(st *state.State, p Params, hotkey, owner types.Address) bool {
	h, ok := hotkeyInfo(st, hotkey)
	if !ok {
		if _, retired := Retired(st, hotkey); retired {
			return false
		}
		setHotkeyInfo(st, hotkey, newHotkey(owner, p))
		return true
	}
	return h.Owner == owner
}

// Unjail frees a jailed hotkey (by its owner) once its jail period ends.
func (x *Block) Unjail(from types.Address, c *types.Unjail) error {
	h, err := OwnedHotkey(x.State, c.Hotkey, from)
	switch {
	case err != nil:
		return err
	case !h.Jailed:
		return ErrNotJailed
	case x.Height < h.JailedUntil:
		return fmt.Errorf("%w: jailed until block %d", ErrStillJailed, h.JailedUntil)
	}
	h.Jailed = false
	setHotkeyInfo(x.State, c.Hotkey, h)
	return nil
}

// ReleaseUnbonding returns the stake whose unbonding ends at this height.
func (x *Block) ReleaseUnbonding() error {
	due, err := dueUnbondings(x.State, x.Height)
	if err != nil {
		return err
	}
	for _, u := range due {
		acc := x.State.Account(u.Coldkey)
		acc.Balance += u.Amount
		x.State.SetAccount(u.Coldkey, acc)
		deleteUnbonding(x.State, u)
		x.Events.Emit(types.Event{Kind: types.EvStakeUnbonded, Addr: u.Coldkey, Peer: u.Hotkey, Amount: u.Amount})
	}
	return nil
}

// Slash takes fraction ppm of every stake and unbonding entry on hotkey,
// recycles it and jails the hotkey until height + jail period.
func (x *Block) Slash(hotkey types.Address, fraction uint32) (uint64, error) {
	noms, err := nominators(x.State, hotkey)
	if err != nil {
		return 0, err
	}
	unbonding, err := unbondingOfHotkey(x.State, hotkey)
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, n := range noms {
		cut := MulDiv(n.Amount, uint64(fraction), types.PPM)
		setStake(x.State, n.Coldkey, hotkey, n.Amount-cut)
		total += cut
	}
	for _, u := range unbonding {
		cut := MulDiv(u.Amount, uint64(fraction), types.PPM)
		k := key(pUnbond, hotkey[:], u64b(u.ReleaseAt), u.Coldkey[:])
		if cut == u.Amount {
			deleteUnbonding(x.State, u)
		} else {
			setU64(x.State, k, u.Amount-cut)
		}
		total += cut
	}
	is, err := emission.Recycle(x.State.Issuance(), total)
	if err != nil {
		return 0, fmt.Errorf("chain: invariant broken: slash: %w", err)
	}
	x.State.SetIssuance(is)
	h, _ := hotkeyInfo(x.State, hotkey)
	h.Jailed, h.JailedUntil = true, x.Height+x.Params.JailPeriod
	setHotkeyInfo(x.State, hotkey, h)
	x.Events.Emit(types.Event{Kind: types.EvSlash, Addr: hotkey, Amount: total, Ref: h.JailedUntil})
	return total, nil
}

// CreditReward credits amount rao (already minted; the caller debits it
// from wherever it was held) to a validator hotkey: the owner keeps its take,
// and the rest is shared pro rata by stake among all stake positions on the
// hotkey (the owner's included), floored, with the rounding dust to the owner.
// Rewards are credited as stake. An unknown hotkey is an error.
func CreditReward(st *state.State, hotkey types.Address, amount uint64) error {
	_, _, err := CreditRewardSplit(st, hotkey, amount)
	return err
}

// CreditRewardSplit is CreditReward that also reports the hotkey's owner
// and what it got beyond its position's pro-rata share: the take and the
// rounding dust (the events' "take" reward).
func CreditRewardSplit(st *state.State, hotkey types.Address, amount uint64) (owner types.Address, take uint64, err error) {
	h, ok := hotkeyInfo(st, hotkey)
	if !ok {
		return owner, 0, fmt.Errorf("%w: %s", ErrUnknownHotkey, hotkey)
	}
	if amount == 0 {
		return h.Owner, 0, nil
	}
	noms, err := nominators(st, hotkey)
	if err != nil {
		return h.Owner, 0, err
	}
	var total uint64
	for _, n := range noms {
		total += n.Amount
	}
	ownerCut := MulDiv(amount, uint64(h.Take), types.PPM)
	rest := amount - ownerCut
	var paid uint64
	if total > 0 {
		for _, n := range noms {
			share := MulDiv(rest, n.Amount, total)
			if share > 0 {
				setStake(st, n.Coldkey, hotkey, n.Amount+share)
				paid += share
			}
		}
	}
	take = ownerCut + rest - paid
	setStake(st, h.Owner, hotkey, Stake(st, h.Owner, hotkey)+take)
	return h.Owner, take, nil
}
