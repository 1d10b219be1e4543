package consensus

import (
	"errors"
	"testing"

	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/types"
)

var nilHash types.Hash

func others(n, self int) []int {
	var o []int
	for i := range n {
		if i != self {
			o = append(o, i)
		}
	}
	return o
}

// TestSingleRoundCommit: four honest validators on a perfect network decide
// every height in round 0, on the proposer's block, with verifiable commits.
func TestSingleRoundCommit(t *testing.T) {
	const heights = 3
	c := newCluster(t, nil, 1, 1, 1, 1)
	c.maxHeight = heights
	c.run()
	for i, ds := range c.decisions {
		if len(ds) != heights {
			t.Fatalf("engine %d decided %d heights, want %d", i, len(ds), heights)
		}
		for h, d := range ds {
			want := c.decisions[0][h]
			if d.Block.Hash() != want.Block.Hash() {
				t.Fatalf("engine %d decided %s at height %d, engine 0 %s", i, d.Block.Hash(), h+1, want.Block.Hash())
			}
			if d.Commit.Round != 0 {
				t.Fatalf("height %d decided in round %d", h+1, d.Commit.Round)
			}
			set := c.sets[uint64(h+1)]
			if err := VerifyCommit(SigVerifier{ChainID: testChainID}, set, uint64(h+1), d.Block.Hash(), d.Commit); err != nil {
				t.Fatalf("engine %d height %d: %v", i, h+1, err)
			}
			// The block was built by the proposer of round 0.
			builder := int(d.Block.Header.StateRoot[0]) - 1
			if got, want := c.addr(builder), set.Proposer(0); got != want {
				t.Fatalf("height %d built by %s, proposer is %s", h+1, got, want)
			}
			if h > 0 {
				if err := VerifyCommit(SigVerifier{ChainID: testChainID}, c.sets[uint64(h)], uint64(h), ds[h-1].Block.Hash(), d.Block.LastCommit); err != nil {
					t.Fatalf("LastCommit of height %d: %v", h+1, err)
				}
			}
		}
	}
	// Per height: one proposal and two votes from each of four validators,
	// each delivered to three peers.
	if want := heights * (1 + 4*2) * 3; c.delivered != want {
		t.Errorf("delivered %d messages, want %d", c.delivered, want)
	}
}

