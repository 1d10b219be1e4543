package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// producer is the single-validator block loop: build, finalise with the
// validator's own precommit, commit, announce.
type producer struct {
	n   *Node
	key *ecdsa.PrivateKey
}

func (p *producer) run(ctx context.Context) error {
	interval := time.Duration(p.n.chain.Params().BlockTimeMs) * time.Millisecond
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := p.produce(); err != nil {
				return err
			}
		}
	}
}

func (p *producer) produce() error {
	n := p.n
	start := time.Now()
	head, _ := n.store.Head()
	var last *types.Commit
	if head.Height > 0 {
		c, err := n.store.SeenCommit(head.Height)
		if err != nil {
			return err
		}
		last = c
	}
	now := uint64(start.UnixMilli())
	candidates := n.pool.Pending(n.chain.State(), n.chain.Params().MaxBlockTxs)
	e, rejected, err := n.chain.Propose(chain.Proposal{Time: now, Proposer: crypto.PubkeyToAddress(p.key.PublicKey), LastCommit: last}, candidates)
	if errors.Is(err, chain.ErrUpgradeRequired) {
		n.log.Error("stopping for a software upgrade", zap.Uint64("height", head.Height+1), zap.Error(err))
		return err
	}
	if err != nil {
		return err
	}
	b := e.Block
	vote := types.Vote{Type: types.Precommit, Height: b.Height(), BlockHash: b.Hash()}
	if err := vote.Sign(n.chain.ChainID(), p.key); err != nil {
		return err
	}
	seen := &types.Commit{Height: b.Height(), BlockHash: b.Hash(), Signatures: []types.CommitSig{{Validator: vote.Validator, Signature: vote.Signature}}}
	if err := n.chain.Commit(e, seen); err != nil {
		return err
	}
	n.afterCommit(e, rejected, start, head.Time)
	return nil
}

func (n *Node) afterCommit(e *chain.Executed, rejected []chain.Rejected, start time.Time, parentTime uint64) {
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
	n.log.Info("committed block",
		zap.Uint64("height", b.Height()),
		zap.Stringer("hash", b.Hash()),
		zap.Int("txs", len(b.Txs)),
		zap.Int("failed", failed),
		zap.Duration("took", time.Since(start)))
	h := b.Header
	n.heads.send(&h)
}
