package chain

import (
	"errors"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// govWorld: hotkey 0 owned by coldkey 1 (stake 100), nominators coldkey 2
// (stake 60) and coldkey 3 (stake 40) on it; coldkey 4 has 50 on hotkey 1 it owns.
func govWorld(t *testing.T) *world {
	w := newWorld(t)
	w.ok(w.bind(1, 0), w.bind(4, 1))
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao}),
		w.call(2, &types.AddStake{Hotkey: hot(0), Amount: 60 * tao}),
		w.call(3, &types.AddStake{Hotkey: hot(0), Amount: 40 * tao}),
		w.call(4, &types.AddStake{Hotkey: hot(1), Amount: 50 * tao}))
	return w
}

func (w *world) propose(from int, p *types.Propose) uint64 {
	w.t.Helper()
	w.ok(w.call(from, p))
	prs := gov.Proposals(w.st())
	return prs[len(prs)-1].ID
}

func (w *world) finish(id uint64) gov.Proposal {
	w.t.Helper()
	pr, _ := gov.GetProposal(w.st(), id)
	w.until(pr.VotingEnd)
	pr, _ = gov.GetProposal(w.st(), id)
	return pr
}

func paramChange(key, value string) *types.Propose {
	return &types.Propose{ProposalKind: types.ProposalParamChange, Title: "change " + key, Changes: []types.ParamChange{{Key: key, Value: value}}, Deposit: 2 * tao}
}

func TestGovPassAppliesParamsAtDefinedBlock(t *testing.T) {
	w := govWorld(t)
	before := w.c.Params().Staking.UnbondingPeriod
	bal := w.st().Account(devkeys.Address(5)).Balance
	id := w.propose(5, paramChange("staking.unbonding_period", "33"))
	w.ok(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}), w.call(4, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	pr, _ := gov.GetProposal(w.st(), id)
	w.until(pr.VotingEnd - 1)
	if w.c.Params().Staking.UnbondingPeriod != before {
		t.Fatal("changed before the voting ended")
	}
	pr = w.finish(id)
	if pr.Status != gov.StatusPassed || w.c.Params().Staking.UnbondingPeriod != 33 {
		t.Fatalf("status %s, unbonding %d", gov.StatusName(pr.Status), w.c.Params().Staking.UnbondingPeriod)
	}
	if pr.Tally.Yes != 250*tao || pr.SnapshotStake != 250*tao {
		t.Fatalf("tally %+v of %d", pr.Tally, pr.SnapshotStake)
	}
	if got := w.st().Account(devkeys.Address(5)).Balance; got != bal-w.fee(paramChange("staking.unbonding_period", "33")) {
		t.Fatalf("deposit not returned: %d vs %d", got, bal)
	}
	// The next block runs under the new parameter.
	e := w.block(nil, nil, w.call(2, &types.RemoveStake{Hotkey: hot(0), Amount: tao}))
	if u := staking.UnbondingOf(w.st(), devkeys.Address(2)); len(u) != 1 || u[0].ReleaseAt != e.Block.Height()+33 {
		t.Fatalf("unbonding under the new period: %+v", u)
	}
}

