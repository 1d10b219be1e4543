package chain

import (
	"crypto/ecdsa"
	"fmt"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// paramGen draws one in-bound value for a governable parameter (given the
// parameters in force, for the cross-field rules).
type paramGen struct {
	key string
	gen func(r *rand.Rand, p Params) uint64
}

func between(lo, hi uint64) func(*rand.Rand, Params) uint64 {
	return func(r *rand.Rand, _ Params) uint64 { return lo + r.Uint64N(hi-lo+1) }
}

// governable lists the parameters the property test changes: every key of
// gov_params but consensus_epoch (not governable) and the monetary ones
// (refused by name), with ranges that cross the values the test world
// stands on (more validators than max_bft_validators, more root members
// than root_max_validators, records under every downtime window...). The
// ranges stay where the test's own txs fit in a block and can pay.
var governable = []paramGen{
	{"block_time_ms", between(MinBlockTimeMs, 2_000)},
	{"max_clock_drift_ms", between(1, 5_000)},
	{"base_fee_per_weight", between(0, 3)},
	{"max_block_weight", between(MaxCallWeight*20, 100_000_000)},
	{"max_block_txs", between(64, 4_000)},
	{"max_block_bytes", between(MinBlockBytes, 4<<20)},
	{"byte_weight", between(1, types.EthByteGas)},
	{"max_free_percent", between(1, 100)},
	{"staking.unbonding_period", between(1, 60)},
	{"staking.min_stake", between(1, tao/2)},
	{"staking.default_take_ppm", func(r *rand.Rand, p Params) uint64 { return r.Uint64N(uint64(p.Staking.MaxTake) + 1) }},
	{"staking.max_take_ppm", func(r *rand.Rand, p Params) uint64 {
		return uint64(p.Staking.DefaultTake) + r.Uint64N(types.PPM-uint64(p.Staking.DefaultTake)+1)
	}},
	{"staking.take_rate_limit", between(0, 30)},
	{"staking.max_bft_validators", func(r *rand.Rand, p Params) uint64 {
		return uint64(p.Staking.MinBFTValidators) + r.Uint64N(6)
	}},
	{"staking.min_validator_stake", between(0, 60*tao)},
	{"staking.min_bft_stake", between(0, 100*tao)},
	{"staking.min_bft_validators", func(r *rand.Rand, p Params) uint64 { return 1 + r.Uint64N(uint64(p.Staking.MaxBFTValidators)) }},
	{"staking.max_power_fraction_ppm", between(0, types.PPM)},
	{"staking.jail_period", between(1, 40)},
	{"staking.slash_fraction_ppm", between(0, 200_000)},
	{"staking.downtime_window", between(1, 300)},
	{"staking.downtime_slash_ppm", between(0, 100_000)},
	{"staking.hotkey_swap_burn", between(1, 2*tao)},
	{"staking.hotkey_swap_rate_limit", between(1, 30)},
	{"staking.coldkey_swap_delay", between(1, 40)},
	{"staking.coldkey_swap_cost", between(staking.MinColdkeySwapCost, 5*tao)},
	{"staking.coldkey_swap_moves_per_block", between(staking.MinColdkeySwapMoves, 3_000)},
	{"subnets.subnet_limit", between(1, 6)},
	{"subnets.min_lock", between(tao, 20*tao)},
	{"subnets.lock_reduction_interval", between(0, 200)},
	{"subnets.network_immunity", between(0, 60)},
	{"subnets.owner_cut_ppm", between(0, types.PPM)},
	{"subnets.root_max_validators", between(1, 4)},
	{"subnets.root_tempo", between(1, 30)},
	{"subnets.pow_block_window", between(0, 200)},
	{"subnets.defaults.tempo", between(1, 30)},
	{"subnets.defaults.kappa", between(0, 65535)},
	{"subnets.defaults.bonds_moving_average", between(0, types.PPM)},
	{"subnets.defaults.activity_cutoff", between(1, 200)},
	{"subnets.defaults.immunity_period", between(0, 50)},
	{"subnets.defaults.max_uids", func(r *rand.Rand, p Params) uint64 { return p.Subnets.Defaults.MaxValidators + r.Uint64N(64) }},
	{"subnets.defaults.max_validators", func(r *rand.Rand, p Params) uint64 { return 1 + r.Uint64N(p.Subnets.Defaults.MaxUIDs) }},
	{"subnets.defaults.min_allowed_weights", between(0, 8)},
	{"subnets.defaults.max_weight_limit", between(1, 65535)},
	{"subnets.defaults.weights_rate_limit", between(0, 10)},
	{"subnets.defaults.target_regs_per_interval", between(1, 8)},
	{"subnets.defaults.adjustment_interval", between(1, 50)},
	{"subnets.defaults.max_regs_per_block", between(1, 8)},
	{"subnets.defaults.commit_reveal", between(0, 1)},
	{"subnets.defaults.reveal_delay", between(1, 10)},
	{"subnets.defaults.reveal_window", between(1, 20)},
	{"subnets.defaults.serving_rate_limit", between(0, 20)},
	{"gov.min_deposit", between(gov.MinGovDeposit, 3*tao)},
	{"gov.voting_period", between(1, 12)},
	{"gov.quorum_ppm", between(0, gov.MaxQuorumPPM)},
	{"gov.threshold_ppm", between(gov.MinThresholdPPM, gov.MaxThresholdPPM)},
	{"gov.veto_threshold_ppm", between(gov.MinVetoThresholdPPM, types.PPM)},
}

// paidCall signs call from key i paying the minimum fee (weight and
// length) under the parameters in force.
func (w *world) paidCall(i int, call types.Call) *types.Tx {
	w.t.Helper()
	return w.call(i, call)
}

// tryBlock is world.block that tolerates txs the proposer leaves out (a
// random stream makes some invalid: a fee under a base fee that just rose).
func (w *world) tryBlock(skip map[types.Address]bool, txs ...*types.Tx) *Executed {
	w.t.Helper()
	clear(w.next)
	head, _ := w.c.Store().Head()
	e, _, err := w.c.Propose(Proposal{Time: head.Time + 200, LastCommit: lastCommit(w.t, w.c)}, txs)
	if err != nil {
		w.t.Fatalf("block %d: %v", head.Height+1, err)
	}
	set, err := w.c.ValidatorSet(e.Block.Height())
	if err != nil {
		w.t.Fatal(err)
	}
	// Validators in skip miss the block, unless the rest would not carry
	// more than 2/3 of the power (the chain would stop for want of votes,
	// which is not what the test is about).
	var signers []*ecdsa.PrivateKey
	var signed uint64
	for _, v := range set.Validators {
		if k := w.keys[v.Address]; k != nil && !skip[v.Address] {
			signers = append(signers, k)
			signed += v.Power
		}
	}
	if 3*signed <= 2*set.TotalPower() {
		signers = signers[:0]
		for _, v := range set.Validators {
			if k := w.keys[v.Address]; k != nil {
				signers = append(signers, k)
			}
		}
	}
	if err := w.c.Commit(e, signCommit(w.t, w.c, e.Block, signers...)); err != nil {
		w.t.Fatalf("block %d: %v", e.Block.Height(), err)
	}
	return e
}

// fullConservation is subnetConservation plus each hotkey's total against
// its positions.
func fullConservation(t *testing.T, w *world, what string) {
	t.Helper()
	st := w.st()
	for _, h := range staking.Hotkeys(st) {
		var total uint64
		for _, n := range staking.Nominators(st, h.Hotkey) {
			total += n.Amount
		}
		if total != h.Info.TotalStake {
			t.Fatalf("%s: hotkey %s total %d, positions %d", what, h.Hotkey, h.Info.TotalStake, total)
		}
	}
	subnetConservation(t, w)
}

// paramWorld is a chain with staked validators (hotkeys 0..2, consensus
// keys 20..22), a subnet with four neurons (hotkeys 30..33, owned by
// coldkeys 1 and 2, funded for fees, staked), two root members with
// weights, and nominators.
func paramWorld(t *testing.T) *world {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	w.ok(w.call(1, &types.RegisterNetwork{Name: "sn"}))
	var txs []*types.Tx
	for i := 0; i < 4; i++ {
		txs = append(txs, w.call(1+i/2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30 + i)}))
	}
	w.ok(txs...)
	txs = nil
	for i := 0; i < 4; i++ {
		txs = append(txs, w.call(1+i/2, &types.AddStake{Hotkey: devkeys.Address(30 + i), Amount: 5 * tao}),
			w.call(0, &types.Transfer{To: devkeys.Address(30 + i), Amount: 20 * tao}))
	}
	txs = append(txs, w.call(4, &types.AddStake{Hotkey: hot(0), Amount: 3 * tao}), w.call(5, &types.AddStake{Hotkey: hot(1), Amount: 2 * tao}))
	w.ok(txs...)
	w.ok(w.call(1, &types.RootRegister{Hotkey: hot(0)}), w.call(2, &types.RootRegister{Hotkey: hot(1)}))
	w.ok(w.signed(devkeys.Key(10), 0, &types.SetRootWeights{Netuids: []uint16{1}, Weights: []uint16{100}}))
	return w
}

