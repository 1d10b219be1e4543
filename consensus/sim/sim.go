package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/types"
)

// Options describe one simulated scenario.
type Options struct {
	Seed      uint64
	Nodes     int // 4…
	Byzantine int // the first Byzantine nodes equivocate; they always hold < 1/3 of the power

	ChaosTicks      uint64 // length of the faulty phase; then the network heals
	LivenessTicks   uint64 // after healing, every honest node must …
	LivenessHeights uint64 // … decide this many heights beyond the highest decided at healing

	MinDelay, MaxDelay uint64 // message delay in ticks, uniform
	LossPermille       int    // messages lost during the chaos (‰)
	DupPermille        int    // messages delivered twice (‰)
	Partitions         bool   // split the network a few times during the chaos
	Crashes            bool   // crash and restart honest nodes during the chaos
	TornWrites         bool   // some crashes tear the WAL record being written
	ValsetChanges      bool   // the validator set changes every few heights
	LargePowers        bool   // powers in units of 10^9
	RealCrypto         bool   // secp256k1 signatures instead of MACs (slower)
	// Chain runs each node's real chain (chain.Chain on in-memory Pebble)
	// through the production App instead of the MAC model: much slower.
	// It needs RealCrypto; the chain decides the validator sets, so
	// ValsetChanges is ignored.
	Chain       bool
	Timeouts    consensus.Timeouts
	StatusTicks uint64 // how often nodes announce their height (block sync)

	// DisableWAL makes restarted nodes forget what they signed, to show
	// that the checks catch double signing. Never set outside such tests.
	DisableWAL bool
}

// RandomOptions returns the scenario that seed stands for.
func RandomOptions(seed uint64) Options {
	r := rand.New(rand.NewPCG(seed, 0x0b7))
	o := Options{
		Seed:            seed,
		Nodes:           4 + r.IntN(4),
		ChaosTicks:      800 + uint64(r.IntN(800)),
		LivenessTicks:   1500,
		LivenessHeights: 3,
		MinDelay:        1,
		MaxDelay:        1 + uint64(r.IntN(8)),
		LossPermille:    r.IntN(300),
		DupPermille:     r.IntN(100),
		Partitions:      r.IntN(4) != 0,
		Crashes:         r.IntN(4) != 0,
		TornWrites:      r.IntN(2) == 0,
		ValsetChanges:   r.IntN(2) == 0,
		LargePowers:     r.IntN(4) == 0,
		RealCrypto:      seed%8 == 0,
		Chain:           seed%16 == 0,
		Timeouts:        consensus.Timeouts{Propose: 20, ProposeDelta: 4, Prevote: 10, PrevoteDelta: 2, Precommit: 10, PrecommitDelta: 2},
		StatusTicks:     25,
	}
	switch r.IntN(4) {
	case 0:
	case 1, 2:
		o.Byzantine = 1
	default:
		o.Byzantine = (o.Nodes - 1) / 3
	}
	return o
}

// Result summarises a run.
type Result struct {
	Ticks         uint64 // ticks run
	RecoveryTicks uint64 // after healing, until every honest node reached the liveness target
	Height        uint64 // height every honest node has decided
	MaxRound      uint32 // highest round a height was decided in
	Decisions     int    // decisions, all nodes together
	Sent          int    // messages sent
	Dropped       int    // lost, partitioned away, or to a crashed node
	Crashes       int
	TornTails     int // restarts whose WAL had a torn final record
	Evidence      int // pieces of evidence decided in blocks
	Rejected      int // byzantine messages the engines refused
	Trace         types.Hash
}

// Violation is a broken property.
type Violation struct {
	Seed   uint64
	Tick   uint64
	Kind   string // safety, liveness, double-sign, commit, evidence, rejected, wal
	Detail string
}

func (v *Violation) Error() string {
	return fmt.Sprintf("sim seed %d tick %d: %s: %s", v.Seed, v.Tick, v.Kind, v.Detail)
}

