package chain

import (
	"errors"
	"testing"

	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// TestColdkeySwapThroughBlocks: a coldkey owning a subnet, a hotkey with
// stake and a balance schedules a swap; at the due height its subnet,
// hotkey, stake and balance are the new key's, which then spends; the
// schedule's cost and fee were recycled (conservation holds throughout).
func TestColdkeySwapThroughBlocks(t *testing.T) {
	w := newWorld(t)
	old, nw := devkeys.Address(1), devkeys.Address(8)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "mine"}), w.bind(1, 0))
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 50 * tao}))
	w.ok(w.call(1, &types.ScheduleColdkeySwap{NewColdkey: nw}))
	due := w.height() + w.c.Params().Staking.ColdkeySwapDelay
	subnetConservation(t, w)

	w.until(due - 1)
	if s, _ := subnet.Get(w.st(), 1); s.Owner != old || w.st().Account(nw).Balance != 0 {
		t.Fatal("moved before the due height")
	}
	bal := w.st().Account(old).Balance
	w.until(due)
	if s, _ := subnet.Get(w.st(), 1); s.Owner != nw {
		t.Errorf("subnet owner %s", s.Owner)
	}
	if h, _ := staking.HotkeyOf(w.st(), hot(0)); h.Owner != nw {
		t.Errorf("hotkey owner %s", h.Owner)
	}
	if staking.Stake(w.st(), nw, hot(0)) != 50*tao || staking.Stake(w.st(), old, hot(0)) != 0 {
		t.Errorf("stake new %d old %d", staking.Stake(w.st(), nw, hot(0)), staking.Stake(w.st(), old, hot(0)))
	}
	if w.st().Account(nw).Balance != bal || w.st().Account(old).Balance != 0 {
		t.Errorf("balance new %d (want %d), old %d", w.st().Account(nw).Balance, bal, w.st().Account(old).Balance)
	}
	subnetConservation(t, w)
	w.ok(w.call(8, &types.Transfer{To: old, Amount: tao}),
		w.call(8, &types.SetHyperparam{Netuid: 1, Name: "min_allowed_weights", Value: 2}))
}

// TestColdkeySwapDisputeFrozenUntilGovernance: a second schedule to another
// key disputes the swap. Every tx of the old key is then invalid (the
// txpool refuses it, a block carrying it is invalid); a resolution must
// name an announced destination; the passed one moves the swap in the
// block its vote ends, after which the old key signs again.
func TestColdkeySwapDisputeFrozenUntilGovernance(t *testing.T) {
	w := govWorld(t)
	old, owner, thief := devkeys.Address(3), devkeys.Address(8), devkeys.Address(9)
	w.ok(w.call(3, &types.ScheduleColdkeySwap{NewColdkey: owner}))
	w.ok(w.call(3, &types.ScheduleColdkeySwap{NewColdkey: thief}))
	s, _ := staking.ColdkeySwapOf(w.st(), old)
	if s.Status != staking.SwapDisputed {
		t.Fatalf("swap %+v, want disputed", s)
	}
	for _, call := range []types.Call{
		&types.Transfer{To: thief, Amount: tao},
		&types.RemoveStake{Hotkey: hot(0), Amount: tao},
		&types.CancelColdkeySwap{},
		&types.GovVote{ProposalID: 1, Option: types.VoteYes},
	} {
		if _, err := w.c.CheckTx(w.st(), w.call(3, call)); !errors.Is(err, staking.ErrColdkeyFrozen) {
			t.Fatalf("%v from a disputed coldkey: %v", call.Kind(), err)
		}
		clear(w.next)
	}
	resolve := func(to types.Address) *types.Propose {
		return &types.Propose{ProposalKind: types.ProposalColdkeySwap, Title: "coldkey 3", SwapColdkey: old, SwapTo: to, Deposit: 2 * tao}
	}
	w.fails(w.call(1, resolve(devkeys.Address(7))), staking.ErrNotADestination)
	w.fails(w.call(1, &types.Propose{ProposalKind: types.ProposalColdkeySwap, Title: "x", SwapColdkey: devkeys.Address(2), Deposit: 2 * tao}), staking.ErrNotDisputed)

	id := w.propose(1, resolve(owner))
	w.ok(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		w.call(2, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		w.call(4, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	bal := w.st().Account(old).Balance
	pr := w.finish(id)
	if pr.Status != gov.StatusPassed {
		t.Fatalf("resolution %s: %s", gov.StatusName(pr.Status), pr.Reason)
	}
	if staking.Stake(w.st(), owner, hot(0)) != 40*tao || w.st().Account(owner).Balance != bal || w.st().Account(thief).Balance != 0 {
		t.Fatalf("after the resolution: owner stake %d balance %d, thief balance %d", staking.Stake(w.st(), owner, hot(0)), w.st().Account(owner).Balance, w.st().Account(thief).Balance)
	}
	if _, ok := staking.ColdkeySwapOf(w.st(), old); ok || staking.ColdkeyFrozen(w.st(), old) != nil {
		t.Fatal("the old key is still frozen after the swap")
	}
	subnetConservation(t, w)
}

// TestColdkeySwapDisputeLapsesUnlessVoted: with no resolution, a dispute
// lapses at 2 × delay and nothing moves; a resolution in its vote keeps
// the dispute alive to the vote's end, where a failed vote lets it lapse.
func TestColdkeySwapDisputeLapsesUnlessVoted(t *testing.T) {
	w := govWorld(t)
	d := w.c.Params().Staking.ColdkeySwapDelay
	w.ok(w.call(3, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(8)}),
		w.call(2, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(8)}))
	w.ok(w.call(3, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(9)}),
		w.call(2, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(7)}))
	lapse := w.height() + 2*d
	// A resolution for coldkey 2 whose vote ends after the lapse height.
	w.until(lapse - 2)
	id := w.propose(1, &types.Propose{ProposalKind: types.ProposalColdkeySwap, Title: "coldkey 2", SwapColdkey: devkeys.Address(2), Deposit: 2 * tao})
	end := w.height() + w.c.Params().Gov.VotingPeriod
	w.until(lapse)
	if staking.ColdkeyFrozen(w.st(), devkeys.Address(3)) != nil {
		t.Fatal("coldkey 3's dispute did not lapse at 2 × delay")
	}
	if staking.Stake(w.st(), devkeys.Address(3), hot(0)) != 40*tao {
		t.Fatal("a lapsed dispute moved stake")
	}
	if !errors.Is(staking.ColdkeyFrozen(w.st(), devkeys.Address(2)), staking.ErrColdkeyFrozen) {
		t.Fatal("coldkey 2's dispute lapsed while its resolution was in its vote")
	}
	pr := w.finish(id) // nobody votes: quorum not reached
	if pr.VotingEnd != end || pr.Status != gov.StatusRejected {
		t.Fatalf("resolution %s at %d", gov.StatusName(pr.Status), pr.VotingEnd)
	}
	if staking.ColdkeyFrozen(w.st(), devkeys.Address(2)) != nil || staking.Stake(w.st(), devkeys.Address(2), hot(0)) != 60*tao {
		t.Fatal("coldkey 2's dispute did not lapse after its vote")
	}
}

