package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/taonet/taod/types"
)

// The sync protocol (/taod/<genesis>/sync/1): the client opens a stream and
// writes one frame, RLP([from, count]), then closes its write side. The server
// answers with up to min(count, MaxSyncBlocks) frames, one per height from
// `from` on, each RLP([block, commit]) with the block's canonical encoding
// and the commit that finalised it, and closes the stream. It stops early at
// its head, at MaxSyncResponseBytes, or on a store error, so a short answer
// is legal; an empty one means the server has none of those blocks. Frames
// are uvarint-length-prefixed; the whole exchange has SyncTimeout, and each
// frame SyncFrameTimeout.

// SyncedBlock is one block fetched by sync with the commit that finalised it.
// FetchBlocks has checked its form and linkage, not the commit's signatures.
type SyncedBlock struct {
	Block  *types.Block
	Commit *types.Commit
}

// syncRequestTimeout bounds the wait for a request (at most 32 bytes, sent
// at once by an honest client): a client that half-sends one holds a slot
// for no longer.
const syncRequestTimeout = 2 * time.Second

// syncServerPeer is what the sync server keeps per peer.
type syncServerPeer struct {
	active int           // requests being served
	limit  *rate.Limiter // requests per second
}

// syncAdmit takes a serving slot for p, or reports why not (a fixed label).
// The caller releases it with syncRelease.
func (h *Host) syncAdmit(p PeerID) (ok bool, why string) {
	h.syncMu.Lock()
	defer h.syncMu.Unlock()
	sp := h.syncMu.peers[p]
	if sp == nil {
		sp = &syncServerPeer{limit: rate.NewLimiter(rate.Limit(h.cfg.SyncRequestRate), h.cfg.SyncRequestBurst)}
		h.syncMu.peers[p] = sp
	}
	switch {
	case sp.active >= h.cfg.MaxSyncStreamsPerPeer:
		return false, "peer_slots"
	case !sp.limit.Allow():
		return false, "peer_rate"
	}
	select {
	case h.syncSem <- struct{}{}:
	default:
		return false, "slots"
	}
	sp.active++
	return true, ""
}

func (h *Host) syncRelease(p PeerID) {
	<-h.syncSem
	h.syncMu.Lock()
	if sp := h.syncMu.peers[p]; sp != nil {
		sp.active--
	}
	h.syncMu.Unlock()
	// A peer that left while served was not forgotten then.
	if h.host.Network().Connectedness(p) != network.Connected {
		h.forgetSyncPeer(p)
	}
}

// forgetSyncPeer drops p's sync server state once it is disconnected and
// idle (its rate budget starts afresh if it reconnects, which costs it a
// handshake and counts against its IP's connections).
func (h *Host) forgetSyncPeer(p PeerID) {
	h.syncMu.Lock()
	if sp := h.syncMu.peers[p]; sp != nil && sp.active == 0 {
		delete(h.syncMu.peers, p)
	}
	h.syncMu.Unlock()
}

// handleSync serves one request. Beyond MaxSyncStreams concurrent requests,
// MaxSyncStreamsPerPeer from one peer or its request rate, the stream is
// reset: the client sees an error and tries another peer.
func (h *Host) handleSync(s network.Stream) {
	p := s.Conn().RemotePeer()
	if ok, why := h.syncAdmit(p); !ok {
		h.met.syncErrors.WithLabelValues("refused_" + why).Inc()
		s.Reset()
		return
	}
	defer h.syncRelease(p)
	_ = s.SetDeadline(time.Now().Add(h.cfg.SyncTimeout))
	n, err := h.serveSync(s)
	h.met.syncServed.Add(float64(n))
	if err != nil {
		h.met.syncErrors.WithLabelValues("serve").Inc()
		h.log.Debug("sync serve failed", zap.Stringer("peer", p), zap.Error(err))
		s.Reset()
		if errors.Is(err, ErrMalformed) {
			h.Ban(p, "bad_sync_request")
		}
		return
	}
	_ = s.Close()
}

