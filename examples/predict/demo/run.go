package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

// Config says how to run the demo.
type Config struct {
	Home    string // the devnet's home: created afresh (an existing one is removed)
	Preset  string // genesis preset: "test" (200 ms blocks, tempo 10) or "devnet" (1 s, tempo 20)
	RPCAddr string // node RPC listen address; "127.0.0.1:0" picks a free port
	// ExplorerAddr serves the node's block explorer ("": none), so the market
	// can be watched in a browser too; MetricsAddr its Prometheus metrics.
	ExplorerAddr string
	MetricsAddr  string
	Epochs       int         // stop after this many epochs with the neurons running; 0 runs until ctx ends
	Out          io.Writer   // the live view and the summary
	Clear        bool        // redraw the view in place (ANSI); off for logs and tests
	Neuron       CommandFunc // the command that runs one neuron process
	Cast         []Member    // default Cast()
}

// Result is what a run ended with.
type Result struct {
	Deployment *Deployment
	Final      Snapshot  // the metagraph after the last epoch watched
	Verdicts   []Verdict // Verdicts on Final
	// Epoch books: how many consecutive epochs were checked to the rao
	// with CheckEmission, and the first that did not add up.
	EmissionChecked int
	EmissionErr     error
	Exited          map[string]error // neurons that ended before the demo stopped them
	Killed          []string         // neurons that ignored SIGTERM
}

// Run creates a fresh devnet in cfg.Home, runs its node in this process
// (logs in Home/logs/node.log), puts the cast on chain, starts each neuron
// as a child process (logs in Home/logs/NAME.log), shows the metagraph
// after every epoch, and stops everything when ctx ends or after
// cfg.Epochs epochs, returning the outcome.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Cast == nil {
		cfg.Cast = Cast()
	}
	if cfg.Preset == "" {
		cfg.Preset = "test"
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(out, "demo: "+format+"\n", args...) }
	if err := clearHome(cfg.Home); err != nil {
		return nil, err
	}
	ncfg, _, err := node.InitHome(cfg.Home, node.InitOptions{Preset: cfg.Preset, DevKeys: 2, DevBalance: 1_000_000 * types.RaoPerTAO})
	if err != nil {
		return nil, err
	}
	logDir := filepath.Join(cfg.Home, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	ncfg.RPC.Addr, ncfg.Metrics.Addr, ncfg.P2P.Listen = cfg.RPCAddr, cfg.MetricsAddr, nil
	ncfg.Explorer.Addr = cfg.ExplorerAddr
	zc := zap.NewProductionConfig()
	zc.OutputPaths, zc.ErrorOutputPaths = []string{filepath.Join(logDir, "node.log")}, []string{filepath.Join(logDir, "node.log")}
	log, err := zc.Build()
	if err != nil {
		return nil, err
	}
	defer log.Sync()
	n, err := node.New(ncfg, log)
	if err != nil {
		return nil, err
	}
	nodeCtx, stopNode := context.WithCancel(context.WithoutCancel(ctx))
	// nodeDone closes when Run returns (nodeErr set before): closing, not
	// sending, so both waitRPC and the deferred stop can wait on it (a
	// node failing at start, e.g. on a port in use, hung the demo's exit).
	nodeDone := make(chan struct{})
	var nodeErr error
	go func() { nodeErr = n.Run(nodeCtx); close(nodeDone) }()
	defer func() {
		stopNode()
		<-nodeDone
		_ = n.Close()
	}()
	url, err := waitRPC(ctx, n, nodeDone, func() error { return nodeErr })
	if err != nil {
		return nil, err
	}
	logf("devnet (%s preset) in %s, RPC %s, logs in %s", cfg.Preset, cfg.Home, url, logDir)
	c, err := client.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	owner, err := client.NewSigner(devkeys.Key(0))
	if err != nil {
		return nil, err
	}
	d, err := setup(ctx, c, owner, cfg.Cast, filepath.Join(cfg.Home, "demo-keys"), logf)
	if err != nil {
		return nil, err
	}
	procs := NewProcs(logDir, cfg.Neuron)
	res := &Result{Deployment: d}
	stopped := false
	defer func() {
		if !stopped {
			procs.StopAll(3 * time.Second)
		}
	}()
	for _, nr := range d.Neurons {
		if err := procs.Start(nr.Name, neuronArgs(url, d, nr)); err != nil {
			return nil, err
		}
	}
	logf("started %d neurons; the view refreshes every epoch", len(d.Neurons))
	if cfg.ExplorerAddr != "" {
		addr := n.ListenAddr("explorer") // set by now: the setup took blocks
		if addr == "" {
			addr = cfg.ExplorerAddr
		}
		logf("the market in a browser: http://%s/#/subnet/%d", addr, d.Netuid)
	}
	w := &watcher{c: c, d: d, out: out, clear: cfg.Clear, procs: procs, res: res}
	err = w.run(ctx, cfg.Epochs)
	res.Exited = procs.Exited()
	res.Killed, stopped = procs.StopAll(3*time.Second), true
	if err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	// The final view and verdicts, read after the neurons stopped.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if s, err := readSnapshot(fctx, c, d.Netuid); err == nil {
		res.Final = s
	}
	res.Verdicts = Verdicts(res.Final, cfg.Cast, d.Names())
	Summary(out, res)
	return res, nil
}

