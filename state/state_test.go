package state

import (
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// commit builds the next block over st and commits it.
func commit(t *testing.T, s *Store, st *State, height uint64) *types.Block {
	t.Helper()
	root, err := st.Root()
	if err != nil {
		t.Fatal(err)
	}
	head, _ := s.Head()
	h := types.Header{Height: height, Time: 1000 + height, ParentHash: head.Hash, StateRoot: root, TxRoot: types.EmptyRoot, ReceiptsRoot: types.EmptyRoot}
	b := types.NewBlock(h, nil, &types.Commit{}, nil)
	if err := s.CommitBlock(b, nil, nil, st); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCommitReopenProve(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	alice, bob := types.Address{0xa}, types.Address{0xb}

	st := s.NewState()
	st.SetAccount(alice, Account{Balance: 100})
	st.SetIssuance(100)
	commit(t, s, st, 0)

	st = s.NewState()
	if got := st.Account(alice).Balance; got != 100 {
		t.Fatalf("alice = %d", got)
	}
	st.SetAccount(alice, Account{Nonce: 1, Balance: 60})
	st.SetAccount(bob, Account{Balance: 40})
	b1 := commit(t, s, st, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, dir)
	defer s.Close()
	head, ok := s.Head()
	if !ok || head.Height != 1 || head.Hash != b1.Hash() || head.StateRoot != b1.Header.StateRoot {
		t.Fatalf("head after reopen = %+v", head)
	}
	if got := s.NewState().Account(bob); got.Balance != 40 {
		t.Fatalf("bob after reopen = %+v", got)
	}

	// Historical state and proofs come from the trie.
	g, _ := s.BlockByHeight(0)
	r0, err := s.ReaderAt(g.Header.StateRoot)
	if err != nil {
		t.Fatal(err)
	}
	if acc, _ := r0.Account(bob); acc.Balance != 0 {
		t.Fatalf("bob at genesis = %+v", acc)
	}
	r1, _ := s.ReaderAt(head.StateRoot)
	proof, err := r1.Prove(AccountKey(alice))
	if err != nil {
		t.Fatal(err)
	}
	v, err := VerifyProof(head.StateRoot, AccountKey(alice), proof)
	if err != nil || decodeAccount(v) != (Account{Nonce: 1, Balance: 60}) {
		t.Fatalf("proof value %x, %v", v, err)
	}
	if _, err := VerifyProof(g.Header.StateRoot, AccountKey(alice), proof); err == nil {
		t.Fatal("proof verified against another root")
	}
}

func TestCommitRefusesBadBlocks(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	st.SetIssuance(1)
	commit(t, s, st, 0)

	st = s.NewState()
	st.SetIssuance(2)
	root, _ := st.Root()
	head, _ := s.Head()

	wrongRoot := types.NewBlock(types.Header{Height: 1, ParentHash: head.Hash, StateRoot: types.Hash{1}}, nil, &types.Commit{}, nil)
	if err := s.CommitBlock(wrongRoot, nil, nil, st); !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("wrong root: %v", err)
	}
	gap := types.NewBlock(types.Header{Height: 2, ParentHash: head.Hash, StateRoot: root}, nil, &types.Commit{}, nil)
	if err := s.CommitBlock(gap, nil, nil, s.NewState()); !errors.Is(err, ErrNotNext) {
		t.Fatalf("gap: %v", err)
	}
	if h, _ := s.Head(); h.Height != 0 || s.NewState().Issuance() != 1 {
		t.Fatal("a refused block changed the store")
	}
}

func TestSnapshotRevert(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	st.SetPool(5)
	snap := st.Snapshot()
	st.SetPool(9)
	st.SetIssuance(3)
	st.Revert(snap)
	if st.Pool() != 5 || st.Issuance() != 0 {
		t.Fatalf("revert: pool %d issuance %d", st.Pool(), st.Issuance())
	}
}

// Settle keeps every write, empties the journal, and a snapshot taken before
// it cannot be reverted to (a caller that tried would undo the wrong writes).
func TestSettle(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	st.SetPool(5)
	st.SetIssuance(2)
	old := st.Snapshot()
	st.SetPool(7)
	st.Settle()
	if st.Snapshot() != 0 {
		t.Fatalf("journal after Settle: %d entries", st.Snapshot())
	}
	if st.Pool() != 7 || st.Issuance() != 2 {
		t.Fatalf("Settle changed values: pool %d issuance %d", st.Pool(), st.Issuance())
	}
	snap := st.Snapshot()
	st.SetPool(9)
	st.Revert(snap)
	if st.Pool() != 7 {
		t.Fatalf("revert after Settle: pool %d", st.Pool())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("revert to a snapshot taken before Settle did not panic")
		}
	}()
	st.Revert(old)
}
