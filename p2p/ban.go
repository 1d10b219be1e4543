package p2p

// Bans: refusing a peer by ID (and by IP for inbound connections) through
// the gater, counted by reason.

import (
	"net/netip"
	"time"

	"go.uber.org/zap"
)

// Ban disconnects p and refuses it for BanDuration, by peer ID and by the
// IPs it is connected from (inbound connections only; see gater): for the
// node to report a peer whose data failed checks only the node can make (a
// sync commit that does not verify, an invalid block). reason labels the
// bans metric; it should be one of BanReasons, and anything else is counted
// as "other" (so a caller passing error text cannot grow the series).
func (h *Host) Ban(p PeerID, reason string) { h.banPeer(p, h.cfg.BanDuration, reason, true) }

// BanReasons are the values of the bans metric's reason label.
var BanReasons = []string{
	"bad_sync_request", "bad_sync_response", "bad_sync_commit", "bad_consensus",
	"bad_block", "bad_fetch_request", "bad_fetch_response", "gossip_score", "wrong_chain", "blocked", "other",
}

// banLabel maps a ban reason to the fixed label set.
func banLabel(reason string) string {
	for _, r := range BanReasons {
		if r == reason {
			return r
		}
	}
	return "other"
}

func (h *Host) banPeer(p PeerID, d time.Duration, reason string, byIP bool) {
	if p == h.ID() {
		return
	}
	var ips []netip.Addr
	if byIP {
		for _, c := range h.host.Network().ConnsToPeer(p) {
			if ip, ok := remoteIP(c.RemoteMultiaddr()); ok {
				ips = append(ips, ip)
			}
		}
	}
	h.recordBan(p, d, reason, ips)
	if err := h.host.Network().ClosePeer(p); err != nil {
		h.log.Debug("close banned peer", zap.Stringer("peer", p), zap.Error(err))
	}
}

// wrongChainGrace is how long a connection to a peer on another chain stays
// open after we detect it, so that the peer can read our hello and learn why
// (both sides run the exchange at once; whoever closes first would otherwise
// leave the other with a bare reset).
const wrongChainGrace = time.Second

// banWrongChain bans a peer on another chain and closes it after the grace.
// The ban is by peer ID only: a misconfigured node is no attacker, and an
// operator fixing its genesis should not find its IP refused.
func (h *Host) banWrongChain(p PeerID) {
	if h.recordBan(p, h.cfg.WrongChainBan, "wrong_chain", nil) {
		time.AfterFunc(wrongChainGrace, func() { _ = h.host.Network().ClosePeer(p) })
	}
}

// recordBan bans p (and ips) in the gater, counting and logging a new ban;
// it reports whether the ban is new.
func (h *Host) recordBan(p PeerID, d time.Duration, reason string, ips []netip.Addr) bool {
	if !h.gater.ban(p, d, ips) {
		return false
	}
	h.met.bans.WithLabelValues(banLabel(reason)).Inc()
	h.log.Warn("banning peer", zap.Stringer("peer", p), zap.String("reason", reason), zap.Duration("for", d), zap.Int("ips", len(ips)))
	return true
}

// banRequest asks banLoop to ban a peer; it lets callbacks that must not
// block (pubsub's score inspector) ban asynchronously.
type banRequest struct {
	peer   PeerID
	reason string
}

func (h *Host) banLoop() {
	defer h.wg.Done()
	for {
		select {
		case <-h.ctx.Done():
			return
		case r := <-h.banq:
			h.banPeer(r.peer, h.cfg.BanDuration, r.reason, true)
		}
	}
}