// clearHome removes a previous demo's chain, refusing a directory that
// holds files but is no node home (a mistyped --home must not cost data).
func clearHome(home string) error {
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(node.ConfigFile(home)); err != nil {
		return fmt.Errorf("demo: %s is not empty and holds no node config: not removing it", home)
	}
	return os.RemoveAll(home)
}

func waitRPC(ctx context.Context, n *node.Node, done <-chan struct{}, nodeErr func() error) (string, error) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if a := n.ListenAddr("rpc"); a != "" {
			return "http://" + a, nil
		}
		select {
		case <-done:
			return "", fmt.Errorf("demo: node stopped: %v", nodeErr())
		case <-ctx.Done():
			return "", ctx.Err()
		case <-t.C:
		}
	}
}

// neuronArgs is the command line of one neuron process.
func neuronArgs(url string, d *Deployment, n Neuron) []string {
	args := []string{"--rpc", url, "--netuid", strconv.Itoa(int(d.Netuid)), "--key", n.KeyFile,
		"--name", n.Name, "--role", n.Role, "--kind", n.Kind}
	if t, ok := d.ByName(n.Target); ok {
		args = append(args, "--target", t.Hotkey.Hex())
	}
	return args
}

// readSnapshot reads the subnet and its metagraph at one head: it retries
// until the head did not move across the reads (each read sees the state of
// the head it was served at).
func readSnapshot(ctx context.Context, c *client.Client, netuid uint16) (Snapshot, error) {
	var last error
	for try := 0; try < 20; try++ {
		h1, err := c.BlockNumber(ctx)
		if err != nil {
			return Snapshot{}, err
		}
		info, err := c.Subnet(ctx, netuid)
		if err != nil {
			return Snapshot{}, err
		}
		mg, err := c.Metagraph(ctx, netuid)
		if err != nil {
			return Snapshot{}, err
		}
		h2, err := c.BlockNumber(ctx)
		if err != nil {
			return Snapshot{}, err
		}
		if h1 == h2 {
			return Snapshot{Height: h1, Subnet: *info, Neurons: mg}, nil
		}
		last = fmt.Errorf("head moved from %d to %d", h1, h2)
	}
	return Snapshot{}, fmt.Errorf("demo: no consistent read of subnet %d: %w", netuid, last)
}

// watcher follows epochs: after each it redraws the view and checks the
// epoch's books against the previous one.
type watcher struct {
	c     *client.Client
	d     *Deployment
	out   io.Writer
	clear bool
	procs *Procs
	res   *Result
}

