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

// SigVerifier checks secp256k1 signatures on ChainID, recovering signers
// through Cache (nil: none). A node passes the cache it shares with its
// gossip gate and its chain, so a signature is recovered once per node.
type SigVerifier struct {
	ChainID uint64
	Cache   *types.SigCache
}

// VerifyVote implements Verifier.
func (s SigVerifier) VerifyVote(v *types.Vote) error {
	if err := v.VerifyWith(s.ChainID, s.Cache); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// VerifyProposal implements Verifier.
func (s SigVerifier) VerifyProposal(p *Proposal) error { return p.VerifyWith(s.ChainID, s.Cache) }

// BatchVerifier is a Verifier that checks many votes at once, for example on
// every core. VerifyCommit uses it when its Verifier is one. The engine
// itself never starts goroutines: a batch verifier is the caller's (the
// chain's, which checks a commit in every block it executes).
type BatchVerifier interface {
	Verifier
	// VerifyVotes returns one error (nil: valid) per vote, in order.
	VerifyVotes(vs []types.Vote) []error
}

// VerifyCommit checks that commit holds valid precommits for hash at height
// from distinct members of vals carrying more than 2/3 of its power. It is
// the one commit rule of the repository: the engine checks a Decision from
// block sync with it, and the chain checks every block's LastCommit with it.
// The rules, in order:
//
//   - the commit names the height and the block, and the block hash is not
//     zero (no block hashes to zero: such a commit can only be a nil
//     precommit quorum passed off as a block's);
//   - its form, before any signature is recovered (commitForm): distinct
//     members naming more than 2/3 of the power, so a junk commit costs no
//     recovery and a well-formed one at most vals.Len();
//   - every signature verifies; a BatchVerifier checks them all at once, and
//     the first failing one, in commit order, is reported either way.
func VerifyCommit(ver Verifier, vals *ValidatorSet, height uint64, hash types.Hash, commit *types.Commit) error {
	if commit == nil || commit.Height != height || commit.BlockHash != hash || hash == (types.Hash{}) {
		return fmt.Errorf("%w: commit is for another block", ErrBadCommit)
	}
	if err := commitForm(vals, commit); err != nil {
		return err
	}
	if bv, ok := ver.(BatchVerifier); ok {
		votes := make([]types.Vote, len(commit.Signatures))
		for i := range votes {
			votes[i] = commit.Vote(i)
		}
		errs := bv.VerifyVotes(votes)
		if len(errs) != len(votes) {
			return fmt.Errorf("%w: the batch verifier answered %d of %d signatures", ErrBadCommit, len(errs), len(votes))
		}
		for i, err := range errs {
			if err != nil {
				return fmt.Errorf("%w: signature %d: %v", ErrBadCommit, i, err)
			}
		}
		return nil
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
