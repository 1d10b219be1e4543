package query

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/types"
)

func benchChain(b *testing.B) *chain.Chain {
	b.Helper()
	store := modtest.Store(b)
	g, err := chain.Preset("test", 1_000, devkeys.Addresses(1), devkeys.Addresses(4), 1_000*types.RaoPerTAO)
	if err != nil {
		b.Fatal(err)
	}
	c, err := chain.New(store, g)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// What a balance read costs through a View (a Pebble snapshot, no flat
// cache) against a plain read of the live state, as rpc did before.
func BenchmarkHeadAccount(b *testing.B) {
	c := benchChain(b)
	a := devkeys.Address(1)
	b.Run("view", func(b *testing.B) {
		q := New(c)
		for b.Loop() {
			v, err := q.View()
			if err != nil {
				b.Fatal(err)
			}
			if v.Account(a).Balance == 0 {
				b.Fatal("no balance")
			}
			v.Close()
		}
	})
	b.Run("live", func(b *testing.B) {
		for b.Loop() {
			if c.State().Account(a).Balance == 0 {
				b.Fatal("no balance")
			}
		}
	})
}
