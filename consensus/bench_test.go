package consensus

import (
	"testing"

	"github.com/taonet/taod/types"
)

// trustAll is a Verifier that accepts everything, and nullSigner signs with a
// fixed string: together they isolate the state machine from secp256k1.
type trustAll struct{}

func (trustAll) VerifyVote(*types.Vote) error   { return nil }
func (trustAll) VerifyProposal(*Proposal) error { return nil }

type nullSigner struct{ addr types.Address }

func (s nullSigner) Address() types.Address { return s.addr }
func (s nullSigner) SignVote(v *types.Vote) error {
	v.Validator, v.Signature = s.addr, make([]byte, 65)
	return nil
}
func (s nullSigner) SignProposal(p *Proposal) error {
	p.Proposer, p.Signature = s.addr, make([]byte, 65)
	return nil
}

// benchHeight measures one validator deciding one height: it receives the
// proposal, n−1 prevotes and n−1 precommits, validates the block, signs its
// own prevote and precommit, and emits the decision.
func benchHeight(b *testing.B, n int) {
	powers := make([]uint64, n)
	for i := range powers {
		powers[i] = uint64(1 + i%7)
	}
	f := newFixture(b, powers...)
	s := f.notProposer(1)
	A := testBlock(1, 0xA, nil)
	msgs := []Message{f.proposal(f.proposer(0), 0, NoRound, A)}
	for _, t := range []types.VoteType{types.Prevote, types.Precommit} {
		for i := range n {
			if i != s {
				msgs = append(msgs, f.vote(i, t, 1, 0, A.Hash()))
			}
		}
	}
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"secp256k1", Config{ChainID: testChainID, Signer: NewKeySigner(testChainID, f.keys[s])}},
		{"statemachine", Config{ChainID: testChainID, Signer: nullSigner{f.addr(s)}, Verifier: trustAll{}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := New(c.cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.NewHeight(HeightParams{Height: 1, Validators: f.set}); err != nil {
					b.Fatal(err)
				}
				var decided bool
				for _, m := range msgs {
					if err := e.Step(m); err != nil {
						b.Fatal(err)
					}
					for e.HasReady() {
						rd := e.Ready()
						for _, blk := range rd.ToValidate {
							_ = e.Step(Validated{Height: 1, Hash: blk.Hash(), Valid: true})
						}
						decided = decided || rd.Commit != nil
						e.Advance(rd)
					}
				}
				if !decided {
					b.Fatal("height not decided")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/msg")
		})
	}
}

func BenchmarkHeight4Validators(b *testing.B)   { benchHeight(b, 4) }
func BenchmarkHeight100Validators(b *testing.B) { benchHeight(b, 100) }

// BenchmarkProposerSchedule measures finding round 0's proposer of the next
// height for 100 validators (ValidatorSet.Next and the first turn).
func BenchmarkProposerSchedule(b *testing.B) {
	powers := make([]uint64, 100)
	for i := range powers {
		powers[i] = uint64(1+i) * 1_000_000_000
	}
	set := newFixture(b, powers...).set
	vals := set.Validators()
	b.ReportAllocs()
	for b.Loop() {
		next, err := set.Next(vals)
		if err != nil {
			b.Fatal(err)
		}
		_ = next.Proposer(0)
	}
}
