package client_test

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// The event reads reach their methods and find a transfer: by filter
// (tao_getEvents), in the recipient's history (tao_getAccountHistory, on a
// node that indexes), and limits out of range are the node's refusals.
func TestEventReads(t *testing.T) {
	tn := clienttest.StartWith(t, func(cfg *node.Config, _ *chain.Genesis) { cfg.Index.Enabled = true })
	c := tn.Dial(t, false)
	ctx := ctxT(t)
	to := types.Address{0x5e, 0x17}
	r, err := c.SendAndWait(ctx, signer(t, devkeys.Key(0)), client.Transfer(to, 3*types.RaoPerTAO))
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Events(ctx, rpc.EventFilter{Kinds: []string{"transfer"}, Address: &to})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].BlockNumber != r.BlockNumber || page.Events[0].Amount != "3000000000" || page.Next != nil {
		t.Fatalf("transfer events %+v", page)
	}
	h, err := c.AccountHistory(ctx, to, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) == 0 || h.Events[0].Kind != "transfer" || h.Events[0].BlockNumber != r.BlockNumber {
		t.Fatalf("history of %s: %+v", to, h)
	}
	if _, err := c.AccountHistory(ctx, to, "", 101); err == nil {
		t.Fatal("limit 101 accepted")
	}
	if pts, err := c.SubnetHistory(ctx, 99, 0, 0); err != nil || len(pts) != 0 {
		t.Fatalf("history of a subnet that never ran an epoch: %v %v", pts, err)
	}
	if _, err := c.SubnetHistory(ctx, 1, 0, rpc.MaxHistoryEpochs+1); err == nil {
		t.Fatal("257 epochs of history accepted")
	}
}
