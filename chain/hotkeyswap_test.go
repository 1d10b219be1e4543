package chain

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// freshHot is a hotkey no test world uses before a swap to it.
func freshHot(i int) types.Address { return devkeys.Address(60 + i) }

// swapOK runs a SwapHotkey from coldkey cold and returns what it cost
// (fee + burn), checking the coldkey paid exactly that.
func (w *world) swapOK(cold int, old, next types.Address) uint64 {
	w.t.Helper()
	before := w.st().Account(devkeys.Address(cold)).Balance
	tx := w.call(cold, &types.SwapHotkey{Old: old, New: next})
	w.ok(tx)
	cost := tx.Fee() + w.c.Params().Staking.HotkeySwapBurn
	if got := before - w.st().Account(devkeys.Address(cold)).Balance; got != cost {
		w.t.Fatalf("swap cost the coldkey %d rao, want fee %d + burn", got, tx.Fee())
	}
	return cost
}

// consKeyOwner is the hotkey a consensus key's back reference names.
func consKeyOwner(w *world, ck types.Address) types.Address {
	return types.Address(w.st().Get(key(pConsKey, ck[:])))
}

// TestSwapHotkeyMovesEverything: a validator hotkey with a nominator, an
// unbonding entry, a take, registrations on two subnets (not at UID 0), a
// pending commit and root membership with weights is swapped while it is
// in the BFT set. Everything is under the new hotkey, the same UIDs, the
// commit reveals from the new hotkey, the unbonding releases, the
// validator keeps signing, and the old hotkey is refused everywhere by name.
func TestSwapHotkeyMovesEverything(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 30*tao)
	old, next := hot(0), freshHot(0)
	cold1, cold2 := devkeys.Address(1), devkeys.Address(2)
	w.ok(w.call(2, &types.AddStake{Hotkey: old, Amount: 10 * tao}), w.call(1, &types.SetTake{Hotkey: old, Take: 100_000}))
	w.ok(w.call(3, &types.RegisterNetwork{}), w.call(4, &types.RegisterNetwork{}))
	w.ok(w.call(4, &types.SetHyperparam{Netuid: 2, Name: "commit_reveal", Value: 1}),
		w.call(3, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(70)}),
		w.call(3, &types.BurnedRegister{Netuid: 2, Hotkey: devkeys.Address(70)}),
		w.call(0, &types.Transfer{To: old, Amount: tao}), w.call(0, &types.Transfer{To: next, Amount: tao}))
	w.ok(w.call(1, &types.BurnedRegister{Netuid: 1, Hotkey: old}), w.call(1, &types.BurnedRegister{Netuid: 2, Hotkey: old}),
		w.call(1, &types.RootRegister{Hotkey: old}))
	w.ok(w.call(10, &types.SetRootWeights{Netuids: []uint16{1, 2}, Weights: []uint16{1, 3}}))
	s2, _ := subnet.Get(w.st(), 2)
	w.until(nextEpoch(w, s2)) // permits on subnet 2, so the hotkey may commit
	w.ok(w.call(2, &types.RemoveStake{Hotkey: old, Amount: 4 * tao}))
	uids, ws, salt := []uint16{0}, []uint16{7}, []byte("swap")
	w.ok(w.call(10, &types.CommitWeights{Netuid: 2, Hash: types.WeightsCommitHash(old, 2, uids, ws, salt, 0)}))

	st := w.st()
	info, _ := staking.HotkeyOf(st, old)
	noms := staking.Nominators(st, old)
	unb := staking.UnbondingOfHotkey(st, old)
	rootW := staking.Stake(st, cold1, old)
	rw := subnet.RootWeightsOf(st, old)
	uid1, _ := subnet.UIDOf(st, 1, old)
	uid2, _ := subnet.UIDOf(st, 2, old)
	n1, _ := subnet.NeuronAt(st, 1, uid1)
	if uid1 != 1 || uid2 != 1 || len(noms) != 2 || len(unb) != 1 || info.ConsensusKey != devkeys.Address(20) || info.Take != 100_000 {
		t.Fatalf("setup: uids %d %d, %d nominators, %d unbonding, info %+v", uid1, uid2, len(noms), len(unb), info)
	}

	w.fails(w.call(2, &types.SwapHotkey{Old: old, New: next}), staking.ErrNotOwner)
	iss := w.st().Issuance()
	cost := w.swapOK(1, old, next)
	at := w.height()
	st = w.st()
	if got, want := st.Issuance(), iss+emission.BlockReward(iss)-cost; got != want {
		t.Errorf("issuance %d, want %d (reward minted, fee and burn recycled)", got, want)
	}
	if _, ok := staking.HotkeyOf(st, old); ok {
		t.Error("the old hotkey still has a record")
	}
	if got, _ := staking.HotkeyOf(st, next); !reflect.DeepEqual(got, info) {
		t.Errorf("new hotkey record %+v, want the old one %+v", got, info)
	}
	if r, ok := staking.Retired(st, old); !ok || r != (staking.RetiredHotkey{SwappedTo: next, At: at, Owner: cold1}) {
		t.Errorf("retired record %+v %v", r, ok)
	}
	moved := func(ps []staking.StakePosition) []staking.StakePosition {
		out := slices.Clone(ps)
		for i := range out {
			out[i].Hotkey = next
		}
		return out
	}
	if got := staking.Nominators(st, next); !reflect.DeepEqual(got, moved(noms)) || len(staking.Nominators(st, old)) != 0 {
		t.Errorf("positions %+v, want %+v", got, moved(noms))
	}
	if got := staking.StakesOf(st, cold2); len(got) != 2 || !slices.ContainsFunc(got, func(p staking.StakePosition) bool {
		return p.Hotkey == next && p.Amount == noms[slices.IndexFunc(noms, func(n staking.StakePosition) bool { return n.Coldkey == cold2 })].Amount
	}) {
		t.Errorf("coldkey 2's positions %+v", got)
	}
	if got := staking.UnbondingOf(st, cold2); len(got) != 1 || got[0].Hotkey != next || got[0].Amount != unb[0].Amount || got[0].ReleaseAt != unb[0].ReleaseAt {
		t.Errorf("unbonding %+v, want %+v under the new hotkey", got, unb)
	}
	if staking.Stake(st, cold1, next) != rootW {
		t.Error("owner's stake not moved")
	}
	for netuid, uid := range map[uint16]uint16{1: uid1, 2: uid2} {
		if got, ok := subnet.UIDOf(st, netuid, next); !ok || got != uid {
			t.Errorf("subnet %d: new hotkey at uid %d (%v), want %d", netuid, got, ok, uid)
		}
		if _, ok := subnet.UIDOf(st, netuid, old); ok {
			t.Errorf("subnet %d: old hotkey still registered", netuid)
		}
	}
	if got, _ := subnet.NeuronAt(st, 1, uid1); got.Hotkey != next || got.RegisteredAt != n1.RegisteredAt || got.Permit != n1.Permit {
		t.Errorf("neuron %+v, was %+v", got, n1)
	}
	if !subnet.IsRootMember(st, next) || subnet.IsRootMember(st, old) || !reflect.DeepEqual(subnet.RootWeightsOf(st, next), rw) || len(subnet.RootWeightsOf(st, old).Index) != 0 {
		t.Error("root membership or weights not moved")
	}
	if got := consKeyOwner(w, devkeys.Address(20)); got != next {
		t.Errorf("consensus key 20 bound to %s", got)
	}
	for _, h := range []uint64{w.height(), w.height() + 1} {
		if s, _ := w.c.ValidatorSet(h); !slices.Contains(s.Hotkeys, next) || slices.Contains(s.Hotkeys, old) {
			t.Errorf("validator set at %d names hotkeys %v", h, s.Hotkeys)
		}
	}
	subnetConservation(t, w)

	// The pending commit is revealed by the new hotkey, from the same salt.
	w.until(at + w.c.Params().Subnets.Defaults.RevealDelay)
	w.ok(w.call(60, &types.RevealWeights{Netuid: 2, UIDs: uids, Weights: ws, Salt: salt}))
	if got := subnet.WeightsOf(w.st(), 2, uid2); !reflect.DeepEqual(got.Values, ws) {
		t.Errorf("revealed weights %+v", got)
	}

	// The old hotkey is refused everywhere, by name.
	b, _ := types.SignBind(w.c.ChainID(), cold1, devkeys.Key(10), devkeys.Key(25))
	for _, c := range []types.Call{
		&types.AddStake{Hotkey: old, Amount: tao},
		&types.RemoveStake{Hotkey: old, Amount: tao},
		&types.SetTake{Hotkey: old, Take: 0},
		&types.Unjail{Hotkey: old},
		&types.BurnedRegister{Netuid: 1, Hotkey: old},
		&types.RootRegister{Hotkey: old},
		&types.SwapHotkey{Old: old, New: freshHot(1)},
		b,
	} {
		r := w.do(w.call(1, c))[0]
		if r.Status != types.ReceiptFailed || !bytes.Contains([]byte(r.Error), []byte(staking.ErrHotkeyRetired.Error())) || !bytes.Contains([]byte(r.Error), []byte(old.String())) {
			t.Errorf("%v on the retired hotkey: %+v", c.Kind(), r)
		}
	}
	w.fails(w.call(3, &types.SwapHotkey{Old: devkeys.Address(70), New: old}), staking.ErrHotkeyInUse)

	// The unbonding releases to its coldkey; the validator (same consensus
	// key) stays in the set under the new hotkey with the same power.
	before := w.st().Account(cold2).Balance
	w.until(unb[0].ReleaseAt)
	if got := w.st().Account(cold2).Balance - before; got != unb[0].Amount {
		t.Errorf("unbonding released %d, want %d", got, unb[0].Amount)
	}
	p := w.c.Params().Staking
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	w.until(H + 2)
	s, _ := w.c.ValidatorSet(H + 2)
	i := slices.Index(s.Hotkeys, next)
	if i < 0 || s.Validators[i].Address != devkeys.Address(20) {
		t.Fatalf("validator set after the swap %+v", s)
	}
	h, _ := staking.HotkeyOf(w.st(), next)
	if s.Validators[i].Power != h.TotalStake/staking.PowerUnit {
		t.Errorf("power %d for %d rao", s.Validators[i].Power, h.TotalStake)
	}
	subnetConservation(t, w)
}

