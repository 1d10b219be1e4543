package chain

import (
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// events are the committed chain's events of kind k, oldest first.
func (w *world) events(k types.EventKind) []types.Event {
	w.t.Helper()
	var out []types.Event
	head, _ := w.c.Store().Head()
	for h := uint64(1); h <= head.Height; h++ {
		hash, err := w.c.Store().BlockHash(h)
		if err != nil {
			w.t.Fatal(err)
		}
		rs, err := w.c.Store().Receipts(hash)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, r := range rs {
			for _, e := range r.Events {
				if e.Kind == k {
					out = append(out, e)
				}
			}
		}
	}
	return out
}

func kinds(evs []types.Event) []types.EventKind {
	out := make([]types.EventKind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

func sameKinds(got []types.Event, want ...types.EventKind) bool {
	k := kinds(got)
	if len(k) != len(want) {
		return false
	}
	for i := range k {
		if k[i] != want[i] {
			return false
		}
	}
	return true
}

// A transfer reports its fee and the transfer; a failed call reports only
// the fee it paid (its writes, and so its events, are undone); the block
// receipt ends the list and has no tx hash.
func TestTxEventsAndFailedCallEmitsNothing(t *testing.T) {
	w := newWorld(t)
	a, b := devkeys.Address(1), devkeys.Address(2)
	ok := w.call(1, &types.Transfer{To: b, Amount: 3 * tao})
	bad := w.call(1, &types.Transfer{To: b, Amount: 1 << 62})
	e := w.block(nil, nil, ok, bad)
	if len(e.Receipts) != 3 || !e.Receipts[2].IsBlockReceipt() || e.Receipts[1].IsBlockReceipt() {
		t.Fatalf("receipts %+v: want two tx receipts then the block receipt", e.Receipts)
	}
	r := e.Receipts[0]
	if r.Version != types.ReceiptVersion || !sameKinds(r.Events, types.EvFeePaid, types.EvTransfer) {
		t.Fatalf("transfer receipt %+v", r)
	}
	if ev := r.Events[1]; ev.Addr != a || ev.Peer != b || ev.Amount != 3*tao {
		t.Fatalf("transfer event %+v", ev)
	}
	if r.Events[0].Amount != r.FeePaid || r.Events[0].Addr != a {
		t.Fatalf("fee event %+v, fee paid %d", r.Events[0], r.FeePaid)
	}
	f := e.Receipts[1]
	if f.Status != types.ReceiptFailed || !sameKinds(f.Events, types.EvFeePaid) {
		t.Fatalf("failed call's receipt %+v: want only its fee", f)
	}
	if e.Block.Header.ReceiptsRoot != types.ReceiptsRoot(e.Receipts) {
		t.Fatal("the header's receipts root is not over the receipts with the block receipt")
	}
}

// Events are consensus: a replica executing the block gets the same
// receipts, and a block whose receipts root leaves out an event is refused.
func TestEventsAreInTheReceiptsRoot(t *testing.T) {
	w := newWorld(t)
	w.ok(w.bind(1, 0))
	tx := w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao})
	head, _ := w.c.Store().Head()
	e, _, err := w.c.Propose(Proposal{Time: head.Time + 200, LastCommit: lastCommit(t, w.c)}, []*types.Tx{tx})
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.c.Execute(e.Block, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !sameKinds(again.Receipts[0].Events, types.EvFeePaid, types.EvStakeAdded) {
		t.Fatalf("executed receipt %+v", again.Receipts[0])
	}
	forged := e.Receipts[0]
	forged.Events = forged.Events[:1]
	h := e.Block.Header
	h.ReceiptsRoot = types.ReceiptsRoot([]types.Receipt{forged, e.Receipts[1]})
	b := types.NewBlock(h, e.Block.Txs, e.Block.LastCommit, e.Block.Evidence)
	if _, err := w.c.Execute(b, 0); err == nil {
		t.Fatal("a block whose receipts root drops an event was accepted")
	}
}

// End-of-block work reports in the block receipt: the unbonding release,
// and a subnet's epoch with the digest of its per-UID table.
func TestBlockReceiptHoldsEndOfBlockEvents(t *testing.T) {
	w := newWorld(t)
	c1 := devkeys.Address(1)
	w.ok(w.bind(1, 0))
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao}))
	e := w.block(nil, nil, w.call(1, &types.RemoveStake{Hotkey: hot(0), Amount: 40 * tao}))
	release := e.Block.Height() + w.c.Params().Staking.UnbondingPeriod
	if ev := e.Receipts[0].Events[1]; ev.Kind != types.EvStakeRemoved || ev.Ref != release || ev.Amount != 40*tao {
		t.Fatalf("remove event %+v, release at %d", ev, release)
	}
	w.until(release - 1)
	e = w.block(nil, nil)
	last := e.Receipts[len(e.Receipts)-1]
	var found bool
	for _, ev := range last.Events {
		found = found || ev.Kind == types.EvStakeUnbonded && ev.Addr == c1 && ev.Peer == hot(0) && ev.Amount == 40*tao
	}
	if !found {
		t.Fatalf("block receipt %+v has no release of 40 TAO", last)
	}

	w.ok(w.call(1, &types.RegisterNetwork{Name: "ev"}))
	w.ok(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)}))
	tempo := w.c.Params().Subnets.Defaults.Tempo
	for i := uint64(0); i < tempo+1; i++ {
		e = w.block(nil, nil)
		if len(e.Epochs) == 0 {
			continue
		}
		tab := e.Epochs[0]
		blk := e.Receipts[len(e.Receipts)-1]
		for _, ev := range blk.Events {
			if ev.Kind == types.EvEpoch {
				d := tab.Digest()
				if ev.Netuid != 1 || ev.UID != 1 || string(ev.Data) != string(d[:]) || tab.Rows[0].Hotkey != devkeys.Address(30) {
					t.Fatalf("epoch event %+v, table %+v", ev, tab)
				}
				return
			}
		}
		t.Fatalf("an epoch table without its event: %+v", blk)
	}
	t.Fatalf("no epoch in %d blocks", tempo+1)
}

// A fee-free registration is dry-run before it runs: its receipt reports
// the registration once, and no fee.
func TestFeeFreeCallEmitsOnce(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "pow"}))
	hk := devkeys.Key(40)
	e := w.block(nil, nil, w.signed(hk, 0, w.mine(1, hk, devkeys.Address(5))))
	r := e.Receipts[0]
	if r.Status != types.ReceiptSuccess || !sameKinds(r.Events, types.EvNeuronRegistered) {
		t.Fatalf("fee-free registration's receipt %+v", r)
	}
	if ev := r.Events[0]; ev.Addr != devkeys.Address(40) || ev.Netuid != 1 || ev.UID != 0 || ev.Peer != (types.Address{}) {
		t.Fatalf("registration event %+v", ev)
	}
}
