// Package state is taod's storage: the flat key/value state, its Merkle
// commitment, and the block, receipt and transaction-index store, all in one
// Pebble instance (cockroachdb/pebble/v2, opened with options for this data:
// see kv.go).
//
// # Layout
//
// keys.go lists every keyspace, what lives there and who writes it. In
// short: flat state under 's', trie nodes under 'n' (go-ethereum hash
// scheme, keyed by node hash), blocks 'B', receipts 'R', height index 'H',
// seen commits 'C', tx index 'T', node-local metadata 'X', the head and the
// store format under 'M', and, when Options.Index is set, the event
// indexes (index.go): events by address 'A' and per-UID epoch rows 'U',
// written in the block's own batch. Each keyspace owns its first byte, so a scan of
// one never meets another's keys. Stores written before format 1 (trie
// nodes under their bare hash) are migrated when opened (migrate.go).
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
