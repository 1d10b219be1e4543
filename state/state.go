package state

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/RaduBerinde/btreemap"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/trie/trienode"

	"github.com/taonet/taod/types"
)

// State is a writable view of the state on top of a committed block: reads
// fall through the keys written so far to the flat store. One State is used
// by one goroutine, for one block.
type State struct {
	store *Store
	base  types.Hash // state root it was built on
	fresh bool       // built on nothing: reads see only its own writes
	dirty map[string][]byte
	// order indexes dirty's keys in key order for Iterate. Iterate builds
	// it once its scans have cost a few passes over the dirty keys
	// (scanWork, see indexAfter); Set and Revert keep it up to date from
	// then on. A block that seldom scans pays nothing for it; one that
	// scans while writing pays O(log n) per new key instead of a pass over
	// every dirty key per scan.
	order    *btreemap.BTreeMap[string, struct{}]
	scanWork int // dirty keys visited by Iterate's passes before order was built
	// journal records each write's previous value so a failed call can be
	// undone without copying the dirty set.
	journal []journalEntry

	tr   *trie.Trie // the trie after hashing, kept for commit
	root types.Hash
	keys []string // the dirty keys, sorted, when tr is set

	pf *prefetcher // reads ahead for the block being executed; may be nil

	snap *kvSnapshot // a View's: committed values come from it, not the live flat keys
}

// NewState opens a writable view on top of the head's state.
func (s *Store) NewState() *State {
	head, _ := s.Head()
	if head.StateRoot == (types.Hash{}) {
		head.StateRoot = types.EmptyRoot
	}
	return &State{store: s, base: head.StateRoot, dirty: make(map[string][]byte)}
}

// NewEmptyState opens a writable view of an empty state, whatever the store
// holds: for building a genesis state to compare with the stored one.
func (s *Store) NewEmptyState() *State {
	return &State{store: s, base: types.EmptyRoot, fresh: true, dirty: make(map[string][]byte)}
}

// Get returns the value of key, nil when unset.
func (st *State) Get(key []byte) []byte {
	if v, ok := st.dirty[string(key)]; ok {
		return v
	}
	if st.fresh {
		return nil
	}
	if st.snap != nil {
		v, _ := readValue(st.snap, flatKey(string(key)))
		return v
	}
	if st.pf == nil {
		return st.store.flat.get(key)
	}
	k := string(key)
	v, ok := st.pf.flatValue(k)
	if !ok {
		v = st.store.flat.get(key)
		st.pf.readFlat(k, v)
	}
	return v
}

type journalEntry struct {
	key     string
	prev    []byte
	hadPrev bool
}

// Set writes key; an empty value deletes it.
func (st *State) Set(key, value []byte) {
	k := string(key)
	prev, had := st.dirty[k]
	st.journal = append(st.journal, journalEntry{k, prev, had})
	st.dirty[k] = value
	if !had && st.order != nil {
		st.order.ReplaceOrInsert(k, struct{}{})
	}
	st.tr, st.keys = nil, nil
}

// Snapshot returns a point to roll back to with Revert. Used to undo a failed
// call while keeping its fee.
func (st *State) Snapshot() int { return len(st.journal) }

// Revert undoes every write made since the snapshot.
func (st *State) Revert(snap int) {
	if snap > len(st.journal) {
		panic(fmt.Sprintf("state: revert to snapshot %d past the journal's %d entries (taken before Settle?)", snap, len(st.journal)))
	}
	for i := len(st.journal) - 1; i >= snap; i-- {
		e := st.journal[i]
		if e.hadPrev {
			st.dirty[e.key] = e.prev
		} else {
			delete(st.dirty, e.key)
			if st.order != nil {
				st.order.Delete(e.key)
			}
		}
	}
	st.journal = st.journal[:snap]
	st.tr, st.keys = nil, nil
}

// Settle makes every write so far final for this State: it drops the undo
// records, so no snapshot taken before it can be reverted to. Block
// building and execution call it between txs, where no snapshot is held:
// the journal then holds one tx's writes instead of the whole block's (tens
// of MB of records and their previous values in a 10,000-tx block).
func (st *State) Settle() {
	clear(st.journal)
	st.journal = st.journal[:0]
}

