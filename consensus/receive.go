package consensus

import (
	"fmt"
	"slices"

	"github.com/taonet/taod/types"
)

// This file is what the engine does with its inputs: it checks and counts
// messages, keeps next-height messages, and records answers from the driver.

// stepMessage routes a peer's message by height.
func (e *Engine) stepMessage(m Message) error {
	hs := e.hs
	switch {
	case m.Vote != nil && m.Proposal == nil && m.Block == nil && m.POL == nil:
		v := m.Vote
		if v.Type != types.Prevote && v.Type != types.Precommit {
			return fmt.Errorf("%w: vote type %d", ErrBadMessage, v.Type)
		}
		switch {
		case v.Height == hs.height:
			return e.onVote(v, false)
		case v.Height+1 == hs.height:
			return e.onLastHeightVote(v)
		case v.Height == hs.height+1:
			_, err := e.buffer(m)
			return err
		}
		return nil
	case m.Proposal != nil && m.Block != nil && m.Vote == nil:
		switch p := m.Proposal; {
		case p.Height == hs.height:
			return e.onProposal(p, m.Block, m.POL)
		case p.Height == hs.height+1:
			// Its LastCommit may decide this height: counted only from a
			// proposal signed by a member of the next set.
			if ok, err := e.buffer(m); !ok {
				return err
			}
			e.harvestLastCommit(p.Proposer, m.Block)
		}
		return nil
	}
	return fmt.Errorf("%w: need a proposal with its block, or a vote", ErrBadMessage)
}

// onVote counts a vote of the current height. A validator's votes count for
// at most maxHashesPerValidator values per round and type, unless force: the
// vote comes with a proof (a proof of lock or a commit) that needs it.
func (e *Engine) onVote(v *types.Vote, force bool) error {
	hs := e.hs
	idx, ok := hs.vals.Index(v.Validator)
	if !ok {
		return fmt.Errorf("%w: %s at height %d", ErrUnknownValidator, v.Validator, v.Height)
	}
	var first *types.Vote
	if rs := hs.rounds[v.Round]; rs != nil {
		set := rs.votes(v.Type)
		if set.has(idx, v.BlockHash) {
			return nil // duplicate
		}
		if first = set.firstVote(idx); first != nil && set.full(idx) && !force {
			return nil
		}
	}
	if first == nil && v.Round > hs.round && !e.futureRoundAllowed(idx, v.Round) {
		// Not held, but it still tells where the validator is (line 55).
		if seen := hs.seenRound[idx]; seen == NoRound || v.Round > seen {
			if err := e.cfg.Verifier.VerifyVote(v); err != nil {
				return err
			}
			e.noteRound(idx, v.Round)
		}
		return nil
	}
	if err := e.cfg.Verifier.VerifyVote(v); err != nil {
		return err
	}
	if first != nil {
		e.reportEvidence(hs.evidence, first, v)
	}
	if v.Validator == e.self {
		// Our own vote, back from the network: never sign another one there,
		// even if our WAL lost it.
		if key := (signKey{v.Round, v.Type}); !hs.hasSigned(key) {
			hs.signed[key] = Record{Vote: v}
		}
	}
	e.addVote(idx, v)
	return nil
}

// futureRoundAllowed bounds the rounds above the current one in which one
// validator's votes are held.
func (e *Engine) futureRoundAllowed(idx int, round uint32) bool {
	hs := e.hs
	if rs := hs.rounds[round]; rs != nil && rs.hasVoteFrom(idx) {
		return true
	}
	n := 0
	for i := len(hs.roundNums) - 1; i >= 0 && hs.roundNums[i] > hs.round; i-- {
		if hs.rounds[hs.roundNums[i]].hasVoteFrom(idx) {
			n++
		}
	}
	return n < maxFutureRoundsPerValidator
}

func (rs *roundState) hasVoteFrom(idx int) bool {
	return rs.prevotes.firstVote(idx) != nil || rs.precommits.firstVote(idx) != nil
}

// addVote counts a vote already verified (or signed by us).
func (e *Engine) addVote(idx int, v *types.Vote) {
	hs := e.hs
	rs := e.roundState(v.Round)
	set := rs.votes(v.Type)
	if set.has(idx, v.BlockHash) {
		return
	}
	set.add(hs.vals.Len(), idx, hs.vals.vals[idx].Power, hs.vals.total, v)
	e.noteRound(idx, v.Round)
}

