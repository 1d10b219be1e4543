package node

import (
	"sync"

	"github.com/taonet/taod/rpc"
)

// syncProgress is what the sync loop tells the RPC about catching up:
// written by syncLoop's goroutine at each round, read by RPC handlers.
type syncProgress struct {
	mu       sync.Mutex
	syncing  bool
	starting uint64 // our head when this catch-up began
	highest  uint64 // the best head a peer claims
}

// note records one round of the sync loop: our head, the highest head a
// peer that is not benched claims, and whether the loop fetches this round.
func (p *syncProgress) note(head, highest uint64, fetching bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !fetching {
		p.syncing, p.starting, p.highest = false, 0, 0
		return
	}
	if !p.syncing {
		p.syncing, p.starting = true, head
	}
	p.highest = highest
}

func (p *syncProgress) status() rpc.SyncStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return rpc.SyncStatus{Syncing: p.syncing, Starting: p.starting, Highest: p.highest}
}
