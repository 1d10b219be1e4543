package chain

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// TestSwapHotkeyRacesUnbonding: a swap in the block where an unbonding
// entry of the old hotkey is due, with a nominator unbonding from the old
// hotkey just before the swap and again just after it, in the same block.
// The due entry is released once, to its coldkey, at its height (it moves
// with the swap and the end of block releases it under the new hotkey);
// the unbonding started before the swap moves with its release height; the
// one after it fails naming the retired hotkey; nothing is left under the
// old hotkey and nothing is paid twice.
func TestSwapHotkeyRacesUnbonding(t *testing.T) {
	w := newWorld(t)
	old, next := hot(0), freshHot(0)
	cold4 := devkeys.Address(4)
	w.ok(w.bind(1, 0))
	w.ok(w.call(1, &types.AddStake{Hotkey: old, Amount: 10 * tao}), w.call(4, &types.AddStake{Hotkey: old, Amount: 10 * tao}))
	w.ok(w.call(4, &types.RemoveStake{Hotkey: old, Amount: 3 * tao}))
	due := staking.UnbondingOf(w.st(), cold4)
	if len(due) != 1 || due[0].Amount != 3*tao {
		t.Fatalf("setup: unbonding %+v", due)
	}
	w.until(due[0].ReleaseAt - 1)
	subnetConservation(t, w)

	bal := w.st().Account(cold4).Balance
	before := w.call(4, &types.RemoveStake{Hotkey: old, Amount: 2 * tao})
	swap := w.call(1, &types.SwapHotkey{Old: old, New: next})
	after := w.call(4, &types.RemoveStake{Hotkey: old, Amount: tao})
	rs := w.do(before, swap, after)
	if w.height() != due[0].ReleaseAt {
		t.Fatalf("test timeline: the swap landed at %d, the entry is due at %d", w.height(), due[0].ReleaseAt)
	}
	if rs[0].Status != types.ReceiptSuccess || rs[1].Status != types.ReceiptSuccess {
		t.Fatalf("unbond before the swap %+v, swap %+v", rs[0], rs[1])
	}
	if rs[2].Status != types.ReceiptFailed || !strings.Contains(rs[2].Error, staking.ErrHotkeyRetired.Error()) || !strings.Contains(rs[2].Error, old.String()) {
		t.Fatalf("unbond from the old hotkey after the swap: %+v, want a failure naming it retired", rs[2])
	}
	st := w.st()
	if got, want := st.Account(cold4).Balance, bal-before.Fee()-after.Fee()+due[0].Amount; got != want {
		t.Errorf("nominator's balance %d after the block, want %d (the due entry released once)", got, want)
	}
	left := staking.UnbondingOf(st, cold4)
	if len(left) != 1 || left[0].Hotkey != next || left[0].Amount != 2*tao || left[0].ReleaseAt != due[0].ReleaseAt+w.c.Params().Staking.UnbondingPeriod {
		t.Fatalf("unbonding after the swap's block %+v, want only the 2 TAO started before the swap, under the new hotkey", left)
	}
	if n := len(staking.UnbondingOfHotkey(st, old)); n != 0 {
		t.Errorf("%d unbonding entries left under the retired hotkey", n)
	}
	if got := staking.Stake(st, cold4, next); got != 5*tao {
		t.Errorf("nominator's stake on the new hotkey %d, want 5 TAO", got)
	}
	subnetConservation(t, w)

	// The moved entry releases at its own height, to its coldkey; the
	// nominator unbonds the rest from the new hotkey.
	bal = w.st().Account(cold4).Balance
	w.until(left[0].ReleaseAt)
	if got := w.st().Account(cold4).Balance - bal; got != left[0].Amount {
		t.Errorf("moved entry released %d, want %d", got, left[0].Amount)
	}
	if n := len(staking.UnbondingOf(w.st(), cold4)); n != 0 {
		t.Errorf("%d unbonding entries left after their release", n)
	}
	w.ok(w.call(4, &types.RemoveStake{Hotkey: next, Amount: 5 * tao}))
	subnetConservation(t, w)
}

