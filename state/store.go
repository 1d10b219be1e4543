package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/ethdb"
	gethpebble "github.com/ethereum/go-ethereum/ethdb/pebble"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/hashdb"

	"github.com/taonet/taod/types"
)

var (
	// ErrNotFound reports a block, receipt or transaction the store does not hold.
	ErrNotFound = errors.New("state: not found")
	// ErrCorrupt reports data on disk that contradicts itself.
	ErrCorrupt = errors.New("state: corrupt database")
	// ErrRootMismatch reports a block whose header state root is not the root
	// its execution produced.
	ErrRootMismatch = errors.New("state: state root mismatch")
	// ErrNotNext reports a block that does not extend the head.
	ErrNotNext = errors.New("state: block does not extend the head")
)

// Options configures a Store.
type Options struct {
	CacheMB    int  // Pebble block cache and memtables; default 64
	TrieCache  int  // clean trie-node cache in MB; default 32
	Handles    int  // open file handles; default 256
	ReadOnly   bool // open without writing
	NoSyncDisk bool // skip the WAL fsync after each block (benchmarks only)
}

func (o *Options) ensureDefaults() {
	if o.CacheMB <= 0 {
		o.CacheMB = 64
	}
	if o.TrieCache <= 0 {
		o.TrieCache = 32
	}
	if o.Handles <= 0 {
		o.Handles = 256
	}
}

// Store owns the Pebble instance. It is safe for concurrent readers and one
// writer (the block committer).
type Store struct {
	kv     ethdb.KeyValueStore
	triedb *triedb.Database
	opts   Options

	mu struct {
		sync.RWMutex
		head Head // the last committed block
	}
}

// Head describes the last committed block.
type Head struct {
	Height    uint64
	Hash      types.Hash
	StateRoot types.Hash
	Time      uint64
}

var headKey = []byte("Mhead")

