package state_test

import (
	"testing"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkIndexPrune measures what pruning one block of 2,000 transfers
// from the index costs a commit: finding its keys again (reading and
// decoding the block's receipts, rebuilding 3 keys per transfer) is the
// timed loop; the commit times of the same blocks with keep_blocks = 1
// (each commit also deletes the previous block's entries) and 0 are
// reported beside it (commitMs/keep1, commitMs/keep0).
func BenchmarkIndexPrune(b *testing.B) {
	const senders, perSender, blocks = 20, 100, 8
	run := func(keep uint64) (*state.Store, time.Duration) {
		s, err := state.Open(b.TempDir(), state.Options{Index: true, IndexKeep: keep})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		g, err := chain.Preset("test", 1_000, []types.Address{benchValidator}, devkeys.Addresses(senders), 1_000*types.RaoPerTAO)
		if err != nil {
			b.Fatal(err)
		}
		c, err := chain.New(s, g)
		if err != nil {
			b.Fatal(err)
		}
		var last *types.Commit
		var commit time.Duration
		for blk := range uint64(blocks) {
			var txs []*types.Tx
			for k := range senders {
				for n := range uint64(perSender) {
					tx, err := chain.SignPayingMinFee(c.Params(), types.TxData{ChainID: c.ChainID(), Nonce: blk*perSender + n, Call: &types.Transfer{To: devkeys.Address(1000 + k), Amount: 1}}, devkeys.Key(k))
					if err != nil {
						b.Fatal(err)
					}
					txs = append(txs, tx)
				}
			}
			head, _ := s.Head()
			e, rej, err := c.Propose(chain.Proposal{Time: head.Time + 1000, Proposer: benchValidator, LastCommit: last}, txs)
			if err != nil || len(rej) != 0 {
				b.Fatalf("block %d: %v, %d rejected", blk+1, err, len(rej))
			}
			v := types.Vote{Type: types.Precommit, Height: e.Block.Height(), BlockHash: e.Block.Hash()}
			if err := v.Sign(c.ChainID(), benchValidatorKey); err != nil {
				b.Fatal(err)
			}
			last = &types.Commit{Height: v.Height, BlockHash: v.BlockHash, Signatures: []types.CommitSig{{Validator: v.Validator, Signature: v.Signature}}}
			t0 := time.Now()
			if err := c.Commit(e, last); err != nil {
				b.Fatal(err)
			}
			if blk > 0 { // the first block prunes nothing but genesis
				commit += time.Since(t0)
			}
		}
		return s, commit / (blocks - 1)
	}
	s, keep0 := run(0)
	_, keep1 := run(1)
	var keys int
	b.ResetTimer()
	for b.Loop() {
		n, err := state.PruneKeys(s, 2)
		if err != nil {
			b.Fatal(err)
		}
		keys = n
	}
	b.StopTimer()
	if keys != 3*senders*perSender {
		b.Fatalf("block 2: %d keys to delete, want 3 per transfer", keys)
	}
	b.ReportMetric(float64(keys), "keys/block")
	b.ReportMetric(float64(keep1.Microseconds())/1000, "commitMs/keep1")
	b.ReportMetric(float64(keep0.Microseconds())/1000, "commitMs/keep0")
}
