package types

import (
	"bytes"
	"errors"
	"fmt"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
)

// MaxBlockSize bounds an encoded block.
const MaxBlockSize = 16 << 20

// ErrBlockTooLarge reports a block over MaxBlockSize.
var ErrBlockTooLarge = fmt.Errorf("types: block larger than %d bytes", MaxBlockSize)

// Upper bounds on the parts of an encoded block that a block's byte budget
// (chain.BlockBytes) does not count, so that a limit on the counted bytes
// bounds the whole encoding (MaxEncodedBlockSize). TestSizeBounds encodes
// the largest value of each and holds it under its bound.
const (
	// TxFramingBytes is the RLP string header of a tx envelope in a block:
	// envelopes are at most MaxTxSize (< 64 KiB) bytes, so 0xb9 and two
	// length bytes at most.
	TxFramingBytes = 3
	// MaxHeaderSize bounds an encoded Header: a list header, three uint64s,
	// an address and eight hashes.
	MaxHeaderSize = 3 + 3*9 + 21 + 8*33
	// MaxCommitSigSize bounds one CommitSig with a 65-byte signature, the
	// only kind a valid commit holds (Vote.Verify).
	MaxCommitSigSize = 2 + 21 + 67
	// MaxVoteSize bounds an encoded Vote with a 65-byte signature.
	MaxVoteSize = 3 + 2 + 9 + 5 + 33 + 21 + 67
	// listSlack bounds an RLP list header (one byte and up to 8 of length).
	listSlack = 9
)

// MaxCommitSize bounds an encoded Commit of at most sigs signatures.
func MaxCommitSize(sigs int) int { return listSlack + 9 + 5 + 33 + listSlack + sigs*MaxCommitSigSize }

// MaxEncodedBlockSize bounds the encoding of a block whose counted bytes
// (its txs' envelopes with TxFramingBytes each, and its evidence's
// encodings) are at most bodyBytes and whose LastCommit holds at most sigs
// signatures: the list headers, the header and the commit on top.
func MaxEncodedBlockSize(bodyBytes, sigs int) int {
	return listSlack + MaxHeaderSize + listSlack + bodyBytes + MaxCommitSize(sigs) + listSlack
}

// EmptyRoot is the root of an empty Merkle-Patricia trie: the tx and
// receipts roots of an empty block.
var EmptyRoot = ethtypes.EmptyRootHash

// Header is a block header (DESIGN.md §2). StateRoot is the block's own
// post-state. Time is the proposer's clock in Unix milliseconds.
type Header struct {
	ChainID            uint64
	Height             uint64
	Time               uint64
	ParentHash         Hash
	Proposer           Address
	TxRoot             Hash
	ReceiptsRoot       Hash
	StateRoot          Hash
	ValidatorsHash     Hash
	NextValidatorsHash Hash
	LastCommitHash     Hash
	EvidenceHash       Hash
}

// Hash is keccak256 of the header's RLP.
func (h *Header) Hash() Hash {
	b, err := rlp.EncodeToBytes(h)
	if err != nil {
		panic(fmt.Sprintf("types: encode header: %v", err)) // fixed-size fields cannot fail
	}
	return Keccak256(b)
}

// Block is a header with its transactions, the commit of its parent and the
// evidence of misbehaviour it carries. Treat it as immutable once built.
type Block struct {
	Header     Header
	Txs        []*Tx
	LastCommit *Commit
	Evidence   []Evidence

	hash Hash
	// enc is the block's canonical encoding, kept so that storing,
	// announcing or serving it does not encode it again. Set only by the
	// decoder and NewSealedBlock, before the block is shared.
	enc []byte
}

type wireBlock struct {
	Header     Header
	Txs        [][]byte
	LastCommit Commit
	Evidence   []Evidence
}

// NewBlock assembles a block and caches its hash.
func NewBlock(h Header, txs []*Tx, lastCommit *Commit, ev []Evidence) *Block {
	b := &Block{Header: h, Txs: txs, LastCommit: lastCommit, Evidence: ev}
	b.hash = h.Hash()
	return b
}

// NewSealedBlock is NewBlock that also encodes the block once, for a
// proposer: its Encode (the proposal, the WAL's lock record, the store, the
// announcement) then returns that encoding instead of encoding again. Do
// not change the block afterwards.
func NewSealedBlock(h Header, txs []*Tx, lastCommit *Commit, ev []Evidence) (*Block, error) {
	b := NewBlock(h, txs, lastCommit, ev)
	enc, err := b.encode()
	if err != nil {
		return nil, fmt.Errorf("types: encode block %d: %w", h.Height, err)
	}
	b.enc = enc
	return b, nil
}

// Hash is the header's hash.
func (b *Block) Hash() Hash {
	if b.hash == (Hash{}) {
		b.hash = b.Header.Hash()
	}
	return b.hash
}

// Height is the header's height.
func (b *Block) Height() uint64 { return b.Header.Height }

// Encode returns the block's canonical RLP. For a decoded block it is the
// bytes it was decoded from (the caller must not modify them).
func (b *Block) Encode() ([]byte, error) {
	if b.enc != nil {
		return b.enc, nil
	}
	return b.encode()
}

