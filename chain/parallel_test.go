package chain

import (
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// BenchmarkVerifyCommit64 checks a 64-signature LastCommit as block
// execution does: "synced" never seen before (recovered on every core),
// "gossiped" already verified by the node's gate (cache hits).
func BenchmarkVerifyCommit64(b *testing.B) {
	c := newTestChain(b, 1)
	hash := types.Keccak256([]byte("block"))
	vals := make([]types.Validator, 64)
	commit := &types.Commit{Height: 5, BlockHash: hash}
	for i := range vals {
		vals[i] = types.Validator{Address: devkeys.Address(100 + i), Power: 1}
		v := types.Vote{Type: types.Precommit, Height: 5, BlockHash: hash}
		if err := v.Sign(c.ChainID(), devkeys.Key(100+i)); err != nil {
			b.Fatal(err)
		}
		commit.Signatures = append(commit.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	b.Run("synced", func(b *testing.B) {
		for b.Loop() {
			c.sigs = types.NewSigCache(types.DefaultSigCacheSize)
			if err := c.verifyCommit(vals, 5, hash, commit); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gossiped", func(b *testing.B) {
		if err := c.verifyCommit(vals, 5, hash, commit); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := c.verifyCommit(vals, 5, hash, commit); err != nil {
				b.Fatal(err)
			}
		}
	})
}
