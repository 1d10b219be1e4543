package p2p

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/taonet/taod/types"
)

// DefaultPort is the p2p port of DESIGN.md §6.
const DefaultPort = 30333

// Config configures a Host. Zero fields take the defaults of DefaultConfig
// (EnsureDefaults); NodeKey and GenesisHash have no default.
type Config struct {
	// ListenAddrs are multiaddrs to listen on: TCP and QUIC on :30333 by default.
	ListenAddrs []string
	// Bootstrap peers are multiaddrs ending in /p2p/<peer ID>. They are dialled
	// at Start and re-dialled every BootstrapInterval while not connected.
	Bootstrap         []string
	BootstrapInterval time.Duration

	// NodeKey is the Ed25519 identity; the peer ID derives from it, so it is
	// stable across restarts (node.LoadOrCreateNodeKey).
	NodeKey ed25519.PrivateKey

	// ChainID and GenesisHash identify the chain. The genesis hash is bound
	// into every topic and protocol name and checked in the handshake.
	ChainID     uint64
	GenesisHash types.Hash
	// Version is the software version told to peers (informational).
	Version string

	// LowWater and HighWater bound the connection manager: above HighWater it
	// trims connections down to LowWater (new ones are safe for GracePeriod).
	LowWater, HighWater int
	GracePeriod         time.Duration
	// MaxConns and MaxStreamsPerPeer are hard limits of libp2p's resource
	// manager; MaxMemory caps the memory it lets the host reserve.
	MaxConns          int
	MaxStreamsPerPeer int
	MaxMemory         int64

	// Blocks bounds the largest valid block and proof of lock of the chain;
	// when set, DeriveBlockLimits sets the limits below from it and Validate
	// refuses limits that could not carry such a block.
	Blocks BlockLimits

	// Maximum sizes of gossip messages, per topic. Larger ones are rejected and
	// count against the sender's score.
	MaxTxBatchBytes      int
	MaxConsensusMsgBytes int
	MaxBlockMsgBytes     int

	// A tx batch is published once it holds TxBatchMaxTxs transactions, would
	// exceed MaxTxBatchBytes, or TxBatchInterval after its first transaction.
	TxBatchMaxTxs   int
	TxBatchInterval time.Duration
	// TxQueueSize bounds the transactions waiting to be batched; BroadcastTx
	// returns ErrTxQueueFull beyond it.
	TxQueueSize int

	// Publish rate limits (token buckets): batches per second for txs,
	// messages per second for consensus and blocks. Gossipsub itself only
	// pushes back by dropping, so the node must not outrun its peers.
	TxBatchRate    float64
	ConsensusRate  float64
	ConsensusBurst int

	// QueueSize is used for gossipsub's per-peer outbound queue, its
	// validation queue and each subscription's buffer: raised together, as one
	// too small drops what the others let through (DESIGN.md §5).
	QueueSize int

	// Block sync limits: blocks per request, bytes per response, time per
	// request; MaxSyncStreams bounds the requests served at once.
	MaxSyncBlocks        int
	MaxSyncResponseBytes int
	SyncTimeout          time.Duration
	MaxSyncStreams       int
	// MaxSyncStreamsPerPeer bounds the requests served at once to one peer,
	// so that one peer (say, with half-sent requests) cannot hold every slot;
	// SyncRequestRate and SyncRequestBurst are a token bucket of requests per
	// second per peer. A request beyond either is reset, not answered.
	MaxSyncStreamsPerPeer int
	SyncRequestRate       float64
	SyncRequestBurst      int
	// IgnoredTxRate and IgnoredTxBurst are a token bucket, per peer, of the
	// gossiped txs we check and do not admit (no balance, already committed,
	// pool full, ...). Such a tx costs no score (an honest peer at another
	// height sends some), but it costs a signature recovery; once a peer's
	// budget is spent, its tx batches are dropped unchecked until it refills.
	IgnoredTxRate  float64
	IgnoredTxBurst int
	// SyncFrameTimeout bounds the wait for each sync frame: the client's for
	// the next block of a response, the server's for the request and for
	// each block it writes. A stalled stream fails after it, not after the
	// whole SyncTimeout.
	SyncFrameTimeout time.Duration

	// Tx fetch (txfetch.go): hashes per request (at least the chain's
	// MaxBlockTxs, or a proposal whose txs are all missing cannot be
	// completed), bytes per response, time per exchange, requests served at
	// once in all, and a token bucket of requests per second per peer (each
	// peer also gets one request served at a time).
	MaxFetchTxs           int
	MaxFetchResponseBytes int
	FetchTimeout          time.Duration
	MaxFetchStreams       int
	FetchRequestRate      float64
	FetchRequestBurst     int

	// MaxConnsPerIP bounds the connections from one IPv4 address or IPv6
	// /56 (libp2p's resource manager), outside SharedIPs.
	MaxConnsPerIP int
	// SharedIPs are CIDR prefixes where many nodes share one address, so
	// nothing is decided by IP there: no per-IP connection limit, and a ban
	// covers the peer ID only (elsewhere it also covers the peer's IP for
	// inbound connections). nil: loopback, where local test nodes and process
	// testnets live; an empty list makes no exception.
	SharedIPs []string

	// HandshakeTimeout bounds the hello exchange with a new peer.
	HandshakeTimeout time.Duration
	// BanDuration is how long a misbehaving peer (invalid gossip, malformed
	// sync responses) is refused; WrongChainBan is how long a peer on another
	// chain is refused.
	BanDuration   time.Duration
	WrongChainBan time.Duration
	// ScoreInspectInterval is how often gossipsub scores are checked to drop
	// peers below the graylist threshold.
	ScoreInspectInterval time.Duration

	// Logger receives the host's logs; nil discards them.
	Logger *zap.Logger
	// Metrics, when set, receives the host's Prometheus series.
	Metrics prometheus.Registerer
}