// TestSwapHotkeyRefusals: each rule of the swap, and the parameters'
// bounds.
func TestSwapHotkeyRefusals(t *testing.T) {
	w := newWorld(t)
	w.ok(w.bind(1, 0), w.bind(1, 3), w.bind(2, 1), w.bind(5, 4))
	w.ok(w.call(4, &types.AddStake{Hotkey: hot(1), Amount: tao}))
	w.fails(w.call(1, &types.SwapHotkey{Old: freshHot(9), New: freshHot(0)}), staking.ErrUnknownHotkey)
	w.fails(w.call(1, &types.SwapHotkey{Old: hot(0), New: hot(1)}), staking.ErrHotkeyInUse) // another's
	w.fails(w.call(1, &types.SwapHotkey{Old: hot(0), New: hot(3)}), staking.ErrHotkeyInUse) // its own
	w.fails(w.call(2, &types.SwapHotkey{Old: hot(0), New: freshHot(0)}), staking.ErrNotOwner)

	// Rate limit per coldkey: a second swap, of another hotkey, waits.
	w.swapOK(1, hot(0), freshHot(0))
	at := w.height()
	limit := w.c.Params().Staking.HotkeySwapRateLimit
	w.fails(w.call(1, &types.SwapHotkey{Old: hot(3), New: freshHot(1)}), staking.ErrRateLimited)
	w.ok(w.call(2, &types.SwapHotkey{Old: hot(1), New: freshHot(2)})) // other coldkeys are not limited
	w.until(at + limit - 1)
	w.swapOK(1, hot(3), freshHot(1))
	// Retired hotkeys are never a target; the chain of swaps is followed.
	w.fails(w.call(2, &types.SwapHotkey{Old: freshHot(2), New: hot(0)}), staking.ErrHotkeyInUse)
	if staking.Stake(w.st(), devkeys.Address(4), freshHot(2)) != tao {
		t.Fatal("nominator's stake did not follow the swap")
	}

	// The burn must be affordable after the fee; a failed swap moves nothing.
	call := &types.SwapHotkey{Old: hot(4), New: freshHot(3)}
	fee := w.fee(call)
	bal := w.st().Account(devkeys.Address(5)).Balance
	out := &types.Transfer{To: devkeys.Address(0), Amount: bal}
	outFee := w.fee(out)
	out.Amount = bal - outFee - fee - w.c.Params().Staking.HotkeySwapBurn + 1
	if w.fee(out) != outFee {
		t.Fatal("transfer fee depends on the amount here")
	}
	w.ok(w.call(5, out))
	w.fails(w.call(5, call), staking.ErrInsufficientBalance)
	if _, ok := staking.HotkeyOf(w.st(), hot(4)); !ok {
		t.Fatal("a failed swap moved the hotkey")
	}
	if _, ok := staking.Retired(w.st(), hot(4)); ok {
		t.Fatal("a failed swap retired the hotkey")
	}

	// Parameters: required in a genesis (named), bounded, governable.
	for _, name := range []string{"hotkey_swap_burn", "hotkey_swap_rate_limit"} {
		g, _ := Preset("test", 0, devkeys.Addresses(1), nil, 0)
		if name == "hotkey_swap_burn" {
			g.Params.Staking.HotkeySwapBurn = 0
		} else {
			g.Params.Staking.HotkeySwapRateLimit = 0
		}
		if err := g.Validate(); err == nil || !bytes.Contains([]byte(err.Error()), []byte(name)) {
			t.Errorf("genesis without %s: %v", name, err)
		}
	}
	p := w.c.Params()
	for _, ch := range []types.ParamChange{
		{Key: "staking.hotkey_swap_burn", Value: "0"},
		{Key: "staking.hotkey_swap_burn", Value: fmt.Sprint(staking.MaxHotkeySwapBurn + 1)},
		{Key: "staking.hotkey_swap_rate_limit", Value: "0"},
		{Key: "staking.hotkey_swap_rate_limit", Value: fmt.Sprint(staking.MaxLockBlocks + 1)},
	} {
		if _, err := ApplyParamChanges(p, []types.ParamChange{ch}); !errors.Is(err, ErrBadParamValue) {
			t.Errorf("%s = %s: %v", ch.Key, ch.Value, err)
		}
	}
	next, err := ApplyParamChanges(p, []types.ParamChange{{Key: "staking.hotkey_swap_burn", Value: "7"}, {Key: "staking.hotkey_swap_rate_limit", Value: "9"}})
	if err != nil || next.Staking.HotkeySwapBurn != 7 || next.Staking.HotkeySwapRateLimit != 9 {
		t.Fatalf("governed change: %v %+v", err, next.Staking)
	}
}

