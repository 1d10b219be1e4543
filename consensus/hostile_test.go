package consensus

import (
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

// countingVerifier counts the signatures the engine asks to verify.
type countingVerifier struct {
	SigVerifier
	votes, proposals int
}

func (c *countingVerifier) VerifyVote(v *types.Vote) error {
	c.votes++
	return c.SigVerifier.VerifyVote(v)
}

func (c *countingVerifier) VerifyProposal(p *Proposal) error {
	c.proposals++
	return c.SigVerifier.VerifyProposal(p)
}

// junkCommit is a commit for b of n signatures that name the validators of f
// in turn but are not theirs.
func junkCommit(f *fixture, b *types.Block, n int) *types.Commit {
	c := &types.Commit{Height: b.Height(), BlockHash: b.Hash()}
	for i := range n {
		sig := make([]byte, 65)
		sig[0], sig[1], sig[2], sig[31] = byte(i), byte(i>>8), byte(i>>16), 1
		sig[63] = 1
		c.Signatures = append(c.Signatures, types.CommitSig{Validator: f.addr(i % len(f.keys)), Signature: sig})
	}
	return c
}

// nextProposal is a height-2 proposal of block b by the proposer of its round 0.
func nextProposal(t *testing.T, f *fixture, b *types.Block) Message {
	t.Helper()
	set2, err := f.set.Next(f.set.Validators())
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := set2.Index(set2.Proposer(0))
	p := &Proposal{Height: 2, Round: 0, POLRound: NoRound, BlockHash: b.Hash()}
	if err := p.Sign(testChainID, f.keys[p2]); err != nil {
		t.Fatal(err)
	}
	return Message{Proposal: p, Block: b}
}

// TestJunkLastCommitCostsNoRecovery attacks harvestLastCommit: a next-height
// proposal whose LastCommit holds 10,000 junk signatures naming real
// validators made the engine verify each one (10,000 recoveries on the
// consensus goroutine). Now its form is refused first; a commit of the right
// form costs at most one recovery per validator, and each block is looked at
// once.
func TestJunkLastCommitCostsNoRecovery(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(1)
	ver := &countingVerifier{SigVerifier: SigVerifier{ChainID: testChainID}}
	e := f.engine(s, Config{Verifier: ver})
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	drain(e)

	base := ver.votes
	_ = e.Step(nextProposal(t, f, testBlock(2, 0xB, junkCommit(f, A, 10_000))))
	if n := ver.votes - base; n != 0 {
		t.Fatalf("a LastCommit of 10,000 junk signatures cost %d vote verifications, want 0", n)
	}
	// Right form (one per validator), junk signatures: it stops at the first.
	blk := testBlock(2, 0xC, junkCommit(f, A, 4))
	for range 3 {
		_ = e.Step(nextProposal(t, f, blk))
	}
	if n := ver.votes - base; n > 1 {
		t.Fatalf("a LastCommit of 4 junk signatures, sent 3 times, cost %d vote verifications, want at most 1", n)
	}
	if e.Status().Decided {
		t.Fatal("junk precommits decided the height")
	}
}

// TestVerifyCommitFormFirst: a synced commit with more signatures than
// validators, or naming one twice, is refused before any recovery.
func TestVerifyCommitFormFirst(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	A := testBlock(1, 0xA, nil)
	good := f.commit(A, 0, 0, 1, 2)
	dup := f.commit(A, 0, 0, 1, 2)
	dup.Signatures = append(dup.Signatures, dup.Signatures[0])
	for _, tc := range []struct {
		name string
		c    *types.Commit
	}{
		{"10,000 junk signatures", junkCommit(f, A, 10_000)},
		{"a validator twice", dup},
		{"too little power named", f.commit(A, 0, 0, 1)},
	} {
		ver := &countingVerifier{SigVerifier: SigVerifier{ChainID: testChainID}}
		err := VerifyCommit(ver, f.set, 1, A.Hash(), tc.c)
		if !errors.Is(err, ErrBadCommit) {
			t.Errorf("%s: %v, want ErrBadCommit", tc.name, err)
		}
		if ver.votes != 0 {
			t.Errorf("%s: %d recoveries before refusing, want 0", tc.name, ver.votes)
		}
	}
	if err := VerifyCommit(SigVerifier{ChainID: testChainID}, f.set, 1, A.Hash(), good); err != nil {
		t.Fatalf("a good commit: %v", err)
	}
}

// TestNextHeightFloodCrowdsOutNoOne attacks the next-height buffer: one
// validator's flood of distinct height-2 votes (and strangers' votes) filled
// the shared 4,096-message buffer, so the proposal and votes of the others
// for height 2 were dropped and the engine did not decide height 2 from them.
// Now each validator has its own slots and strangers have none.
func TestNextHeightFloodCrowdsOutNoOne(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	set2, err := f.set.Next(f.set.Validators())
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := set2.Index(set2.Proposer(0))
	// The engine (s) and the flooder (x) are neither height 2's proposer nor
	// each other; the two honest others (and s) make > 2/3 at height 2.
	var s, x = -1, -1
	for i := range 4 {
		switch {
		case i == p2:
		case s < 0:
			s = i
		case x < 0:
			x = i
		}
	}
	e := f.engine(s, Config{})
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	drain(e)

	stranger := newFixture(t, 1, 1, 1, 1, 1, 1)
	for r := range uint32(2_500) {
		_ = e.Step(f.vote(x, types.Prevote, 2, r, types.Hash{byte(r), byte(r >> 8)}))
		_ = e.Step(stranger.vote(5, types.Prevote, 2, r, nilHash))
	}

	B := testBlock(2, 0xB, f.commit(A, 0, 0, 1, 2, 3))
	mustStep(t, e, nextProposal(t, f, B))
	var honest []int
	for i := range 4 {
		if i != s && i != x {
			honest = append(honest, i)
			mustStep(t, e, f.vote(i, types.Prevote, 2, 0, B.Hash()))
			mustStep(t, e, f.vote(i, types.Precommit, 2, 0, B.Hash()))
		}
	}
	rd := drain(e)
	if rd.Commit == nil {
		t.Fatal("height 1 not decided from the next block's LastCommit")
	}
	if err := e.NewHeight(HeightParams{Height: 2, Validators: set2, LastCommit: rd.Commit.Commit}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		rd = drain(e)
		for _, b := range rd.ToValidate {
			mustStep(t, e, Validated{b.Height(), b.Hash(), true})
		}
		if rd.Commit != nil {
			break
		}
	}
	if rd.Commit == nil || rd.Commit.Block.Hash() != B.Hash() {
		t.Fatalf("height 2 not decided from the buffered proposal and votes of %v after a flood by validator %d", honest, x)
	}
}

// TestNextHeightBufferBounds: the flooder holds no more than its own quota in
// count and bytes, strangers hold nothing, and when the totals are full a
// validator under its fair share takes room from the one over it.
func TestNextHeightBufferBounds(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	stranger := newFixture(t, 1, 1, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	f.start(e, 1)
	cfg := e.cfg
	for r := range uint32(200) {
		_ = e.Step(f.vote(1, types.Prevote, 2, r, nilHash))
		if err := e.Step(stranger.vote(5, types.Precommit, 2, r, nilHash)); !errors.Is(err, ErrUnknownValidator) {
			t.Fatalf("a stranger's next-height vote: %v, want ErrUnknownValidator", err)
		}
	}
	if n, b := e.future.Len(), e.future.Bytes(); n != cfg.MaxFuturePerValidator || b > cfg.MaxFutureBytesPerValidator {
		t.Fatalf("holding %d messages (%d bytes) after one validator's flood, want %d (≤ %d bytes)", n, b, cfg.MaxFuturePerValidator, cfg.MaxFutureBytesPerValidator)
	}
	// A forged signature in a validator's name takes no slot.
	forged := f.vote(2, types.Prevote, 2, 0, nilHash)
	forged.Vote.Signature = f.vote(3, types.Prevote, 2, 0, nilHash).Vote.Signature
	if err := e.Step(forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged next-height vote: %v, want ErrBadSignature", err)
	}
	if n := e.future.count[e.future.members[f.addr(2)]]; n != 0 {
		t.Fatalf("a forged vote took %d of validator 2's slots", n)
	}

	// Large proposals: one validator's flood stays within its bytes.
	A := testBlock(1, 0xA, nil)
	for r := range uint32(20) {
		big := testBlock(2, byte(r), junkCommit(f, A, 10_000)) // ~1 MB each
		_ = e.Step(f.proposal(3, r, NoRound, big))
	}
	slot3 := e.future.members[f.addr(3)]
	if n, b := e.future.count[slot3], e.future.bytes[slot3]; n == 0 || n >= 20 || b > cfg.MaxFutureBytesPerValidator {
		t.Fatalf("validator 3 holds %d proposals (%d bytes) of 20 sent, want some but ≤ %d bytes", n, b, cfg.MaxFutureBytesPerValidator)
	}
	if n, b := e.future.Len(), e.future.Bytes(); n > 2*cfg.MaxFuturePerValidator || b > 2*cfg.MaxFutureBytesPerValidator {
		t.Fatalf("two validators' floods: %d messages, %d bytes held", n, b)
	}

	// Small totals: 8 messages, a fair share of 2 each.
	small := f.engine(0, Config{MaxFutureMessages: 8})
	f.start(small, 1)
	for r := range uint32(8) {
		mustStep(t, small, f.vote(1, types.Prevote, 2, r, nilHash))
	}
	mustStep(t, small, f.vote(2, types.Prevote, 2, 0, nilHash))
	mustStep(t, small, f.vote(2, types.Precommit, 2, 0, nilHash))
	mustStep(t, small, f.vote(2, types.Prevote, 2, 1, nilHash)) // over its share: not held
	fb := small.future
	if fb.Len() != 8 || fb.count[fb.members[f.addr(2)]] != 2 || fb.count[fb.members[f.addr(1)]] != 6 {
		t.Fatalf("full buffer: %d held, validator 2 has %d, validator 1 has %d; want 8, 2, 6",
			fb.Len(), fb.count[fb.members[f.addr(2)]], fb.count[fb.members[f.addr(1)]])
	}
}

// TestFutureRoundProposalsBounded: a proposer with a third of the power (not
// enough to pull the engine into its round) proposes in every third round;
// it could make the engine hold two maximal blocks in each of its rounds
// among the 8 ahead. Now it holds at most maxFutureProposalsPerValidator
// of them ahead.
func TestFutureRoundProposalsBounded(t *testing.T) {
	f := newFixture(t, 1, 1, 1)
	x := f.proposer(1)
	s := (x + 1) % 3
	e := f.engine(s, Config{})
	f.start(e, 1)
	sent := 0
	for r := uint32(1); r <= maxProposalRoundsAhead; r++ {
		if f.proposer(r) != x {
			continue
		}
		for tag := range byte(2) {
			mustStep(t, e, f.proposal(x, r, NoRound, testBlock(1, byte(r)<<1|tag, nil)))
			sent++
		}
	}
	held := 0
	for _, r := range e.hs.roundNums {
		if r > e.hs.round {
			held += len(e.hs.rounds[r].proposals)
		}
	}
	if e.hs.round != 0 || sent < 4 || held > maxFutureProposalsPerValidator {
		t.Fatalf("at round %d, holding %d proposals in rounds ahead of %d sent by one proposer, want at most %d",
			e.hs.round, held, sent, maxFutureProposalsPerValidator)
	}
}

// TestHarvestNotUsedUpByOneProposer: a member of the next set sending many
// next-height proposals with junk LastCommits does not use up the harvests:
// the real proposer's block still decides the height from its LastCommit.
func TestHarvestNotUsedUpByOneProposer(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(1)
	e := f.engine(s, Config{})
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	drain(e)
	good := nextProposal(t, f, testBlock(2, 0xB, f.commit(A, 0, others(4, s)...)))
	x := (s + 1) % 4
	if i, _ := f.set.Index(good.Proposal.Proposer); x == i {
		x = (x + 1) % 4
	}
	if x == s {
		x = (x + 1) % 4
	}
	for r := range uint32(20) {
		_ = e.Step(f.proposal(x, r, NoRound, testBlock(2, byte(r), junkCommit(f, A, 4))))
	}
	mustStep(t, e, good)
	if rd := drain(e); rd.Commit == nil || rd.Commit.Block.Hash() != A.Hash() {
		t.Fatal("the proposer's LastCommit did not decide the height after another member's junk")
	}
}
