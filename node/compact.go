package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// Compact proposals (docs/notes/compact-blocks.md) are a wire form of the
// node, not of consensus: a proposal travels as its signed proposal, proof of
// lock, block header, last commit, evidence and the ordered hashes of its
// txs. The receiving gate authenticates it as it would the full form, finds
// the txs in its pool (or recent proposals), fetches the rest from the peer
// that relayed it, rebuilds the block and hands the engine the same
// consensus.Message the full form decodes to. The block hash is the
// header's, so it is checked before any tx is looked at; the txs are bound to
// the header by its tx root, checked once the block is rebuilt.

// kindCompactProposal is the compact form's kind byte, beside the engine's
// (0x01 proposal, 0x02 vote): DecodeMessage refuses it as unknown, so a node
// without compact support rejects it rather than misreading it.
const kindCompactProposal byte = 0x03

type wireCompact struct {
	Proposal   consensus.Proposal
	Header     types.Header
	LastCommit types.Commit
	Evidence   []types.Evidence
	TxHashes   []types.Hash
	POL        []*types.Vote
}

// encodeCompact returns the compact wire form of a proposal message.
func encodeCompact(m consensus.Message) ([]byte, error) {
	if m.Proposal == nil || m.Block == nil || m.Vote != nil {
		return nil, fmt.Errorf("%w: compact form is for proposals", consensus.ErrBadMessage)
	}
	b := m.Block
	w := wireCompact{Proposal: *m.Proposal, Header: b.Header, Evidence: b.Evidence, POL: m.POL}
	if b.LastCommit != nil {
		w.LastCommit = *b.LastCommit
	}
	w.TxHashes = make([]types.Hash, len(b.Txs))
	for i, tx := range b.Txs {
		w.TxHashes[i] = tx.Hash()
	}
	enc, err := rlp.EncodeToBytes(&w)
	if err != nil {
		return nil, fmt.Errorf("node: encode compact proposal: %w", err)
	}
	return append([]byte{kindCompactProposal}, enc...), nil
}

// compactProposal is a decoded compact proposal: the message with a block
// that has no txs yet, and the hashes of the txs it stands for.
type compactProposal struct {
	msg    consensus.Message
	hashes []types.Hash
}

// errCompact reports a compact proposal that is malformed.
var errCompact = errors.New("node: malformed compact proposal")

// decodeCompact decodes a compact proposal of at most maxTxs tx hashes.
func decodeCompact(b []byte, maxTxs int) (compactProposal, error) {
	if len(b) < 2 || b[0] != kindCompactProposal || len(b) > consensus.MaxMessageSize {
		return compactProposal{}, fmt.Errorf("%w: kind or size", errCompact)
	}
	var w wireCompact
	if err := rlp.DecodeBytes(b[1:], &w); err != nil {
		return compactProposal{}, fmt.Errorf("%w: %v", errCompact, err)
	}
	if len(w.TxHashes) > maxTxs {
		return compactProposal{}, fmt.Errorf("%w: %d tx hashes, limit %d", errCompact, len(w.TxHashes), maxTxs)
	}
	if len(w.POL) == 0 {
		w.POL = nil
	}
	if len(w.Evidence) == 0 {
		w.Evidence = nil // as types.DecodeBlock leaves an empty list
	}
	blk := types.NewBlock(w.Header, nil, &w.LastCommit, w.Evidence)
	return compactProposal{msg: consensus.Message{Proposal: &w.Proposal, Block: blk, POL: w.POL}, hashes: w.TxHashes}, nil
}

// fullSize is the size of a proposal's full form, from its compact size and
// txs (metrics only: exact up to the length of two list headers).
func fullSize(compactLen int, txs []*types.Tx) int {
	body := 0
	for _, tx := range txs {
		body += rlpHeaderLen(len(tx.Bytes())) + len(tx.Bytes())
	}
	hashes := 33 * len(txs)
	return compactLen - hashes - rlpHeaderLen(hashes) + body + rlpHeaderLen(body)
}

func rlpHeaderLen(n int) int {
	h := 1
	if n >= 56 {
		for ; n > 0; n >>= 8 {
			h++
		}
	}
	return h
}

// Bounds of the recent proposal blocks kept to resolve and serve txs.
const (
	maxRecentBlocks = 8
	maxRecentBytes  = 64 << 20
)

// recentBlocks keeps the last proposal blocks this node sent or checked
// (their txs match their header), so
// that their txs can be served to peers completing the same proposal (a
// relayed proposal's txs need not be in the pool: they may have been
// fetched) and a re-broadcast proposal is rebuilt without a lookup per tx.
type recentBlocks struct {
	mu struct {
		sync.Mutex
		blocks []recentBlock // oldest first
		bytes  int
	}
}

type recentBlock struct {
	b     *types.Block
	txs   map[types.Hash]*types.Tx
	bytes int
}

func (r *recentBlocks) add(b *types.Block) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hash := b.Hash()
	for _, e := range r.mu.blocks {
		if e.b.Hash() == hash {
			return // its txs are fixed by the header (callers add checked blocks)
		}
	}
	e := recentBlock{b: b, txs: make(map[types.Hash]*types.Tx, len(b.Txs))}
	for _, tx := range b.Txs {
		e.txs[tx.Hash()] = tx
		e.bytes += len(tx.Bytes())
	}
	r.mu.blocks = append(r.mu.blocks, e)
	r.mu.bytes += e.bytes
	for len(r.mu.blocks) > maxRecentBlocks || (r.mu.bytes > maxRecentBytes && len(r.mu.blocks) > 1) {
		r.mu.bytes -= r.mu.blocks[0].bytes
		r.mu.blocks[0] = recentBlock{}
		r.mu.blocks = r.mu.blocks[1:]
	}
}