func (b *Block) encode() ([]byte, error) {
	w := wireBlock{Header: b.Header, Evidence: b.Evidence}
	if b.LastCommit != nil {
		w.LastCommit = *b.LastCommit
	}
	w.Txs = make([][]byte, len(b.Txs))
	for i, tx := range b.Txs {
		w.Txs[i] = tx.Bytes()
	}
	return rlp.EncodeToBytes(&w)
}

// DecodeBlock decodes a block, its transactions and its commit. It checks
// form only (sizes, canonical encoding, signatures' shape), not validity.
func DecodeBlock(b []byte) (*Block, error) { return DecodeBlockWith(b, nil) }

// DecodeBlockWith is DecodeBlock with the transactions decoded through txs
// (TxCache.Decode): those the node has decoded already cost a keccak each.
// It accepts and refuses exactly what DecodeBlock does.
func DecodeBlockWith(b []byte, txs *TxCache) (*Block, error) {
	return decodeBlock(b, txs.Decode)
}

// DecodeStoredBlock is DecodeBlockWith for blocks read back from disk: it
// finds txs in the cache but does not add them (TxCache.Peek), so that a
// scan of old blocks does not flush the txs in flight.
func DecodeStoredBlock(b []byte, txs *TxCache) (*Block, error) {
	return decodeBlock(b, txs.Peek)
}

func decodeBlock(b []byte, decodeTx func([]byte) (*Tx, error)) (*Block, error) {
	if len(b) > MaxBlockSize {
		return nil, ErrBlockTooLarge
	}
	var w wireBlock
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("types: decode block: %w", err)
	}
	list := make([]*Tx, len(w.Txs))
	for i, raw := range w.Txs {
		tx, err := decodeTx(raw)
		if err != nil {
			return nil, fmt.Errorf("types: block tx %d: %w", i, err)
		}
		list[i] = tx
	}
	blk := NewBlock(w.Header, list, &w.LastCommit, w.Evidence)
	if w.Evidence == nil {
		blk.Evidence = nil
	}
	// The re-encode writes each tx's envelope as it came (Tx.Bytes); only
	// the block's own framing, header, commit and evidence are encoded.
	again, err := blk.encode()
	if err != nil || !bytes.Equal(again, b) {
		return nil, ErrNonCanonical
	}
	blk.enc = again // ours, unlike b, and equal to it
	return blk, nil
}

// DecodeHeader reads only the header of an encoded block: enough to tell a
// block already held (by height and hash) without decoding its body. It
// checks that b starts as a block does, not that the rest is well formed.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) > MaxBlockSize {
		return Header{}, ErrBlockTooLarge
	}
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return Header{}, fmt.Errorf("types: decode block: %w", err)
	}
	_, _, rest, err := rlp.Split(content)
	if err != nil {
		return Header{}, fmt.Errorf("types: decode block header: %w", err)
	}
	var h Header
	if err := rlp.DecodeBytes(content[:len(content)-len(rest)], &h); err != nil {
		return Header{}, fmt.Errorf("types: decode block header: %w", err)
	}
	return h, nil
}

// txList adapts transactions to go-ethereum's DeriveSha.
type txList []*Tx

func (l txList) Len() int                           { return len(l) }
func (l txList) EncodeIndex(i int, w *bytes.Buffer) { w.Write(l[i].Bytes()) }

// TxRoot is the Merkle-Patricia root of the transactions' encodings by index,
// as Ethereum computes its transactions root, so inclusion can be proven.
func TxRoot(txs []*Tx) Hash { return ethtypes.DeriveSha(txList(txs), trie.NewStackTrie(nil)) }

// EvidenceHash commits to a block's evidence list.
func EvidenceHash(ev []Evidence) Hash {
	if ev == nil {
		ev = []Evidence{}
	}
	b, err := rlp.EncodeToBytes(ev)
	if err != nil {
		panic(fmt.Sprintf("types: encode evidence: %v", err))
	}
	return Keccak256(b)
}

// Validator is a member of the BFT validator set: the address of its
// consensus key and its voting power.
type Validator struct {
	Address Address
	Power   uint64
}

// ValidatorsHash commits to an ordered validator set.
func ValidatorsHash(vals []Validator) Hash {
	if vals == nil {
		vals = []Validator{}
	}
	b, err := rlp.EncodeToBytes(vals)
	if err != nil {
		panic(fmt.Sprintf("types: encode validators: %v", err))
	}
	return Keccak256(b)
}

// ErrBadHeader reports a header whose fields contradict each other or its body.
var ErrBadHeader = errors.New("types: bad header")

// CheckBody verifies that the header commits to the block's transactions,
// commit and evidence.
func (b *Block) CheckBody() error {
	if got := TxRoot(b.Txs); got != b.Header.TxRoot {
		return fmt.Errorf("%w: tx root %s, header says %s", ErrBadHeader, got, b.Header.TxRoot)
	}
	if got := b.LastCommit.Hash(); got != b.Header.LastCommitHash {
		return fmt.Errorf("%w: last commit hash %s, header says %s", ErrBadHeader, got, b.Header.LastCommitHash)
	}
	if got := EvidenceHash(b.Evidence); got != b.Header.EvidenceHash {
		return fmt.Errorf("%w: evidence hash %s, header says %s", ErrBadHeader, got, b.Header.EvidenceHash)
	}
	return nil
}