// Run runs one scenario. It returns a *Violation if a property broke.
func Run(opts Options) (*Result, error) {
	w, err := newWorld(opts)
	if err != nil {
		return nil, err
	}
	defer w.close()
	w.run()
	if errors.Is(w.err, errDone) {
		return &w.res, nil
	}
	return &w.res, w.err
}

type world struct {
	opts     Options
	rng      *rand.Rand
	now      uint64
	spec     *chainSpec
	verifier verifier
	nodes    []*node
	queue    eventQueue
	seq      uint64
	actions  []action
	loss     int
	groups   []int // partition group of each node; nil when connected
	healed   bool
	target   uint64 // liveness: height to reach after healing

	decided   map[uint64]types.Hash // first decision per height
	signed    map[signedKey]types.Hash
	evidenced map[evKey]bool // evidence decided so far
	res       Result
	err       error
}

type signedKey struct {
	signer types.Address
	height uint64
	round  uint32
	typ    types.VoteType // 0: proposal
}

type evKey struct {
	validator types.Address
	height    uint64
	round     uint32
	typ       types.VoteType
}

func keyOf(ev types.Evidence) evKey {
	return evKey{ev.A.Validator, ev.A.Height, ev.A.Round, ev.A.Type}
}

type event struct {
	at, seq  uint64
	from, to int
	msg      []byte              // an encoded consensus.Message, or
	decision *consensus.Decision // a block with its commit (block sync), or
	status   uint64              // the sender's next height (block sync)
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type actionKind uint8

const (
	actPartition actionKind = iota
	actHealPartition
	actCrash
	actTearNext          // crash while writing the next WAL record
	actCrashAfterPersist // crash after the next WAL write, before sending
)

type action struct {
	at       uint64
	kind     actionKind
	node     int
	groups   []int
	downtime uint64
}

func newWorld(opts Options) (*world, error) {
	if opts.Nodes < 4 || opts.Byzantine < 0 || 3*opts.Byzantine >= opts.Nodes || opts.MaxDelay < opts.MinDelay || opts.MinDelay == 0 || opts.Chain && !opts.RealCrypto {
		return nil, fmt.Errorf("sim: bad options %+v", opts)
	}
	w := &world{
		opts:      opts,
		rng:       rand.New(rand.NewPCG(opts.Seed, 0x51a)),
		loss:      opts.LossPermille,
		decided:   make(map[uint64]types.Hash),
		signed:    make(map[signedKey]types.Hash),
		evidenced: make(map[evKey]bool),
		verifier:  verifier{real: opts.RealCrypto, ids: make(map[types.Address]identity)},
	}
	w.spec = &chainSpec{seed: opts.Seed, scale: 1, cache: make(map[uint64][]types.Validator), sets: make(map[uint64]*consensus.ValidatorSet)}
	if opts.ValsetChanges && !opts.Chain {
		w.spec.epoch = 2 + uint64(w.rng.IntN(6))
	}
	if opts.LargePowers {
		w.spec.scale = 1_000_000_000
	}
	for i := range opts.Nodes {
		id := newIdentity(opts.Seed, i, opts.RealCrypto)
		w.spec.ids = append(w.spec.ids, id)
		w.spec.byzantine = append(w.spec.byzantine, i < opts.Byzantine)
		w.verifier.ids[id.addr] = id
	}
	_, err := w.spec.set(1)
	if err != nil {
		return nil, err
	}
	var g *chain.Genesis
	if opts.Chain {
		if g, err = simGenesis(w.spec.vals(1)); err != nil {
			return nil, err
		}
	}
	for i := range opts.Nodes {
		n := &node{i: i, id: w.spec.ids[i], byzantine: i < opts.Byzantine, fs: wal.NewMemFS(), pending: map[uint64]*consensus.Decision{}}
		var app App = &macApp{w: w, n: n, byzantine: n.byzantine, metaStore: metaStore{}}
		if opts.Chain {
			ca, err := newChainApp(w, n, g)
			if err != nil {
				w.close()
				return nil, err
			}
			app = ca
		}
		n.app = checkedApp{app, w, n}
		w.nodes = append(w.nodes, n)
	}
	w.planChaos()
	for _, n := range w.nodes {
		w.restart(n)
	}
	return w, w.err
}

// planChaos draws the partitions and crashes of the chaotic phase.
func (w *world) planChaos() {
	chaos := w.opts.ChaosTicks
	if w.opts.Partitions {
		t := uint64(w.rng.IntN(150))
		for range 1 + w.rng.IntN(3) {
			start := t + uint64(w.rng.IntN(200))
			end := start + 50 + uint64(w.rng.IntN(350))
			if end >= chaos {
				break
			}
			groups := make([]int, w.opts.Nodes)
			k := 2 + w.rng.IntN(2)
			for i := range groups {
				groups[i] = w.rng.IntN(k)
			}
			w.actions = append(w.actions, action{at: start, kind: actPartition, groups: groups}, action{at: end, kind: actHealPartition})
			t = end
		}
	}
	if w.opts.Crashes {
		for i := w.opts.Byzantine; i < w.opts.Nodes; i++ {
			t := uint64(0)
			for w.rng.IntN(2) == 0 {
				t += 20 + uint64(w.rng.IntN(int(chaos/2)))
				if t >= chaos {
					break
				}
				kind := actCrash
				switch w.rng.IntN(3) {
				case 1:
					if w.opts.TornWrites {
						kind = actTearNext
					}
				case 2:
					kind = actCrashAfterPersist
				}
				down := 5 + uint64(w.rng.IntN(250))
				w.actions = append(w.actions, action{at: t, kind: kind, node: i, downtime: down})
				t += down
			}
		}
	}
	slices.SortStableFunc(w.actions, func(a, b action) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
}

// close releases the nodes' chains, if any.
func (w *world) close() {
	for _, n := range w.nodes {
		if ca, ok := n.app.(checkedApp).App.(*chainApp); ok {
			ca.close()
		}
	}
}

func (w *world) fail(kind, format string, args ...any) {
	if w.err == nil {
		w.err = &Violation{Seed: w.opts.Seed, Tick: w.now, Kind: kind, Detail: fmt.Sprintf(format, args...)}
	}
}

func (w *world) run() {
	for w.err == nil {
		w.now++
		for len(w.actions) > 0 && w.actions[0].at <= w.now {
			a := w.actions[0]
			w.actions = w.actions[1:]
			w.act(a)
		}
		if w.now == w.opts.ChaosTicks {
			w.heal()
		}
		for _, n := range w.nodes {
			if !n.up && n.restartAt <= w.now {
				w.restart(n)
			}
		}
		for w.queue.Len() > 0 && w.queue[0].at <= w.now && w.err == nil {
			w.deliver(heap.Pop(&w.queue).(event))
		}
		for _, n := range w.nodes {
			if n.up && w.err == nil {
				w.drive(n, n.drv.Tick)
			}
		}
		w.announce()
		if w.healed && w.err == nil {
			w.checkLiveness()
		}
	}
	w.res.Ticks = w.now
	w.res.Height = ^uint64(0)
	for _, n := range w.nodes {
		if !n.byzantine {
			w.res.Height = min(w.res.Height, n.next()-1)
		}
	}
}

func (w *world) act(a action) {
	switch a.kind {
	case actPartition:
		w.groups = a.groups
	case actHealPartition:
		w.groups = nil
	case actCrash:
		if n := w.nodes[a.node]; n.up {
			n.downtime = a.downtime
			w.crash(n, false)
		}
	case actTearNext:
		w.nodes[a.node].tearNext, w.nodes[a.node].downtime = true, a.downtime
	case actCrashAfterPersist:
		w.nodes[a.node].crashAfterPersist, w.nodes[a.node].downtime = true, a.downtime
	}
}

// heal ends the chaos: the network reconnects, stops losing messages, and
// every node comes back.
func (w *world) heal() {
	w.healed = true
	w.groups = nil
	w.loss = 0
	w.actions = nil
	for _, n := range w.nodes {
		n.tearNext, n.crashAfterPersist = false, false
		if !n.up {
			n.restartAt = w.now
		}
	}
	for _, n := range w.nodes {
		w.target = max(w.target, n.next()-1)
	}
	w.target += w.opts.LivenessHeights
}

func (w *world) checkLiveness() {
	for _, n := range w.nodes {
		if !n.byzantine && n.next()-1 < w.target {
			if w.now > w.opts.ChaosTicks+w.opts.LivenessTicks {
				w.fail("liveness", "node %d decided only up to height %d, %d ticks after healing; needed %d\n%s",
					n.i, n.next()-1, w.opts.LivenessTicks, w.target, w.describe())
			}
			return
		}
	}
	w.res.RecoveryTicks = w.now - w.opts.ChaosTicks
	w.err = errDone
}

// describe summarises every node's position, for failure reports.
func (w *world) describe() string {
	var b strings.Builder
	for _, n := range w.nodes {
		fmt.Fprintf(&b, "  node %d byzantine=%v up=%v decided=%d", n.i, n.byzantine, n.up, n.next()-1)
		if n.drv != nil {
			st := n.drv.Status()
			fmt.Fprintf(&b, " at (%d, %d, %s) locked=%s valid=%s proposer=%s",
				st.Height, st.Round, st.Step, roundString(st.LockedRound, st.LockedHash), roundString(st.ValidRound, st.ValidHash), st.Proposer)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func roundString(r uint32, h types.Hash) string {
	if r == consensus.NoRound {
		return "-"
	}
	return fmt.Sprintf("%s@%d", h.TerminalString(), r)
}

var errDone = errors.New("done")

func (w *world) connected(a, b int) bool { return w.groups == nil || w.groups[a] == w.groups[b] }

// send puts ev on the network from → to.
func (w *world) send(from, to int, ev event) {
	w.res.Sent++
	if !w.connected(from, to) || w.rng.IntN(1000) < w.loss {
		w.res.Dropped++
		return
	}
	copies := 1
	if w.rng.IntN(1000) < w.opts.DupPermille {
		copies = 2
	}
	ev.from, ev.to = from, to
	for range copies {
		ev.at = w.now + w.opts.MinDelay + w.rng.Uint64N(w.opts.MaxDelay-w.opts.MinDelay+1)
		ev.seq = w.seq
		w.seq++
		heap.Push(&w.queue, ev)
	}
}

func (w *world) deliver(ev event) {
	n := w.nodes[ev.to]
	if !n.up || !w.connected(ev.from, ev.to) {
		w.res.Dropped++
		return
	}
	switch {
	case ev.msg != nil:
		m, err := consensus.DecodeMessage(ev.msg)
		if err != nil {
			w.fail("rejected", "node %d cannot decode a message from node %d: %v", n.i, ev.from, err)
			return
		}
		if err := w.drive(n, func(ctx context.Context) error { return n.drv.Deliver(ctx, m) }); err != nil {
			if !w.nodes[ev.from].byzantine {
				w.fail("rejected", "node %d rejected honest node %d's message at height %d: %v", n.i, ev.from, m.Height(), err)
				return
			}
			w.res.Rejected++
		}
	case ev.decision != nil:
		h := ev.decision.Block.Height()
		switch {
		case h == n.next():
			if err := w.drive(n, func(ctx context.Context) error { return n.drv.Decide(ctx, *ev.decision, false) }); err != nil {
				w.fail("rejected", "node %d rejected decision %d synced from node %d: %v", n.i, h, ev.from, err)
				return
			}
		case h > n.next() && h <= n.next()+8:
			n.pending[h] = ev.decision
		}
	default:
		// A status: serve the sender the decisions it lacks.
		for h := ev.status; h < n.next() && h < ev.status+4; h++ {
			w.send(n.i, ev.from, event{decision: n.decision(h)})
		}
	}
}

// announce broadcasts each node's height every StatusTicks, staggered.
func (w *world) announce() {
	for _, n := range w.nodes {
		if n.up && (w.now+uint64(n.i)*7)%w.opts.StatusTicks == 0 {
			for _, p := range w.nodes {
				if p != n {
					w.send(n.i, p.i, event{status: n.next()})
				}
			}
		}
	}
}
