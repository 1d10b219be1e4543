package node

import (
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/types"
)

// afterCommit updates the pool, metrics, logs and head subscribers after the
// driver committed a block.
func (n *Node) afterCommit(c driver.Committed) {
	b := c.Executed.Block
	st := n.chain.State()
	n.pool.Update(st, b, nil)
	failed := 0
	for _, r := range c.Executed.Receipts {
		if r.Status == types.ReceiptFailed {
			failed++
		}
	}
	n.metrics.height.Set(float64(b.Height()))
	n.metrics.txs.Add(float64(len(b.Txs)))
	n.metrics.failedTxs.Add(float64(failed))
	n.metrics.poolSize.Set(float64(n.pool.Len()))
	n.metrics.commitTime.Observe(time.Since(c.Start).Seconds())
	n.metrics.issuance.Set(float64(st.Issuance()))
	if b.Height() > 1 {
		n.metrics.blockTime.Observe(float64(b.Header.Time-c.ParentTime) / 1000)
	}
	logf := n.log.Info
	if c.CatchingUp {
		logf = n.log.Debug // the sync loop logs each batch instead
	}
	logf("committed block",
		zap.Uint64("height", b.Height()),
		zap.Stringer("hash", b.Hash()),
		zap.Int("txs", len(b.Txs)),
		zap.Int("failed", failed),
		zap.Duration("took", time.Since(c.Start)))
	h := b.Header
	n.heads.send(&h)
}
