package chain

import (
	"testing"

	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// receiptOf runs tx alone in a block and returns its receipt, requiring
// success.
func (w *world) receiptOf(tx *types.Tx) types.Receipt {
	w.t.Helper()
	e := w.block(nil, nil, tx)
	r := e.Receipts[0]
	if r.Status != types.ReceiptSuccess {
		w.t.Fatalf("call failed: %s", r.Error)
	}
	return r
}

// Receipt format 2: a burn a coldkey pays shows on the coldkey (EvFeePaid
// with a Ref naming the burn, after the tx's own fee) and as the Amount
// of the call's own event; the balance moves by exactly fee + burn.
func TestBurnsCarryTheirAmounts(t *testing.T) {
	w := newWorld(t)
	cold := devkeys.Address(2)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "burns"}))
	s, _ := subnet.Get(w.st(), 1)
	if s.Burn == 0 {
		t.Fatal("the test needs a subnet whose registration burns")
	}
	before := w.st().Account(cold).Balance
	reg := w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: hot(5)})
	r := w.receiptOf(reg)
	if !sameKinds(r.Events, types.EvFeePaid, types.EvFeePaid, types.EvNeuronRegistered) {
		t.Fatalf("burned registration's events %+v", r.Events)
	}
	if ev := r.Events[1]; ev.Addr != cold || ev.Amount != s.Burn || ev.Ref != types.FeeRegistrationBurn {
		t.Fatalf("burn event %+v, want coldkey %s paying %d", ev, cold, s.Burn)
	}
	if ev := r.Events[2]; ev.Addr != hot(5) || ev.Amount != s.Burn || ev.Netuid != 1 {
		t.Fatalf("registration event %+v, want burn %d", ev, s.Burn)
	}
	if paid := before - w.st().Account(cold).Balance; paid != r.Events[0].Amount+r.Events[1].Amount {
		t.Fatalf("the coldkey paid %d rao, its feePaid events say %d + %d", paid, r.Events[0].Amount, r.Events[1].Amount)
	}

	w.ok(w.bind(3, 0))
	burn := w.c.Params().Staking.HotkeySwapBurn
	r = w.receiptOf(w.call(3, &types.SwapHotkey{Old: hot(0), New: hot(7)}))
	if !sameKinds(r.Events, types.EvFeePaid, types.EvFeePaid, types.EvHotkeySwapped) ||
		r.Events[1].Addr != devkeys.Address(3) || r.Events[1].Amount != burn || r.Events[1].Ref != types.FeeHotkeySwap ||
		r.Events[2].Amount != burn || r.Events[2].Addr != hot(0) || r.Events[2].Peer != hot(7) {
		t.Fatalf("hotkey swap's events %+v, want a burn of %d", r.Events, burn)
	}

	cost := w.c.Params().Staking.ColdkeySwapCost
	r = w.receiptOf(w.call(4, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(60)}))
	if !sameKinds(r.Events, types.EvFeePaid, types.EvFeePaid, types.EvColdkeySwapScheduled) ||
		r.Events[1].Addr != devkeys.Address(4) || r.Events[1].Amount != cost || r.Events[1].Ref != types.FeeColdkeySwap ||
		r.Events[2].Amount != cost {
		t.Fatalf("coldkey swap's events %+v, want a cost of %d", r.Events, cost)
	}
}

// A proposal's outcome reports the deposit refunded: all of it when it
// passed or missed the threshold, none when quorum failed (recycled), and
// the cancel's share when its proposer cancelled it.
func TestProposalEventsCarryTheRefund(t *testing.T) {
	w := govWorld(t)
	const deposit = 4 * tao
	text := func(title string) *types.Propose {
		return &types.Propose{ProposalKind: types.ProposalText, Title: title, Deposit: deposit}
	}
	passed := w.propose(5, text("yes"))
	w.ok(w.call(1, &types.GovVote{ProposalID: passed, Option: types.VoteYes}), w.call(4, &types.GovVote{ProposalID: passed, Option: types.VoteYes}))
	w.finish(passed)
	threshold := w.propose(5, text("no"))
	w.ok(w.call(1, &types.GovVote{ProposalID: threshold, Option: types.VoteNo}), w.call(4, &types.GovVote{ProposalID: threshold, Option: types.VoteYes}))
	if pr := w.finish(threshold); pr.Status != gov.StatusRejected || pr.Reason != "threshold not reached" {
		t.Fatalf("threshold proposal %s %q", gov.StatusName(pr.Status), pr.Reason)
	}
	quorum := w.propose(5, text("silence"))
	w.finish(quorum)
	cancelled := w.propose(5, text("never mind"))
	w.ok(w.call(5, &types.CancelProposal{ProposalID: cancelled}))

	want := map[uint64]struct {
		kind   types.EventKind
		refund uint64
	}{
		passed:    {types.EvProposalPassed, deposit},
		threshold: {types.EvProposalFailed, deposit},
		quorum:    {types.EvProposalFailed, 0},
		cancelled: {types.EvProposalCancelled, deposit - deposit*gov.CancelBurnPPM/types.PPM},
	}
	var got int
	for _, k := range []types.EventKind{types.EvProposalPassed, types.EvProposalFailed, types.EvProposalCancelled} {
		for _, ev := range w.events(k) {
			wt, ok := want[ev.Ref]
			if !ok || wt.kind != k || ev.Amount != wt.refund || ev.Addr != devkeys.Address(5) {
				t.Errorf("%s of proposal %d: amount %d, addr %s; want %s refunding %d", k, ev.Ref, ev.Amount, ev.Addr, wt.kind, wt.refund)
			}
			got++
		}
	}
	if got != len(want) {
		t.Fatalf("%d outcome events, want %d", got, len(want))
	}
	if want[cancelled].refund == 0 || want[cancelled].refund == deposit {
		t.Fatal("the cancel's refund should be a part of the deposit")
	}
}