// randomTxs draws a few user calls of every kind the world supports.
func randomTxs(w *world, r *rand.Rand) []*types.Tx {
	var txs []*types.Tx
	for n := r.IntN(5); n > 0; n-- {
		switch r.IntN(10) {
		case 0:
			txs = append(txs, w.paidCall(r.IntN(6), &types.Transfer{To: devkeys.Address(r.IntN(6)), Amount: r.Uint64N(10 * tao)}))
		case 1:
			txs = append(txs, w.paidCall(1+r.IntN(5), &types.AddStake{Hotkey: hot(r.IntN(3)), Amount: 1 + r.Uint64N(5*tao)}))
		case 2:
			txs = append(txs, w.paidCall(1+r.IntN(5), &types.RemoveStake{Hotkey: hot(r.IntN(3)), Amount: 1 + r.Uint64N(3*tao)}))
		case 3:
			txs = append(txs, w.paidCall(1+r.IntN(3), &types.SetTake{Hotkey: hot(r.IntN(3)), Take: uint32(r.IntN(300_000))}))
		case 4, 5:
			i := r.IntN(4)
			uids := []uint16{0, 1, 2, 3}[:1+r.IntN(4)]
			ws := make([]uint16, len(uids))
			for j := range ws {
				ws[j] = uint16(1 + r.IntN(1000))
			}
			txs = append(txs, w.paidCall(30+i, &types.SetWeights{Netuid: uint16(1 + r.IntN(2)), UIDs: uids, Weights: ws}))
		case 6:
			txs = append(txs, w.paidCall(10+r.IntN(2), &types.SetRootWeights{Netuids: []uint16{1}, Weights: []uint16{uint16(1 + r.IntN(100))}}))
		case 7:
			names := []string{"immunity_period", "activity_cutoff", "weights_rate_limit", "min_burn", "max_burn", "min_allowed_weights", "commit_reveal", "kappa"}
			name := names[r.IntN(len(names))]
			v := r.Uint64N(200)
			if name == "commit_reveal" {
				v %= 2
			}
			txs = append(txs, w.paidCall(1, &types.SetHyperparam{Netuid: 1, Name: name, Value: v}))
		case 8:
			txs = append(txs, w.paidCall(3+r.IntN(3), &types.RegisterNetwork{Name: "x"}))
		case 9:
			txs = append(txs, w.paidCall(1+r.IntN(5), &types.BurnedRegister{Netuid: uint16(1 + r.IntN(3)), Hotkey: devkeys.Address(40 + r.IntN(20))}))
		}
	}
	return txs
}

