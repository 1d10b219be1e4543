package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/explorer"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// Node is a running taod node.
type Node struct {
	cfg       Config
	log       *zap.Logger
	store     *state.Store
	chain     *chain.Chain
	pool      *txpool.Pool
	heads     *headFeed
	metrics   *metrics
	valKey    *ecdsa.PrivateKey
	host      *p2p.Host // nil when p2p is off (no listen addresses)
	gate      *gossipGate
	driver    *driver.Driver
	wal       *wal.WAL // the driver's; closed by Close
	transport *transport
	sync      *syncer
	started   time.Time

	mu struct {
		sync.Mutex
		addrs map[string]string // bound listen address by service name, set by serve
	}
}

// New opens the node's store and chain. Call Run to start it and Close when done.
func New(cfg Config, log *zap.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizeLimits(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	g, err := chain.LoadGenesis(cfg.Path(cfg.Genesis))
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, heads: newHeadFeed(), metrics: newMetrics()}
	if cfg.ValidatorKey != "" {
		if n.valKey, err = LoadOrCreateValidatorKey(cfg.Path(cfg.ValidatorKey)); err != nil {
			return nil, err
		}
	}
	st := cfg.Storage
	n.store, err = state.Open(cfg.Path(cfg.DataDir), state.Options{
		CacheMB: st.CacheMB, MemTableMB: st.MemTableMB, TrieCache: st.TrieCacheMB, FlatCache: st.FlatCacheMB,
		Handles: st.OpenFiles, Logger: log.Named("store").Sugar(), Index: cfg.Index.Enabled,
		IndexKeep: cfg.Index.KeepBlocks,
	})
	if err != nil {
		return nil, err
	}
	n.chain, err = chain.New(n.store, g)
	if err != nil {
		n.store.Close()
		return nil, err
	}
	n.chain.SetUpgrades(cfg.Upgrades)
	n.pool = txpool.New(cfg.TxPool, n.chain)
	n.metrics.watchPool(n.pool)
	n.metrics.watchCaches(n.chain.TxCache(), n.chain.SenderCache())
	head, _ := n.chain.Head()
	n.metrics.height.Set(float64(head.Height))
	n.gate = newGossipGate(n)
	if len(cfg.P2P.Listen) > 0 {
		if err := n.newHost(); err != nil {
			n.store.Close()
			return nil, err
		}
	}
	if n.valKey != nil {
		if err := n.checkValidator(); err != nil {
			n.store.Close()
			return nil, err
		}
	}
	n.transport, n.sync = newTransport(n), newSyncer(n)
	if err := n.openDriver(); err != nil {
		n.store.Close()
		return nil, err
	}
	return n, nil
}

