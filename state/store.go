package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"

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

// Default sizes of a Store's memory, chosen by measurement
// (docs/notes/memory.md: one node, 100,000 transfers, RSS under 200 MB with
// the throughput kept). Pebble's cache and memtables are C memory when built
// with cgo, outside the Go heap and GOMEMLIMIT. The trie-node and flat
// budgets are summed into one cache both share (fastcache, mmapped outside
// the Go heap), because fastcache never takes less than 32 MB once full,
// whatever it is asked for: two caches cost 64 MB where one of 32 serves.
const (
	DefaultCacheMB     = 32  // Pebble block cache
	DefaultMemTableMB  = 16  // one Pebble memtable; up to memTableStop of them
	DefaultTrieCacheMB = 16  // trie nodes' share of the state cache
	DefaultFlatCacheMB = 16  // recently used flat values' share of the state cache
	DefaultHandles     = 256 // open files
)

// Options configures a Store; a zero size takes its default.
type Options struct {
	CacheMB    int    // Pebble block cache in MB (DefaultCacheMB)
	MemTableMB int    // size of one Pebble memtable in MB (DefaultMemTableMB)
	TrieCache  int    // trie nodes' share of the state cache in MB (DefaultTrieCacheMB)
	FlatCache  int    // flat values' share of the state cache in MB (DefaultFlatCacheMB)
	Handles    int    // open file handles (DefaultHandles)
	ReadOnly   bool   // open without writing
	NoSyncDisk bool   // skip the WAL fsync after each block (benchmarks only)
	Index      bool   // keep the event indexes (index.go) with each block
	IndexKeep  uint64 // with Index: keep only the last IndexKeep blocks' entries (0: all; index_prune.go)
	Logger     Logger // Pebble's background messages; nil: errors to stderr
	FS         vfs.FS // Pebble's filesystem; nil: the OS's (vfs.NewMem() for tests and the simulator)
}

func (o *Options) ensureDefaults() {
	if o.CacheMB <= 0 {
		o.CacheMB = DefaultCacheMB
	}
	if o.MemTableMB <= 0 {
		o.MemTableMB = DefaultMemTableMB
	}
	if o.TrieCache <= 0 {
		o.TrieCache = DefaultTrieCacheMB
	}
	if o.FlatCache <= 0 {
		o.FlatCache = DefaultFlatCacheMB
	}
	if o.Handles <= 0 {
		o.Handles = DefaultHandles
	}
}

// Store owns the Pebble instance. It is safe for concurrent readers and one
// writer (the block committer).
type Store struct {
	kv     *kvStore
	triedb *nodeDB    // trie nodes, for go-ethereum's trie
	flat   *flatCache // the flat state, for State.Get
	opts   Options

	mu struct {
		sync.RWMutex
		head Head // the last committed block
	}
	// txs, when set (UseTxCache), finds the txs of blocks read back among
	// those the node decoded already.
	txs atomic.Pointer[types.TxCache]
	// commit is held (write) from a block's batch write to its head update
	// and (read) while a view takes its snapshot, so no view falls between
	// the two. Head readers do not take it: they never wait on a commit's
	// fsync.
	commit sync.RWMutex
}

// Head describes the last committed block.
type Head struct {
	Height    uint64
	Hash      types.Hash
	StateRoot types.Hash
	Time      uint64
}

// Open opens (or creates) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	opts.ensureDefaults()
	kv, err := openKV(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	cache := newStateCache((opts.TrieCache + opts.FlatCache) << 20)
	s := &Store{
		kv:     kv,
		triedb: newNodeDB(kv, cache),
		flat:   newFlatCache(kv, cache),
		opts:   opts,
	}
	if err := s.checkFormat(); err != nil {
		kv.Close()
		return nil, err
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
	s.triedb.close()
	s.flat.close()
	return s.kv.Close()
}

// Head returns the last committed block, and false when the store is empty.
func (s *Store) Head() (Head, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mu.head, s.mu.head.Hash != (types.Hash{})
}

// BlockHash returns the hash of the block at height h.
func (s *Store) BlockHash(h uint64) (types.Hash, error) {
	v, err := s.kv.Get(heightKey(h))
	if err != nil || len(v) != 32 {
		return types.Hash{}, fmt.Errorf("%w: block %d", ErrNotFound, h)
	}
	return types.Hash(v), nil
}

// UseTxCache makes block reads take the txs they hold from c when it has
// them (types.DecodeStoredBlock: reads never add to c). The chain that owns
// c sets it; nil turns it off.
func (s *Store) UseTxCache(c *types.TxCache) { s.txs.Store(c) }

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
	v, err := s.kv.Get(prefixed(kBlock, hash))
	if err != nil || len(v) == 0 {
		return nil, fmt.Errorf("%w: block %s", ErrNotFound, hash)
	}
	b, err := types.DecodeStoredBlock(v, s.txs.Load())
	if err != nil {
		return nil, fmt.Errorf("%w: block %s: %v", ErrCorrupt, hash, err)
	}
	return b, nil
}

// Receipts returns the receipts of the block with the given hash.
func (s *Store) Receipts(hash types.Hash) ([]types.Receipt, error) {
	v, err := s.kv.Get(prefixed(kReceipts, hash))
	if err != nil {
		return nil, fmt.Errorf("%w: receipts of %s", ErrNotFound, hash)
	}
	var rs []types.Receipt
	if err := rlp.DecodeBytes(v, &rs); err != nil {
		return nil, fmt.Errorf("%w: receipts of %s: %v", ErrCorrupt, hash, err)
	}
	return rs, nil
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
	v, err := s.kv.Get(prefixed(kTxIndex, txHash))
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
	return s.commitBlock(b, receipts, nil, seen, st, !s.opts.NoSyncDisk)
}

