package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"go.uber.org/zap"
)

// The hello protocol (/taod/<g>/hello/1, or /taod/hello/1 between nodes of
// different chains): on every new connection both sides open a hello stream, write their own Hello as one frame and read the other's. A peer
// whose genesis hash or chain ID differs is banned for WrongChainBan (so it
// is neither accepted nor re-dialled); a peer that cannot complete the
// exchange within HandshakeTimeout is disconnected. Both sides write before
// reading, so neither waits on the other.

func (h *Host) ourHello() Hello {
	var head uint64
	if h.hs.Blocks != nil {
		head = h.hs.Blocks.Head()
	}
	return Hello{ChainID: h.cfg.ChainID, GenesisHash: h.cfg.GenesisHash, Head: head, Version: h.cfg.Version}
}

func (h *Host) checkHello(r Hello) error {
	if r.GenesisHash != h.cfg.GenesisHash || r.ChainID != h.cfg.ChainID {
		return fmt.Errorf("%w: chain %d genesis %s, ours is chain %d genesis %s",
			ErrWrongChain, r.ChainID, r.GenesisHash, h.cfg.ChainID, h.cfg.GenesisHash)
	}
	return nil
}

// exchangeHello runs the initiator's side with p.
func (h *Host) exchangeHello(ctx context.Context, p PeerID) (Hello, error) {
	s, err := h.host.NewStream(ctx, p, h.names.hello, helloAnyChain)
	if err != nil {
		return Hello{}, fmt.Errorf("p2p: hello to %s: %w", p, err)
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	remote, err := h.helloRoundTrip(s)
	if err != nil {
		s.Reset()
		return Hello{}, fmt.Errorf("p2p: hello with %s: %w", p, err)
	}
	return remote, h.checkHello(remote)
}

// handleHello runs the responder's side.
func (h *Host) handleHello(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	_ = s.SetDeadline(time.Now().Add(h.cfg.HandshakeTimeout))
	remote, err := h.helloRoundTrip(s)
	if err != nil {
		s.Reset()
		h.log.Debug("hello from peer failed", zap.Stringer("peer", p), zap.Error(err))
		return
	}
	if err := h.checkHello(remote); err != nil {
		h.banWrongChain(p)
	}
}

func (h *Host) helloRoundTrip(s network.Stream) (Hello, error) {
	ours, err := encodeHello(h.ourHello())
	if err != nil {
		return Hello{}, err
	}
	if err := writeFrame(s, ours); err != nil {
		return Hello{}, err
	}
	b, err := readFrame(bufio.NewReaderSize(s, 64), maxHelloBytes)
	if err != nil {
		return Hello{}, err
	}
	return decodeHello(b)
}

// statusFailLimit is how many Status calls in a row a peer may fail before
// its connections are closed.
const statusFailLimit = 2

// Status asks p for its current Hello (its head height) and records it in
// Peers. A peer that fails statusFailLimit calls in a row is disconnected.
func (h *Host) Status(ctx context.Context, p PeerID) (Hello, error) {
	if err := h.running(); err != nil {
		return Hello{}, err
	}
	h.mu.Lock()
	pc, ok := h.mu.peers[p]
	ready := ok && pc.ready()
	h.mu.Unlock()
	if !ready {
		return Hello{}, fmt.Errorf("%w: %s", ErrNoHandshake, p)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.HandshakeTimeout)
	defer cancel()
	hello, err := h.exchangeHello(ctx, p)
	if err != nil {
		if errors.Is(err, ErrWrongChain) {
			h.banWrongChain(p)
			return Hello{}, err
		}
		// A connection can outlive the path under it (a partition, a
		// moved container): the transport's keepalive notices only after
		// tens of seconds. A peer that fails statusFailLimit calls in a
		// row is disconnected, so it is dialled afresh.
		h.mu.Lock()
		pc, ok := h.mu.peers[p]
		drop := false
		if ok {
			pc.statusFails++
			drop = pc.statusFails >= statusFailLimit
		}
		h.mu.Unlock()
		if drop && h.ctx.Err() == nil {
			h.log.Debug("peer does not answer status: disconnecting", zap.Stringer("peer", p), zap.Error(err))
			_ = h.host.Network().ClosePeer(p)
		}
		return Hello{}, err
	}
	h.mu.Lock()
	if pc, ok := h.mu.peers[p]; ok && pc.ready() {
		pc.hello = hello
		pc.statusFails = 0
	}
	h.mu.Unlock()
	return hello, nil
}