// TestRetiredHotkeyCannotPowRegister: whoever holds a leaked hotkey after
// its swap cannot bring it back by proof of work, the one registration the
// hotkey signs itself, for a coldkey of its choosing: with a fee the call
// fails naming the retired hotkey, fee-free it is refused as invalid (a
// fee-free call must succeed), and the hotkey gets no owner and no UID.
func TestRetiredHotkeyCannotPowRegister(t *testing.T) {
	w := newWorld(t)
	old, next, thief := devkeys.Address(40), freshHot(0), devkeys.Address(5)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "pow"}))
	w.ok(w.signed(devkeys.Key(40), 0, w.mine(1, devkeys.Key(40), devkeys.Address(2))))
	w.ok(w.call(0, &types.Transfer{To: old, Amount: tao}))
	w.swapOK(2, old, next)

	reg := w.mine(1, devkeys.Key(40), thief)
	if _, err := w.c.CheckTx(w.st(), w.signed(devkeys.Key(40), 0, reg)); !errors.Is(err, ErrFeeTooLow) {
		t.Fatalf("fee-free proof-of-work registration of a retired hotkey: %v, want %v", err, ErrFeeTooLow)
	}
	clear(w.next)
	r := w.do(w.signed(devkeys.Key(40), 10*w.fee(reg), reg))[0]
	if r.Status != types.ReceiptFailed || !strings.Contains(r.Error, staking.ErrHotkeyRetired.Error()) || !strings.Contains(r.Error, old.String()) {
		t.Fatalf("proof-of-work registration of a retired hotkey: %+v", r)
	}
	if h, ok := staking.HotkeyOf(w.st(), old); ok {
		t.Errorf("the retired hotkey has a record again: %+v", h)
	}
	if _, ok := subnet.UIDOf(w.st(), 1, old); ok {
		t.Error("the retired hotkey is registered again")
	}
	if uid, ok := subnet.UIDOf(w.st(), 1, next); !ok || uid != 0 {
		t.Errorf("new hotkey at uid %d (%v), want 0", uid, ok)
	}
}

// TestHotkeySwapInColdkeySwapDueBlock: a coldkey swaps one of its hotkeys
// in the very block its scheduled coldkey swap is due. The hotkey swap runs
// first (a tx), the coldkey swap after it (end of block), so the new
// hotkey, with its UID, its stake and its nominator, ends up owned by the
// new coldkey; the retired hotkey keeps its record (its owner then) and
// comes back to no one.
func TestHotkeySwapInColdkeySwapDueBlock(t *testing.T) {
	w := newWorld(t)
	old, nw := devkeys.Address(1), devkeys.Address(8)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "mine"}), w.bind(1, 0))
	w.ok(w.call(1, &types.BurnedRegister{Netuid: 1, Hotkey: hot(0)}),
		w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 50 * tao}), w.call(4, &types.AddStake{Hotkey: hot(0), Amount: 10 * tao}))
	uid, _ := subnet.UIDOf(w.st(), 1, hot(0))
	w.ok(w.call(1, &types.ScheduleColdkeySwap{NewColdkey: nw}))
	due := w.height() + w.c.Params().Staking.ColdkeySwapDelay
	w.until(due - 1)

	w.ok(w.call(1, &types.SwapHotkey{Old: hot(0), New: freshHot(0)}))
	if w.height() != due {
		t.Fatalf("test timeline: the hotkey swap landed at %d, the coldkey swap is due at %d", w.height(), due)
	}
	st := w.st()
	if s, ok := staking.ColdkeySwapOf(st, old); ok {
		t.Fatalf("coldkey swap not done in its due block: %+v", s)
	}
	if h, ok := staking.HotkeyOf(st, freshHot(0)); !ok || h.Owner != nw {
		t.Errorf("new hotkey %+v (%v), want owned by the new coldkey", h, ok)
	}
	if got := staking.OwnedHotkeys(st, nw, 10); len(got) != 1 || got[0] != freshHot(0) {
		t.Errorf("new coldkey owns %v, want only the new hotkey", got)
	}
	if got := staking.OwnedHotkeys(st, old, 10); len(got) != 0 {
		t.Errorf("old coldkey still owns %v", got)
	}
	// Epochs paid the positions meanwhile: at least what was staked, and
	// the two positions are the hotkey's whole stake.
	h, _ := staking.HotkeyOf(st, freshHot(0))
	own, nom := staking.Stake(st, nw, freshHot(0)), staking.Stake(st, devkeys.Address(4), freshHot(0))
	if own < 50*tao || nom < 10*tao || own+nom != h.TotalStake || len(staking.StakesOf(st, old)) != 0 {
		t.Errorf("positions: new coldkey %d, nominator %d, total %d, old coldkey %v", own, nom, h.TotalStake, staking.StakesOf(st, old))
	}
	if got, ok := subnet.UIDOf(st, 1, freshHot(0)); !ok || got != uid {
		t.Errorf("new hotkey at uid %d (%v), want %d", got, ok, uid)
	}
	if r, ok := staking.Retired(st, hot(0)); !ok || r.SwappedTo != freshHot(0) || r.Owner != old {
		t.Errorf("retired record %+v (%v)", r, ok)
	}
	if _, ok := staking.HotkeyOf(st, hot(0)); ok {
		t.Error("the retired hotkey has a record again")
	}
	subnetConservation(t, w)
	// The new coldkey acts as the owner; the old one is not.
	w.ok(w.call(8, &types.Transfer{To: old, Amount: tao}))
	w.fails(w.call(1, &types.SetTake{Hotkey: freshHot(0), Take: 1}), staking.ErrNotOwner)
	w.ok(w.call(8, &types.SetTake{Hotkey: freshHot(0), Take: 1}))
}

