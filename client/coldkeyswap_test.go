package client_test

import (
	"testing"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// A coldkey swap through the client: scheduled, read back (alone and in the
// list), cancelled and read back as a cancelled tombstone.
func TestColdkeySwapSchedulesReadsCancels(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, true)
	ctx := ctxT(t)
	old := signer(t, devkeys.Key(1))
	to := types.Address{0x5a}
	if s, err := c.ColdkeySwap(ctx, old.Address()); err != nil || s != nil {
		t.Fatalf("swap before any: %+v %v", s, err)
	}
	r, err := c.SendAndWait(ctx, old, client.ScheduleColdkeySwap(to))
	if err != nil || r.Status != "success" {
		t.Fatalf("schedule: %+v %v", r, err)
	}
	s, err := c.ColdkeySwap(ctx, old.Address())
	if err != nil || s == nil || s.Status != "scheduled" || s.NewColdkey != to || s.DueAt <= r.BlockNumber || s.Frozen {
		t.Fatalf("scheduled swap %+v %v", s, err)
	}
	list, err := c.ColdkeySwaps(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Coldkey != old.Address() {
		t.Fatalf("pending swaps %+v %v", list, err)
	}
	if _, err := c.ColdkeySwaps(ctx, 0); err == nil {
		t.Fatal("a limit of 0 was accepted")
	}
	if r, err := c.SendAndWait(ctx, old, client.CancelColdkeySwap()); err != nil || r.Status != "success" {
		t.Fatalf("cancel: %+v %v", r, err)
	}
	if s, err := c.ColdkeySwap(ctx, old.Address()); err != nil || s == nil || s.Status != "cancelled" {
		t.Fatalf("cancelled swap %+v %v", s, err)
	}
}
