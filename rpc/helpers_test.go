package rpc_test

import (
	"net/http/httptest"
	"testing"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
)

// openChain opens a store with opts and a test-preset chain on it: dev key 0
// the bootstrap validator, dev keys 0..accounts-1 funded with 1,000 TAO,
// the genesis adjusted by configure (nil: as is). The store closes with t.
func openChain(t testing.TB, opts state.Options, accounts int, configure func(*chain.Genesis)) (*chain.Chain, *state.Store) {
	t.Helper()
	store, err := state.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	gen, err := chain.Preset("test", 1_000, devkeys.Addresses(1), devkeys.Addresses(accounts), 1_000*tao)
	if err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(gen)
	}
	c, err := chain.New(store, gen)
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

// dialBackend serves b over HTTP and dials it; both close with t.
func dialBackend(t testing.TB, b rpc.Backend) *gethrpc.Client {
	t.Helper()
	srv, err := rpc.NewServer(rpc.Config{BatchItems: 100, BatchBytes: 10 << 20, BodyBytes: 1 << 20, SubsPerConn: 4}, b)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	client, err := gethrpc.Dial(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); hs.Close(); srv.Stop() })
	return client
}

// dialChain serves a read-only backend over c.
func dialChain(t testing.TB, c *chain.Chain) *gethrpc.Client {
	t.Helper()
	return dialBackend(t, newTestBackend(c))
}
