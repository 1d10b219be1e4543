package node

import (
	"errors"
	"time"

	"github.com/taonet/taod/internal/query"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// backend adapts a Node to rpc.Backend: the chain's query surface
// (internal/query) and the node's txpool, peers and head feed.
type backend struct {
	*query.Chain
	n *Node
}

func newBackend(n *Node) *backend { return &backend{Chain: query.New(n.chain), n: n} }

// DecodeTx decodes a submission through the chain's TxCache, after the
// pool's admission check: an overloaded node refuses before decoding, so a
// flood of refused txs neither costs decodes nor evicts from the cache the
// txs that gossip and compact proposals look up.
func (b *backend) DecodeTx(raw []byte) (*types.Tx, error) {
	if err := b.n.pool.Busy(); err != nil {
		return nil, &rpc.Error{Code: rpc.CodeTxBusy, Msg: err.Error()}
	}
	return b.n.chain.TxCache().Decode(raw)
}

// SubmitTx tells a busy pool (its admission bound, txpool.ErrBusy) apart
// from a refused tx with its own JSON-RPC code: the client should retry
// later, not fix the tx.
func (b *backend) SubmitTx(tx *types.Tx) error {
	err := b.n.SubmitTx(tx)
	if errors.Is(err, txpool.ErrBusy) {
		return &rpc.Error{Code: rpc.CodeTxBusy, Msg: err.Error()}
	}
	return err
}

func (b *backend) PendingTx(h types.Hash) (*types.Tx, bool)       { return b.n.pool.Get(h) }
func (b *backend) PoolSize() int                                  { return b.n.pool.Len() }
func (b *backend) SubscribeHeads() (<-chan *types.Header, func()) { return b.n.heads.Subscribe() }
func (b *backend) Started() time.Time                             { return b.n.started }

func (b *backend) Peers() int {
	if b.n.host == nil {
		return 0
	}
	return len(b.n.host.Peers())
}

// SyncStatus is the sync loop's progress (none without a network).
func (b *backend) SyncStatus() rpc.SyncStatus {
	if b.n.sync == nil {
		return rpc.SyncStatus{}
	}
	return b.n.sync.progress.status()
}

func (b *backend) PendingNonce(a types.Address) uint64 {
	return b.n.pool.PendingNonce(b.n.chain.State(), a)
}
