package p2p

import (
	"net"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossip score thresholds. A peer's score falls by 100 × n² for n invalid
// messages on a topic (n decays by invalidDecay each second), so after three
// we stop sending it gossip, after four we stop publishing to it, and after
// six it is under the graylist threshold: pubsub then ignores it, and the host
// disconnects and bans it (inspectScores). Positive topic scores are capped at
// TopicScoreCap, so good behaviour earlier buys at most one more message.
const (
	gossipThreshold    = -500
	publishThreshold   = -1500
	graylistThreshold  = -3000
	invalidWeight      = -100
	invalidDecay       = 0.99 // per second: about a 70 s half-life
	behaviourWeight    = -10
	behaviourDecay     = 0.99
	behaviourThreshold = 6
	colocationWeight   = -10
	colocationLimit    = 8 // peers per IP before the colocation penalty
)

// scoreParams builds gossipsub's peer-score configuration. Only clear
// misbehaviour is scored (invalid messages, broken gossip promises, many peers
// behind one IP); delivery-rate scoring (P3) is off because a quiet honest
// peer on a quiet topic must not be penalised.
func scoreParams(n names) (*pubsub.PeerScoreParams, *pubsub.PeerScoreThresholds) {
	topic := func() *pubsub.TopicScoreParams {
		return &pubsub.TopicScoreParams{
			SkipAtomicValidation:           true,
			TopicWeight:                    1,
			TimeInMeshQuantum:              time.Second, // P1 is off, but pubsub divides by it
			FirstMessageDeliveriesWeight:   1,
			FirstMessageDeliveriesDecay:    0.9,
			FirstMessageDeliveriesCap:      50,
			InvalidMessageDeliveriesWeight: invalidWeight,
			InvalidMessageDeliveriesDecay:  invalidDecay,
		}
	}
	_, loopV4, _ := net.ParseCIDR("127.0.0.0/8")
	_, loopV6, _ := net.ParseCIDR("::1/128")
	params := &pubsub.PeerScoreParams{
		SkipAtomicValidation: true,
		Topics: map[string]*pubsub.TopicScoreParams{
			n.tx:        topic(),
			n.consensus: topic(),
			n.blockAnno: topic(),
		},
		TopicScoreCap:     100,
		AppSpecificScore:  func(peer.ID) float64 { return 0 },
		AppSpecificWeight: 1,
		// Loopback is exempt so that process testnets and tests on 127.0.0.x
		// are not penalised for sharing an address.
		IPColocationFactorWeight:    colocationWeight,
		IPColocationFactorThreshold: colocationLimit,
		IPColocationFactorWhitelist: []*net.IPNet{loopV4, loopV6},
		BehaviourPenaltyWeight:      behaviourWeight,
		BehaviourPenaltyThreshold:   behaviourThreshold,
		BehaviourPenaltyDecay:       behaviourDecay,
		DecayInterval:               time.Second,
		DecayToZero:                 0.01,
		RetainScore:                 10 * time.Minute,
	}
	thresholds := &pubsub.PeerScoreThresholds{
		GossipThreshold:             gossipThreshold,
		PublishThreshold:            publishThreshold,
		GraylistThreshold:           graylistThreshold,
		AcceptPXThreshold:           100,
		OpportunisticGraftThreshold: 5,
	}
	return params, thresholds
}

// inspectScores runs on pubsub's scoring goroutine every
// ScoreInspectInterval. Pubsub only ignores a graylisted peer; we also
// disconnect and ban it, so it stops costing a connection and cannot come
// straight back. The ban is queued, since this callback must not block.
func (h *Host) inspectScores(scores map[peer.ID]float64) {
	h.noteScores(scores)
	for p, s := range scores {
		if s >= graylistThreshold || h.host.Network().Connectedness(p) != network.Connected || h.gater.isBanned(p) {
			continue
		}
		select {
		case h.banq <- banRequest{peer: p, reason: "gossip_score"}:
		default: // retried at the next inspection
		}
	}
}
