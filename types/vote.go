package types

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// VoteType is the step a vote belongs to.
type VoteType uint8

const (
	Prevote   VoteType = 1
	Precommit VoteType = 2
)

func (t VoteType) String() string {
	switch t {
	case Prevote:
		return "prevote"
	case Precommit:
		return "precommit"
	}
	return fmt.Sprintf("VoteType(%d)", uint8(t))
}

var (
	ErrVoteSignature = errors.New("types: vote signature does not match its validator")
	ErrBadVote       = errors.New("types: malformed vote")
)

// Vote is a signed BFT vote. A zero BlockHash is a vote for nil. The
// signature is by the validator's consensus key, whose address is Validator.
type Vote struct {
	Type      VoteType
	Height    uint64
	Round     uint32
	BlockHash Hash
	Validator Address
	Signature []byte // 65-byte recoverable secp256k1 signature
}

type voteSignBytes struct {
	Domain    string
	ChainID   uint64
	Type      uint8
	Height    uint64
	Round     uint32
	BlockHash Hash
}

// SignHash is the digest a vote's signature covers. The domain string and
// chain ID keep votes from being replayed as anything else or elsewhere.
func (v *Vote) SignHash(chainID uint64) Hash {
	b, _ := rlp.EncodeToBytes(&voteSignBytes{"taod/vote", chainID, uint8(v.Type), v.Height, v.Round, v.BlockHash})
	return Keccak256(b)
}

// Sign fills in Validator and Signature with key.
func (v *Vote) Sign(chainID uint64, key *ecdsa.PrivateKey) error {
	h := v.SignHash(chainID)
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return fmt.Errorf("types: sign vote: %w", err)
	}
	v.Validator = crypto.PubkeyToAddress(key.PublicKey)
	v.Signature = sig
	return nil
}

// Verify checks that the signature is a low-S signature by v.Validator.
func (v *Vote) Verify(chainID uint64) error { return v.VerifyWith(chainID, nil) }

// VerifyWith is Verify recovering the signer through cache (nil: none).
func (v *Vote) VerifyWith(chainID uint64, cache *SigCache) error {
	if v.Type != Prevote && v.Type != Precommit {
		return fmt.Errorf("%w: type %d", ErrBadVote, v.Type)
	}
	if len(v.Signature) != 65 || v.Signature[64] > 1 {
		return fmt.Errorf("%w: signature must be 65 bytes", ErrBadVote)
	}
	signer, err := cache.Recover(v.SignHash(chainID), v.Signature)
	if err != nil || signer != v.Validator {
		return ErrVoteSignature
	}
	return nil
}

// ErrSigShape is a signature that is not 65 bytes with a recovery id of 0 or
// 1 and low-S values: refused before any recovery.
var ErrSigShape = errors.New("types: signature must be 65 bytes, low-S, recovery id 0 or 1")

// RecoverSigner returns the address that signed digest with sig (65-byte
// recoverable secp256k1, low-S). It remembers nothing: a node that checks a
// signature more than once recovers through its SigCache. Callers compare
// the result with the claimed signer; digests carry their own domain (votes,
// proposals), so one kind cannot pass for another.
func RecoverSigner(digest Hash, sig []byte) (Address, error) {
	if err := checkSigShape(sig); err != nil {
		return Address{}, err
	}
	return recoverShaped(digest, sig)
}

// checkSigShape refuses, before any recovery, a signature that is not 65
// bytes with a recovery id of 0 or 1 and low-S values.
func checkSigShape(sig []byte) error {
	if len(sig) != 65 || sig[64] > 1 {
		return ErrSigShape
	}
	if !crypto.ValidateSignatureValues(sig[64], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64]), true) {
		return ErrSigShape
	}
	return nil
}

// recoverShaped recovers the signer of a signature checkSigShape accepted.
func recoverShaped(digest Hash, sig []byte) (Address, error) {
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil {
		return Address{}, ErrVoteSignature
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// CommitSig is one validator's precommit signature inside a commit.
type CommitSig struct {
	Validator Address
	Signature []byte
}

// Commit is the set of precommits that finalised a block: > 2/3 of the voting
// power of the height's validator set. The genesis block has an empty commit.
type Commit struct {
	Height     uint64
	Round      uint32
	BlockHash  Hash
	Signatures []CommitSig
}

// Hash commits to the commit's content; a nil commit hashes as an empty one.
func (c *Commit) Hash() Hash {
	if c == nil {
		c = &Commit{}
	}
	b, err := rlp.EncodeToBytes(c)
	if err != nil {
		panic(fmt.Sprintf("types: encode commit: %v", err))
	}
	return Keccak256(b)
}

// Vote returns the precommit that signature i stands for.
func (c *Commit) Vote(i int) Vote {
	s := c.Signatures[i]
	return Vote{Type: Precommit, Height: c.Height, Round: c.Round, BlockHash: c.BlockHash, Validator: s.Validator, Signature: s.Signature}
}

// Evidence proves misbehaviour: two different signed votes by one consensus
// key at one height, round and type.
type Evidence struct {
	A, B Vote
}

// SameOffence reports whether e and o accuse the same key at the same
// height: the chain slashes once per (key, height), so either one suffices.
func (e *Evidence) SameOffence(o *Evidence) bool {
	return e.A.Validator == o.A.Validator && e.A.Height == o.A.Height
}
