package chain

import (
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// A replica that admitted a block's txs from gossip does not recover their
// senders again when the block arrives as new bytes: one recovery per tx
// per node (issue 14's sender cache).
func TestReplicaRecoversEachSenderOnce(t *testing.T) {
	leader, replica := newTestChain(t, 4), newTestChain(t, 4)
	const n = 12
	var txs []*types.Tx
	for i := range n {
		txs = append(txs, transferTx(t, leader, devkeys.Key(i%4), uint64(i/4), devkeys.Address((i+1)%4), 1_000))
	}
	// Gossip: the replica decodes each tx's bytes and admits it.
	for _, tx := range txs {
		copy, err := types.DecodeTx(tx.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := replica.CheckTxStatic(copy); err != nil {
			t.Fatal(err)
		}
	}
	e, _ := produce(t, leader, txs...)
	// The proposal: the block's bytes, decoded afresh.
	raw, err := e.Block.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := types.DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	re, err := replica.Execute(b, b.Header.Time)
	if err != nil {
		t.Fatal(err)
	}
	if re.Block.Hash() != e.Block.Hash() {
		t.Fatal("replica executed another block")
	}
	if hits, misses := replica.SenderCache().Stats(); misses != n || hits != n {
		t.Fatalf("sender cache: %d recoveries and %d hits, want %d and %d", misses, hits, n, n)
	}
}
