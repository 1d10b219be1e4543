// Package driver runs the consensus engine (consensus.Engine, a pure state
// machine) against the world: it is the one loop that feeds the engine its
// inputs and does what each Ready asks, in the documented order. The node
// runs it in production and consensus/sim runs the same code under its
// simulated network, clock and crashes.
//
// Everything it touches is a small interface its caller provides:
//
//	App        the application: head, stored commits, validator sets,
//	           propose/validate/commit, node-local metadata. ChainApp is the
//	           production one (chain.Chain on its store, a txpool).
//	WAL        append+fsync, compact (consensus/wal.WAL).
//	Transport  broadcast an own message; announce a block decided live.
//	Clock      wall time in ms for block times, and a ticker (RealClock).
//
// Inputs, single-threaded (the simulator calls these directly):
//
//	Tick     one engine tick (TickInterval of wall time under Run)
//	Deliver  a peer's message (an ErrRefused error is the engine's verdict)
//	Decide   a block and commit finalised elsewhere (block sync)
//	Flush    what the engine has to say right after Open (restored votes)
//
// After each input the driver drains the engine's Ready:
//
//  1. Persist: own signed messages go to the WAL, fsynced, before anything
//     is sent; a WAL error stops the driver (it cannot vote safely).
//  2. Broadcast through the Transport.
//  3. Evidence into the pool (evidence.go): one offence per validator and
//     height, bounded, pruned when a block carries it or it is too old.
//  4. ToValidate: App.Validate executes the proposal; Validated goes back in.
//  5. NeedProposal: App.Propose builds a block with the pool's evidence.
//  6. Commit: App.Commit stores the block, then the set of the next height
//     is saved with its priorities (valset.go), the WAL compacted now and
//     then, a live decision announced, and the engine started on the next
//     height.
//
// Run is the goroutine form: it owns the ticker, a bounded inbox (Offer) and
// a channel of synced batches (Sync, answered with a BatchResult), and
// returns when its ctx ends. It stores no ctx and starts no goroutines.
//
// Proposer priorities are not chain state; valset.go documents how they are
// kept (MetaSet) and replayed, and why a saved set that does not decode is an
// error rather than a reason to guess.
package driver
