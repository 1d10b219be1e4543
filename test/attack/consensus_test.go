package attack

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

// The no-attack baseline: the harness itself (a Byzantine peer connected
// and silent) leaves the network healthy, so every failure of an attack
// test is the attack's doing.
func TestAttackNone(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	nw.underAttack(func(*runner) {})
	if nw.bannedBy(0, atk.ID()) {
		t.Error("a silent peer was banned")
	}
}

// forgedVote is a vote for height h: by an unknown signer (a fresh key), or
// naming a real validator with a junk signature.
func forgedVote(t *testing.T, chainID, h uint64, round uint32, real *types.Address) []byte {
	v := types.Vote{Type: types.Prevote, Height: h, Round: round}
	_, _ = rand.Read(v.BlockHash[:])
	if real != nil {
		v.Validator, v.Signature = *real, junkSig()
	} else if err := v.Sign(chainID, newKey(t)); err != nil {
		must(err)
	}
	b, err := consensus.Message{Vote: &v}.Encode()
	if err != nil {
		must(err)
	}
	return b
}

// Forged consensus messages (junk signatures naming real validators, valid
// signatures by unknown signers) published by a peer connected to one
// validator. They must not be relayed, and the honest validators that would
// have relayed them must not be banned by the others (today CheckConsensus
// accepts after decoding, every node relays, and each engine's
// ErrBadSignature bans m.ReceivedFrom: an honest neighbour).
func TestAttackForgedConsensus(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	obs := newByz(t, nw, byzOpts{observe: true})
	obs.mustConnect(3)
	vals := nw.validatorAddrs()
	var sent int
	nw.underAttack(func(r *runner) {
		r.every(20*time.Millisecond, func() {
			h := nw.height(0)
			for i, v := range vals {
				atk.publishConsensus(forgedVote(t, nw.chainID(), h+1, 0, &v))
				atk.publishConsensus(forgedVote(t, nw.chainID(), h+uint64(i%2), 0, nil))
				sent += 2
			}
		})
	})
	// What node3 relayed to the observer: honest votes only.
	relayed := 0
	for _, data := range obs.seen(obs.names.consensus) {
		m, err := consensus.DecodeMessage(data[8:])
		if err != nil || m.Vote == nil {
			continue
		}
		if !isValidator(vals, m.Vote.Validator) || m.Vote.Verify(nw.chainID()) != nil {
			relayed++
		}
	}
	t.Logf("forged messages sent: %d, relayed to a node two hops away: %d", sent, relayed)
	if relayed > 0 {
		t.Errorf("%d forged consensus messages were relayed by honest nodes", relayed)
	}
}

func isValidator(vals []types.Address, a types.Address) bool {
	for _, v := range vals {
		if v == a {
			return true
		}
	}
	return false
}

// junkCommit is a commit for block (h, hash) with n signatures naming real
// validators in turn, each 65 random bytes: n signature recoveries for
// whoever checks it.
func junkCommit(vals []types.Address, h uint64, hash types.Hash, n int) *types.Commit {
	c := &types.Commit{Height: h, BlockHash: hash, Signatures: make([]types.CommitSig, n)}
	for i := range c.Signatures {
		c.Signatures[i] = types.CommitSig{Validator: vals[i%len(vals)], Signature: junkSig()}
	}
	return c
}

// forgedProposal proposes, for (h, round), a block on parent whose
// LastCommit holds junkSigs junk signatures. The proposal is signed by an
// unknown key, or names proposer with a junk signature.
func forgedProposal(t *testing.T, chainID uint64, parent *types.Block, h uint64, round uint32, vals []types.Address, junkSigs int, proposer *types.Address) []byte {
	lc := junkCommit(vals, h-1, parent.Hash(), junkSigs)
	hdr := types.Header{ChainID: chainID, Height: h, Time: parent.Header.Time + 200, ParentHash: parent.Hash(),
		TxRoot: types.TxRoot(nil), LastCommitHash: lc.Hash(), EvidenceHash: types.EvidenceHash(nil),
		ValidatorsHash: parent.Header.NextValidatorsHash, NextValidatorsHash: parent.Header.NextValidatorsHash}
	blk := types.NewBlock(hdr, nil, lc, nil)
	p := &consensus.Proposal{Height: h, Round: round, POLRound: consensus.NoRound, BlockHash: blk.Hash()}
	if proposer != nil {
		p.Proposer, p.Signature = *proposer, junkSig()
	} else if err := p.Sign(chainID, newKey(t)); err != nil {
		must(err)
	}
	b, err := consensus.Message{Proposal: p, Block: blk}.Encode()
	if err != nil {
		must(err)
	}
	return b
}

