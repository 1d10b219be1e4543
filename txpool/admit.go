package txpool

// Admission control for locally submitted transactions: a node refuses an
// RPC submission early, with a clear error, when its pool already holds more
// executable txs than the chain commits in a short latency budget. Queueing
// such a tx would only make it (and every tx behind it) wait seconds; a
// refusal lets the client back off or go elsewhere.

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/types"
)

// ErrBusy refuses a local submission while the pool's backlog is over the
// admission bound. Nothing was pooled; the same tx may be sent again later.
var ErrBusy = errors.New("txpool: busy")

// AdmitBound is the number of pending txs at or above which AddLocal refuses
// (0: no bound). AdmitPending > 0 sets it; 0 takes one block of backlog, the
// chain's MaxBlockTxs; < 0 turns admission control off.
func (p *Pool) AdmitBound() int {
	switch n := p.cfg.AdmitPending; {
	case n > 0:
		return n
	case n < 0:
		return 0
	}
	return p.chain.Params().MaxBlockTxs
}

// AddLocal admits a tx submitted to this node (RPC) as Add does, but first
// refuses it with ErrBusy when the pool holds AdmitBound() or more pending
// txs. The bound counts every pending tx, gossiped ones too: those were
// admitted by the peer that took them and are not refused here (Add), yet
// they stand in the same line for blocks.
func (p *Pool) AddLocal(tx *types.Tx) error {
	if bound := p.AdmitBound(); bound > 0 {
		p.mu.Lock()
		pending := p.mu.pending
		_, known := p.mu.all[tx.Hash()]
		p.mu.Unlock()
		if known {
			return ErrKnownTx
		}
		if pending >= bound {
			perBlock := max(p.chain.Params().MaxBlockTxs, 1)
			tenths := bound * 10 / perBlock
			return fmt.Errorf("%w: %d txs pending, admission bound %d (about %d.%d blocks of %d txs); retry later",
				ErrBusy, pending, bound, tenths/10, tenths%10, perBlock)
		}
	}
	return p.Add(tx)
}
