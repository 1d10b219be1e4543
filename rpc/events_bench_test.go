package rpc_test

import (
	"context"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkEvents10kBlocks times, over JSON-RPC, the worst tao_getEvents
// call (the whole 10,000-block range scanned for one address's transfers:
// one every 10 blocks, 1,000 matches) and a 100-event page of
// tao_getAccountHistory for that address. Building the chain is not timed.
func BenchmarkEvents10kBlocks(b *testing.B) {
	c, store := openChain(b, state.Options{CacheMB: 64, TrieCache: 16, Index: true, NoSyncDisk: true}, 2, nil)
	g := &goldenChain{t: b, c: c, store: store, txs: map[string]types.Hash{}}
	to := types.Address{0x77}
	var nonce uint64
	for h := 1; h <= rpc.MaxEventsRange; h++ {
		if h%10 == 0 {
			g.produce(g.sign(devkeys.Key(1), nonce, &types.Transfer{To: to, Amount: 1}))
			nonce++
		} else {
			g.produce()
		}
	}
	cl := dialChain(b, c)
	filter := map[string]any{"address": to, "kinds": []string{"transfer"}, "fromBlock": 1, "toBlock": rpc.MaxEventsRange}
	b.Run("getEvents", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var page rpc.EventsPage
			if err := cl.CallContext(context.Background(), &page, "tao_getEvents", filter); err != nil {
				b.Fatal(err)
			}
			if len(page.Events) != rpc.MaxEventsResults {
				b.Fatalf("%d events", len(page.Events))
			}
		}
	})
	b.Run("accountHistory100", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var h rpc.AccountHistory
			if err := cl.CallContext(context.Background(), &h, "tao_getAccountHistory", to, nil, 100); err != nil {
				b.Fatal(err)
			}
			if len(h.Events) != 100 || h.Next == nil {
				b.Fatalf("%d events", len(h.Events))
			}
		}
	})
}
