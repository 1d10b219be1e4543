package staking

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// fakeSubnets records the ownership moves the hook asks for.
type fakeSubnets struct {
	owner map[uint16]types.Address
}

func (f *fakeSubnets) MoveSubnetOwnership(from, to types.Address) int {
	n := 0
	for id, o := range f.owner {
		if o == from {
			f.owner[id] = to
			n++
		}
	}
	return n
}

// runTo runs the end-of-block hook for every height after x.Height up to h.
func runTo(t *testing.T, x *Block, h uint64, sn SubnetOwners) {
	t.Helper()
	for x.Height < h {
		x.Height++
		if err := x.ExecuteColdkeySwaps(sn); err != nil {
			t.Fatalf("hook at %d: %v", x.Height, err)
		}
	}
}

func schedule(x *Block, from, to types.Address) error {
	return x.ScheduleColdkeySwap(from, &types.ScheduleColdkeySwap{NewColdkey: to})
}

// TestColdkeySwapMovesEverything: after the delay, and not before, the
// balance, stake positions (merged with the new key's), unbonding entries
// (merged), owned hotkeys and subnets are the new key's; the cost is burned.
func TestColdkeySwapMovesEverything(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	old, nw := addr(1), addr(2)
	RegisterHotkey(st, x.Params, addr(11), addr(3))
	must(t, x.AddStake(old, &types.AddStake{Hotkey: addr(10), Amount: 10 * tao}))
	must(t, x.AddStake(old, &types.AddStake{Hotkey: addr(11), Amount: 5 * tao}))
	must(t, x.AddStake(nw, &types.AddStake{Hotkey: addr(10), Amount: 3 * tao}))
	must(t, x.RemoveStake(old, addr(10), 2*tao))
	must(t, x.RemoveStake(nw, addr(10), tao))
	sn := &fakeSubnets{owner: map[uint16]types.Address{1: old, 2: addr(3)}}
	issuance := st.Issuance()

	must(t, schedule(x, old, nw))
	if st.Issuance() != issuance-x.Params.ColdkeySwapCost || st.Account(old).Balance != 85*tao-x.Params.ColdkeySwapCost {
		t.Fatalf("cost not burned: issuance %d, balance %d", st.Issuance(), st.Account(old).Balance)
	}
	due := x.Height + x.Params.ColdkeySwapDelay
	oldBal, newBal := st.Account(old).Balance, st.Account(nw).Balance
	runTo(t, x, due-1, sn)
	if Stake(st, old, addr(10)) != 8*tao || st.Account(old).Balance != oldBal || sn.owner[1] != old {
		t.Fatal("the swap moved something before it was due")
	}
	runTo(t, x, due, sn)
	if _, ok := ColdkeySwapOf(st, old); ok {
		t.Fatal("record left after the swap")
	}
	checks := []struct {
		what      string
		got, want uint64
	}{
		{"old balance", st.Account(old).Balance, 0},
		{"new balance", st.Account(nw).Balance, newBal + oldBal},
		{"old stake on 10", Stake(st, old, addr(10)), 0},
		{"new stake on 10 (merged)", Stake(st, nw, addr(10)), 8*tao + 2*tao},
		{"new stake on 11", Stake(st, nw, addr(11)), 5 * tao},
		{"old positions", uint64(len(StakesOf(st, old))), 0},
		{"old unbonding", uint64(len(UnbondingOf(st, old))), 0},
		{"new unbonding entries (merged at one release)", uint64(len(UnbondingOf(st, nw))), 1},
		{"new unbonding amount", UnbondingOf(st, nw)[0].Amount, 3 * tao},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if h, _ := HotkeyOf(st, addr(10)); h.Owner != nw || h.TotalStake != 10*tao {
		t.Errorf("hotkey 10: owner %s total %d", h.Owner, h.TotalStake)
	}
	if h, _ := HotkeyOf(st, addr(11)); h.Owner != addr(3) {
		t.Errorf("hotkey 11 (not old's) changed owner to %s", h.Owner)
	}
	if got := OwnedHotkeys(st, nw, 10); len(got) != 1 || got[0] != addr(10) || len(OwnedHotkeys(st, old, 10)) != 0 {
		t.Errorf("owner index: new %v, old %v", got, OwnedHotkeys(st, old, 10))
	}
	if sn.owner[1] != nw || sn.owner[2] != addr(3) {
		t.Errorf("subnet owners %v", sn.owner)
	}
}

// TestColdkeySwapRefusals: to itself, twice to the same key, to a key with
// its own swap pending, without the cost, and cancelling nothing.
func TestColdkeySwapRefusals(t *testing.T) {
	x := testBlock(t, 5)
	if err := schedule(x, addr(1), addr(1)); !errors.Is(err, ErrSwapToSelf) {
		t.Fatalf("swap to self: %v", err)
	}
	must(t, schedule(x, addr(1), addr(2)))
	if err := schedule(x, addr(1), addr(2)); !errors.Is(err, ErrSwapAlreadyScheduled) {
		t.Fatalf("same schedule twice: %v", err)
	}
	if err := schedule(x, addr(3), addr(1)); !errors.Is(err, ErrSwapDestinationBusy) {
		t.Fatalf("swap into a key with a swap pending: %v", err)
	}
	if err := x.CancelColdkeySwap(addr(3)); !errors.Is(err, ErrNoColdkeySwap) {
		t.Fatalf("cancel nothing: %v", err)
	}
	x.State.SetAccount(addr(4), state.Account{Balance: x.Params.ColdkeySwapCost - 1})
	if err := schedule(x, addr(4), addr(5)); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("schedule without the cost: %v", err)
	}
}

