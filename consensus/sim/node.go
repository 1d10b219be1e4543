package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const walPath = "/data/consensus.wal"

var (
	genesisHash = types.Keccak256([]byte("sim genesis"))
	errTorn     = errors.New("sim: power lost during write")
	errPowerCut = errors.New("sim: power lost after the WAL write")
)

// node is one simulated process: the node's real driver (node/driver)
// around an engine, with a durable store (the app's blocks and metadata,
// kept across crashes) and a WAL on a MemFS.
type node struct {
	i         int
	id        identity
	byzantine bool

	drv *driver.Driver
	fs  *wal.MemFS
	wal *wal.WAL
	up  bool

	restartAt         uint64
	downtime          uint64
	tearNext          bool // crash while writing the next WAL record
	crashAfterPersist bool // crash after the next WAL write, before sending

	app App // durable: the decided blocks

	// Volatile.
	pending map[uint64]*consensus.Decision // synced decisions for later heights
}

// decision is decided block h (h < next()) with its commit.
func (n *node) decision(h uint64) *consensus.Decision {
	d, _ := n.app.Decided(h)
	return d
}

// next is the height the node is deciding.
func (n *node) next() uint64 { return n.app.Head() + 1 }

// restart opens the node's WAL and the driver over it, as a real node does
// at boot: the driver replays the WAL into a new engine and starts the
// height after the store's head.
func (w *world) restart(n *node) {
	ww, rep, err := wal.Open(n.fs, walPath)
	if err != nil {
		w.fail("wal", "node %d: %v", n.i, err)
		return
	}
	if rep.Warning != nil {
		w.res.TornTails++
	}
	n.wal = ww
	if ca, ok := n.app.(checkedApp).App.(*chainApp); ok {
		ca.reset()
	}
	drv, err := driver.Open(driver.Config{
		ChainID:      chainID,
		Signer:       signer{n.id},
		Verifier:     w.verifier,
		Timeouts:     w.opts.Timeouts,
		App:          n.app,
		WAL:          simWAL{w, n},
		Transport:    simTransport{w, n},
		Clock:        simClock{w},
		CompactEvery: 16,
		CompactBytes: 1 << 40,
	}, rep.Records)
	if err != nil {
		w.fail("wal", "node %d: %v", n.i, err)
		return
	}
	n.drv, n.up = drv, true
	w.drive(n, drv.Flush)
}

// crash stops the node. With torn, the bytes of an interrupted write reach
// the disk; otherwise everything not synced is lost.
func (w *world) crash(n *node, torn bool) {
	n.up, n.drv, n.wal = false, nil, nil
	var keep func(string, int) int
	if torn {
		keep = func(_ string, unsynced int) int { return unsynced }
	}
	n.fs.Crash(keep)
	n.pending = map[uint64]*consensus.Decision{}
	n.restartAt = w.now + max(n.downtime, 1)
	w.res.Crashes++
}

// drive runs one driver call and settles what it did: a power cut crashes
// the node, any other failure is a violation; then the decisions synced
// ahead are handed over as the node reaches their heights. It returns the
// engine's refusal of the input, if any.
func (w *world) drive(n *node, call func(context.Context) error) error {
	ctx := context.Background()
	err := call(ctx)
	var refused error
	switch {
	case err == nil:
	case errors.Is(err, errTorn):
		w.crash(n, true)
		return nil
	case errors.Is(err, errPowerCut):
		w.crash(n, false)
		return nil
	case errors.Is(err, driver.ErrRefused):
		refused = err
	default:
		w.fail("driver", "node %d: %v", n.i, err)
		return nil
	}
	if w.err != nil {
		return refused
	}
	if k := n.drv.RefusedOwn(); k > 0 {
		w.fail("rejected", "node %d: the engine refused %d of its driver's own inputs", n.i, k)
		return refused
	}
	for _, ev := range n.drv.Evidence() {
		w.checkAccusation(n, ev)
	}
	if pd := n.pending[n.next()]; pd != nil {
		delete(n.pending, n.next())
		if err := w.drive(n, func(ctx context.Context) error { return n.drv.Decide(ctx, *pd, false) }); err != nil {
			w.fail("rejected", "node %d rejected a synced decision for %d: %v", n.i, pd.Block.Height(), err)
		}
	}
	for k := range n.pending {
		if k < n.next() {
			delete(n.pending, k) // order-independent
		}
	}
	return refused
}

// simWAL is the node's WAL as the driver sees it, with the simulator's power
// cuts: one tears the record being written, one strikes right after the
// fsync, before anything is sent. Byzantine nodes (and all nodes with
// DisableWAL) remember nothing.
type simWAL struct {
	w *world
	n *node
}

func (s simWAL) off() bool { return s.n.byzantine || s.w.opts.DisableWAL }

