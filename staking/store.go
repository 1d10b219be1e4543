package staking

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/taonet/taod/internal/statekey"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// HotkeyInfo is what the chain knows about a hotkey.
type HotkeyInfo struct {
	Owner        types.Address // the coldkey that controls it
	Take         uint32        // ppm kept from rewards before nominators share
	TakeSetAt    uint64        // height of the last SetTake
	ConsensusKey types.Address // current consensus key (zero: none)
	PendingKey   types.Address // takes effect at the next consensus epoch
	Jailed       bool
	JailedUntil  uint64 // Unjail is allowed from this height
	TotalStake   uint64 // own + nominated, excluding unbonding
}

func hotkeyInfo(st *state.State, hk types.Address) (HotkeyInfo, bool) {
	return statekey.Record[HotkeyInfo](st, key(pHotkey, hk[:]), "hotkey")
}

func setHotkeyInfo(st *state.State, hk types.Address, h HotkeyInfo) {
	indexOwner(st, hk, h)
	b, _ := rlp.EncodeToBytes(&h)
	st.Set(key(pHotkey, hk[:]), b)
}

func getU64(st *state.State, k []byte) uint64 { return statekey.GetU64(st, k) }

func setU64(st *state.State, k []byte, v uint64) { statekey.SetU64(st, k, v) }

// Stake returns coldkey's stake on hotkey.
func Stake(st *state.State, coldkey, hotkey types.Address) uint64 {
	return getU64(st, key(pStake, hotkey[:], coldkey[:]))
}

// setStake writes a stake position and keeps the coldkey index and the
// hotkey's total in step.
func setStake(st *state.State, coldkey, hotkey types.Address, amount uint64) {
	old := Stake(st, coldkey, hotkey)
	setU64(st, key(pStake, hotkey[:], coldkey[:]), amount)
	if amount == 0 {
		st.Set(key(pColdStake, coldkey[:], hotkey[:]), nil)
	} else if old == 0 {
		st.Set(key(pColdStake, coldkey[:], hotkey[:]), marker)
	}
	h, _ := hotkeyInfo(st, hotkey)
	h.TotalStake = h.TotalStake - old + amount
	setHotkeyInfo(st, hotkey, h)
}

// StakePosition is one coldkey's stake on one hotkey.
type StakePosition struct {
	Coldkey types.Address
	Hotkey  types.Address
	Amount  uint64
}

// Keys of another length under a record prefix are not records this
// package wrote (today they are trie nodes leaking into the flat keyspace,
// issue 11): the decoders leave them out, in execution as in queries, so a
// node's result does not depend on which such keys its store holds. A key
// of the right shape with a value of the wrong one is ErrMalformedRecord.

// decodeStakeEntry decodes a k<hotkey><coldkey> → u64 entry; ok is false
// for a key that is not a stake position.
func decodeStakeEntry(k, v []byte) (p StakePosition, ok bool, err error) {
	if len(k) != stakeKeyLen || k[0] != pStake {
		return p, false, nil
	}
	if len(v) != 8 {
		return p, false, fmt.Errorf("%w: stake position %x = %x", ErrMalformedRecord, k, v)
	}
	return StakePosition{Hotkey: types.Address(k[1:21]), Coldkey: types.Address(k[21:41]), Amount: binary.BigEndian.Uint64(v)}, true, nil
}

// scan decodes the records under prefix in key order; decode's ok is
// false for a key that is not a record. A record that does not decode stops
// a strict scan with its error (execution never skips state it cannot
// read); a lenient one (queries) leaves it out.
func scan[T any](st *state.State, prefix []byte, decode func(k, v []byte) (T, bool, error), strict bool) ([]T, error) {
	var (
		out []T
		err error
	)
	st.Iterate(prefix, func(k, v []byte) bool {
		r, ok, derr := decode(k, v)
		if derr != nil {
			if strict {
				err = derr
				return false
			}
			return true
		}
		if ok {
			out = append(out, r)
		}
		return true
	})
	return out, err
}