// TestColdkeySwapCancelThenScheduleDisputes: a cancel leaves a tombstone;
// a schedule before it lapses is a dispute (a thief cancelling the owner's
// swap cannot restart it for ever); after it lapses, a schedule is plain.
func TestColdkeySwapCancelThenScheduleDisputes(t *testing.T) {
	x := testBlock(t, 5)
	st, d := x.State, x.Params.ColdkeySwapDelay
	must(t, schedule(x, addr(1), addr(2)))
	must(t, x.CancelColdkeySwap(addr(1)))
	if err := x.CancelColdkeySwap(addr(1)); !errors.Is(err, ErrNoColdkeySwap) {
		t.Fatalf("cancel twice: %v", err)
	}
	runTo(t, x, x.Height+d-1, &fakeSubnets{})
	must(t, schedule(x, addr(1), addr(2)))
	s, _ := ColdkeySwapOf(st, addr(1))
	if s.Status != SwapDisputed || s.New != addr(2) || s.Other != (types.Address{}) {
		t.Fatalf("schedule after a cancel: %+v", s)
	}

	y := testBlock(t, 5)
	must(t, schedule(y, addr(1), addr(2)))
	must(t, y.CancelColdkeySwap(addr(1)))
	runTo(t, y, y.Height+d, &fakeSubnets{})
	if _, ok := ColdkeySwapOf(y.State, addr(1)); ok {
		t.Fatal("tombstone not deleted when it lapsed")
	}
	must(t, schedule(y, addr(1), addr(3)))
	if s, _ := ColdkeySwapOf(y.State, addr(1)); s.Status != SwapScheduled || s.New != addr(3) {
		t.Fatalf("schedule after the tombstone: %+v", s)
	}
}

// TestColdkeySwapDisputeFreezesThenLapses: a second schedule to another key
// disputes the swap: the old key is frozen, nothing moves at the first due
// height, a cancel is refused, and after 2 × delay the dispute lapses with
// nothing moved and the freeze lifted.
func TestColdkeySwapDisputeFreezesThenLapses(t *testing.T) {
	x := testBlock(t, 5)
	st, d := x.State, x.Params.ColdkeySwapDelay
	must(t, x.AddStake(addr(1), &types.AddStake{Hotkey: addr(10), Amount: 10 * tao}))
	must(t, schedule(x, addr(1), addr(2)))
	runTo(t, x, x.Height+1, &fakeSubnets{})
	must(t, schedule(x, addr(1), addr(3)))
	disputedAt := x.Height
	s, _ := ColdkeySwapOf(st, addr(1))
	if s.Status != SwapDisputed || s.New != addr(2) || s.Other != addr(3) || s.Due != disputedAt+2*d {
		t.Fatalf("dispute record %+v", s)
	}
	if err := ColdkeyFrozen(st, addr(1)); !errors.Is(err, ErrColdkeyFrozen) {
		t.Fatalf("disputed key not frozen: %v", err)
	}
	if err := x.CancelColdkeySwap(addr(1)); !errors.Is(err, ErrColdkeyFrozen) {
		t.Fatalf("cancel in dispute: %v", err)
	}
	if err := schedule(x, addr(1), addr(4)); !errors.Is(err, ErrColdkeyFrozen) {
		t.Fatalf("third schedule: %v", err)
	}
	bal := st.Account(addr(1)).Balance
	runTo(t, x, disputedAt+2*d-1, &fakeSubnets{})
	if Stake(st, addr(1), addr(10)) != 10*tao || st.Account(addr(1)).Balance != bal || ColdkeyFrozen(st, addr(1)) == nil {
		t.Fatal("a disputed swap moved or unfroze before it lapsed")
	}
	runTo(t, x, disputedAt+2*d, &fakeSubnets{})
	if _, ok := ColdkeySwapOf(st, addr(1)); ok || ColdkeyFrozen(st, addr(1)) != nil {
		t.Fatal("the dispute did not lapse at 2 × delay")
	}
	if Stake(st, addr(1), addr(10)) != 10*tao || Stake(st, addr(2), addr(10))+Stake(st, addr(3), addr(10)) != 0 {
		t.Fatal("a lapsed dispute moved stake")
	}
}

