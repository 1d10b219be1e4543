package consensus

import (
	"crypto/ecdsa"
	"fmt"
	"math"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

// NoRound stands for "no round": a proposal without a proof-of-lock round, or
// an engine with no locked or valid value (−1 in the Tendermint paper).
const NoRound uint32 = math.MaxUint32

// MaxMessageSize bounds an encoded Message: a proposal with a maximal block.
const MaxMessageSize = types.MaxBlockSize + 1<<12

// Proposal is the signed part of a proposal: the proposer of (Height, Round)
// proposes the block with hash BlockHash. POLRound is the round of the
// proof-of-lock (> 2/3 prevotes) the proposer holds for that block when it
// re-proposes its valid value, or NoRound. The block itself travels beside it
// in a Message and is not signed: its hash is.
type Proposal struct {
	Height    uint64
	Round     uint32
	POLRound  uint32
	BlockHash types.Hash
	Proposer  types.Address
	Signature []byte // 65-byte recoverable secp256k1 signature by Proposer
}

type proposalSignBytes struct {
	Domain    string
	ChainID   uint64
	Height    uint64
	Round     uint32
	POLRound  uint32
	BlockHash types.Hash
}

// SignHash is the digest a proposal's signature covers. Its domain differs
// from votes', so one can never pass for the other.
func (p *Proposal) SignHash(chainID uint64) types.Hash {
	b, _ := rlp.EncodeToBytes(&proposalSignBytes{"taod/proposal", chainID, p.Height, p.Round, p.POLRound, p.BlockHash})
	return types.Keccak256(b)
}

// Sign fills in Proposer and Signature with key.
func (p *Proposal) Sign(chainID uint64, key *ecdsa.PrivateKey) error {
	h := p.SignHash(chainID)
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return fmt.Errorf("consensus: sign proposal: %w", err)
	}
	p.Proposer = crypto.PubkeyToAddress(key.PublicKey)
	p.Signature = sig
	return nil
}

// Verify checks that the signature is a low-S signature by p.Proposer.
func (p *Proposal) Verify(chainID uint64) error { return p.VerifyWith(chainID, nil) }

// VerifyWith is Verify recovering the signer through cache (nil: none).
func (p *Proposal) VerifyWith(chainID uint64, cache *types.SigCache) error {
	return verifySig(cache, p.SignHash(chainID), p.Signature, p.Proposer)
}

