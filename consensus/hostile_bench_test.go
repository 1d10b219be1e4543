package consensus

import (
	"testing"
)

// BenchmarkJunkLastCommit10k: what one next-height proposal whose LastCommit
// holds 10,000 junk signatures (naming real validators) costs the consensus
// goroutine. It was one recovery per signature (~0.6 s); its form now
// refuses it before any.
func BenchmarkJunkLastCommit10k(b *testing.B) {
	f := newFixture(b, 1, 1, 1, 1)
	s := f.notProposer(1)
	A := testBlock(1, 0xA, nil)
	set2, err := f.set.Next(f.set.Validators())
	if err != nil {
		b.Fatal(err)
	}
	p2, _ := set2.Index(set2.Proposer(0))
	junk := junkCommit(f, A, 10_000)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e := f.engine(s, Config{})
		f.start(e, 1)
		mustStep(b, e, f.proposal(f.proposer(0), 0, NoRound, A))
		mustStep(b, e, Validated{1, A.Hash(), true})
		drain(e)
		blk := testBlock(2, byte(i), junk)
		p := &Proposal{Height: 2, Round: 0, POLRound: NoRound, BlockHash: blk.Hash()}
		if err := p.Sign(testChainID, f.keys[p2]); err != nil {
			b.Fatal(err)
		}
		m := Message{Proposal: p, Block: blk}
		b.StartTimer()
		_ = e.Step(m)
	}
}
