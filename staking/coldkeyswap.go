package staking

// Scheduled coldkey swaps (issue 16): a coldkey announces the key its
// balance, stake positions, unbonding entries, hotkeys and subnets move to;
// the move runs in the end-of-block hook coldkey_swap_delay blocks later.
// The rules, and why (docs/notes/coldkeyswap.md):
//
//   - Schedule (signed by the old coldkey, burns coldkey_swap_cost): with
//     no swap pending, the swap is scheduled. With one scheduled to another
//     destination, or cancelled less than coldkey_swap_delay ago, the swap
//     is disputed: two holders of the key disagree.
//   - Cancel: only a scheduled swap; it leaves a tombstone for
//     coldkey_swap_delay blocks, so that a thief cannot cancel the owner's
//     swap again and again (the owner's next schedule disputes it).
//   - Disputed: the old coldkey is frozen (package chain refuses every tx
//     it signs) and nothing moves, until a governance proposal
//     (ProposalColdkeySwap) sends the swap to one of the announced
//     destinations or cancels it, or until 2 × coldkey_swap_delay blocks
//     pass with no such proposal in its vote (a proposal extends the
//     dispute to its vote's end): then the dispute lapses, the record is
//     gone and the freeze lifts.
//   - Executing: the move has started (or governance ordered it); the old
//     coldkey stays frozen until every record has moved. The hook moves at
//     most coldkey_swap_moves_per_block records per block and carries the
//     rest to the next block.
//
// Merging: the new coldkey may already hold things. Balances add, stake
// positions on the same hotkey add, unbonding entries of the same hotkey
// and release height add; hotkeys and subnets have one owner each, so
// they cannot collide.

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/statekey"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Coldkey swap statuses.
const (
	SwapScheduled uint8 = 1 // executes at Due
	SwapDisputed  uint8 = 2 // frozen; lapses at Due unless governance resolves it
	SwapCancelled uint8 = 3 // tombstone until Due: a new schedule before then is a dispute
	SwapExecuting uint8 = 4 // frozen; moving, from the block at Due on
)

// SwapStatusName names a swap status.
func SwapStatusName(s uint8) string {
	switch s {
	case SwapScheduled:
		return "scheduled"
	case SwapDisputed:
		return "disputed"
	case SwapCancelled:
		return "cancelled"
	case SwapExecuting:
		return "executing"
	}
	return fmt.Sprintf("status(%d)", s)
}

// ColdkeySwap is a coldkey's swap record.
type ColdkeySwap struct {
	Old         types.Address
	Status      uint8
	New         types.Address // the destination (disputed: the first announced)
	Other       types.Address // disputed: the second destination (zero: both named New)
	ScheduledAt uint64        // height of the first schedule
	Due         uint64        // see the statuses
}

// Frozen reports whether the old coldkey may sign nothing.
func (s ColdkeySwap) Frozen() bool { return s.Status == SwapDisputed || s.Status == SwapExecuting }

// Failed-call errors of coldkey swaps.
var (
	ErrColdkeyFrozen        = errors.New("staking: coldkey is frozen by a disputed or executing coldkey swap")
	ErrSwapToSelf           = errors.New("staking: a coldkey cannot swap to itself")
	ErrSwapAlreadyScheduled = errors.New("staking: this coldkey swap is already scheduled")
	ErrNoColdkeySwap        = errors.New("staking: no scheduled coldkey swap")
	ErrSwapDestinationBusy  = errors.New("staking: the new coldkey has a coldkey swap of its own pending")
	ErrNotDisputed          = errors.New("staking: the coldkey swap is not in dispute")
	ErrNotADestination      = errors.New("staking: not one of the disputed swap's announced destinations")
)

const (
	swapQueueKeyLen = 1 + 8 + 20  // Q<due><old>
	ownerKeyLen     = 1 + 20 + 20 // o<coldkey><hotkey>
)

// ColdkeySwapOf returns old's swap record (a cancelled one while its
// tombstone stands).
func ColdkeySwapOf(st *state.State, old types.Address) (ColdkeySwap, bool) {
	return statekey.Record[ColdkeySwap](st, key(pColdSwap, old[:]), "coldkey swap")
}

func setColdkeySwap(st *state.State, s ColdkeySwap) {
	b, _ := rlp.EncodeToBytes(&s)
	st.Set(key(pColdSwap, s.Old[:]), b)
	st.Set(key(pSwapQueue, u64b(s.Due), s.Old[:]), marker)
}

