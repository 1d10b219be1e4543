package p2p

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the host's Prometheus series. They exist (and count) even when
// no registerer is configured, so the code never checks for nil.
type metrics struct {
	peers       prometheus.Gauge
	msgsIn      *prometheus.CounterVec // by topic and result (accept, ignore, reject)
	msgsOut     *prometheus.CounterVec // by topic
	txsIn       prometheus.Counter
	txsOut      prometheus.Counter
	txsDropped  prometheus.Counter
	throttled   prometheus.Counter
	knownBlocks prometheus.Counter
	drops       *prometheus.CounterVec // gossip messages pubsub dropped, by where
	bans        *prometheus.CounterVec // by reason
	syncServed  prometheus.Counter
	syncFetched prometheus.Counter
	syncErrors  *prometheus.CounterVec // by side (serve, fetch)
	// The tx fetch protocol: txs sent and received, failures by side.
	fetchServed  prometheus.Counter
	fetchFetched prometheus.Counter
	fetchErrors  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "taod", "p2p"
	m := &metrics{
		peers: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "peers",
			Help: "Connected peers that completed the handshake."}),
		msgsIn: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "messages_in_total",
			Help: "Gossip messages received from peers, by topic and validation result."}, []string{"topic", "result"}),
		msgsOut: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "messages_out_total",
			Help: "Gossip messages published by this node, by topic."}, []string{"topic"}),
		txsIn: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "txs_in_total",
			Help: "Transactions received in accepted gossip batches."}),
		txsOut: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "txs_out_total",
			Help: "Transactions published in gossip batches."}),
		txsDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "txs_dropped_total",
			Help: "Transactions refused by BroadcastTx because the batch queue was full."}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "tx_batches_throttled_total",
			Help: "Gossiped tx batches dropped unchecked because their sender spent its budget of txs we do not admit."}),
		knownBlocks: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "known_block_announcements_total",
			Help: "Block announcements ignored after reading only their header: blocks this node already holds."}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "gossip_drops_total",
			Help: "Gossip messages or RPCs dropped by pubsub because a queue was full, by queue (outbound, validation, subscription)."}, []string{"queue"}),
		bans: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "bans_total",
			Help: "Peers banned and disconnected, by reason."}, []string{"reason"}),
		syncServed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "sync_blocks_served_total",
			Help: "Blocks sent to peers by the sync protocol."}),
		syncFetched: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "sync_blocks_fetched_total",
			Help: "Blocks received from peers by the sync protocol."}),
		syncErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "sync_errors_total",
			Help: "Failed or refused sync requests: fetch, serve, or refused_slots, refused_peer_slots, refused_peer_rate."}, []string{"side"}),
		fetchServed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "fetch_txs_served_total",
			Help: "Transactions sent to peers by the tx fetch protocol (completing compact proposals)."}),
		fetchFetched: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "fetch_txs_fetched_total",
			Help: "Transactions received from peers by the tx fetch protocol."}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "fetch_errors_total",
			Help: "Failed or refused tx fetch requests: fetch, busy (one in flight to that peer), serve, or refused_slots, refused_peer_slot, refused_peer_rate."}, []string{"side"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.peers, m.msgsIn, m.msgsOut, m.txsIn, m.txsOut, m.txsDropped, m.throttled, m.knownBlocks, m.drops, m.bans, m.syncServed, m.syncFetched, m.syncErrors, m.fetchServed, m.fetchFetched, m.fetchErrors} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("p2p: register metrics: %w", err)
		}
	}
	return m, nil
}