// TestRandomParamChangesKeepExecuting applies random in-bound parameter
// changes through passed governance proposals, between random blocks of
// staking, weights, subnet and governance calls, with a validator that
// misses blocks; now and then a value out of bounds. Every block must
// execute, conservation must hold after each, the parameters in force must
// stay in bounds, governance must still pass a change at the end, and a
// replica replaying the blocks must reach the same head.
// TAOD_PARAM_SEEDS sets the number of seeds (default 3).
func TestRandomParamChangesKeepExecuting(t *testing.T) {
	seeds := 3
	if v, err := strconv.Atoi(os.Getenv("TAOD_PARAM_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { randomParamRun(t, uint64(seed)) })
	}
}

func randomParamRun(t *testing.T, seed uint64) {
	w := paramWorld(t)
	r := rand.New(rand.NewPCG(seed, 0x9a7a))
	applied, failed := 0, 0
	for b := 0; b < 90; b++ {
		txs := randomTxs(w, r)
		p := w.c.Params()
		// A new proposal of one to three changes, most blocks.
		if r.IntN(3) != 0 {
			var changes []types.ParamChange
			for n := 1 + r.IntN(3); n > 0; n-- {
				g := governable[r.IntN(len(governable))]
				v := g.gen(r, p)
				if r.IntN(8) == 0 { // now and then a value out of bounds, which must never be applied
					v = []uint64{0, 1 << 32, 1<<32 + 1, 1 << 63, 1<<64 - 1}[r.IntN(5)]
				}
				changes = append(changes, types.ParamChange{Key: g.key, Value: strconv.FormatUint(v, 10)})
			}
			txs = append(txs, w.paidCall(5, &types.Propose{ProposalKind: types.ProposalParamChange, Title: "p", Changes: changes, Deposit: p.Gov.MinDeposit}))
		}
		// The two large stakers vote yes on what is open; now and then the
		// proposer cancels one, or a small staker vetoes.
		for _, pr := range gov.Proposals(w.st()) {
			if pr.Status != gov.StatusVoting {
				continue
			}
			switch r.IntN(40) { // about one proposal in five is cancelled over a voting period
			case 0:
				txs = append(txs, w.paidCall(5, &types.CancelProposal{ProposalID: pr.ID}))
			case 1:
				txs = append(txs, w.paidCall(3, &types.GovVote{ProposalID: pr.ID, Option: types.VoteVeto}))
			default:
				if len(gov.Votes(w.st(), pr.ID)) == 0 {
					txs = append(txs, w.paidCall(1, &types.GovVote{ProposalID: pr.ID, Option: types.VoteYes}),
						w.paidCall(2, &types.GovVote{ProposalID: pr.ID, Option: types.VoteYes}))
				}
			}
		}
		skip := map[types.Address]bool{}
		if r.IntN(3) == 0 {
			skip[devkeys.Address(22)] = true // the small validator misses a third of its blocks
		}
		w.tryBlock(skip, txs...)
		fullConservation(t, w, fmt.Sprintf("seed %d block %d", seed, b))
		if p := w.c.Params(); p.Validate() != nil || checkGoverned(p) != nil {
			t.Fatalf("seed %d block %d: parameters in force out of bounds: %v / %v", seed, b, p.Validate(), checkGoverned(p))
		}
	}
	for _, pr := range gov.Proposals(w.st()) {
		switch pr.Status {
		case gov.StatusPassed:
			applied++
		case gov.StatusFailed:
			failed++
		}
	}
	for _, pr := range gov.Proposals(w.st()) {
		if os.Getenv("TAOD_PARAM_DEBUG") != "" {
			t.Logf("%d %s %q %v", pr.ID, gov.StatusName(pr.Status), pr.Reason, pr.Changes)
		}
	}
	if applied < 10 {
		t.Fatalf("seed %d: only %d parameter changes passed: the test exercised little", seed, applied)
	}
	// Governance is still able to govern: a change voted by the large
	// stakers passes (no change locked it).
	p := w.c.Params()
	// The random stream spends the proposer's balance and may have raised
	// min_deposit past it: top it up so the test asks about governance,
	// not about one account's funds.
	if bal := w.st().Account(devkeys.Address(5)).Balance; bal < p.Gov.MinDeposit+types.RaoPerTAO {
		w.tryBlock(nil, w.paidCall(1, &types.Transfer{To: devkeys.Address(5), Amount: p.Gov.MinDeposit + types.RaoPerTAO - bal}))
	}
	e := w.tryBlock(nil, w.paidCall(5, &types.Propose{ProposalKind: types.ProposalParamChange, Title: "after", Changes: []types.ParamChange{{Key: "staking.jail_period", Value: "7"}}, Deposit: p.Gov.MinDeposit}))
	prs := gov.Proposals(w.st())
	last := prs[len(prs)-1]
	if last.Title != "after" {
		var why []string
		for _, r := range e.Receipts {
			why = append(why, r.Error)
		}
		t.Fatalf("seed %d: the final proposal was refused (receipts %q, %d txs)", seed, why, len(e.Block.Txs))
	}
	w.tryBlock(nil, w.paidCall(1, &types.GovVote{ProposalID: last.ID, Option: types.VoteYes}), w.paidCall(2, &types.GovVote{ProposalID: last.ID, Option: types.VoteYes}))
	for w.height() < last.VotingEnd {
		w.tryBlock(nil)
	}
	if pr, _ := gov.GetProposal(w.st(), last.ID); pr.Status != gov.StatusPassed || w.c.Params().Staking.JailPeriod != 7 {
		t.Fatalf("seed %d: governance can no longer pass a change: %s %q", seed, gov.StatusName(pr.Status), pr.Reason)
	}
	fullConservation(t, w, fmt.Sprintf("seed %d final", seed))
	t.Logf("seed %d: %d changes applied, %d failed against state, head %d", seed, applied, failed, w.height())
	// A replica replaying the blocks reaches the same head: execution under
	// the changed parameters is deterministic.
	rep := newTestChain(t, 6)
	head, _ := w.c.Store().Head()
	for h := uint64(1); h <= head.Height; h++ {
		b, err := w.c.Store().BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		e, err := rep.Execute(b, 0)
		if err != nil {
			t.Fatalf("seed %d: replica at %d: %v", seed, h, err)
		}
		seen, _ := w.c.Store().SeenCommit(h)
		if err := rep.Commit(e, seen); err != nil {
			t.Fatal(err)
		}
	}
	if rh, _ := rep.Store().Head(); rh != head {
		t.Fatalf("seed %d: replica head %+v, leader %+v", seed, rh, head)
	}
}
