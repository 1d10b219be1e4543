package chain

import (
	"testing"

	"github.com/taonet/taod/internal/devkeys"
)

// TestCommittedReads: the chain's read methods answer what was committed.
func TestCommittedReads(t *testing.T) {
	c := newTestChain(t, 2)
	var last *Executed
	for i := 0; i < 3; i++ {
		last, _ = produce(t, c, transferTx(t, c, devkeys.Key(0), uint64(i), devkeys.Address(1), 1))
	}
	head, ok := c.Head()
	if !ok || head.Height != last.Block.Height() || head.Hash != last.Block.Hash() || head.StateRoot != last.Block.Header.StateRoot {
		t.Fatalf("Head = %+v, %v; want height %d hash %s", head, ok, last.Block.Height(), last.Block.Hash())
	}
	for h := uint64(1); h <= head.Height; h++ {
		b, err := c.BlockByHeight(h)
		if err != nil || b.Height() != h {
			t.Fatalf("BlockByHeight(%d) = %v, %v", h, b, err)
		}
		hash, err := c.BlockHash(h)
		if err != nil || hash != b.Hash() {
			t.Fatalf("BlockHash(%d) = %s, %v; block hash %s", h, hash, err, b.Hash())
		}
		cm, err := c.SeenCommit(h)
		if err != nil || cm.Height != h || cm.BlockHash != b.Hash() {
			t.Fatalf("SeenCommit(%d) = %+v, %v", h, cm, err)
		}
	}
	if _, err := c.BlockByHeight(head.Height + 1); err == nil {
		t.Fatal("a block above the head was found")
	}
}
