package types

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// transfers signs n transfers of one sender (nonces 0…n-1, all of one
// size below 128) and returns their envelopes.
func transfers(t testing.TB, n int) [][]byte {
	t.Helper()
	k, _ := crypto.ToECDSA(bytes.Repeat([]byte{5}, 32))
	raws := make([][]byte, n)
	for i := range raws {
		tx, err := SignTx(TxData{ChainID: 42, Nonce: uint64(i), Fee: 21000, Call: &Transfer{To: Address{9}, Amount: 1}}, k)
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = tx.Bytes()
	}
	return raws
}

func mustDecode(t testing.TB, c *TxCache, raw []byte) *Tx {
	t.Helper()
	tx, err := c.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestTxCacheHitIsSameTx(t *testing.T) {
	raws := transfers(t, 2)
	c := NewTxCache(8, 1<<20)
	first := mustDecode(t, c, raws[0])
	if _, err := first.Sender(); err != nil {
		t.Fatal(err)
	}
	// A copy of the bytes (as inside a block) finds the same *Tx, its
	// sender already recovered.
	again := mustDecode(t, c, bytes.Clone(raws[0]))
	if again != first {
		t.Fatal("a hit returned another *Tx")
	}
	if again.sender.Load() == nil {
		t.Fatal("the recovered sender was lost")
	}
	if mustDecode(t, c, raws[1]) == first {
		t.Fatal("other bytes returned the first tx")
	}
	if h, m := c.Stats(); h != 1 || m != 2 {
		t.Fatalf("hits %d misses %d, want 1 and 2", h, m)
	}
	if c.Len() != 2 || c.Bytes() != len(raws[0])+len(raws[1]) {
		t.Fatalf("len %d bytes %d", c.Len(), c.Bytes())
	}
}

// Only what decodes is remembered; a bad tx gets DecodeTx's own error.
func TestTxCacheRemembersNoFailure(t *testing.T) {
	raw := transfers(t, 1)[0]
	bad := append(bytes.Clone(raw), 0) // trailing bytes
	for _, in := range [][]byte{nil, {0x77}, bad, make([]byte, MaxTxSize+1)} {
		c := NewTxCache(8, 1<<20)
		_, want := DecodeTx(in)
		if want == nil {
			t.Fatalf("%x decodes", in)
		}
		for range 2 {
			if _, err := c.Decode(in); err == nil || err.Error() != want.Error() {
				t.Fatalf("Decode(%x) = %v, DecodeTx says %v", in, err, want)
			}
		}
		if c.Len() != 0 || c.Bytes() != 0 {
			t.Fatalf("a failure was remembered: len %d", c.Len())
		}
	}
}

func TestTxCacheBounds(t *testing.T) {
	raws := transfers(t, 10)
	size := len(raws[0])
	for _, r := range raws {
		if len(r) != size {
			t.Fatal("test wants equal sizes")
		}
	}
	cases := []struct {
		name         string
		count, bytes int
		wantLen      int
	}{
		{"by count", 4, 1 << 20, 4},
		{"by bytes", 100, 3*size + size/2, 3},
		{"count tighter than bytes", 2, 3 * size, 2},
		{"one slot", 1, 1 << 20, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewTxCache(tc.count, tc.bytes)
			for _, r := range raws {
				mustDecode(t, c, r)
				if c.Bytes() > tc.bytes || c.Len() > tc.count {
					t.Fatalf("over bounds: len %d bytes %d", c.Len(), c.Bytes())
				}
			}
			if c.Len() != tc.wantLen || c.Bytes() != tc.wantLen*size {
				t.Fatalf("len %d bytes %d, want %d entries", c.Len(), c.Bytes(), tc.wantLen)
			}
			// Oldest out: the last wantLen are held, the ones before not.
			_, m0 := c.Stats()
			for _, r := range raws[len(raws)-tc.wantLen:] {
				mustDecode(t, c, r)
			}
			if _, m := c.Stats(); m != m0 {
				t.Fatalf("newest entries were evicted (%d misses)", m-m0)
			}
			mustDecode(t, c, raws[len(raws)-tc.wantLen-1])
			if _, m := c.Stats(); m != m0+1 {
				t.Fatal("an evicted entry was still held")
			}
		})
	}
}

// The eviction order survives the ring's growth and wrap-around.
func TestTxCacheEvictionOrder(t *testing.T) {
	raws := transfers(t, 200)
	c := NewTxCache(100, 1<<20)
	for _, r := range raws[:150] {
		mustDecode(t, c, r)
	}
	// Held: 50…149. Touching an entry does not refresh it (insertion order).
	mustDecode(t, c, raws[50])
	mustDecode(t, c, raws[150]) // evicts 50
	_, m0 := c.Stats()
	mustDecode(t, c, raws[51])
	mustDecode(t, c, raws[149])
	if _, m := c.Stats(); m != m0 {
		t.Fatal("51 or 149 is gone")
	}
	mustDecode(t, c, raws[50])
	if _, m := c.Stats(); m != m0+1 {
		t.Fatal("50 was not the one evicted")
	}
}

