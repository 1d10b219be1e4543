package state

import (
	"fmt"
	"sync"

	"github.com/VictoriaMetrics/fastcache"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/triedb/database"

	"github.com/taonet/taod/types"
)

// kvReader is the read side of the store's key/value database.
type kvReader interface {
	Get(key []byte) ([]byte, error)
}

// nodeDB serves trie nodes (hash scheme: keyed by their keccak256) to
// go-ethereum's trie from a cache in front of Pebble. It plays the part of
// go-ethereum's hashdb without its dirty-node layer, which taod does not use:
// CommitBlock writes the nodes a block creates in the block's own batch and
// then adds them here (write-through), so the next block finds the paths it
// rewrites in memory instead of in Pebble's memtables and files.
type nodeDB struct {
	kv    kvReader
	clean *fastcache.Cache // node hash → node blob; safe for concurrent use
}

func newNodeDB(kv kvReader, cacheBytes int) *nodeDB {
	return &nodeDB{kv: kv, clean: fastcache.New(cacheBytes)}
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
	if blob := d.clean.Get(nil, hash[:]); len(blob) != 0 {
		return blob
	}
	blob, _ := d.kv.Get(hash[:])
	if len(blob) != 0 {
		// A node's content is its hash: a value read here can never be
		// stale, so there is no race with commits to guard against.
		d.clean.Set(hash[:], blob)
	}
	return blob
}

// written adds nodes that are now on disk.
func (d *nodeDB) written(nodes []trieNode) {
	for _, n := range nodes {
		d.clean.Set(n.hash[:], n.blob)
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
	c  *fastcache.Cache // state key → value; an empty value records an unset key

	mu struct {
		sync.Mutex
		gen uint64 // commits written through so far
	}
}

func newFlatCache(kv kvReader, cacheBytes int) *flatCache {
	return &flatCache{kv: kv, c: fastcache.New(cacheBytes)}
}

// get returns the committed value of key, nil when unset.
func (f *flatCache) get(key []byte) []byte {
	if v, ok := f.c.HasGet(nil, key); ok {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	f.mu.Lock()
	gen := f.mu.gen
	f.mu.Unlock()
	v, _ := f.kv.Get(flatKey(string(key)))
	f.mu.Lock()
	if f.mu.gen == gen {
		f.c.Set(key, v)
	}
	f.mu.Unlock()
	return v
}

// written records the values a commit has written.
func (f *flatCache) written(keys []string, dirty map[string][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mu.gen++
	for _, k := range keys {
		f.c.Set([]byte(k), dirty[k])
	}
}

func (f *flatCache) close() { f.c.Reset() }
