package node

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// testChain opens a test-preset chain (dev keys 0..2 funded with 100 TAO,
// dev key 0 the validator) on a fresh store.
func testChain(t testing.TB) *chain.Chain {
	t.Helper()
	s, err := state.Open(t.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(3), 100*types.RaoPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(s, g)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
