package wal

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/types"
)

// realRecords are consensus WAL records as a validator writes them: its
// proposal, its prevote and nil precommit, and a lock (precommit, block).
func realRecords(tb testing.TB) [][]byte {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("wal fuzz key")))
	if err != nil {
		tb.Fatal(err)
	}
	blk := types.NewBlock(types.Header{ChainID: 77, Height: 5, Time: 5000, StateRoot: types.Hash{5},
		LastCommitHash: (&types.Commit{}).Hash(), EvidenceHash: types.EvidenceHash(nil), TxRoot: types.EmptyRoot}, nil, &types.Commit{}, nil)
	vote := func(t types.VoteType, h types.Hash) *types.Vote {
		v := &types.Vote{Type: t, Height: 5, Round: 1, BlockHash: h}
		if err := v.Sign(77, key); err != nil {
			tb.Fatal(err)
		}
		return v
	}
	prop := &consensus.Proposal{Height: 5, Round: 1, POLRound: consensus.NoRound, BlockHash: blk.Hash()}
	if err := prop.Sign(77, key); err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, r := range []consensus.Record{
		{Proposal: prop},
		{Vote: vote(types.Prevote, blk.Hash())},
		{Vote: vote(types.Precommit, types.Hash{})},
		{Vote: vote(types.Precommit, blk.Hash()), Block: blk, POL: []*types.Vote{vote(types.Prevote, blk.Hash())}},
	} {
		b, err := r.Encode()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzReplay: a WAL file of any content, here a real log damaged at one
// byte and cut at any length, either opens or is refused as corrupt, never
// panics. When it opens, the records are exactly the frames of the kept
// prefix; anything past that prefix was reported as a torn tail (with the
// offsets that were truncated) and is gone from the file; a second Open
// reads the same records without a warning; and the log takes appends
// again. When it is refused, the error names a bad frame followed by a
// valid one. Allocation is bounded by the file: payloads alias the bytes
// read, whatever length a header claims.
func FuzzReplay(f *testing.F) {
	var log []byte
	for _, r := range realRecords(f) {
		log = appendFrame(log, r)
	}
	f.Add(log, uint32(0), byte(0), uint32(0))
	f.Add(log, uint32(3), byte(0x80), uint32(0))          // a header length bit
	f.Add(log, uint32(headerSize+2), byte(1), uint32(0))  // first payload
	f.Add(log, uint32(len(log)-1), byte(0xff), uint32(0)) // last payload
	f.Add(log, uint32(0), byte(0), uint32(5))             // torn tail
	f.Add(log, uint32(len(log)/2), byte(0x10), uint32(1)) // middle
	f.Add([]byte{}, uint32(0), byte(0), uint32(0))
	f.Fuzz(func(t *testing.T, seed []byte, at uint32, flip byte, cut uint32) {
		data := bytes.Clone(seed)
		if len(data) > 0 {
			data[int(at)%len(data)] ^= flip
			data = data[:len(data)-int(cut)%(len(data)+1)]
		}
		fs := NewMemFS()
		fs.WriteFile(path, data)
		w, rep, err := Open(fs, path)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is neither a corrupt log nor nil", err)
			}
			if ce.Offset >= ce.Next || ce.Next+headerSize > int64(len(data)) {
				t.Fatalf("corrupt at %d, next valid at %d, of %d bytes", ce.Offset, ce.Next, len(data))
			}
			if _, _, why := parseFrame(data[ce.Next:]); why != "" {
				t.Fatalf("the frame named valid at %d is not: %s", ce.Next, why)
			}
			if !bytes.Equal(fs.ReadFile(path), data) {
				t.Fatal("a refused log was modified")
			}
			return
		}
		var again []byte
		for _, r := range rep.Records {
			again = appendFrame(again, r)
		}
		if !bytes.HasPrefix(data, again) || int64(len(again)) != w.Size() {
			t.Fatal("records do not re-encode to the kept prefix")
		}
		if kept := int64(len(again)); kept < int64(len(data)) {
			var tt *TornTailError
			if !errors.As(rep.Warning, &tt) || tt.Offset != kept || tt.Dropped != int64(len(data))-kept {
				t.Fatalf("%d of %d bytes kept, warning %v", kept, len(data), rep.Warning)
			}
		} else if rep.Warning != nil {
			t.Fatalf("warning on a whole log: %v", rep.Warning)
		}
		if !bytes.Equal(fs.ReadFile(path), again) {
			t.Fatal("the file does not hold exactly the kept records")
		}
		if err := w.Append([]byte("next")); err != nil {
			t.Fatalf("append after open: %v", err)
		}
		w.Close()
		w2, rep2, err := Open(fs, path)
		if err != nil || rep2.Warning != nil {
			t.Fatalf("reopen: %v, warning %v", err, rep2.Warning)
		}
		defer w2.Close()
		want := append(append([][]byte{}, rep.Records...), []byte("next"))
		if len(rep2.Records) != len(want) {
			t.Fatalf("reopen read %d records, want %d", len(rep2.Records), len(want))
		}
		for i := range want {
			if !bytes.Equal(rep2.Records[i], want[i]) {
				t.Fatalf("record %d differs after reopen", i)
			}
		}
		// A record that passed the checksums is what the consensus
		// replay decodes: it must be refused or decoded, never panic.
		for _, r := range rep.Records {
			if _, err := consensus.DecodeRecord(r); err != nil && !errors.Is(err, consensus.ErrBadMessage) {
				t.Fatalf("decode record: %v", err)
			}
		}
	})
}
