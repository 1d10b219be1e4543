package chain

import (
	"errors"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"strconv"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// TestGovRefusesParamsThatBreakExecution: each value here passed the old
// validation and broke the chain or governance for good: heights that wrap
// (a release or jail height in the past, an unbonding never released), a
// governance that can pass nothing or vetoes (and burns) everything and so
// can never undo the change, blocks too light for a proposal, fees too high
// to vote a fee back, a downtime record of megabytes per validator.
func TestGovRefusesParamsThatBreakExecution(t *testing.T) {
	p := DefaultParams()
	huge := strconv.FormatUint(1<<63, 10)
	for _, c := range []struct{ key, value string }{
		{"staking.unbonding_period", huge},
		{"staking.jail_period", huge},
		{"staking.take_rate_limit", huge},
		{"staking.downtime_window", "100000000"},
		{"staking.max_bft_validators", "1000000"},
		{"staking.min_bft_validators", "65"}, // above max_bft_validators: no handover ever
		{"subnets.network_immunity", huge},
		{"subnets.pow_block_window", huge},
		{"subnets.root_tempo", huge},
		{"subnets.root_max_validators", "1000000"},
		{"gov.voting_period", huge},
		{"gov.threshold_ppm", "1000000"},
		{"gov.veto_threshold_ppm", "0"},
		{"gov.quorum_ppm", "1000000"},
		{"gov.min_deposit", "0"},
		{"gov.min_deposit", huge}, // no one could afford the proposal that lowers it again
		{"gov.voting_period", strconv.Itoa(staking.MaxLockBlocks + 1)},
		{"staking.unbonding_period", strconv.Itoa(staking.MaxLockBlocks + 1)},
		{"staking.jail_period", strconv.Itoa(staking.MaxLockBlocks + 1)},
		{"max_block_weight", strconv.FormatUint(types.TransferWeight, 10)},
		{"base_fee_per_weight", "1000000000"},
		{"block_time_ms", "1"},
	} {
		if _, err := ApplyParamChanges(p, []types.ParamChange{{Key: c.key, Value: c.value}}); !errors.Is(err, ErrBadParamValue) {
			t.Errorf("%s = %s: %v, want refused", c.key, c.value, err)
		}
	}
	// The bounds themselves are accepted.
	for _, c := range []struct{ key, value string }{
		{"staking.downtime_window", strconv.Itoa(staking.MaxDowntimeWindow)},
		{"gov.threshold_ppm", strconv.Itoa(gov.MaxThresholdPPM)},
		{"gov.veto_threshold_ppm", strconv.Itoa(gov.MinVetoThresholdPPM)},
		{"max_block_weight", strconv.FormatUint(MaxCallWeight, 10)},
		{"gov.min_deposit", strconv.FormatUint(gov.MaxGovDeposit, 10)},
		{"gov.voting_period", strconv.Itoa(staking.MaxLockBlocks)},
		{"staking.unbonding_period", strconv.Itoa(staking.MaxLockBlocks)},
	} {
		if _, err := ApplyParamChanges(p, []types.ParamChange{{Key: c.key, Value: c.value}}); err != nil {
			t.Errorf("%s = %s refused: %v", c.key, c.value, err)
		}
	}
	for _, name := range Presets {
		if _, err := Preset(name, 0, devkeys.Addresses(1), devkeys.Addresses(1), tao); err != nil {
			t.Errorf("preset %s out of the bounds: %v", name, err)
		}
	}
}

// passChange applies changes in a block context through the function gov
// uses for a passed proposal, and commits nothing: it returns the state and
// the proposal's outcome.
func passChange(t *testing.T, w *world, changes ...types.ParamChange) (*blockCtx, gov.Proposal) {
	t.Helper()
	x, err := w.c.newBlockCtx(w.st(), w.height()+1)
	if err != nil {
		t.Fatal(err)
	}
	pr := gov.Proposal{ID: 99, Status: gov.StatusPassed, Changes: changes}
	applyPassed(t, x, &pr)
	return x, pr
}

// applyPassed applies a passed proposal's changes as gov does at the end of
// its vote: through the registry, failing the proposal if they are refused.
func applyPassed(t *testing.T, x *blockCtx, pr *gov.Proposal) {
	t.Helper()
	refused, err := registry{x}.ApplyChanges(pr.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if refused != nil {
		pr.Status, pr.Reason = gov.StatusFailed, refused.Error()
	}
}

// TestParamChangesMigrateOrRefuseState: a change the state cannot take
// fails (at submission and when it passes), and one that would leave state
// to be misread migrates it in the block that changes it. Each check failed
// on the old code, which wrote the new parameters over the state as it was.
func TestParamChangesMigrateOrRefuseState(t *testing.T) {
	w := paramWorld(t) // one subnet, two root members, takes at the 18% default
	st := w.st()

	// subnet_limit below the subnets that exist: refused.
	w.ok(w.call(3, &types.RegisterNetwork{Name: "two"}))
	w.fails(w.call(5, paramChange("subnets.subnet_limit", "1")), ErrParamsVsState)
	if _, pr := passChange(t, w, types.ParamChange{Key: "subnets.subnet_limit", Value: "1"}); pr.Status != gov.StatusFailed {
		t.Fatalf("subnet_limit below the count passed: %s", gov.StatusName(pr.Status))
	}
	if _, pr := passChange(t, w, types.ParamChange{Key: "subnets.subnet_limit", Value: "2"}); pr.Status != gov.StatusPassed {
		t.Fatalf("subnet_limit at the count: %s %q", gov.StatusName(pr.Status), pr.Reason)
	}

	// max_take lowered below the takes in force: every take follows.
	x, pr := passChange(t, w, types.ParamChange{Key: "staking.default_take_ppm", Value: "50000"}, types.ParamChange{Key: "staking.max_take_ppm", Value: "90000"})
	if pr.Status != gov.StatusPassed {
		t.Fatalf("take change: %s %q", gov.StatusName(pr.Status), pr.Reason)
	}
	for _, h := range staking.Hotkeys(x.st) {
		if h.Info.Take > 90_000 {
			t.Fatalf("hotkey %s keeps a take of %d ppm above the new maximum", h.Hotkey, h.Info.Take)
		}
	}

	// root_max_validators below the members: the smallest stakes leave.
	if len(subnet.RootMembers(st)) != 2 {
		t.Fatal("world has no two root members")
	}
	x, pr = passChange(t, w, types.ParamChange{Key: "subnets.root_max_validators", Value: "1"})
	if pr.Status != gov.StatusPassed {
		t.Fatalf("root change: %s %q", gov.StatusName(pr.Status), pr.Reason)
	}
	m := subnet.RootMembers(x.st)
	if len(m) != 1 {
		t.Fatalf("%d root members under a limit of 1", len(m))
	}
	h0, _ := staking.HotkeyOf(x.st, hot(0))
	h1, _ := staking.HotkeyOf(x.st, hot(1))
	keep, gone := hot(0), hot(1)
	if h1.TotalStake > h0.TotalStake {
		keep, gone = gone, keep
	}
	if m[0] != keep || len(subnet.RootWeightsOf(x.st, gone).Index) != 0 {
		t.Fatalf("root member %s kept (want %s), weights of the removed one %+v", m[0], keep, subnet.RootWeightsOf(x.st, gone))
	}

	// Two changes ending in one block: the second applies on top of the first.
	x, _ = passChange(t, w, types.ParamChange{Key: "staking.jail_period", Value: "33"})
	pr2 := gov.Proposal{ID: 100, Status: gov.StatusPassed, Changes: []types.ParamChange{{Key: "staking.unbonding_period", Value: "44"}}}
	applyPassed(t, x, &pr2)
	got, _ := ParamsAt(x.st)
	if got.Staking.JailPeriod != 33 || got.Staking.UnbondingPeriod != 44 {
		t.Fatalf("two changes in one block: jail %d, unbonding %d; the second undid the first", got.Staking.JailPeriod, got.Staking.UnbondingPeriod)
	}
}

// TestOwnerBurnBoundsClampCost: a subnet owner raising min_burn (or lowering
// max_burn) past the current cost left registration at a cost outside the
// subnet's own bounds until the next adjustment.
func TestOwnerBurnBoundsClampCost(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "sn"}))
	s, _ := subnet.Get(w.st(), 1)
	w.ok(w.call(1, &types.SetHyperparam{Netuid: 1, Name: "min_burn", Value: s.Burn * 3}))
	if s, _ = subnet.Get(w.st(), 1); s.Burn != s.Hyper.MinBurn {
		t.Fatalf("burn %d below the new min_burn %d", s.Burn, s.Hyper.MinBurn)
	}
	bal := w.st().Account(devkeys.Address(2)).Balance
	reg := w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)})
	w.ok(reg)
	if paid := bal - w.st().Account(devkeys.Address(2)).Balance - reg.Fee(); paid != s.Hyper.MinBurn {
		t.Fatalf("registration cost %d, min_burn %d", paid, s.Hyper.MinBurn)
	}
}

// TestMaxCallWeightIsTheHeaviest holds MaxCallWeight to every call kind's
// largest weight.
func TestMaxCallWeightIsTheHeaviest(t *testing.T) {
	full := make([]uint16, types.MaxWeightsLen)
	for _, c := range []types.Call{
		&types.Transfer{}, &types.AddStake{}, &types.RemoveStake{}, &types.SetTake{}, &types.BindConsensusKey{}, &types.Unjail{},
		&types.RegisterNetwork{}, &types.BurnedRegister{}, &types.PowRegister{}, &types.ServeAxon{},
		&types.SetWeights{UIDs: full}, &types.CommitWeights{}, &types.RevealWeights{UIDs: full},
		&types.RootRegister{}, &types.SetRootWeights{Netuids: full}, &types.SetHyperparam{},
		&types.Propose{}, &types.GovVote{}, &types.CancelProposal{},
		&types.SwapHotkey{},
	} {
		if c.Weight() > MaxCallWeight {
			t.Errorf("%T weighs %d > MaxCallWeight %d", c, c.Weight(), MaxCallWeight)
		}
	}
}
