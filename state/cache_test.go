package state

import (
	"bytes"
	"math"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

func TestAccountCodecMatchesRLP(t *testing.T) {
	for _, acc := range []Account{
		{}, {Nonce: 1}, {Balance: 1}, {Nonce: 127, Balance: 128}, {Nonce: 255, Balance: 256},
		{Nonce: 1 << 32, Balance: 21_000_000 * types.RaoPerTAO}, {Nonce: math.MaxUint64, Balance: math.MaxUint64},
	} {
		want, err := rlp.EncodeToBytes(&acc)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeAccount(acc); !bytes.Equal(got, want) {
			t.Errorf("encodeAccount(%+v) = %x, rlp gives %x", acc, got, want)
		}
		if got := decodeAccount(want); got != acc {
			t.Errorf("decodeAccount(%x) = %+v, want %+v", want, got, acc)
		}
	}
	for _, bad := range [][]byte{
		{0xc2, 0x00, 0x01},       // non-canonical zero
		{0xc3, 0x81, 0x05, 0x01}, // single byte below 0x80 as a string
		{0xc1, 0x01},             // one field
		{0xc3, 0x01, 0x02, 0x03}, // three fields
		{0xc2, 0x01, 0x02, 0x00}, // trailing byte
		{0x01},                   // not a list
	} {
		if _, err := parseAccount(bad); err == nil {
			t.Errorf("parseAccount(%x) accepted", bad)
		}
	}
}

func FuzzAccountCodec(f *testing.F) {
	f.Add(uint64(0), uint64(0))
	f.Add(uint64(1), uint64(1<<60))
	f.Fuzz(func(t *testing.T, nonce, balance uint64) {
		acc := Account{nonce, balance}
		want, _ := rlp.EncodeToBytes(&acc)
		if got := encodeAccount(acc); !bytes.Equal(got, want) {
			t.Fatalf("encodeAccount(%+v) = %x, rlp gives %x", acc, got, want)
		}
		if back, err := parseAccount(want); err != nil || back != acc {
			t.Fatalf("parseAccount(%x) = %+v, %v", want, back, err)
		}
	})
}

// A prefetch only changes where committed values come from, never what a
// State reads or the root it computes.
func TestPrefetchChangesNothing(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	addr := func(i int) types.Address { return types.Address{byte(i), byte(i >> 8), 0xa} }
	st := s.NewState()
	for i := range 300 {
		st.SetAccount(addr(i), Account{Balance: uint64(1000 + i)})
	}
	commit(t, s, st, 0)

	run := func(prefetch bool) (types.Hash, []Account) {
		st := s.NewState()
		if prefetch {
			var keys [][]byte
			for i := range 400 { // 100 of them absent
				keys = append(keys, AccountKey(addr(i)))
			}
			st.Prefetch(keys)
		}
		var seen []Account
		for i := range 400 {
			a := st.Account(addr(i))
			seen = append(seen, a)
			a.Nonce++
			a.Balance += 7
			if i%50 == 0 {
				a = Account{} // deletes
			}
			st.SetAccount(addr(i), a)
			seen = append(seen, st.Account(addr(i)))
		}
		root, err := st.Root()
		if err != nil {
			t.Fatal(err)
		}
		return root, seen
	}
	rootA, seenA := run(false)
	rootB, seenB := run(true)
	if rootA != rootB {
		t.Fatalf("root with prefetch %s, without %s", rootB, rootA)
	}
	for i := range seenA {
		if seenA[i] != seenB[i] {
			t.Fatalf("read %d: %+v with prefetch, %+v without", i, seenB[i], seenA[i])
		}
	}
}

// The flat cache is written through on commit: reads after a commit see its
// values and deletions, whether or not they were cached before.
func TestFlatCacheFollowsCommits(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	a, b := types.Address{1}, types.Address{2}
	st := s.NewState()
	st.SetAccount(a, Account{Balance: 10})
	commit(t, s, st, 0)

	st = s.NewState()
	if got := st.Account(b); got != (Account{}) { // caches b as unset
		t.Fatalf("b = %+v", got)
	}
	if got := st.Account(a); got.Balance != 10 { // caches a
		t.Fatalf("a = %+v", got)
	}
	st.SetAccount(a, Account{})
	st.SetAccount(b, Account{Balance: 5})
	commit(t, s, st, 1)

	st = s.NewState()
	if got := st.Account(a); got != (Account{}) {
		t.Fatalf("a after delete = %+v", got)
	}
	if got := st.Account(b); got.Balance != 5 {
		t.Fatalf("b after set = %+v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir) // and the same from disk
	defer s.Close()
	if got := s.NewState().Account(b); got.Balance != 5 {
		t.Fatalf("b after reopen = %+v", got)
	}
}

// Readers still running when the store closes (a prefetch, an RPC call) get
// errors, not a crash.
func TestUseAfterClose(t *testing.T) {
	s := openTest(t, t.TempDir())
	st := s.NewState()
	st.SetAccount(types.Address{1}, Account{Balance: 1})
	commit(t, s, st, 0)
	st = s.NewState()
	st.Prefetch([][]byte{AccountKey(types.Address{1}), AccountKey(types.Address{2})})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_ = st.Account(types.Address{3})
	if _, err := s.kv.Get([]byte("x")); err == nil {
		t.Fatal("Get after Close succeeded")
	}
	it := s.kv.NewIterator([]byte("s"), nil)
	if it.Next() || it.Error() == nil {
		t.Fatal("iterator after Close")
	}
	it.Release()
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

// TestDiscardStopsPrefetch: Discard on a State whose prefetch is still
// reading stops it and returns only when its goroutine has ended, so the
// store can be closed right after a refused block.
func TestDiscardStopsPrefetch(t *testing.T) {
	s := openTest(t, t.TempDir())
	st := s.NewState()
	st.SetAccount(types.Address{1}, Account{Balance: 1})
	commit(t, s, st, 0)
	st = s.NewState()
	keys := make([][]byte, 50_000) // absent: each a read of the store
	for i := range keys {
		keys[i] = AccountKey(types.Address{byte(i), byte(i >> 8), byte(i >> 16), 0xd})
	}
	st.Prefetch(keys)
	st.Discard()
	select {
	case <-st.pf.done:
	default:
		t.Fatal("Discard returned with the prefetch still running")
	}
	if !st.pf.stop.Load() {
		t.Fatal("the prefetch was not told to stop")
	}
	st.Discard()           // again: nothing
	s.NewState().Discard() // no prefetch: nothing
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