// Open opens (or creates) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	opts.ensureDefaults()
	kv, err := gethpebble.New(dir, opts.CacheMB, opts.Handles, "taod/db/", opts.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	s := &Store{
		kv:     kv,
		triedb: triedb.NewDatabase(rawdb.NewDatabase(kv), &triedb.Config{HashDB: &hashdb.Config{CleanCacheSize: opts.TrieCache << 20}}),
		opts:   opts,
	}
	if err := s.loadHead(); err != nil {
		kv.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) loadHead() error {
	v, err := s.kv.Get(headKey)
	if err != nil || len(v) == 0 {
		return nil // empty store
	}
	if len(v) != 8 {
		return fmt.Errorf("%w: head record has %d bytes", ErrCorrupt, len(v))
	}
	b, err := s.BlockByHeight(binary.BigEndian.Uint64(v))
	if err != nil {
		return fmt.Errorf("%w: head block: %v", ErrCorrupt, err)
	}
	s.mu.head = Head{b.Height(), b.Hash(), b.Header.StateRoot, b.Header.Time}
	if _, err := trie.New(trie.TrieID(b.Header.StateRoot), s.triedb); err != nil {
		return fmt.Errorf("%w: head state root %s: %v", ErrCorrupt, b.Header.StateRoot, err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.triedb.Close()
	return s.kv.Close()
}

// Head returns the last committed block, and false when the store is empty.
func (s *Store) Head() (Head, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mu.head, s.mu.head.Hash != (types.Hash{})
}

func heightKey(h uint64) []byte {
	k := make([]byte, 9)
	k[0] = 'H'
	binary.BigEndian.PutUint64(k[1:], h)
	return k
}

func prefixed(p byte, h types.Hash) []byte { return append([]byte{p}, h[:]...) }

// BlockHash returns the hash of the block at height h.
func (s *Store) BlockHash(h uint64) (types.Hash, error) {
	v, err := s.kv.Get(heightKey(h))
	if err != nil || len(v) != 32 {
		return types.Hash{}, fmt.Errorf("%w: block %d", ErrNotFound, h)
	}
	return types.Hash(v), nil
}

// BlockByHeight returns the block at height h.
func (s *Store) BlockByHeight(h uint64) (*types.Block, error) {
	hash, err := s.BlockHash(h)
	if err != nil {
		return nil, err
	}
	return s.BlockByHash(hash)
}

// BlockByHash returns the block with the given hash.
func (s *Store) BlockByHash(hash types.Hash) (*types.Block, error) {
	v, err := s.kv.Get(prefixed('B', hash))
	if err != nil || len(v) == 0 {
		return nil, fmt.Errorf("%w: block %s", ErrNotFound, hash)
	}
	b, err := types.DecodeBlock(v)
	if err != nil {
		return nil, fmt.Errorf("%w: block %s: %v", ErrCorrupt, hash, err)
	}
	return b, nil
}

// Receipts returns the receipts of the block with the given hash.
func (s *Store) Receipts(hash types.Hash) ([]types.Receipt, error) {
	v, err := s.kv.Get(prefixed('R', hash))
	if err != nil {
		return nil, fmt.Errorf("%w: receipts of %s", ErrNotFound, hash)
	}
	var rs []types.Receipt
	if err := rlp.DecodeBytes(v, &rs); err != nil {
		return nil, fmt.Errorf("%w: receipts of %s: %v", ErrCorrupt, hash, err)
	}
	return rs, nil
}

func commitKey(h uint64) []byte {
	k := heightKey(h)
	k[0] = 'C'
	return k
}

// SeenCommit returns the commit that finalised the block at height h.
func (s *Store) SeenCommit(h uint64) (*types.Commit, error) {
	v, err := s.kv.Get(commitKey(h))
	if err != nil || len(v) == 0 {
		return nil, fmt.Errorf("%w: commit of block %d", ErrNotFound, h)
	}
	c := new(types.Commit)
	if err := rlp.DecodeBytes(v, c); err != nil {
		return nil, fmt.Errorf("%w: commit of block %d: %v", ErrCorrupt, h, err)
	}
	return c, nil
}

// TxLocation is where a transaction was included.
type TxLocation struct {
	Height uint64
	Index  uint32
}

// TxLocation finds the block and index of a committed transaction.
func (s *Store) TxLocation(txHash types.Hash) (TxLocation, error) {
	v, err := s.kv.Get(prefixed('T', txHash))
	if err != nil || len(v) != 12 {
		return TxLocation{}, fmt.Errorf("%w: transaction %s", ErrNotFound, txHash)
	}
	return TxLocation{binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:])}, nil
}

// CommitBlock writes b, its receipts, the commit that finalised it (seen;
// block b+1 carries it too, but the head's own commit lives only here) and
// the state changes in st (which must have been built on the current head) in
// one synced batch, and makes b the head. The header's StateRoot must equal
// st's root.
func (s *Store) CommitBlock(b *types.Block, receipts []types.Receipt, seen *types.Commit, st *State) error {
	return s.commitBlock(b, receipts, seen, st, !s.opts.NoSyncDisk)
}

// CommitBlockDeferSync is CommitBlock without the WAL fsync: the block is
// written atomically but may be lost in a crash until a later synced commit.
// Block sync uses it for all but the last block of a batch of final blocks,
// which a restarted node simply fetches again.
func (s *Store) CommitBlockDeferSync(b *types.Block, receipts []types.Receipt, seen *types.Commit, st *State) error {
	return s.commitBlock(b, receipts, seen, st, false)
}

func (s *Store) commitBlock(b *types.Block, receipts []types.Receipt, seen *types.Commit, st *State, sync bool) error {
	head, ok := s.Head()
	if ok && (b.Height() != head.Height+1 || b.Header.ParentHash != head.Hash) {
		return fmt.Errorf("%w: block %d (parent %s) on head %d (%s)", ErrNotNext, b.Height(), b.Header.ParentHash, head.Height, head.Hash)
	}
	if !ok && b.Height() != 0 {
		return fmt.Errorf("%w: the first block must be genesis, got height %d", ErrNotNext, b.Height())
	}
	if want := head.StateRoot; ok && st.base != want {
		return fmt.Errorf("%w: state built on %s, head state is %s", ErrNotNext, st.base, head.StateRoot)
	}
	root, nodes, err := st.commitTrie()
	if err != nil {
		return err
	}
	if root != b.Header.StateRoot {
		return fmt.Errorf("%w: block %d header %s, executed %s", ErrRootMismatch, b.Height(), b.Header.StateRoot, root)
	}
	enc, err := b.Encode()
	if err != nil {
		return fmt.Errorf("state: encode block %d: %w", b.Height(), err)
	}
	rs, err := rlp.EncodeToBytes(receipts)
	if err != nil {
		return fmt.Errorf("state: encode receipts: %w", err)
	}
	hash := b.Hash()
	batch := s.kv.NewBatchWithSize(len(enc) + len(rs) + len(nodes)*100 + len(st.dirty)*64)
	for _, n := range nodes {
		batch.Put(n.hash[:], n.blob)
	}
	for _, k := range st.sortedDirty() {
		if v := st.dirty[k]; len(v) == 0 {
			batch.Delete(flatKey(k))
		} else {
			batch.Put(flatKey(k), v)
		}
	}
	batch.Put(prefixed('B', hash), enc)
	batch.Put(prefixed('R', hash), rs)
	batch.Put(heightKey(b.Height()), hash[:])
	if seen != nil {
		sc, err := rlp.EncodeToBytes(seen)
		if err != nil {
			return fmt.Errorf("state: encode commit: %w", err)
		}
		batch.Put(commitKey(b.Height()), sc)
	}
	loc := make([]byte, 12)
	binary.BigEndian.PutUint64(loc, b.Height())
	for i, tx := range b.Txs {
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		batch.Put(prefixed('T', tx.Hash()), loc)
	}
	batch.Put(headKey, heightKey(b.Height())[1:])
	if err := batch.Write(); err != nil {
		return fmt.Errorf("state: write block %d: %w", b.Height(), err)
	}
	if sync {
		if err := s.kv.SyncKeyValue(); err != nil {
			return fmt.Errorf("state: sync block %d: %w", b.Height(), err)
		}
	}
	s.mu.Lock()
	s.mu.head = Head{b.Height(), hash, root, b.Header.Time}
	s.mu.Unlock()
	return nil
}
