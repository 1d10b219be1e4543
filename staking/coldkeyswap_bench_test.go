package staking

import (
	"testing"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkColdkeySwapBlock2000 measures one block of the swap hook at the
// mainnet budget: a coldkey with 2,000 stake positions (on 2,000 hotkeys it
// does not own) moves them all in one ExecuteColdkeySwaps call (1,999
// positions plus the entry, then the balance in the next block: the op is
// the first block). Each op builds a fresh state outside the timer.
func BenchmarkColdkeySwapBlock2000(b *testing.B) {
	const n = 2_000
	p := DefaultParams()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store, err := state.Open(b.TempDir(), state.Options{CacheMB: 32, TrieCache: 16})
		if err != nil {
			b.Fatal(err)
		}
		st := store.NewState()
		old, to := types.Address{1}, types.Address{2}
		st.SetAccount(old, state.Account{Balance: 10_000 * tao})
		st.SetIssuance(10_000 * tao)
		x := &Block{State: st, Height: 1, Params: p}
		for j := 0; j < n; j++ {
			hk := types.Address{0xA0, byte(j >> 8), byte(j)}
			RegisterHotkey(st, p, hk, types.Address{3})
			if err := x.AddStake(old, &types.AddStake{Hotkey: hk, Amount: tao}); err != nil {
				b.Fatal(err)
			}
		}
		if err := x.ScheduleColdkeySwap(old, &types.ScheduleColdkeySwap{NewColdkey: to}); err != nil {
			b.Fatal(err)
		}
		x.Height += p.ColdkeySwapDelay
		b.StartTimer()
		if err := x.ExecuteColdkeySwaps(&fakeSubnets{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := len(StakesOf(st, to)); got != n-1 {
			b.Fatalf("moved %d positions in the first block, want %d", got, n-1)
		}
		store.Close()
		b.StartTimer()
	}
}

// BenchmarkColdkeyFrozenAbsent is the freeze check every transaction pays
// (chain's checkTx): a read of a swap record that is not there, in a state
// with 10,000 accounts written (not committed: the read goes to the flat
// store below, which holds nothing, so this is the check's floor).
func BenchmarkColdkeyFrozenAbsent(b *testing.B) {
	store, err := state.Open(b.TempDir(), state.Options{CacheMB: 32, TrieCache: 16})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	st := store.NewState()
	for i := 0; i < 10_000; i++ {
		st.SetAccount(types.Address{byte(i >> 8), byte(i)}, state.Account{Balance: 1})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ColdkeyFrozen(st, types.Address{byte(i >> 8), byte(i)}) != nil {
			b.Fatal("frozen")
		}
	}
}
