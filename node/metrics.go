package node

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/taonet/taod/txpool"
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
}

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
	}
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