// run returns after epochs epochs (0: when ctx ends).
func (w *watcher) run(ctx context.Context, epochs int) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var prev *Snapshot
	seen := 0
	for epochs == 0 || seen < epochs {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		info, err := w.c.Subnet(ctx, w.d.Netuid)
		if err != nil {
			return err
		}
		if prev != nil && info.LastEpoch == prev.Subnet.LastEpoch {
			continue
		}
		s, err := readSnapshot(ctx, w.c, w.d.Netuid)
		if err != nil {
			return err
		}
		if prev != nil && s.Subnet.LastEpoch != prev.Subnet.LastEpoch {
			seen++
			w.checkBooks(ctx, *prev, s)
		}
		Render(w.out, s, w.d.Names(), w.clear)
		w.footer()
		w.res.Final = s
		prev = &s
	}
	return nil
}

// checkBooks runs CheckEmission over consecutive epochs; the owner's cut
// is its balance change in the epoch's block (the owner sends nothing
// after setup).
func (w *watcher) checkBooks(ctx context.Context, prev, cur Snapshot) {
	// The first epoch after the subnet's creation also pays what the pool
	// held before it existed: the books are checked from the next one on.
	if prev.Subnet.LastEpoch <= prev.Subnet.CreatedAt || cur.Subnet.LastEpoch != prev.Subnet.LastEpoch+cur.Subnet.Tempo || w.res.EmissionErr != nil {
		return
	}
	sched, err := w.c.EmissionSchedule(ctx)
	if err != nil {
		return
	}
	reward, err := strconv.ParseUint(sched.BlockReward, 10, 64)
	if err != nil {
		return
	}
	before, err := w.c.BalanceAt(ctx, w.d.Owner, cur.Subnet.LastEpoch-1)
	if err != nil {
		return
	}
	after, err := w.c.BalanceAt(ctx, w.d.Owner, cur.Subnet.LastEpoch)
	if err != nil || after < before {
		return
	}
	cut := after - before
	if err := CheckEmission(prev, cur, reward, cut); err != nil {
		w.res.EmissionErr = err
		return
	}
	w.res.EmissionChecked++
}

func (w *watcher) footer() {
	fmt.Fprintf(w.out, "\nepoch books checked to the rao: %d", w.res.EmissionChecked)
	if w.res.EmissionErr != nil {
		fmt.Fprintf(w.out, "  MISMATCH: %v", w.res.EmissionErr)
	}
	fmt.Fprintln(w.out)
	ex := w.procs.Exited()
	names := make([]string, 0, len(ex))
	for n := range ex {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w.out, "neuron %s exited: %v (see its log)\n", n, ex[n])
	}
	if w.clear {
		fmt.Fprintln(w.out, "Ctrl-C stops the demo and prints a summary.")
	}
}

// Summary prints the final metagraph, the verdicts and the books.
func Summary(out io.Writer, r *Result) {
	fmt.Fprintf(out, "\n=== summary ===\n")
	if r.Deployment != nil {
		Render(out, r.Final, r.Deployment.Names(), false)
	}
	fmt.Fprintln(out)
	for _, v := range r.Verdicts {
		mark := "ok  "
		if !v.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(out, "%s %s (%s)\n", mark, v.Claim, v.Detail)
	}
	switch {
	case r.EmissionErr != nil:
		fmt.Fprintf(out, "FAIL emission paid == minted: %v\n", r.EmissionErr)
	case r.EmissionChecked > 0:
		fmt.Fprintf(out, "ok   emission paid == minted to the rao, over %d epochs\n", r.EmissionChecked)
	default:
		fmt.Fprintln(out, "--   emission books: no two consecutive epochs seen")
	}
	if len(r.Killed) > 0 {
		fmt.Fprintf(out, "killed after ignoring SIGTERM: %v\n", r.Killed)
	}
}
