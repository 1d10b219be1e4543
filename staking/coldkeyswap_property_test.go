package staking

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// TestColdkeySwapPropertyConserves runs seeded random sequences of stake,
// unstake, slash, schedule, cancel, governance resolution and the hook
// (at a small per-block budget, so swaps carry over) over six coldkeys
// and eight hotkeys. Frozen keys sign nothing, as package chain enforces.
// After every block: balances + stake + unbonding = issuance (burns and
// slashes recycled), every hotkey's total is the sum of its positions,
// the owner index holds exactly each hotkey's owner, and no swap is left
// half-done without its key frozen.
func TestColdkeySwapPropertyConserves(t *testing.T) {
	var done, disputed, carried int
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			d, q, c := swapProperty(t, seed)
			done, disputed, carried = done+d, disputed+q, carried+c
		})
	}
	// The sequences must reach what they are for.
	if done == 0 || disputed == 0 || carried == 0 {
		t.Fatalf("swaps completed %d, disputes %d, carried over a block %d: the property tests nothing", done, disputed, carried)
	}
	t.Logf("swaps completed %d, disputes %d, carried over %d", done, disputed, carried)
}

// swapProperty returns how many swaps completed, how many blocks saw a
// dispute, and how many times a swap was carried to the next block.
func swapProperty(t *testing.T, seed uint64) (done, disputed, carried int) {
	rng := rand.New(rand.NewPCG(seed, 16))
	store, err := state.Open(t.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	st := store.NewState()
	p := TestParams()
	p.ColdkeySwapMovesPerBlock = MinColdkeySwapMoves
	x := &Block{State: st, Height: 1, Params: p}
	colds := make([]types.Address, 6)
	for i := range colds {
		colds[i] = types.Address{0xC0, byte(i)}
		st.SetAccount(colds[i], state.Account{Balance: 1_000 * tao})
	}
	st.SetIssuance(6_000 * tao)
	hots := make([]types.Address, 8)
	for i := range hots {
		hots[i] = types.Address{0xD0, byte(i)}
		RegisterHotkey(st, p, hots[i], colds[i%len(colds)])
	}
	pick := func(s []types.Address) types.Address { return s[rng.IntN(len(s))] }
	for block := 0; block < 120; block++ {
		for op := 0; op < 4; op++ {
			c := pick(colds)
			if ColdkeyFrozen(st, c) != nil {
				continue // chain refuses the tx
			}
			snap := st.Snapshot()
			var err error
			switch rng.IntN(6) {
			case 0, 1:
				err = x.AddStake(c, &types.AddStake{Hotkey: pick(hots), Amount: tao * (1 + rng.Uint64N(20))})
			case 2:
				if ps := StakesOf(st, c); len(ps) > 0 {
					pos := ps[rng.IntN(len(ps))]
					err = x.RemoveStake(c, pos.Hotkey, pos.Amount)
				}
			case 3:
				err = x.ScheduleColdkeySwap(c, &types.ScheduleColdkeySwap{NewColdkey: pick(colds)})
			case 4:
				err = x.CancelColdkeySwap(c)
			case 5:
				_, err = x.Slash(pick(hots), uint32(rng.IntN(200_000)))
			}
			if err != nil {
				st.Revert(snap) // a failed call's writes are undone
			}
		}
		// Governance now and then resolves a dispute to one of its keys or cancels it.
		for _, c := range colds {
			if s, ok := ColdkeySwapOf(st, c); ok && s.Status == SwapDisputed && rng.IntN(4) == 0 {
				to := []types.Address{s.New, s.Other, {}}[rng.IntN(3)]
				if to == (types.Address{}) && s.Other == (types.Address{}) && rng.IntN(2) == 0 {
					to = s.New
				}
				if err := ResolveColdkeySwap(st, x.Height, c, to); err != nil {
					t.Fatalf("seed %d block %d: resolve: %v", seed, block, err)
				}
			}
		}
		if err := x.ReleaseUnbonding(); err != nil {
			t.Fatal(err)
		}
		var moving []types.Address
		for _, c := range colds {
			if s, ok := ColdkeySwapOf(st, c); ok {
				switch {
				case s.Status == SwapDisputed:
					disputed++
				case (s.Status == SwapScheduled || s.Status == SwapExecuting) && s.Due <= x.Height:
					moving = append(moving, c)
				}
			}
		}
		if err := x.ExecuteColdkeySwaps(&fakeSubnets{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range moving {
			if _, ok := ColdkeySwapOf(st, c); ok {
				carried++
			} else {
				done++
			}
		}
		checkSwapInvariants(t, st, seed, block, colds, hots)
		x.Height++
	}
	return done, disputed, carried
}

func checkSwapInvariants(t *testing.T, st *state.State, seed uint64, block int, colds, hots []types.Address) {
	t.Helper()
	var sum uint64
	for _, c := range colds {
		sum += st.Account(c).Balance
		for _, u := range UnbondingOf(st, c) {
			sum += u.Amount
		}
		if s, ok := ColdkeySwapOf(st, c); ok && s.Status == SwapExecuting && !s.Frozen() {
			t.Fatalf("seed %d block %d: executing swap of %s not frozen", seed, block, c)
		}
	}
	owned := 0
	for _, h := range hots {
		info, _ := HotkeyOf(st, h)
		var total uint64
		for _, n := range Nominators(st, h) {
			total += n.Amount
		}
		sum += total
		if total != info.TotalStake {
			t.Fatalf("seed %d block %d: hotkey %s total %d, positions sum %d", seed, block, h, info.TotalStake, total)
		}
		if st.Get(key(pOwned, info.Owner[:], h[:])) == nil {
			t.Fatalf("seed %d block %d: no index entry for %s owned by %s", seed, block, h, info.Owner)
		}
	}
	for _, c := range colds {
		owned += len(OwnedHotkeys(st, c, 100))
	}
	if owned != len(hots) {
		t.Fatalf("seed %d block %d: %d owner index entries for %d hotkeys", seed, block, owned, len(hots))
	}
	if sum != st.Issuance() {
		t.Fatalf("seed %d block %d: balances+stake+unbonding %d != issuance %d", seed, block, sum, st.Issuance())
	}
}
