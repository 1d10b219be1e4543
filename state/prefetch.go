package state

import (
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/trie"

	"github.com/taonet/taod/types"
)

// Prefetch starts reading, on a goroutine of its own, the keys a block is
// about to touch: their committed flat values, which Get then serves from
// memory, and their trie paths, which Root then finds resolved. The block's
// execution is sequential; this puts another core to work on its reads
// while it runs.
//
// Only the committed state st was built on is read, never st's own writes,
// so nothing st returns depends on how far the prefetch got. Only the first
// call on a State starts a prefetch; later calls do nothing.
func (st *State) Prefetch(keys [][]byte) {
	if st.pf != nil || st.fresh || len(keys) == 0 {
		return
	}
	pf := &prefetcher{done: make(chan struct{})}
	pf.mu.flat = make(map[string][]byte, len(keys))
	st.pf = pf
	go pf.run(st.store, st.base, keys)
}

// Discard ends a State that will not be committed (its block was refused
// or failed): a prefetch still running stops, and Discard waits for its
// goroutine, so nothing reads the store on the State's behalf afterwards
// (the store may be closed next). Calling it again, or on a State without a
// prefetch, does nothing.
func (st *State) Discard() { st.pf.takeTrie() }

// prefetcher reads ahead for one State. The block's execution walks its keys
// from the first; the flat pass walks them from the last, so the two meet in
// the middle instead of reading the same keys twice. Then the trie pass
// resolves every key's path in a trie of its own, which Root adopts.
type prefetcher struct {
	stop atomic.Bool   // set by takeTrie: Root needs the trie now
	done chan struct{} // closed when run returns
	tr   *trie.Trie    // owned by run until done is closed

	mu struct {
		sync.Mutex
		flat map[string][]byte // state key → committed value (nil: unset)
	}
}

func (pf *prefetcher) run(s *Store, base types.Hash, keys [][]byte) {
	defer close(pf.done)
	for i := len(keys) - 1; i >= 0 && !pf.stop.Load(); i-- {
		k := string(keys[i])
		if _, seen := pf.flatValue(k); seen {
			continue
		}
		pf.readFlat(k, s.flat.get(keys[i]))
	}
	tr, err := trie.New(trie.TrieID(base), s.triedb)
	if err != nil {
		return // Root opens its own trie and reports the error
	}
	pf.tr = tr
	for _, k := range keys {
		if pf.stop.Load() {
			return
		}
		hk := types.Keccak256(k)
		if _, err := tr.Get(hk[:]); err != nil {
			pf.tr = nil // a missing node: Root opens a fresh trie and fails there
			return
		}
	}
}

// readFlat records the committed value of k.
func (pf *prefetcher) readFlat(k string, v []byte) {
	pf.mu.Lock()
	pf.mu.flat[k] = v
	pf.mu.Unlock()
}

// flatValue returns a prefetched committed value.
func (pf *prefetcher) flatValue(k string) ([]byte, bool) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	v, ok := pf.mu.flat[k]
	return v, ok
}

// takeTrie stops the prefetch and returns its trie (nil if it has none). It
// hands the trie over once: a second Root opens a fresh one.
func (pf *prefetcher) takeTrie() *trie.Trie {
	if pf == nil {
		return nil
	}
	pf.stop.Store(true)
	<-pf.done
	tr := pf.tr
	pf.tr = nil
	return tr
}
