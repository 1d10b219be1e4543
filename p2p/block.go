package p2p

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// blockFor is how long Block keeps a peer out: in practice until Unblock.
const blockFor = 10 * 365 * 24 * time.Hour

// Block disconnects p and refuses it, whichever side dials, until Unblock.
// It is a ban without an expiry, for fault injection: the chaos suite
// partitions a process testnet with it.
func (h *Host) Block(p PeerID) { h.ban(p, blockFor, "blocked") }

// Unblock lifts a Block (or a ban) of p. Bootstrap peers are redialled at
// the next bootstrap round; Connect redials sooner.
func (h *Host) Unblock(p PeerID) { h.gater.unban(p) }

func (g *gater) unban(p peer.ID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.mu.banned, p)
}
