package consensus

import (
	"cmp"
	"slices"

	"github.com/taonet/taod/types"
)

// This file is Algorithm 1 of "The latest gossip on BFT consensus" (Buchman,
// Kwon, Milosevic 2018). Comments name the paper's line numbers. The "upon"
// rules are conditions over everything received so far; evaluate re-checks
// them after every input until none fires, so the order in which messages
// arrive does not change what the rules can conclude. Every rule that fires
// moves the state forward (step, round or decision), so the loop ends.
//
// Two relaxations, both safe: a rule that needs "the proposal of round r with
// value v" accepts any block with hash v proposed at this height (its hash
// binds its content, and > 2/3 of prevotes or precommits are what make it
// decidable); and valid(v) is asked of the driver (Ready.ToValidate) and
// answered later, so a rule waiting on it fires when the answer comes.

// evaluate fires rules until none applies.
func (e *Engine) evaluate() {
	for hs := e.hs; hs.started && !hs.decided; {
		if e.tryDecide() {
			return
		}
		if !e.trySkipRound() && !e.tryCurrentRound() && !e.tryValidValue() {
			return
		}
	}
}

// tryDecide is line 49: > 2/3 precommits for v in some round, v known and
// valid → decide v.
func (e *Engine) tryDecide() bool {
	hs := e.hs
	for _, r := range hs.roundNums {
		rs := hs.rounds[r]
		if !rs.precommits.maj23 || rs.precommits.maj23Hash == (types.Hash{}) {
			continue
		}
		hash := rs.precommits.maj23Hash
		be := hs.blocks[hash]
		if be == nil {
			continue // block sync will bring it (Step(Decision))
		}
		switch be.status {
		case valid:
			e.decide(&Decision{Block: be.block, Commit: rs.precommits.commit(hs.height, r, hash)})
			return true
		case unknown:
			e.requestValidation(be)
		}
	}
	return false
}

// tryValidValue generalises the valid-value half of line 36 to past rounds:
// > 2/3 prevotes for a valid v in a round above validRound make v the valid
// value, even if the engine has left that round. The paper updates it in the
// current round only; a validator that saw the proof of lock late would then
// propose a fresh block that validators locked on v must refuse. What a
// proposer proposes never affects safety (receivers apply their own lock
// rules), so this only helps liveness.
func (e *Engine) tryValidValue() bool {
	hs := e.hs
	for i := len(hs.roundNums) - 1; i >= 0; i-- {
		r := hs.roundNums[i]
		if hs.validRound != NoRound && r <= hs.validRound {
			return false
		}
		pv := &hs.rounds[r].prevotes
		if !pv.maj23 || pv.maj23Hash == (types.Hash{}) {
			continue
		}
		be := hs.blocks[pv.maj23Hash]
		if be == nil {
			continue
		}
		switch be.status {
		case valid:
			hs.validRound, hs.validHash = r, pv.maj23Hash
			return true
		case unknown:
			e.requestValidation(be)
		}
	}
	return false
}

// trySkipRound is line 55, generalised: when validators with > 1/3 of the
// power have been seen in rounds ≥ r > round (each at its highest round),
// start the highest such r. At least one of them is honest and has moved on,
// so waiting in a lower round is pointless. The paper's rule counts one round
// at a time, which relies on every message of every round being delivered
// eventually; over lossy links a validator could then miss the round that
// gathers > 1/3 and wait forever. Rounds do not affect safety.
func (e *Engine) trySkipRound() bool {
	hs := e.hs
	if hs.skipDirty {
		hs.skipDirty = false
		type seen struct {
			round uint32
			power uint64
		}
		var all []seen
		for i, r := range hs.seenRound {
			if r != NoRound && r > hs.round {
				all = append(all, seen{r, hs.vals.vals[i].Power})
			}
		}
		slices.SortFunc(all, func(a, b seen) int { return cmp.Compare(b.round, a.round) })
		hs.skipTo = NoRound
		var power uint64
		for _, x := range all {
			if power += x.power; hasOneThird(power, hs.vals.total) {
				hs.skipTo = x.round
				break
			}
		}
	}
	if hs.skipTo != NoRound && hs.skipTo > hs.round {
		e.startRound(hs.skipTo)
		return true
	}
	return false
}

