package consensus

import (
	"crypto/ecdsa"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

const testChainID = 7

// testTimeouts are short and distinct, so tests can tell them apart.
var testTimeouts = Timeouts{Propose: 10, ProposeDelta: 3, Prevote: 5, PrevoteDelta: 2, Precommit: 7, PrecommitDelta: 1}

func testKey(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("consensus test key %d", i))))
	if err != nil {
		panic(err)
	}
	return k
}

// fixture is a validator set of test keys and helpers to forge their messages.
type fixture struct {
	tb   testing.TB
	keys []*ecdsa.PrivateKey
	set  *ValidatorSet
}

func newFixture(tb testing.TB, powers ...uint64) *fixture {
	f := &fixture{tb: tb}
	vals := make([]types.Validator, len(powers))
	for i, p := range powers {
		f.keys = append(f.keys, testKey(i))
		vals[i] = types.Validator{Address: crypto.PubkeyToAddress(testKey(i).PublicKey), Power: p}
	}
	set, err := NewValidatorSet(vals)
	if err != nil {
		tb.Fatal(err)
	}
	f.set = set
	return f
}

func (f *fixture) addr(i int) types.Address { return f.set.vals[i].Address }

// proposer returns the index of the proposer of round r at the set's height.
func (f *fixture) proposer(r uint32) int {
	i, _ := f.set.Index(f.set.Proposer(r))
	return i
}

// notProposer returns a validator that proposes none of rounds 0..n-1.
func (f *fixture) notProposer(n uint32) int {
	for i := range f.keys {
		ok := true
		for r := range n {
			ok = ok && f.proposer(r) != i
		}
		if ok {
			return i
		}
	}
	f.tb.Fatalf("every validator proposes in rounds 0..%d", n-1)
	return -1
}

func (f *fixture) engine(i int, cfg Config) *Engine {
	cfg.ChainID = testChainID
	if i >= 0 {
		cfg.Signer = NewKeySigner(testChainID, f.keys[i])
	}
	if cfg.Timeouts == (Timeouts{}) {
		cfg.Timeouts = testTimeouts
	}
	e, err := New(cfg)
	if err != nil {
		f.tb.Fatal(err)
	}
	return e
}

func (f *fixture) start(e *Engine, height uint64) {
	if err := e.NewHeight(HeightParams{Height: height, Validators: f.set, NextValidators: f.set.Validators()}); err != nil {
		f.tb.Fatal(err)
	}
}

func (f *fixture) vote(i int, t types.VoteType, height uint64, round uint32, hash types.Hash) Message {
	v := &types.Vote{Type: t, Height: height, Round: round, BlockHash: hash}
	if err := v.Sign(testChainID, f.keys[i]); err != nil {
		f.tb.Fatal(err)
	}
	return Message{Vote: v}
}

func (f *fixture) proposal(i int, round, pol uint32, b *types.Block) Message {
	p := &Proposal{Height: b.Height(), Round: round, POLRound: pol, BlockHash: b.Hash()}
	if err := p.Sign(testChainID, f.keys[i]); err != nil {
		f.tb.Fatal(err)
	}
	return Message{Proposal: p, Block: b}
}

