package consensus

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/taonet/taod/types"
)

// batchVerifier is a BatchVerifier counting its batches; short answers
// fewer votes than asked, as a broken implementation would.
type batchVerifier struct {
	SigVerifier
	batches atomic.Int32
	short   bool
}

func (b *batchVerifier) VerifyVotes(vs []types.Vote) []error {
	b.batches.Add(1)
	errs := make([]error, len(vs))
	for i := range vs {
		errs[i] = b.VerifyVote(&vs[i])
	}
	if b.short {
		errs = errs[:len(errs)-1]
	}
	return errs
}

// TestVerifyCommitRules is the repository's one commit rule (chain checks
// every LastCommit with it): > 2/3 of the power, distinct members, the right
// chain, height and block, never the zero hash; the same answers through a
// plain and a batch verifier, with or without a cache.
func TestVerifyCommitRules(t *testing.T) {
	f := newFixture(t, 10, 10, 10)
	b := testBlock(3, 1, nil)
	all := f.commit(b, 0, 0, 1, 2)
	two := f.commit(b, 0, 0, 1)
	dup := f.commit(b, 0, 0, 0, 1)
	otherChain := &types.Commit{Height: 3, BlockHash: b.Hash()}
	for i := range 3 {
		v := types.Vote{Type: types.Precommit, Height: 3, BlockHash: b.Hash()}
		if err := v.Sign(testChainID+1, f.keys[i]); err != nil {
			t.Fatal(err)
		}
		otherChain.Signatures = append(otherChain.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	zero := &types.Commit{Height: 3}
	for i := range 3 {
		v := f.vote(i, types.Precommit, 3, 0, types.Hash{}).Vote
		zero.Signatures = append(zero.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	cache := types.NewSigCache(64)
	verifiers := map[string]func() Verifier{
		"plain":        func() Verifier { return SigVerifier{ChainID: testChainID} },
		"cached":       func() Verifier { return SigVerifier{ChainID: testChainID, Cache: cache} },
		"batch":        func() Verifier { return &batchVerifier{SigVerifier: SigVerifier{ChainID: testChainID}} },
		"cached batch": func() Verifier { return &batchVerifier{SigVerifier: SigVerifier{ChainID: testChainID, Cache: cache}} },
	}
	for name, ver := range verifiers {
		t.Run(name, func(t *testing.T) {
			if err := VerifyCommit(ver(), f.set, 3, b.Hash(), all); err != nil {
				t.Fatalf("three of three: %v", err)
			}
			bad := []struct {
				what   string
				height uint64
				hash   types.Hash
				c      *types.Commit
			}{
				{"two of three (exactly 2/3)", 3, b.Hash(), two},
				{"duplicate signer", 3, b.Hash(), dup},
				{"signed for another chain", 3, b.Hash(), otherChain},
				{"zero hash", 3, types.Hash{}, zero},
				{"another height", 4, b.Hash(), all},
				{"another block", 3, types.Hash{9}, all},
				{"no commit", 3, b.Hash(), nil},
			}
			for _, tc := range bad {
				if err := VerifyCommit(ver(), f.set, tc.height, tc.hash, tc.c); !errors.Is(err, ErrBadCommit) {
					t.Errorf("%s: %v, want ErrBadCommit", tc.what, err)
				}
			}
		})
	}
	if cache.Len() == 0 {
		t.Fatal("the cached verifiers remembered nothing")
	}
}

// TestVerifyCommitUsesBatch: a BatchVerifier gets the signatures in one
// batch, only after the form passed, and an answer of the wrong length is
// refused rather than read as "all valid".
func TestVerifyCommitUsesBatch(t *testing.T) {
	f := newFixture(t, 10, 10, 10)
	b := testBlock(3, 1, nil)
	bv := &batchVerifier{SigVerifier: SigVerifier{ChainID: testChainID}}
	if err := VerifyCommit(bv, f.set, 3, b.Hash(), f.commit(b, 0, 0, 1, 2)); err != nil || bv.batches.Load() != 1 {
		t.Fatalf("err %v after %d batches", err, bv.batches.Load())
	}
	if err := VerifyCommit(bv, f.set, 3, b.Hash(), f.commit(b, 0, 0, 1)); !errors.Is(err, ErrBadCommit) || bv.batches.Load() != 1 {
		t.Fatalf("too little power: %v, %d batches (the form comes first)", err, bv.batches.Load())
	}
	forged := f.commit(b, 0, 0, 1, 2)
	forged.Signatures[2].Signature = forged.Signatures[1].Signature
	if err := VerifyCommit(bv, f.set, 3, b.Hash(), forged); !errors.Is(err, ErrBadCommit) || !strings.Contains(err.Error(), "signature 2") {
		t.Fatalf("forged third signature: %v", err)
	}
	short := &batchVerifier{SigVerifier: SigVerifier{ChainID: testChainID}, short: true}
	if err := VerifyCommit(short, f.set, 3, b.Hash(), f.commit(b, 0, 0, 1, 2)); !errors.Is(err, ErrBadCommit) {
		t.Fatalf("short batch answer accepted: %v", err)
	}
}
