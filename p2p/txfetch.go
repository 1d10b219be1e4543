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

	"github.com/taonet/taod/types"
)

// The tx fetch protocol (/taod/<genesis>/txs/1) completes compact block
// proposals: a receiver that lacks some of a proposal's txs asks the peer
// that relayed the proposal for them. The client opens a stream, writes one
// frame RLP([hash, ...]) of at most MaxFetchTxs distinct hashes, and closes
// its write side. The server answers with one frame per tx it holds, the raw
// envelope, in request order, skipping those it lacks, and closes the stream;
// it stops early at MaxFetchResponseBytes. The exchange has FetchTimeout.
//
// Serving is cheap but not free (a hash lookup per entry, up to a block's
// bytes written), so it is bounded: one request at a time per peer (a second
// is reset), FetchRequestRate per second per peer, MaxFetchStreams in all.

// TxSource finds transactions by hash: the txpool, plus whatever the node
// keeps of recent proposals. Get must be safe for concurrent use and cheap.
type TxSource interface {
	Get(h types.Hash) (*types.Tx, bool)
}

// Tx fetch errors.
var (
	// ErrFetchBusy: a fetch from that peer is already in flight.
	ErrFetchBusy = errors.New("p2p: tx fetch from that peer already in flight")
	// ErrFetchTooMany: more hashes than MaxFetchTxs in one request.
	ErrFetchTooMany = errors.New("p2p: too many txs for one fetch")
)

// fetchRequestTimeout bounds the wait for a request frame: an honest client
// writes it at once.
const fetchRequestTimeout = 2 * time.Second

// maxFetchRequestBytes is the request frame limit for n hashes: a list
// header and 33 bytes per hash.
func maxFetchRequestBytes(n int) int { return 9 + 33*n }

// fetchState is the fetch client's state: the peers a fetch is in flight
// from (one each).
type fetchState struct {
	mu struct {
		sync.Mutex
		client map[PeerID]bool
	}
}

func (f *fetchState) init() { f.mu.client = make(map[PeerID]bool) }

// handleFetch serves one tx fetch request (serveStream): one at a time per
// peer, FetchRequestRate per peer, MaxFetchStreams in all.
func (h *Host) handleFetch(s network.Stream) {
	h.serveStream(s, streamServer{name: "tx fetch", gate: h.fetchGate, timeout: h.cfg.FetchTimeout, serve: h.serveFetch,
		served: h.met.fetchServed, errs: h.met.fetchErrors, ban: "bad_fetch_request"})
}

func (h *Host) serveFetch(s network.Stream) (int, error) {
	_ = s.SetReadDeadline(time.Now().Add(min(fetchRequestTimeout, h.cfg.FetchTimeout)))
	b, err := readFrame(bufio.NewReaderSize(s, 4<<10), maxFetchRequestBytes(h.cfg.MaxFetchTxs))
	if err != nil {
		if errors.Is(err, ErrFrameTooBig) {
			err = fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return 0, err
	}
	var hashes []types.Hash
	if err := rlp.DecodeBytes(b, &hashes); err != nil {
		return 0, fmt.Errorf("%w: tx fetch request: %v", ErrMalformed, err)
	}
	if len(hashes) > h.cfg.MaxFetchTxs {
		return 0, fmt.Errorf("%w: %d hashes (max %d)", ErrMalformed, len(hashes), h.cfg.MaxFetchTxs)
	}
	src := h.hs.FetchTxs
	if src == nil {
		return 0, nil
	}
	w := bufio.NewWriterSize(s, 64<<10)
	sent, bytes := 0, 0
	for _, hash := range hashes {
		tx, ok := src.Get(hash)
		if !ok {
			continue
		}
		raw := tx.Bytes()
		if bytes += len(raw); bytes > h.cfg.MaxFetchResponseBytes {
			break
		}
		if err := writeFrame(w, raw); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, w.Flush()
}

// FetchTxs asks p for the txs with the given hashes (at most MaxFetchTxs).
// It returns them aligned with hashes, nil where p did not send one. At most
// one fetch per peer is in flight; another is refused at once with
// ErrFetchBusy, so that a peer that stalls its answers holds one of our
// validation goroutines, not one per message it sends. The exchange is bounded by FetchTimeout and by ctx. A response
// that breaks the protocol (a tx not asked for or out of order, an
// undecodable tx, too many bytes) is an error wrapping ErrMalformed, and p
// is banned: p wrote it. A short answer is not an error.
func (h *Host) FetchTxs(ctx context.Context, p PeerID, hashes []types.Hash) ([]*types.Tx, error) {
	if err := h.running(); err != nil {
		return nil, err
	}
	if len(hashes) == 0 {
		return nil, nil
	}
	if len(hashes) > h.cfg.MaxFetchTxs {
		return nil, fmt.Errorf("%w: %d > %d", ErrFetchTooMany, len(hashes), h.cfg.MaxFetchTxs)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.FetchTimeout)
	defer cancel()
	stop := context.AfterFunc(h.ctx, cancel) // the host closing ends it too
	defer stop()
	release, ok := h.fetchSlot(p)
	if !ok {
		h.met.fetchErrors.WithLabelValues("busy").Inc()
		return nil, ErrFetchBusy
	}
	defer release()
	txs, err := h.fetchTxs(ctx, p, hashes)
	if err != nil {
		h.met.fetchErrors.WithLabelValues("fetch").Inc()
		if errors.Is(err, ErrMalformed) {
			h.Ban(p, "bad_fetch_response")
		}
		return nil, fmt.Errorf("p2p: fetch %d txs from %s: %w", len(hashes), p, err)
	}
	return txs, nil
}

// fetchSlot takes the client slot of p (one fetch in flight per peer).
func (h *Host) fetchSlot(p PeerID) (release func(), ok bool) {
	h.txf.mu.Lock()
	defer h.txf.mu.Unlock()
	if h.txf.mu.client[p] {
		return nil, false
	}
	h.txf.mu.client[p] = true
	return func() {
		h.txf.mu.Lock()
		delete(h.txf.mu.client, p)
		h.txf.mu.Unlock()
	}, true
}

func (h *Host) fetchTxs(ctx context.Context, p PeerID, hashes []types.Hash) ([]*types.Tx, error) {
	s, err := h.request(ctx, p, h.names.txs, hashes)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	r := bufio.NewReaderSize(s, 64<<10)
	out := make([]*types.Tx, len(hashes))
	next, total, got := 0, 0, 0
	for {
		raw, err := readReply(s, r, types.MaxTxSize)
		if errors.Is(err, io.EOF) {
			h.met.fetchFetched.Add(float64(got))
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if total += len(raw); total > h.cfg.MaxFetchResponseBytes+types.MaxTxSize {
			s.Reset()
			return nil, fmt.Errorf("%w: response over %d bytes", ErrMalformed, total)
		}
		tx, err := types.DecodeTx(raw)
		if err != nil {
			s.Reset()
			return nil, fmt.Errorf("%w: tx: %v", ErrMalformed, err)
		}
		// Answers come in request order, so each must match a later hash.
		hash := tx.Hash()
		for next < len(hashes) && hashes[next] != hash {
			next++
		}
		if next == len(hashes) {
			s.Reset()
			return nil, fmt.Errorf("%w: tx %s not asked for (or out of order)", ErrMalformed, hash)
		}
		out[next] = tx
		next++
		got++
	}
}
