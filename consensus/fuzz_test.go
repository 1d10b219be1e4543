package consensus

import (
	"bytes"
	"testing"

	"github.com/taonet/taod/types"
)

// FuzzDecodeMessage: any bytes a peer sends either fail to decode or decode
// to a message whose encoding is exactly those bytes (one message, one
// encoding: gossip deduplicates by content), without panicking.
func FuzzDecodeMessage(f *testing.F) {
	fx := newFixture(f, 1, 1, 1, 1)
	A := testBlock(1, 0xA, nil)
	B := testBlock(2, 0xB, fx.commit(A, 0, 0, 1, 2))
	pol := fx.vote(1, types.Prevote, 2, 0, B.Hash()).Vote
	for _, m := range []Message{
		fx.vote(0, types.Prevote, 1, 0, A.Hash()),
		fx.proposal(0, 0, NoRound, A),
		{Proposal: fx.proposal(2, 1, 0, B).Proposal, Block: B, POL: []*types.Vote{pol}},
	} {
		b, err := m.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{kindVoteMsg, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("decoded %x, encodes back as %x", b, again)
		}
	})
}

// FuzzDecodeRecord: WAL records (disk input after a crash) decode or fail,
// without panicking, and a decoded record encodes back to its bytes.
func FuzzDecodeRecord(f *testing.F) {
	fx := newFixture(f, 1, 1, 1, 1)
	A := testBlock(1, 0xA, nil)
	pc := fx.vote(0, types.Precommit, 1, 0, A.Hash()).Vote
	for _, r := range []Record{
		{Vote: fx.vote(0, types.Prevote, 1, 0, A.Hash()).Vote},
		{Proposal: fx.proposal(0, 0, NoRound, A).Proposal},
		{Vote: pc, Block: A, POL: []*types.Vote{fx.vote(1, types.Prevote, 1, 0, A.Hash()).Vote}},
	} {
		b, err := r.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord(b)
		if err != nil {
			return
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("decoded %x, encodes back as %x", b, again)
		}
	})
}