// A proposal whose LastCommit carries thousands of junk CommitSigs naming
// real validators: checking it must cost at most one verification per
// validator of the set, once per block hash, not one recovery per entry on
// the consensus goroutine (weakness 2).
func TestAttackJunkLastCommit(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	vals := nw.validatorAddrs()
	nw.underAttack(func(r *runner) {
		r.every(50*time.Millisecond, func() {
			parent := nw.headBlock(0)
			h := parent.Height() + 1
			v := vals[int(h)%len(vals)]
			atk.publishConsensus(forgedProposal(t, nw.chainID(), parent, h, 0, vals, 5_000, &v))
			atk.publishConsensus(forgedProposal(t, nw.chainID(), parent, h, 0, vals, 5_000, nil))
		})
	})
}

// A flood of messages for the next two heights and many rounds, from
// unknown signers, big proposals and undecodable garbage: the future-height
// buffer must stay bounded in count and bytes (RSS), and the validators
// keep their pace.
func TestAttackFutureFlood(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	atk2 := newByz(t, nw, byzOpts{})
	atk2.mustConnect(1)
	vals := nw.validatorAddrs()
	var round uint32
	nw.underAttack(func(r *runner) {
		r.every(10*time.Millisecond, func() {
			parent := nw.headBlock(0)
			h := parent.Height()
			for k := range 10 {
				round++
				atk.publishConsensus(forgedVote(t, nw.chainID(), h+1+uint64(k%2), round, nil))
			}
			garbage := make([]byte, 4096)
			_, _ = rand.Read(garbage)
			atk2.publishConsensus(garbage)
		})
		// About 0.5 MB each: a buffer that keeps 4,096 of them holds 2 GB.
		r.every(50*time.Millisecond, func() {
			parent := nw.headBlock(0)
			round++
			atk.publishConsensus(forgedProposal(t, nw.chainID(), parent, parent.Height()+2, round, vals, 5_500, nil))
		})
	})
}

// forgedBlock is a well-formed block at height h on a made-up parent, with
// a commit of junk signatures: nothing a node can check without the commit
// of block h (which an announcement does not carry) or the parent.
func forgedBlock(chainID, h uint64, vals []types.Address) *types.Block {
	var parent types.Hash
	_, _ = rand.Read(parent[:])
	lc := junkCommit(vals, h-1, parent, len(vals))
	hdr := types.Header{ChainID: chainID, Height: h, Time: uint64(time.Now().UnixMilli()), ParentHash: parent,
		TxRoot: types.TxRoot(nil), LastCommitHash: lc.Hash(), EvidenceHash: types.EvidenceHash(nil)}
	return types.NewBlock(hdr, nil, lc, nil)
}

// Forged block announcements (heights just ahead, far ahead, huge; junk
// commits): not relayed to a node the attacker is not connected to, and no
// node's sync is led to fetch them in place of the real chain.
func TestAttackForgedBlockAnnouncements(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	obs := newByz(t, nw, byzOpts{observe: true})
	obs.mustConnect(3)
	vals := nw.validatorAddrs()
	forged := map[types.Hash]bool{}
	nw.underAttack(func(r *runner) {
		r.every(20*time.Millisecond, func() {
			h := nw.height(0)
			for _, ahead := range []uint64{1, 2, 10, 200, 1 << 40} {
				b := forgedBlock(nw.chainID(), h+ahead, vals)
				forged[b.Hash()] = true
				atk.publishBlock(b)
			}
		})
	})
	relayed := 0
	for _, data := range obs.seen(obs.names.blockAnno) {
		if b, err := types.DecodeBlock(data); err == nil && forged[b.Hash()] {
			relayed++
		}
	}
	t.Logf("forged announcements sent: %d, relayed to a node two hops away: %d", len(forged), relayed)
	if relayed > 0 {
		t.Errorf("%d forged block announcements were relayed by honest nodes", relayed)
	}
}