// newHost creates the libp2p host with the node's gossip and sync handlers.
func (n *Node) newHost() error {
	key, err := LoadOrCreateNodeKey(n.cfg.Path(n.cfg.NodeKey))
	if err != nil {
		return err
	}
	pc := p2p.DefaultConfig()
	pc.ListenAddrs, pc.Bootstrap = n.cfg.P2P.Listen, n.cfg.P2P.Bootstrap
	if n.cfg.P2P.SharedIPs != nil {
		pc.SharedIPs = n.cfg.P2P.SharedIPs
	}
	if n.cfg.P2P.MaxConnsPerIP > 0 {
		pc.MaxConnsPerIP = n.cfg.P2P.MaxConnsPerIP
	}
	pc.NodeKey, pc.ChainID, pc.GenesisHash = key, n.chain.ChainID(), n.chain.GenesisHash()
	pc.Logger, pc.Metrics = n.log.Named("p2p"), n.metrics.registry
	pc.DeriveBlockLimits(blockLimits())
	// A compact proposal of a full block may need every tx fetched.
	pc.MaxFetchTxs = max(pc.MaxFetchTxs, n.chain.Params().MaxBlockTxs)
	recent := new(recentBlocks)
	// Compact proposals resolve txs from the pool, recent proposals and the
	// decode cache (txs gossiped or submitted here that the pool let go).
	txs := txSources{n.pool, recent, n.chain.TxCache()}
	h, err := p2p.New(pc, p2p.Handlers{
		// Tx fetches are served from what we relay compact proposals from.
		FetchTxs: txs,
		Blocks:   chainSource{n.chain},
		// One decode per tx per node, shared with consensus and RPC.
		Txs:       n.chain.TxCache(),
		HaveBlock: n.haveBlock,
		// Gossip admission: the validator admits the tx to the pool, and only
		// what the pool admits is relayed. The sender is recovered here once
		// and cached in the tx, which OnTxs and the block's execution reuse.
		CheckTx: func(tx *types.Tx) p2p.Verdict { return admitGossipTx(n.pool, tx) },
		OnTxs: func(_ p2p.PeerID, _ []*types.Tx) {
			n.metrics.poolSize.Set(float64(n.pool.Len()))
		},
		// Authenticated before it is relayed (gossipcheck.go).
		CheckConsensus: func(from p2p.PeerID, b []byte) (p2p.Verdict, any) { return n.gate.checkWire(from, b) },
		CheckBlock:     n.checkAnnouncement,
		OnConsensus:    func(from p2p.PeerID, _ []byte, checked any) { n.offerConsensus(from, checked) },
	})
	if err != nil {
		return err
	}
	n.host = h
	n.gate.compact = &compactIn{maxTxs: func() int { return n.chain.Params().MaxBlockTxs }, txs: txs, recent: recent, fetch: h.FetchTxs, met: n.metrics.compact}
	return nil
}

// Chain exposes the node's chain (read-only use).
func (n *Node) Chain() *chain.Chain { return n.chain }

// Close closes the consensus WAL and the store. Call it after Run returns.
func (n *Node) Close() error {
	return errors.Join(n.wal.Close(), n.store.Close())
}

// Run serves RPC and metrics and, if this node is the validator, produces
// blocks, until ctx is cancelled or something fails.
func (n *Node) Run(ctx context.Context) error {
	n.started = time.Now()
	g, ctx := errgroup.WithContext(ctx)
	head, _ := n.chain.Head()
	n.log.Info("node starting",
		zap.String("home", n.cfg.Home),
		zap.Uint64("chain_id", n.chain.ChainID()),
		zap.Stringer("genesis", n.chain.GenesisHash()),
		zap.Uint64("height", head.Height),
		zap.Stringer("state_root", head.StateRoot))

	if n.cfg.RPC.Addr != "" {
		srv, err := rpc.NewServer(rpc.Config{
			CORSOrigins: n.cfg.RPC.CORSOrigins, VHosts: n.cfg.RPC.VHosts,
			BatchItems: n.cfg.RPC.BatchItems, BatchBytes: n.cfg.RPC.BatchBytes,
			BodyBytes: n.cfg.RPC.BodyBytes, SubsPerConn: n.cfg.RPC.SubsPerConn,
		}, newBackend(n))
		if err != nil {
			return err
		}
		if err := n.serve(ctx, g, "rpc", n.cfg.RPC.Addr, srv); err != nil {
			return err
		}
		// The explorer's page and, at /rpc, this same server (its limits,
		// its Host checks): the rpc service above stops its WebSockets.
		if n.cfg.Explorer.Addr != "" {
			if err := n.serve(ctx, g, "explorer", n.cfg.Explorer.Addr, explorer.Handler(srv)); err != nil {
				return err
			}
		}
	}
	if n.cfg.Metrics.Addr != "" {
		if err := n.serve(ctx, g, "metrics", n.cfg.Metrics.Addr, n.metricsHandler()); err != nil {
			return err
		}
	}
	if n.host != nil {
		if err := n.host.Start(ctx); err != nil {
			return err
		}
		n.log.Info("p2p listening", zap.Stringer("peer_id", n.host.ID()), zap.Any("addrs", n.host.Addrs()))
		g.Go(func() error {
			<-ctx.Done()
			return n.host.Close()
		})
		g.Go(func() error { n.sync.syncLoop(ctx); return nil })
		g.Go(func() error { return n.transport.run(ctx) })
		if err := n.chaosFaults(ctx, g); err != nil { // chaos builds only
			return err
		}
	}
	g.Go(func() error { return n.driver.Run(ctx) })
	err := g.Wait()
	n.log.Info("node stopped", zap.Error(err))
	return err
}

