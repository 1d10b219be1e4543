package p2p

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/taonet/taod/types"
)

// PeerID identifies a peer: the libp2p peer ID of its node key.
type PeerID = peer.ID

// AddrInfo is a peer ID with the addresses to reach it.
type AddrInfo = peer.AddrInfo

// ParseAddrInfo parses a multiaddr ending in /p2p/<peer ID>.
func ParseAddrInfo(s string) (AddrInfo, error) {
	ai, err := peer.AddrInfoFromString(s)
	if err != nil {
		return AddrInfo{}, fmt.Errorf("p2p: peer address %q: %w", s, err)
	}
	return *ai, nil
}

// Host errors.
var (
	ErrClosed        = errors.New("p2p: host closed")
	ErrNotStarted    = errors.New("p2p: host not started")
	ErrBanned        = errors.New("p2p: peer is banned")
	ErrNoHandshake   = errors.New("p2p: peer has not completed the handshake")
	ErrTxQueueFull   = errors.New("p2p: tx broadcast queue full")
	ErrMessageTooBig = errors.New("p2p: message larger than the topic allows")
)

// Verdict is a validator's decision on a gossip message.
type Verdict int

const (
	// Accept delivers the message and forwards it to other peers.
	Accept Verdict = iota
	// Ignore drops it without blame: stale, duplicate, not yet checkable.
	Ignore
	// Reject drops it and counts it against the peer that sent it: only for
	// data no honest node would forward (bad encoding or signature, wrong chain).
	Reject
)

