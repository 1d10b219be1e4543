// Package txpool holds the transactions waiting for a block, per sender in
// nonce order, and decides which ones a node admits and relays.
//
// A sender's txs from its account nonce on, without a gap, are pending
// (executable: a block can take them now); txs after a gap are queued. Only a
// tx that passes the stateful check enters: its nonce is not used and lies
// within AccountQueue of the sender's pending run, its fee follows the fee
// rule (chain.CheckFee, which dry-runs a fee-free call), and the sender's
// balance covers fee + tip + amount of all its pooled txs. The node relays
// what the pool admits and nothing else (gossip admission).
//
// Invariants, each kept under the pool's lock:
//   - pending ≤ GlobalSlots, queued ≤ GlobalQueue, memory held (Tx.MemSize,
//     the encoding and the decoded call) ≤ MaxBytes,
//     queued per sender ≤ AccountQueue;
//   - a tx is only ever evicted from the tail of its sender's nonces (its
//     highest nonce), so eviction never opens a gap in front of others; a tx
//     removed from the middle (definitively invalid) demotes the txs after it
//     to queued, where the lifetime rule ends them unless the gap fills;
//   - when full, an executable tx may evict queued txs (they are speculative:
//     no block can take them); otherwise a newcomer must pay a higher tip than
//     the tx it evicts, and the first AccountSlots pending txs of a sender are
//     never evicted for another sender's tx;
//   - at most one fee-free call per hotkey is pooled, and after one is
//     admitted the next waits out the chain's rate limit for that call.
//
// Admission control (admit.go): a locally submitted tx is refused early with
// ErrBusy while the pending txs exceed what the chain commits in a latency
// budget (Config.AdmitMs at its recent commit rate), so an overload meets a
// clear refusal instead of a queue seconds long. Gossiped txs are not
// refused by it.
//
// The pool is node-local and not consensus-critical: it reads the wall clock
// (through Config.Clock) for the queued lifetime.
//
// Usage:
//
//	p := txpool.New(cfg, chain)
//	err := p.AddLocal(tx)                          // RPC: may refuse with ErrBusy
//	err = p.Add(tx)                                // gossip
//	txs := p.Pending(chain.State(), maxTxs)        // the proposer
//	p.Update(chain.State(), block, rejected)       // after each block
package txpool
