package chain

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func openChain(t testing.TB, dir string, index bool) (*Chain, *state.Store) {
	t.Helper()
	return openChainWith(t, dir, state.Options{CacheMB: 8, TrieCache: 4, Index: index})
}

// openChainWith opens a test-preset chain over a store opened with opts.
func openChainWith(t testing.TB, dir string, opts state.Options) (*Chain, *state.Store) {
	t.Helper()
	s, err := state.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Preset("test", 1_000, devkeys.Addresses(1), devkeys.Addresses(4), funds)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, g)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return c, s
}

// The index is written with its block: a store closed and opened again
// holds the same entries. A store that ran without the index and has it
// switched on indexes from the next block, and says so.
func TestIndexSurvivesRestartAndStartsWhenSwitchedOn(t *testing.T) {
	dir := t.TempDir()
	a, b := devkeys.Address(1), devkeys.Address(2)
	c, s := openChain(t, dir, false)
	produce(t, c, transferTx(t, c, devkeys.Key(1), 0, b, 1))
	if _, _, err := s.AccountEvents(a, nil, 10); !errors.Is(err, state.ErrNoIndex) {
		t.Fatalf("index off: %v", err)
	}
	s.Close()

	c, s = openChain(t, dir, true)
	if from, on := s.Indexing(); !on || from != 2 {
		t.Fatalf("switched on at head 1: indexing from %d (%v), want 2", from, on)
	}
	produce(t, c, transferTx(t, c, devkeys.Key(1), 1, b, 2))
	refs, next, err := s.AccountEvents(b, nil, 10)
	if err != nil || next != nil || len(refs) != 1 || refs[0] != (state.AccountEntry{Ref: state.EventRef{Height: 2, Receipt: 0, Event: 1}}) {
		t.Fatalf("b's history after switching on: %+v next %v err %v (block 1 is before the index)", refs, next, err)
	}
	s.Close()

	_, s = openChain(t, dir, true)
	defer s.Close()
	again, _, err := s.AccountEvents(b, nil, 10)
	if err != nil || len(again) != 1 || again[0] != refs[0] {
		t.Fatalf("after reopening: %+v, %v", again, err)
	}
	if from, _ := s.Indexing(); from != 2 {
		t.Fatalf("indexing from %d after reopening", from)
	}
	// The sender's fee and transfer both name it, newest first.
	mine, _, _ := s.AccountEvents(a, nil, 10)
	if len(mine) != 2 || mine[0].Ref.Event != 1 || mine[1].Ref.Event != 0 {
		t.Fatalf("a's history %+v", mine)
	}
}

// BenchmarkIndexSize commits 20 blocks of 99 transfers with the index on
// and reports the index's logical bytes (keys and values, before Pebble's
// prefix compression) per transfer: ×1M is the figure in
// docs/notes/events.md.
func BenchmarkIndexSize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, s := openChain(b, b.TempDir(), true)
		nonces := map[int]uint64{}
		n, grown := 0, 0
		for blk := 0; blk < 20; blk++ {
			var txs []*types.Tx
			for j := 0; j < 99; j++ {
				k := 1 + j%3
				txs = append(txs, transferTx(b, c, devkeys.Key(k), nonces[k], devkeys.Address(100+j), 1))
				nonces[k]++
			}
			e, _ := produce(b, c, txs...)
			n += len(e.Block.Txs)
			with, without := receiptBytes(e.Receipts)
			grown += with - without
		}
		bytes, err := s.IndexBytes()
		s.Close()
		if err != nil || n != 20*99 {
			b.Fatalf("%d txs, %v", n, err)
		}
		b.ReportMetric(float64(bytes)/float64(n), "indexB/tx")
		b.ReportMetric(float64(grown)/float64(n), "eventsB/tx")
	}
}

// receiptBytes is the encoded size of a block's receipts, and what it was
// before events (format 0: tx receipts only, no version, no events).
func receiptBytes(rs []types.Receipt) (with, without int) {
	enc, _ := rlp.EncodeToBytes(rs)
	var old []types.Receipt
	for _, r := range rs {
		if !r.IsBlockReceipt() {
			r.Version, r.Events = 0, nil
			old = append(old, r)
		}
	}
	encOld, _ := rlp.EncodeToBytes(old)
	return len(enc), len(encOld)
}
