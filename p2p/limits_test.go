package p2p

import (
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

// TestBlockLimitsValidate: with the chain's block bounds set, every limit
// that carries a block must hold the largest valid one; one byte short is
// refused, so a node cannot start with limits that would halt the chain.
func TestBlockLimitsValidate(t *testing.T) {
	l := BlockLimits{MaxBlockBytes: 8 << 20, MaxVotes: 256}
	base := testConfig(t)
	base.EnsureDefaults()
	base.DeriveBlockLimits(l)
	if err := base.Validate(); err != nil {
		t.Fatalf("derived limits: %v", err)
	}
	if base.MaxConsensusMsgBytes < l.MaxBlockBytes+l.MaxVotes*types.MaxVoteSize || base.MaxBlockMsgBytes != l.MaxBlockBytes {
		t.Fatalf("derived consensus %d, block %d", base.MaxConsensusMsgBytes, base.MaxBlockMsgBytes)
	}
	for name, shrink := range map[string]func(c *Config){
		"consensus": func(c *Config) { c.MaxConsensusMsgBytes-- },
		"block":     func(c *Config) { c.MaxBlockMsgBytes-- },
		"sync":      func(c *Config) { c.MaxSyncResponseBytes = l.SyncRecordBytes() - 1 },
		"too large": func(c *Config) { c.Blocks.MaxBlockBytes = types.MaxBlockSize + 1 },
	} {
		c := base
		shrink(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