// dropColdkeySwap deletes a record and its queue entry.
func dropColdkeySwap(st *state.State, s ColdkeySwap) {
	st.Set(key(pColdSwap, s.Old[:]), nil)
	st.Set(key(pSwapQueue, u64b(s.Due), s.Old[:]), nil)
}

// ColdkeyFrozen reports, as ErrColdkeyFrozen, that coldkey may sign no
// transaction: its swap is disputed or executing. Package chain checks it
// for every transaction (a frozen sender's tx is invalid).
func ColdkeyFrozen(st *state.State, coldkey types.Address) error {
	s, ok := ColdkeySwapOf(st, coldkey)
	if !ok || !s.Frozen() {
		return nil
	}
	if s.Status == SwapDisputed {
		return fmt.Errorf("%w: %s is disputed until block %d (governance may resolve it first)", ErrColdkeyFrozen, coldkey, s.Due)
	}
	return fmt.Errorf("%w: %s is moving to %s", ErrColdkeyFrozen, coldkey, s.New)
}

// PendingColdkeySwaps lists up to limit swap records in queue order (by
// the height they are due), the soonest first.
func PendingColdkeySwaps(st *state.State, limit int) []ColdkeySwap {
	var out []ColdkeySwap
	st.Iterate([]byte{pSwapQueue}, func(k, _ []byte) bool {
		if len(out) >= limit {
			return false
		}
		if len(k) != swapQueueKeyLen {
			return true
		}
		if s, ok := ColdkeySwapOf(st, types.Address(k[9:29])); ok && s.Due == binary.BigEndian.Uint64(k[1:9]) {
			out = append(out, s)
		}
		return true
	})
	return out
}

// ScheduleColdkeySwap schedules (or disputes) the sender's swap to
// c.NewColdkey and burns coldkey_swap_cost.
func (x *Block) ScheduleColdkeySwap(from types.Address, c *types.ScheduleColdkeySwap) error {
	p, st := x.Params, x.State
	to := c.NewColdkey
	if to == from {
		return ErrSwapToSelf
	}
	if d, ok := ColdkeySwapOf(st, to); ok && d.Status != SwapCancelled {
		return fmt.Errorf("%w: %s is %s", ErrSwapDestinationBusy, to, SwapStatusName(d.Status))
	}
	cur, had := ColdkeySwapOf(st, from)
	ok := had
	if ok && cur.Status == SwapCancelled && x.Height >= cur.Due {
		ok = false // the tombstone has lapsed (the hook would delete it at Due)
	}
	var next ColdkeySwap
	switch {
	case !ok:
		next = ColdkeySwap{Old: from, Status: SwapScheduled, New: to, ScheduledAt: x.Height, Due: x.Height + p.ColdkeySwapDelay}
	case cur.Frozen():
		return ColdkeyFrozen(st, from)
	case cur.Status == SwapScheduled && cur.New == to:
		return fmt.Errorf("%w: to %s at block %d", ErrSwapAlreadyScheduled, to, cur.Due)
	default: // scheduled elsewhere, or cancelled within the delay: two holders disagree
		next = ColdkeySwap{Old: from, Status: SwapDisputed, New: cur.New, ScheduledAt: cur.ScheduledAt, Due: x.Height + 2*p.ColdkeySwapDelay}
		if to != cur.New {
			next.Other = to
		}
	}
	if err := Debit(st, from, p.ColdkeySwapCost, "a coldkey swap"); err != nil {
		return err
	}
	if err := Recycle(st, p.ColdkeySwapCost); err != nil {
		return err
	}
	x.Events.Emit(types.Event{Kind: types.EvFeePaid, Addr: from, Amount: p.ColdkeySwapCost, Ref: types.FeeColdkeySwap})
	if had {
		dropColdkeySwap(st, cur)
	}
	setColdkeySwap(st, next)
	kind := types.EvColdkeySwapScheduled
	if next.Status == SwapDisputed {
		kind = types.EvColdkeySwapDisputed
	}
	x.Events.Emit(types.Event{Kind: kind, Addr: from, Peer: to, Amount: p.ColdkeySwapCost, Ref: next.Due})
	return nil
}

