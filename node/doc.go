// Package node wires a taod node together and runs it: configuration, the
// store and chain, the txpool, the p2p host, the consensus driver, block
// sync, the JSON-RPC server and metrics, with their start and orderly
// shutdown. The consensus driver itself lives in node/driver; this package
// connects it to the world.
//
// Files:
//
//	node.go         New (open store, chain, pool, host, driver) and Run: one
//	                errgroup owns every goroutine (RPC, metrics, p2p, the
//	                driver loop, the sync loop, the block announcer) and Run
//	                returns when they have all stopped.
//	consensus.go    the driver's wiring: the consensus WAL, the transport
//	                (consensus messages and block announcements over p2p,
//	                with chaos faults), the hand-off of checked gossip.
//	commit.go       what follows a commit: txpool, metrics, logs, heads feed.
//	gossipcheck.go  the gossip gate: consensus messages are authenticated
//	                (signer in the set of their height, signature, round
//	                window, per-step value bounds) before pubsub relays them;
//	                announced blocks are only hints for sync.
//	sync.go         block sync: which peers to trust for how far, fetching
//	                ranges with hedging, batches handed to the driver.
//	syncstatus.go   what the sync loop tells RPC (eth_syncing, net_health).
//	compact.go      compact proposals: a proposal goes out with its txs'
//	                hashes; the gate resolves them from the pool or the
//	                decode cache and fetches the rest from the sender.
//	config.go, init.go, keys.go, limits.go, metrics.go, feed.go, backend.go
//	                configuration, key files, size limits, Prometheus metrics,
//	                the newHeads feed, the RPC backend.
//	chaos_*.go      fault switches, compiled only with -tags chaos.
//
// Data flow of consensus:
//
//	gossip ─▶ gossip gate (gossipcheck.go: decode once, authenticate, bound)
//	       ─▶ Driver.Offer (bounded inbox; dropped when full, rebroadcasts
//	          bring it again)
//	       ─▶ driver loop (node/driver: engine Step/Tick, then Ready in order:
//	          WAL append+fsync, broadcast, evidence pool, validate by
//	          executing, propose from the txpool, commit)
//	       ─▶ chain (driver.ChainApp: Execute, Commit) ─▶ store (one synced
//	          Pebble batch per block)
//	       ─▶ publish (the transport's announcer goroutine; the heads feed,
//	          metrics and txpool in afterCommit)
//
// Block sync runs beside it: the sync loop asks peers that claim to be ahead
// (a claim, not a fact: failures bench a peer, a bad commit bans it), and
// hands the driver batches of blocks with their commits, which the engine
// verifies against the set of each height before the chain applies them.
// The batch's answer (how far the head got, whether a commit was refused)
// comes back on a channel; no goroutine looks at another's queue length.
//
// The node reads the committed chain through chain.Chain (Head, BlockHash,
// and, for peers that sync from it, BlockByHeight and SeenCommit behind
// chainSource), never the store: it opens the store, lends it to the driver
// for node-local metadata, and closes it.
package node
