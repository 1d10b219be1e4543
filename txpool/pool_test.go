package txpool

import (
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func testPool(t *testing.T, cfg Config) (*Pool, *chain.Chain) {
	t.Helper()
	return testPoolGenesis(t, cfg, nil)
}

// testPoolGenesis builds a test chain funding dev keys 0..2 with 100 TAO
// (edit adjusts the genesis) and a pool on it.
func testPoolGenesis(t *testing.T, cfg Config, edit func(*chain.Genesis)) (*Pool, *chain.Chain) {
	t.Helper()
	s, err := state.Open(t.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(3), 100*types.RaoPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(g)
	}
	c, err := chain.New(s, g)
	if err != nil {
		t.Fatal(err)
	}
	return New(cfg, c), c
}

func ptx(t *testing.T, c *chain.Chain, key *ecdsa.PrivateKey, nonce, fee, tip, amount uint64) *types.Tx {
	t.Helper()
	tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: nonce, Fee: fee, Tip: tip, Call: &types.Transfer{To: types.Address{9}, Amount: amount}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestTxPoolOrderAndRules(t *testing.T) {
	p, c := testPool(t, DefaultConfig())
	k0, k1 := devkeys.Key(0), devkeys.Key(1)
	const fee = types.TransferWeight + 200*types.EthByteGas // covers the length fee of a ~110-byte transfer

	// Sender 0: nonces 1 then 0 (out of order), tip 1. Sender 1: nonce 0, tip 5.
	a1 := ptx(t, c, k0, 1, fee, 1, 10)
	a0 := ptx(t, c, k0, 0, fee, 1, 10)
	b0 := ptx(t, c, k1, 0, fee, 5, 10)
	for _, tx := range []*types.Tx{a1, a0, b0} {
		if err := p.Add(tx); err != nil {
			t.Fatal(err)
		}
	}
	got := p.Pending(c.State(), 10)
	want := []*types.Tx{b0, a0, a1} // highest tip first, each sender in nonce order
	if len(got) != len(want) {
		t.Fatalf("pending %d txs", len(got))
	}
	for i := range want {
		if got[i].Hash() != want[i].Hash() {
			t.Fatalf("pending[%d] = nonce %d tip %d", i, got[i].Nonce(), got[i].Tip())
		}
	}
	if got := p.PendingNonce(c.State(), devkeys.Address(0)); got != 2 {
		t.Fatalf("pending nonce %d, want 2", got)
	}
	if err := p.Add(a0); !errors.Is(err, ErrKnownTx) {
		t.Fatalf("duplicate: %v", err)
	}
	// Replacement: +5% is not enough, +10% is.
	if err := p.Add(ptx(t, c, k0, 0, fee, 1+fee/20, 10)); !errors.Is(err, ErrReplaceUnderpriced) {
		t.Fatalf("underpriced replacement: %v", err)
	}
	better := ptx(t, c, k0, 0, fee, 1+fee/10+1, 10)
	if err := p.Add(better); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Get(a0.Hash()); ok || p.Len() != 3 {
		t.Fatal("replaced tx still pooled")
	}
	// Cumulative balance: sender 1 cannot pool more than it holds.
	if err := p.Add(ptx(t, c, k1, 1, fee, 0, 100*types.RaoPerTAO)); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("over balance: %v", err)
	}
	if err := p.Add(ptx(t, c, k1, 100, fee, 0, 1)); !errors.Is(err, ErrNonceGap) {
		t.Fatalf("gap: %v", err)
	}
	if err := p.Add(ptx(t, c, k1, 1, types.TransferWeight, 0, 1)); !errors.Is(err, chain.ErrFeeTooLow) { // weight only, no length fee
		t.Fatalf("low fee: %v", err)
	}

	// Commit a block with the pending txs: the pool empties.
	head, _ := c.Store().Head()
	e, rej, err := c.Propose(chain.Proposal{Time: head.Time + 1}, p.Pending(c.State(), 10))
	if err != nil || len(rej) != 0 || len(e.Block.Txs) != 3 {
		t.Fatalf("propose: %v, %d rejected, %d txs", err, len(rej), len(e.Block.Txs))
	}
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	p.Update(c.State(), e.Block, rej)
	if p.Len() != 0 {
		t.Fatalf("%d txs left after commit", p.Len())
	}
	if err := p.Add(a1); !errors.Is(err, chain.ErrNonceTooLow) {
		t.Fatalf("committed nonce: %v", err)
	}
}