func TestGovQuorumVetoAndOverride(t *testing.T) {
	w := govWorld(t)
	// Quorum: only coldkey 3 (40 of 250 = 16%) votes.
	iss := w.st().Issuance()
	id := w.propose(5, paramChange("base_fee_per_weight", "2"))
	w.ok(w.call(3, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	pr := w.finish(id)
	if pr.Status != gov.StatusRejected || pr.Reason != "quorum not reached" {
		t.Fatalf("quorum: %s %q", gov.StatusName(pr.Status), pr.Reason)
	}
	if evs := w.events(types.EvProposalFailed); len(evs) != 1 || evs[0].Ref != id || string(evs[0].Data) != "quorum not reached" || evs[0].Addr != devkeys.Address(5) {
		t.Fatalf("proposal failed events %+v", evs)
	}
	if w.c.Params().BaseFeePerWeight != 1 {
		t.Fatal("rejected change applied")
	}
	_ = iss

	// Veto: coldkey 4 (50) vetoes, coldkey 1's hotkey (200 incl. nominators) votes yes: 20% veto < 33.4%.
	// Then with coldkey 2 (60) also vetoing: 110/250 = 44% ≥ 33.4%: vetoed, deposit recycled.
	id = w.propose(5, paramChange("base_fee_per_weight", "2"))
	w.ok(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		w.call(4, &types.GovVote{ProposalID: id, Option: types.VoteVeto}),
		w.call(2, &types.GovVote{ProposalID: id, Option: types.VoteVeto}))
	// Nominator override: coldkey 2's 60 goes to veto, not with its validator's yes;
	// coldkey 3 (silent) follows its validator's owner (coldkey 1): yes.
	live := gov.TallyVotes(w.st(), id)
	if live.Yes != 140*tao || live.Veto != 110*tao {
		t.Fatalf("live tally %+v", live)
	}
	// The tally takes stake as it stands when the voting ends (no
	// snapshot): coldkey 5's silent stake on hotkey 1 follows its owner
	// (coldkey 4): veto.
	w.ok(w.call(5, &types.AddStake{Hotkey: hot(1), Amount: 500 * tao}))
	live.Veto += 500 * tao
	if got := gov.TallyVotes(w.st(), id); got != live {
		t.Fatalf("stake added during the vote: tally %+v, want %+v", got, live)
	}
	bal5 := w.st().Account(devkeys.Address(5)).Balance
	pr = w.finish(id)
	if pr.Status != gov.StatusVetoed || pr.Tally != live || pr.SnapshotStake != 750*tao {
		t.Fatalf("veto: %s %+v of %d", gov.StatusName(pr.Status), pr.Tally, pr.SnapshotStake)
	}
	if w.st().Account(devkeys.Address(5)).Balance != bal5 {
		t.Fatal("a vetoed proposal's deposit was returned")
	}
	subnetConservation(t, w)
}

func TestGovRejectsMonetaryPolicyAndBadKeys(t *testing.T) {
	w := govWorld(t)
	for _, c := range []struct {
		key  string
		want error
	}{
		{"emission.max_supply", ErrMonetaryPolicy},
		{"block_reward", ErrMonetaryPolicy},
		{"subnets.miner_split", ErrMonetaryPolicy},
		{"staking.consensus_epoch", ErrNotGovernable},
		{"staking.no_such_thing", ErrUnknownParameter},
		{"staking.max_take_ppm", ErrBadParamValue}, // 2,000,000 ppm fails validation
	} {
		v := "2000000"
		w.fails(w.call(5, paramChange(c.key, v)), c.want)
	}
	w.fails(w.call(5, &types.Propose{ProposalKind: types.ProposalText, Title: "cheap", Deposit: 1}), gov.ErrDepositTooLow)
	if len(gov.Proposals(w.st())) != 0 {
		t.Fatal("a refused proposal was stored")
	}
}

func TestGovCancelAndUpgradeHalt(t *testing.T) {
	w := govWorld(t)
	id := w.propose(5, &types.Propose{ProposalKind: types.ProposalText, Title: "hello", Deposit: 3 * tao})
	w.fails(w.call(4, &types.CancelProposal{ProposalID: id}), gov.ErrNotProposer)
	bal := w.st().Account(devkeys.Address(5)).Balance
	w.ok(w.call(5, &types.CancelProposal{ProposalID: id}))
	// Half the deposit comes back; the other half is recycled.
	if pr, _ := gov.GetProposal(w.st(), id); pr.Status != gov.StatusCancelled || w.st().Account(devkeys.Address(5)).Balance != bal+3*tao/2-w.fee(&types.CancelProposal{ProposalID: id}) {
		t.Fatalf("cancel: %+v", pr)
	}
	w.fails(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}), gov.ErrVotingClosed)

	p := w.c.Params().Gov
	halt := w.height() + p.VotingPeriod + 5
	w.fails(w.call(5, &types.Propose{ProposalKind: types.ProposalUpgrade, Title: "v2", UpgradeName: "v2", UpgradeHeight: w.height() + 2, Deposit: tao}), gov.ErrUpgradeTooSoon)
	halt = w.height() + p.VotingPeriod + 5
	id = w.propose(5, &types.Propose{ProposalKind: types.ProposalUpgrade, Title: "v2", UpgradeName: "v2", UpgradeHeight: halt, Deposit: tao})
	w.ok(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	if pr := w.finish(id); pr.Status != gov.StatusPassed {
		t.Fatalf("upgrade proposal %s %q", gov.StatusName(pr.Status), pr.Reason)
	}
	w.until(halt - 1)
	head, _ := w.c.Store().Head()
	if _, _, err := w.c.Propose(Proposal{Time: head.Time + 1, LastCommit: lastCommit(t, w.c)}, nil); !errors.Is(err, gov.ErrUpgradeRequired) {
		t.Fatalf("block at the halt height: %v", err)
	}
	w.c.SetUpgrades([]string{"v2"})
	w.block(nil, nil)
	if w.height() != halt {
		t.Fatal("upgraded binary did not go on")
	}
}
