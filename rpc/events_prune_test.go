package rpc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// On a node keeping the index of the last 10 blocks: the history says
// where it starts, a cursor from a page whose blocks were pruned since is
// refused with an error naming the first kept block, subnet_history with
// nothing kept says so, and tao_getEvents (receipts) still answers for the
// pruned blocks.
func TestHistoryOverAPrunedIndex(t *testing.T) {
	c, store := openChain(t, state.Options{CacheMB: 8, TrieCache: 4, Index: true, IndexKeep: 10}, 2, nil)
	g := &goldenChain{t: t, c: c, store: store, txs: map[string]types.Hash{}}
	cl := dialChain(t, c)
	to := devkeys.Address(40)
	for n := range uint64(12) {
		g.produce(g.sign(devkeys.Key(1), n, &types.Transfer{To: to, Amount: 1 + n}))
	}
	h := history(t, cl, to, nil, 4)
	if h.IndexedFrom != 3 || len(h.Events) != 4 || h.Next == nil {
		t.Fatalf("head 12, keep 10: from %d, %d events, next %v", h.IndexedFrom, len(h.Events), h.Next)
	}
	all := history(t, cl, to, nil, 100)
	if len(all.Events) != 10 || all.Events[9].BlockNumber != 3 || all.Next != nil {
		t.Fatalf("whole kept history: %s", cursors(all.Events))
	}
	old := all.Events[8].Cursor // block 4
	for n := uint64(12); n < 15; n++ {
		g.produce(g.sign(devkeys.Key(1), n, &types.Transfer{To: to, Amount: 1 + n}))
	}
	err := callErr(t, cl, "tao_getAccountHistory", to, old, 4)
	if err.ErrorCode() != rpc.CodeNotFound || !strings.Contains(err.Error(), "starts at block 6") || !strings.Contains(err.Error(), "cursor 4:0:1") {
		t.Fatalf("cursor of a pruned block: %d %v", err.ErrorCode(), err)
	}
	if h := history(t, cl, to, nil, 100); h.IndexedFrom != 6 || len(h.Events) != 10 || h.Events[9].BlockNumber != 6 {
		t.Fatalf("after 3 more blocks: from %d, %s", h.IndexedFrom, cursors(h.Events))
	}

	err = callErr(t, cl, "subnet_history", 1, 99, 8)
	if err.ErrorCode() != rpc.CodeNotFound || !strings.Contains(err.Error(), "starts at block 6") {
		t.Fatalf("subnet_history with nothing kept: %d %v", err.ErrorCode(), err)
	}

	var page rpc.EventsPage
	if err := cl.CallContext(context.Background(), &page, "tao_getEvents", map[string]any{"kinds": []string{"transfer"}, "address": to, "fromBlock": 1, "toBlock": 5}); err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 5 || page.Events[0].BlockNumber != 1 {
		t.Fatalf("tao_getEvents over pruned blocks: %s", cursors(page.Events))
	}
}
