package p2p

import (
	"time"
)

// blockFor is how long Block keeps a peer out: in practice until Unblock.
const blockFor = 10 * 365 * 24 * time.Hour

// Block disconnects p and refuses it, whichever side dials, until Unblock.
// It is a ban without an expiry, for fault injection: the chaos suite
// partitions a process testnet with it. It is by peer ID only, not IP: a
// partition must cut exactly the peers named.
func (h *Host) Block(p PeerID) { h.banPeer(p, blockFor, "blocked", false) }

// Unblock lifts a Block (or a ban) of p. Bootstrap peers are redialled at
// the next bootstrap round; Connect redials sooner.
func (h *Host) Unblock(p PeerID) { h.gater.unban(p) }