func (v Verdict) String() string {
	switch v {
	case Accept:
		return "accept"
	case Ignore:
		return "ignore"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// BlockSource is what the sync protocol serves from; node adapts state.Store
// to it. CommitAt(h) is the commit that finalised block h (the store's seen
// commit; block h+1's LastCommit is another valid one).
type BlockSource interface {
	Head() uint64
	BlockAt(height uint64) (*types.Block, error)
	CommitAt(height uint64) (*types.Commit, error)
}

// Handlers connect the host to the node. Every field is optional. Check
// functions run on pubsub's validation workers, concurrently; On functions run
// on one goroutine per topic and should hand work off quickly (a slow handler
// fills the subscription buffer, and pubsub then drops messages).
type Handlers struct {
	// Blocks serves block sync and gives the head height told to peers.
	Blocks BlockSource

	// Txs decodes every tx the host reads (batches, announced and synced
	// blocks), so that bytes the node decoded before are not decoded again.
	// Nil decodes each time.
	Txs *types.TxCache

	// CheckTx judges one gossiped transaction that decoded (types.DecodeTx):
	// typically signature recovery and a txpool pre-check. A batch with any
	// rejected tx is rejected; otherwise its accepted txs reach OnTxs.
	CheckTx func(tx *types.Tx) Verdict
	OnTxs   func(from PeerID, txs []*types.Tx)

	// CheckConsensus judges a consensus message (the engine's encoding):
	// signature, height window, duplicate. OnConsensus receives accepted ones
	// with the value CheckConsensus returned beside Accept (say, the decoded
	// message, so that it is decoded once).
	CheckConsensus func(from PeerID, msg []byte) (Verdict, any)
	OnConsensus    func(from PeerID, msg []byte, checked any)

	// HaveBlock reports whether the node holds the block of this height and
	// header hash: an announcement of it is ignored after reading only its
	// header (every neighbour announces each block we commit).
	HaveBlock func(height uint64, hash types.Hash) bool
	// CheckBlock judges an announced block that decoded and whose body matches
	// its header. OnBlock receives accepted ones.
	CheckBlock func(from PeerID, b *types.Block) Verdict
	OnBlock    func(from PeerID, b *types.Block)

	// FetchTxs serves the tx fetch protocol (txfetch.go): the txs peers may
	// ask for to complete a compact proposal we relayed. nil serves none.
	FetchTxs TxSource
}

// PeerInfo describes a connected peer that completed the handshake.
type PeerInfo struct {
	ID       PeerID
	Addrs    []ma.Multiaddr
	Hello    Hello // from the handshake or the last Status call
	Outbound bool  // we dialled it
}

// peerConn is the handshake state of one connected peer.
type peerConn struct {
	done     chan struct{} // closed when the handshake has finished
	err      error         // set before done is closed
	hello    Hello         // guarded by Host.mu once done is closed
	outbound bool
	// statusFails counts Status calls in a row that failed (Host.mu).
	statusFails int
}

// Host is a libp2p node speaking taod's protocols: the hello handshake,
// gossip of txs, consensus messages and blocks, and block sync.
type Host struct {
	cfg       Config
	hs        Handlers
	log       *zap.Logger
	names     names
	host      host.Host
	gater     *gater
	cm        *connmgr.BasicConnMgr
	rm        network.ResourceManager // closed by us: the libp2p host does not
	met       *metrics
	bootstrap []AddrInfo

	// Set by Start, read-only afterwards.
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	ps        *pubsub.PubSub
	trace     *tracer
	topics    topics
	txq       chan []byte
	consLimit *rate.Limiter
	nonce     nonceSource
	banq      chan banRequest

	// syncGate and fetchGate bound the sync and tx fetch servers
	// (streamgate.go); txf is the fetch client's in-flight set (txfetch.go).
	syncGate, fetchGate *streamGate
	txf                 fetchState

	// txBudget bounds the gossiped txs each peer makes us check in vain.
	txBudget *txBudget

	// scores is pubsub's latest peer score report (PeerScores).
	scores struct {
		sync.Mutex
		last map[peer.ID]float64
	}

	mu struct {
		sync.Mutex
		started, closed bool
		peers           map[peer.ID]*peerConn // handshake state of connected peers
	}
}

// New builds a host from cfg: it checks cfg, creates the libp2p node and its
// limits, but neither listens nor dials until Start.
func New(cfg Config, hs Handlers) (*Host, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	priv, err := crypto.UnmarshalEd25519PrivateKey(cfg.NodeKey)
	if err != nil {
		return nil, fmt.Errorf("%w: node key: %v", ErrConfig, err)
	}
	exempt, err := cfg.sharedIPs()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	met, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	h := &Host{
		cfg:   cfg,
		hs:    hs,
		log:   cfg.Logger.Named("p2p"),
		names: newNames(cfg.GenesisHash),
		gater: newGater(time.Now, exempt),
		met:   met,
	}
	h.mu.peers = make(map[peer.ID]*peerConn)
	h.syncGate = newStreamGate(cfg.MaxSyncStreams, cfg.MaxSyncStreamsPerPeer, cfg.SyncRequestRate, cfg.SyncRequestBurst)
	h.fetchGate = newStreamGate(cfg.MaxFetchStreams, 1, cfg.FetchRequestRate, cfg.FetchRequestBurst)
	h.txf.init()
	h.txBudget = newTxBudget(cfg.IgnoredTxRate, cfg.IgnoredTxBurst, time.Now)
	for _, s := range cfg.Bootstrap {
		ai, err := ParseAddrInfo(s)
		if err != nil {
			return nil, err
		}
		h.bootstrap = append(h.bootstrap, ai)
	}

	h.cm, err = connmgr.NewConnManager(cfg.LowWater, cfg.HighWater, connmgr.WithGracePeriod(cfg.GracePeriod))
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	rm, err := newResourceManager(&cfg, exempt)
	if err != nil {
		return nil, err
	}
	h.rm = rm
	h.host, err = libp2p.New(
		libp2p.Identity(priv),
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.ConnectionManager(h.cm),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionGater(h.gater),
		libp2p.UserAgent(cfg.Version),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		rm.Close()
		h.cm.Close()
		return nil, fmt.Errorf("p2p: libp2p host: %w", err)
	}
	return h, nil
}

// Start listens, joins the gossip topics, starts the background loops and
// dials the bootstrap peers (in the background). The host runs until Close;
// ctx is not kept. On error, call Close.
func (h *Host) Start(_ context.Context) error {
	h.mu.Lock()
	switch {
	case h.mu.closed:
		h.mu.Unlock()
		return ErrClosed
	case h.mu.started:
		h.mu.Unlock()
		return errors.New("p2p: host already started")
	}
	h.mu.started = true
	h.mu.Unlock()

	// The host's own lifetime is independent of ctx, which only bounds Start.
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.txq = make(chan []byte, h.cfg.TxQueueSize)
	h.consLimit = rate.NewLimiter(rate.Limit(h.cfg.ConsensusRate), h.cfg.ConsensusBurst)
	h.banq = make(chan banRequest, 64)
	if err := h.nonce.init(); err != nil {
		return err
	}

	h.host.SetStreamHandler(h.names.hello, h.handleHello)
	h.host.SetStreamHandler(helloAnyChain, h.handleHello)
	h.host.SetStreamHandler(h.names.sync, h.handleSync)
	h.host.SetStreamHandler(h.names.txs, h.handleFetch)
	h.host.Network().Notify(&network.NotifyBundle{
		ConnectedF:    func(_ network.Network, c network.Conn) { h.onConnected(c) },
		DisconnectedF: func(_ network.Network, c network.Conn) { h.onDisconnected(c) },
	})

	addrs := make([]ma.Multiaddr, 0, len(h.cfg.ListenAddrs))
	for _, s := range h.cfg.ListenAddrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return fmt.Errorf("%w: listen address %q: %v", ErrConfig, s, err)
		}
		addrs = append(addrs, a)
	}
	if err := h.host.Network().Listen(addrs...); err != nil {
		return fmt.Errorf("p2p: listen: %w", err)
	}
	if err := h.startGossip(); err != nil {
		return err
	}
	h.wg.Add(2)
	go h.banLoop()
	go h.bootstrapLoop()
	h.log.Info("p2p host started", zap.Stringer("id", h.ID()), zap.Any("addrs", h.Addrs()),
		zap.String("genesis", genesisTag(h.cfg.GenesisHash)))
	return nil
}