// TestLocking: a validator locked on A prevotes nil for a new B, prevotes A
// when A comes back with its proof of lock, and prevotes B once it sees a
// proof of lock for B from a round after its lock.
func TestLocking(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(3)
	o := others(4, s)
	A, B := testBlock(1, 0xA, nil), testBlock(1, 0xB, nil)

	lockOnA := func(t *testing.T) *Engine {
		e := f.engine(s, Config{})
		f.start(e, 1)
		mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
		if rd := drain(e); len(rd.ToValidate) != 1 || rd.ToValidate[0] != A {
			t.Fatalf("ToValidate = %v, want A", rd.ToValidate)
		}
		mustStep(t, e, Validated{1, A.Hash(), true})
		if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.BlockHash != A.Hash() {
			t.Fatalf("round 0 prevote %s, want A", v.BlockHash)
		}
		mustStep(t, e, f.vote(o[0], types.Prevote, 1, 0, A.Hash()))
		mustStep(t, e, f.vote(o[1], types.Prevote, 1, 0, A.Hash()))
		if v := lastVote(t, drain(e).Broadcast, types.Precommit); v.BlockHash != A.Hash() || v.Round != 0 {
			t.Fatalf("precommit %+v, want A in round 0", v)
		}
		if st := e.Status(); st.LockedRound != 0 || st.LockedHash != A.Hash() {
			t.Fatalf("not locked on A: %+v", st)
		}
		for _, i := range o {
			mustStep(t, e, f.vote(i, types.Precommit, 1, 0, nilHash))
		}
		tickUntil(t, e, 100, func() bool { return e.Status().Round == 1 })
		drain(e)
		return e
	}

	t.Run("new value without POL", func(t *testing.T) {
		e := lockOnA(t)
		mustStep(t, e, f.proposal(f.proposer(1), 1, NoRound, B))
		mustStep(t, e, Validated{1, B.Hash(), true})
		if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.Round != 1 || v.BlockHash != nilHash {
			t.Fatalf("locked validator prevoted %+v on a new value, want nil in round 1", v)
		}
	})

	t.Run("locked value re-proposed", func(t *testing.T) {
		e := lockOnA(t)
		mustStep(t, e, f.vote(o[2], types.Prevote, 1, 0, A.Hash())) // the POL for A in round 0 is complete anyway
		mustStep(t, e, f.proposal(f.proposer(1), 1, 0, A))
		if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.Round != 1 || v.BlockHash != A.Hash() {
			t.Fatalf("prevote %+v, want A in round 1", v)
		}
	})

	t.Run("POL for another value in a later round", func(t *testing.T) {
		e := lockOnA(t)
		mustStep(t, e, f.proposal(f.proposer(1), 1, NoRound, B))
		mustStep(t, e, Validated{1, B.Hash(), true})
		drain(e)
		// Two others prevote B: with our nil that is > 2/3 of prevotes but
		// no majority, so the prevote timeout moves us to precommit nil.
		mustStep(t, e, f.vote(o[0], types.Prevote, 1, 1, B.Hash()))
		mustStep(t, e, f.vote(o[1], types.Prevote, 1, 1, B.Hash()))
		tickUntil(t, e, 100, func() bool { return e.Status().Step == StepPrecommit })
		if v := lastVote(t, drain(e).Broadcast, types.Precommit); v.Round != 1 || v.BlockHash != nilHash {
			t.Fatalf("precommit %+v, want nil in round 1", v)
		}
		for _, i := range o {
			mustStep(t, e, f.vote(i, types.Precommit, 1, 1, nilHash))
		}
		tickUntil(t, e, 100, func() bool { return e.Status().Round == 2 })
		drain(e)

		// Round 2 re-proposes B with POL round 1, whose third prevote we
		// have not seen yet: we must wait.
		mustStep(t, e, f.proposal(f.proposer(2), 2, 1, B))
		for _, v := range ownVotes(drain(e).Broadcast) {
			if v.Round == 2 && v.Type == types.Prevote {
				t.Fatalf("prevoted %s in round 2 before seeing the POL", v.BlockHash)
			}
		}
		mustStep(t, e, f.vote(o[2], types.Prevote, 1, 1, B.Hash()))
		if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.Round != 2 || v.BlockHash != B.Hash() {
			t.Fatalf("prevote %+v, want B in round 2 (POL round 1 > locked round 0)", v)
		}
	})

	t.Run("POL older than the lock", func(t *testing.T) {
		e := lockOnA(t)
		// B is re-proposed in round 1 claiming a POL from round 0, where A
		// won: there is no such POL, so no prevote until the timeout: nil.
		mustStep(t, e, f.proposal(f.proposer(1), 1, 0, B))
		mustStep(t, e, Validated{1, B.Hash(), true})
		tickUntil(t, e, 100, func() bool { return e.Status().Step == StepPrevote })
		if v := voteAt(t, drain(e).Broadcast, types.Prevote, 1); v.BlockHash != nilHash {
			t.Fatalf("prevote %+v, want nil", v)
		}
	})
}

// TestTimeoutsGrow: each timeout lasts base + delta × round ticks. In round
// 3 the validator is the proposer and its driver never answers NeedProposal:
// the propose timeout covers that too.
func TestTimeoutsGrow(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(3)
	o := others(4, s)
	e := f.engine(s, Config{})
	f.start(e, 1)
	A, B := testBlock(1, 0xA, nil), testBlock(1, 0xB, nil)
	for r := range uint32(4) {
		if n := tickUntil(t, e, 1000, func() bool { return e.Status().Step == StepPrevote }); uint64(n) != testTimeouts.ProposeAt(r) {
			t.Fatalf("round %d: propose timeout after %d ticks, want %d", r, n, testTimeouts.ProposeAt(r))
		}
		if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.BlockHash != nilHash || v.Round != r {
			t.Fatalf("round %d: prevote %+v, want nil", r, v)
		}
		mustStep(t, e, f.vote(o[0], types.Prevote, 1, r, A.Hash()))
		mustStep(t, e, f.vote(o[1], types.Prevote, 1, r, B.Hash()))
		if n := tickUntil(t, e, 1000, func() bool { return e.Status().Step == StepPrecommit }); uint64(n) != testTimeouts.PrevoteAt(r) {
			t.Fatalf("round %d: prevote timeout after %d ticks, want %d", r, n, testTimeouts.PrevoteAt(r))
		}
		mustStep(t, e, f.vote(o[0], types.Precommit, 1, r, nilHash))
		mustStep(t, e, f.vote(o[1], types.Precommit, 1, r, nilHash))
		if n := tickUntil(t, e, 1000, func() bool { return e.Status().Round == r+1 }); uint64(n) != testTimeouts.PrecommitAt(r) {
			t.Fatalf("round %d: precommit timeout after %d ticks, want %d", r, n, testTimeouts.PrecommitAt(r))
		}
	}
}