// noteRound records that validator idx reached round r.
func (e *Engine) noteRound(idx int, r uint32) {
	hs := e.hs
	if seen := hs.seenRound[idx]; seen == NoRound || r > seen {
		hs.seenRound[idx] = r
		hs.skipDirty = hs.skipDirty || r > hs.round // only rounds ahead can pull us up
	}
}

func (e *Engine) roundState(r uint32) *roundState {
	hs := e.hs
	rs := hs.rounds[r]
	if rs == nil {
		rs = &roundState{}
		hs.rounds[r] = rs
		i, _ := slices.BinarySearch(hs.roundNums, r)
		hs.roundNums = slices.Insert(hs.roundNums, i, r)
	}
	return rs
}

// onLastHeightVote adds a late precommit for the decided previous height, for
// the LastCommit of the block this engine may propose.
func (e *Engine) onLastHeightVote(v *types.Vote) error {
	l := e.last
	if l == nil || v.Type != types.Precommit || v.Round != l.round {
		return nil
	}
	idx, ok := l.vals.Index(v.Validator)
	if !ok {
		return fmt.Errorf("%w: %s at height %d", ErrUnknownValidator, v.Validator, v.Height)
	}
	first := l.precommits.firstVote(idx)
	if l.precommits.has(idx, v.BlockHash) || first == nil && v.BlockHash != l.hash {
		return nil // a duplicate, or a precommit for something else: not worth verifying
	}
	if err := e.cfg.Verifier.VerifyVote(v); err != nil {
		return err
	}
	if first != nil && first.BlockHash != v.BlockHash {
		e.reportEvidence(l.evidence, first, v)
	}
	if v.BlockHash == l.hash {
		l.precommits.add(l.vals.Len(), idx, l.vals.vals[idx].Power, l.vals.total, v)
	}
	return nil
}

// harvestLastCommit counts the precommits for the current height carried in
// a proposal of the next one: a node that missed the precommits but has the
// block can decide without waiting for block sync. Each block's commit is
// looked at once, and only if its form can hold (no more signatures than
// validators, each a distinct member, > 2/3 of the power named): a forged
// commit of thousands of signatures costs no recovery, and any costs at most
// one per validator, stopping at the first that fails.
func (e *Engine) harvestLastCommit(proposer types.Address, b *types.Block) {
	hs := e.hs
	c := b.LastCommit
	if hs.decided || c == nil || c.Height != hs.height || c.BlockHash == (types.Hash{}) {
		return
	}
	if hs.harvested[b.Hash()] || hs.harvests[proposer] >= maxHarvestsPerProposer {
		return
	}
	if hs.harvested == nil {
		hs.harvested, hs.harvests = make(map[types.Hash]bool), make(map[types.Address]int)
	}
	hs.harvested[b.Hash()] = true
	hs.harvests[proposer]++
	if commitForm(hs.vals, c) != nil {
		return
	}
	for i := range c.Signatures {
		v := c.Vote(i)
		if e.onVote(&v, true) != nil {
			return
		}
	}
}