// byzantineProposer runs a Byzantine validator (node3's consensus key,
// node3 itself stopped) that signs proposals for the next height over
// rounds 0-3, each a new block made by mk. The proposal's own signature
// holds, so only the checks of what it carries stand in the way. The
// baseline is taken with node3 already stopped, so its missed rounds count
// in both measurements.
func byzantineProposer(t *testing.T, mk func(nw *honestNet, parent *types.Block, h uint64, round uint32) consensus.Message) {
	nw := newNetwork(t, netOpts{})
	cfg := nw.nodes[3].cfg
	key, err := node.LoadOrCreateValidatorKey(cfg.Path(cfg.ValidatorKey))
	if err != nil {
		t.Fatal(err)
	}
	nw.stop(3)
	nw.vals = 3 // rates and health of the three honest validators
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	nw.underAttack(func(r *runner) {
		r.every(50*time.Millisecond, func() {
			parent := nw.headBlock(0)
			h := parent.Height() + 1
			for round := range uint32(4) {
				m := mk(nw, parent, h, round)
				must(m.Proposal.Sign(nw.chainID(), key))
				msg, err := m.Encode()
				must(err)
				atk.publishConsensus(msg)
			}
		})
	})
}

// A Byzantine validator's signed proposals whose block's LastCommit holds
// 5,000 junk CommitSigs naming real validators: checking it must cost at
// most the set's size, not the commit's length (weakness 2).
func TestAttackByzantineProposerJunkCommit(t *testing.T) {
	if !inChild(t) {
		return
	}
	byzantineProposer(t, func(nw *honestNet, parent *types.Block, h uint64, round uint32) consensus.Message {
		m, err := consensus.DecodeMessage(forgedProposal(t, nw.chainID(), parent, h, round, nw.validatorAddrs(), 5_000, nil))
		must(err)
		return m
	})
}

// The same Byzantine validator re-proposes (POLRound = round − 1) with a
// proof of lock of 5,000 junk prevotes naming real validators: a POL, like a
// LastCommit, must cost at most one check per validator of the set. The
// block's LastCommit is the parent's real commit, so that only the POL is
// junk.
func TestAttackByzantineProposerJunkPOL(t *testing.T) {
	if !inChild(t) {
		return
	}
	byzantineProposer(t, func(nw *honestNet, parent *types.Block, h uint64, round uint32) consensus.Message {
		vals := nw.validatorAddrs()
		lc, err := nw.nodes[0].n.Chain().Store().SeenCommit(parent.Height())
		must(err)
		hdr := types.Header{ChainID: nw.chainID(), Height: h, Time: parent.Header.Time + 200, ParentHash: parent.Hash(),
			TxRoot: types.TxRoot(nil), LastCommitHash: lc.Hash(), EvidenceHash: types.EvidenceHash(nil),
			ValidatorsHash: parent.Header.NextValidatorsHash, NextValidatorsHash: parent.Header.NextValidatorsHash}
		_, _ = rand.Read(hdr.StateRoot[:]) // a new block each time
		m := consensus.Message{Proposal: &consensus.Proposal{Height: h}, Block: types.NewBlock(hdr, nil, lc, nil)}
		m.Proposal.BlockHash = m.Block.Hash()
		pol := round + 1 // the POL of round r is for round pol−1 < r: shift rounds up by one
		m.Proposal.Round, m.Proposal.POLRound = pol, pol-1
		m.POL = make([]*types.Vote, 5_000)
		for i := range m.POL {
			m.POL[i] = &types.Vote{Type: types.Prevote, Height: h, Round: pol - 1, BlockHash: m.Block.Hash(),
				Validator: vals[i%len(vals)], Signature: junkSig()}
		}
		return m
	})
}