// DefaultConfig returns the defaults; NodeKey, ChainID and GenesisHash are
// left for the caller.
func DefaultConfig() Config {
	return Config{
		ListenAddrs: []string{
			fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", DefaultPort),
			fmt.Sprintf("/ip4/0.0.0.0/udp/%d/quic-v1", DefaultPort),
		},
		BootstrapInterval: 10 * time.Second,
		Version:           "taod",

		LowWater:          32,
		HighWater:         64,
		GracePeriod:       20 * time.Second,
		MaxConns:          256,
		MaxStreamsPerPeer: 512,
		MaxMemory:         256 << 20,

		MaxTxBatchBytes:      256 << 10,
		MaxConsensusMsgBytes: 4 << 20,
		MaxBlockMsgBytes:     4 << 20,

		TxBatchMaxTxs:   100,
		TxBatchInterval: 10 * time.Millisecond,
		TxQueueSize:     20_000,

		TxBatchRate:    500,
		ConsensusRate:  2000,
		ConsensusBurst: 500,

		QueueSize: 4096,

		MaxSyncBlocks:        256,
		MaxSyncResponseBytes: 64 << 20,
		SyncTimeout:          30 * time.Second,
		MaxSyncStreams:       16,

		MaxSyncStreamsPerPeer: 2,
		SyncRequestRate:       10,
		SyncRequestBurst:      20,
		SyncFrameTimeout:      10 * time.Second,
		IgnoredTxRate:         200,
		IgnoredTxBurst:        2_000,
		MaxConnsPerIP:         8,

		MaxFetchTxs:           20_000,
		MaxFetchResponseBytes: 4 << 20,
		FetchTimeout:          2 * time.Second,
		MaxFetchStreams:       32,
		FetchRequestRate:      20,
		FetchRequestBurst:     40,

		HandshakeTimeout:     5 * time.Second,
		BanDuration:          time.Hour,
		WrongChainBan:        24 * time.Hour,
		ScoreInspectInterval: time.Second,
	}
}