func (st *State) sortedDirty() []string {
	keys := make([]string, 0, len(st.dirty))
	for k := range st.dirty {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Root applies the written keys to the trie, in key order, and returns the
// state root. The trie is kept so a later commit does not hash twice.
func (st *State) Root() (types.Hash, error) {
	if st.tr != nil {
		return st.root, nil
	}
	tr := st.pf.takeTrie() // the base trie with the touched paths resolved, if any
	if tr == nil {
		var err error
		if tr, err = trie.New(trie.TrieID(st.base), st.store.triedb); err != nil {
			return types.Hash{}, fmt.Errorf("%w: open trie at %s: %v", ErrCorrupt, st.base, err)
		}
	}
	keys := st.sortedDirty()
	for _, k := range keys {
		hk := types.Keccak256([]byte(k))
		v := st.dirty[k]
		var err error
		if len(v) == 0 {
			err = tr.Delete(hk[:])
		} else {
			err = tr.Update(hk[:], v)
		}
		if err != nil {
			return types.Hash{}, fmt.Errorf("%w: trie update: %v", ErrCorrupt, err)
		}
	}
	st.tr, st.root, st.keys = tr, tr.Hash(), keys
	return st.root, nil
}

type trieNode struct {
	hash types.Hash
	blob []byte
}

func (st *State) commitTrie() (types.Hash, []trieNode, error) {
	root, err := st.Root()
	if err != nil {
		return types.Hash{}, nil, err
	}
	_, set := st.tr.Commit(false)
	st.tr = nil // a committed trie cannot be used again; st.keys stays for the flat writes
	var nodes []trieNode
	if set != nil {
		set.ForEachWithOrder(func(_ string, n *trienode.Node) {
			if !n.IsDeleted() {
				nodes = append(nodes, trieNode{n.Hash, n.Blob})
			}
		})
	}
	return root, nodes, nil
}

// Account is the state of an address.
type Account struct {
	Nonce   uint64
	Balance uint64
}

// AccountKey is the state key of an address's account.
func AccountKey(a types.Address) []byte { return append([]byte{'a'}, a[:]...) }

// Account reads an account; a missing one is the zero account.
func (st *State) Account(a types.Address) Account {
	return decodeAccount(st.Get(AccountKey(a)))
}

// SetAccount writes an account; the zero account is deleted.
func (st *State) SetAccount(a types.Address, acc Account) {
	if acc == (Account{}) {
		st.Set(AccountKey(a), nil)
		return
	}
	st.Set(AccountKey(a), encodeAccount(acc))
}

// encodeAccount is rlp.EncodeToBytes(&acc) without reflection: the list
// header, then the two integers (each at most 9 bytes, so the payload is
// short).
func encodeAccount(acc Account) []byte {
	b := make([]byte, 1, 19)
	b = rlp.AppendUint64(b, acc.Nonce)
	b = rlp.AppendUint64(b, acc.Balance)
	b[0] = 0xc0 + byte(len(b)-1)
	return b
}

func decodeAccount(b []byte) Account {
	if len(b) == 0 {
		return Account{}
	}
	acc, err := parseAccount(b)
	if err != nil {
		panic(fmt.Sprintf("state: corrupt account record %x: %v", b, err)) // written only by SetAccount
	}
	return acc
}

// parseAccount is the strict inverse of encodeAccount (rlp.DecodeBytes
// rules: canonical integers, nothing left over).
func parseAccount(b []byte) (acc Account, err error) {
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return acc, err
	}
	if len(rest) != 0 {
		return acc, rlp.ErrMoreThanOneValue
	}
	if acc.Nonce, content, err = rlp.SplitUint64(content); err != nil {
		return acc, err
	}
	if acc.Balance, content, err = rlp.SplitUint64(content); err != nil {
		return acc, err
	}
	if len(content) != 0 {
		return acc, fmt.Errorf("rlp: %d extra bytes in account", len(content))
	}
	return acc, nil
}

// Global state keys.
var (
	keyIssuance = []byte("gissuance")
	keyPool     = []byte("gpool")
)

// Issuance is the total issuance in rao: every rao minted minus every rao recycled.
func (st *State) Issuance() uint64 { return getU64(st, keyIssuance) }

// SetIssuance sets the total issuance.
func (st *State) SetIssuance(v uint64) { setU64(st, keyIssuance, v) }

// Pool is the minted emission not yet distributed to subnets.
func (st *State) Pool() uint64 { return getU64(st, keyPool) }

// SetPool sets the undistributed emission.
func (st *State) SetPool(v uint64) { setU64(st, keyPool, v) }

func getU64(st *State, k []byte) uint64 {
	v := st.Get(k)
	if len(v) == 0 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func setU64(st *State, k []byte, v uint64) {
	if v == 0 {
		st.Set(k, nil)
		return
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	st.Set(k, b)
}

// Reader reads the committed state at one block through the trie: any
// historical block, and Merkle proofs.
type Reader struct {
	tr   *trie.Trie
	root types.Hash
}

// ReaderAt opens the state committed at the given root.
func (s *Store) ReaderAt(root types.Hash) (*Reader, error) {
	tr, err := trie.New(trie.TrieID(root), s.triedb)
	if err != nil {
		return nil, fmt.Errorf("%w: state %s: %v", ErrNotFound, root, err)
	}
	return &Reader{tr: tr, root: root}, nil
}

// Get returns a key's value at this state.
func (r *Reader) Get(key []byte) ([]byte, error) {
	hk := types.Keccak256(key)
	return r.tr.Get(hk[:])
}

// Account returns an account at this state.
func (r *Reader) Account(a types.Address) (Account, error) {
	v, err := r.Get(AccountKey(a))
	if err != nil {
		return Account{}, err
	}
	return decodeAccount(v), nil
}

// Prove returns the Merkle proof of key (the trie nodes from the root to the
// key's leaf, or to where it would be) in root-to-leaf order.
func (r *Reader) Prove(key []byte) ([][]byte, error) {
	hk := types.Keccak256(key)
	db := memorydb.New()
	rec := &proofRecorder{db: db}
	if err := r.tr.Prove(hk[:], rec); err != nil {
		return nil, err
	}
	return rec.nodes, nil
}

type proofRecorder struct {
	db    *memorydb.Database
	nodes [][]byte
}

func (p *proofRecorder) Put(k, v []byte) error {
	p.nodes = append(p.nodes, v)
	return p.db.Put(k, v)
}
func (p *proofRecorder) Delete(k []byte) error { return p.db.Delete(k) }

// VerifyProof checks a proof of key against root and returns the proven value
// (nil when the proof shows the key is absent).
func VerifyProof(root types.Hash, key []byte, proof [][]byte) ([]byte, error) {
	db := memorydb.New()
	for _, n := range proof {
		h := types.Keccak256(n)
		db.Put(h[:], n)
	}
	hk := types.Keccak256(key)
	return trie.VerifyProof(root, hk[:], db)
}
