package txpool

// Admission control for locally submitted transactions: a node refuses an
// RPC submission early, with a clear error, when its pool already holds more
// executable txs than the chain commits within a latency budget. Queueing
// such a tx would only make it (and every tx behind it) wait seconds; a
// refusal lets the client back off or go elsewhere.

import (
	"errors"
	"fmt"
	"time"

	"github.com/taonet/taod/types"
)

// ErrBusy refuses a local submission while the pool's backlog is over the
// admission bound. Nothing was pooled; the same tx may be sent again later.
var ErrBusy = errors.New("txpool: busy")

const (
	// rateBlocks is how many recent blocks the commit rate is taken over;
	// rateWindow drops the older ones (a stalled chain commits nothing).
	rateBlocks = 32
	rateWindow = 5 * time.Second
)

// commitRate remembers when the last blocks came (Update) and how many txs
// each committed.
type commitRate struct {
	at  [rateBlocks]time.Time
	txs [rateBlocks]int
	n   int // blocks noted; the ring holds the last min(n, rateBlocks)
}

func (r *commitRate) note(now time.Time, txs int) {
	r.at[r.n%rateBlocks], r.txs[r.n%rateBlocks] = now, txs
	r.n++
}

// perSec is the txs committed per second by the blocks noted within
// rateWindow of now: the txs of all but the oldest of them over the time
// from the oldest to the newest.
func (r *commitRate) perSec(now time.Time) int {
	var newest, oldest time.Time
	sum, k := 0, 0
	for j := 1; j <= min(r.n, rateBlocks); j++ {
		i := (r.n - j) % rateBlocks
		if now.Sub(r.at[i]) > rateWindow {
			break
		}
		if k == 0 {
			newest = r.at[i]
		}
		if k > 0 {
			sum += r.txs[(i+1)%rateBlocks] // the block after this one: within the span
		}
		oldest = r.at[i]
		k++
	}
	span := newest.Sub(oldest)
	if k < 2 || span <= 0 {
		return 0
	}
	return int(int64(sum) * int64(time.Second) / int64(span))
}

// AdmitBound is the number of pending txs at or above which AddLocal refuses
// (0: no bound), and the commit rate (tx/s) it was derived from (0 for a
// fixed bound). AdmitPending > 0 fixes it; < 0 turns it off; 0 derives it:
// the txs the chain commits in AdmitMs at its recent rate, and at least a
// quarter of a full block, so that an idle chain admits a burst that its
// next block takes.
func (p *Pool) AdmitBound() (bound, rate int) {
	switch n := p.cfg.AdmitPending; {
	case n > 0:
		return n, 0
	case n < 0:
		return 0, 0
	}
	now := p.cfg.Clock.Now()
	p.mu.Lock()
	rate = p.mu.commits.perSec(now)
	p.mu.Unlock()
	return p.derivedBound(rate), rate
}

func (p *Pool) derivedBound(rate int) int {
	floor := max(p.chain.Params().MaxBlockTxs/4, 1)
	return max(floor, int(uint64(rate)*p.cfg.AdmitMs/1000))
}

// AddLocal admits a tx submitted to this node (RPC) as Add does, but first
// refuses it with ErrBusy when the pool holds AdmitBound() or more pending
// txs. That check comes before any signature recovery or state read, so an
// overloaded node refuses cheaply. The bound counts every pending tx,
// gossiped ones too: those were admitted by the peer that took them and are
// not refused here (Add), yet they stand in the same line for blocks.
func (p *Pool) AddLocal(tx *types.Tx) error {
	if p.cfg.AdmitPending >= 0 {
		p.mu.Lock()
		_, known := p.mu.all[tx.Hash()]
		p.mu.Unlock()
		if known {
			return ErrKnownTx
		}
		if err := p.Busy(); err != nil {
			return err
		}
	}
	return p.Add(tx)
}

// Busy is AddLocal's admission check alone: ErrBusy (wrapped, with the
// figures) while the pool holds AdmitBound() or more pending txs, else nil.
// The node asks it before it even decodes a submission, so that under
// overload a refused tx costs neither a decode nor a place in the decode
// cache that gossip and proposals rely on.
func (p *Pool) Busy() error {
	if p.cfg.AdmitPending < 0 {
		return nil
	}
	now := p.cfg.Clock.Now()
	p.mu.Lock()
	pending := p.mu.pending
	rate := p.mu.commits.perSec(now)
	p.mu.Unlock()
	bound := p.cfg.AdmitPending
	if bound == 0 {
		bound = p.derivedBound(rate)
	}
	if pending < bound {
		return nil
	}
	if rate > 0 {
		return fmt.Errorf("%w: %d txs pending, admission bound %d (about %d ms of blocks at %d tx/s); retry later",
			ErrBusy, pending, bound, int64(bound)*1000/int64(rate), rate)
	}
	return fmt.Errorf("%w: %d txs pending, admission bound %d; retry later", ErrBusy, pending, bound)
}
