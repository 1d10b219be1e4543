package consensus

import (
	"bytes"

	"github.com/taonet/taod/types"
)

// This file is what the engine produces: signed proposals and votes (behind
// the double-sign guard), rebroadcasts, evidence and decisions.

// canSign reports whether the engine may sign at the current height.
func (e *Engine) canSign() bool {
	return e.hs.selfIdx >= 0 && e.hs.height >= e.watermark
}

// propose signs and sends a proposal of block in the current round.
func (e *Engine) propose(b *types.Block, polRound uint32) {
	hs := e.hs
	key := signKey{round: hs.round}
	if !e.canSign() || hs.hasSigned(key) {
		return
	}
	p := &Proposal{Height: hs.height, Round: hs.round, POLRound: polRound, BlockHash: b.Hash()}
	if err := e.cfg.Signer.SignProposal(p); err != nil || p.Proposer != e.self {
		e.signFailures++
		return
	}
	hs.signed[key] = Record{Proposal: p}
	e.out.Persist = append(e.out.Persist, Record{Proposal: p})
	e.out.Broadcast = append(e.out.Broadcast, Message{Proposal: p, Block: b, POL: e.polVotes(polRound, p.BlockHash)})
	e.addBlock(b).status = valid // the driver built and executed it
	rs := e.roundState(hs.round)
	rs.proposals = append(rs.proposals, p)
}

// castVote signs and sends a vote of the current round, unless the engine
// already signed one at this step: then it re-sends that one, whatever it
// was. This is the double-sign guard, and it holds across restarts because
// the signed map is rebuilt from the WAL.
func (e *Engine) castVote(t types.VoteType, hash types.Hash) {
	hs := e.hs
	if !e.canSign() {
		return
	}
	key := signKey{hs.round, t}
	if r := hs.signed[key]; r.Vote != nil {
		e.out.Broadcast = append(e.out.Broadcast, Message{Vote: r.Vote})
		return
	}
	v := &types.Vote{Type: t, Height: hs.height, Round: hs.round, BlockHash: hash}
	if err := e.cfg.Signer.SignVote(v); err != nil || v.Validator != e.self {
		e.signFailures++
		return
	}
	rec := Record{Vote: v}
	if be := hs.blocks[hash]; t == types.Precommit && be != nil {
		rec.Block, rec.POL = be.block, e.polVotes(hs.round, hash)
	}
	hs.signed[key] = rec
	e.out.Persist = append(e.out.Persist, rec)
	e.out.Broadcast = append(e.out.Broadcast, Message{Vote: v})
	e.addVote(hs.selfIdx, v)
}

// rebroadcast re-sends own messages that peers may have missed. They are in
// the WAL already (or in the pending Persist, written first).
func (e *Engine) rebroadcast() {
	send := func(r Record) {
		if r.Vote != nil {
			e.out.Broadcast = append(e.out.Broadcast, Message{Vote: r.Vote})
		}
	}
	if e.last != nil && e.last.own != nil {
		e.out.Broadcast = append(e.out.Broadcast, Message{Vote: e.last.own})
	}
	hs := e.hs
	if hs.decided {
		send(hs.signed[signKey{hs.decision.Commit.Round, types.Precommit}])
		return
	}
	if !hs.started {
		return
	}
	r := hs.round
	if p := hs.signed[signKey{round: r}].Proposal; p != nil {
		rs, be := hs.rounds[r], hs.blocks[p.BlockHash]
		if be != nil && (rs == nil || !rs.prevotes.maj23) {
			e.out.Broadcast = append(e.out.Broadcast, Message{Proposal: p, Block: be.block, POL: e.polVotes(p.POLRound, p.BlockHash)})
		}
	}
	send(hs.signed[signKey{r, types.Prevote}])
	send(hs.signed[signKey{r, types.Precommit}])
	if r > 0 {
		send(hs.signed[signKey{r - 1, types.Precommit}])
	}
	// And the votes of one earlier round, cycling through them: the paper
	// assumes messages are delivered eventually, and validators still in an
	// earlier round may need them to leave it.
	for k := uint32(0); k < r; k++ {
		old := (hs.resend + k) % r
		pv, pc := hs.signed[signKey{old, types.Prevote}], hs.signed[signKey{old, types.Precommit}]
		if pv.Vote != nil || pc.Vote != nil {
			send(pv)
			send(pc)
			hs.resend = old + 1
			break
		}
	}
}

// polVotes returns the prevotes for hash in round r: a proof of lock.
func (e *Engine) polVotes(r uint32, hash types.Hash) []*types.Vote {
	if r == NoRound {
		return nil
	}
	if rs := e.hs.rounds[r]; rs != nil {
		return rs.prevotes.votesFor(hash)
	}
	return nil
}

// reportEvidence turns two different votes by one key at one height, round
// and type into evidence, once.
func (e *Engine) reportEvidence(seen map[evidenceKey]bool, a, b *types.Vote) {
	key := evidenceKey{a.Validator, a.Round, a.Type}
	if seen[key] {
		return
	}
	seen[key] = true
	if bytes.Compare(a.BlockHash[:], b.BlockHash[:]) > 0 {
		a, b = b, a
	}
	e.out.Evidence = append(e.out.Evidence, types.Evidence{A: *a, B: *b})
}

// decide finalises the height.
func (e *Engine) decide(d *Decision) {
	hs := e.hs
	hs.decided = true
	hs.decision = d
	hs.timeouts = nil
	e.out.Commit = d
}

// lastHeight keeps a decided height's precommits for the next one: the
// commit's, plus any precommit for the block seen in that round.
func (hs *heightState) lastHeight() *lastHeight {
	c := hs.decision.Commit
	l := &lastHeight{height: hs.height, round: c.Round, hash: c.BlockHash, vals: hs.vals, precommits: &voteSet{}, evidence: hs.evidence}
	n := hs.vals.Len()
	for i := range c.Signatures {
		v := c.Vote(i)
		if idx, ok := hs.vals.Index(v.Validator); ok {
			l.precommits.add(n, idx, hs.vals.vals[idx].Power, hs.vals.total, &v)
		}
	}
	if rs := hs.rounds[c.Round]; rs != nil {
		for _, v := range rs.precommits.votesFor(c.BlockHash) {
			if idx, _ := hs.vals.Index(v.Validator); !l.precommits.has(idx, v.BlockHash) {
				l.precommits.add(n, idx, hs.vals.vals[idx].Power, hs.vals.total, v)
			}
		}
	}
	if own := hs.signed[signKey{c.Round, types.Precommit}].Vote; own != nil && own.BlockHash == c.BlockHash {
		l.own = own
	}
	return l
}

// lastCommitForProposal is the LastCommit to put in a block of this height.
func (e *Engine) lastCommitForProposal() *types.Commit {
	if l := e.last; l != nil && l.height+1 == e.hs.height {
		return l.precommits.commit(l.height, l.round, l.hash)
	}
	return e.hs.lastCommit
}