func verifySig(cache *types.SigCache, h types.Hash, sig []byte, signer types.Address) error {
	got, err := cache.Recover(h, sig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if got != signer {
		return fmt.Errorf("%w: not signed by %s", ErrBadSignature, signer)
	}
	return nil
}

// Msg is an input to Engine.Step: a Message from a peer, a Decision from
// block sync, or the driver's answer to a Ready (ProposalBlock, Validated).
type Msg interface{ isMsg() }

// Message is what validators gossip: a signed Proposal with its Block, or a
// signed Vote. Exactly one of Proposal and Vote is set.
//
// A re-proposal (POLRound set) carries its proof of lock: the prevotes of
// POLRound for the block. Validators that missed them could not prevote the
// block otherwise, and the votes of a past round are not gossiped again, so
// without them a round could fail forever with locked and unlocked
// validators each short of 2/3.
type Message struct {
	Proposal *Proposal
	Block    *types.Block  // with Proposal only
	POL      []*types.Vote // with a re-proposal only
	Vote     *types.Vote
}

// ProposalBlock answers Ready.NeedProposal: the block the driver built for
// (Height, Round), already executed by it. The engine signs and sends it.
type ProposalBlock struct {
	Height uint64
	Round  uint32
	Block  *types.Block
}

// Validated answers one block of Ready.ToValidate: whether executing it
// succeeded and its header matched (DESIGN.md §2).
type Validated struct {
	Height uint64
	Hash   types.Hash
	Valid  bool
}

// Decision is a finalised block with the commit that proves it: > 2/3 of its
// height's voting power precommitted it. The engine emits it in Ready.Commit
// and accepts it from block sync through Step.
type Decision struct {
	Block  *types.Block
	Commit *types.Commit
}

func (Message) isMsg()       {}
func (ProposalBlock) isMsg() {}
func (Validated) isMsg()     {}
func (Decision) isMsg()      {}

// Height is the height the message is about.
func (m Message) Height() uint64 {
	switch {
	case m.Proposal != nil:
		return m.Proposal.Height
	case m.Vote != nil:
		return m.Vote.Height
	}
	return 0
}

// Wire and WAL kinds. A Record's proposal carries no block.
const (
	kindProposalMsg    byte = 0x01
	kindVoteMsg        byte = 0x02
	kindProposalRecord byte = 0x11
	kindVoteRecord     byte = 0x12
	kindLockRecord     byte = 0x13
)

type wireLock struct {
	Vote  types.Vote
	Block []byte
	POL   []*types.Vote
}

type wireProposal struct {
	Proposal Proposal
	Block    []byte
	POL      []*types.Vote
}

// Encode returns the message's wire form: a kind byte and canonical RLP.
func (m Message) Encode() ([]byte, error) {
	switch {
	case m.Proposal != nil && m.Block != nil && m.Vote == nil:
		blk, err := m.Block.Encode()
		if err != nil {
			return nil, fmt.Errorf("consensus: encode proposal block: %w", err)
		}
		b, err := rlp.EncodeToBytes(&wireProposal{*m.Proposal, blk, m.POL})
		if err != nil {
			return nil, fmt.Errorf("consensus: encode proposal: %w", err)
		}
		return append([]byte{kindProposalMsg}, b...), nil
	case m.Vote != nil && m.Proposal == nil && m.Block == nil && m.POL == nil:
		b, err := rlp.EncodeToBytes(m.Vote)
		if err != nil {
			return nil, fmt.Errorf("consensus: encode vote: %w", err)
		}
		return append([]byte{kindVoteMsg}, b...), nil
	}
	return nil, fmt.Errorf("%w: need a proposal with its block, or a vote", ErrBadMessage)
}

// DecodeMessage decodes a message written by Encode. It checks form only;
// signatures are checked by the engine.
func DecodeMessage(b []byte) (Message, error) { return DecodeMessageWith(b, nil) }

// DecodeMessageWith is DecodeMessage with a proposal's txs decoded through
// txs (types.DecodeBlockWith): a node that has seen them by gossip does not
// decode them again.
func DecodeMessageWith(b []byte, txs *types.TxCache) (Message, error) {
	if len(b) < 2 || len(b) > MaxMessageSize {
		return Message{}, fmt.Errorf("%w: size %d", ErrBadMessage, len(b))
	}
	switch b[0] {
	case kindProposalMsg:
		var w wireProposal
		if err := rlp.DecodeBytes(b[1:], &w); err != nil {
			return Message{}, fmt.Errorf("%w: proposal: %v", ErrBadMessage, err)
		}
		blk, err := types.DecodeBlockWith(w.Block, txs)
		if err != nil {
			return Message{}, fmt.Errorf("%w: proposal block: %v", ErrBadMessage, err)
		}
		if len(w.POL) == 0 {
			w.POL = nil
		}
		return Message{Proposal: &w.Proposal, Block: blk, POL: w.POL}, nil
	case kindVoteMsg:
		v := new(types.Vote)
		if err := rlp.DecodeBytes(b[1:], v); err != nil {
			return Message{}, fmt.Errorf("%w: vote: %v", ErrBadMessage, err)
		}
		return Message{Vote: v}, nil
	}
	return Message{}, fmt.Errorf("%w: unknown kind 0x%02x", ErrBadMessage, b[0])
}

// Record is one entry of the write-ahead log of own signed messages: a vote,
// or a proposal without its block. Exactly one of Proposal and Vote is set.
//
// A precommit for a block locks the engine on it. Its record also holds the
// block and the prevotes that justify the lock (Block, POL): a restarted
// engine must keep its lock, or it could help decide a second value, and to
// keep it alive it must also be able to re-propose the block and show why.
type Record struct {
	Proposal *Proposal
	Vote     *types.Vote
	Block    *types.Block  // with a non-nil precommit only
	POL      []*types.Vote // with a non-nil precommit only
}

// Height is the height of the signed message.
func (r Record) Height() uint64 {
	if r.Proposal != nil {
		return r.Proposal.Height
	}
	return r.Vote.Height
}

func (r Record) round() uint32 {
	if r.Proposal != nil {
		return r.Proposal.Round
	}
	return r.Vote.Round
}

func (r Record) signer() types.Address {
	if r.Proposal != nil {
		return r.Proposal.Proposer
	}
	return r.Vote.Validator
}

// Encode returns the record's WAL form: a kind byte and canonical RLP.
func (r Record) Encode() ([]byte, error) {
	var (
		kind byte
		val  any
	)
	switch {
	case r.Proposal != nil && r.Vote == nil && r.Block == nil && r.POL == nil:
		kind, val = kindProposalRecord, r.Proposal
	case r.Vote != nil && r.Proposal == nil && r.Block == nil && r.POL == nil:
		kind, val = kindVoteRecord, r.Vote
	case r.Vote != nil && r.Proposal == nil && r.Block != nil && r.Vote.Type == types.Precommit && r.Vote.BlockHash == r.Block.Hash():
		blk, err := r.Block.Encode()
		if err != nil {
			return nil, fmt.Errorf("consensus: encode locked block: %w", err)
		}
		kind, val = kindLockRecord, &wireLock{*r.Vote, blk, r.POL}
	default:
		return nil, fmt.Errorf("%w: record needs a proposal, a vote, or a precommit with its block", ErrBadMessage)
	}
	b, err := rlp.EncodeToBytes(val)
	if err != nil {
		return nil, fmt.Errorf("consensus: encode record: %w", err)
	}
	return append([]byte{kind}, b...), nil
}

// DecodeRecord decodes a record written by Record.Encode.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) < 2 {
		return Record{}, fmt.Errorf("%w: record of %d bytes", ErrBadMessage, len(b))
	}
	switch b[0] {
	case kindProposalRecord:
		p := new(Proposal)
		if err := rlp.DecodeBytes(b[1:], p); err != nil {
			return Record{}, fmt.Errorf("%w: proposal record: %v", ErrBadMessage, err)
		}
		return Record{Proposal: p}, nil
	case kindVoteRecord:
		v := new(types.Vote)
		if err := rlp.DecodeBytes(b[1:], v); err != nil {
			return Record{}, fmt.Errorf("%w: vote record: %v", ErrBadMessage, err)
		}
		if v.Type != types.Prevote && v.Type != types.Precommit {
			return Record{}, fmt.Errorf("%w: vote record of type %d", ErrBadMessage, v.Type)
		}
		return Record{Vote: v}, nil
	case kindLockRecord:
		var w wireLock
		if err := rlp.DecodeBytes(b[1:], &w); err != nil {
			return Record{}, fmt.Errorf("%w: lock record: %v", ErrBadMessage, err)
		}
		blk, err := types.DecodeBlock(w.Block)
		if err != nil {
			return Record{}, fmt.Errorf("%w: lock record block: %v", ErrBadMessage, err)
		}
		if w.Vote.Type != types.Precommit || w.Vote.BlockHash != blk.Hash() {
			return Record{}, fmt.Errorf("%w: lock record is not a precommit for its block", ErrBadMessage)
		}
		if len(w.POL) == 0 {
			w.POL = nil
		}
		return Record{Vote: &w.Vote, Block: blk, POL: w.POL}, nil
	}
	return Record{}, fmt.Errorf("%w: unknown record kind 0x%02x", ErrBadMessage, b[0])
}
