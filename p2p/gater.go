package p2p

import (
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// gater refuses dials to and connections from banned peers. It is libp2p's
// ConnectionGater, so a banned peer is stopped right after the security
// handshake, before any protocol runs.
//
// A peer ID costs nothing to regenerate, so a ban also covers the IP
// addresses the peer was connected from: inbound connections from them are
// refused at accept, before any handshake work. Addresses in exempt
// (Config.SharedIPs: loopback by default, where every local test node and
// process testnet shares 127.0.0.1) are never banned by IP. Outbound dials to a
// banned IP are not refused: we chose to dial it, and the peer-ID check still
// applies.
type gater struct {
	now    func() time.Time
	exempt []netip.Prefix

	mu struct {
		sync.Mutex
		banned map[peer.ID]time.Time // ban expiry by peer
		ips    map[netip.Addr]ipBan  // ban expiry by remote IP
	}
}

// ipBan is an IP banned because of peer.
type ipBan struct {
	until time.Time
	peer  peer.ID
}

// maxIPBans bounds the banned-IP table: an attacker with many addresses must
// not grow it without end. When full, expired entries are dropped, and then
// the ban is by peer ID only.
const maxIPBans = 16384

func newGater(now func() time.Time, exempt []netip.Prefix) *gater {
	g := &gater{now: now, exempt: exempt}
	g.mu.banned = make(map[peer.ID]time.Time)
	g.mu.ips = make(map[netip.Addr]ipBan)
	return g
}

// ban refuses p until now+d (a longer existing ban is kept), and each of
// ips that is not exempt. It reports whether p was not banned before.
func (g *gater) ban(p peer.ID, d time.Duration, ips []netip.Addr) bool {
	now := g.now()
	until := now.Add(d)
	g.mu.Lock()
	defer g.mu.Unlock()
	prev, ok := g.mu.banned[p]
	fresh := !ok || now.After(prev)
	if until.After(prev) {
		g.mu.banned[p] = until
	}
	for _, ip := range ips {
		ip = ip.Unmap()
		if g.isExempt(ip) {
			continue
		}
		if prev, ok := g.mu.ips[ip]; ok && !until.After(prev.until) {
			continue
		}
		if len(g.mu.ips) >= maxIPBans {
			for a, b := range g.mu.ips {
				if now.After(b.until) {
					delete(g.mu.ips, a)
				}
			}
			if len(g.mu.ips) >= maxIPBans {
				continue
			}
		}
		g.mu.ips[ip] = ipBan{until: until, peer: p}
	}
	return fresh
}

func (g *gater) isExempt(ip netip.Addr) bool {
	for _, pre := range g.exempt {
		if pre.Contains(ip) {
			return true
		}
	}
	return false
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

func (g *gater) isBannedIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.mu.ips[ip]
	if !ok {
		return false
	}
	if g.now().After(b.until) {
		delete(g.mu.ips, ip)
		return false
	}
	return true
}

// unban lifts p's ban and the IP bans it caused.
func (g *gater) unban(p peer.ID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.mu.banned, p)
	for ip, b := range g.mu.ips {
		if b.peer == p {
			delete(g.mu.ips, ip)
		}
	}
}

// remoteIP is the IP of a connection's remote address, if it has one.
func remoteIP(a ma.Multiaddr) (netip.Addr, bool) {
	if a == nil {
		return netip.Addr{}, false
	}
	ip, err := manet.ToIP(a)
	if err != nil {
		return netip.Addr{}, false
	}
	addr, ok := netip.AddrFromSlice(ip)
	return addr.Unmap(), ok
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                 { return !g.isBanned(p) }
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return !g.isBanned(p) }

// InterceptAccept refuses an inbound connection from a banned IP before the
// security handshake (which costs us a key exchange).
func (g *gater) InterceptAccept(c network.ConnMultiaddrs) bool {
	ip, ok := remoteIP(c.RemoteMultiaddr())
	return !ok || !g.isBannedIP(ip)
}

func (g *gater) InterceptSecured(dir network.Direction, p peer.ID, c network.ConnMultiaddrs) bool {
	if g.isBanned(p) {
		return false
	}
	if dir == network.DirInbound {
		if ip, ok := remoteIP(c.RemoteMultiaddr()); ok && g.isBannedIP(ip) {
			return false
		}
	}
	return true
}
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
