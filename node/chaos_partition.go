//go:build chaos

package node

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/p2p"
)

// reconnectTimeout bounds the reconnects of a healing partition request,
// under the chaos suite's 5 s wait for the answer.
const reconnectTimeout = 4 * time.Second

// partitionRequest is the body of POST /chaos/partition.
type partitionRequest struct {
	// Block lists the peer IDs this node is cut off from; peers cut off by an
	// earlier request and not listed are let back in. Empty heals.
	Block []string `json:"block"`
}

// chaosRoutes serves the fault switch that acts on a running node, beside
// /metrics (a loopback address in a process testnet): POST /chaos/partition
// cuts this node off from the listed peers (connections closed, dials
// refused both ways) and reconnects to bootstrap peers it lets back in. The
// chaos suite partitions process testnets with it, where docker testnets
// use `docker network disconnect`.
func (n *Node) chaosRoutes(mux *http.ServeMux) {
	var mu sync.Mutex
	blocked := make(map[p2p.PeerID]bool) // guarded by mu
	mux.HandleFunc("POST /chaos/partition", func(w http.ResponseWriter, r *http.Request) {
		if n.host == nil {
			http.Error(w, "p2p is off", http.StatusServiceUnavailable)
			return
		}
		var req partitionRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		want := make(map[p2p.PeerID]bool, len(req.Block))
		for _, s := range req.Block {
			id, err := p2p.ParseAddrInfo("/p2p/" + s)
			if err != nil {
				http.Error(w, "peer "+s+": "+err.Error(), http.StatusBadRequest)
				return
			}
			want[id.ID] = true
		}
		mu.Lock()
		defer mu.Unlock()
		for id := range want {
			n.host.Block(id)
		}
		var freed []p2p.PeerID
		for id := range blocked {
			if !want[id] {
				n.host.Unblock(id)
				freed = append(freed, id)
			}
		}
		blocked = want
		n.log.Warn("chaos: partition", zap.Strings("blocked", req.Block), zap.Int("unblocked", len(freed)))
		// Reconnect to the bootstrap peers let back in, in parallel, and
		// answer when done: the goroutines end with the request (the server
		// waits for its handlers at shutdown), and the caller knows the
		// partition has healed when the answer comes.
		ctx, cancel := context.WithTimeout(r.Context(), reconnectTimeout)
		defer cancel()
		var wg sync.WaitGroup
		for _, s := range n.cfg.P2P.Bootstrap {
			ai, err := p2p.ParseAddrInfo(s)
			if err != nil || !containsPeer(freed, ai.ID) {
				continue
			}
			wg.Go(func() {
				if err := n.host.Connect(ctx, ai); err != nil {
					n.log.Debug("chaos: reconnect", zap.Stringer("peer", ai.ID), zap.Error(err))
				}
			})
		}
		wg.Wait()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(req)
	})
}

func containsPeer(ps []p2p.PeerID, p p2p.PeerID) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}
