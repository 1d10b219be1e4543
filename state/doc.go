// Package state is taod's storage: the flat key/value state, its Merkle
// commitment, and the block, receipt and transaction-index store, all in one
// Pebble instance (through go-ethereum's ethdb/pebble, so trie nodes and flat
// state share it).
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
// nodes are written in one Pebble batch followed by a WAL sync: after a crash
// the store holds exactly the blocks whose batch completed, and the flat
// state always equals the state at the head block. The trie is touched once
// per block, with only the keys the block changed, sorted.
package state
