package node

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// Weakness 4, gossip side: the tx topic's validator relays only what the
// pool admits. The old validator accepted (and so relayed) every tx whose
// signature and chain ID held, including a zero-balance sender's and one
// already committed; each cost every node a signature recovery and space.
func TestGossipTxAdmission(t *testing.T) {
	s, err := state.Open(t.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(2), 100*types.RaoPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(s, g)
	if err != nil {
		t.Fatal(err)
	}
	pool := txpool.New(txpool.DefaultConfig(), c)
	m := newMetrics()
	m.watchPool(pool)
	sign := func(key int, chainID, nonce uint64) *types.Tx {
		tx, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: nonce, Fee: types.TransferWeight + 200*types.EthByteGas,
			Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(key))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	good := sign(0, c.ChainID(), 0)
	if v := admitGossipTx(pool, good); v != p2p.Accept {
		t.Fatalf("valid tx: %v", v)
	}
	// The pool keeps the very object the validator saw, whose sender is
	// cached: OnTxs and the proposal's execution (usePooled) recover nothing.
	if got, ok := pool.Get(good.Hash()); !ok || got != good {
		t.Fatal("the pool holds another copy of the tx")
	}
	// The same tx decoded again from another peer is not relayed again.
	again, err := types.DecodeTx(good.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if v := admitGossipTx(pool, again); v != p2p.Ignore {
		t.Fatalf("duplicate: %v", v)
	}
	if v := admitGossipTx(pool, sign(50, c.ChainID(), 0)); v != p2p.Ignore {
		t.Fatalf("zero-balance sender: %v", v)
	}
	if v := admitGossipTx(pool, sign(1, c.ChainID()+1, 0)); v != p2p.Reject {
		t.Fatalf("wrong chain: %v", v)
	}

	if got := metricValue(t, m, "taod_txpool_pending"); got != 1 {
		t.Fatalf("pending gauge %v", got)
	}
	if got := metricValue(t, m, "taod_txpool_bytes"); got != float64(good.MemSize()) {
		t.Fatalf("bytes gauge %v, want %d", got, good.MemSize())
	}

	// Commit the good tx; a node that has not seen it yet gets it late.
	head, _ := c.Store().Head()
	e, _, err := c.Propose(chain.Proposal{Time: head.Time + 1}, pool.Pending(c.State(), 10))
	if err != nil || len(e.Block.Txs) != 1 {
		t.Fatalf("propose: %v", err)
	}
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	late := txpool.New(txpool.DefaultConfig(), c)
	if v := admitGossipTx(late, good); v != p2p.Ignore || late.Len() != 0 {
		t.Fatalf("already committed tx: %v, pooled %d", v, late.Len())
	}
}

// metricValue reads the first series of a counter or gauge from m.
func metricValue(t *testing.T, m *metrics, name string) float64 {
	t.Helper()
	fams, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			if c := f.GetMetric()[0].GetCounter(); c != nil {
				return c.GetValue()
			}
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s", name)
	return 0
}