// BlockLimits are the sizes a valid chain's messages are made of: the
// largest encoded block and the most votes in a proof of lock or a commit.
// The chain's code bounds give them (chain.MaxEncodedBlockSize,
// chain.MaxBFTValidatorsLimit), not parameters in force, so no governance
// change can make a valid block larger than a limit derived from them.
type BlockLimits struct {
	MaxBlockBytes int
	MaxVotes      int
}

// proposalOverhead bounds what a proposal message adds to its block and its
// proof-of-lock votes: the kind byte, list and string headers and the signed
// proposal (heights, rounds, hash, proposer, 65-byte signature).
const proposalOverhead = 1 + 9 + (9 + 9 + 5 + 5 + 33 + 21 + 67) + 9 + 9

// ConsensusMsgBytes is the largest consensus message: a proposal with the
// largest block and a proof of lock of MaxVotes prevotes.
func (l BlockLimits) ConsensusMsgBytes() int {
	return proposalOverhead + l.MaxBlockBytes + l.MaxVotes*types.MaxVoteSize
}

// SyncRecordBytes is the largest sync record: the largest block and its
// commit of MaxVotes signatures, with the record's list and string headers.
func (l BlockLimits) SyncRecordBytes() int {
	return 9 + 9 + l.MaxBlockBytes + types.MaxCommitSize(l.MaxVotes) + 9
}

// DeriveBlockLimits sets l as c.Blocks and the limits of every message that
// carries a block from it: consensus messages (a proposal with its proof of
// lock), block announcements and sync responses (at least one record).
func (c *Config) DeriveBlockLimits(l BlockLimits) {
	c.Blocks = l
	c.MaxConsensusMsgBytes = l.ConsensusMsgBytes()
	c.MaxBlockMsgBytes = l.MaxBlockBytes
	c.MaxSyncResponseBytes = max(c.MaxSyncResponseBytes, l.SyncRecordBytes())
	// A fetch completes one proposal: at most a block's bytes.
	c.MaxFetchResponseBytes = max(c.MaxFetchResponseBytes, l.MaxBlockBytes)
}