// TestColdkeySwapResolution: governance may send a disputed swap only to an
// announced destination (or cancel it); the swap then moves in the same
// block's hook. A swap not in dispute cannot be resolved.
func TestColdkeySwapResolution(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	must(t, schedule(x, addr(1), addr(2)))
	if err := CheckSwapResolution(st, addr(1), addr(2)); !errors.Is(err, ErrNotDisputed) {
		t.Fatalf("resolve a plain schedule: %v", err)
	}
	must(t, schedule(x, addr(1), addr(3)))
	if err := CheckSwapResolution(st, addr(1), addr(4)); !errors.Is(err, ErrNotADestination) {
		t.Fatalf("resolve to a stranger: %v", err)
	}
	bal := st.Account(addr(1)).Balance
	x.Height++
	must(t, ResolveColdkeySwap(st, x.Height, addr(1), addr(3)))
	if err := ColdkeyFrozen(st, addr(1)); !errors.Is(err, ErrColdkeyFrozen) {
		t.Fatalf("executing swap not frozen: %v", err)
	}
	must(t, x.ExecuteColdkeySwaps(&fakeSubnets{}))
	if st.Account(addr(3)).Balance != 100*tao+bal || st.Account(addr(1)).Balance != 0 {
		t.Fatalf("resolved swap: new balance %d", st.Account(addr(3)).Balance)
	}

	y := testBlock(t, 5)
	must(t, schedule(y, addr(1), addr(2)))
	must(t, schedule(y, addr(1), addr(3)))
	must(t, ResolveColdkeySwap(y.State, y.Height, addr(1), types.Address{}))
	if _, ok := ColdkeySwapOf(y.State, addr(1)); ok || ColdkeyFrozen(y.State, addr(1)) != nil {
		t.Fatal("a cancelling resolution left the key frozen")
	}
}

// TestColdkeySwapCarriesOverBlocks: a swap of more records than one block
// may move finishes over several blocks, frozen meanwhile, with every
// position moved exactly once.
func TestColdkeySwapCarriesOverBlocks(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	x.Params.ColdkeySwapMovesPerBlock = MinColdkeySwapMoves
	const n = 40
	for i := 0; i < n; i++ {
		hk := types.Address{0xA0, byte(i)}
		RegisterHotkey(st, x.Params, hk, addr(3))
		must(t, x.AddStake(addr(1), &types.AddStake{Hotkey: hk, Amount: tao}))
	}
	must(t, schedule(x, addr(1), addr(2)))
	due := x.Height + x.Params.ColdkeySwapDelay
	runTo(t, x, due, &fakeSubnets{})
	blocks := 1
	for ; blocks < 10; blocks++ {
		if _, ok := ColdkeySwapOf(st, addr(1)); !ok {
			break
		}
		if err := ColdkeyFrozen(st, addr(1)); !errors.Is(err, ErrColdkeyFrozen) {
			t.Fatalf("block %d of the move: not frozen", blocks)
		}
		runTo(t, x, x.Height+1, &fakeSubnets{})
	}
	if blocks < 3 || blocks >= 10 {
		t.Fatalf("%d positions at %d moves per block took %d blocks", n, MinColdkeySwapMoves, blocks)
	}
	if len(StakesOf(st, addr(1))) != 0 || len(StakesOf(st, addr(2))) != n {
		t.Fatalf("positions: old %d, new %d", len(StakesOf(st, addr(1))), len(StakesOf(st, addr(2))))
	}
	for _, p := range StakesOf(st, addr(2)) {
		if p.Amount != tao {
			t.Fatalf("position on %s: %d", p.Hotkey, p.Amount)
		}
	}
}

// TestColdkeySwapRacesSlashing: stake slashed while a swap is scheduled
// moves as slashed, positions and unbonding alike.
func TestColdkeySwapRacesSlashing(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	must(t, x.AddStake(addr(1), &types.AddStake{Hotkey: addr(10), Amount: 10 * tao}))
	must(t, x.RemoveStake(addr(1), addr(10), 4*tao))
	must(t, schedule(x, addr(1), addr(2)))
	x.Height++
	if _, err := x.Slash(addr(10), 500_000); err != nil {
		t.Fatal(err)
	}
	runTo(t, x, 5+x.Params.ColdkeySwapDelay, &fakeSubnets{})
	u := UnbondingOf(st, addr(2))
	if Stake(st, addr(2), addr(10)) != 3*tao || len(u) != 1 || u[0].Amount != 2*tao {
		t.Fatalf("after slash and swap: stake %d, unbonding %+v", Stake(st, addr(2), addr(10)), u)
	}
}

