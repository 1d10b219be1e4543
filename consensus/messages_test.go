package consensus

import (
	"bytes"
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

func TestMessageEncoding(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	A := testBlock(3, 0xA, f.commit(testBlock(2, 1, nil), 0, 0, 1, 2))
	prop := f.proposal(0, 4, 2, A)
	vote := f.vote(1, types.Precommit, 3, 4, A.Hash())
	for _, m := range []Message{prop, vote} {
		b, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := got.Encode()
		if !bytes.Equal(again, b) {
			t.Fatal("message does not round-trip")
		}
		if m.Proposal != nil && (got.Block.Hash() != A.Hash() || !bytes.Equal(got.Proposal.Signature, m.Proposal.Signature) || got.Proposal.Verify(testChainID) != nil) {
			t.Fatal("proposal changed in transit")
		}
	}
	for _, r := range []Record{{Proposal: prop.Proposal}, {Vote: vote.Vote}} {
		b, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := got.Encode()
		if !bytes.Equal(again, b) || got.Height() != 3 || got.round() != 4 {
			t.Fatal("record does not round-trip")
		}
	}
	for name, b := range map[string][]byte{
		"empty":        nil,
		"unknown kind": {0x7f, 0xc0},
		"truncated":    {kindVoteMsg, 0xf8},
		"trailing":     append(mustEncode(t, vote), 0),
	} {
		if _, err := DecodeMessage(b); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := DecodeRecord(b); !errors.Is(err, ErrBadMessage) {
			t.Errorf("record %s: %v", name, err)
		}
	}
	if _, err := (Message{Vote: vote.Vote, Proposal: prop.Proposal}).Encode(); !errors.Is(err, ErrBadMessage) {
		t.Errorf("two payloads: %v", err)
	}
}

func mustEncode(t *testing.T, m Message) []byte {
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProposalSignature: the signature binds every signed field and the
// chain, and a vote's signature is no proposal's.
func TestProposalSignature(t *testing.T) {
	f := newFixture(t, 1)
	A := testBlock(1, 0xA, nil)
	p := f.proposal(0, 0, NoRound, A).Proposal
	if err := p.Verify(testChainID); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(q *Proposal){
		"height": func(q *Proposal) { q.Height++ },
		"round":  func(q *Proposal) { q.Round++ },
		"pol":    func(q *Proposal) { q.POLRound = 0 },
		"hash":   func(q *Proposal) { q.BlockHash[0] ^= 1 },
	} {
		q := *p
		mut(&q)
		if err := q.Verify(testChainID); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s changed: %v", name, err)
		}
	}
	if err := p.Verify(testChainID + 1); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other chain: %v", err)
	}
	v := &types.Vote{Type: types.Prevote, Height: 1, Round: 0, BlockHash: A.Hash(), Validator: p.Proposer, Signature: p.Signature}
	if v.Verify(testChainID) == nil {
		t.Error("a proposal signature verifies as a vote")
	}
}
