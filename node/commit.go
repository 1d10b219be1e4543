package node

import (
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// afterCommit updates the pool, metrics, logs and head subscribers after a
// block is committed.
func (n *Node) afterCommit(e *chain.Executed, rejected []chain.Rejected, start time.Time, parentTime uint64, catchingUp bool) {
	b := e.Block
	st := n.chain.State()
	n.pool.Update(st, b, rejected)
	failed := 0
	for _, r := range e.Receipts {
		if r.Status == types.ReceiptFailed {
			failed++
		}
	}
	n.metrics.height.Set(float64(b.Height()))
	n.metrics.txs.Add(float64(len(b.Txs)))
	n.metrics.failedTxs.Add(float64(failed))
	n.metrics.poolSize.Set(float64(n.pool.Len()))
	n.metrics.commitTime.Observe(time.Since(start).Seconds())
	n.metrics.issuance.Set(float64(st.Issuance()))
	if b.Height() > 1 {
		n.metrics.blockTime.Observe(float64(b.Header.Time-parentTime) / 1000)
	}
	for _, r := range rejected {
		n.log.Debug("dropped invalid tx", zap.Stringer("tx", r.Tx.Hash()), zap.Error(r.Err))
	}
	logf := n.log.Info
	if catchingUp {
		logf = n.log.Debug // the sync loop logs each batch instead
	}
	logf("committed block",
		zap.Uint64("height", b.Height()),
		zap.Stringer("hash", b.Hash()),
		zap.Int("txs", len(b.Txs)),
		zap.Int("failed", failed),
		zap.Duration("took", time.Since(start)))
	h := b.Header
	n.heads.send(&h)
}
