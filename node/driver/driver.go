package driver

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/types"
)

// ErrRefused marks an input the engine refused: a peer's message it could not
// accept, or a synced decision whose commit does not hold. The driver goes on;
// the caller decides whom to blame (errors.Is(err, consensus.ErrBadCommit)
// for a decision means the peer that served it sent garbage).
var ErrRefused = errors.New("driver: refused by the engine")

// App is the application consensus runs for: in production the chain and its
// store (ChainApp), in the simulator a model of one.
type App interface {
	// Head is the last committed block's height (0: genesis only).
	Head() uint64
	// SeenCommit is the commit stored with block h (h ≥ 1).
	SeenCommit(h uint64) (*types.Commit, error)
	// Validators is the consensus set that governs height h; an error when
	// it is not decided yet.
	Validators(h uint64) ([]types.Validator, error)
	// Propose builds (and executes) a block for req, carrying evidence.
	Propose(req *consensus.ProposalRequest, proposer types.Address, nowMs uint64, evidence []types.Evidence) (*types.Block, error)
	// Validate executes a proposal; an error means this node prevotes nil.
	Validate(b *types.Block, nowMs uint64) error
	// Commit applies a decided block and stores it durably. catchingUp: more
	// decisions follow at once (the last of a batch is synced).
	Commit(d *consensus.Decision, catchingUp bool) error
	// EvidenceMaxAge is how many heights old evidence may be to be used.
	EvidenceMaxAge() uint64
	// GetMeta and PutMeta keep node-local data beside the chain (the
	// proposer priorities); GetMeta fails with state.ErrNotFound when absent.
	GetMeta(k string) ([]byte, error)
	PutMeta(k string, v []byte) error
}

// WAL is the consensus write-ahead log (consensus/wal.WAL in production).
type WAL interface {
	// Append writes records and fsyncs them before returning.
	Append(recs ...[]byte) error
	// Compact rewrites the log keeping only the records keep accepts.
	Compact(keep func(rec []byte) bool) error
	// Size is the log's size in bytes.
	Size() int64
}

// Transport carries this node's consensus messages to the others. Inbound
// messages reach the driver through Deliver (or Offer, under Run).
type Transport interface {
	// Broadcast sends an own message to every validator. An error is logged;
	// the engine's rebroadcasts make up for a lost message.
	Broadcast(ctx context.Context, m consensus.Message) error
	// Announce tells peers about a block decided live. It must not block on
	// the network: the driver waits for nothing it does.
	Announce(ctx context.Context, b *types.Block)
}

// View is what the driver tells the rest of the node of its engine after each
// step: the gossip check admits messages by it.
type View struct {
	Height uint64
	Round  uint32
	Set    *consensus.ValidatorSet // the set of Height, with priorities
}

// Config are a driver's dependencies and settings.
type Config struct {
	ChainID  uint64
	Signer   consensus.Signer   // nil: an observer that follows and never signs
	Verifier consensus.Verifier // nil: secp256k1 signatures (consensus.SigVerifier)
	Timeouts consensus.Timeouts // in ticks; zero: consensus.DefaultTimeouts

	App       App
	WAL       WAL
	Transport Transport
	Clock     Clock

	// OnView, if set, is called when the engine's height or round changes.
	OnView func(View)
	// CompactEvery and CompactBytes: the WAL is compacted after committing a
	// height that is a multiple of CompactEvery, or once it is larger than
	// CompactBytes. 0: 100 heights, 4 MiB.
	CompactEvery uint64
	CompactBytes int64
	// InboxSize bounds the messages queued for Run; 0: 4096.
	InboxSize int
	Log       *zap.Logger
}

