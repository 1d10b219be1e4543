package staking

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkSwapHotkey swaps a hotkey carrying n stake positions (and n/10
// unbonding entries) along a chain of fresh hotkeys, one swap per op, on
// an uncommitted state (the writes a block would make; hashing them into
// the state root is not counted).
func BenchmarkSwapHotkey(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("positions=%d", n), func(b *testing.B) {
			store, err := state.Open(b.TempDir(), state.Options{CacheMB: 64, TrieCache: 16})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			st := store.NewState()
			p := TestParams()
			p.ConsensusEpoch = MaxDurationBlocks // one validator set (genesis) for every height here
			WriteGenesisSet(st, []types.Validator{{Address: addr(200), Power: 1}})
			owner := addr(1)
			st.SetAccount(owner, state.Account{Balance: 1 << 60})
			st.SetIssuance(1 << 61)
			hk := func(i int) types.Address {
				var a types.Address
				a[0] = 0xEE
				binary.BigEndian.PutUint64(a[12:], uint64(i))
				return a
			}
			RegisterHotkey(st, p, hk(0), owner)
			for i := 0; i < n; i++ {
				var ck types.Address
				ck[0] = 0xC0
				binary.BigEndian.PutUint64(ck[12:], uint64(i))
				setStake(st, ck, hk(0), tao)
				if i%10 == 0 {
					addUnbonding(st, Unbonding{Coldkey: ck, Hotkey: hk(0), Amount: tao, ReleaseAt: 1_000})
				}
			}
			x := &Block{State: st, Height: 10, Params: p, ChainID: 1}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				x.Height += p.HotkeySwapRateLimit
				if err := x.SwapHotkey(owner, &types.SwapHotkey{Old: hk(i), New: hk(i + 1)}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got := len(Nominators(st, hk(b.N))); got != n {
				b.Fatalf("%d positions after the swaps, want %d", got, n)
			}
		})
	}
}
