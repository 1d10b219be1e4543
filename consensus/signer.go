package consensus

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

// Signer signs with this node's consensus key (DESIGN.md §4). Signing is pure
// computation; the engine's double-sign protection sits in front of it, so a
// Signer is never asked for two different messages at one height, round and
// step. A remote signer may keep its own watermark as a second line.
type Signer interface {
	// Address is the consensus key's address, as it appears in validator sets.
	Address() types.Address
	// SignVote fills in v.Validator and v.Signature.
	SignVote(v *types.Vote) error
	// SignProposal fills in p.Proposer and p.Signature.
	SignProposal(p *Proposal) error
}

// Verifier checks other validators' signatures. The driver may pass one that
// remembers what its p2p layer already verified before forwarding.
type Verifier interface {
	VerifyVote(v *types.Vote) error
	VerifyProposal(p *Proposal) error
}

// KeySigner signs with an in-memory secp256k1 key.
type KeySigner struct {
	chainID uint64
	key     *ecdsa.PrivateKey
	addr    types.Address
}

// NewKeySigner returns a Signer for key on chainID.
func NewKeySigner(chainID uint64, key *ecdsa.PrivateKey) *KeySigner {
	return &KeySigner{chainID: chainID, key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}
}

// Address implements Signer.
func (s *KeySigner) Address() types.Address { return s.addr }

// SignVote implements Signer.
func (s *KeySigner) SignVote(v *types.Vote) error { return v.Sign(s.chainID, s.key) }

// SignProposal implements Signer.
func (s *KeySigner) SignProposal(p *Proposal) error { return p.Sign(s.chainID, s.key) }

// SigVerifier checks secp256k1 signatures on ChainID.
type SigVerifier struct{ ChainID uint64 }

// VerifyVote implements Verifier.
func (s SigVerifier) VerifyVote(v *types.Vote) error {
	if err := v.Verify(s.ChainID); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// VerifyProposal implements Verifier.
func (s SigVerifier) VerifyProposal(p *Proposal) error { return p.Verify(s.ChainID) }

// VerifyCommit checks that commit holds valid precommits for hash at height
// from distinct members of vals carrying more than 2/3 of its power. It is
// what the engine checks of a Decision from block sync.
func VerifyCommit(ver Verifier, vals *ValidatorSet, height uint64, hash types.Hash, commit *types.Commit) error {
	if commit == nil || commit.Height != height || commit.BlockHash != hash || hash == (types.Hash{}) {
		return fmt.Errorf("%w: commit is for another block", ErrBadCommit)
	}
	if err := commitForm(vals, commit); err != nil {
		return err
	}
	for i := range commit.Signatures {
		v := commit.Vote(i)
		if err := ver.VerifyVote(&v); err != nil {
			return fmt.Errorf("%w: signature %d: %v", ErrBadCommit, i, err)
		}
	}
	return nil
}

// commitForm checks what a commit's form says before any signature is
// recovered: at most one signature per validator, each by a distinct member
// of vals, naming more than 2/3 of its power. A commit that fails costs no
// recovery, and one that passes costs at most vals.Len().
func commitForm(vals *ValidatorSet, commit *types.Commit) error {
	if len(commit.Signatures) > vals.Len() {
		return fmt.Errorf("%w: %d signatures for %d validators", ErrBadCommit, len(commit.Signatures), vals.Len())
	}
	seen := make([]bool, vals.Len())
	var signed uint64
	for i, s := range commit.Signatures {
		idx, ok := vals.Index(s.Validator)
		if !ok || seen[idx] {
			return fmt.Errorf("%w: signature %d by %s is not from a distinct validator", ErrBadCommit, i, s.Validator)
		}
		seen[idx] = true
		signed += vals.vals[idx].Power
	}
	if !hasTwoThirds(signed, vals.total) {
		return fmt.Errorf("%w: %d of %d", ErrBadCommit, signed, vals.total)
	}
	return nil
}