// Close stops the loops and closes every connection. It is safe to call more
// than once and without Start.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.mu.closed {
		h.mu.Unlock()
		return nil
	}
	h.mu.closed = true
	started := h.mu.started
	h.mu.Unlock()

	if started {
		h.cancel()
	}
	err := h.host.Close()
	h.wg.Wait()
	if h.ps != nil {
		h.topics.close()
	}
	h.rm.Close() // the host closed the connection manager
	return err
}

// Run starts the host, waits for ctx to end and closes it.
func (h *Host) Run(ctx context.Context) error {
	if err := h.Start(ctx); err != nil {
		h.Close()
		return err
	}
	<-ctx.Done()
	return h.Close()
}

// ID is this node's peer ID.
func (h *Host) ID() PeerID { return h.host.ID() }

// Addrs are the addresses the host listens on (known after Start).
func (h *Host) Addrs() []ma.Multiaddr { return h.host.Addrs() }

// AddrInfo is this host's ID with its addresses, as a peer would dial it.
func (h *Host) AddrInfo() AddrInfo { return AddrInfo{ID: h.ID(), Addrs: h.Addrs()} }

// Peers lists connected peers that completed the handshake, by ID.
func (h *Host) Peers() []PeerInfo {
	h.mu.Lock()
	out := make([]PeerInfo, 0, len(h.mu.peers))
	for id, pc := range h.mu.peers {
		if !pc.ready() {
			continue
		}
		out = append(out, PeerInfo{ID: id, Hello: pc.hello, Outbound: pc.outbound})
	}
	h.mu.Unlock()
	for i := range out {
		out[i].Addrs = h.host.Peerstore().Addrs(out[i].ID)
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// failed reports a finished, failed handshake. Call with Host.mu held.
func (pc *peerConn) failed() bool {
	select {
	case <-pc.done:
		return pc.err != nil
	default:
		return false
	}
}

// ready reports a finished, successful handshake. Call with Host.mu held.
func (pc *peerConn) ready() bool {
	select {
	case <-pc.done:
		return pc.err == nil
	default:
		return false
	}
}

// Connect dials a peer and waits for the handshake. A peer on another chain
// is refused with ErrWrongChain and banned for WrongChainBan.
func (h *Host) Connect(ctx context.Context, ai AddrInfo) error {
	if err := h.running(); err != nil {
		return err
	}
	if ai.ID == h.ID() {
		return errors.New("p2p: cannot connect to self")
	}
	if h.gater.isBanned(ai.ID) {
		return fmt.Errorf("%w: %s", ErrBanned, ai.ID)
	}
	if err := h.host.Connect(ctx, ai); err != nil {
		return fmt.Errorf("p2p: connect %s: %w", ai.ID, err)
	}
	pc := h.handshake(ai.ID, true)
	select {
	case <-pc.done:
		return pc.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Host) running() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.mu.closed:
		return ErrClosed
	case !h.mu.started:
		return ErrNotStarted
	}
	return nil
}

// bootstrapDialTimeout bounds one dial of a bootstrap peer.
const bootstrapDialTimeout = 3 * time.Second

// bootstrapLoop keeps dialling bootstrap peers that are not connected.
func (h *Host) bootstrapLoop() {
	defer h.wg.Done()
	if len(h.bootstrap) == 0 {
		return
	}
	for _, ai := range h.bootstrap {
		h.cm.Protect(ai.ID, "bootstrap")
	}
	// A round that left a bootstrap peer unconnected is retried soon, backing
	// off from 500 ms to BootstrapInterval: a peer that restarts is redialled
	// within a second or two instead of a whole interval later.
	const minRetry = 500 * time.Millisecond
	retry := minRetry
	for {
		var (
			wg      sync.WaitGroup
			missing atomic.Bool
		)
		for _, ai := range h.bootstrap {
			if ai.ID == h.ID() || h.gater.isBanned(ai.ID) || h.host.Network().Connectedness(ai.ID) == network.Connected {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Bounded well under the interval, so one unreachable peer
				// does not hold up the next round; forced past the swarm's
				// dial backoff (5 s and more after a failure), which would
				// otherwise keep a healed or restarted peer away.
				ctx, cancel := context.WithTimeout(h.ctx, min(h.cfg.BootstrapInterval, bootstrapDialTimeout))
				defer cancel()
				ctx = network.WithForceDirectDial(ctx, "bootstrap")
				if err := h.Connect(ctx, ai); err != nil && h.ctx.Err() == nil {
					missing.Store(true)
					h.log.Debug("bootstrap dial failed", zap.Stringer("peer", ai.ID), zap.Error(err))
				}
			}()
		}
		wg.Wait()
		wait := h.cfg.BootstrapInterval
		if missing.Load() {
			wait, retry = min(retry, wait), min(2*retry, h.cfg.BootstrapInterval)
		} else {
			retry = minRetry
		}
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (h *Host) onConnected(c network.Conn) {
	h.handshake(c.RemotePeer(), c.Stat().Direction == network.DirOutbound)
}

func (h *Host) onDisconnected(c network.Conn) {
	p := c.RemotePeer()
	if h.host.Network().Connectedness(p) == network.Connected {
		return // another connection to p remains
	}
	h.syncGate.forget(p)
	h.fetchGate.forget(p)
	h.txBudget.forget(p)
	h.mu.Lock()
	delete(h.mu.peers, p)
	n := h.readyPeersLocked()
	h.mu.Unlock()
	h.met.peers.Set(float64(n))
}

func (h *Host) readyPeersLocked() int {
	n := 0
	for _, pc := range h.mu.peers {
		if pc.ready() {
			n++
		}
	}
	return n
}

// handshake returns p's handshake state, starting the hello exchange if
// none is under way.
func (h *Host) handshake(p PeerID, outbound bool) *peerConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	if pc, ok := h.mu.peers[p]; ok && !pc.failed() {
		return pc // under way or done: one handshake per connected peer
	}
	// A failed state can outlive its connection when the peer reconnects
	// before we saw it go; the new connection gets a new handshake.
	pc := &peerConn{done: make(chan struct{}), outbound: outbound}
	if h.mu.closed || !h.mu.started {
		pc.err = ErrClosed
		close(pc.done)
		return pc
	}
	h.mu.peers[p] = pc
	h.wg.Add(1)
	go h.runHandshake(p, pc)
	return pc
}

// runHandshake exchanges hellos with p and drops it on failure.
func (h *Host) runHandshake(p PeerID, pc *peerConn) {
	defer h.wg.Done()
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.HandshakeTimeout)
	defer cancel()
	hello, err := h.exchangeHello(ctx, p)

	h.mu.Lock()
	pc.err, pc.hello = err, hello
	close(pc.done)
	n := h.readyPeersLocked()
	h.mu.Unlock()
	h.met.peers.Set(float64(n))

	switch {
	case err == nil:
		h.cm.TagPeer(p, "taod", 10)
		h.log.Debug("peer ready", zap.Stringer("peer", p), zap.Uint64("head", hello.Head), zap.String("version", hello.Version))
	case errors.Is(err, ErrWrongChain):
		h.banWrongChain(p)
	case h.ctx.Err() == nil:
		h.log.Debug("handshake failed", zap.Stringer("peer", p), zap.Error(err))
		_ = h.host.Network().ClosePeer(p)
	}
}
