package types

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func signedVote(t testing.TB, chainID uint64, height uint64) *Vote {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	v := &Vote{Type: Precommit, Height: height, BlockHash: Hash{1, byte(height)}}
	if err := v.Sign(chainID, key); err != nil {
		t.Fatal(err)
	}
	return v
}

// A remembered signature must still be checked against the claimed signer,
// the chain ID and every signed field.
func TestVerifyCachedSignature(t *testing.T) {
	c := NewSigCache(DefaultSigCacheSize)
	v := signedVote(t, 7, 10)
	for range 2 { // the second pass is answered from the cache
		if err := v.VerifyWith(7, c); err != nil {
			t.Fatalf("valid vote: %v", err)
		}
	}
	if _, ok := c.get(newSigKey(v.SignHash(7), v.Signature)); !ok {
		t.Fatal("a verified signature was not remembered")
	}
	forged := *v
	forged.Validator = Address{9}
	if err := forged.VerifyWith(7, c); !errors.Is(err, ErrVoteSignature) {
		t.Fatalf("cached signature under another validator: %v", err)
	}
	if err := v.VerifyWith(8, c); !errors.Is(err, ErrVoteSignature) {
		t.Fatalf("cached signature on another chain: %v", err)
	}
	moved := *v
	moved.Round = 1
	if err := moved.VerifyWith(7, c); !errors.Is(err, ErrVoteSignature) {
		t.Fatalf("cached signature over another round: %v", err)
	}
}

// Caches are values: what one node verified is not remembered by another,
// and a nil cache (plain Verify) remembers nothing and still verifies.
func TestSigCachesAreIndependent(t *testing.T) {
	a, b := NewSigCache(16), NewSigCache(16)
	v := signedVote(t, 7, 11)
	if err := v.VerifyWith(7, a); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 1 || b.Len() != 0 {
		t.Fatalf("cache sizes %d and %d after one verification in the first", a.Len(), b.Len())
	}
	if err := v.Verify(7); err != nil || b.Len() != 0 {
		t.Fatalf("uncached verify: %v, second cache holds %d", err, b.Len())
	}
	var none *SigCache
	if got, err := none.Recover(v.SignHash(7), v.Signature); err != nil || got != v.Validator || none.Len() != 0 {
		t.Fatalf("nil cache: %s %v", got, err)
	}
}

func TestSigCacheEvictsOldest(t *testing.T) {
	const sigCacheSize = DefaultSigCacheSize
	c := NewSigCache(sigCacheSize)
	key := func(i int) sigKey { return newSigKey(Hash{byte(i), byte(i >> 8)}, nil) }
	for i := range sigCacheSize + 10 {
		c.add(key(i), Address{byte(i)})
		c.add(key(i), Address{byte(i)}) // a repeat takes no second slot
	}
	if c.Len() != sigCacheSize || len(c.m.mu.ring) != sigCacheSize {
		t.Fatalf("holds %d entries (ring %d), want %d", c.Len(), len(c.m.mu.ring), sigCacheSize)
	}
	for i := range 10 {
		if _, ok := c.get(key(i)); ok {
			t.Fatalf("entry %d outlived %d newer ones", i, sigCacheSize)
		}
	}
	for i := 10; i < sigCacheSize+10; i++ {
		if a, ok := c.get(key(i)); !ok || a != (Address{byte(i)}) {
			t.Fatalf("entry %d: %v %v", i, a, ok)
		}
	}
}

// BenchmarkVoteVerify: a first check recovers the signer, a repeat is a
// lookup.
func BenchmarkVoteVerify(b *testing.B) {
	b.Run("recover", func(b *testing.B) {
		vs := make([]*Vote, 64)
		for i := range vs {
			vs[i] = signedVote(b, 1, uint64(i))
		}
		for i := 0; b.Loop(); i++ {
			v := *vs[i%len(vs)]
			v.Round = uint32(i) // a new digest: never cached
			v.Signature = append([]byte(nil), v.Signature...)
			_ = v.Verify(1) // fails (the round is not what was signed), after a full recovery
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := NewSigCache(DefaultSigCacheSize)
		v := signedVote(b, 1, 1)
		if err := v.VerifyWith(1, c); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := v.VerifyWith(1, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A cache remembers any digest's signer, so a proposal verified by the
// gossip check is not recovered again by the engine; a bad shape is refused
// before any recovery, cached or not.
func TestRecoverSignerCached(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	digest := Keccak256([]byte("taod/proposal test digest"))
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		t.Fatal(err)
	}
	want := crypto.PubkeyToAddress(key.PublicKey)
	c := NewSigCache(8)
	if got, err := c.Recover(digest, sig); err != nil || got != want {
		t.Fatalf("recovered %s, %v; want %s", got, err, want)
	}
	if a, ok := c.get(newSigKey(digest, sig)); !ok || a != want {
		t.Fatal("a recovered signer was not remembered")
	}
	if got, err := RecoverSigner(digest, sig); err != nil || got != want {
		t.Fatalf("uncached: recovered %s, %v; want %s", got, err, want)
	}
	for _, bad := range [][]byte{sig[:64], append(append([]byte{}, sig[:64]...), 2)} {
		if _, err := RecoverSigner(digest, bad); !errors.Is(err, ErrSigShape) {
			t.Fatalf("malformed signature: %v, want ErrSigShape", err)
		}
		if _, err := c.Recover(digest, bad); !errors.Is(err, ErrSigShape) {
			t.Fatalf("malformed signature through the cache: %v, want ErrSigShape", err)
		}
	}
}