func (c *Config) ensureDefaults() error {
	if c.App == nil || c.WAL == nil || c.Transport == nil || c.Clock == nil {
		return errors.New("driver: App, WAL, Transport and Clock are required")
	}
	if c.CompactEvery == 0 {
		c.CompactEvery = 100
	}
	if c.CompactBytes == 0 {
		c.CompactBytes = 4 << 20
	}
	if c.InboxSize <= 0 {
		c.InboxSize = 4096
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	return nil
}

// Driver owns one consensus engine and does the I/O it asks for. Its methods
// Tick, Deliver and Decide are single-threaded: call them from one goroutine
// (Run does; the simulator calls them directly).
type Driver struct {
	cfg      Config
	eng      *consensus.Engine
	set      *consensus.ValidatorSet // the current height's set, with priorities
	evidence evidencePool
	view     View // last published through OnView
	refused  int  // own inputs the engine refused (a driver bug if ever > 0)

	inbox   chan inbound
	batches chan Batch
}

// Open makes a driver: it restores the engine from the WAL's records (in
// order, as replayed by the caller) and starts the height after the app's
// head.
func Open(cfg Config, records [][]byte) (*Driver, error) {
	if err := cfg.ensureDefaults(); err != nil {
		return nil, err
	}
	eng, err := consensus.New(consensus.Config{ChainID: cfg.ChainID, Signer: cfg.Signer, Verifier: cfg.Verifier, Timeouts: cfg.Timeouts})
	if err != nil {
		return nil, err
	}
	recs := make([]consensus.Record, 0, len(records))
	for i, b := range records {
		r, err := consensus.DecodeRecord(b)
		if err != nil {
			return nil, fmt.Errorf("driver: consensus WAL record %d does not decode: %w", i, err)
		}
		recs = append(recs, r)
	}
	if err := eng.Restore(recs); err != nil {
		return nil, fmt.Errorf("driver: restore consensus from its WAL: %w", err)
	}
	d := &Driver{
		cfg:     cfg,
		eng:     eng,
		inbox:   make(chan inbound, cfg.InboxSize),
		batches: make(chan Batch, 1),
	}
	if err := d.startHeight(); err != nil {
		return nil, err
	}
	// Our own signatures reach past the store's head: the store lost
	// blocks we helped commit (a damaged data directory, or one restored
	// from an older backup). The WAL's records re-decide what they can;
	// below the watermark the engine will not sign, so the node catches up
	// by block sync first — and a lone validator cannot: say so.
	if head := cfg.App.Head(); eng.Watermark() > head+1 {
		cfg.Log.Warn("the store is behind heights this validator already signed; it will not sign again until it has caught up (by the consensus WAL or block sync)",
			zap.Uint64("head", head), zap.Uint64("signed_up_to", eng.Watermark()))
	}
	return d, nil
}

// Height is the height the engine is deciding.
func (d *Driver) Height() uint64 { return d.eng.Height() }

// Status is the engine's position.
func (d *Driver) Status() consensus.Status { return d.eng.Status() }

// Evidence is the double signs seen and not yet included in a block.
func (d *Driver) Evidence() []types.Evidence { return d.evidence.list() }

// RefusedOwn counts inputs of the driver's own making (validations,
// proposals) the engine refused: always 0 unless the driver is wrong.
func (d *Driver) RefusedOwn() int { return d.refused }

// Flush does what the engine asks without new input: after Open, the
// restored engine may have messages to send again.
func (d *Driver) Flush(ctx context.Context) error { return d.drain(ctx, false) }

// Tick advances the engine's logical clock by one tick and does what follows.
func (d *Driver) Tick(ctx context.Context) error {
	d.eng.Tick()
	return d.drain(ctx, false)
}

// Deliver steps the engine with a peer's message. An error wrapping
// ErrRefused is the engine's verdict on the message; any other error is fatal
// (the WAL failed, the app could not commit).
func (d *Driver) Deliver(ctx context.Context, m consensus.Message) error {
	if err := d.eng.Step(m); err != nil {
		if derr := d.drain(ctx, false); derr != nil {
			return derr
		}
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return d.drain(ctx, false)
}

// Decide hands the engine a block finalised elsewhere (block sync) for the
// height it is deciding; a decision for another height is ignored. more says
// that further decisions follow at once (the commit may defer its fsync and
// the block is not announced). An error wrapping ErrRefused is a decision the
// engine refused.
func (d *Driver) Decide(ctx context.Context, dec consensus.Decision, more bool) error {
	if dec.Block == nil || dec.Block.Height() != d.eng.Height() {
		return nil
	}
	if err := d.eng.Step(dec); err != nil {
		if derr := d.drain(ctx, more); derr != nil {
			return derr
		}
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return d.drain(ctx, more)
}

// drain does what the engine asks, in the order of consensus/doc.go, until it
// has nothing more: persist (WAL + fsync), broadcast, evidence, validate,
// propose, commit.
func (d *Driver) drain(ctx context.Context, catchingUp bool) error {
	defer d.publishView()
	for d.eng.HasReady() {
		rd := d.eng.Ready()
		if len(rd.Persist) > 0 {
			recs := make([][]byte, len(rd.Persist))
			for i, r := range rd.Persist {
				b, err := r.Encode()
				if err != nil {
					return fmt.Errorf("driver: encode WAL record: %w", err)
				}
				recs[i] = b
			}
			if err := d.cfg.WAL.Append(recs...); err != nil {
				return fmt.Errorf("driver: consensus WAL append (stopping: cannot vote safely): %w", err)
			}
		}
		for _, m := range rd.Broadcast {
			if err := d.cfg.Transport.Broadcast(ctx, m); err != nil && ctx.Err() == nil {
				d.cfg.Log.Debug("publish consensus message", zap.Error(err))
			}
		}
		for _, ev := range rd.Evidence {
			if d.evidence.add(ev) {
				d.cfg.Log.Warn("double sign seen", zap.Stringer("validator", ev.A.Validator), zap.Uint64("height", ev.A.Height), zap.Uint32("round", ev.A.Round))
			}
		}
		for _, b := range rd.ToValidate {
			valid := true
			if err := d.cfg.App.Validate(b, d.cfg.Clock.NowMs()); err != nil {
				valid = false
				d.cfg.Log.Info("prevoting nil: invalid proposal", zap.Uint64("height", b.Height()), zap.Stringer("hash", b.Hash()), zap.Error(err))
			}
			d.stepOwn(consensus.Validated{Height: b.Height(), Hash: b.Hash(), Valid: valid})
		}
		if req := rd.NeedProposal; req != nil {
			var proposer types.Address
			if d.cfg.Signer != nil {
				proposer = d.cfg.Signer.Address()
			}
			b, err := d.cfg.App.Propose(req, proposer, d.cfg.Clock.NowMs(), d.evidence.list())
			if err != nil {
				return fmt.Errorf("driver: build block %d: %w", req.Height, err)
			}
			d.stepOwn(consensus.ProposalBlock{Height: req.Height, Round: req.Round, Block: b})
		}
		if rd.Commit != nil {
			if err := d.commit(ctx, rd.Commit, catchingUp); err != nil {
				return err
			}
		}
		d.eng.Advance(rd)
	}
	return nil
}

func (d *Driver) stepOwn(m consensus.Msg) {
	if err := d.eng.Step(m); err != nil {
		d.refused++
		d.cfg.Log.Debug("engine refused own input", zap.Error(err))
	}
}

// commit applies a decided block, then starts the next height.
func (d *Driver) commit(ctx context.Context, dec *consensus.Decision, catchingUp bool) error {
	b := dec.Block
	if err := d.cfg.App.Commit(dec, catchingUp); err != nil {
		return err
	}
	d.evidence.prune(b, d.cfg.App.EvidenceMaxAge())
	if err := d.rollSet(b.Height()); err != nil {
		return err
	}
	// Compacting rewrites and fsyncs the WAL: do it now and then, not per
	// height (records of old heights are harmless on restore).
	w := d.cfg.WAL
	if h := b.Height(); w.Size() > 0 && (h%d.cfg.CompactEvery == 0 || w.Size() > d.cfg.CompactBytes) {
		if err := w.Compact(func(rec []byte) bool {
			r, err := consensus.DecodeRecord(rec)
			return err != nil || r.Height() > h
		}); err != nil {
			return fmt.Errorf("driver: compact consensus WAL: %w", err)
		}
	}
	// Announce blocks decided live; blocks replayed by sync are old news.
	if !catchingUp {
		d.cfg.Transport.Announce(ctx, b)
	}
	return d.startHeight()
}

// startHeight gives the engine the height after the head.
func (d *Driver) startHeight() error {
	head := d.cfg.App.Head()
	h := head + 1
	set, err := d.setFor(h)
	if err != nil {
		return err
	}
	d.set = set
	var last *types.Commit
	if head > 0 {
		if last, err = d.cfg.App.SeenCommit(head); err != nil {
			return err
		}
	}
	// The set of h+1 is stored once the head is applied (it is decided at
	// the end of an epoch's last block, for the height after next); only
	// its members get slots for next-height messages.
	next, err := d.cfg.App.Validators(h + 1)
	if err != nil {
		next = nil
	}
	if err := d.eng.NewHeight(consensus.HeightParams{Height: h, Validators: set, LastCommit: last, NextValidators: next}); err != nil {
		return err
	}
	d.publishView()
	return nil
}

// publishView tells OnView the engine's height, round and set when they change.
func (d *Driver) publishView() {
	if d.cfg.OnView == nil {
		return
	}
	st := d.eng.Status()
	if d.view.Set == d.set && d.view.Height == st.Height && d.view.Round == st.Round {
		return
	}
	d.view = View{Height: st.Height, Round: st.Round, Set: d.set}
	d.cfg.OnView(d.view)
}