// nominators lists the stake positions on hotkey, by coldkey, or refuses a
// malformed record.
func nominators(st *state.State, hotkey types.Address) ([]StakePosition, error) {
	return scan(st, key(pStake, hotkey[:]), decodeStakeEntry, true)
}

// Nominators lists the stake positions on hotkey (its owner included), by
// coldkey. Malformed records are left out (queries); execution uses
// nominators, which refuses them.
func Nominators(st *state.State, hotkey types.Address) []StakePosition {
	out, _ := scan(st, key(pStake, hotkey[:]), decodeStakeEntry, false)
	return out
}

// StakesOf lists a coldkey's stake positions, by hotkey.
func StakesOf(st *state.State, coldkey types.Address) []StakePosition {
	var out []StakePosition
	st.Iterate(key(pColdStake, coldkey[:]), func(k, _ []byte) bool {
		if len(k) != stakeKeyLen {
			return true // not an index entry
		}
		hk := types.Address(k[21:41])
		out = append(out, StakePosition{Coldkey: coldkey, Hotkey: hk, Amount: Stake(st, coldkey, hk)})
		return true
	})
	return out
}

// Unbonding is stake on its way back to balance.
type Unbonding struct {
	Coldkey   types.Address
	Hotkey    types.Address
	Amount    uint64
	ReleaseAt uint64
}

func addUnbonding(st *state.State, u Unbonding) {
	rel := u64b(u.ReleaseAt)
	k := key(pUnbond, u.Hotkey[:], rel, u.Coldkey[:])
	setU64(st, k, getU64(st, k)+u.Amount)
	st.Set(key(pRelease, rel, u.Hotkey[:], u.Coldkey[:]), marker)
	st.Set(key(pColdUnb, u.Coldkey[:], u.Hotkey[:], rel), marker)
}

func deleteUnbonding(st *state.State, u Unbonding) {
	rel := u64b(u.ReleaseAt)
	st.Set(key(pUnbond, u.Hotkey[:], rel, u.Coldkey[:]), nil)
	st.Set(key(pRelease, rel, u.Hotkey[:], u.Coldkey[:]), nil)
	st.Set(key(pColdUnb, u.Coldkey[:], u.Hotkey[:], rel), nil)
}

// UnbondingOfHotkey lists the unbonding entries of a hotkey, by release height.
func UnbondingOfHotkey(st *state.State, hotkey types.Address) []Unbonding {
	out, _ := scan(st, key(pUnbond, hotkey[:]), decodeUnbondEntry, false)
	return out
}

// decodeUnbondEntry decodes a u<hotkey><release><coldkey> → u64 entry; ok
// is false for a key that is not an unbonding entry.
func decodeUnbondEntry(k, v []byte) (u Unbonding, ok bool, err error) {
	if len(k) != unbondKeyLen || k[0] != pUnbond {
		return u, false, nil
	}
	if len(v) != 8 {
		return u, false, fmt.Errorf("%w: unbonding entry %x = %x", ErrMalformedRecord, k, v)
	}
	return Unbonding{Hotkey: types.Address(k[1:21]), ReleaseAt: binary.BigEndian.Uint64(k[21:29]), Coldkey: types.Address(k[29:49]), Amount: binary.BigEndian.Uint64(v)}, true, nil
}

// unbondingOfHotkey is UnbondingOfHotkey refusing a malformed record.
func unbondingOfHotkey(st *state.State, hotkey types.Address) ([]Unbonding, error) {
	return scan(st, key(pUnbond, hotkey[:]), decodeUnbondEntry, true)
}

// UnbondingOf lists a coldkey's unbonding entries.
func UnbondingOf(st *state.State, coldkey types.Address) []Unbonding {
	var out []Unbonding
	st.Iterate(key(pColdUnb, coldkey[:]), func(k, _ []byte) bool {
		if len(k) != unbondKeyLen {
			return true // not an index entry
		}
		hk, rel := types.Address(k[21:41]), binary.BigEndian.Uint64(k[41:49])
		amt := getU64(st, key(pUnbond, hk[:], k[41:49], coldkey[:]))
		out = append(out, Unbonding{Coldkey: coldkey, Hotkey: hk, Amount: amt, ReleaseAt: rel})
		return true
	})
	return out
}

