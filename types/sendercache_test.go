package types

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// A tx decoded again from its bytes (as inside a proposal) gets its sender
// from the cache, not from a second recovery; the cache forgets its oldest
// entries past its bound.
func TestSenderCacheRecoversOncePerTx(t *testing.T) {
	key, _ := crypto.GenerateKey()
	c := NewSenderCache(4)
	var raws [][]byte
	for n := range uint64(6) {
		tx, err := SignTx(TxData{ChainID: 1, Nonce: n, Fee: 1, Call: &Transfer{To: Address{1}, Amount: 1}}, key)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, tx.Bytes())
	}
	want := crypto.PubkeyToAddress(key.PublicKey)
	decode := func(b []byte) *Tx {
		tx, err := DecodeTx(b)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	for _, b := range raws[:4] {
		if a, err := c.Sender(decode(b)); err != nil || Address(a) != Address(want) {
			t.Fatalf("first sight: %v %v", a, err)
		}
	}
	for _, b := range raws[:4] { // the block's copies
		tx := decode(b)
		if a, err := c.Sender(tx); err != nil || Address(a) != Address(want) {
			t.Fatalf("second sight: %v %v", a, err)
		}
		if tx.sender.Load() == nil {
			t.Fatal("the hit was not handed to the decoded tx")
		}
	}
	if h, m := c.Stats(); h != 4 || m != 4 {
		t.Fatalf("hits %d misses %d, want 4 and 4 (one recovery per tx)", h, m)
	}
	// Past the bound the oldest go: txs 4 and 5 push out 0 and 1.
	for _, b := range raws[4:] {
		c.Sender(decode(b))
	}
	c.Sender(decode(raws[0]))
	c.Sender(decode(raws[3]))
	if h, m := c.Stats(); h != 5 || m != 7 {
		t.Fatalf("after eviction: hits %d misses %d, want 5 and 7", h, m)
	}
	if c.m.len() != 4 {
		t.Fatalf("cache holds %d entries, want its bound 4", c.m.len())
	}
}

func BenchmarkSenderRecover(b *testing.B) {
	key, _ := crypto.GenerateKey()
	tx, _ := SignTx(TxData{ChainID: 1, Fee: 1, Call: &Transfer{To: Address{1}, Amount: 1}}, key)
	raw := tx.Bytes()
	b.Run("recover", func(b *testing.B) {
		for b.Loop() {
			t, _ := DecodeTx(raw)
			t.Sender()
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := NewSenderCache(DefaultSenderCacheSize)
		t0, _ := DecodeTx(raw)
		c.Sender(t0)
		for b.Loop() {
			t, _ := DecodeTx(raw)
			c.Sender(t)
		}
	})
}
