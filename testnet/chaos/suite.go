package chaos

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/testnet"
	"github.com/taonet/taod/types"
)

// Modes of a run.
const (
	ModeDocker  = "docker"
	ModeProcess = "process"
)

// Config says what to run a scenario against and for how long.
type Config struct {
	Mode    string // ModeDocker or ModeProcess
	Image   string // docker: the node image, built with -tags chaos (taod:chaos)
	Project string // docker: prefix of every container and network (taod-chaos)
	Bin     string // process: a taod built with -tags chaos
	// Dir holds one testnet per scenario (homes, logs); kept for inspection.
	Dir     string
	Times   Durations
	TxRate  int       // load: transfers offered per second
	Senders int       // load: sending accounts (dev keys 4…)
	Log     io.Writer // progress; nil: discarded
}

// Durations are the fault lengths and the bounds a run asserts.
type Durations struct {
	Warmup    time.Duration // load before the fault
	Kill      time.Duration // 1: how long the killed validator stays down
	Pause     time.Duration // 2: how long the validator stays paused
	Partition time.Duration // 3, 4: how long the partition lasts
	PowerOff  time.Duration // 6: how long every validator stays down
	Skew      time.Duration // 8: how long the skewed validator runs
	Spam      time.Duration // 9: how long the spammer floods its peers
	Settle    time.Duration // load after the heal
	// Resume bounds the time from the heal until the chain commits again and
	// until every node is back within a block of the tip.
	Resume time.Duration
	// Drain bounds the time from the end of the load until every accepted
	// transaction is committed.
	Drain time.Duration
}

// ShortDurations fit the suite in CI: faults of 8 s on 200 ms blocks (40
// block intervals) still exercise block sync, round changes and rejoins.
func ShortDurations() Durations {
	return Durations{Warmup: 3 * time.Second, Kill: 8 * time.Second, Pause: 8 * time.Second, Partition: 8 * time.Second,
		PowerOff: 3 * time.Second, Skew: 8 * time.Second, Spam: 8 * time.Second, Settle: 3 * time.Second, Resume: 45 * time.Second, Drain: 45 * time.Second}
}

// LongDurations are the issue's: a 20 s kill, a 30 s pause, 30 s partitions.
func LongDurations() Durations {
	return Durations{Warmup: 5 * time.Second, Kill: 20 * time.Second, Pause: 30 * time.Second, Partition: 30 * time.Second,
		PowerOff: 10 * time.Second, Skew: 30 * time.Second, Spam: 30 * time.Second, Settle: 10 * time.Second, Resume: 60 * time.Second, Drain: 60 * time.Second}
}

