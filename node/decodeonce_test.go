package node

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// Issue 14: N txs reach a node, half by RPC and half by gossip, then a
// proposal carrying all of them arrives, executes and commits. Each tx is
// decoded once (N TxCache misses) and its sender recovered once (N
// SenderCache misses, no hits: the block holds the very Txs the pool
// admitted, senders already inside); the committed block's announcement
// is recognised by its header.
func TestEachTxDecodedOncePerNode(t *testing.T) {
	const n = 20
	c := testChain(t)
	nd := &Node{store: c.Store(), chain: c, pool: txpool.New(txpool.DefaultConfig(), c), metrics: newMetrics()}
	nd.gate = newGossipGate(nd)
	nd.metrics.watchCaches(c.TxCache(), c.SenderCache())
	rpcb := newBackend(nd)

	raws := make([][]byte, n)
	for i := range raws {
		tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: uint64(i), Fee: types.TransferWeight + 200*types.EthByteGas,
			Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(1))
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = tx.Bytes()
	}
	for i, raw := range raws {
		raw = append([]byte(nil), raw...) // each arrival is new bytes
		if i%2 == 0 {                     // RPC: SendRawTransaction
			tx, err := rpcb.DecodeTx(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := rpcb.SubmitTx(tx); err != nil {
				t.Fatalf("rpc tx %d: %v", i, err)
			}
			continue
		}
		tx, err := c.TxCache().Decode(raw) // gossip: p2p decodes with Handlers.Txs
		if err != nil {
			t.Fatal(err)
		}
		if v := admitGossipTx(nd.pool, tx); v != p2p.Accept {
			t.Fatalf("gossiped tx %d: %v", i, v)
		}
	}

	// Another validator (same genesis, its own caches) proposes them.
	proposer := testChain(t)
	var cands []*types.Tx
	for _, raw := range raws {
		tx, err := types.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		cands = append(cands, tx)
	}
	head, _ := proposer.Store().Head()
	e, _, err := proposer.Propose(chain.Proposal{Time: head.Time + 1, Proposer: devkeys.Address(0)}, cands)
	if err != nil || len(e.Block.Txs) != n {
		t.Fatalf("propose: %v (%d txs)", err, len(e.Block.Txs))
	}
	p := &consensus.Proposal{Height: e.Block.Height(), POLRound: consensus.NoRound, BlockHash: e.Block.Hash()}
	if err := p.Sign(c.ChainID(), devkeys.Key(0)); err != nil {
		t.Fatal(err)
	}
	v, m := nd.gate.checkMessage(encMsg(t, consensus.Message{Proposal: p, Block: e.Block}))
	if v != p2p.Accept {
		t.Fatalf("proposal: %v", v)
	}
	for i, tx := range m.Block.Txs {
		if pooled, _ := nd.pool.Get(tx.Hash()); tx != pooled {
			t.Fatalf("proposal tx %d is a second decode of a pooled tx", i)
		}
	}
	ex, err := c.Execute(m.Block, m.Block.Header.Time)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ex, nil); err != nil {
		t.Fatal(err)
	}

	if hits, miss := c.TxCache().Stats(); miss != n || hits != n {
		t.Fatalf("tx cache: %d hits %d misses, want %d and %d (one decode per tx)", hits, miss, n, n)
	}
	if hits, miss := c.SenderCache().Stats(); miss != n || hits != 0 {
		t.Fatalf("sender cache: %d hits %d misses, want 0 and %d (one recovery per tx)", hits, miss, n)
	}
	for name, want := range map[string]float64{
		"taod_tx_decode_cache_misses_total": n, "taod_tx_decode_cache_hits_total": n,
		"taod_tx_sender_cache_misses_total": n, "taod_tx_sender_cache_hits_total": 0,
	} {
		if got := metricValue(t, nd.metrics, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// Read back (RPC, sync serving), the block's txs are the ones decoded.
	stored, err := c.Store().BlockByHeight(m.Block.Height())
	if err != nil {
		t.Fatal(err)
	}
	for i, tx := range stored.Txs {
		if tx != m.Block.Txs[i] {
			t.Fatalf("stored tx %d decoded again", i)
		}
	}
	if _, miss := c.TxCache().Stats(); miss != n {
		t.Fatalf("reading the block back cost %d decodes", miss-n)
	}
	if !nd.haveBlock(m.Block.Height(), m.Block.Hash()) || nd.haveBlock(m.Block.Height(), types.Hash{1}) || nd.haveBlock(m.Block.Height()+1, m.Block.Hash()) {
		t.Fatal("haveBlock does not tell the committed block")
	}
}
