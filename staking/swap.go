package staking

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/statekey"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// The hotkey swap's staking half: the hotkey record (owner, take, its rate
// limit, consensus keys, jail), every stake position and unbonding entry on
// the hotkey, the candidate and pending-rotation markers, the consensus
// keys' back references and the hotkey's place in the validator sets that
// govern the current and next heights all move from the old hotkey to the
// new one; the old one is retired for good. Package subnet moves the
// registrations (subnet.Block.SwapHotkey); package chain calls both in one
// call, so either both happen or neither.

// RetiredHotkey is the record a swap leaves under the old hotkey: it can
// never be registered, staked to or bound again, and evidence against a
// consensus key it once had follows SwappedTo.
type RetiredHotkey struct {
	SwappedTo types.Address
	At        uint64        // height of the swap
	Owner     types.Address // the coldkey that swapped it
}

// Retired reports whether hotkey was retired by a swap, with its record.
func Retired(st interface{ Get([]byte) []byte }, hotkey types.Address) (RetiredHotkey, bool) {
	return statekey.Record[RetiredHotkey](st, key(pRetired, hotkey[:]), "retired-hotkey")
}

// retiredError names a retired hotkey and where it went.
func retiredError(hotkey types.Address, r RetiredHotkey) error {
	return fmt.Errorf("%w: %s was swapped to %s at block %d", ErrHotkeyRetired, hotkey, r.SwappedTo, r.At)
}

// CheckNotRetired refuses a retired hotkey, naming it (registration checks
// it before giving a hotkey an owner).
func CheckNotRetired(st *state.State, hotkey types.Address) error {
	if r, ok := Retired(st, hotkey); ok {
		return retiredError(hotkey, r)
	}
	return nil
}

// known returns a hotkey's record, or why there is none: retired (named)
// or unknown.
func (x *Block) known(hotkey types.Address) (HotkeyInfo, error) {
	if h, ok := hotkeyInfo(x.State, hotkey); ok {
		return h, nil
	}
	if err := CheckNotRetired(x.State, hotkey); err != nil {
		return HotkeyInfo{}, err
	}
	return HotkeyInfo{}, fmt.Errorf("%w: %s", ErrUnknownHotkey, hotkey)
}

// currentHotkey follows the swaps of a hotkey to the one that now carries
// its stake (itself if it was never swapped). Each swap goes to a hotkey
// never used before, so the chain of swaps has no cycle; it is as long as
// the swaps made, each paid and rate-limited.
func currentHotkey(st *state.State, hotkey types.Address) types.Address {
	for {
		r, ok := Retired(st, hotkey)
		if !ok {
			return hotkey
		}
		hotkey = r.SwappedTo
	}
}

// checkFresh refuses a swap target that is in use anywhere staking can see:
// owned (registered on a subnet or the root, or bound), staked, unbonding
// or retired. Registration always gives a hotkey an owner, so a hotkey
// without a record is registered nowhere; package subnet checks again.
func checkFresh(st *state.State, hotkey types.Address) error {
	if h, ok := hotkeyInfo(st, hotkey); ok {
		return fmt.Errorf("%w: %s is owned by %s", ErrHotkeyInUse, hotkey, h.Owner)
	}
	if r, ok := Retired(st, hotkey); ok {
		return fmt.Errorf("%w: %s was retired at block %d", ErrHotkeyInUse, hotkey, r.At)
	}
	for _, p := range []struct {
		prefix byte
		keyLen int
	}{{pStake, stakeKeyLen}, {pUnbond, unbondKeyLen}} {
		used := false
		st.Iterate(key(p.prefix, hotkey[:]), func(k, _ []byte) bool {
			used = len(k) == p.keyLen // keys of another shape are not records
			return !used
		})
		if used {
			return fmt.Errorf("%w: %s has stake or unbonding entries", ErrHotkeyInUse, hotkey)
		}
	}
	return nil
}

