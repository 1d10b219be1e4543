package state

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/ethereum/go-ethereum/ethdb"
)

// kvStore is the Pebble instance under a Store, opened with options chosen
// for what taod writes: every block adds a few MB of keys that are never
// overwritten (trie nodes under the hash scheme, blocks, receipts, the tx
// index), so the cost that grows with load is flushing and compacting them,
// and the values are mostly hashes and signatures, which do not compress.
type kvStore struct {
	db *pebble.DB

	// Pebble panics on use after Close; a reader may still be running when
	// the store closes (a prefetch, an RPC call), so every use holds mu and
	// finds closed instead.
	mu struct {
		sync.RWMutex
		closed bool
	}
}

// memTableStop is how many memtables (the mutable one and those queued for
// flushing) Pebble may hold before it stalls writes: with o.MemTableMB,
// the most memtable memory a Store takes.
const memTableStop = 4

func openKV(dir string, o Options) (*kvStore, error) {
	cache := pebble.NewCache(int64(o.CacheMB) << 20)
	defer cache.Unref() // the DB holds its own reference
	noCompression := func() *sstable.CompressionProfile { return sstable.NoCompression }
	opts := &pebble.Options{
		Cache:        cache,
		MaxOpenFiles: o.Handles,
		// A block's batch (3-4 MB at 10,000 transfers) goes into a memtable
		// this size rather than becoming a flushable batch, and so an L0
		// file, of its own; the flat keys a run of blocks rewrites are
		// flushed once.
		MemTableSize:                uint64(o.MemTableMB) << 20,
		MemTableStopWritesThreshold: memTableStop,
		// As go-ethereum's ethdb/pebble, which stores the same kind of data:
		// compact L0 early, bloom filters above the last level, larger
		// files, no read-triggered compactions.
		L0CompactionThreshold:      2,
		CompactionConcurrencyRange: func() (int, int) { return 1, runtime.NumCPU() },
		TargetFileSizes: [7]int64{
			16 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20, 128 << 20,
		},
		FormatMajorVersion: pebble.FormatFlushableIngest, // what go-ethereum's wrapper created
		ReadOnly:           o.ReadOnly,
		Logger:             pebbleLogger{o.Logger},
	}
	for i := range opts.Levels {
		if i < len(opts.Levels)-1 {
			opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		}
		// Hashes and signatures do not compress: snappy would only cost
		// CPU in every flush and compaction.
		opts.Levels[i].Compression = noCompression
	}
	opts.Experimental.ReadSamplingMultiplier = -1
	if o.FS != nil {
		opts.FS = o.FS
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	return &kvStore{db: db}, nil
}

// Logger receives Pebble's messages: flushes and compactions at debug,
// background errors (a failed compaction, a disk error) at error.
// *zap.SugaredLogger is one.
type Logger interface {
	Debugf(format string, args ...any)
	Errorf(format string, args ...any)
}

// pebbleLogger adapts a Logger; without one, informational messages are
// dropped and errors go to standard error. A fatal message means corruption
// or a broken invariant: it is logged, then the store panics.
type pebbleLogger struct{ l Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l != nil {
		p.l.Debugf("pebble: "+format, args...)
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	if p.l != nil {
		p.l.Errorf("pebble: "+format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, "state: pebble: "+format+"\n", args...)
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	p.Errorf(format, args...)
	panic(fmt.Errorf("state: pebble: "+format, args...))
}

// Close closes the database; later uses fail with pebble.ErrClosed.
func (kv *kvStore) Close() error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.mu.closed {
		return nil
	}
	kv.mu.closed = true
	return kv.db.Close()
}

// Get returns a copy of key's value; a missing key is pebble.ErrNotFound.
func (kv *kvStore) Get(key []byte) ([]byte, error) {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	if kv.mu.closed {
		return nil, pebble.ErrClosed
	}
	return getCopy(kv.db.Get, key)
}

// getCopy reads key with get (a DB's or a snapshot's) and returns a copy
// of the value, which Pebble only lends until its closer is closed.
func getCopy(get func([]byte) ([]byte, io.Closer, error), key []byte) ([]byte, error) {
	v, closer, err := get(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out, closer.Close()
}

// Put writes one key without syncing: the next synced write (a block's
// batch) makes it durable.
func (kv *kvStore) Put(key, value []byte) error {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	if kv.mu.closed {
		return pebble.ErrClosed
	}
	return kv.db.Set(key, value, pebble.NoSync)
}

// kvBatch collects writes that Write applies atomically.
type kvBatch struct {
	kv *kvStore
	b  *pebble.Batch
}

// newBatch returns an empty batch with room for size bytes.
func (kv *kvStore) newBatch(size int) *kvBatch {
	return &kvBatch{kv: kv, b: kv.db.NewBatchWithSize(size)}
}

func (b *kvBatch) Put(k, v []byte) { b.b.Set(k, v, nil) }
func (b *kvBatch) Delete(k []byte) { b.b.Delete(k, nil) }

// Write applies the batch atomically and releases it; with sync, it returns
// once the write is on disk (the WAL fsynced).
func (b *kvBatch) Write(sync bool) error {
	defer b.b.Close()
	b.kv.mu.RLock()
	defer b.kv.mu.RUnlock()
	if b.kv.mu.closed {
		return pebble.ErrClosed
	}
	opts := pebble.NoSync
	if sync {
		opts = pebble.Sync
	}
	return b.b.Commit(opts)
}

// NewIterator iterates in key order over the keys with prefix, from
// prefix+start (ethdb.Iteratee's contract).
//
// An iterator must be released before the store is closed.
func (kv *kvStore) NewIterator(prefix, start []byte) ethdb.Iterator {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	if kv.mu.closed {
		return &kvIterator{err: pebble.ErrClosed}
	}
	return openIterator(kv.db.NewIter, prefix, start)
}

// openIterator opens an iterator with newIter (a DB's or a snapshot's) over
// the keys with prefix, from prefix+start.
func openIterator(newIter func(*pebble.IterOptions) (*pebble.Iterator, error), prefix, start []byte) ethdb.Iterator {
	// No lower bound is nil, not an empty slice: Pebble's invariant checks
	// (on under -race) read lower[0] of any non-nil bound and panic.
	var lower []byte
	if len(prefix)+len(start) > 0 {
		lower = append(append([]byte{}, prefix...), start...)
	}
	iter, err := newIter(&pebble.IterOptions{
		LowerBound: lower,
		UpperBound: upperBound(prefix),
	})
	if err != nil {
		return &kvIterator{err: err}
	}
	iter.First()
	return &kvIterator{iter: iter, first: true}
}

// upperBound is the smallest key above every key with prefix; nil if none.
func upperBound(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if c := prefix[i]; c < 0xff {
			limit := append([]byte{}, prefix[:i+1]...)
			limit[i] = c + 1
			return limit
		}
	}
	return nil
}

type kvIterator struct {
	iter     *pebble.Iterator
	err      error
	first    bool // positioned on the first key, which Next must not skip
	released bool
}

func (it *kvIterator) Next() bool {
	if it.iter == nil || it.released {
		return false
	}
	if it.first {
		it.first = false
		return it.iter.Valid()
	}
	return it.iter.Next()
}

func (it *kvIterator) Error() error {
	if it.iter == nil {
		return it.err
	}
	return it.iter.Error()
}

func (it *kvIterator) Key() []byte {
	if it.iter == nil || it.released || !it.iter.Valid() {
		return nil
	}
	return it.iter.Key()
}

func (it *kvIterator) Value() []byte {
	if it.iter == nil || it.released || !it.iter.Valid() {
		return nil
	}
	return it.iter.Value()
}

func (it *kvIterator) Release() {
	if it.iter != nil && !it.released {
		it.iter.Close()
		it.released = true
	}
}