// TestSwapHotkeyWithPendingRotation: a validator rebinds its hotkey to a
// new consensus key (pending until the epoch's end) and swaps the hotkey
// before the rotation takes effect. The pending key moves with the swap:
// at the epoch's end it becomes the new hotkey's key, and the set decided
// there names the new hotkey with the new key and the same power.
func TestSwapHotkeyWithPendingRotation(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	old, next := hot(1), freshHot(1)
	b, err := types.SignBind(w.c.ChainID(), devkeys.Address(2), devkeys.Key(11), devkeys.Key(25))
	if err != nil {
		t.Fatal(err)
	}
	w.ok(w.call(2, b))
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	if h, _ := staking.HotkeyOf(w.st(), old); h.PendingKey != devkeys.Address(25) || h.ConsensusKey != devkeys.Address(21) || w.height()+1 >= H {
		t.Fatalf("setup: %+v at %d, epoch ends at %d", h, w.height(), H)
	}
	w.swapOK(2, old, next)
	if h, _ := staking.HotkeyOf(w.st(), next); h.PendingKey != devkeys.Address(25) || h.ConsensusKey != devkeys.Address(21) {
		t.Fatalf("new hotkey before the epoch's end %+v", h)
	}
	if consKeyOwner(w, devkeys.Address(25)) != next || consKeyOwner(w, devkeys.Address(21)) != next {
		t.Fatal("back references of the current and the pending key do not name the new hotkey")
	}
	w.until(H + 2)
	h, _ := staking.HotkeyOf(w.st(), next)
	if h.ConsensusKey != devkeys.Address(25) || h.PendingKey != (types.Address{}) {
		t.Fatalf("after the epoch's end: %+v, want consensus key 25 and nothing pending", h)
	}
	s, _ := w.c.ValidatorSet(H + 2)
	i := slices.Index(s.Hotkeys, next)
	if i < 0 || s.Validators[i].Address != devkeys.Address(25) || s.Validators[i].Power != h.TotalStake/staking.PowerUnit || slices.Contains(s.Hotkeys, old) {
		t.Fatalf("set from %d: %+v", H+2, s)
	}
	if _, ok := staking.HotkeyOf(w.st(), old); ok {
		t.Error("the rotation recreated the retired hotkey's record")
	}
	subnetConservation(t, w)
}