// TestColdkeySwapUnbondingReleasesToNewKey: an unbonding entry moved by the
// swap releases to the new key's balance at its release height.
func TestColdkeySwapUnbondingReleasesToNewKey(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	must(t, x.AddStake(addr(1), &types.AddStake{Hotkey: addr(10), Amount: 10 * tao}))
	must(t, x.RemoveStake(addr(1), addr(10), 10*tao))
	release := x.Height + x.Params.UnbondingPeriod
	must(t, schedule(x, addr(1), addr(2)))
	runTo(t, x, 5+x.Params.ColdkeySwapDelay, &fakeSubnets{})
	if release <= x.Height {
		t.Fatal("test needs the release after the swap")
	}
	before := st.Account(addr(2)).Balance
	for x.Height < release {
		x.Height++
		must(t, x.ReleaseUnbonding())
	}
	if got := st.Account(addr(2)).Balance - before; got != 10*tao || st.Account(addr(1)).Balance != 0 {
		t.Fatalf("released to the new key: %d, old balance %d", got, st.Account(addr(1)).Balance)
	}
}

// TestColdkeySwapParamsBounds: each parameter is refused by name outside
// its bounds (so a genesis without them is refused).
func TestColdkeySwapParamsBounds(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Params)
	}{
		{"coldkey_swap_delay", func(p *Params) { p.ColdkeySwapDelay = 0 }},
		{"coldkey_swap_delay", func(p *Params) { p.ColdkeySwapDelay = MaxLockBlocks }},
		{"coldkey_swap_cost", func(p *Params) { p.ColdkeySwapCost = 0 }},
		{"coldkey_swap_cost", func(p *Params) { p.ColdkeySwapCost = MaxColdkeySwapCost + 1 }},
		{"coldkey_swap_moves_per_block", func(p *Params) { p.ColdkeySwapMovesPerBlock = 0 }},
		{"coldkey_swap_moves_per_block", func(p *Params) { p.ColdkeySwapMovesPerBlock = MaxColdkeySwapMoves + 1 }},
	} {
		p := DefaultParams()
		c.set(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s out of bounds: %v", c.name, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestColdkeySwapBurstCarriesInQueueOrder: five swaps due in one block, more
// records than one block moves, all complete over the next blocks, the
// queue's order first (due height, then old coldkey), none lost.
func TestColdkeySwapBurstCarriesInQueueOrder(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	x.Params.ColdkeySwapMovesPerBlock = MinColdkeySwapMoves
	var olds []types.Address
	for i := 0; i < 5; i++ {
		old := types.Address{0xB0, byte(i)}
		olds = append(olds, old)
		st.SetAccount(old, state.Account{Balance: 50 * tao})
		st.SetIssuance(st.Issuance() + 50*tao)
		for j := 0; j < 6; j++ {
			hk := types.Address{0xA0, byte(i), byte(j)}
			RegisterHotkey(st, x.Params, hk, addr(3))
			must(t, x.AddStake(old, &types.AddStake{Hotkey: hk, Amount: tao}))
		}
		must(t, schedule(x, old, types.Address{0xE0, byte(i)}))
	}
	runTo(t, x, x.Height+x.Params.ColdkeySwapDelay-1, &fakeSubnets{})
	finished := map[int]int{} // swap → block (after the due one) it finished in
	for b := 0; b < 10 && len(finished) < len(olds); b++ {
		runTo(t, x, x.Height+1, &fakeSubnets{})
		for i, old := range olds {
			if _, ok := ColdkeySwapOf(st, old); !ok {
				if _, seen := finished[i]; !seen {
					finished[i] = b
				}
			}
		}
	}
	if len(finished) != len(olds) {
		t.Fatalf("finished %v of %d swaps", finished, len(olds))
	}
	for i := 1; i < len(olds); i++ {
		if finished[i] < finished[i-1] {
			t.Fatalf("swap %d finished in block %d, before swap %d (block %d): out of queue order", i, finished[i], i-1, finished[i-1])
		}
	}
	if finished[len(olds)-1] == 0 {
		t.Fatal("35 records moved in one block at 16 moves per block")
	}
	for i, old := range olds {
		to := types.Address{0xE0, byte(i)}
		if len(StakesOf(st, to)) != 6 || len(StakesOf(st, old)) != 0 || st.Account(old).Balance != 0 {
			t.Fatalf("swap %d: new key %d positions, old %d positions, old balance %d", i, len(StakesOf(st, to)), len(StakesOf(st, old)), st.Account(old).Balance)
		}
	}
}