// TestInvalidProposal: an invalid block gets a nil prevote at once, and is
// never precommitted even with > 2/3 prevotes for it.
func TestInvalidProposal(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(1)
	o := others(4, s)
	e := f.engine(s, Config{})
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), false})
	if v := lastVote(t, drain(e).Broadcast, types.Prevote); v.BlockHash != nilHash {
		t.Fatalf("prevote %+v on an invalid block, want nil", v)
	}
	for _, i := range o {
		mustStep(t, e, f.vote(i, types.Prevote, 1, 0, A.Hash()))
	}
	tickUntil(t, e, 100, func() bool { return e.Status().Step == StepPrecommit })
	if v := lastVote(t, drain(e).Broadcast, types.Precommit); v.BlockHash != nilHash {
		t.Fatalf("precommit %+v for an invalid block, want nil", v)
	}
	if st := e.Status(); st.LockedRound != NoRound || st.ValidRound != NoRound {
		t.Fatalf("locked on an invalid block: %+v", st)
	}
}

// TestEquivocationEvidence: two different signed votes from one key at one
// height, round and type become one piece of evidence.
func TestEquivocationEvidence(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	f.start(e, 1)
	A, B, C := testBlock(1, 0xA, nil), testBlock(1, 0xB, nil), testBlock(1, 0xC, nil)
	mustStep(t, e, f.vote(2, types.Prevote, 1, 0, B.Hash()))
	mustStep(t, e, f.vote(2, types.Prevote, 1, 0, A.Hash()))
	mustStep(t, e, f.vote(2, types.Prevote, 1, 0, C.Hash())) // same offence: no second evidence
	mustStep(t, e, f.vote(2, types.Precommit, 1, 0, A.Hash()))
	mustStep(t, e, f.vote(2, types.Precommit, 1, 0, nilHash))

	forged := f.vote(3, types.Prevote, 1, 0, A.Hash())
	mustStep(t, e, forged)
	bad := *f.vote(3, types.Prevote, 1, 0, B.Hash()).Vote
	bad.Signature = forged.Vote.Signature
	if err := e.Step(Message{Vote: &bad}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged conflicting vote: %v, want ErrBadSignature", err)
	}

	ev := drain(e).Evidence
	if len(ev) != 2 {
		t.Fatalf("%d pieces of evidence, want 2: %+v", len(ev), ev)
	}
	for _, x := range ev {
		if x.A.Validator != f.addr(2) || x.B.Validator != f.addr(2) || x.A.Type != x.B.Type || x.A.Round != x.B.Round {
			t.Fatalf("evidence %+v is not one key's double sign", x)
		}
		if x.A.BlockHash == x.B.BlockHash || string(x.A.BlockHash[:]) > string(x.B.BlockHash[:]) {
			t.Fatalf("evidence votes not different and ordered: %s, %s", x.A.BlockHash, x.B.BlockHash)
		}
		for _, v := range []types.Vote{x.A, x.B} {
			if err := v.Verify(testChainID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestNoDoubleSignAfterRestart: a validator that prevoted and precommitted A
// restarts from its WAL; it re-sends those votes, signs nothing new at round
// 0 even for another proposal, and is still locked on A.
func TestNoDoubleSignAfterRestart(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(2)
	o := others(4, s)
	A, B := testBlock(1, 0xA, nil), testBlock(1, 0xB, nil)

	e := f.engine(s, Config{})
	f.start(e, 1)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	mustStep(t, e, f.vote(o[0], types.Prevote, 1, 0, A.Hash()))
	mustStep(t, e, f.vote(o[1], types.Prevote, 1, 0, A.Hash()))
	rd := drain(e)
	if len(rd.Persist) != 2 {
		t.Fatalf("persisted %d records, want prevote and precommit", len(rd.Persist))
	}

	fs := wal.NewMemFS()
	w, _, err := wal.Open(fs, "/data/consensus.wal")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rd.Persist {
		b, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	fs.Crash(nil)

	_, rep, err := wal.Open(fs, "/data/consensus.wal")
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for _, b := range rep.Records {
		r, err := DecodeRecord(b)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	e2 := f.engine(s, Config{})
	if err := e2.Restore(recs); err != nil {
		t.Fatal(err)
	}
	f.start(e2, 1)
	rd = drain(e2)
	if len(rd.Persist) != 0 {
		t.Fatalf("restarted engine signed %d new messages", len(rd.Persist))
	}
	resent := map[types.VoteType]types.Hash{}
	for _, v := range ownVotes(rd.Broadcast) {
		resent[v.Type] = v.BlockHash
	}
	if resent[types.Prevote] != A.Hash() || resent[types.Precommit] != A.Hash() {
		t.Fatalf("restarted engine re-sent %v, want its prevote and precommit for A", resent)
	}
	if st := e2.Status(); st.Round != 0 || st.Step != StepPrecommit || st.LockedRound != 0 || st.LockedHash != A.Hash() {
		t.Fatalf("restored status %+v", st)
	}

	// An equivocating proposer shows B in round 0: nothing new is signed.
	mustStep(t, e2, f.proposal(f.proposer(0), 0, NoRound, B))
	mustStep(t, e2, Validated{1, B.Hash(), true})
	mustStep(t, e2, f.vote(o[2], types.Prevote, 1, 0, B.Hash()))
	for _, i := range o {
		mustStep(t, e2, f.vote(i, types.Precommit, 1, 0, nilHash))
	}
	rd = drain(e2)
	if len(rd.Persist) != 0 {
		t.Fatalf("signed %+v at round 0 after restart", rd.Persist)
	}
	// Round 1 proposes B afresh: the restored lock on A says nil.
	tickUntil(t, e2, 100, func() bool { return e2.Status().Round == 1 })
	mustStep(t, e2, f.proposal(f.proposer(1), 1, NoRound, B))
	rd = drain(e2)
	if v := lastVote(t, rd.Broadcast, types.Prevote); v.Round != 1 || v.BlockHash != nilHash {
		t.Fatalf("prevote %+v, want nil in round 1 (locked on A)", v)
	}
	for _, r := range rd.Persist {
		if r.Vote == nil || r.Vote.Round != 1 {
			t.Fatalf("persisted %+v", r)
		}
	}
}

// TestWatermark: after a restart whose WAL reaches a height above the store,
// the engine does not sign below that height.
func TestWatermark(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.proposer(0)
	e := f.engine(s, Config{})
	rec := f.vote(s, types.Prevote, 5, 0, nilHash)
	if err := e.Restore([]Record{{Vote: rec.Vote}}); err != nil {
		t.Fatal(err)
	}
	if w := e.Watermark(); w != 5 {
		t.Fatalf("watermark %d, want 5", w)
	}
	f.start(e, 3)
	tickUntil(t, e, 100, func() bool { return e.Status().Step == StepPrevote })
	if rd := drain(e); len(rd.Persist) != 0 || rd.NeedProposal != nil {
		t.Fatalf("signed below the WAL's height: %+v", rd)
	}
	if err := f.engine(s+1, Config{}).Restore([]Record{{Vote: rec.Vote}}); !errors.Is(err, ErrForeignRecord) {
		t.Fatalf("restoring another key's record: %v", err)
	}
}

// TestDecisionFromSync: a block with a valid commit decides the height; a
// commit short of 2/3 or with a forged signature is refused.
func TestDecisionFromSync(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	A := testBlock(1, 0xA, nil)
	for _, tc := range []struct {
		name   string
		commit *types.Commit
		ok     bool
	}{
		{"three of four", f.commit(A, 2, 0, 1, 3), true},
		{"two of four", f.commit(A, 0, 0, 1), false},
		{"duplicate signer", f.commit(A, 0, 0, 1, 1), false},
		{"other block", f.commit(testBlock(1, 0xB, nil), 0, 0, 1, 2), false},
		{"forged", func() *types.Commit {
			c := f.commit(A, 0, 0, 1, 2)
			c.Signatures[2].Signature = c.Signatures[1].Signature
			return c
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := f.engine(0, Config{})
			f.start(e, 1)
			err := e.Step(Decision{Block: A, Commit: tc.commit})
			rd := drain(e)
			if tc.ok {
				if err != nil || rd.Commit == nil || rd.Commit.Block != A {
					t.Fatalf("Step = %v, commit %+v", err, rd.Commit)
				}
				return
			}
			if !errors.Is(err, ErrBadCommit) || rd.Commit != nil {
				t.Fatalf("Step = %v, commit %+v; want ErrBadCommit", err, rd.Commit)
			}
		})
	}
}

// TestNextHeightMessages: messages of the next height are kept until
// NewHeight, and the precommits in a next-height block's LastCommit decide
// the current height for a node that missed them.
func TestNextHeightMessages(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(1)
	e := f.engine(s, Config{})
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	drain(e)

	lc := f.commit(A, 0, others(4, s)...)
	next := testBlock(2, 0xB, lc)
	set2, err := f.set.Next(f.set.Validators())
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := set2.Index(set2.Proposer(0))
	p := &Proposal{Height: 2, Round: 0, POLRound: NoRound, BlockHash: next.Hash()}
	if err := p.Sign(testChainID, f.keys[p2]); err != nil {
		t.Fatal(err)
	}
	mustStep(t, e, Message{Proposal: p, Block: next})
	rd := drain(e)
	if rd.Commit == nil || rd.Commit.Block.Hash() != A.Hash() {
		t.Fatalf("no decision from the next block's LastCommit: %+v", rd.Commit)
	}
	if err := e.NewHeight(HeightParams{Height: 2, Validators: set2, LastCommit: rd.Commit.Commit}); err != nil {
		t.Fatal(err)
	}
	rd = drain(e)
	if len(rd.ToValidate) != 1 || rd.ToValidate[0].Hash() != next.Hash() {
		t.Fatalf("buffered proposal not replayed: %+v", rd.ToValidate)
	}
}

// TestRoundSkip: votes from > 1/3 of the power in higher rounds pull a
// validator up (line 55, counting each validator at its highest round); 1/3
// or less does not.
func TestRoundSkip(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	f.start(e, 1)
	mustStep(t, e, f.vote(1, types.Prevote, 1, 5, nilHash))
	if r := e.Status().Round; r != 0 {
		t.Fatalf("one of four moved us to round %d", r)
	}
	mustStep(t, e, f.vote(2, types.Precommit, 1, 7, nilHash))
	if r := e.Status().Round; r != 5 {
		t.Fatalf("round %d, want 5: validators 1 and 2 are both at 5 or above", r)
	}
}

// TestRoundSkipPastHeldRounds: once a validator's votes fill the rounds held
// ahead, its later votes are not kept but still show where it is, so the
// engine can catch up with validators far ahead.
func TestRoundSkipPastHeldRounds(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	f.start(e, 1)
	for _, i := range []int{1, 2} {
		for _, r := range []uint32{1 + uint32(i), 10 + uint32(i)} { // rounds nobody else is in
			mustStep(t, e, f.vote(i, types.Prevote, 1, r, nilHash))
		}
	}
	if r := e.Status().Round; r != 0 {
		t.Fatalf("round %d, want 0", r)
	}
	mustStep(t, e, f.vote(1, types.Prevote, 1, 30, nilHash)) // not held: both of 1's rounds ahead are taken
	mustStep(t, e, f.vote(2, types.Prevote, 1, 31, nilHash))
	mustStep(t, e, f.vote(3, types.Prevote, 1, 33, nilHash))
	if r := e.Status().Round; r != 30 {
		t.Fatalf("round %d, want 30: validators 1, 2 and 3 are at 30 or above", r)
	}
}

// TestFutureRoundBound: one validator cannot make the engine hold votes in
// more than a few rounds ahead.
func TestFutureRoundBound(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	f.start(e, 1)
	for r := uint32(1); r < 50; r++ {
		mustStep(t, e, f.vote(1, types.Prevote, 1, r, nilHash))
	}
	if n := len(e.hs.roundNums); n > 1+maxFutureRoundsPerValidator {
		t.Fatalf("holding %d rounds for one validator", n)
	}
}

func TestStepErrors(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	e := f.engine(0, Config{})
	if err := e.Step(Message{}); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("before NewHeight: %v", err)
	}
	f.start(e, 1)
	A := testBlock(1, 0xA, nil)
	stranger := newFixture(t, 1, 1, 1, 1, 1, 1)
	wrong := f.proposer(1)
	for _, tc := range []struct {
		name string
		msg  Msg
		want error
	}{
		{"empty message", Message{}, ErrBadMessage},
		{"unknown validator", stranger.vote(5, types.Prevote, 1, 0, nilHash), ErrUnknownValidator},
		{"wrong proposer", f.proposal(wrong, 0, NoRound, A), ErrNotProposer},
		{"POL not below round", f.proposal(f.proposer(0), 0, 0, A), ErrBadMessage},
		{"block mismatch", Message{Proposal: f.proposal(f.proposer(0), 0, NoRound, A).Proposal, Block: testBlock(1, 0xB, nil)}, ErrBadMessage},
		{"bad vote type", Message{Vote: &types.Vote{Type: 9, Height: 1}}, ErrBadMessage},
		{"unknown input", nil, ErrUnknownMsg},
	} {
		if err := e.Step(tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := e.NewHeight(HeightParams{Height: 1, Validators: f.set}); !errors.Is(err, ErrHeightNotIncreasing) {
		t.Fatalf("NewHeight to the same height: %v", err)
	}
}

// TestReproposalCarriesPOL: a validator holding a valid value re-proposes it
// with the prevotes that prove it, so that validators that missed them can
// prevote it.
func TestReproposalCarriesPOL(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.proposer(1)
	o := others(4, s)
	A := testBlock(1, 0xA, nil)
	e := f.engine(s, Config{})
	f.start(e, 1)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	mustStep(t, e, f.vote(o[0], types.Prevote, 1, 0, A.Hash()))
	mustStep(t, e, f.vote(o[1], types.Prevote, 1, 0, A.Hash()))
	for _, i := range o {
		mustStep(t, e, f.vote(i, types.Precommit, 1, 0, nilHash))
	}
	tickUntil(t, e, 100, func() bool { return e.Status().Round == 1 })
	rd := drain(e)
	if rd.NeedProposal != nil {
		t.Fatal("asked for a new block while holding a valid value")
	}
	var prop *Message
	for i, m := range rd.Broadcast {
		if m.Proposal != nil && m.Proposal.Round == 1 {
			prop = &rd.Broadcast[i]
		}
	}
	if prop == nil || prop.Proposal.POLRound != 0 || prop.Block.Hash() != A.Hash() {
		t.Fatalf("round 1 proposal %+v, want A with POL round 0", prop)
	}
	var power uint64
	for _, v := range prop.POL {
		if v.Round != 0 || v.Type != types.Prevote || v.BlockHash != A.Hash() {
			t.Fatalf("POL holds %+v", v)
		}
		power++
	}
	if !hasTwoThirds(power, 4) {
		t.Fatalf("POL of %d votes does not prove a lock", power)
	}

	// A validator that saw none of those prevotes prevotes A on the proposal alone.
	r := f.engine(o[2], Config{})
	f.start(r, 1)
	mustStep(t, r, f.vote(o[0], types.Precommit, 1, 1, nilHash))
	mustStep(t, r, f.vote(o[1], types.Precommit, 1, 1, nilHash)) // > 1/3 in round 1: skip there
	mustStep(t, r, *prop)
	mustStep(t, r, Validated{1, A.Hash(), true})
	if v := lastVote(t, drain(r).Broadcast, types.Prevote); v.Round != 1 || v.BlockHash != A.Hash() {
		t.Fatalf("prevote %+v, want A in round 1", v)
	}
}

// TestPOLCountsEquivocator: a proof of lock may rely on an equivocator's
// vote that this validator first saw for another value; it still counts.
func TestPOLCountsEquivocator(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.notProposer(2)
	o := others(4, s)
	byz := o[2]
	A := testBlock(1, 0xA, nil)
	e := f.engine(s, Config{})
	f.start(e, 1)
	mustStep(t, e, f.vote(byz, types.Prevote, 1, 0, nilHash)) // what byz showed us
	tickUntil(t, e, 100, func() bool { return e.Status().Step == StepPrevote })
	for _, i := range o {
		mustStep(t, e, f.vote(i, types.Precommit, 1, 0, nilHash))
	}
	tickUntil(t, e, 100, func() bool { return e.Status().Round == 1 })
	drain(e)

	pol := []*types.Vote{
		f.vote(o[0], types.Prevote, 1, 0, A.Hash()).Vote,
		f.vote(o[1], types.Prevote, 1, 0, A.Hash()).Vote,
		f.vote(byz, types.Prevote, 1, 0, A.Hash()).Vote, // what byz showed the others
	}
	m := f.proposal(f.proposer(1), 1, 0, A)
	m.POL = pol
	mustStep(t, e, m)
	mustStep(t, e, Validated{1, A.Hash(), true})
	rd := drain(e)
	if v := lastVote(t, rd.Broadcast, types.Prevote); v.Round != 1 || v.BlockHash != A.Hash() {
		t.Fatalf("prevote %+v, want A: the POL holds with the equivocator's second vote", v)
	}
	if len(rd.Evidence) != 1 || rd.Evidence[0].A.Validator != f.addr(byz) {
		t.Fatalf("evidence %+v, want byz's double prevote", rd.Evidence)
	}
}

// TestRestartKeepsLockedBlock: the WAL record of a locking precommit holds
// the block and its proof of lock, so a restarted validator re-proposes it
// when its turn comes instead of proposing something its lock refuses.
func TestRestartKeepsLockedBlock(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.proposer(1)
	o := others(4, s)
	A := testBlock(1, 0xA, nil)
	e := f.engine(s, Config{})
	f.start(e, 1)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	mustStep(t, e, f.vote(o[0], types.Prevote, 1, 0, A.Hash()))
	mustStep(t, e, f.vote(o[1], types.Prevote, 1, 0, A.Hash()))
	var recs []Record
	for _, r := range drain(e).Persist {
		b, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeRecord(b)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, back)
	}
	if last := recs[len(recs)-1]; last.Block == nil || last.Block.Hash() != A.Hash() || len(last.POL) != 3 {
		t.Fatalf("lock record %+v, want the block and its three prevotes", last)
	}

	e2 := f.engine(s, Config{})
	if err := e2.Restore(recs); err != nil {
		t.Fatal(err)
	}
	f.start(e2, 1)
	for _, i := range o {
		mustStep(t, e2, f.vote(i, types.Precommit, 1, 0, nilHash))
	}
	tickUntil(t, e2, 100, func() bool { return e2.Status().Round == 1 })
	rd := drain(e2)
	if rd.NeedProposal != nil {
		t.Fatal("restarted validator asked for a new block while locked")
	}
	for _, m := range rd.Broadcast {
		if m.Proposal != nil && m.Proposal.Round == 1 {
			if m.Block.Hash() != A.Hash() || m.Proposal.POLRound != 0 || len(m.POL) != 3 {
				t.Fatalf("re-proposal %+v", m.Proposal)
			}
			return
		}
	}
	t.Fatal("no re-proposal in round 1")
}

// TestValidValueFromPastRound: a proof of lock seen after leaving its round
// still makes its block the valid value, which the proposer re-proposes.
func TestValidValueFromPastRound(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	s := f.proposer(2)
	o := others(4, s)
	A := testBlock(1, 0xA, nil)
	e := f.engine(s, Config{})
	f.start(e, 1)
	mustStep(t, e, f.proposal(f.proposer(0), 0, NoRound, A))
	mustStep(t, e, Validated{1, A.Hash(), true})
	mustStep(t, e, f.vote(o[0], types.Precommit, 1, 1, nilHash))
	mustStep(t, e, f.vote(o[1], types.Precommit, 1, 1, nilHash))
	if st := e.Status(); st.Round != 1 {
		t.Fatalf("round %d, want 1", st.Round)
	}
	for _, i := range o {
		mustStep(t, e, f.vote(i, types.Prevote, 1, 0, A.Hash())) // round 0's POL, late
	}
	if st := e.Status(); st.ValidRound != 0 || st.ValidHash != A.Hash() || st.LockedRound != NoRound {
		t.Fatalf("status %+v, want valid (not locked) A from round 0", st)
	}
}
