package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// streamGate bounds what a request/response protocol's server spends on its
// peers: at most perPeer requests served at once per peer, a request rate
// per peer (a token bucket), and streams in all. Block sync and tx fetch
// each have one. State is kept per peer only while it is connected or being
// served (forget), so the gate holds no more entries than peers.
type streamGate struct {
	sem     chan struct{} // server slots, all peers
	perPeer int
	rate    rate.Limit
	burst   int

	mu struct {
		sync.Mutex
		peers map[PeerID]*gatePeer
	}
}

// gatePeer is what a gate keeps per peer.
type gatePeer struct {
	active int           // requests being served
	limit  *rate.Limiter // requests per second
}

func newStreamGate(streams, perPeer int, perSec float64, burst int) *streamGate {
	g := &streamGate{sem: make(chan struct{}, streams), perPeer: perPeer, rate: rate.Limit(perSec), burst: burst}
	g.mu.peers = make(map[PeerID]*gatePeer)
	return g
}

// admit takes a serving slot for p, or reports why not (a fixed metric
// label: peer_slots, peer_rate, slots). The caller releases it.
func (g *streamGate) admit(p PeerID) (ok bool, why string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	gp := g.mu.peers[p]
	if gp == nil {
		gp = &gatePeer{limit: rate.NewLimiter(g.rate, g.burst)}
		g.mu.peers[p] = gp
	}
	switch {
	case gp.active >= g.perPeer:
		return false, "peer_slots"
	case !gp.limit.Allow():
		return false, "peer_rate"
	}
	select {
	case g.sem <- struct{}{}:
	default:
		return false, "slots"
	}
	gp.active++
	return true, ""
}

// release returns p's slot; a peer that left while served is forgotten now
// (it was not when it disconnected).
func (g *streamGate) release(p PeerID, connected bool) {
	<-g.sem
	g.mu.Lock()
	if gp := g.mu.peers[p]; gp != nil {
		gp.active--
	}
	g.mu.Unlock()
	if !connected {
		g.forget(p)
	}
}

// forget drops p's state once it is idle: its rate budget starts afresh if
// it reconnects, which costs it a handshake and counts against its IP's
// connections.
func (g *streamGate) forget(p PeerID) {
	g.mu.Lock()
	if gp := g.mu.peers[p]; gp != nil && gp.active == 0 {
		delete(g.mu.peers, p)
	}
	g.mu.Unlock()
}

// active is how many of p's requests are being served.
func (g *streamGate) active(p PeerID) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gp := g.mu.peers[p]; gp != nil {
		return gp.active
	}
	return 0
}

// streamServer is one protocol's server side as serveStream runs it.
type streamServer struct {
	name    string // for logs: "sync", "tx fetch"
	gate    *streamGate
	timeout time.Duration                     // the whole exchange
	serve   func(network.Stream) (int, error) // answers one request; returns items sent
	served  prometheus.Counter
	errs    *prometheus.CounterVec // labels: refused_<why>, serve
	ban     string                 // ban reason for a malformed request
}

// serveStream serves one request of srv's protocol on s: refused (stream
// reset) beyond the gate's bounds, answered within srv.timeout, and the
// peer banned for a malformed request (ErrMalformed: only a peer that
// breaks the protocol sends one).
func (h *Host) serveStream(s network.Stream, srv streamServer) {
	p := s.Conn().RemotePeer()
	if ok, why := srv.gate.admit(p); !ok {
		srv.errs.WithLabelValues("refused_" + why).Inc()
		s.Reset()
		return
	}
	defer func() { srv.gate.release(p, h.host.Network().Connectedness(p) == network.Connected) }()
	_ = s.SetDeadline(time.Now().Add(srv.timeout))
	n, err := srv.serve(s)
	srv.served.Add(float64(n))
	if err != nil {
		srv.errs.WithLabelValues("serve").Inc()
		h.log.Debug(srv.name+" serve failed", zap.Stringer("peer", p), zap.Error(err))
		s.Reset()
		if errors.Is(err, ErrMalformed) {
			h.Ban(p, srv.ban)
		}
		return
	}
	_ = s.Close()
}

// request opens a stream of protocol proto to p and sends one request: the
// RLP of req in one frame, then the end of the client's side. The stream
// has ctx's deadline; the caller reads the answer and closes it.
func (h *Host) request(ctx context.Context, p PeerID, proto protocol.ID, req any) (network.Stream, error) {
	b, err := rlp.EncodeToBytes(req)
	if err != nil {
		return nil, err
	}
	s, err := h.host.NewStream(ctx, p, proto)
	if err != nil {
		return nil, err
	}
	dl, _ := ctx.Deadline()
	_ = s.SetDeadline(dl)
	if err := writeFrame(s, b); err != nil {
		s.Reset()
		return nil, err
	}
	if err := s.CloseWrite(); err != nil {
		s.Reset()
		return nil, err
	}
	return s, nil
}

// readReply reads the next frame of the answer to a request on s. io.EOF
// (the answer is complete) comes back as it is; any other failure resets
// the stream, and a frame over limit is the server's malformed answer.
func readReply(s network.Stream, r *bufio.Reader, limit int) ([]byte, error) {
	b, err := readFrame(r, limit)
	if err == nil || errors.Is(err, io.EOF) {
		return b, err
	}
	s.Reset()
	if errors.Is(err, ErrFrameTooBig) {
		err = fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil, err
}
