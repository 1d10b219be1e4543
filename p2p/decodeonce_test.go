package p2p

import (
	"context"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/taonet/taod/types"
)

// The host decodes through Handlers.Txs: a tx batch decodes each tx once,
// and the block announcement and sync record that carry them decode none
// again; an announcement of a block we hold is dropped after its header.
func TestHostDecodesThroughTxCache(t *testing.T) {
	src := makeChain(t, 2, 8)
	blk := src.blocks[1]
	held := map[types.Hash]bool{src.blocks[2].Hash(): true}
	cache := types.NewTxCache(64, 1<<20)
	h, err := New(testConfig(t), Handlers{
		Txs:       cache,
		HaveBlock: func(_ uint64, hash types.Hash) bool { return held[hash] },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	raws := make([][]byte, len(blk.Txs))
	for i, tx := range blk.Txs {
		raws[i] = tx.Bytes()
	}
	batch, err := encodeTxBatch(raws)
	if err != nil {
		t.Fatal(err)
	}
	m := newTestMessage(batch)
	if r := h.validateTxBatch(context.Background(), "peer", m); r != pubsub.ValidationAccept {
		t.Fatalf("batch: %v", r)
	}
	gossiped := m.ValidatorData.([]*types.Tx)
	if _, miss := cache.Stats(); miss != uint64(len(raws)) {
		t.Fatalf("%d misses for a batch of %d new txs", miss, len(raws))
	}

	enc, err := blk.Encode()
	if err != nil {
		t.Fatal(err)
	}
	m = newTestMessage(enc)
	if r := h.validateBlock(context.Background(), "peer", m); r != pubsub.ValidationAccept {
		t.Fatalf("announcement: %v", r)
	}
	announced := m.ValidatorData.(*types.Block)
	for i, tx := range announced.Txs {
		if tx != gossiped[i] {
			t.Fatalf("block tx %d is a second decode of a gossiped tx", i)
		}
	}
	rec, err := encodeSyncRecord(blk, src.commits[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeSyncRecord(rec, h.hs.Txs); err != nil {
		t.Fatal(err)
	}
	hits, miss := cache.Stats()
	if miss != uint64(len(raws)) || hits != 2*uint64(len(raws)) {
		t.Fatalf("hits %d misses %d: the block's txs were decoded again", hits, miss)
	}

	// A held block: ignored unread (no tx lookups at all).
	enc2, _ := src.blocks[2].Encode()
	if r := h.validateBlock(context.Background(), "peer", newTestMessage(enc2)); r != pubsub.ValidationIgnore {
		t.Fatalf("held block: %v, want ignore", r)
	}
	if h2, m2 := cache.Stats(); h2 != hits || m2 != miss {
		t.Fatal("a held block's body was decoded")
	}
	// Once not held, the same bytes are decoded in full and checked.
	delete(held, src.blocks[2].Hash())
	if r := h.validateBlock(context.Background(), "peer", newTestMessage(enc2)); r != pubsub.ValidationAccept {
		t.Fatalf("unheld block: %v", r)
	}
	if _, m2 := cache.Stats(); m2 != miss+uint64(len(src.blocks[2].Txs)) {
		t.Fatalf("unheld block decoded %d new txs, want %d", m2-miss, len(src.blocks[2].Txs))
	}
}
