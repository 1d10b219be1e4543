//go:build chaos

package test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/taonet/taod/node"
)

// TestChaosPartitionHeals: POST /chaos/partition cuts a node off from the
// listed peers, and the request that lets them back in answers once the
// node has reconnected to them (its reconnects end with the request; none
// is left running behind it).
func TestChaosPartitionHeals(t *testing.T) {
	nw := newNetwork(t, 2, 0)
	for i := 0; i < 2; i++ {
		nw.startWith(i, func(c *node.Config) { c.Metrics.Addr = "127.0.0.1:0" })
	}
	peers := func() int {
		var h struct {
			Peers int `json:"peers"`
		}
		if err := nw.nodes[1].client.Call(&h, "net_health"); err != nil {
			t.Fatal(err)
		}
		return h.Peers
	}
	waitPeers := func(want int) {
		deadline := time.Now().Add(15 * time.Second)
		for peers() != want {
			if time.Now().After(deadline) {
				t.Fatalf("node1 has %d peers, want %d", peers(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	partition := func(block ...string) {
		body, _ := json.Marshal(map[string][]string{"block": block})
		resp, err := http.Post("http://"+nw.nodes[1].n.ListenAddr("metrics")+"/chaos/partition", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("partition %v: %s", block, resp.Status)
		}
	}
	waitPeers(1)
	partition(nw.lay.Nodes[0].PeerID)
	waitPeers(0)
	partition()
	if got := peers(); got != 1 {
		t.Fatalf("after the healing request answered, node1 has %d peers, want 1", got)
	}
}
