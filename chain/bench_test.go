package chain

import (
	"crypto/ecdsa"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkExecuteBlock measures the validator's path for a block received
// from a peer: decode it from its bytes (txs with no sender yet), execute it
// (senders recovered on all cores first, then the transfers applied), and
// commit it. Blocks of 10,000 transfers among 10,000 funded accounts; the
// proposer that builds them runs outside the timer. An op is one block.
// state.BenchmarkTransfers measures the proposer's path, whose txs come from
// the txpool with their senders recovered.
func BenchmarkExecuteBlock(b *testing.B) {
	const (
		accounts = 10_000
		blockTxs = 10_000
	)
	keys := make([]*ecdsa.PrivateKey, accounts)
	addrs := make([]types.Address, accounts)
	benchParallel(accounts, func(i int) {
		keys[i] = devkeys.Key(i)
		addrs[i] = crypto.PubkeyToAddress(keys[i].PublicKey)
	})
	valKey := devkeys.Key(1 << 30)
	g := &Genesis{
		ChainID: 0xbe7c, Preset: "bench", Time: 1, Params: DefaultParams(),
		Validators: []types.Validator{{Address: crypto.PubkeyToAddress(valKey.PublicKey), Power: 1}},
	}
	for _, a := range addrs {
		g.Alloc = append(g.Alloc, Alloc{Address: a, Balance: 100 * types.RaoPerTAO})
	}
	open := func() *Chain {
		s, err := state.Open(b.TempDir(), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		c, err := New(s, g)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	proposer, validator := open(), open()

	var last *types.Commit
	precommit := func(blk *types.Block) *types.Commit {
		v := types.Vote{Type: types.Precommit, Height: blk.Height(), BlockHash: blk.Hash()}
		if err := v.Sign(g.ChainID, valKey); err != nil {
			b.Fatal(err)
		}
		return &types.Commit{Height: blk.Height(), BlockHash: blk.Hash(), Signatures: []types.CommitSig{{Validator: v.Validator, Signature: v.Signature}}}
	}
	// next builds the next block on the proposer and returns its bytes.
	nonce := uint64(0)
	next := func() ([]byte, *types.Commit) {
		txs := make([]*types.Tx, blockTxs)
		benchParallel(blockTxs, func(i int) {
			to := addrs[(i*7919+int(nonce)+1)%accounts]
			tx, err := SignPayingMinFee(g.Params, types.TxData{ChainID: g.ChainID, Nonce: nonce, Call: &types.Transfer{To: to, Amount: 1_000}}, keys[i%accounts])
			if err != nil {
				b.Error(err)
			}
			txs[i] = tx
		})
		nonce++
		head, _ := proposer.Store().Head()
		e, rejected, err := proposer.Propose(Proposal{Time: head.Time + 1000, Proposer: g.Validators[0].Address, LastCommit: last}, txs)
		if err != nil || len(rejected) != 0 {
			b.Fatalf("propose: %v, %d rejected", err, len(rejected))
		}
		seen := precommit(e.Block)
		if err := proposer.Commit(e, seen); err != nil {
			b.Fatal(err)
		}
		last = seen
		raw, err := e.Block.Encode()
		if err != nil {
			b.Fatal(err)
		}
		return raw, seen
	}

	var spent time.Duration
	blocks := 0
	for b.Loop() {
		b.StopTimer()
		raw, seen := next()
		b.StartTimer()
		t0 := time.Now()
		blk, err := types.DecodeBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		e, err := validator.Execute(blk, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := validator.Commit(e, seen); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
		blocks++
	}
	b.ReportMetric(float64(blocks*blockTxs)/spent.Seconds(), "tx/s")
}

func benchParallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				f(i)
			}
		})
	}
	wg.Wait()
}
