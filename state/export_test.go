package state

import (
	"fmt"

	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/trie/trienode"

	"github.com/taonet/taod/types"
)

// RawTrieCommit is the ceiling the transfer benchmark measures taod against:
// it applies keccak256(keys[i]) → vals[i] in the given order straight to the
// go-ethereum trie at root, through the store's own trie-node database (and
// so its cache), commits it once, and writes the new nodes in one synced
// batch, as CommitBlock does. No flat keys, blocks, receipts or head are
// written, so the store's head does not move: use a store of its own.
func RawTrieCommit(s *Store, root types.Hash, keys, vals [][]byte) (types.Hash, error) {
	tr, err := trie.New(trie.TrieID(root), s.triedb)
	if err != nil {
		return types.Hash{}, err
	}
	for i, k := range keys {
		hk := types.Keccak256(k)
		if err := tr.Update(hk[:], vals[i]); err != nil {
			return types.Hash{}, err
		}
	}
	newRoot, set := tr.Commit(false)
	var (
		nodes []trieNode
		size  int
	)
	if set != nil {
		set.ForEachWithOrder(func(_ string, n *trienode.Node) {
			if !n.IsDeleted() {
				nodes = append(nodes, trieNode{n.Hash, n.Blob})
				size += len(n.Blob) + 32
			}
		})
	}
	batch := s.kv.newBatch(size)
	for _, n := range nodes {
		batch.Put(nodeKey(n.hash), n.blob)
	}
	if err := batch.Write(!s.opts.NoSyncDisk); err != nil {
		return types.Hash{}, fmt.Errorf("raw trie: write: %w", err)
	}
	s.triedb.written(nodes)
	return newRoot, nil
}

// FlushMemtables writes Pebble's memtables to files, as a long-running node
// has done for all but its latest writes (benchmark setup).
func FlushMemtables(s *Store) error { return s.kv.db.Flush() }

// PruneKeys derives the deletions that prune block h's index entries, as
// a commit does, without writing them; it returns how many keys.
func PruneKeys(s *Store, h uint64) (int, error) {
	var r blockRecords
	return s.pruneHeight(h, &r)
}
