// Package node wires a taod node together: configuration, the store and
// chain, the txpool, the block producer, the JSON-RPC server and metrics,
// and their orderly start and shutdown.
//
// A node with a validator key runs the Tendermint engine (consensus/)
// through the driver in bft.go: it persists its own votes to the WAL before
// sending them, proposes from the txpool (txpool/), validates proposals by
// executing them, and commits decided blocks. Every node follows peers that
// are ahead by block sync (sync.go), treating a peer's head as a claim.
// Consensus gossip is checked before it is relayed (gossipcheck.go): a
// message with a bad signature or from outside the set of its height is
// rejected, so gossipsub scores down its author, never an honest relayer.
package node