// tryCurrentRound runs the rules of the current round.
func (e *Engine) tryCurrentRound() bool {
	hs := e.hs
	rs := hs.rounds[hs.round]
	if rs == nil {
		return false
	}
	total := hs.vals.total
	if hs.step == StepPropose && len(rs.proposals) > 0 && e.prevoteOnProposal(rs.proposals[0]) {
		return true
	}
	if hs.step >= StepPrevote {
		// Line 34: > 2/3 prevotes for anything → start the prevote timeout.
		if hs.step == StepPrevote && !rs.prevoteTimer && hasTwoThirds(rs.prevotes.power, total) {
			rs.prevoteTimer = true
			e.schedule(timeoutPrevote, hs.round, e.cfg.Timeouts.PrevoteAt(hs.round))
		}
		// Line 36: > 2/3 prevotes for a valid v → lock on v and precommit
		// it (if still in prevote); v becomes the valid value either way.
		if !rs.polDone && rs.prevotes.maj23 && rs.prevotes.maj23Hash != (types.Hash{}) {
			if be := hs.blocks[rs.prevotes.maj23Hash]; be != nil {
				switch be.status {
				case valid:
					rs.polDone = true
					hash := rs.prevotes.maj23Hash
					if hs.step == StepPrevote {
						hs.lockedRound, hs.lockedHash = hs.round, hash
						e.castVote(types.Precommit, hash)
						hs.step = StepPrecommit
					}
					hs.validRound, hs.validHash = hs.round, hash
					return true
				case unknown:
					e.requestValidation(be)
				}
			}
		}
		// Line 44: > 2/3 prevotes for nil → precommit nil.
		if hs.step == StepPrevote && rs.prevotes.maj23 && rs.prevotes.maj23Hash == (types.Hash{}) {
			e.castVote(types.Precommit, types.Hash{})
			hs.step = StepPrecommit
			return true
		}
	}
	// Line 47: > 2/3 precommits for anything → start the precommit timeout.
	if !rs.precommitTimer && hasTwoThirds(rs.precommits.power, total) {
		rs.precommitTimer = true
		e.schedule(timeoutPrecommit, hs.round, e.cfg.Timeouts.PrecommitAt(hs.round))
	}
	return false
}

// prevoteOnProposal is lines 22 and 28: prevote for the round's proposal if
// it is valid and the lock allows it, else prevote nil. It returns false while
// the answer depends on something not known yet (validity, the POL).
func (e *Engine) prevoteOnProposal(p *Proposal) bool {
	hs := e.hs
	be := hs.blocks[p.BlockHash]
	allowed := hs.lockedRound == NoRound || hs.lockedHash == p.BlockHash // line 22
	if p.POLRound != NoRound {
		// Line 28: a re-proposal needs > 2/3 prevotes for it in POLRound.
		prs := hs.rounds[p.POLRound]
		if prs == nil || !prs.prevotes.maj23 || prs.prevotes.maj23Hash != p.BlockHash {
			return false
		}
		allowed = allowed || hs.lockedRound <= p.POLRound
	}
	switch be.status {
	case unknown, pending:
		e.requestValidation(be)
		return false
	case valid:
		if allowed {
			e.castVote(types.Prevote, p.BlockHash)
			break
		}
		e.castVote(types.Prevote, types.Hash{})
	case invalid:
		e.castVote(types.Prevote, types.Hash{})
	}
	hs.step = StepPrevote
	return true
}

// startRound is StartRound of the paper (line 11). The proposer re-proposes
// its valid value if it has one and asks the driver for a new block
// otherwise. Every validator, the proposer too, starts the propose timeout,
// so a driver that is slow to build a block cannot stall the round.
func (e *Engine) startRound(r uint32) {
	hs := e.hs
	hs.started = true
	hs.round, hs.step = r, StepPropose
	// Timeouts of earlier rounds can no longer do anything.
	kept := hs.timeouts[:0]
	for _, t := range hs.timeouts {
		if t.round >= r && t.kind != timeoutStart {
			kept = append(kept, t)
		}
	}
	hs.timeouts = kept
	e.schedule(timeoutPropose, r, e.cfg.Timeouts.ProposeAt(r))
	if !e.canSign() || hs.sched.at(r) != hs.selfIdx || hs.hasSigned(signKey{round: r}) || hs.hasSigned(signKey{r, types.Prevote}) {
		return
	}
	if hs.validRound != NoRound {
		if be := hs.blocks[hs.validHash]; be != nil {
			e.propose(be.block, hs.validRound)
			return
		}
	}
	e.out.NeedProposal = &ProposalRequest{Height: hs.height, Round: r, LastCommit: e.lastCommitForProposal()}
}
