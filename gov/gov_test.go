package gov

import (
	"errors"
	"testing"

	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

func addr(b byte) types.Address { return types.Address{b} }

// fakeRegistry records what gov asked of the parameter registry and
// refuses or fails as told.
type fakeRegistry struct {
	checked, applied [][]types.ParamChange
	refuse           error // ApplyChanges refuses with it
	checkErr         error // CheckChanges fails with it
}

func (r *fakeRegistry) CheckChanges(ch []types.ParamChange) error {
	r.checked = append(r.checked, ch)
	return r.checkErr
}

func (r *fakeRegistry) ApplyChanges(ch []types.ParamChange) (error, error) {
	r.applied = append(r.applied, ch)
	return r.refuse, nil
}

// testState is a fresh state where addr(1..3) hold 100 TAO and the
// hotkeys addr(10) (owned by addr(1)) and addr(11) (owned by addr(2)) carry
// stake: addr(1) 60 on 10, addr(3) 30 on 10, addr(2) 10 on 11. Issuance
// counts the balances and the stake, so recycling has something to take.
func testState(t *testing.T) *state.State {
	t.Helper()
	st := modtest.State(t, 100*tao, addr(1), addr(2), addr(3))
	p := staking.TestParams()
	staking.RegisterHotkey(st, p, addr(10), addr(1))
	staking.RegisterHotkey(st, p, addr(11), addr(2))
	staking.CreditStake(st, addr(1), addr(10), 60*tao)
	staking.CreditStake(st, addr(3), addr(10), 30*tao)
	staking.CreditStake(st, addr(2), addr(11), 10*tao)
	st.SetIssuance(400 * tao)
	return st
}

func testParams() Params {
	return Params{MinDeposit: tao, VotingPeriod: 10, Quorum: 334_000, Threshold: 500_000, VetoThreshold: 334_000}
}

// TestTallyDelegation: a position votes with its coldkey if that voted,
// else with its hotkey's owner; stake nobody voted for counts only in the
// total.
func TestTallyDelegation(t *testing.T) {
	st := testState(t)
	x := &Block{State: st, Height: 1, Params: testParams(), Registry: &fakeRegistry{}}
	if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: tao}); err != nil {
		t.Fatal(err)
	}
	// addr(1) owns hotkey 10 and votes yes: its own 60 and addr(3)'s 30
	// follow it unless addr(3) votes itself.
	if err := x.Vote(addr(1), &types.GovVote{ProposalID: 1, Option: types.VoteYes}); err != nil {
		t.Fatal(err)
	}
	tl, total, err := TallyStake(st, []uint64{1})
	if err != nil {
		t.Fatal(err)
	}
	if tl[0] != (Tally{Yes: 90 * tao}) || total != 100*tao {
		t.Fatalf("owner's vote carries its nominators: %+v of %d", tl[0], total)
	}
	if err := x.Vote(addr(3), &types.GovVote{ProposalID: 1, Option: types.VoteNo}); err != nil {
		t.Fatal(err)
	}
	if got := TallyVotes(st, 1); got != (Tally{Yes: 60 * tao, No: 30 * tao}) {
		t.Fatalf("a nominator's own vote overrides its validator's: %+v", got)
	}
}

// TestOutcomes runs proposals to the end of their vote: passed (deposit
// back, changes to the registry), refused by the registry (failed, reason
// kept), no quorum (deposit recycled), vetoed (deposit recycled).
func TestOutcomes(t *testing.T) {
	change := []types.ParamChange{{Key: "gov.voting_period", Value: "20"}}
	cases := []struct {
		name      string
		votes     map[byte]uint8 // coldkey → option
		refuse    error
		status    uint8
		reason    string
		depositBk bool // the deposit returns to the proposer
	}{
		{"passed", map[byte]uint8{1: types.VoteYes}, nil, StatusPassed, "", true},
		{"refused", map[byte]uint8{1: types.VoteYes}, errors.New("no longer fits"), StatusFailed, "no longer fits", true},
		{"no quorum", map[byte]uint8{2: types.VoteYes}, nil, StatusRejected, "quorum not reached", false},
		{"vetoed", map[byte]uint8{1: types.VoteYes, 3: types.VoteVeto, 2: types.VoteVeto}, nil, StatusVetoed, "vetoed", false},
		{"threshold", map[byte]uint8{1: types.VoteNo, 2: types.VoteYes}, nil, StatusRejected, "threshold not reached", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := testState(t)
			reg := &fakeRegistry{refuse: tc.refuse}
			x := &Block{State: st, Height: 1, Params: testParams(), Registry: reg}
			if err := x.Propose(addr(2), &types.Propose{ProposalKind: types.ProposalParamChange, Title: "t", Changes: change, Deposit: 5 * tao}); err != nil {
				t.Fatal(err)
			}
			if len(reg.checked) != 1 {
				t.Fatalf("registry checked %d times at submission, want 1", len(reg.checked))
			}
			for _, v := range []byte{1, 2, 3} {
				if opt, ok := tc.votes[v]; ok {
					if err := x.Vote(addr(v), &types.GovVote{ProposalID: 1, Option: opt}); err != nil {
						t.Fatal(err)
					}
				}
			}
			issuance := st.Issuance()
			end := &Block{State: st, Height: 11, Params: testParams(), Registry: reg}
			if err := end.EndBlock(); err != nil {
				t.Fatal(err)
			}
			pr, _ := GetProposal(st, 1)
			if pr.Status != tc.status || pr.Reason != tc.reason {
				t.Fatalf("status %s (%q), want %s (%q)", StatusName(pr.Status), pr.Reason, StatusName(tc.status), tc.reason)
			}
			wantApplied := 0
			if tc.status == StatusPassed || tc.status == StatusFailed {
				wantApplied = 1
			}
			if len(reg.applied) != wantApplied {
				t.Fatalf("registry applied %d times, want %d", len(reg.applied), wantApplied)
			}
			bal := st.Account(addr(2)).Balance
			if tc.depositBk && (bal != 100*tao || st.Issuance() != issuance) {
				t.Fatalf("deposit not returned: balance %d, issuance %d → %d", bal, issuance, st.Issuance())
			}
			if !tc.depositBk && (bal != 95*tao || st.Issuance() != issuance-5*tao) {
				t.Fatalf("deposit not recycled: balance %d, issuance %d → %d", bal, issuance, st.Issuance())
			}
		})
	}
}

