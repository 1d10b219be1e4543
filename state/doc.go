// Package state is taod's storage: the flat key/value state, its Merkle
// commitment, and the block, receipt and transaction-index store, all in one
// Pebble instance (cockroachdb/pebble/v2, opened with options for this data:
// see kv.go), so trie nodes and flat state share it.
//
// # Layout
//
//	s<key>          flat state: the latest value of every state key (reads)
//	<32-byte hash>  trie nodes (go-ethereum hash scheme), keyed by node hash
//	B<hash>         block RLP            H<height>  block hash at height
//	R<hash>         receipts RLP         T<txhash>  height(8) ‖ index(4)
//	C<height>       the commit that finalised the block at height
//	X<key>          node-local metadata outside the state root
//	Mhead           head height
//
// The state root is the root of a Merkle-Patricia trie (go-ethereum trie)
// mapping keccak256(key) → value for every flat key, so any value can be
// proven against a header's StateRoot.
//
// # Invariants
//
// A block, its receipts, its tx index, its state changes and the new trie
// nodes are written in one synced Pebble batch: after a crash the store holds
// exactly the blocks whose batch completed, and the flat state always equals
// the state at the head block. The trie is touched once per block, with only
// the keys the block changed, sorted.
//
// # Performance
//
// The trie, not Pebble, is the ceiling (DESIGN.md §2), and
// BenchmarkTransfers measures the store against it. What keeps a block
// close to it:
//   - reads: State.Get serves committed values from a cache of recent flat
//     values, and trie nodes come from a cache in front of Pebble (nodeDB);
//     both are written through when a block commits, so the next block finds
//     the accounts and trie paths it rewrites in memory;
//   - State.Prefetch reads a block's accounts and resolves their trie paths
//     on another core while the block executes, and Root adopts that trie;
//   - CommitBlock encodes the block's records while the trie commits.
//
// None of these changes a result: caches hold committed values only, and
// fills that race with a commit are dropped (flatCache.gen).
package state
