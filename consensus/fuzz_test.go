package consensus

import (
	"bytes"
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

// seedMessages are real encodings of every message kind: a proposal with a
// block carrying a LastCommit of three signatures and one transaction, a
// re-proposal with its proof of lock, and each vote type, nil votes
// included.
func seedMessages(tb testing.TB) (msgs [][]byte, recs [][]byte) {
	f := newFixture(tb, 1, 1, 1, 1)
	prev := testBlock(1, 1, &types.Commit{})
	lc := f.commit(prev, 0, 0, 1, 2)
	tx, err := types.SignTx(types.TxData{ChainID: testChainID, Nonce: 3, Fee: 21_000, Call: &types.Transfer{To: types.Address{7}, Amount: 9}}, f.keys[3])
	if err != nil {
		tb.Fatal(err)
	}
	h := types.Header{ChainID: testChainID, Height: 2, Time: 2000, StateRoot: types.Hash{2},
		LastCommitHash: lc.Hash(), EvidenceHash: types.EvidenceHash(nil), TxRoot: types.TxRoot([]*types.Tx{tx})}
	blk := types.NewBlock(h, []*types.Tx{tx}, lc, nil)
	prop := f.proposal(0, 0, NoRound, blk)
	repro := f.proposal(1, 2, 1, blk)
	var pol []*types.Vote
	for i := range 3 {
		pol = append(pol, f.vote(i, types.Prevote, 2, 1, blk.Hash()).Vote)
	}
	repro.POL = pol
	prevote := f.vote(2, types.Prevote, 2, 0, blk.Hash())
	nilPrecommit := f.vote(3, types.Precommit, 2, 1, types.Hash{})
	precommit := f.vote(1, types.Precommit, 2, 2, blk.Hash())
	for _, m := range []Message{prop, repro, prevote, nilPrecommit, precommit} {
		b, err := m.Encode()
		if err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, b)
	}
	for _, r := range []Record{
		{Proposal: prop.Proposal},
		{Vote: prevote.Vote},
		{Vote: nilPrecommit.Vote},
		{Vote: precommit.Vote, Block: blk, POL: pol},
		{Vote: precommit.Vote, Block: blk},
	} {
		b, err := r.Encode()
		if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, b)
	}
	return msgs, recs
}

// FuzzDecodeMessage: DecodeMessage is what every consensus gossip message
// from any peer meets first. Any input is decoded or refused with
// ErrBadMessage, never a panic; and what decodes re-encodes to the very
// input (the codec is canonical: one message, one encoding, so a message's
// bytes cannot be varied to slip past a seen-message cache).
func FuzzDecodeMessage(f *testing.F) {
	msgs, recs := seedMessages(f)
	for _, b := range msgs {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, b := range recs {
		f.Add(b) // a record is no message
	}
	f.Add([]byte{kindVoteMsg, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v is not ErrBadMessage", err)
			}
			return
		}
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, again)
		}
	})
}

// FuzzDecodeRecord: DecodeRecord reads the WAL back at every start, so any
// damaged payload that passes the WAL's checksums (or a WAL from another
// version) meets it. Any input is decoded or refused with ErrBadMessage,
// never a panic, and what decodes re-encodes to the input.
func FuzzDecodeRecord(f *testing.F) {
	msgs, recs := seedMessages(f)
	for _, b := range recs {
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	for _, b := range msgs {
		f.Add(b) // a message is no record
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord(b)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v is not ErrBadMessage", err)
			}
			return
		}
		if (r.Proposal == nil) == (r.Vote == nil) {
			t.Fatalf("record with proposal %v and vote %v: the replay reads exactly one", r.Proposal != nil, r.Vote != nil)
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, again)
		}
	})
}
