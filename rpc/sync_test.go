package rpc_test

import (
	"testing"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
)

// eth_syncing answers false when the node is level with its peers, and the
// progress object Ethereum tools read while it catches up; net_health's
// syncing flag follows. Before, eth_syncing was method-not-found and
// net_health.syncing always false.
func TestSyncingReflectsCatchUp(t *testing.T) {
	c, _ := openChain(t, state.Options{CacheMB: 8, TrieCache: 4}, 4, nil)
	cases := []struct {
		name    string
		status  rpc.SyncStatus
		syncing bool
	}{
		{"level", rpc.SyncStatus{}, false},
		{"fetching", rpc.SyncStatus{Syncing: true, Starting: 0, Highest: 0x2a}, true},
		// The loop's last round said fetch, but the head has reached the claim.
		{"caught up", rpc.SyncStatus{Syncing: true, Highest: 0}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBackend(c)
			b.sync = tc.status
			cl := dialBackend(t, b)
			var raw any
			if err := cl.Call(&raw, "eth_syncing"); err != nil {
				t.Fatal(err)
			}
			if !tc.syncing {
				if raw != false {
					t.Fatalf("eth_syncing = %v, want false", raw)
				}
			} else {
				want := map[string]any{"startingBlock": "0x0", "currentBlock": "0x0", "highestBlock": "0x2a"}
				got, ok := raw.(map[string]any)
				if !ok || len(got) != len(want) {
					t.Fatalf("eth_syncing = %#v, want %v", raw, want)
				}
				for k, v := range want {
					if got[k] != v {
						t.Fatalf("eth_syncing.%s = %v, want %v", k, got[k], v)
					}
				}
			}
			var h rpc.Health
			if err := cl.Call(&h, "net_health"); err != nil {
				t.Fatal(err)
			}
			if h.Syncing != tc.syncing {
				t.Fatalf("net_health.syncing = %v, want %v", h.Syncing, tc.syncing)
			}
		})
	}
}
