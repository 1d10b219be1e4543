package state

import (
	"encoding/binary"

	"github.com/taonet/taod/types"
)

// The store's key layout: every key in the Pebble instance begins with one
// of these bytes, and each byte is one keyspace with one writer. No two
// keyspaces share a first byte, so a scan bounded to [p, p+1) can only ever
// meet keys of keyspace p: a prefix scan is bounded by construction, not by
// the luck of what other keyspaces happen to hold.
//
//	byte  keyspace      key after the byte   value                        written by
//	's'   flat state    state key            latest value at the head     CommitBlock
//	'n'   trie nodes    node hash (32)       node blob (hash scheme)      CommitBlock
//	'B'   blocks        block hash (32)      block encoding               CommitBlock
//	'R'   receipts      block hash (32)      RLP([]Receipt)               CommitBlock
//	'H'   height index  height (8, BE)       block hash                   CommitBlock
//	'C'   seen commits  height (8, BE)       RLP(Commit) of that height   CommitBlock
//	'T'   tx index      tx hash (32)         height(8) ‖ index(4)         CommitBlock
//	'X'   node-local    metadata name        opaque (outside the root)    PutMeta
//	'A'   address index address ‖ event ref   nil, or an incentive (index.go) CommitBlock, Options.Index
//	'U'   epoch rows    netuid ‖ uid ‖ height EpochRow (index.go)          CommitBlock, Options.Index
//	'J'   index journal height (8, BE)       the owners of that block's   CommitBlock, Options.Index
//	                                         epoch rows (index_prune.go)
//	'M'   store records "head", "format",    head height(8); format(1);   CommitBlock; Open
//	                    "indexfrom",         first indexed height(8)      CommitBlock
//	                    "indexfloor"         first unpruned height(8)     CommitBlock, Options.IndexKeep
//
// Format 0 (every store before format 1 was written) kept trie nodes under
// their raw 32-byte hash with no prefix, so they fell inside whatever
// keyspace their hash's first byte named, 's' included: a flat-state scan
// read them as state entries. Open moves them under 'n' (migrate.go).
const (
	kFlat     = 's'
	kNode     = 'n'
	kBlock    = 'B'
	kReceipts = 'R'
	kHeight   = 'H'
	kCommit   = 'C'
	kTxIndex  = 'T'
	kMeta     = 'X'
	kStore    = 'M'
	kIndexLog = 'J'
)

// keyspaces lists every first byte above: the layout test plants keys in
// each to prove no scan crosses into another.
var keyspaces = []byte{kFlat, kNode, kBlock, kReceipts, kHeight, kCommit, kTxIndex, kMeta, kStore, kAddrIndex, kEpochRows, kIndexLog}

var (
	headKey   = []byte{kStore, 'h', 'e', 'a', 'd'} // "Mhead", as format 0 wrote it
	formatKey = []byte{kStore, 'f', 'o', 'r', 'm', 'a', 't'}
)

// storeFormat is the layout this code reads and writes: 1 = trie nodes
// under 'n'.
const storeFormat = 1

func flatKey(k string) []byte { return append([]byte{kFlat}, k...) }

func nodeKey(h types.Hash) []byte { return append([]byte{kNode}, h[:]...) }

func metaKey(k string) []byte { return append([]byte{kMeta}, k...) }

func heightKey(h uint64) []byte { return heightRecordKey(kHeight, h) }

func commitKey(h uint64) []byte { return heightRecordKey(kCommit, h) }

func heightRecordKey(p byte, h uint64) []byte {
	k := make([]byte, 9)
	k[0] = p
	binary.BigEndian.PutUint64(k[1:], h)
	return k
}

func prefixed(p byte, h types.Hash) []byte { return append([]byte{p}, h[:]...) }