// TestProposeRefusals: a deposit below the minimum, a change the registry
// refuses, an upgrade inside the voting period, and the per-height cap.
func TestProposeRefusals(t *testing.T) {
	st := testState(t)
	reg := &fakeRegistry{checkErr: errors.New("bad change")}
	x := &Block{State: st, Height: 1, Params: testParams(), Registry: reg}
	if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalText, Deposit: tao - 1}); !errors.Is(err, ErrDepositTooLow) {
		t.Fatalf("low deposit: %v", err)
	}
	if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalParamChange, Changes: []types.ParamChange{{Key: "k", Value: "1"}}, Deposit: tao}); err == nil || err.Error() != "bad change" {
		t.Fatalf("refused change: %v", err)
	}
	if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalUpgrade, UpgradeName: "u", UpgradeHeight: 12, Deposit: tao}); !errors.Is(err, ErrUpgradeTooSoon) {
		t.Fatalf("upgrade at the end of the vote: %v", err)
	}
	for i := 0; i < MaxProposalsPerEnd; i++ {
		st.SetAccount(addr(1), state.Account{Balance: 100 * tao})
		if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalText, Deposit: tao}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Propose(addr(1), &types.Propose{ProposalKind: types.ProposalText, Deposit: tao}); !errors.Is(err, ErrTooManyProposals) {
		t.Fatalf("proposal %d ending at one height: %v", MaxProposalsPerEnd+1, err)
	}
}

// TestCancelAndUpgradeHalt: cancelling recycles half the deposit; a passed
// upgrade halts at its height unless this binary implements it.
func TestCancelAndUpgradeHalt(t *testing.T) {
	st := testState(t)
	x := &Block{State: st, Height: 1, Params: testParams(), Registry: &fakeRegistry{}}
	if err := x.Propose(addr(2), &types.Propose{ProposalKind: types.ProposalText, Deposit: 4 * tao}); err != nil {
		t.Fatal(err)
	}
	if err := x.CancelProposal(addr(1), &types.CancelProposal{ProposalID: 1}); !errors.Is(err, ErrNotProposer) {
		t.Fatalf("cancel by another: %v", err)
	}
	if err := x.CancelProposal(addr(2), &types.CancelProposal{ProposalID: 1}); err != nil {
		t.Fatal(err)
	}
	if bal := st.Account(addr(2)).Balance; bal != 98*tao {
		t.Fatalf("after cancel balance %d, want 98 TAO (half the deposit recycled)", bal)
	}
	if err := x.Vote(addr(1), &types.GovVote{ProposalID: 1, Option: types.VoteYes}); !errors.Is(err, ErrVotingClosed) {
		t.Fatalf("vote on a cancelled proposal: %v", err)
	}

	if err := x.Propose(addr(2), &types.Propose{ProposalKind: types.ProposalUpgrade, UpgradeName: "v2", UpgradeHeight: 20, Deposit: tao}); err != nil {
		t.Fatal(err)
	}
	if err := x.Vote(addr(1), &types.GovVote{ProposalID: 2, Option: types.VoteYes}); err != nil {
		t.Fatal(err)
	}
	if err := (&Block{State: st, Height: 11, Params: testParams()}).EndBlock(); err != nil {
		t.Fatal(err)
	}
	if u, ok := ScheduledUpgrade(st); !ok || u != (Upgrade{Name: "v2", Height: 20}) {
		t.Fatalf("scheduled upgrade %+v %v", u, ok)
	}
	if err := CheckUpgrade(st, 19, nil); err != nil {
		t.Fatalf("before the upgrade height: %v", err)
	}
	if err := CheckUpgrade(st, 20, nil); !errors.Is(err, ErrUpgradeRequired) {
		t.Fatalf("at the upgrade height without it: %v", err)
	}
	if err := CheckUpgrade(st, 20, map[string]bool{"v2": true}); err != nil {
		t.Fatalf("at the upgrade height with it: %v", err)
	}
}