// metricsHandler serves the metrics address: Prometheus metrics, and Go's
// profiles only when the operator asked for them ([metrics] pprof, --pprof):
// a profile endpoint lets anyone who reaches the port stall the node (a
// 30 s CPU profile, a full heap walk) and read its heap and command line,
// and a metrics port is often opened wider than loopback for a scraper.
func (n *Node) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(n.metrics.registry, promhttp.HandlerOpts{}))
	n.chaosRoutes(mux) // fault switches, in chaos builds only
	if n.cfg.Metrics.PProf {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

func (n *Node) checkValidator() error {
	head, _ := n.chain.Head()
	set, err := n.chain.ValidatorSet(head.Height + 1)
	if err != nil {
		return err
	}
	me := crypto.PubkeyToAddress(n.valKey.PublicKey)
	for _, v := range set.Validators {
		if v.Address == me {
			n.log.Info("validating", zap.Stringer("validator", me))
			return nil
		}
	}
	return fmt.Errorf("node: validator key %s is not in the validator set of height %d", me, head.Height+1)
}

// serve listens now (so a busy port fails at start) and serves until ctx ends.
func (n *Node) serve(ctx context.Context, g *errgroup.Group, name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("node: %s listen on %s: %w", name, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	n.log.Info(name+" listening", zap.String("addr", ln.Addr().String()))
	n.mu.Lock()
	if n.mu.addrs == nil {
		n.mu.addrs = make(map[string]string)
	}
	n.mu.addrs[name] = ln.Addr().String()
	n.mu.Unlock()
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("node: %s: %w", name, err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if s, ok := h.(interface{ Stop() }); ok {
			s.Stop() // hijacked WebSocket connections are not closed by Shutdown
		}
		err := srv.Shutdown(sctx)
		if errors.Is(err, context.DeadlineExceeded) {
			// A connection that never sent a request (a client's spare
			// dial) counts as busy for 5 s, and a slow client can hold one
			// longer: stopping must not wait on, or fail for, a peer.
			n.log.Warn(name+": connections still open at shutdown, closed", zap.Error(err))
			srv.Close()
			return nil
		}
		return err
	})
	return nil
}

// ListenAddr returns the address a service ("rpc", "metrics") is bound to,
// or "" before it listens. Useful with port 0.
func (n *Node) ListenAddr(service string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mu.addrs[service]
}

// SubmitTx checks a transaction, admits it to the pool and gossips it. It is
// the local (RPC) path, so the pool's admission bound applies (txpool.ErrBusy).
func (n *Node) SubmitTx(tx *types.Tx) error {
	if err := n.pool.AddLocal(tx); err != nil {
		n.metrics.rpcRejected.Inc()
		return err
	}
	n.metrics.poolSize.Set(float64(n.pool.Len()))
	if n.host != nil {
		if err := n.host.BroadcastTx(tx); err != nil {
			n.log.Debug("gossip tx", zap.Error(err))
		}
	}
	return nil
}

// admitGossipTx offers a gossiped tx to the pool and judges it by the answer:
// Accept (relay) only what the pool admitted; Reject what no honest node sends (bad signature,
// wrong chain), which scores the sending peer down; Ignore the rest (already
// known or committed, no balance, pool full): honest peers whose view of the
// state differs from ours send those, so they carry no blame.
func admitGossipTx(pool *txpool.Pool, tx *types.Tx) p2p.Verdict {
	switch err := pool.Add(tx); {
	case err == nil:
		return p2p.Accept
	case txpool.Malformed(err):
		return p2p.Reject
	}
	return p2p.Ignore
}

// Host is the node's libp2p host (nil when p2p is off).
func (n *Node) Host() *p2p.Host { return n.host }