// TestSwapHotkeyRacesSlashing: a swap does not escape punishment. Evidence
// in the swap's own block (applied before it) jails the record that moves;
// evidence after the swap against the consensus key the old hotkey had,
// or against one it had rotated away from before the swap, slashes the new
// hotkey's stake and unbonding; downtime after the swap jails the new
// hotkey. The retired hotkey never gets a record back.
func TestSwapHotkeyRacesSlashing(t *testing.T) {
	w, from := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	cut := func(v uint64) uint64 { return v - v*uint64(p.SlashFraction)/1_000_000 }
	old, next := hot(0), freshHot(0)
	w.ok(w.call(4, &types.AddStake{Hotkey: old, Amount: 10 * tao}))
	w.ok(w.call(4, &types.RemoveStake{Hotkey: old, Amount: 2 * tao}))

	// Evidence and the swap in one block: evidence first, then the swap
	// moves the jailed, slashed record.
	own := staking.Stake(w.st(), devkeys.Address(1), old)
	ev := doubleSign(t, w, devkeys.Key(20), from)
	w.block([]types.Evidence{ev}, nil, w.call(1, &types.SwapHotkey{Old: old, New: next}))
	st := w.st()
	if h, ok := staking.HotkeyOf(st, next); !ok || !h.Jailed {
		t.Fatalf("swap in the evidence's block: new hotkey %+v %v", h, ok)
	}
	if got := staking.Stake(st, devkeys.Address(1), next); got != cut(own) {
		t.Fatalf("owner's stake %d after the slash, want %d", got, cut(own))
	}

	// Evidence after the swap, for another height, against the same key.
	own, nom := staking.Stake(st, devkeys.Address(1), next), staking.Stake(st, devkeys.Address(4), next)
	unb := staking.UnbondingOf(st, devkeys.Address(4))[0]
	w.block([]types.Evidence{doubleSign(t, w, devkeys.Key(20), from+1)}, nil)
	st = w.st()
	if staking.Stake(st, devkeys.Address(1), next) != cut(own) || staking.Stake(st, devkeys.Address(4), next) != cut(nom) {
		t.Error("evidence after the swap did not slash the new hotkey's positions")
	}
	if got := staking.UnbondingOf(st, devkeys.Address(4)); len(got) != 1 || got[0].Hotkey != next || got[0].Amount != cut(unb.Amount) {
		t.Errorf("unbonding after the slash %+v, want %d under the new hotkey", got, cut(unb.Amount))
	}
	if _, ok := staking.HotkeyOf(st, old); ok {
		t.Error("a slash recreated the retired hotkey's record")
	}
	subnetConservation(t, w)

	// A key rotated away before the swap: hot(1) moves from consensus key 21
	// to 25, then is swapped; evidence against 21 finds the new hotkey
	// through the retired record.
	b, _ := types.SignBind(w.c.ChainID(), devkeys.Address(2), devkeys.Key(11), devkeys.Key(25))
	w.ok(w.call(2, b))
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	w.until(H + 2)
	if h, _ := staking.HotkeyOf(w.st(), hot(1)); h.ConsensusKey != devkeys.Address(25) {
		t.Fatalf("rotation did not happen: %+v", h)
	}
	w.swapOK(2, hot(1), freshHot(1))
	if consKeyOwner(w, devkeys.Address(21)) != hot(1) || consKeyOwner(w, devkeys.Address(25)) != freshHot(1) {
		t.Fatal("back references: the current key moves, the earlier one stays")
	}
	own = staking.Stake(w.st(), devkeys.Address(2), freshHot(1))
	w.block([]types.Evidence{doubleSign(t, w, devkeys.Key(21), from)}, nil)
	if got := staking.Stake(w.st(), devkeys.Address(2), freshHot(1)); got != cut(own) {
		t.Errorf("evidence against the rotated-away key: stake %d, want %d", got, cut(own))
	}
	if h, _ := staking.HotkeyOf(w.st(), freshHot(1)); !h.Jailed {
		t.Error("new hotkey not jailed by evidence against its predecessor's old key")
	}
	if _, ok := staking.HotkeyOf(w.st(), hot(1)); ok {
		t.Error("a slash recreated the retired hotkey's record")
	}
	// Two swaps on: evidence against key 21 follows both retired records.
	w.until(w.height() + p.HotkeySwapRateLimit - 1)
	w.swapOK(2, freshHot(1), freshHot(4))
	own = staking.Stake(w.st(), devkeys.Address(2), freshHot(4))
	if from+1+p.UnbondingPeriod <= w.height() {
		t.Fatal("test timeline: the evidence would be too old")
	}
	w.block([]types.Evidence{doubleSign(t, w, devkeys.Key(21), from+1)}, nil)
	if got := staking.Stake(w.st(), devkeys.Address(2), freshHot(4)); got != cut(own) {
		t.Errorf("evidence two swaps on: stake %d, want %d", got, cut(own))
	}
	subnetConservation(t, w)
}

// TestSwapHotkeyThenDowntime: a validator swapped mid-epoch that stops
// signing is jailed, and slashed, under its new hotkey (downtime reads the
// hotkeys of the sets already decided, which the swap renamed).
func TestSwapHotkeyThenDowntime(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	w.swapOK(3, hot(2), freshHot(2))
	before := staking.Stake(w.st(), devkeys.Address(3), freshHot(2))
	skip := map[types.Address]bool{devkeys.Address(22): true}
	var jailedAt uint64
	for i := uint64(0); i < p.DowntimeWindow && jailedAt == 0; i++ {
		w.block(nil, skip)
		if h, _ := staking.HotkeyOf(w.st(), freshHot(2)); h.Jailed {
			jailedAt = w.height()
		}
	}
	if jailedAt == 0 {
		t.Fatal("swapped validator missing every block was not jailed")
	}
	if got, want := staking.Stake(w.st(), devkeys.Address(3), freshHot(2)), before-before*uint64(p.DowntimeSlash)/1_000_000; got != want {
		t.Fatalf("downtime slash: stake %d, want %d", got, want)
	}
	if _, ok := staking.HotkeyOf(w.st(), hot(2)); ok {
		t.Fatal("downtime recreated the retired hotkey's record")
	}
}