func (s simWAL) Append(recs ...[]byte) error {
	n, w := s.n, s.w
	if s.off() {
		return nil
	}
	if n.tearNext {
		n.tearNext = false
		n.fs.FailWrite = func(_ string, p []byte) (int, error) { return w.rng.IntN(len(p)), errTorn }
		err := n.wal.Append(recs...)
		n.fs.FailWrite = nil
		if !errors.Is(err, errTorn) {
			w.fail("wal", "node %d: torn append returned %v", n.i, err)
		}
		return errTorn
	}
	if err := n.wal.Append(recs...); err != nil {
		return err
	}
	if n.crashAfterPersist {
		n.crashAfterPersist = false
		return errPowerCut
	}
	return nil
}

func (s simWAL) Compact(keep func([]byte) bool) error {
	if s.off() {
		return nil
	}
	return s.n.wal.Compact(keep)
}

func (s simWAL) Size() int64 {
	if s.off() {
		return 0
	}
	return s.n.wal.Size()
}

// simTransport puts a node's messages on the simulated network.
type simTransport struct {
	w *world
	n *node
}

func (t simTransport) Broadcast(_ context.Context, m consensus.Message) error {
	t.w.broadcast(t.n, m)
	return nil
}

// Announce does nothing: nodes announce their heights every StatusTicks.
func (simTransport) Announce(context.Context, *types.Block) {}

// simClock is the world's tick counter, tickMs a tick from genesis. The driver's
// ticks come from the world's loop, never from a ticker.
type simClock struct{ w *world }

func (c simClock) NowMs() uint64 { return genesisMs + c.w.now*tickMs }

func (simClock) NewTicker(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }

// metaStore is an App's node-local metadata, durable across crashes.
type metaStore map[string][]byte

func (m metaStore) GetMeta(k string) ([]byte, error) {
	v, ok := m[k]
	if !ok {
		return nil, fmt.Errorf("%w: meta %s", state.ErrNotFound, k)
	}
	return v, nil
}

func (m metaStore) PutMeta(k string, v []byte) error {
	m[k] = append([]byte(nil), v...)
	return nil
}

func (w *world) evidencedIn(b *types.Block, ev types.Evidence) bool {
	for _, x := range b.Evidence {
		if keyOf(x) == keyOf(ev) {
			return true
		}
	}
	return false
}

func (w *world) checkAccusation(n *node, ev types.Evidence) {
	for _, m := range w.nodes {
		if m.id.addr == ev.A.Validator && !m.byzantine {
			w.fail("evidence", "node %d accuses honest node %d of double signing at height %d round %d", n.i, m.i, ev.A.Height, ev.A.Round)
		}
	}
}

func u64(x uint64) []byte {
	return []byte{byte(x >> 56), byte(x >> 48), byte(x >> 40), byte(x >> 32), byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
}

// broadcast sends m to every other node. Honest nodes' messages are checked
// for double signing; byzantine nodes show half of the peers a conflicting
// message.
func (w *world) broadcast(n *node, m consensus.Message) {
	if !n.byzantine {
		w.checkSigned(n, m)
		b := w.encode(m)
		for _, p := range w.nodes {
			if p != n {
				w.send(n.i, p.i, event{msg: b})
			}
		}
		return
	}
	orig, alt := w.encode(m), w.encode(w.equivocate(n, m))
	for _, p := range w.nodes {
		if p == n {
			continue
		}
		b := orig
		if w.rng.IntN(2) == 0 {
			b = alt
		}
		w.send(n.i, p.i, event{msg: b})
	}
}

func (w *world) encode(m consensus.Message) []byte {
	b, err := m.Encode()
	if err != nil {
		w.fail("rejected", "encode: %v", err)
	}
	return b
}

func (w *world) checkSigned(n *node, m consensus.Message) {
	var (
		k    signedKey
		hash types.Hash
	)
	if p := m.Proposal; p != nil {
		k, hash = signedKey{p.Proposer, p.Height, p.Round, 0}, p.BlockHash
	} else {
		v := m.Vote
		k, hash = signedKey{v.Validator, v.Height, v.Round, v.Type}, v.BlockHash
	}
	if prev, ok := w.signed[k]; ok && prev != hash {
		step := "proposal"
		if k.typ != 0 {
			step = k.typ.String()
		}
		w.fail("double-sign", "honest node %d signed two %ss at height %d round %d: %s and %s", n.i, step, k.height, k.round, prev, hash)
		return
	}
	w.signed[k] = hash
}

// equivocate makes a byzantine node's conflicting twin of m.
func (w *world) equivocate(n *node, m consensus.Message) consensus.Message {
	s := signer{n.id}
	if m.Vote != nil {
		v := *m.Vote
		if v.BlockHash == (types.Hash{}) || w.rng.IntN(2) == 0 {
			v.BlockHash = types.Keccak256(u64(w.rng.Uint64()))
		} else {
			v.BlockHash = types.Hash{}
		}
		_ = s.SignVote(&v)
		return consensus.Message{Vote: &v}
	}
	p := *m.Proposal
	alt := n.app.Twin(m.Block, w.rng.IntN(2) == 0, 1+byte(w.rng.IntN(200)))
	p.BlockHash, p.POLRound = alt.Hash(), consensus.NoRound
	_ = s.SignProposal(&p)
	return consensus.Message{Proposal: &p, Block: alt}
}
