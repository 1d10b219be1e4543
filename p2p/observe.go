package p2p

import (
	"cmp"
	"maps"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Observation accessors for tests and health checks: they read what the host
// already keeps and change nothing. They live apart from the host so that the
// adversarial suite (test/attack) can assert "no honest peer was banned or
// scored below zero" without reaching into the host's internals.

// Banned lists the peers the host refuses now (gossip score, a node-reported
// fault, another chain), sorted by ID. An expired ban is not listed.
func (h *Host) Banned() []PeerID {
	h.gater.mu.Lock()
	ids := slices.Collect(maps.Keys(h.gater.mu.banned))
	h.gater.mu.Unlock()
	out := ids[:0]
	for _, p := range ids {
		if h.gater.isBanned(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b PeerID) int { return cmp.Compare(a, b) })
	return out
}

// noteScores records pubsub's latest score report (a copy: the map is the
// inspector's).
func (h *Host) noteScores(scores map[peer.ID]float64) {
	c := maps.Clone(scores)
	h.scores.Lock()
	h.scores.last = c
	h.scores.Unlock()
}

// PeerScores is the gossip score of every peer pubsub knows, as of its last
// report (every ScoreInspectInterval); nil before the first. Negative means
// the peer delivered invalid messages or broke gossip promises.
func (h *Host) PeerScores() map[PeerID]float64 {
	h.scores.Lock()
	defer h.scores.Unlock()
	return maps.Clone(h.scores.last)
}
