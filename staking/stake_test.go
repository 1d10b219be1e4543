package staking

import (
	"errors"
	"testing"

	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

func addr(b byte) types.Address { return types.Address{b} }

// testBlock is a staking Block at height on a fresh state where addr(1..3)
// hold 100 TAO each (issuance counts them) and hotkey addr(10) is owned by
// addr(1).
func testBlock(t *testing.T, height uint64) *Block {
	t.Helper()
	st := modtest.State(t, 100*tao, addr(1), addr(2), addr(3))
	p := TestParams()
	RegisterHotkey(st, p, addr(10), addr(1))
	return &Block{State: st, Height: height, Params: p, ChainID: 1}
}

// TestStakeUnbondRelease: stake moves from balance to the position and the
// hotkey's total, RemoveStake moves it to unbonding (no longer in the
// total), and ReleaseUnbonding at the release height pays it back.
func TestStakeUnbondRelease(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	if err := x.AddStake(addr(2), &types.AddStake{Hotkey: addr(10), Amount: 40 * tao}); err != nil {
		t.Fatal(err)
	}
	if err := x.AddStake(addr(2), &types.AddStake{Hotkey: addr(99), Amount: tao}); !errors.Is(err, ErrUnknownHotkey) {
		t.Fatalf("stake on an unknown hotkey: %v", err)
	}
	if err := x.AddStake(addr(2), &types.AddStake{Hotkey: addr(10), Amount: 100 * tao}); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("stake above balance: %v", err)
	}
	if h, _ := HotkeyOf(st, addr(10)); h.TotalStake != 40*tao || Stake(st, addr(2), addr(10)) != 40*tao || st.Account(addr(2)).Balance != 60*tao {
		t.Fatalf("after AddStake: total %d, position %d, balance %d", h.TotalStake, Stake(st, addr(2), addr(10)), st.Account(addr(2)).Balance)
	}
	if err := x.RemoveStake(addr(2), addr(10), 50*tao); !errors.Is(err, ErrInsufficientStake) {
		t.Fatalf("remove above stake: %v", err)
	}
	if err := x.RemoveStake(addr(2), addr(10), 40*tao-1); !errors.Is(err, ErrBelowMinStake) {
		t.Fatalf("leave dust below min_stake: %v", err)
	}
	if err := x.RemoveStake(addr(2), addr(10), 15*tao); err != nil {
		t.Fatal(err)
	}
	release := x.Height + x.Params.UnbondingPeriod
	if u := UnbondingOf(st, addr(2)); len(u) != 1 || u[0] != (Unbonding{Coldkey: addr(2), Hotkey: addr(10), Amount: 15 * tao, ReleaseAt: release}) {
		t.Fatalf("unbonding %+v", u)
	}
	if h, _ := HotkeyOf(st, addr(10)); h.TotalStake != 25*tao {
		t.Fatalf("unbonding stake still in the total: %d", h.TotalStake)
	}
	x.Height = release - 1
	if err := x.ReleaseUnbonding(); err != nil || st.Account(addr(2)).Balance != 60*tao {
		t.Fatalf("released early: balance %d (%v)", st.Account(addr(2)).Balance, err)
	}
	x.Height = release
	if err := x.ReleaseUnbonding(); err != nil || st.Account(addr(2)).Balance != 75*tao || len(UnbondingOf(st, addr(2))) != 0 {
		t.Fatalf("release: balance %d, entries %d (%v)", st.Account(addr(2)).Balance, len(UnbondingOf(st, addr(2))), err)
	}
}

// TestCreditRewardSplit: the owner keeps its take, the rest is shared by
// stake, and the rounding dust goes to the owner: nothing is lost.
func TestCreditRewardSplit(t *testing.T) {
	x := testBlock(t, 1)
	st := x.State
	CreditStake(st, addr(1), addr(10), 1*tao)
	CreditStake(st, addr(2), addr(10), 2*tao)
	h, _ := HotkeyOf(st, addr(10))
	h.Take = 100_000 // 10%
	setHotkeyInfo(st, addr(10), h)
	const reward uint64 = 1_000_000_007
	if err := CreditReward(st, addr(10), reward); err != nil {
		t.Fatal(err)
	}
	owner, nom := Stake(st, addr(1), addr(10))-tao, Stake(st, addr(2), addr(10))-2*tao
	rest := reward - reward/10
	if nom != rest*2/3 {
		t.Fatalf("nominator got %d, want %d (2/3 of what the take leaves)", nom, rest*2/3)
	}
	if owner+nom != reward {
		t.Fatalf("owner %d + nominator %d = %d, want all %d", owner, nom, owner+nom, reward)
	}
	if err := CreditReward(st, addr(99), 1); !errors.Is(err, ErrUnknownHotkey) {
		t.Fatalf("reward to an unknown hotkey: %v", err)
	}
}

// TestSlashTakesPositionsAndUnbonding: a slash takes the same fraction of
// every position and unbonding entry on the hotkey, recycles it and jails.
func TestSlashTakesPositionsAndUnbonding(t *testing.T) {
	x := testBlock(t, 1)
	st := x.State
	for _, a := range []byte{1, 2} {
		if err := x.AddStake(addr(a), &types.AddStake{Hotkey: addr(10), Amount: 20 * tao}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.RemoveStake(addr(2), addr(10), 10*tao); err != nil {
		t.Fatal(err)
	}
	issuance := st.Issuance()
	got, err := x.Slash(addr(10), 100_000) // 10%
	if err != nil {
		t.Fatal(err)
	}
	if got != 4*tao { // 10% of 20 + 10 + 10
		t.Fatalf("slashed %d, want 4 TAO", got)
	}
	if Stake(st, addr(1), addr(10)) != 18*tao || Stake(st, addr(2), addr(10)) != 9*tao {
		t.Fatalf("positions after slash: %d, %d", Stake(st, addr(1), addr(10)), Stake(st, addr(2), addr(10)))
	}
	if u := UnbondingOf(st, addr(2)); len(u) != 1 || u[0].Amount != 9*tao {
		t.Fatalf("unbonding after slash: %+v", u)
	}
	if st.Issuance() != issuance-4*tao {
		t.Fatalf("issuance %d, want %d (the slash recycled)", st.Issuance(), issuance-4*tao)
	}
	h, _ := HotkeyOf(st, addr(10))
	if !h.Jailed || h.JailedUntil != x.Height+x.Params.JailPeriod {
		t.Fatalf("not jailed until %d: %+v", x.Height+x.Params.JailPeriod, h)
	}
	if err := x.Unjail(addr(1), &types.Unjail{Hotkey: addr(10)}); !errors.Is(err, ErrStillJailed) {
		t.Fatalf("unjail early: %v", err)
	}
	x.Height = h.JailedUntil
	if err := x.Unjail(addr(2), &types.Unjail{Hotkey: addr(10)}); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("unjail by another: %v", err)
	}
	if err := x.Unjail(addr(1), &types.Unjail{Hotkey: addr(10)}); err != nil {
		t.Fatal(err)
	}
}

// TestSetStart: the set decided at an epoch's last block H governs H+2 …
// H+epoch+1; the genesis set everything before.
func TestSetStart(t *testing.T) {
	for _, c := range []struct{ h, want uint64 }{{0, 0}, {11, 0}, {12, 12}, {21, 12}, {22, 22}} {
		if got := setStart(c.h, 10); got != c.want {
			t.Errorf("setStart(%d, 10) = %d, want %d", c.h, got, c.want)
		}
	}
}
