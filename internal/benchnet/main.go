package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/testnet"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

type options struct {
	bin              string
	validators       int
	accounts         int
	shape            string
	batch            int
	rate             int // > 0: take this as saturation, skip the search
	rampStart        int
	rampStep         time.Duration
	duration         time.Duration
	overloadDuration time.Duration
	admit            int
	admitMs          int
	blockMs          int
	blockTxs         int
	syncBlocks       int
	profile          string // node0's CPU profile over the 100% step ("": none)
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/taod", "taod binary")
	flag.IntVar(&o.validators, "validators", 4, "validators")
	flag.IntVar(&o.accounts, "accounts", 1000, "sending accounts (each has at most one tx in flight)")
	flag.StringVar(&o.shape, "shape", "taod", "load shape: taod (JSON-RPC batches spread over all nodes) or comet (one tx per HTTP request, 8 connections, all to node0)")
	flag.IntVar(&o.batch, "batch", 100, "transactions per JSON-RPC batch (shape taod)")
	flag.IntVar(&o.rate, "rate", 0, "saturation in tx/s to build the curve on, skipping the search (0: search)")
	flag.IntVar(&o.rampStart, "ramp-start", 1000, "first offered rate of the saturation search, tx/s (stepped ×1.25)")
	flag.DurationVar(&o.rampStep, "ramp-step", 3*time.Second, "load window of each saturation search step")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "load window of the 25/50/80/100% steps")
	flag.DurationVar(&o.overloadDuration, "overload-duration", 60*time.Second, "load window of the 200% step")
	flag.IntVar(&o.admit, "admit", 0, "the nodes' [txpool] admit_pending: 0 the default (derived from admit_ms), -1 admission control off, N a fixed bound of N pending txs")
	flag.IntVar(&o.admitMs, "admit-ms", int(txpool.DefaultConfig().AdmitMs), "the nodes' [txpool] admit_ms: latency budget of the derived bound")
	flag.IntVar(&o.blockMs, "block-ms", 20, "the chain's block_time_ms, the pause after a commit (CometBFT's timeout_commit; its anchor ran with 0, the chain needs > 0)")
	flag.IntVar(&o.blockTxs, "block-txs", 5000, "the chain's max_block_txs, with max_block_weight and max_block_bytes scaled to fit as many transfers (0: the test preset's 2,000, which caps 4 validators here near 2,500 tx/s; CometBFT's anchor had no tx cap)")
	flag.IntVar(&o.syncBlocks, "sync-blocks", 2000, "empty blocks a late node syncs in the sync phase (0 skips it)")
	flag.StringVar(&o.profile, "profile", "", "write node0's CPU profile over the 100% step to this file (node0 runs with --pprof)")
	flag.Parse()
	if o.shape != "taod" && o.shape != "comet" {
		fmt.Fprintln(os.Stderr, "benchnet: -shape is taod or comet")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "benchnet:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "taod-benchnet")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var blockTxs int // the genesis' max_block_txs, as the chain will have it
	lay, err := testnet.Generate(testnet.Options{
		Dir: filepath.Join(dir, "net"), Validators: o.validators, FullNodes: 1, Preset: "test",
		// Dev keys 0..accounts fund through the genesis alone (the last one
		// probes): DevKeys would also write a keystore file (scrypt) for each.
		Genesis: func(g *chain.Genesis) {
			g.Params.BlockTimeMs = uint64(o.blockMs)
			if o.blockTxs > 0 {
				// A transfer is ~115 bytes; keep the test preset's bytes per tx.
				scale := func(v uint64) uint64 { return v * uint64(o.blockTxs) / uint64(g.Params.MaxBlockTxs) }
				g.Params.MaxBlockWeight = scale(g.Params.MaxBlockWeight)
				g.Params.MaxBlockBytes = scale(g.Params.MaxBlockBytes)
				g.Params.MaxBlockTxs = o.blockTxs
			}
			blockTxs = g.Params.MaxBlockTxs
			for _, a := range devkeys.Addresses(o.accounts + 1) {
				g.Alloc = append(g.Alloc, chain.Alloc{Address: a, Balance: 10_000 * types.RaoPerTAO})
			}
		},
		Addr:    func(i int) string { return fmt.Sprintf("127.0.0.%d", i+11) },
		P2PPort: func(int) int { return 38333 },
		RPCPort: func(int) int { return 39944 },
	})
	if err != nil {
		return err
	}
	admit := fmt.Sprintf("derived (admit_ms %d)", o.admitMs)
	switch {
	case o.admit < 0:
		admit = "off"
	case o.admit > 0:
		admit = fmt.Sprint(o.admit)
	}
	fmt.Printf("benchnet: %d validators (processes on 127.0.0.x), block_time_ms %d, max_block_txs %d, shape %s, %d accounts, admit_pending %s\n",
		o.validators, o.blockMs, blockTxs, o.shape, o.accounts, admit)
	b := &bench{shape: o.shape, batch: o.batch, probeKey: o.accounts, profileOut: o.profile}
	defer func() {
		for _, p := range b.procs {
			p.stop()
		}
	}()
	b.profileAddr = metricsAddr(lay.Nodes[0])
	for i, n := range lay.Nodes[:o.validators] {
		if err := setConfig(n.Home, "admit_pending", o.admit); err != nil {
			return err
		}
		if err := setConfig(n.Home, "admit_ms", o.admitMs); err != nil {
			return err
		}
		var extra []string
		if i == 0 && b.profileOut != "" {
			extra = []string{"--pprof"}
		}
		p, err := startNode(o.bin, n, extra...)
		if err != nil {
			return err
		}
		b.procs = append(b.procs, p)
		b.clients = append(b.clients, p.rpc)
	}
	for height(b.procs[0].rpc) < 3 {
		time.Sleep(100 * time.Millisecond)
	}
	var idleRSS []float64
	for _, p := range b.procs {
		idleRSS = append(idleRSS, rssMB(p.pid()))
	}
	b.procs[0].rpc.Call(&b.chainID, "tao_chainId")
	b.accs = newAccounts(o.accounts, len(b.procs), b.chainID)
	b.w = newWatcher(b.procs[0].rpc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.w.run(ctx)

	if b.idle, err = b.idleLatency(5); err != nil {
		return err
	}
	fmt.Printf("idle latency (median of 5 probe txs): %s ms; recovered means a probe within %s ms\n", ms(b.idle), ms(b.recoveryThreshold()))

	sat := float64(o.rate)
	if o.rate <= 0 {
		if sat, err = b.saturation(o); err != nil {
			return err
		}
	}
	fmt.Printf("saturation %.0f tx/s\n", sat)
	var curve []result
	for _, pc := range []int{25, 50, 80, 100, 200} {
		d := o.duration
		if pc == 200 {
			d = o.overloadDuration
		}
		r, err := b.step(fmt.Sprintf("%d%%", pc), int(sat)*pc/100, d, pc == 200)
		if err != nil {
			return err
		}
		r.line(os.Stdout)
		curve = append(curve, r)
	}
	time.Sleep(5 * time.Second)
	table(os.Stdout, sat, curve)
	last := curve[len(curve)-1]
	switch {
	case !last.recoveryOK:
	case last.recovered:
		fmt.Printf("recovery after the 200%% step: a probe sent %s ms after the load stopped was final in %s ms (idle %s ms)\n", ms(last.recovery), ms(last.probeLat), ms(b.idle))
	default:
		fmt.Printf("recovery after the 200%% step: no probe back within %s ms in a minute\n", ms(b.recoveryThreshold()))
	}
	for i, p := range b.procs {
		peak := 0.0
		for _, r := range curve {
			peak = max(peak, r.peakRSS[i])
		}
		fmt.Printf("node%d RSS MB           idle %.0f, peak under load %.0f, 5 s after the last step %.0f\n", i, idleRSS[i], peak, rssMB(p.pid()))
	}
	cancel()
	if o.syncBlocks > 0 {
		for _, p := range b.procs {
			p.stop()
		}
		b.procs = nil
		return syncPhase(o.bin, dir, o.validators, o.syncBlocks)
	}
	return nil
}

// saturation steps the offered rate up by 1.25× from -ramp-start until a
// step commits under 90% of its offer or its p50 exceeds 1 s, and returns
// the highest committed rate of all its steps: the step that fails is the
// one that shows the ceiling.
func (b *bench) saturation(o options) (float64, error) {
	// Warm up at the first rate, unmeasured: an idle chain's admission
	// bound is its floor until blocks carrying load raise the commit rate.
	w, err := b.step("warm-up", o.rampStart, 2*time.Second, false)
	if err != nil {
		return 0, err
	}
	w.line(os.Stdout)
	sat := 0.0
	for rate := o.rampStart; rate <= 50_000; rate = rate * 5 / 4 {
		r, err := b.step("ramp", rate, o.rampStep, false)
		if err != nil {
			return 0, err
		}
		r.line(os.Stdout)
		sat = max(sat, r.committed)
		if r.committed < 0.9*float64(rate) || r.p50 > time.Second {
			break
		}
	}
	return sat, nil
}
