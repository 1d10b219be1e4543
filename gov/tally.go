package gov

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// TallyVotes counts the stake behind each option of a proposal, with stake
// as it stands now: a position goes with its coldkey's vote, else with the
// vote of its hotkey's owner. It is the live tally queries show; the final
// one is taken the same way when the voting ends. A malformed record
// (corruption, which execution refuses) gives an empty tally.
func TallyVotes(st *state.State, id uint64) Tally {
	t, _, err := TallyStake(st, []uint64{id})
	if err != nil {
		return Tally{}
	}
	return t[0]
}

// TallyStake tallies several proposals in one pass over the stake
// positions (the proposals ending in one block share it) and returns the
// total bonded stake, the quorum's denominator. Its cost is one read per
// position and per vote, plus one step per staked hotkey and proposal
// (at most MaxProposalsPerEnd end together).
func TallyStake(st *state.State, ids []uint64) ([]Tally, uint64, error) {
	type ballot struct {
		i   int
		opt uint8
	}
	tallies := make([]Tally, len(ids))
	byVoter := map[types.Address][]ballot{}
	for i, id := range ids {
		var bad []byte
		st.Iterate(govKey('v', id), func(k, v []byte) bool {
			if len(k) != voteKeyLen {
				return true // not a vote (see staking.ErrMalformedRecord)
			}
			if len(v) != 1 {
				bad = bytes.Clone(k)
				return false
			}
			voter := types.Address(k[10:30])
			byVoter[voter] = append(byVoter[voter], ballot{i, v[0]})
			return true
		})
		if bad != nil {
			return nil, 0, fmt.Errorf("%w: vote %x", staking.ErrMalformedRecord, bad)
		}
	}
	add := func(t *Tally, opt uint8, amt uint64) {
		switch opt {
		case types.VoteYes:
			t.Yes += amt
		case types.VoteNo:
			t.No += amt
		case types.VoteAbstain:
			t.Abstain += amt
		case types.VoteVeto:
			t.Veto += amt
		}
	}
	var (
		total    uint64
		cur      types.Address // hotkey of the positions being summed
		started  bool
		hotTotal uint64
		voted    = make([]uint64, len(ids)) // stake on cur whose coldkey voted on ids[i]
	)
	// flush gives the stake on cur whose coldkeys did not vote to the vote
	// of cur's owner.
	flush := func() {
		if !started {
			return
		}
		owner := types.Address{}
		if h, ok := staking.HotkeyOf(st, cur); ok {
			owner = h.Owner
		}
		for _, b := range byVoter[owner] {
			add(&tallies[b.i], b.opt, hotTotal-voted[b.i])
		}
		clear(voted)
		hotTotal = 0
	}
	err := staking.ForEachPosition(st, func(pos staking.StakePosition) {
		if !started || pos.Hotkey != cur {
			flush()
			cur, started = pos.Hotkey, true
		}
		hotTotal += pos.Amount
		total += pos.Amount
		for _, b := range byVoter[pos.Coldkey] {
			add(&tallies[b.i], b.opt, pos.Amount)
			voted[b.i] += pos.Amount
		}
	})
	if err != nil {
		return nil, 0, err
	}
	flush()
	return tallies, total, nil
}

func ppmOf(part, whole uint64) uint64 {
	if whole == 0 {
		return 0
	}
	return staking.MulDiv(part, types.PPM, whole)
}

// EndBlock tallies the proposals whose voting ends at this block and
// carries out the outcome: deposit returned (quorum reached, not vetoed) or
// recycled; passed parameter changes written, atomically, in force from the
// next block; a passed upgrade scheduled.
func (x *Block) EndBlock() error {
	var ids []uint64
	x.State.Iterate(key(pGov, []byte{'e'}, u64b(x.Height)), func(k, _ []byte) bool {
		if len(k) == endQueueKeyLen { // anything else is not a queue entry
			ids = append(ids, binary.BigEndian.Uint64(k[10:18]))
		}
		return true
	})
	if len(ids) == 0 {
		return nil
	}
	x.State.Set(endCountKey(x.Height), nil)
	tallies, bonded, err := TallyStake(x.State, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		x.State.Set(endQueueKey(x.Height, id), nil)
		pr, _ := GetProposal(x.State, id)
		if pr.Status != StatusVoting {
			continue
		}
		g := x.Params
		t := tallies[i]
		pr.Tally, pr.SnapshotStake = t, bonded
		voted := t.Yes + t.No + t.Abstain + t.Veto
		switch {
		case ppmOf(voted, pr.SnapshotStake) < uint64(g.Quorum) || pr.SnapshotStake == 0:
			pr.Status, pr.Reason = StatusRejected, "quorum not reached"
		case ppmOf(t.Veto, voted) >= uint64(g.VetoThreshold):
			pr.Status, pr.Reason = StatusVetoed, "vetoed"
		case ppmOf(t.Yes, t.Yes+t.No+t.Veto) > uint64(g.Threshold):
			pr.Status = StatusPassed
		default:
			pr.Status, pr.Reason = StatusRejected, "threshold not reached"
		}
		var refund uint64
		if pr.Reason == "quorum not reached" || pr.Status == StatusVetoed {
			if err := staking.Recycle(x.State, pr.Deposit); err != nil {
				return err
			}
		} else {
			refund = pr.Deposit
			staking.Credit(x.State, pr.Proposer, refund)
		}
		if pr.Status == StatusPassed {
			switch pr.Kind {
			case types.ProposalParamChange:
				refused, err := x.Registry.ApplyChanges(pr.Changes)
				if err != nil {
					return fmt.Errorf("chain: proposal %d: %w", pr.ID, err)
				}
				if refused != nil {
					pr.Status, pr.Reason = StatusFailed, refused.Error()
				}
			case types.ProposalUpgrade:
				x.State.Set(keyUpgrade, encodeRLP(&Upgrade{Name: pr.UpgradeName, Height: pr.UpgradeHeight}))
			case types.ProposalColdkeySwap:
				// The dispute may have lapsed during the vote: then the
				// proposal fails and nothing moves.
				if err := staking.ResolveColdkeySwap(x.State, x.Height, pr.SwapColdkey, pr.SwapTo); err != nil {
					pr.Status, pr.Reason = StatusFailed, err.Error()
				}
			}
		}
		setProposal(x.State, pr)
		x.emitOutcome(pr, refund)
	}
	return nil
}

// emitOutcome reports a tallied proposal: passed (with each parameter it
// changed) or failed with its reason; refund is the deposit returned to
// the proposer (0 when it was recycled).
func (x *Block) emitOutcome(pr Proposal, refund uint64) {
	if pr.Status != StatusPassed {
		x.Events.Emit(types.Event{Kind: types.EvProposalFailed, Addr: pr.Proposer, Amount: refund, Ref: pr.ID, Data: []byte(pr.Reason)})
		return
	}
	x.Events.Emit(types.Event{Kind: types.EvProposalPassed, Addr: pr.Proposer, Amount: refund, Ref: pr.ID})
	if pr.Kind == types.ProposalParamChange {
		for _, c := range pr.Changes {
			x.Events.Emit(types.Event{Kind: types.EvParamChanged, Ref: pr.ID, Data: []byte(c.Key + "=" + c.Value)})
		}
	}
}