// EnsureDefaults fills zero fields with DefaultConfig's values.
func (c *Config) EnsureDefaults() {
	d := DefaultConfig()
	if c.ListenAddrs == nil {
		c.ListenAddrs = d.ListenAddrs
	}
	if c.Version == "" {
		c.Version = d.Version
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	setDur := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	setInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setFloat := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setDur(&c.BootstrapInterval, d.BootstrapInterval)
	setInt(&c.LowWater, d.LowWater)
	setInt(&c.HighWater, d.HighWater)
	setDur(&c.GracePeriod, d.GracePeriod)
	setInt(&c.MaxConns, d.MaxConns)
	setInt(&c.MaxStreamsPerPeer, d.MaxStreamsPerPeer)
	if c.MaxMemory == 0 {
		c.MaxMemory = d.MaxMemory
	}
	setInt(&c.MaxTxBatchBytes, d.MaxTxBatchBytes)
	setInt(&c.MaxConsensusMsgBytes, d.MaxConsensusMsgBytes)
	setInt(&c.MaxBlockMsgBytes, d.MaxBlockMsgBytes)
	setInt(&c.TxBatchMaxTxs, d.TxBatchMaxTxs)
	setDur(&c.TxBatchInterval, d.TxBatchInterval)
	setInt(&c.TxQueueSize, d.TxQueueSize)
	setFloat(&c.TxBatchRate, d.TxBatchRate)
	setFloat(&c.ConsensusRate, d.ConsensusRate)
	setInt(&c.ConsensusBurst, d.ConsensusBurst)
	setInt(&c.QueueSize, d.QueueSize)
	setInt(&c.MaxSyncBlocks, d.MaxSyncBlocks)
	setInt(&c.MaxSyncResponseBytes, d.MaxSyncResponseBytes)
	setDur(&c.SyncTimeout, d.SyncTimeout)
	setInt(&c.MaxSyncStreams, d.MaxSyncStreams)
	setInt(&c.MaxSyncStreamsPerPeer, d.MaxSyncStreamsPerPeer)
	setFloat(&c.SyncRequestRate, d.SyncRequestRate)
	setInt(&c.SyncRequestBurst, d.SyncRequestBurst)
	setDur(&c.SyncFrameTimeout, d.SyncFrameTimeout)
	setFloat(&c.IgnoredTxRate, d.IgnoredTxRate)
	setInt(&c.IgnoredTxBurst, d.IgnoredTxBurst)
	setInt(&c.MaxConnsPerIP, d.MaxConnsPerIP)
	setInt(&c.MaxFetchTxs, d.MaxFetchTxs)
	setInt(&c.MaxFetchResponseBytes, d.MaxFetchResponseBytes)
	setDur(&c.FetchTimeout, d.FetchTimeout)
	setInt(&c.MaxFetchStreams, d.MaxFetchStreams)
	setFloat(&c.FetchRequestRate, d.FetchRequestRate)
	setInt(&c.FetchRequestBurst, d.FetchRequestBurst)
	if c.SharedIPs == nil {
		c.SharedIPs = []string{"127.0.0.0/8", "::1/128"}
	}
	setDur(&c.HandshakeTimeout, d.HandshakeTimeout)
	setDur(&c.BanDuration, d.BanDuration)
	setDur(&c.WrongChainBan, d.WrongChainBan)
	setDur(&c.ScoreInspectInterval, d.ScoreInspectInterval)
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("p2p: invalid config")

// Validate checks the configuration; call EnsureDefaults first.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	if len(c.NodeKey) != ed25519.PrivateKeySize {
		return bad("node key must be a %d-byte Ed25519 private key", ed25519.PrivateKeySize)
	}
	if c.GenesisHash == (types.Hash{}) {
		return bad("genesis hash is required")
	}
	for _, a := range c.ListenAddrs {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return bad("listen address %q: %v", a, err)
		}
	}
	for _, a := range c.Bootstrap {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return bad("bootstrap peer %q (want a multiaddr ending in /p2p/<id>): %v", a, err)
		}
	}
	switch {
	case c.LowWater < 0 || c.HighWater < c.LowWater:
		return bad("need 0 <= low water (%d) <= high water (%d)", c.LowWater, c.HighWater)
	case c.MaxConns < c.HighWater:
		return bad("max conns (%d) below high water (%d)", c.MaxConns, c.HighWater)
	case c.MaxStreamsPerPeer < 16:
		return bad("max streams per peer (%d) below 16", c.MaxStreamsPerPeer)
	case c.MaxMemory < 64<<20:
		return bad("max memory (%d) below 64 MiB", c.MaxMemory)
	case c.MaxTxBatchBytes < types.MaxTxSize+16:
		// Any valid transaction must fit in a batch on its own.
		return bad("max tx batch bytes (%d) below one maximal transaction (%d)", c.MaxTxBatchBytes, types.MaxTxSize+16)
	case c.MaxConsensusMsgBytes < 1024 || c.MaxBlockMsgBytes < 1024:
		return bad("max consensus/block message bytes below 1 KiB")
	case c.MaxBlockMsgBytes > types.MaxBlockSize:
		return bad("max block message bytes (%d) above the block size limit (%d)", c.MaxBlockMsgBytes, types.MaxBlockSize)
	case c.TxBatchMaxTxs < 1 || c.TxBatchInterval <= 0 || c.TxQueueSize < c.TxBatchMaxTxs:
		return bad("tx batching needs max txs >= 1, interval > 0 and queue >= max txs")
	case c.TxBatchRate <= 0 || c.ConsensusRate <= 0 || c.ConsensusBurst < 1:
		return bad("publish rates must be positive")
	case c.QueueSize < 32:
		return bad("queue size (%d) below 32", c.QueueSize)
	case c.MaxSyncBlocks < 1 || c.MaxSyncStreams < 1:
		return bad("sync needs max blocks >= 1 and max streams >= 1")
	case c.MaxSyncResponseBytes < types.MaxBlockSize+maxCommitBytes:
		return bad("max sync response bytes (%d) cannot hold one maximal block", c.MaxSyncResponseBytes)
	case c.SyncTimeout <= 0 || c.HandshakeTimeout <= 0 || c.BootstrapInterval <= 0 || c.ScoreInspectInterval <= 0:
		return bad("timeouts and intervals must be positive")
	case c.BanDuration <= 0 || c.WrongChainBan <= 0:
		return bad("ban durations must be positive")
	case c.MaxSyncStreamsPerPeer < 1 || c.MaxSyncStreamsPerPeer > c.MaxSyncStreams:
		return bad("max sync streams per peer (%d) must be within 1..max sync streams (%d)", c.MaxSyncStreamsPerPeer, c.MaxSyncStreams)
	case c.SyncRequestRate <= 0 || c.SyncRequestBurst < 1:
		return bad("sync request rate and burst must be positive")
	case c.SyncFrameTimeout <= 0:
		return bad("sync frame timeout must be positive")
	case c.IgnoredTxRate <= 0 || c.IgnoredTxBurst < 1:
		return bad("ignored tx rate and burst must be positive")
	case c.MaxFetchTxs < 1 || c.MaxFetchResponseBytes < types.MaxTxSize || c.FetchTimeout <= 0 || c.MaxFetchStreams < 1:
		return bad("tx fetch needs max txs >= 1, response bytes >= one maximal tx, timeout > 0 and streams >= 1")
	case c.FetchRequestRate <= 0 || c.FetchRequestBurst < 1:
		return bad("tx fetch request rate and burst must be positive")
	case c.MaxConnsPerIP < 1:
		return bad("max conns per IP (%d) below 1", c.MaxConnsPerIP)
	}
	if _, err := c.sharedIPs(); err != nil {
		return bad("%v", err)
	}
	if l := c.Blocks; l != (BlockLimits{}) {
		// The chain's largest valid block must travel on every path, or a
		// block the chain accepts could never be sent: the chain would halt.
		switch {
		case l.MaxBlockBytes <= 0 || l.MaxVotes <= 0:
			return bad("block limits (%d bytes, %d votes) must be positive", l.MaxBlockBytes, l.MaxVotes)
		case l.MaxBlockBytes > types.MaxBlockSize:
			return bad("the largest valid block (%d bytes) exceeds what blocks decode at (%d)", l.MaxBlockBytes, types.MaxBlockSize)
		case c.MaxBlockMsgBytes < l.MaxBlockBytes:
			return bad("max block message bytes (%d) below the largest valid block (%d)", c.MaxBlockMsgBytes, l.MaxBlockBytes)
		case c.MaxConsensusMsgBytes < l.ConsensusMsgBytes():
			return bad("max consensus message bytes (%d) below a proposal of the largest valid block with its proof of lock (%d)", c.MaxConsensusMsgBytes, l.ConsensusMsgBytes())
		case c.MaxSyncResponseBytes < l.SyncRecordBytes() || l.SyncRecordBytes() > types.MaxBlockSize+maxCommitBytes:
			return bad("a sync record of the largest valid block (%d bytes) exceeds the response limit (%d) or the frame limit (%d)", l.SyncRecordBytes(), c.MaxSyncResponseBytes, types.MaxBlockSize+maxCommitBytes)
		}
	}
	return nil
}

// sharedIPs parses SharedIPs.
func (c *Config) sharedIPs() ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(c.SharedIPs))
	for _, s := range c.SharedIPs {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("shared IP range %q (want a CIDR prefix): %v", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// maxGossipBytes is the largest message of any topic.
func (c *Config) maxGossipBytes() int {
	return max(c.MaxTxBatchBytes, c.MaxConsensusMsgBytes+consensusNonceLen, c.MaxBlockMsgBytes)
}