// CommitBlockWithEpochs is CommitBlock (deferSync: CommitBlockDeferSync)
// that also hands over the block's epoch tables, for the index.
func (s *Store) CommitBlockWithEpochs(b *types.Block, receipts []types.Receipt, epochs []types.EpochTable, seen *types.Commit, st *State, deferSync bool) error {
	return s.commitBlock(b, receipts, epochs, seen, st, !deferSync && !s.opts.NoSyncDisk)
}

// CommitBlockDeferSync is CommitBlock without the WAL fsync: the block is
// written atomically but may be lost in a crash until a later synced commit.
// Block sync uses it for all but the last block of a batch of final blocks,
// which a restarted node simply fetches again.
func (s *Store) CommitBlockDeferSync(b *types.Block, receipts []types.Receipt, seen *types.Commit, st *State) error {
	return s.commitBlock(b, receipts, nil, seen, st, false)
}

func (s *Store) commitBlock(b *types.Block, receipts []types.Receipt, epochs []types.EpochTable, seen *types.Commit, st *State, syncDisk bool) error {
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
	// The block's own records do not depend on the trie: encode them on
	// another core while the trie commits.
	var (
		recs   blockRecords
		recErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		recs, recErr = encodeBlockRecords(b, receipts, seen)
		if recErr == nil && s.opts.Index {
			if v, err := s.kv.Get(indexFromKey); err != nil || len(v) == 0 {
				recs.add(indexFromKey, heightKey(b.Height())[1:])
			}
			indexRecords(b.Height(), receipts, epochs, recs.add)
			recErr = s.pruneIndex(b.Height(), &recs)
		}
	})
	root, nodes, err := st.commitTrie()
	wg.Wait()
	if err != nil {
		return err
	}
	if recErr != nil {
		return recErr
	}
	if root != b.Header.StateRoot {
		return fmt.Errorf("%w: block %d header %s, executed %s", ErrRootMismatch, b.Height(), b.Header.StateRoot, root)
	}
	size := recs.size + len(st.keys)*64
	for _, n := range nodes {
		size += len(n.blob) + 32
	}
	batch := s.kv.newBatch(size)
	for _, n := range nodes {
		batch.Put(nodeKey(n.hash), n.blob)
	}
	for _, k := range st.keys { // sorted by Root
		if v := st.dirty[k]; len(v) == 0 {
			batch.Delete(flatKey(k))
		} else {
			batch.Put(flatKey(k), v)
		}
	}
	for _, kv := range recs.kvs {
		batch.Put(kv[0], kv[1])
	}
	for _, k := range recs.dels {
		batch.Delete(k)
	}
	batch.Put(headKey, heightKey(b.Height())[1:])
	hash := b.Hash()
	// The batch becomes visible to views and the head moves with no view
	// opened in between: a reader never sees block H+1's state (a view)
	// while Head still says H, so "head, then reads, then head" brackets
	// what it read.
	s.commit.Lock()
	defer s.commit.Unlock()
	if err := batch.Write(syncDisk); err != nil {
		return fmt.Errorf("state: write block %d: %w", b.Height(), err)
	}
	s.triedb.written(nodes)
	s.flat.written(st.keys, st.dirty)
	s.mu.Lock()
	s.mu.head = Head{b.Height(), hash, root, b.Header.Time}
	s.mu.Unlock()
	return nil
}

// blockRecords are the key/value pairs that store a block: the block, its
// receipts, its height index, its seen commit and its tx index; and the
// keys it deletes (index entries pruned).
type blockRecords struct {
	kvs  [][2][]byte
	dels [][]byte
	size int
}

func (r *blockRecords) add(k, v []byte) {
	r.kvs = append(r.kvs, [2][]byte{k, v})
	r.size += len(k) + len(v)
}

func (r *blockRecords) del(k []byte) {
	r.dels = append(r.dels, k)
	r.size += len(k) + 1
}

func encodeBlockRecords(b *types.Block, receipts []types.Receipt, seen *types.Commit) (blockRecords, error) {
	enc, err := b.Encode()
	if err != nil {
		return blockRecords{}, fmt.Errorf("state: encode block %d: %w", b.Height(), err)
	}
	rs, err := rlp.EncodeToBytes(receipts)
	if err != nil {
		return blockRecords{}, fmt.Errorf("state: encode receipts: %w", err)
	}
	hash := b.Hash()
	r := blockRecords{kvs: make([][2][]byte, 0, 4+len(b.Txs))}
	add := r.add
	add(prefixed(kBlock, hash), enc)
	add(prefixed(kReceipts, hash), rs)
	add(heightKey(b.Height()), hash[:])
	if seen != nil {
		sc, err := rlp.EncodeToBytes(seen)
		if err != nil {
			return blockRecords{}, fmt.Errorf("state: encode commit: %w", err)
		}
		add(commitKey(b.Height()), sc)
	}
	// The tx index: one allocation for all keys and one for all locations.
	keys := make([]byte, 33*len(b.Txs))
	locs := make([]byte, 12*len(b.Txs))
	for i, tx := range b.Txs {
		k, loc := keys[33*i:33*(i+1):33*(i+1)], locs[12*i:12*(i+1):12*(i+1)]
		k[0] = kTxIndex
		h := tx.Hash()
		copy(k[1:], h[:])
		binary.BigEndian.PutUint64(loc, b.Height())
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		add(k, loc)
	}
	return r, nil
}
