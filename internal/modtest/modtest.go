package modtest

import (
	"testing"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Store opens an empty store in a temporary directory, with small caches,
// and closes it when the test or benchmark ends.
func Store(tb testing.TB) *state.Store {
	tb.Helper()
	s, err := state.Open(tb.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// State returns a fresh state on a new Store in which each of funded holds
// balance rao and the total issuance is their sum.
func State(tb testing.TB, balance uint64, funded ...types.Address) *state.State {
	tb.Helper()
	st := Store(tb).NewState()
	for _, a := range funded {
		st.SetAccount(a, state.Account{Balance: balance})
	}
	st.SetIssuance(balance * uint64(len(funded)))
	return st
}
