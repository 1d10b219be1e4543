package p2p

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/taonet/taod/types"
)

// Wire errors. ErrMalformed marks bytes from a peer that break the protocol;
// the peer is penalised for them.
var (
	ErrMalformed   = errors.New("p2p: malformed message")
	ErrFrameTooBig = errors.New("p2p: frame larger than allowed")
)

// genesisTag is the part of the genesis hash bound into protocol and topic
// names: 8 bytes (16 hex digits) keep names short, since a topic name travels
// in every gossip message; the handshake compares the full hash.
func genesisTag(g types.Hash) string { return hex.EncodeToString(g[:8]) }

// helloAnyChain is the hello protocol without the genesis tag. It is offered
// after the chain's own, so that two nodes on different chains still exchange
// hellos and can log why they part, instead of a bare "protocol not
// supported".
const helloAnyChain protocol.ID = "/taod/hello/1"

// names are the protocol IDs and topic names of one chain.
type names struct {
	hello, sync, txs         protocol.ID
	tx, consensus, blockAnno string
}

func newNames(g types.Hash) names {
	p := "/taod/" + genesisTag(g)
	return names{
		hello:     protocol.ID(p + "/hello/1"),
		sync:      protocol.ID(p + "/sync/1"),
		txs:       protocol.ID(p + "/txs/1"),
		tx:        p + "/tx",
		consensus: p + "/consensus",
		blockAnno: p + "/block",
	}
}

// writeFrame writes uvarint(len(b)) || b.
func writeFrame(w io.Writer, b []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame of at most limit bytes. io.EOF means the stream
// ended cleanly before a frame; a frame cut short is io.ErrUnexpectedEOF; a
// bad or too large length is ErrMalformed or ErrFrameTooBig; other errors
// (deadlines, resets) come from the stream.
func readFrame(r *bufio.Reader, limit int) ([]byte, error) {
	var n uint64
	for i := 0; ; i++ {
		c, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && i > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if i == binary.MaxVarintLen64-1 && c > 1 {
			return nil, fmt.Errorf("%w: frame length overflows", ErrMalformed)
		}
		n |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if i > 0 && c == 0 {
				return nil, fmt.Errorf("%w: frame length not minimally encoded", ErrMalformed)
			}
			break
		}
	}
	if n > uint64(limit) {
		return nil, fmt.Errorf("%w: %d > %d bytes", ErrFrameTooBig, n, limit)
	}
	// Grow as bytes arrive rather than trusting the claimed length up front,
	// so a peer cannot make us allocate a large buffer and then stall.
	b, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if uint64(len(b)) != n {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

// Hello is what two peers tell each other when they connect.
type Hello struct {
	ChainID     uint64
	GenesisHash types.Hash
	Head        uint64 // height of the sender's last committed block
	Version     string
}

const maxHelloBytes = 512

// ErrWrongChain reports a peer on another chain (genesis or chain ID).
var ErrWrongChain = errors.New("p2p: peer is on another chain")

func encodeHello(h Hello) ([]byte, error) {
	if len(h.Version) > 128 {
		h.Version = h.Version[:128]
	}
	return rlp.EncodeToBytes(&h)
}

func decodeHello(b []byte) (Hello, error) {
	var h Hello
	if err := rlp.DecodeBytes(b, &h); err != nil {
		return Hello{}, fmt.Errorf("%w: hello: %v", ErrMalformed, err)
	}
	return h, nil
}

// consensusNonceLen is the publisher nonce prefixed to every consensus
// message, so that re-publishing the same payload (a re-broadcast vote) is a
// new gossip message rather than a duplicate that pubsub drops.
const consensusNonceLen = 8

// encodeTxBatch is the RLP list of the transactions' raw envelopes.
func encodeTxBatch(raws [][]byte) ([]byte, error) { return rlp.EncodeToBytes(raws) }

// decodeTxBatch splits a batch into raw envelopes; it does not decode them.
func decodeTxBatch(b []byte) ([][]byte, error) {
	var raws [][]byte
	if err := rlp.DecodeBytes(b, &raws); err != nil {
		return nil, fmt.Errorf("%w: tx batch: %v", ErrMalformed, err)
	}
	if len(raws) == 0 {
		return nil, fmt.Errorf("%w: empty tx batch", ErrMalformed)
	}
	return raws, nil
}

// batchOverhead bounds what one more item adds to an RLP list beyond its
// bytes (string header), plus slack for the list header.
const batchOverhead = 9

// syncRequest asks for Count blocks from height From.
type syncRequest struct {
	From  uint64
	Count uint64
}

const maxSyncRequestBytes = 32

// decodeSyncRequest decodes a request; any error wraps ErrMalformed.
func decodeSyncRequest(b []byte) (syncRequest, error) {
	var req syncRequest
	if err := rlp.DecodeBytes(b, &req); err != nil {
		return syncRequest{}, fmt.Errorf("%w: sync request: %v", ErrMalformed, err)
	}
	if req.Count == 0 {
		return syncRequest{}, fmt.Errorf("%w: sync request for 0 blocks", ErrMalformed)
	}
	return req, nil
}

// maxCommitBytes bounds an encoded commit in a sync record: room for far more
// signatures than any validator set holds.
const maxCommitBytes = 1 << 20

// syncRecord is one block of a sync response: the block's canonical encoding
// and the commit that finalised it.
type syncRecord struct {
	Block  rlp.RawValue
	Commit rlp.RawValue
}

func encodeSyncRecord(b *types.Block, c *types.Commit) ([]byte, error) {
	blk, err := b.Encode()
	if err != nil {
		return nil, err
	}
	com, err := rlp.EncodeToBytes(c)
	if err != nil {
		return nil, err
	}
	return rlp.EncodeToBytes(&syncRecord{Block: blk, Commit: com})
}

// decodeSyncRecord decodes a record (its txs through txs) and checks it in isolation: canonical
// encodings, the body against its header, and a commit for this very block.
// Whether the commit carries > 2/3 of the right validator set is for the
// caller (consensus.VerifyCommit).
func decodeSyncRecord(b []byte, txs *types.TxCache) (SyncedBlock, error) {
	var rec syncRecord
	if err := rlp.DecodeBytes(b, &rec); err != nil {
		return SyncedBlock{}, fmt.Errorf("%w: sync record: %v", ErrMalformed, err)
	}
	if len(rec.Commit) > maxCommitBytes {
		return SyncedBlock{}, fmt.Errorf("%w: commit of %d bytes", ErrMalformed, len(rec.Commit))
	}
	blk, err := types.DecodeBlockWith(rec.Block, txs)
	if err != nil {
		return SyncedBlock{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := blk.CheckBody(); err != nil {
		return SyncedBlock{}, fmt.Errorf("%w: block %d: %v", ErrMalformed, blk.Height(), err)
	}
	com := new(types.Commit)
	if err := rlp.DecodeBytes(rec.Commit, com); err != nil {
		return SyncedBlock{}, fmt.Errorf("%w: commit: %v", ErrMalformed, err)
	}
	if com.Height != blk.Height() || com.BlockHash != blk.Hash() {
		return SyncedBlock{}, fmt.Errorf("%w: commit for %d/%s sent with block %d/%s", ErrMalformed, com.Height, com.BlockHash, blk.Height(), blk.Hash())
	}
	return SyncedBlock{Block: blk, Commit: com}, nil
}
