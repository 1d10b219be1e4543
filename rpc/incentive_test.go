package rpc_test

import (
	"context"
	"strconv"
	"testing"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// allHistory pages through a's whole history (small pages, so the records
// cross page boundaries) and checks the cursors strictly decrease.
func allHistory(t *testing.T, cl *gethrpc.Client, a types.Address) []rpc.EventJSON {
	t.Helper()
	var (
		out    []rpc.EventJSON
		cursor *string
	)
	for range 200 {
		h := history(t, cl, a, cursor, 3)
		out = append(out, h.Events...)
		if h.Next == nil {
			break
		}
		cursor = h.Next
	}
	for i := 1; i < len(out); i++ {
		p, c := out[i-1], out[i]
		if p.BlockNumber < c.BlockNumber || p.BlockNumber == c.BlockNumber && (p.ReceiptIndex < c.ReceiptIndex ||
			p.ReceiptIndex == c.ReceiptIndex && p.EventIndex <= c.EventIndex) {
			t.Fatalf("history of %s not newest first at %d: %s then %s", a, i, p.Cursor, c.Cursor)
		}
	}
	return out
}

// incentives are the history's incentive records by block.
func incentives(t *testing.T, evs []rpc.EventJSON, hotkey types.Address) map[uint64]rpc.EventJSON {
	t.Helper()
	out := map[uint64]rpc.EventJSON{}
	for _, e := range evs {
		if e.Source == "" {
			continue
		}
		if e.Source != "incentive" || e.Kind != "reward" || e.Ref != types.RewardIncentive || e.TxHash != nil ||
			e.Netuid == nil || *e.Netuid != 1 || e.Address == nil || *e.Address != hotkey {
			t.Fatalf("incentive record %+v", e)
		}
		if _, dup := out[e.BlockNumber]; dup {
			t.Fatalf("two incentive records of %s at block %d", hotkey, e.BlockNumber)
		}
		out[e.BlockNumber] = e
	}
	return out
}

// After epochs that pay a miner, the miner's hotkey and its owner coldkey
// list each epoch's incentive, with the amount the epoch table gives
// (subnet_history's emission), ordered with the events by the same
// cursor. A validator paid both incentive and dividends gets a record of
// its emission less the dividends, which have their own reward event.
func TestAccountHistoryShowsIncentive(t *testing.T) {
	g := newGoldenChain(t)
	cl := dialChain(t, g.c)
	ctx := context.Background()
	for _, c := range []struct {
		uid           uint16
		hotkey, owner types.Address
	}{{1, devkeys.Address(11), devkeys.Address(0)}, {0, devkeys.Address(10), devkeys.Address(1)}} {
		var pts []rpc.EpochPointJSON
		if err := cl.CallContext(ctx, &pts, "subnet_history", 1, c.uid, 256); err != nil {
			t.Fatal(err)
		}
		hot := allHistory(t, cl, c.hotkey)
		byHot, byOwner := incentives(t, hot, c.hotkey), incentives(t, allHistory(t, cl, c.owner), c.hotkey)
		divs := map[uint64]uint64{}
		for _, e := range hot {
			if e.Kind == "reward" && e.Ref == types.RewardDividends {
				a, _ := strconv.ParseUint(e.Amount, 10, 64)
				divs[e.BlockNumber] += a
			}
		}
		var paid int
		for _, p := range pts {
			emission, _ := strconv.ParseUint(p.Emission, 10, 64)
			want := emission - divs[p.Block]
			h, inHot := byHot[p.Block]
			o, inOwner := byOwner[p.Block]
			if want == 0 {
				if inHot || inOwner {
					t.Fatalf("uid %d block %d: a record of nothing %+v", c.uid, p.Block, h)
				}
				continue
			}
			paid++
			t.Logf("uid %d block %d: %d rao (dividends %d)", c.uid, p.Block, want, divs[p.Block])
			if !inHot || !inOwner {
				t.Fatalf("uid %d block %d: emission %s (dividends %d) but records in hotkey %v / owner %v", c.uid, p.Block, p.Emission, divs[p.Block], inHot, inOwner)
			}
			for _, e := range []rpc.EventJSON{h, o} {
				if e.Amount != strconv.FormatUint(want, 10) || e.UID != uint64(c.uid) || e.Peer == nil || *e.Peer != c.owner || e.Cursor != h.Cursor {
					t.Fatalf("uid %d block %d: record %+v, want amount %d owner %s", c.uid, p.Block, e, want, c.owner)
				}
			}
		}
		if len(byHot) != paid || len(byOwner) != paid {
			t.Fatalf("uid %d: %d/%d records for %d paid epochs", c.uid, len(byHot), len(byOwner), paid)
		}
		if c.uid == 1 && (paid == 0 || len(divs) != 0) {
			t.Fatalf("the miner: %d paid epochs, dividends %v: the test needs a miner paid incentive only", paid, divs)
		}
		if c.uid == 0 && len(divs) == 0 {
			t.Fatal("the validator was paid no dividends: the subtraction is not tested")
		}
	}
}