// CancelColdkeySwap cancels the sender's scheduled swap. A disputed swap
// cannot be cancelled by the key (either holder would): only governance or
// the lapse of the dispute ends it.
func (x *Block) CancelColdkeySwap(from types.Address) error {
	cur, ok := ColdkeySwapOf(x.State, from)
	switch {
	case !ok || cur.Status == SwapCancelled:
		return fmt.Errorf("%w: %s", ErrNoColdkeySwap, from)
	case cur.Frozen():
		return ColdkeyFrozen(x.State, from)
	}
	dropColdkeySwap(x.State, cur)
	cur.Status, cur.Due = SwapCancelled, x.Height+x.Params.ColdkeySwapDelay
	setColdkeySwap(x.State, cur)
	return nil
}

// CheckSwapResolution reports why a governance proposal could not resolve
// old's swap to `to` (zero: cancel it): the swap must be disputed and `to`
// one of its announced destinations.
func CheckSwapResolution(st *state.State, old, to types.Address) error {
	s, ok := ColdkeySwapOf(st, old)
	switch {
	case !ok || s.Status != SwapDisputed:
		return fmt.Errorf("%w: %s", ErrNotDisputed, old)
	case to != (types.Address{}) && to != s.New && to != s.Other:
		return fmt.Errorf("%w: %s (announced: %s, %s)", ErrNotADestination, to, s.New, s.Other)
	}
	return nil
}

// ExtendSwapDispute keeps old's disputed swap from lapsing before height
// until, the end of a resolving proposal's vote: a dispute lapses at
// 2 × coldkey_swap_delay only if no decision is pending then.
func ExtendSwapDispute(st *state.State, old types.Address, until uint64) error {
	s, ok := ColdkeySwapOf(st, old)
	if !ok || s.Status != SwapDisputed {
		return fmt.Errorf("%w: %s", ErrNotDisputed, old)
	}
	if until > s.Due {
		dropColdkeySwap(st, s)
		s.Due = until
		setColdkeySwap(st, s)
	}
	return nil
}

// ResolveColdkeySwap carries out a passed resolution in the block at
// height: the swap starts executing to `to` in this block's hook, or (to
// zero) is deleted and the freeze lifts. A swap no longer in dispute (it
// lapsed during the vote) is refused.
func ResolveColdkeySwap(st *state.State, height uint64, old, to types.Address) error {
	if err := CheckSwapResolution(st, old, to); err != nil {
		return err
	}
	s, _ := ColdkeySwapOf(st, old)
	dropColdkeySwap(st, s)
	if to == (types.Address{}) {
		return nil
	}
	setColdkeySwap(st, ColdkeySwap{Old: old, Status: SwapExecuting, New: to, ScheduledAt: s.ScheduledAt, Due: height})
	return nil
}

// SubnetOwners moves the ownership of subnets (package subnet's state,
// reached through package chain): it returns how many moved.
type SubnetOwners interface {
	MoveSubnetOwnership(from, to types.Address) int
}

// ExecuteColdkeySwaps is the end-of-block hook: the queue entries due by
// this height, oldest first, within coldkey_swap_moves_per_block records
// (an entry, a hotkey, a subnet, a stake position, an unbonding entry or a
// balance each count one); an unfinished swap stays queued and goes first
// in the next block.
func (x *Block) ExecuteColdkeySwaps(subnets SubnetOwners) error {
	budget := x.Params.ColdkeySwapMovesPerBlock
	type due struct {
		at  uint64
		old types.Address
	}
	var queue []due
	x.State.Iterate([]byte{pSwapQueue}, func(k, _ []byte) bool {
		if len(k) != swapQueueKeyLen {
			return true
		}
		at := binary.BigEndian.Uint64(k[1:9])
		if at > x.Height || uint64(len(queue)) >= budget {
			return false
		}
		queue = append(queue, due{at, types.Address(k[9:29])})
		return true
	})
	for _, q := range queue {
		if budget == 0 {
			break
		}
		s, ok := ColdkeySwapOf(x.State, q.old)
		if !ok || s.Due != q.at {
			x.State.Set(key(pSwapQueue, u64b(q.at), q.old[:]), nil) // stale entry
			budget--
			continue
		}
		switch s.Status {
		case SwapDisputed, SwapCancelled:
			// The dispute lapsed (nothing moves, the freeze lifts), or the
			// tombstone ends.
			dropColdkeySwap(x.State, s)
			budget--
		case SwapScheduled, SwapExecuting:
			if s.Status == SwapScheduled {
				s.Status = SwapExecuting
				setColdkeySwap(x.State, s)
			}
			done, used, err := x.moveColdkey(s.Old, s.New, budget, subnets)
			if err != nil {
				return err
			}
			budget -= min(used, budget)
			if done {
				dropColdkeySwap(x.State, s)
				x.Events.Emit(types.Event{Kind: types.EvColdkeySwapExecuted, Addr: s.Old, Peer: s.New})
			}
		default:
			return fmt.Errorf("%w: coldkey swap %s has status %d", ErrMalformedRecord, s.Old, s.Status)
		}
	}
	return nil
}