// A tx larger than the byte bound is decoded but not remembered, and does
// not flush the cache.
func TestTxCacheOversizedEntry(t *testing.T) {
	raws := transfers(t, 2)
	c := NewTxCache(10, len(raws[0]))
	mustDecode(t, c, raws[0])
	big, err := SignTx(TxData{ChainID: 42, Fee: 1, Call: &Transfer{To: Address{9}, Amount: 1 << 62}}, mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(big.Bytes()) <= len(raws[0]) {
		t.Fatal("test wants a longer tx")
	}
	mustDecode(t, c, big.Bytes())
	if c.Len() != 1 {
		t.Fatalf("len %d, want the first tx only", c.Len())
	}
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTxCacheNil(t *testing.T) {
	var c *TxCache
	raw := transfers(t, 1)[0]
	a, b := mustDecode(t, c, raw), mustDecode(t, c, raw)
	if a == b || a.Hash() != b.Hash() {
		t.Fatal("a nil cache must decode each time")
	}
	if h, m := c.Stats(); h != 0 || m != 0 || c.Len() != 0 || c.Bytes() != 0 {
		t.Fatal("a nil cache reports entries")
	}
	if _, err := c.Peek(raw); err != nil {
		t.Fatal(err)
	}
}

func TestTxCachePeekDoesNotRemember(t *testing.T) {
	raws := transfers(t, 2)
	c := NewTxCache(8, 1<<20)
	held := mustDecode(t, c, raws[0])
	if tx, err := c.Peek(raws[0]); err != nil || tx != held {
		t.Fatalf("peek missed a held tx: %v", err)
	}
	if _, err := c.Peek(raws[1]); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 1 {
		t.Fatal("peek remembered a miss")
	}
}

// Run with -race: decoders of overlapping bytes on many goroutines agree
// on one *Tx per hash while the cache evicts.
func TestTxCacheConcurrent(t *testing.T) {
	raws := transfers(t, 64)
	c := NewTxCache(32, 1<<20)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				raw := raws[(i*7+g)%len(raws)]
				tx, err := c.Decode(raw)
				if err != nil || !bytes.Equal(tx.Bytes(), raw) {
					errs <- fmt.Errorf("decode: %v", err)
					return
				}
				if _, err := tx.Sender(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if h, m := c.Stats(); h+m != 8*500 || c.Len() > 32 {
		t.Fatalf("hits %d misses %d len %d", h, m, c.Len())
	}
}

// testBlock builds a valid block of the given envelopes.
func testBlock(t testing.TB, raws [][]byte) []byte {
	t.Helper()
	txs := make([]*Tx, len(raws))
	for i, r := range raws {
		tx, err := DecodeTx(r)
		if err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	h := Header{ChainID: 42, Height: 7, TxRoot: TxRoot(txs), EvidenceHash: EvidenceHash(nil)}
	enc, err := NewBlock(h, txs, &Commit{Height: 6}, nil).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// DecodeBlockWith accepts what DecodeBlock accepts, with the same result,
// and refuses what it refuses, with the same error, warm cache or not.
func TestDecodeBlockWithMatchesDecodeBlock(t *testing.T) {
	raws := transfers(t, 3)
	good := testBlock(t, raws)
	var w wireBlock
	if err := rlp.DecodeBytes(good, &w); err != nil {
		t.Fatal(err)
	}
	reenc := func(f func(w *wireBlock)) []byte {
		cp := w
		cp.Txs = append([][]byte(nil), w.Txs...)
		f(&cp)
		b, err := rlp.EncodeToBytes(&cp)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badTx := bytes.Clone(raws[1])
	badTx[0] = 0x77
	cases := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"valid", good, true},
		{"empty block", testBlock(t, nil), true},
		{"trailing byte", append(bytes.Clone(good), 0), false},
		{"truncated", good[:len(good)-1], false},
		{"bad tx", reenc(func(w *wireBlock) { w.Txs[1] = badTx }), false},
		{"empty tx", reenc(func(w *wireBlock) { w.Txs[2] = nil }), false},
		{"empty evidence list", reenc(func(w *wireBlock) { w.Evidence = []Evidence{} }), true},
		{"too large", make([]byte, MaxBlockSize+1), false},
		{"not a list", []byte{0x80}, false},
	}
	warm := NewTxCache(64, 1<<20)
	for _, r := range raws {
		mustDecode(t, warm, r)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := DecodeBlock(tc.in)
			if (wantErr == nil) != tc.ok {
				t.Fatalf("DecodeBlock: %v", wantErr)
			}
			for _, c := range []*TxCache{nil, NewTxCache(64, 1<<20), warm} {
				got, err := DecodeBlockWith(tc.in, c)
				if !sameDecode(want, wantErr, got, err) {
					t.Fatalf("DecodeBlockWith = %v, DecodeBlock = %v", err, wantErr)
				}
				got, err = DecodeStoredBlock(tc.in, c)
				if !sameDecode(want, wantErr, got, err) {
					t.Fatalf("DecodeStoredBlock = %v, DecodeBlock = %v", err, wantErr)
				}
			}
		})
	}
}

func sameDecode(a *Block, aerr error, b *Block, berr error) bool {
	if aerr != nil || berr != nil {
		return aerr != nil && berr != nil && aerr.Error() == berr.Error()
	}
	if a.Hash() != b.Hash() || len(a.Txs) != len(b.Txs) || (a.Evidence == nil) != (b.Evidence == nil) {
		return false
	}
	for i := range a.Txs {
		if a.Txs[i].Hash() != b.Txs[i].Hash() {
			return false
		}
	}
	ea, _ := a.encode()
	eb, _ := b.encode()
	return bytes.Equal(ea, eb)
}

// A decoded block's Encode is the bytes it came from, without encoding
// again; a built block encodes the same.
func TestDecodedBlockKeepsEncoding(t *testing.T) {
	good := testBlock(t, transfers(t, 2))
	blk, err := DecodeBlock(good)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := blk.Encode()
	if !bytes.Equal(enc, good) || &enc[0] != &blk.enc[0] {
		t.Fatal("Encode of a decoded block is not its memoised input")
	}
	built := NewBlock(blk.Header, blk.Txs, blk.LastCommit, blk.Evidence)
	if again, _ := built.Encode(); !bytes.Equal(again, good) {
		t.Fatal("a built block encodes differently")
	}
	sealed, err := NewSealedBlock(blk.Header, blk.Txs, blk.LastCommit, blk.Evidence)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := sealed.Encode()
	b, _ := sealed.Encode()
	if !bytes.Equal(a, good) || &a[0] != &b[0] {
		t.Fatal("a sealed block encodes differently or again")
	}
}

// A stored block's txs come from the cache when it holds them, and fill
// it not at all.
func TestDecodeStoredBlockUsesButDoesNotFill(t *testing.T) {
	raws := transfers(t, 4)
	enc := testBlock(t, raws)
	c := NewTxCache(64, 1<<20)
	held := mustDecode(t, c, raws[2])
	blk, err := DecodeStoredBlock(enc, c)
	if err != nil {
		t.Fatal(err)
	}
	if blk.Txs[2] != held {
		t.Fatal("a cached tx was decoded again")
	}
	if c.Len() != 1 {
		t.Fatalf("a stored block's txs filled the cache: %d", c.Len())
	}
}

func TestDecodeHeader(t *testing.T) {
	good := testBlock(t, transfers(t, 2))
	blk, _ := DecodeBlock(good)
	h, err := DecodeHeader(good)
	if err != nil || h != blk.Header {
		t.Fatalf("DecodeHeader = %+v, %v", h, err)
	}
	for _, in := range [][]byte{nil, {0x80}, {0xc0}, {0xc1, 0x80}, make([]byte, MaxBlockSize+1)} {
		if _, err := DecodeHeader(in); err == nil {
			t.Fatalf("DecodeHeader(%x) accepted", in)
		}
	}
}

// FuzzDecodeBlockWith: with a cache warmed by the seed's txs, DecodeBlockWith
// and DecodeBlock agree on every input, and what decodes re-encodes to it.
func FuzzDecodeBlockWith(f *testing.F) {
	raws := transfers(f, 3)
	f.Add(testBlock(f, raws))
	f.Add(testBlock(f, raws[:1]))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := NewTxCache(16, 1<<20)
		for _, r := range raws {
			if _, err := c.Decode(r); err != nil {
				t.Fatal(err)
			}
		}
		want, wantErr := DecodeBlock(b)
		got, err := DecodeBlockWith(b, c)
		if !sameDecode(want, wantErr, got, err) {
			t.Fatalf("DecodeBlockWith = %v, DecodeBlock = %v", err, wantErr)
		}
		if err == nil {
			if again, _ := got.encode(); !bytes.Equal(again, b) {
				t.Fatal("decoded block does not re-encode to its input")
			}
		}
		if errors.Is(wantErr, ErrBlockTooLarge) != errors.Is(err, ErrBlockTooLarge) {
			t.Fatal("size errors differ")
		}
	})
}

// BenchmarkDecodeBlock2000 decodes a block of 2,000 transfers with no
// cache (every tx decoded) and with a warm one (the node has seen every tx
// by gossip before the proposal).
func BenchmarkDecodeBlock2000(b *testing.B) {
	raws := transfers(b, 2000)
	enc := testBlock(b, raws)
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := DecodeBlockWith(enc, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		c := NewTxCache(DefaultTxCacheCount, DefaultTxCacheBytes)
		for _, r := range raws {
			mustDecode(b, c, r)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := DecodeBlockWith(enc, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