func (h *Host) serveSync(s network.Stream) (int, error) {
	_ = s.SetReadDeadline(time.Now().Add(min(syncRequestTimeout, h.cfg.SyncFrameTimeout)))
	b, err := readFrame(bufio.NewReaderSize(s, 64), maxSyncRequestBytes)
	if err != nil {
		if errors.Is(err, ErrFrameTooBig) {
			err = fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return 0, err
	}
	req, err := decodeSyncRequest(b)
	if err != nil {
		return 0, err
	}
	src := h.hs.Blocks
	if src == nil {
		return 0, nil
	}
	count := min(req.Count, uint64(h.cfg.MaxSyncBlocks))
	head := src.Head()
	w := bufio.NewWriterSize(s, 64<<10)
	sent, bytes := 0, 0
	for height := req.From; height < req.From+count && height <= head && height >= req.From; height++ {
		blk, err := src.BlockAt(height)
		if err != nil {
			break
		}
		com, err := src.CommitAt(height)
		if err != nil {
			break
		}
		rec, err := encodeSyncRecord(blk, com)
		if err != nil {
			return sent, fmt.Errorf("encode block %d: %w", height, err)
		}
		if bytes += len(rec); bytes > h.cfg.MaxSyncResponseBytes && sent > 0 {
			break
		}
		// A client that reads too slowly for one frame is dropped: the
		// slot is worth more to others.
		_ = s.SetWriteDeadline(time.Now().Add(h.cfg.SyncFrameTimeout))
		if err := writeFrame(w, rec); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, w.Flush()
}

// FetchBlocks asks p for count blocks from height from, with their commits.
// It returns the blocks in height order, possibly fewer than asked (none if
// p has none). A response that breaks the protocol (a bad encoding, a block
// out of order or not linked to its parent, a commit for another block, too
// many or too large records) is an error wrapping ErrMalformed, and p is
// banned. Commit signatures are not checked here: the caller verifies each
// commit against the validator set of its height (consensus.VerifyCommit) and
// calls Ban if one fails.
func (h *Host) FetchBlocks(ctx context.Context, p PeerID, from uint64, count int) ([]SyncedBlock, error) {
	if err := h.running(); err != nil {
		return nil, err
	}
	if count <= 0 {
		return nil, nil
	}
	count = min(count, h.cfg.MaxSyncBlocks)
	ctx, cancel := context.WithTimeout(ctx, h.cfg.SyncTimeout)
	defer cancel()
	blocks, err := h.fetch(ctx, p, from, count)
	h.met.syncFetched.Add(float64(len(blocks)))
	if err != nil {
		h.met.syncErrors.WithLabelValues("fetch").Inc()
		if errors.Is(err, ErrMalformed) {
			h.Ban(p, "bad_sync_response")
		}
		return nil, fmt.Errorf("p2p: sync %d+%d from %s: %w", from, count, p, err)
	}
	return blocks, nil
}

func (h *Host) fetch(ctx context.Context, p PeerID, from uint64, count int) ([]SyncedBlock, error) {
	s, err := h.host.NewStream(ctx, p, h.names.sync)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	dl, _ := ctx.Deadline() // FetchBlocks set one
	_ = s.SetDeadline(dl)
	req, err := rlp.EncodeToBytes(&syncRequest{From: from, Count: uint64(count)})
	if err != nil {
		return nil, err
	}
	if err := writeFrame(s, req); err != nil {
		s.Reset()
		return nil, err
	}
	if err := s.CloseWrite(); err != nil {
		s.Reset()
		return nil, err
	}
	r := bufio.NewReaderSize(s, 64<<10)
	out := make([]SyncedBlock, 0, count)
	total := 0
	for {
		// Each frame must come within SyncFrameTimeout: a server that
		// stalls (or trickles) fails fast, and the caller tries another.
		_ = s.SetReadDeadline(earliest(dl, time.Now().Add(h.cfg.SyncFrameTimeout)))
		rec, err := readFrame(r, types.MaxBlockSize+maxCommitBytes)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			s.Reset()
			if errors.Is(err, ErrFrameTooBig) {
				err = fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			return nil, err
		}
		if len(out) == count {
			s.Reset()
			return nil, fmt.Errorf("%w: more than the %d blocks asked for", ErrMalformed, count)
		}
		if total += len(rec); total > h.cfg.MaxSyncResponseBytes+types.MaxBlockSize+maxCommitBytes {
			s.Reset()
			return nil, fmt.Errorf("%w: response over %d bytes", ErrMalformed, total)
		}
		sb, err := decodeSyncRecord(rec, h.hs.Txs)
		if err != nil {
			s.Reset()
			return nil, err
		}
		if err := h.checkLink(sb.Block, from+uint64(len(out)), out); err != nil {
			s.Reset()
			return nil, err
		}
		out = append(out, sb)
	}
}

// checkLink checks that b is the block expected next in a response.
func (h *Host) checkLink(b *types.Block, want uint64, prev []SyncedBlock) error {
	if b.Height() != want {
		return fmt.Errorf("%w: block %d where %d was expected", ErrMalformed, b.Height(), want)
	}
	if b.Header.ChainID != h.cfg.ChainID {
		return fmt.Errorf("%w: block %d of chain %d", ErrMalformed, b.Height(), b.Header.ChainID)
	}
	if len(prev) > 0 {
		parent := prev[len(prev)-1].Block
		if b.Header.ParentHash != parent.Hash() {
			return fmt.Errorf("%w: block %d does not extend block %d", ErrMalformed, b.Height(), parent.Height())
		}
		if lc := b.LastCommit; lc == nil || lc.Height != parent.Height() || lc.BlockHash != parent.Hash() {
			return fmt.Errorf("%w: block %d's last commit is not for block %d", ErrMalformed, b.Height(), parent.Height())
		}
	}
	return nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
