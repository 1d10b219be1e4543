package node

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// metrics are the node's Prometheus series, on the node's own registry.
type metrics struct {
	registry    *prometheus.Registry
	height      prometheus.Gauge
	txs         prometheus.Counter
	failedTxs   prometheus.Counter
	poolSize    prometheus.Gauge
	blockTime   prometheus.Histogram
	commitTime  prometheus.Histogram
	issuance    prometheus.Gauge
	rpcRejected prometheus.Counter
	compact     *compactMetrics
}

// compactMetrics count compact proposals (compact.go): wire bytes sent and
// received against the full form's size they stand for, txs fetched to
// complete them, and how received ones were completed.
type compactMetrics struct {
	bytes    *prometheus.CounterVec // by dir (sent, received)
	full     *prometheus.CounterVec // by dir: the full form's size
	fetched  prometheus.Counter
	outcomes *prometheus.CounterVec // local, fetched, unresolved, mismatch
}

func newCompactMetrics() *compactMetrics {
	return &compactMetrics{
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taod_compact_proposal_bytes_total",
			Help: "Bytes of compact proposals, by direction (sent, received)."}, []string{"dir"}),
		full: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taod_compact_proposal_full_bytes_total",
			Help: "Bytes the same proposals would have taken in full form, by direction."}, []string{"dir"}),
		fetched: prometheus.NewCounter(prometheus.CounterOpts{Name: "taod_compact_txs_fetched_total",
			Help: "Transactions fetched from peers to complete compact proposals."}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taod_compact_proposals_total",
			Help: "Authenticated compact proposals received, by how they were completed (local, fetched, unresolved, mismatch)."}, []string{"result"}),
	}
}

func (m *compactMetrics) in(n int, txs []*types.Tx) {
	m.bytes.WithLabelValues("received").Add(float64(n))
	m.full.WithLabelValues("received").Add(float64(fullSize(n, txs)))
}

func (m *compactMetrics) out(n int, txs []*types.Tx) {
	m.bytes.WithLabelValues("sent").Add(float64(n))
	m.full.WithLabelValues("sent").Add(float64(fullSize(n, txs)))
}

func (m *compactMetrics) result(r string) { m.outcomes.WithLabelValues(r).Inc() }

func newMetrics() *metrics {
	r := prometheus.NewRegistry()
	m := &metrics{
		registry:    r,
		height:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "taod_block_height", Help: "Height of the last committed block."}),
		txs:         prometheus.NewCounter(prometheus.CounterOpts{Name: "taod_txs_total", Help: "Transactions included in committed blocks."}),
		failedTxs:   prometheus.NewCounter(prometheus.CounterOpts{Name: "taod_txs_failed_total", Help: "Included transactions whose call failed."}),
		poolSize:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "taod_txpool_size", Help: "Transactions waiting in the txpool."}),
		blockTime:   prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taod_block_interval_seconds", Help: "Time between consecutive committed blocks.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
		commitTime:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taod_block_commit_seconds", Help: "Time to build, execute and durably commit a block.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		issuance:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "taod_total_issuance_rao", Help: "Total issuance in rao."}),
		rpcRejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "taod_txs_rejected_total", Help: "Transactions refused at submission."}),
		compact:     newCompactMetrics(),
	}
	r.MustRegister(m.compact.bytes, m.compact.full, m.compact.fetched, m.compact.outcomes)
	r.MustRegister(m.height, m.txs, m.failedTxs, m.poolSize, m.blockTime, m.commitTime, m.issuance, m.rpcRejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watchPool exports the pool's pending and queued counts and its size in
// bytes, read at each scrape (the spam an operator wants to see is queued).
func (m *metrics) watchPool(p *txpool.Pool) {
	stat := func(pick func(pending, queued, bytes int) int) func() float64 {
		return func() float64 { return float64(pick(p.Stats())) }
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taod_txpool_pending", Help: "Executable transactions in the txpool."},
			stat(func(pending, _, _ int) int { return pending })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taod_txpool_queued", Help: "Transactions in the txpool waiting for a nonce gap to fill."},
			stat(func(_, queued, _ int) int { return queued })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taod_txpool_bytes", Help: "Memory held by the transactions in the txpool (encoded and decoded, types.Tx.MemSize)."},
			stat(func(_, _, bytes int) int { return bytes })),
	)
}

// watchCaches exports the hits and misses of the chain's decode and
// recovery caches, read at each scrape: misses are the decodes and sender
// recoveries the node did, hits the ones it was spared.
func (m *metrics) watchCaches(txs *types.TxCache, senders *types.SenderCache) {
	count := func(stats func() (uint64, uint64), hit bool) func() float64 {
		return func() float64 {
			h, miss := stats()
			if hit {
				return float64(h)
			}
			return float64(miss)
		}
	}
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taod_tx_decode_cache_hits_total", Help: "Tx decodes answered by the node's TxCache."},
			count(txs.Stats, true)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taod_tx_decode_cache_misses_total", Help: "Txs decoded (TxCache misses)."},
			count(txs.Stats, false)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taod_tx_decode_cache_bytes", Help: "Encoded size of the txs the TxCache holds."},
			func() float64 { return float64(txs.Bytes()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taod_tx_sender_cache_hits_total", Help: "Sender recoveries spared by the SenderCache."},
			count(senders.Stats, true)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taod_tx_sender_cache_misses_total", Help: "Tx senders recovered (SenderCache misses)."},
			count(senders.Stats, false)),
	)
}