// dueUnbondings lists the entries released at height h, or refuses a queue
// entry whose unbonding record is missing or malformed.
func dueUnbondings(st *state.State, h uint64) ([]Unbonding, error) {
	var (
		out []Unbonding
		bad []byte
	)
	rel := u64b(h)
	st.Iterate(key(pRelease, rel), func(k, _ []byte) bool {
		if len(k) != unbondKeyLen {
			return true // not a queue entry
		}
		hk, ck := types.Address(k[9:29]), types.Address(k[29:49])
		amt := st.Get(key(pUnbond, hk[:], rel, ck[:]))
		if len(amt) != 8 {
			bad = bytes.Clone(k)
			return false
		}
		out = append(out, Unbonding{Coldkey: ck, Hotkey: hk, ReleaseAt: h, Amount: binary.BigEndian.Uint64(amt)})
		return true
	})
	if bad != nil {
		return nil, fmt.Errorf("%w: release queue entry %x has no unbonding amount", ErrMalformedRecord, bad)
	}
	return out, nil
}

// Hotkeys lists every hotkey with an owner, with its record.
func Hotkeys(st *state.State) []struct {
	Hotkey types.Address
	Info   HotkeyInfo
} {
	var out []struct {
		Hotkey types.Address
		Info   HotkeyInfo
	}
	st.Iterate([]byte{pHotkey}, func(k, v []byte) bool {
		if len(k) != addressKeyLen {
			return true
		}
		var h HotkeyInfo
		if rlp.DecodeBytes(v, &h) == nil {
			out = append(out, struct {
				Hotkey types.Address
				Info   HotkeyInfo
			}{types.Address(k[1:]), h})
		}
		return true
	})
	return out
}

// HotkeyOf returns a hotkey's record.
func HotkeyOf(st *state.State, hotkey types.Address) (HotkeyInfo, bool) {
	return hotkeyInfo(st, hotkey)
}

// OwnedHotkey returns hotkey's record if it exists and from owns it, and
// otherwise ErrUnknownHotkey or ErrNotOwner: the check of every call only a
// hotkey's owner may make (its error text is in the receipt).
func OwnedHotkey(st *state.State, hotkey, from types.Address) (HotkeyInfo, error) {
	h, ok := hotkeyInfo(st, hotkey)
	switch {
	case !ok:
		// A swapped-away hotkey has no record left: say where it went.
		if err := CheckNotRetired(st, hotkey); err != nil {
			return h, err
		}
		return h, fmt.Errorf("%w: %s", ErrUnknownHotkey, hotkey)
	case h.Owner != from:
		return h, fmt.Errorf("%w: %s is owned by %s", ErrNotOwner, hotkey, h.Owner)
	}
	return h, nil
}

// ForEachPosition calls f with every stake position, by hotkey then
// coldkey (key order), or stops at a malformed record and returns
// ErrMalformedRecord (governance's tally walks them all).
func ForEachPosition(st *state.State, f func(StakePosition)) error {
	var err error
	st.Iterate([]byte{pStake}, func(k, v []byte) bool {
		pos, ok, derr := decodeStakeEntry(k, v)
		if derr != nil || !ok {
			err = derr
			return derr == nil
		}
		f(pos)
		return true
	})
	return err
}

// CreditStake adds amount rao to coldkey's stake on hotkey (a reward,
// already minted and debited from where it was held).
func CreditStake(st *state.State, coldkey, hotkey types.Address, amount uint64) {
	setStake(st, coldkey, hotkey, Stake(st, coldkey, hotkey)+amount)
}

// DebitStake takes amount rao from coldkey's stake on hotkey, which must
// hold it (a RemoveStake paying its fee out of the amount removed).
func DebitStake(st *state.State, coldkey, hotkey types.Address, amount uint64) {
	setStake(st, coldkey, hotkey, Stake(st, coldkey, hotkey)-amount)
}
