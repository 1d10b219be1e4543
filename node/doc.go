// Package node wires a taod node together: configuration, the store and
// chain, the txpool, the block producer, the JSON-RPC server and metrics,
// and their orderly start and shutdown.
//
// Until the BFT engine lands, a node with a validator key is the chain's only
// validator: it produces a block every block_time_ms, finalises it with its
// own precommit (a one-signature commit) and commits it. Without a validator
// key it serves the store read-only.
package node
