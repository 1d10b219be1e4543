package state

import (
	"errors"
	"fmt"
	"sync"

	"github.com/VictoriaMetrics/fastcache"
	"github.com/cockroachdb/pebble/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/triedb/database"

	"github.com/taonet/taod/types"
)

// kvReader is the read side of the store's key/value database.
type kvReader interface {
	Get(key []byte) ([]byte, error)
}

// readValue reads key, nil when it is absent. ok is false when the store is
// closing (the caller answers "absent" without caching it). Any other read
// error means the database is damaged or the disk failing: the value is
// unknown, and executing on as if it were unset would commit a wrong
// state, so it panics with the cause. (The RPC server turns a panic in a
// call into an error reply; in block execution it stops the node.)
func readValue(kv kvReader, key []byte) (v []byte, ok bool) {
	v, err := kv.Get(key)
	switch {
	case err == nil:
		return v, true
	case errors.Is(err, pebble.ErrNotFound):
		return nil, true
	case errors.Is(err, pebble.ErrClosed):
		return nil, false
	}
	panic(fmt.Sprintf("state: read %x: %v (the database is damaged: restore it from a backup or resync)", key, err))
}

// nodeDB serves trie nodes (hash scheme: stored under 'n' ‖ keccak256) to
// go-ethereum's trie from a cache in front of Pebble. It plays the part of
// go-ethereum's hashdb without its dirty-node layer, which taod does not use:
// CommitBlock writes the nodes a block creates in the block's own batch and
// then adds them here (write-through), so the next block finds the paths it
// rewrites in memory instead of in Pebble's memtables and files.
type nodeDB struct {
	kv    kvReader
	clean *fastcache.Cache // shared: nodeCacheKey(hash) → node blob; safe for concurrent use
}

// The trie-node and flat-value caches share one fastcache: fastcache never
// holds less than 32 MB once full, so two caches cost at least 64 MB of RSS
// where one shared 32 MB cache serves both (docs/notes/memory.md). Each side
// prefixes its keys, so a state key can never be read as a node hash or the
// other way round, whatever bytes a state key holds.
const (
	nodeCachePrefix = 'n'
	flatCachePrefix = 'f'
)

// newStateCache returns the cache the trie nodes and flat values share.
func newStateCache(cacheBytes int) *fastcache.Cache { return fastcache.New(cacheBytes) }

// nodeCacheKey is hash's key in the shared cache.
func nodeCacheKey(hash common.Hash) [1 + common.HashLength]byte {
	var k [1 + common.HashLength]byte
	k[0] = nodeCachePrefix
	copy(k[1:], hash[:])
	return k
}

// flatCacheKey appends key's name in the shared cache to buf.
func flatCacheKey[K string | []byte](buf []byte, key K) []byte {
	return append(append(buf, flatCachePrefix), key...)
}

func newNodeDB(kv kvReader, cache *fastcache.Cache) *nodeDB {
	return &nodeDB{kv: kv, clean: cache}
}

// NodeReader implements database.NodeDatabase. Every state whose root node
// is stored is readable: the hash scheme keeps all versions.
func (d *nodeDB) NodeReader(root common.Hash) (database.NodeReader, error) {
	if root != types.EmptyRoot && d.node(root) == nil {
		return nil, fmt.Errorf("state %s is not available", root)
	}
	return d, nil
}

// Node implements database.NodeReader; a missing node is (nil, nil).
func (d *nodeDB) Node(_ common.Hash, _ []byte, hash common.Hash) ([]byte, error) {
	return d.node(hash), nil
}

func (d *nodeDB) node(hash common.Hash) []byte {
	if hash == (common.Hash{}) {
		return nil
	}
	k := nodeCacheKey(hash)
	if blob := d.clean.Get(nil, k[:]); len(blob) != 0 {
		return blob
	}
	blob, ok := readValue(d.kv, nodeKey(hash))
	if ok && len(blob) != 0 {
		// A node's content is its hash: a value read here can never be
		// stale, so there is no race with commits to guard against.
		d.clean.Set(k[:], blob)
	}
	return blob
}

// written adds nodes that are now on disk.
func (d *nodeDB) written(nodes []trieNode) {
	for _, n := range nodes {
		k := nodeCacheKey(n.hash)
		d.clean.Set(k[:], n.blob)
	}
}

func (d *nodeDB) close() { d.clean.Reset() }

// flatCache holds recently read and written flat values (the latest state,
// as the flat keys in Pebble hold it) so that executing a block rarely
// reaches Pebble for an account touched lately. CommitBlock writes each
// block's values through once its batch is written; readers fill it on a
// miss, and gen keeps a fill that raced with a commit from caching the value
// the commit replaced.
type flatCache struct {
	kv kvReader
	c  *fastcache.Cache // shared: flatCacheKey(state key) → value; an empty value records an unset key

	mu struct {
		sync.Mutex
		gen uint64 // commits written through so far
	}
}

func newFlatCache(kv kvReader, cache *fastcache.Cache) *flatCache {
	return &flatCache{kv: kv, c: cache}
}

// get returns the committed value of key, nil when unset.
func (f *flatCache) get(key []byte) []byte {
	var buf [64]byte
	ck := flatCacheKey(buf[:0], key)
	if v, ok := f.c.HasGet(nil, ck); ok {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	f.mu.Lock()
	gen := f.mu.gen
	f.mu.Unlock()
	v, ok := readValue(f.kv, flatKey(string(key)))
	if !ok {
		return nil
	}
	f.mu.Lock()
	if f.mu.gen == gen {
		f.c.Set(ck, v)
	}
	f.mu.Unlock()
	return v
}

// written records the values a commit has written.
func (f *flatCache) written(keys []string, dirty map[string][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mu.gen++
	var buf [64]byte
	for _, k := range keys {
		f.c.Set(flatCacheKey(buf[:0], k), dirty[k])
	}
}

func (f *flatCache) close() { f.c.Reset() }
