package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// gater refuses dials to and connections from banned peers. It is libp2p's
// ConnectionGater, so a banned peer is stopped right after the security
// handshake, before any protocol runs.
type gater struct {
	now func() time.Time

	mu struct {
		sync.Mutex
		banned map[peer.ID]time.Time // ban expiry by peer
	}
}

func newGater(now func() time.Time) *gater {
	g := &gater{now: now}
	g.mu.banned = make(map[peer.ID]time.Time)
	return g
}

// ban refuses p until now+d (a longer existing ban is kept). It reports
// whether p was not banned before.
func (g *gater) ban(p peer.ID, d time.Duration) bool {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	prev, ok := g.mu.banned[p]
	fresh := !ok || now.After(prev)
	if until := now.Add(d); until.After(prev) {
		g.mu.banned[p] = until
	}
	return fresh
}

func (g *gater) isBanned(p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	until, ok := g.mu.banned[p]
	if !ok {
		return false
	}
	if g.now().After(until) {
		delete(g.mu.banned, p)
		return false
	}
	return true
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                 { return !g.isBanned(p) }
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return !g.isBanned(p) }
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool      { return true }
func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return !g.isBanned(p)
}
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
