package driver

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/consensus"
)

// TickInterval is the consensus engine's unit of time under Run.
const TickInterval = 10 * time.Millisecond

// Clock is the driver's time: wall time for header times and validation,
// and the ticker that drives the engine's timeouts. RealClock in production;
// tests and the simulator use fakes (or call Tick themselves).
type Clock interface {
	// NowMs is the time in Unix milliseconds.
	NowMs() uint64
	// NewTicker fires every d until stop is called.
	NewTicker(d time.Duration) (c <-chan time.Time, stop func())
}

// RealClock is the wall clock, SkewMs ahead (a chaos fault switch; 0 else).
type RealClock struct{ SkewMs int64 }

// NowMs implements Clock.
func (c RealClock) NowMs() uint64 { return uint64(time.Now().UnixMilli() + c.SkewMs) }

// NewTicker implements Clock.
func (RealClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// inbound is a peer's consensus message queued for Run.
type inbound struct {
	from string
	msg  consensus.Message
}

// Batch is a run of finalised blocks fetched by block sync, in height order.
// Run applies them and sends one Result on Done (buffered by the sender).
type Batch struct {
	Decisions []consensus.Decision
	Done      chan<- BatchResult
}

// BatchResult says how far a batch took the node: Head is the head after it,
// Err the engine's refusal of a decision (wrapping ErrRefused), if any; the
// decisions after a refused one are dropped.
type BatchResult struct {
	Head uint64
	Err  error
}

// Offer queues a peer's consensus message for Run without blocking; false
// when the queue is full (the engine is behind; rebroadcasts bring it again).
func (d *Driver) Offer(from string, m consensus.Message) bool {
	select {
	case d.inbox <- inbound{from, m}:
		return true
	default:
		return false
	}
}

// Sync hands Run a batch of synced decisions, waiting while the previous
// batch is still queued (so at most one waits beside the one being applied).
func (d *Driver) Sync(ctx context.Context, b Batch) error {
	select {
	case d.batches <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run drives the engine from the clock's ticks, offered messages and synced
// batches until ctx ends (nil) or something fails.
func (d *Driver) Run(ctx context.Context) error {
	ticks, stop := d.cfg.Clock.NewTicker(TickInterval)
	defer stop()
	if err := d.Flush(ctx); err != nil {
		return err
	}
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-ticks:
			err = d.Tick(ctx)
		case in := <-d.inbox:
			// Gossip delivers only what the gossip check authenticated, so
			// a refusal is not the sender's doing: an out-of-turn proposal
			// it could not judge (its author is a validator), or a view that
			// moved between the check and now. The relayer is never punished.
			err = d.Deliver(ctx, in.msg)
			if errors.Is(err, ErrRefused) {
				d.cfg.Log.Debug("consensus message refused", zap.String("peer", in.from), zap.Error(err))
				err = nil
			}
		case b := <-d.batches:
			err = d.applyBatch(ctx, b)
		}
		if err != nil {
			return err
		}
	}
}

// applyBatch decides a batch's blocks in order and reports how far it got.
func (d *Driver) applyBatch(ctx context.Context, b Batch) error {
	var refused error
	for i, dec := range b.Decisions {
		err := d.Decide(ctx, dec, i < len(b.Decisions)-1)
		if errors.Is(err, ErrRefused) {
			d.cfg.Log.Warn("synced block refused", zap.Uint64("height", dec.Block.Height()), zap.Error(err))
			refused = err
			break
		}
		if err != nil {
			return err
		}
	}
	if b.Done != nil {
		select {
		case b.Done <- BatchResult{Head: d.cfg.App.Head(), Err: refused}:
		default: // the sender gave no room: it does not wait for the answer
		}
	}
	return nil
}