// commit signs precommits for b by the validators in who.
func (f *fixture) commit(b *types.Block, round uint32, who ...int) *types.Commit {
	c := &types.Commit{Height: b.Height(), Round: round, BlockHash: b.Hash()}
	for _, i := range who {
		v := f.vote(i, types.Precommit, b.Height(), round, b.Hash()).Vote
		c.Signatures = append(c.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	return c
}

// testBlock is a block that tag tells apart from others at the same height.
func testBlock(height uint64, tag byte, lastCommit *types.Commit) *types.Block {
	h := types.Header{ChainID: testChainID, Height: height, Time: height*1000 + uint64(tag), StateRoot: types.Hash{tag},
		LastCommitHash: lastCommit.Hash(), EvidenceHash: types.EvidenceHash(nil), TxRoot: types.EmptyRoot}
	return types.NewBlock(h, nil, lastCommit, nil)
}

func mustStep(tb testing.TB, e *Engine, m Msg) {
	tb.Helper()
	if err := e.Step(m); err != nil {
		tb.Fatalf("Step(%T): %v", m, err)
	}
}

// drain takes everything the engine has to say.
func drain(e *Engine) Ready {
	var all Ready
	for e.HasReady() {
		rd := e.Ready()
		all.Persist = append(all.Persist, rd.Persist...)
		all.Broadcast = append(all.Broadcast, rd.Broadcast...)
		all.ToValidate = append(all.ToValidate, rd.ToValidate...)
		all.Evidence = append(all.Evidence, rd.Evidence...)
		if rd.NeedProposal != nil {
			all.NeedProposal = rd.NeedProposal
		}
		if rd.Commit != nil {
			all.Commit = rd.Commit
		}
		e.Advance(rd)
	}
	return all
}

// ownVotes lists the votes among msgs.
func ownVotes(msgs []Message) []*types.Vote {
	var out []*types.Vote
	for _, m := range msgs {
		if m.Vote != nil {
			out = append(out, m.Vote)
		}
	}
	return out
}

// lastVote returns the last vote of type t in msgs.
func lastVote(tb testing.TB, msgs []Message, t types.VoteType) *types.Vote {
	tb.Helper()
	vs := ownVotes(msgs)
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Type == t {
			return vs[i]
		}
	}
	tb.Fatalf("no %s among %d messages", t, len(msgs))
	return nil
}

// voteAt returns the last vote of type t and round r in msgs.
func voteAt(tb testing.TB, msgs []Message, t types.VoteType, r uint32) *types.Vote {
	tb.Helper()
	vs := ownVotes(msgs)
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Type == t && vs[i].Round == r {
			return vs[i]
		}
	}
	tb.Fatalf("no %s of round %d among %d messages", t, r, len(msgs))
	return nil
}

// tickUntil ticks until cond holds, at most limit times, and returns the
// number of ticks.
func tickUntil(tb testing.TB, e *Engine, limit int, cond func() bool) int {
	tb.Helper()
	for n := 0; n <= limit; n++ {
		if cond() {
			return n
		}
		e.Tick()
	}
	tb.Fatalf("condition not met after %d ticks (status %+v)", limit, e.Status())
	return 0
}

// cluster runs engines over an instant, lossless, FIFO network: the happy path.
type cluster struct {
	*fixture
	engs      []*Engine
	decisions [][]*Decision
	queue     []envelope
	sets      map[uint64]*ValidatorSet
	delivered int
	maxHeight uint64 // stop after deciding it; 0: never stop
}

type envelope struct {
	from int
	msg  Message
}

func newCluster(tb testing.TB, verifier Verifier, powers ...uint64) *cluster {
	c := &cluster{fixture: newFixture(tb, powers...), sets: map[uint64]*ValidatorSet{}}
	c.sets[1] = c.set
	for i := range powers {
		e := c.engine(i, Config{Verifier: verifier})
		c.engs = append(c.engs, e)
		c.decisions = append(c.decisions, nil)
		c.start(e, 1)
	}
	return c
}

// run handles Readies and delivers messages until everything is quiet.
func (c *cluster) run() {
	for {
		busy := false
		for i, e := range c.engs {
			for e.HasReady() {
				busy = true
				c.handle(i, e)
			}
		}
		if len(c.queue) > 0 {
			busy = true
			env := c.queue[0]
			c.queue = c.queue[1:]
			for j, e := range c.engs {
				if j != env.from {
					c.delivered++
					if err := e.Step(env.msg); err != nil {
						c.tb.Fatalf("engine %d: %v", j, err)
					}
				}
			}
		}
		if !busy {
			return
		}
	}
}

func (c *cluster) handle(i int, e *Engine) {
	rd := e.Ready()
	for _, m := range rd.Broadcast {
		c.queue = append(c.queue, envelope{i, m})
	}
	for _, b := range rd.ToValidate {
		mustStep(c.tb, e, Validated{Height: b.Height(), Hash: b.Hash(), Valid: true})
	}
	if np := rd.NeedProposal; np != nil {
		mustStep(c.tb, e, ProposalBlock{np.Height, np.Round, testBlock(np.Height, byte(i+1), np.LastCommit)})
	}
	if d := rd.Commit; d != nil {
		c.decisions[i] = append(c.decisions[i], d)
		h := d.Block.Height()
		next := c.sets[h+1]
		if next == nil {
			var err error
			if next, err = c.sets[h].Next(c.sets[h].Validators()); err != nil {
				c.tb.Fatal(err)
			}
			c.sets[h+1] = next
		}
		if c.maxHeight == 0 || h < c.maxHeight {
			if err := e.NewHeight(HeightParams{Height: h + 1, Validators: next, LastCommit: d.Commit}); err != nil {
				c.tb.Fatal(err)
			}
		}
	}
	e.Advance(rd)
}