// onProposal stores a proposal of the current height from its round's
// proposer, counts its proof-of-lock prevotes, and asks for its block to be
// validated.
func (e *Engine) onProposal(p *Proposal, b *types.Block, pol []*types.Vote) error {
	hs := e.hs
	if p.Round > hs.round && p.Round-hs.round > maxProposalRoundsAhead {
		return nil
	}
	if p.POLRound != NoRound && p.POLRound >= p.Round {
		return fmt.Errorf("%w: proof-of-lock round %d not below round %d", ErrBadMessage, p.POLRound, p.Round)
	}
	if len(pol) > hs.vals.Len() || p.POLRound == NoRound && len(pol) > 0 {
		return fmt.Errorf("%w: %d proof-of-lock votes", ErrBadMessage, len(pol))
	}
	for _, v := range pol {
		if v == nil || v.Type != types.Prevote || v.Height != p.Height || v.Round != p.POLRound || v.BlockHash != p.BlockHash {
			return fmt.Errorf("%w: proof-of-lock vote is not a prevote for the block in round %d", ErrBadMessage, p.POLRound)
		}
	}
	if b.Height() != p.Height || b.Hash() != p.BlockHash {
		return fmt.Errorf("%w: block does not match its proposal", ErrBadMessage)
	}
	if want := hs.vals.vals[hs.sched.at(p.Round)].Address; p.Proposer != want {
		return fmt.Errorf("%w: %s at (%d, %d), want %s", ErrNotProposer, p.Proposer, p.Height, p.Round, want)
	}
	rs := hs.rounds[p.Round]
	if rs != nil {
		for _, q := range rs.proposals {
			if q.BlockHash == p.BlockHash && q.POLRound == p.POLRound {
				return nil // duplicate
			}
		}
		if len(rs.proposals) >= maxProposalsPerRound {
			return nil
		}
	}
	if p.Round > hs.round && e.futureProposals(p.Proposer) >= maxFutureProposalsPerValidator {
		return nil
	}
	if err := e.cfg.Verifier.VerifyProposal(p); err != nil {
		return err
	}
	if p.Proposer == e.self {
		if key := (signKey{round: p.Round}); !hs.hasSigned(key) {
			hs.signed[key] = Record{Proposal: p}
		}
	}
	for _, v := range pol {
		if err := e.onVote(v, true); err != nil {
			return fmt.Errorf("proof-of-lock vote: %w", err)
		}
	}
	rs = e.roundState(p.Round)
	rs.proposals = append(rs.proposals, p)
	e.noteRound(hs.sched.at(p.Round), p.Round)
	e.requestValidation(e.addBlock(b))
	return nil
}

// futureProposals counts the proposals by proposer held in rounds above the
// current one.
func (e *Engine) futureProposals(proposer types.Address) int {
	hs := e.hs
	n := 0
	for i := len(hs.roundNums) - 1; i >= 0 && hs.roundNums[i] > hs.round; i-- {
		for _, q := range hs.rounds[hs.roundNums[i]].proposals {
			if q.Proposer == proposer {
				n++
			}
		}
	}
	return n
}

func (e *Engine) addBlock(b *types.Block) *blockEntry {
	be := e.hs.blocks[b.Hash()]
	if be == nil {
		be = &blockEntry{block: b}
		e.hs.blocks[b.Hash()] = be
	}
	return be
}

func (e *Engine) requestValidation(be *blockEntry) {
	if be.status == unknown {
		be.status = pending
		e.out.ToValidate = append(e.out.ToValidate, be.block)
	}
}

func (e *Engine) stepProposalBlock(m ProposalBlock) error {
	hs := e.hs
	if m.Block == nil {
		return fmt.Errorf("%w: ProposalBlock without a block", ErrBadMessage)
	}
	if hs.decided || !hs.started || m.Height != hs.height || m.Round != hs.round || hs.step != StepPropose {
		return nil // too late: the round moved on
	}
	if m.Block.Height() != m.Height {
		return fmt.Errorf("%w: block of height %d proposed at %d", ErrBadMessage, m.Block.Height(), m.Height)
	}
	if hs.selfIdx < 0 || hs.sched.at(hs.round) != hs.selfIdx {
		return nil
	}
	e.propose(m.Block, NoRound)
	return nil
}

func (e *Engine) stepValidated(m Validated) {
	hs := e.hs
	if m.Height != hs.height {
		return
	}
	if be := hs.blocks[m.Hash]; be != nil && (be.status == unknown || be.status == pending) {
		be.status = invalid
		if m.Valid {
			be.status = valid
		}
	}
}

func (e *Engine) stepDecision(d Decision) error {
	hs := e.hs
	if d.Block == nil || d.Commit == nil {
		return fmt.Errorf("%w: decision needs a block and a commit", ErrBadMessage)
	}
	if d.Block.Height() != hs.height || hs.decided {
		return nil
	}
	if err := VerifyCommit(e.cfg.Verifier, hs.vals, hs.height, d.Block.Hash(), d.Commit); err != nil {
		return err
	}
	e.addBlock(d.Block).status = valid
	e.decide(&d)
	return nil
}