// moveColdkey moves up to budget of old's records to new, in an order that
// keeps rewards paid meanwhile on the right key: hotkeys first (an owner's
// rewards then go to new), then subnets (the owner cut), stake positions,
// unbonding entries and last the balance (nothing credits old's balance
// once its positions and unbonding are gone). done reports that nothing is
// left; used counts the records moved, and one for the entry itself.
func (x *Block) moveColdkey(old, to types.Address, budget uint64, subnets SubnetOwners) (done bool, used uint64, err error) {
	st := x.State
	used = 1
	room := func() int { return int(budget - min(used, budget)) }
	// collect lists up to n keys under prefix of length n.
	collect := func(prefix []byte, klen, n int) [][]byte {
		var out [][]byte
		st.Iterate(prefix, func(k, _ []byte) bool {
			if len(out) >= n {
				return false
			}
			if len(k) == klen {
				out = append(out, append([]byte(nil), k...))
			}
			return true
		})
		return out
	}
	for _, k := range collect(key(pOwned, old[:]), ownerKeyLen, room()+1) {
		if room() == 0 {
			return false, used, nil
		}
		hk := types.Address(k[21:41])
		if h, ok := hotkeyInfo(st, hk); ok && h.Owner == old {
			h.Owner = to
			setHotkeyInfo(st, hk, h) // moves the index entry
		} else {
			st.Set(k, nil) // stale: the hotkey moved or went away
		}
		used++
	}
	if room() == 0 {
		return false, used, nil
	}
	used += uint64(subnets.MoveSubnetOwnership(old, to))
	for _, k := range collect(key(pColdStake, old[:]), stakeKeyLen, room()+1) {
		if room() == 0 {
			return false, used, nil
		}
		hk := types.Address(k[21:41])
		amt := Stake(st, old, hk)
		setStake(st, old, hk, 0)
		setStake(st, to, hk, Stake(st, to, hk)+amt)
		used++
	}
	for _, k := range collect(key(pColdUnb, old[:]), unbondKeyLen, room()+1) {
		if room() == 0 {
			return false, used, nil
		}
		hk, rel := types.Address(k[21:41]), binary.BigEndian.Uint64(k[41:49])
		amt := st.Get(key(pUnbond, hk[:], k[41:49], old[:]))
		if len(amt) != 8 {
			return false, used, fmt.Errorf("%w: unbonding index %x has no amount", ErrMalformedRecord, k)
		}
		deleteUnbonding(st, Unbonding{Coldkey: old, Hotkey: hk, ReleaseAt: rel})
		addUnbonding(st, Unbonding{Coldkey: to, Hotkey: hk, ReleaseAt: rel, Amount: binary.BigEndian.Uint64(amt)})
		used++
	}
	if room() == 0 {
		return false, used, nil
	}
	src := st.Account(old)
	if src.Balance > 0 {
		dst := st.Account(to)
		dst.Balance += src.Balance // the supply cap bounds the sum
		src.Balance = 0
		st.SetAccount(old, src)
		st.SetAccount(to, dst)
	}
	return true, used + 1, nil
}

// indexOwner keeps the o<coldkey><hotkey> index in step with a hotkey
// record about to be written: the swap finds a coldkey's hotkeys through
// it without walking every hotkey.
func indexOwner(st *state.State, hk types.Address, next HotkeyInfo) {
	prev, ok := hotkeyInfo(st, hk)
	if ok && prev.Owner == next.Owner {
		return
	}
	if ok && prev.Owner != (types.Address{}) {
		st.Set(key(pOwned, prev.Owner[:], hk[:]), nil)
	}
	if next.Owner != (types.Address{}) {
		st.Set(key(pOwned, next.Owner[:], hk[:]), marker)
	}
}

// OwnedHotkeys lists up to limit hotkeys coldkey owns, by address.
func OwnedHotkeys(st *state.State, coldkey types.Address, limit int) []types.Address {
	var out []types.Address
	st.Iterate(key(pOwned, coldkey[:]), func(k, _ []byte) bool {
		if len(out) >= limit {
			return false
		}
		if len(k) == ownerKeyLen {
			out = append(out, types.Address(k[21:41]))
		}
		return true
	})
	return out
}