// SwapHotkey moves everything staking keeps on c.Old to c.New and retires
// c.Old: sent by c.Old's owner, once per hotkey_swap_rate_limit blocks per
// coldkey, paying hotkey_swap_burn (recycled). The validator set is not
// recomputed: a validator keeps its consensus key, its power and its place,
// now under the new hotkey.
func (x *Block) SwapHotkey(from types.Address, c *types.SwapHotkey) error {
	p, st := x.Params, x.State
	if p.HotkeySwapBurn == 0 {
		return ErrSwapDisabled
	}
	h, err := x.known(c.Old)
	if err != nil {
		return err
	}
	if h.Owner != from {
		return fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, c.Old, h.Owner)
	}
	if err := checkFresh(st, c.New); err != nil {
		return err
	}
	if last := getU64(st, key(pLastSwap, from[:])); last != 0 && x.Height < last+p.HotkeySwapRateLimit {
		return fmt.Errorf("%w: coldkey %s swapped a hotkey at block %d; next swap from block %d", ErrRateLimited, from, last, last+p.HotkeySwapRateLimit)
	}
	if err := Debit(st, from, p.HotkeySwapBurn, "a hotkey swap"); err != nil {
		return err
	}
	if err := Recycle(st, p.HotkeySwapBurn); err != nil {
		return err
	}
	x.Events.Emit(types.Event{Kind: types.EvFeePaid, Addr: from, Amount: p.HotkeySwapBurn, Ref: types.FeeHotkeySwap})
	if err := moveStake(st, c.Old, c.New); err != nil {
		return err
	}
	// The record, with its total stake, take and jail, as it was.
	st.Set(key(pHotkey, c.Old[:]), nil)
	st.Set(key(pOwned, h.Owner[:], c.Old[:]), nil) // the owner index follows (setHotkeyInfo adds New)
	setHotkeyInfo(st, c.New, h)
	for _, m := range []byte{pPending, pCandidate} {
		if len(st.Get(key(m, c.Old[:]))) != 0 {
			st.Set(key(m, c.Old[:]), nil)
			st.Set(key(m, c.New[:]), marker)
		}
	}
	// Evidence against the keys bound now finds the new hotkey directly;
	// against keys the old hotkey had before, through the retired record.
	for _, ck := range []types.Address{h.ConsensusKey, h.PendingKey} {
		if ck != (types.Address{}) {
			st.Set(key(pConsKey, ck[:]), c.New[:])
		}
	}
	if err := x.renameInSets(c.Old, c.New); err != nil {
		return err
	}
	b, _ := rlp.EncodeToBytes(&RetiredHotkey{SwappedTo: c.New, At: x.Height, Owner: from})
	st.Set(key(pRetired, c.Old[:]), b)
	setU64(st, key(pLastSwap, from[:]), x.Height)
	return nil
}

// moveStake moves every stake position and unbonding entry (with its place
// in the release queue) from old to next, amounts and release heights
// unchanged.
func moveStake(st *state.State, old, next types.Address) error {
	noms, err := nominators(st, old)
	if err != nil {
		return err
	}
	for _, n := range noms {
		st.Set(key(pStake, old[:], n.Coldkey[:]), nil)
		st.Set(key(pColdStake, n.Coldkey[:], old[:]), nil)
		setU64(st, key(pStake, next[:], n.Coldkey[:]), n.Amount)
		if n.Amount != 0 {
			st.Set(key(pColdStake, n.Coldkey[:], next[:]), marker)
		}
	}
	unb, err := unbondingOfHotkey(st, old)
	if err != nil {
		return err
	}
	for _, u := range unb {
		deleteUnbonding(st, u)
		u.Hotkey = next
		addUnbonding(st, u)
	}
	return nil
}

// renameInSets puts next in old's place in the validator sets already decided
// for the current and the next height: downtime is tracked, and jails and
// slashes the hotkey, through them. Only hotkeys change, not the validators
// or powers the headers hash, and sets of past heights keep the hotkey that
// was theirs.
func (x *Block) renameInSets(old, next types.Address) error {
	e := x.Params.ConsensusEpoch
	done := map[uint64]bool{}
	for _, h := range []uint64{x.Height, x.Height + 1} {
		from := setStart(h, e)
		if done[from] {
			continue
		}
		done[from] = true
		s, err := ValidatorSetAt(x.State, x.Params, h)
		if err != nil {
			return err
		}
		changed := false
		for i, hk := range s.Hotkeys {
			if hk == old {
				s.Hotkeys[i], changed = next, true
			}
		}
		if changed {
			writeValidatorSet(x.State, from, s)
		}
	}
	return nil
}