// TestColdkeySwapAcrossEpochs: rewards credited by an epoch in the block
// the swap is due land on the old key's positions and move with them;
// rewards of later epochs go to the new key; the old key holds nothing.
func TestColdkeySwapAcrossEpochs(t *testing.T) {
	w := newWorld(t)
	miners, nw := devkeys.Address(5), devkeys.Address(8)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "text"}))
	w.ok(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)}))
	w.ok(w.call(2, &types.AddStake{Hotkey: devkeys.Address(30), Amount: 300 * tao}))
	for i := 0; i < 2; i++ {
		hk := devkeys.Key(40 + i)
		w.ok(w.signed(hk, 0, w.mine(1, hk, miners)))
	}
	s, _ := subnet.Get(w.st(), 1)
	w.until(nextEpoch(w, s))
	weights := &types.SetWeights{Netuid: 1, UIDs: []uint16{1, 2}, Weights: []uint16{40000, 20000}}
	w.ok(w.signed(devkeys.Key(30), 0, weights))
	w.until(nextEpoch(w, s))
	w.ok(w.signed(devkeys.Key(30), 0, weights))
	minerStake := func(c types.Address) uint64 {
		return staking.Stake(w.st(), c, devkeys.Address(40)) + staking.Stake(w.st(), c, devkeys.Address(41))
	}
	earned := minerStake(miners)
	if earned == 0 {
		t.Fatal("the miners earned nothing: the test proves nothing")
	}
	// Schedule so that the swap is due in the block of the next epoch.
	d := w.c.Params().Staking.ColdkeySwapDelay
	epoch := nextEpoch(w, s)
	for epoch-d <= w.height() {
		epoch += s.Hyper.Tempo
	}
	w.until(epoch - d - 1)
	w.ok(w.call(5, &types.ScheduleColdkeySwap{NewColdkey: nw}))
	w.until(epoch - 1)
	before := minerStake(miners)
	w.until(epoch)
	if minerStake(miners) != 0 || minerStake(nw) <= before {
		t.Fatalf("at the due epoch: old key %d, new key %d (old had %d before the epoch)", minerStake(miners), minerStake(nw), before)
	}
	w.ok(w.signed(devkeys.Key(30), 0, weights))
	moved := minerStake(nw)
	w.until(epoch + s.Hyper.Tempo)
	if minerStake(miners) != 0 || minerStake(nw) <= moved {
		t.Fatalf("the next epoch: old key %d, new key %d (had %d)", minerStake(miners), minerStake(nw), moved)
	}
	subnetConservation(t, w)
}