func (c *Config) ensureDefaults() {
	if c.Project == "" {
		c.Project = "taod-chaos"
	}
	if c.Image == "" {
		c.Image = "taod:chaos"
	}
	if c.Times == (Durations{}) {
		c.Times = ShortDurations()
	}
	if c.TxRate == 0 {
		c.TxRate = 25
	}
	if c.Senders == 0 {
		c.Senders = 4
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Testnet shape: 4 validators and 1 full node; dev keys 0–3 are the
// coldkeys of scenario 5's stakes, 10–13 its hotkeys, 4… the load's senders.
const (
	validators  = 4
	fullNodes   = 1
	firstSender = 4
	dockerPort  = 29944 // node i's RPC on 127.0.0.1:29944+i
)

// Figures are what a scenario measured.
type Figures struct {
	ID   int
	Name string
	// Fault is how long the fault lasted; Blocks and Txs were committed
	// during it (Txs: load transfers).
	Fault  time.Duration
	Blocks uint64
	Txs    int
	// Resume is the time from the heal until the chain committed a block
	// above its height at the heal; Rejoin until, the chain having resumed,
	// every node was within a block of the tip. Both must stay within
	// Durations.Resume.
	Resume, Rejoin time.Duration
	// MaxGap is the longest interval between consecutive block times from
	// the start of the fault to the end; MaxDiv the largest spread of
	// heights among the nodes that answered.
	MaxGap time.Duration
	MaxDiv uint64
	// The load: accepted by a node, committed (on every node), resubmitted,
	// refused on resubmission (never committed).
	Accepted, Committed, Resent, Rejected int
	// Evidence counts double-sign evidence in blocks; Height is the height
	// up to which every node's chain was compared.
	Evidence int
	Height   uint64
	Notes    []string
	Err      error
	Took     time.Duration
}

// Scenario is one fault with its recovery and scenario-specific checks.
type Scenario struct {
	ID   int
	Slug string
	Name string
	// Evidence: double-sign evidence must land (5); otherwise none may.
	Evidence bool
	run      func(ctx context.Context, e *env) error
	after    func(ctx context.Context, e *env) error // extra checks once every node has rejoined
}

// env is a running scenario: the cluster, the clients, the load and the
// watcher, and what the scenario marked.
type env struct {
	cfg     Config
	c       Cluster
	lay     *testnet.Layout
	names   []string
	clients []*gethrpc.Client
	chainID uint64
	led     *ledger
	load    *loadGen
	w       *watcher
	fig     *Figures

	mu struct {
		sync.Mutex
		down map[int]bool // nodes out of the load's rotation (set by fault)
	}
	faultAt time.Time
	healAt  time.Time
	tip0    uint64 // tip at the fault
	tip1    uint64 // tip at the heal
	before  map[types.Hash]types.Hash
}

func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.cfg.Log, "    [%d %s] %s\n", e.fig.ID, time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// up lists the nodes the scenario has not taken out, full nodes first (they
// are never faulted alone, so they make good references).
func (e *env) up() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []int
	for i := len(e.lay.Nodes) - 1; i >= 0; i-- {
		if !e.mu.down[i] {
			out = append(out, i)
		}
	}
	return out
}

// fault marks the start of the fault; nodes leave the load's rotation.
func (e *env) fault(nodes ...int) {
	e.mu.Lock()
	e.mu.down = make(map[int]bool)
	for _, i := range nodes {
		e.mu.down[i] = true
	}
	e.mu.Unlock()
	e.faultAt, e.tip0 = time.Now(), e.w.tip()
	e.logf("fault: tip %d", e.tip0)
}

// heal marks its end; every node is back in the rotation.
func (e *env) heal() {
	e.mu.Lock()
	e.mu.down = nil
	e.mu.Unlock()
	e.healAt, e.tip1 = time.Now(), e.w.tip()
	e.logf("heal: tip %d", e.tip1)
}

// waitFor polls cond until it holds or bound passes.
func (e *env) waitFor(ctx context.Context, bound time.Duration, what string, cond func() bool) (time.Duration, error) {
	start := time.Now()
	for !cond() {
		if time.Since(start) > bound {
			return time.Since(start), fmt.Errorf("chaos: %s: not within %s", what, bound)
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return time.Since(start), nil
}

// RunScenario runs one scenario on a fresh testnet under load and checks
// the invariants after it: no fork, same state, no lost tx, liveness.
func RunScenario(ctx context.Context, cfg Config, sc Scenario) (fig *Figures) {
	cfg.ensureDefaults()
	fig = &Figures{ID: sc.ID, Name: sc.Name}
	start := time.Now()
	defer func() { fig.Took = time.Since(start) }()
	dir := filepath.Join(cfg.Dir, fmt.Sprintf("s%d-%s", sc.ID, sc.Slug))
	if err := os.RemoveAll(dir); err != nil {
		fig.Err = err
		return fig
	}
	c, err := newCluster(cfg, dir)
	if err != nil {
		fig.Err = err
		return fig
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := c.Down(dctx); err != nil && fig.Err == nil {
			fig.Err = err
		}
	}()
	fig.Err = runScenario(ctx, cfg, c, sc, fig)
	return fig
}

func newCluster(cfg Config, dir string) (Cluster, error) {
	switch cfg.Mode {
	case ModeDocker:
		return NewDockerCluster(dir, testnet.DockerOptions{Validators: validators, FullNodes: fullNodes, Preset: "test",
			DevKeys: firstSender + cfg.Senders, Image: cfg.Image, Project: cfg.Project, HostRPCPort: dockerPort})
	case ModeProcess:
		return NewProcessCluster(dir, cfg.Bin, testnet.Options{Validators: validators, FullNodes: fullNodes, Preset: "test",
			DevKeys: firstSender + cfg.Senders})
	}
	return nil, fmt.Errorf("chaos: mode %q: want %s or %s", cfg.Mode, ModeDocker, ModeProcess)
}

func runScenario(ctx context.Context, cfg Config, c Cluster, sc Scenario, fig *Figures) error {
	lay := c.Layout()
	e := &env{cfg: cfg, c: c, lay: lay, fig: fig, led: newLedger()}
	fmt.Fprintf(cfg.Log, "=== scenario %d: %s (%s testnet in %s)\n", sc.ID, sc.Name, cfg.Mode, lay.Dir)
	if err := c.Up(ctx); err != nil {
		return err
	}
	for _, n := range lay.Nodes {
		e.names = append(e.names, n.Name)
		cl, err := gethrpc.DialContext(ctx, "http://"+n.RPC)
		if err != nil {
			return err
		}
		defer cl.Close()
		e.clients = append(e.clients, cl)
	}
	if err := call(ctx, e.clients[0], &e.chainID, "tao_chainId"); err != nil {
		return err
	}
	bg, stop := context.WithCancel(ctx)
	defer stop()
	e.w = newWatcher(e.clients, e.up, e.led)
	go e.w.run(bg)
	if _, err := e.waitFor(ctx, 60*time.Second, "every node at height 2", func() bool {
		return slices.Min(e.w.heights()) >= 2
	}); err != nil {
		return err
	}

	// The load: senders' nonces continue from the chain.
	g := &loadGen{chainID: e.chainID, clients: e.clients, targets: e.up, rate: cfg.TxRate, maxPending: 32,
		resubmitAfter: 3 * time.Second, led: e.led}
	for s := 0; s < cfg.Senders; s++ {
		g.senders = append(g.senders, devkeys.Key(firstSender+s))
		g.to = append(g.to, devkeys.Address(100+s))
		var n uint64
		if err := call(ctx, e.clients[0], &n, "tao_getNonce", devkeys.Address(firstSender+s)); err != nil {
			return err
		}
		g.nonces = append(g.nonces, n)
	}
	e.load = g
	g.start(bg)
	if _, err := e.waitFor(ctx, cfg.Times.Warmup+30*time.Second, "load txs committed before the fault", func() bool {
		n := 0
		for _, t := range e.led.all() {
			if t.CommittedSeen {
				n++
			}
		}
		return n >= 5
	}); err != nil {
		return err
	}
	sleep(ctx, cfg.Times.Warmup)
	e.before = map[types.Hash]types.Hash{}
	for _, t := range e.led.all() {
		if t.CommittedSeen {
			e.before[t.Hash] = t.Block
		}
	}

	// The fault, up to its heal.
	if err := sc.run(ctx, e); err != nil {
		return err
	}
	if e.faultAt.IsZero() || e.healAt.IsZero() {
		return errors.New("chaos: scenario did not mark its fault and heal")
	}
	fig.Fault = e.healAt.Sub(e.faultAt)
	fig.Blocks = e.tip1 - e.tip0

	// Liveness: the chain commits again, and every node rejoins the tip.
	var err error
	if fig.Resume, err = e.waitFor(ctx, cfg.Times.Resume, fmt.Sprintf("a block above height %d after the heal", e.tip1), func() bool {
		return e.w.tip() > e.tip1
	}); err != nil {
		return err
	}
	if _, err = e.waitFor(ctx, cfg.Times.Resume, "every node within a block of the tip", func() bool {
		return rejoined(e.w.heights())
	}); err != nil {
		return err
	}
	// Both measured from the heal itself, on the watcher's samples.
	fig.Resume = e.first(func(s sample) bool { return slices.Max(s.h) > int64(e.tip1) })
	fig.Rejoin = e.first(func(s sample) bool { return s.at.Sub(e.healAt) >= fig.Resume && rejoined(s.h) })
	if bound := cfg.Times.Resume; fig.Resume > bound || fig.Rejoin > bound {
		return fmt.Errorf("chaos: liveness resumed %s and every node rejoined %s after the heal: bound %s", dur(fig.Resume), dur(fig.Rejoin), bound)
	}
	if sc.after != nil {
		if err := sc.after(ctx, e); err != nil {
			return err
		}
	}
	sleep(ctx, cfg.Times.Settle)

	// Drain: stop offering new txs; every accepted one must commit.
	g.stopLoad()
	if _, err := e.waitFor(ctx, cfg.Times.Drain, "every accepted tx committed", func() bool {
		for _, t := range e.led.all() {
			if !t.CommittedSeen && t.Refusal == "" {
				return false
			}
		}
		return true
	}); err != nil {
		e.logf("drain: %v", err) // the audit below says which
	}
	end := time.Now()
	stop()

	// Invariants, read from every node.
	all := make([]int, len(lay.Nodes))
	for i := range all {
		all[i] = i
	}
	if forks := e.w.forks(); len(forks) > 0 {
		return fmt.Errorf("chaos: fork seen while scanning: %s", strings.Join(forks, "; "))
	}
	chain, err := checkChain(ctx, e.clients, all, e.names)
	if err != nil {
		return err
	}
	fig.Height = uint64(len(chain) - 1)
	var prev uint64
	for _, b := range chain {
		fig.Evidence += b.Evidence
		if b.Time >= uint64(e.faultAt.UnixMilli()) && prev != 0 && b.Time > prev {
			fig.MaxGap = max(fig.MaxGap, time.Duration(b.Time-prev)*time.Millisecond)
		}
		prev = b.Time
	}
	fig.MaxDiv = maxDivergence(e.w.samplesBetween(e.faultAt, end))
	addrs := make([]types.Address, 0, 2*cfg.Senders)
	for s := 0; s < cfg.Senders; s++ {
		addrs = append(addrs, devkeys.Address(firstSender+s), devkeys.Address(100+s))
	}
	if err := checkState(ctx, e.clients, all, e.names, fig.Height, addrs); err != nil {
		return err
	}
	txs := e.led.all()
	for _, t := range txs {
		if t.Height > e.tip0 && t.Height <= e.tip1 {
			fig.Txs++
		}
	}
	audit, err := auditTxs(ctx, e.clients, all, e.names, fig.Height, txs, e.before)
	fig.Accepted, fig.Committed, fig.Resent, fig.Rejected = audit.Accepted, audit.Committed, audit.Resent, len(audit.Rejected)
	if err != nil {
		return err
	}
	if n := g.refusedNew(); n > 0 {
		fig.Notes = append(fig.Notes, fmt.Sprintf("%d fresh txs refused at their first submission (never accepted, so not counted; the sender offered them again)", n))
	}
	for _, r := range audit.Rejected {
		fig.Notes = append(fig.Notes, "refused on resubmission: "+r)
	}
	if len(audit.Missing) > 0 {
		return fmt.Errorf("chaos: %d accepted txs neither committed nor refused (lost), e.g. %s", len(audit.Missing), audit.Missing[0])
	}
	if err := e.checkNonces(ctx, all, txs); err != nil {
		return err
	}
	if !sc.Evidence {
		// Stronger than no evidence in blocks: no node even saw a double sign.
		for i := range lay.Nodes {
			logs, err := c.Logs(ctx, i)
			if err != nil {
				return err
			}
			if strings.Contains(logs, "double sign seen") {
				return fmt.Errorf("chaos: %s saw a double sign: %s", e.names[i], excerpt(logs, "double sign seen", "}"))
			}
		}
	}
	switch {
	case sc.Evidence && fig.Evidence == 0:
		return errors.New("chaos: no double-sign evidence landed")
	case !sc.Evidence && fig.Evidence > 0:
		return fmt.Errorf("chaos: %d double-sign evidence in blocks: a validator signed twice", fig.Evidence)
	}
	fmt.Fprintf(cfg.Log, "--- scenario %d ok: %s\n", sc.ID, fig.summary())
	return nil
}

// first is the time from the heal to the first sample where cond holds.
func (e *env) first(cond func(sample) bool) time.Duration {
	for _, s := range e.w.samplesBetween(e.healAt, time.Now()) {
		if cond(s) {
			return s.at.Sub(e.healAt)
		}
	}
	return time.Since(e.healAt)
}

// rejoined reports every node answering, within a block of each other.
func rejoined(hs []int64) bool {
	return slices.Min(hs) >= 0 && slices.Max(hs)-slices.Min(hs) <= 1
}

// checkNonces demands that every sender's nonce on every node counts
// exactly its accepted txs: none lost, none applied twice.
func (e *env) checkNonces(ctx context.Context, nodes []int, txs []txView) error {
	want := make(map[int]uint64)
	refused := make(map[int]bool)
	for _, t := range txs {
		want[t.Sender] = max(want[t.Sender], t.Nonce+1)
		refused[t.Sender] = refused[t.Sender] || (t.Refusal != "" && !t.CommittedSeen)
	}
	for s, n := range want {
		if refused[s] {
			continue // its refused txs are reported instead
		}
		for _, i := range nodes {
			var got uint64
			if err := call(ctx, e.clients[i], &got, "tao_getNonce", devkeys.Address(firstSender+s)); err != nil {
				return err
			}
			if got != n {
				return fmt.Errorf("chaos: sender %d: nonce %d on %s, want %d (accepted txs)", s, got, e.names[i], n)
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// sendTx signs call with key at the sender's chain nonce and sends it to node i.
func (e *env) sendTx(ctx context.Context, i int, key *ecdsa.PrivateKey, nonce uint64, c types.Call) (types.Hash, error) {
	tx, err := chain.SignPayingMinFee(chain.DefaultParams(), types.TxData{ChainID: e.chainID, Nonce: nonce, Call: c}, key) // every preset: base fee 1, byte weight 16
	if err != nil {
		return types.Hash{}, err
	}
	var h types.Hash
	err = call(ctx, e.clients[i], &h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes()))
	return h, err
}