// block returns a kept block by hash.
func (r *recentBlocks) block(h types.Hash) (*types.Block, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.mu.blocks {
		if e.b.Hash() == h {
			return e.b, true
		}
	}
	return nil, false
}

// Get implements p2p.TxSource over the kept blocks.
func (r *recentBlocks) Get(h types.Hash) (*types.Tx, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.mu.blocks) - 1; i >= 0; i-- {
		if tx, ok := r.mu.blocks[i].txs[h]; ok {
			return tx, true
		}
	}
	return nil, false
}

// txSources looks txs up in each source in turn.
type txSources []p2p.TxSource

func (s txSources) Get(h types.Hash) (*types.Tx, bool) {
	for _, src := range s {
		if tx, ok := src.Get(h); ok {
			return tx, true
		}
	}
	return nil, false
}

// txFetcher fetches txs from a peer: *p2p.Host.FetchTxs.
type txFetcher func(ctx context.Context, p p2p.PeerID, hashes []types.Hash) ([]*types.Tx, error)

// compactIn is what the gate needs to complete compact proposals.
type compactIn struct {
	// maxTxs is the chain's max_block_txs now: a proposal naming more txs
	// proposes a block no validator can accept. Read per message, so a
	// governance change of the limit needs no restart.
	maxTxs func() int
	txs    p2p.TxSource // the pool and recent
	recent *recentBlocks
	fetch  txFetcher // nil: missing txs are not fetched
	met    *compactMetrics
}

// checkWire judges a consensus message in either wire form: the engine's, or
// a compact proposal, which it completes (fetching from `from`, the peer
// that relayed it). Accepted proposals are kept in recent, from where this
// node serves their txs once it relays them.
func (g *gossipGate) checkWire(from p2p.PeerID, b []byte) (p2p.Verdict, consensus.Message) {
	c := g.compact
	if c == nil || len(b) == 0 || b[0] != kindCompactProposal {
		v, m := g.checkMessage(b)
		if v == p2p.Accept && m.Proposal != nil && c != nil {
			// recent holds only blocks whose txs match their header, so
			// that a compact proposal differing from one is provably bad.
			if m.Block.CheckBody() != nil {
				return p2p.Reject, m
			}
			c.recent.add(m.Block)
		}
		return v, m
	}
	cp, err := decodeCompact(b, c.maxTxs())
	if err != nil {
		return p2p.Reject, consensus.Message{}
	}
	m := cp.msg
	if m.Block.Header.ChainID != g.chainID || !wellFormed(m) {
		return p2p.Reject, m
	}
	if v := g.judge(m); v != p2p.Accept {
		return v, m
	}
	blk, v := c.complete(from, m.Block, cp.hashes)
	if v != p2p.Accept {
		return v, m
	}
	c.met.in(len(b), blk.Txs)
	m.Block = blk
	return p2p.Accept, m
}

// complete rebuilds the block of an authenticated compact proposal whose
// header is hdr. A tx list that does not match the header's tx root is
// Reject: whoever sent it wrote it (honest nodes relay only what they
// rebuilt and checked). Txs neither held nor fetched are Ignore: the relayer
// may simply have lost them.
func (c *compactIn) complete(from p2p.PeerID, hdr *types.Block, hashes []types.Hash) (*types.Block, p2p.Verdict) {
	if b, ok := c.recent.block(hdr.Hash()); ok {
		// A re-broadcast, or a tx list that cannot match the header: the
		// kept block's txs do, and a header fixes its txs (its tx root).
		// Refused before any fetch, so a relayer cannot make us wait on
		// copies of a known proposal with altered hashes.
		if !sameTxs(b.Txs, hashes) {
			c.met.result("mismatch")
			return nil, p2p.Reject
		}
		return b, p2p.Accept
	}
	txs := make([]*types.Tx, len(hashes))
	var missing []types.Hash
	for i, h := range hashes {
		if tx, ok := c.txs.Get(h); ok {
			txs[i] = tx
		} else {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		if c.fetch == nil {
			c.met.result("unresolved")
			return nil, p2p.Ignore
		}
		got, err := c.fetch(context.Background(), from, missing)
		if err != nil || len(got) != len(missing) {
			c.met.result("unresolved")
			return nil, p2p.Ignore
		}
		j := 0
		for i := range txs {
			if txs[i] != nil {
				continue
			}
			if got[j] == nil {
				c.met.result("unresolved")
				return nil, p2p.Ignore
			}
			txs[i] = got[j]
			j++
		}
		c.met.fetched.Add(float64(len(missing)))
	}
	b := types.NewBlock(hdr.Header, txs, hdr.LastCommit, hdr.Evidence)
	if b.CheckBody() != nil {
		c.met.result("mismatch")
		return nil, p2p.Reject
	}
	if len(missing) > 0 {
		c.met.result("fetched")
	} else {
		c.met.result("local")
	}
	c.recent.add(b)
	return b, p2p.Accept
}

func sameTxs(txs []*types.Tx, hashes []types.Hash) bool {
	if len(txs) != len(hashes) {
		return false
	}
	for i, tx := range txs {
		if tx.Hash() != hashes[i] {
			return false
		}
	}
	return true
}
