package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

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

// handleSync serves one request (serveStream). Beyond MaxSyncStreams
// concurrent requests, MaxSyncStreamsPerPeer from one peer or its request
// rate, the stream is reset: the client sees an error and tries another
// peer.
func (h *Host) handleSync(s network.Stream) {
	h.serveStream(s, streamServer{name: "sync", gate: h.syncGate, timeout: h.cfg.SyncTimeout, serve: h.serveSync,
		served: h.met.syncServed, errs: h.met.syncErrors, ban: "bad_sync_request"})
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
	s, err := h.request(ctx, p, h.names.sync, &syncRequest{From: from, Count: uint64(count)}) // FetchBlocks set a deadline
	if err != nil {
		return nil, err
	}
	defer s.Close()
	dl, _ := ctx.Deadline()
	r := bufio.NewReaderSize(s, 64<<10)
	out := make([]SyncedBlock, 0, count)
	total := 0
	for {
		// Each frame must come within SyncFrameTimeout: a server that
		// stalls (or trickles) fails fast, and the caller tries another.
		_ = s.SetReadDeadline(earliest(dl, time.Now().Add(h.cfg.SyncFrameTimeout)))
		rec, err := readReply(s, r, types.MaxBlockSize+maxCommitBytes)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
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
