package state

import (
	"fmt"
	"testing"

	"github.com/taonet/taod/types"
)

// scan returns every key=value under prefix as st sees it.
func scan(st *State, prefix string) string {
	var out string
	st.Iterate([]byte(prefix), func(k, v []byte) bool {
		out += fmt.Sprintf("%s=%s ", k, v)
		return true
	})
	return out
}

// A view keeps reading the block it was opened on while later blocks
// commit: point reads and scans, with the flat-value cache warm with the
// newer values. A plain State (the live flat keys) moves with the commits.
func TestViewReadsOneBlock(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	alice := types.Address{0xa}

	st := s.NewState()
	st.SetAccount(alice, Account{Balance: 100})
	st.Set([]byte("p1"), []byte("a"))
	st.Set([]byte("p2"), []byte("b"))
	b0 := commit(t, s, st, 0)

	v, err := s.NewView()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if h := v.Head(); h.Height != 0 || h.Hash != b0.Hash() || h.StateRoot != b0.Header.StateRoot {
		t.Fatalf("view head %+v, want block 0", h)
	}

	for h := uint64(1); h <= 3; h++ {
		st := s.NewState()
		st.SetAccount(alice, Account{Nonce: h, Balance: 100 - h})
		st.Set([]byte("p1"), nil) // deleted
		st.Set([]byte("p2"), []byte(fmt.Sprint("b", h)))
		st.Set([]byte(fmt.Sprint("p3", h)), []byte("new"))
		commit(t, s, st, h)
		// Warm the flat cache with the new values.
		if got := s.NewState().Account(alice).Balance; got != 100-h {
			t.Fatalf("live balance after block %d: %d", h, got)
		}
	}

	if got := v.State().Account(alice); got != (Account{Balance: 100}) {
		t.Fatalf("view reads %+v after later commits, want block 0's balance 100", got)
	}
	if got, want := scan(v.State(), "p"), "p1=a p2=b "; got != want {
		t.Fatalf("view scan %q, want %q", got, want)
	}
	if got, want := scan(s.NewState(), "p"), "p2=b3 p31=new p32=new p33=new "; got != want {
		t.Fatalf("live scan %q, want %q", got, want)
	}
	// The view's own writes are seen by its reads and go nowhere else.
	v.State().Set([]byte("p0"), []byte("x"))
	if got, want := scan(v.State(), "p"), "p0=x p1=a p2=b "; got != want {
		t.Fatalf("view scan with a write %q, want %q", got, want)
	}
	if got := s.NewState().Get([]byte("p0")); got != nil {
		t.Fatalf("a view's write reached the store: %q", got)
	}

	v2, err := s.NewView()
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if h := v2.Head().Height; h != 3 {
		t.Fatalf("new view at height %d, want 3", h)
	}
	if got := v2.State().Account(alice); got != (Account{Nonce: 3, Balance: 97}) {
		t.Fatalf("new view reads %+v", got)
	}
}

// A snapshot taken while the store names an older or newer head (a commit
// between its batch and its head update, or one that finished after the
// snapshot) gets the head of the block it holds, not the store's.
func TestViewHeadIsTheSnapshots(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	st.Set([]byte("k"), []byte("0"))
	b0 := commit(t, s, st, 0)
	snap, err := s.kv.newSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	st = s.NewState()
	st.Set([]byte("k"), []byte("1"))
	commit(t, s, st, 1)

	head, err := s.snapshotHead(snap)
	if err != nil {
		t.Fatal(err)
	}
	if head.Height != 0 || head.Hash != b0.Hash() || head.StateRoot != b0.Header.StateRoot || head.Time != b0.Header.Time {
		t.Fatalf("snapshot head %+v, want block 0 %s", head, b0.Hash())
	}
}

// A view left open when the store closes reads as absent instead of
// panicking, and the store still closes.
func TestViewAfterStoreClose(t *testing.T) {
	s := openTest(t, t.TempDir())
	st := s.NewState()
	st.Set([]byte("k"), []byte("v"))
	commit(t, s, st, 0)
	v, err := s.NewView()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(v.State().Get([]byte("k"))); got != "v" {
		t.Fatalf("view reads %q", got)
	}
	v.Close()
	v.Close() // harmless
	v, err = s.NewView()
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close() // Pebble reports the open snapshot; the store closes anyway
	if got := v.State().Get([]byte("k")); got != nil {
		t.Fatalf("view of a closed store reads %q", got)
	}
	v.Close()
	if _, err := s.NewView(); err == nil {
		t.Fatal("a view opened on a closed store")
	}
}

// Views opened and read while another goroutine commits: every view's head
// agrees with its state (the block height each block writes) and its reads
// agree with each other (a transfer between two keys keeps their sum). On
// the live state both fail as soon as a read straddles a commit.
func TestViewConsistentUnderCommits(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	u64 := func(v uint64) []byte { return []byte(fmt.Sprint(v)) }
	st := s.NewState()
	st.Set([]byte("a"), u64(1000))
	st.Set([]byte("b"), u64(0))
	st.Set([]byte("h"), u64(0))
	commit(t, s, st, 0)

	const blocks = 150
	done := make(chan struct{})
	go func() {
		defer close(done)
		for h := uint64(1); h <= blocks; h++ {
			st := s.NewState()
			st.Set([]byte("a"), u64(1000-h))
			st.Set([]byte("b"), u64(h))
			st.Set([]byte("h"), u64(h))
			root, err := st.Root()
			if err != nil {
				t.Error(err)
				return
			}
			head, _ := s.Head()
			b := types.NewBlock(types.Header{Height: h, Time: 1000 + h, ParentHash: head.Hash, StateRoot: root, TxRoot: types.EmptyRoot, ReceiptsRoot: types.EmptyRoot}, nil, &types.Commit{}, nil)
			if err := s.CommitBlock(b, nil, nil, st); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	reads := 0
	for finished := false; !finished; reads++ {
		select {
		case <-done:
			finished = true
		default:
		}
		before, _ := s.Head()
		v, err := s.NewView()
		if err != nil {
			t.Fatal(err)
		}
		after, _ := s.Head()
		// A view never runs ahead of the head read after it: "head, reads,
		// head" brackets what the reads saw (an RPC client relies on it).
		if vh := v.Head().Height; vh < before.Height || vh > after.Height {
			t.Fatalf("view at height %d outside the heads %d..%d read around it", vh, before.Height, after.Height)
		}
		var a, b, h uint64
		fmt.Sscan(string(v.State().Get([]byte("a"))), &a)
		fmt.Sscan(string(v.State().Get([]byte("h"))), &h)
		fmt.Sscan(string(v.State().Get([]byte("b"))), &b)
		head := v.Head()
		v.Close()
		if a+b != 1000 || h != head.Height || b != h {
			t.Fatalf("view at head %d read a=%d b=%d h=%d", head.Height, a, b, h)
		}
	}
	t.Logf("%d views over %d commits", reads, blocks)
}
