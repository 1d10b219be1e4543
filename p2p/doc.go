// Package p2p is taod's network transport: a libp2p host (TCP and QUIC,
// Noise, yamux) that gossips transactions, consensus messages and blocks, and
// serves and fetches ranges of blocks for sync. It holds no consensus logic:
// what a message means, and whether it is valid beyond its encoding, is asked
// of the node through Handlers.
//
// # Identity and chain binding
//
// The peer ID derives from the node's Ed25519 key (Config.NodeKey), so it is
// stable across restarts. Every protocol and topic name carries the first 8
// bytes of the genesis hash in hex, written <g> below, so two chains never
// share a topic:
//
//	/taod/<g>/hello/1     handshake (stream)
//	/taod/<g>/sync/1      block sync (stream)
//	/taod/<g>/txs/1       tx fetch for compact proposals (stream, txfetch.go)
//	/taod/<g>/tx          gossip: batches of transactions
//	/taod/<g>/consensus   gossip: consensus messages, one per gossip message
//	/taod/<g>/block       gossip: committed blocks
//
// On every new connection both sides open a hello stream and exchange a
// Hello {chain ID, genesis hash, head height, version} (one length-prefixed
// RLP frame each way). A peer with another genesis hash or chain ID is
// disconnected and banned for Config.WrongChainBan by the connection gater,
// which refuses it both inbound and for dialling; a peer that does not answer
// within HandshakeTimeout is disconnected. Peers lists only peers that
// passed; Status refreshes a peer's head height.
//
// # Gossip
//
// Gossipsub (go-libp2p-pubsub) with content-addressed message IDs and
// StrictNoSign: pubsub's own per-message Ed25519 signature is neither made nor
// accepted. Every payload authenticates itself (txs and votes are signed,
// blocks are proven by commits), and that envelope signature took half the
// CPU of a 4-node gossip benchmark (DESIGN.md §5). Scoring still works, since
// it blames the peer that delivered a message, not its author.
//
// Transactions travel in batches: BroadcastTx queues a tx, and a batcher
// publishes an RLP list of raw envelopes once it holds TxBatchMaxTxs (100),
// would exceed MaxTxBatchBytes, or TxBatchInterval (10 ms) after its first tx.
// A token bucket (TxBatchRate) paces publication; when it holds back, the
// queue fills and BroadcastTx returns ErrTxQueueFull, which is the only
// backpressure a node gets, since gossipsub itself drops what its queues
// cannot hold. Outbound, validation and subscription queues are all QueueSize,
// raised together.
//
// Consensus messages are opaque bytes, one per gossip message, never batched
// behind txs. The host prefixes each with an 8-byte publisher nonce so that
// re-broadcasting the same vote is a new gossip message (content-addressed IDs
// would otherwise drop it as a duplicate); handlers see the payload only and
// must deduplicate. Blocks are their canonical encoding.
//
// Our own messages are flood-published to every topic peer in good standing;
// others forward only through their gossipsub mesh, which forms at the first
// heartbeat (~100 ms) after peers meet. MeshPeers reports mesh sizes for
// health checks.
//
// Every message is validated before it is delivered or forwarded:
//
//	tx batch   size ≤ MaxTxBatchBytes, an RLP list of envelopes that each pass
//	           types.DecodeTx and Handlers.CheckTx; any Reject rejects the batch
//	consensus  size ≤ MaxConsensusMsgBytes, then Handlers.CheckConsensus
//	           (which may complete a compact proposal with FetchTxs from
//	           the relayer: validators run asynchronously, so a fetch holds
//	           one goroutine, not a validation worker)
//	block      size ≤ MaxBlockMsgBytes, types.DecodeBlock, chain ID, body
//	           matches header, then Handlers.CheckBlock
//
// Reject is for what no honest node forwards (bad encoding or signature,
// wrong chain); state-dependent failures (nonce already used, stale height,
// duplicate) are Ignore, which drops without blame. Ignored txs still cost a
// signature recovery each, so every peer has a budget of them
// (IgnoredTxRate per second, IgnoredTxBurst): a peer that has spent it has
// its tx batches dropped unchecked until it refills.
//
// # Peer scoring
//
// Each rejected message costs its sender 100 × n² score points (n: invalid
// messages, decaying with a ~70 s half-life), plus gossipsub's behaviour
// penalty for broken gossip promises and an IP-colocation penalty (loopback
// exempt). Below the gossip threshold we stop gossiping to a peer, below the
// publish threshold we stop publishing to it, and below the graylist
// threshold pubsub ignores it: the host then disconnects and bans it for
// BanDuration. About six invalid messages get a peer banned. The node bans
// peers for faults only it can see with Ban.
//
// # Bans and limits
//
// A ban (gossip score, malformed sync data, Ban) refuses the peer ID and,
// for inbound connections, the IPs it was connected from: a fresh peer ID
// costs nothing, a fresh IP does. In Config.SharedIPs (loopback by default,
// shared by local test nodes and process testnets) nothing is decided by IP:
// no IP ban, no per-IP connection limit. A wrong-chain ban and Block are by
// peer ID only. The bans metric's reason label takes only the values of
// BanReasons. libp2p's resource manager caps connections (MaxConns,
// MaxConnsPerIP per IPv4 address or IPv6 /56), streams per peer and memory;
// its connection manager trims to LowWater above HighWater.
//
// # Block sync
//
// A request-response stream: the client writes RLP([from, count]); the server
// answers with up to min(count, MaxSyncBlocks) length-prefixed
// RLP([block, commit]) records from its BlockSource, stopping at its head,
// at MaxSyncResponseBytes or at an error, then closes. FetchBlocks checks each
// record's form (canonical encodings, body against header, chain ID, the
// commit is for this block, heights consecutive, each block extends the one
// before and carries its commit) and bans the peer on a malformed response.
// It does not check commit signatures: the node verifies each commit against
// the validator set of its height (consensus.VerifyCommit) before applying, and
// bans the peer with Ban if one fails.
//
// Stalls fail fast: each frame must arrive within SyncFrameTimeout (and the
// whole response within SyncTimeout); the server waits at most 2 s for the
// request and SyncFrameTimeout for the client to take each frame. The server
// serves MaxSyncStreams requests at once, at most MaxSyncStreamsPerPeer of
// them for one peer, and SyncRequestRate per second per peer (burst
// SyncRequestBurst); beyond, the stream is reset. A timeout or reset is no
// ban: the caller (node's sync loop) scores the peer down and asks another.
//
// # Usage
//
//	h, err := p2p.New(cfg, p2p.Handlers{Blocks: src, CheckTx: ..., OnTxs: ...})
//	if err != nil { ... }
//	if err := h.Start(ctx); err != nil { h.Close(); ... }
//	defer h.Close()
//	h.BroadcastTx(tx)
//	h.PublishConsensus(ctx, msg)
//	blocks, err := h.FetchBlocks(ctx, peer, head+1, 256)
package p2p
