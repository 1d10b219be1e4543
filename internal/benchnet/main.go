package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/testnet"
	"github.com/taonet/taod/types"
)

func main() {
	var (
		bin        = flag.String("bin", "bin/taod", "taod binary")
		validators = flag.Int("validators", 4, "validators")
		accounts   = flag.Int("accounts", 400, "sending accounts")
		rate       = flag.Int("rate", 4000, "offered transfers per second")
		duration   = flag.Duration("duration", 10*time.Second, "load duration")
		batch      = flag.Int("batch", 100, "transactions per JSON-RPC batch")
		syncBlocks = flag.Int("sync-blocks", 2000, "empty blocks a late node syncs in the sync phase (0 skips it)")
	)
	flag.IntVar(&blockMs, "block-ms", 200, "the chain's block_time_ms: the pause after a commit before the next height (CometBFT's timeout_commit; the test preset's 200 ms by default)")
	flag.StringVar(&profileOut, "profile", "", "write node0's CPU profile over the load to this file (node0 runs with --pprof)")
	flag.Parse()
	if err := run(*bin, *validators, *accounts, *rate, *duration, *batch, *syncBlocks); err != nil {
		fmt.Fprintln(os.Stderr, "benchnet:", err)
		os.Exit(1)
	}
}

// blockMs is the load network's block_time_ms.
var blockMs int

// profileOut is where node0's CPU profile goes ("" takes none).
var profileOut string

// profile fetches a CPU profile of d from a node serving pprof on its
// metrics address and writes it to out.
func profile(metricsAddr string, d time.Duration, out string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", metricsAddr, int(d/time.Second)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// metricsAddr is where testnet.Generate puts a node's metrics: its RPC
// host, port + 1000.
func metricsAddr(n testnet.NodeInfo) string {
	host, port, _ := strings.Cut(n.RPC, ":")
	p, _ := strconv.Atoi(port)
	return fmt.Sprintf("%s:%d", host, p+1000)
}

type proc struct {
	cmd *exec.Cmd
	rpc *gethrpc.Client
	url string
}

func startNode(bin string, n testnet.NodeInfo, extra ...string) (*proc, error) {
	log, err := os.Create(filepath.Join(n.Home, "node.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"start", "--home", n.Home, "--log.level", "warn"}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, url: "http://" + n.RPC}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := gethrpc.Dial(p.url)
		if err == nil {
			var h uint64
			if c.Call(&h, "tao_blockNumber") == nil {
				p.rpc = c
				return p, nil
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return nil, fmt.Errorf("%s did not start (see %s)", n.Name, filepath.Join(n.Home, "node.log"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func height(c *gethrpc.Client) uint64 {
	var h uint64
	c.Call(&h, "tao_blockNumber")
	return h
}

func run(bin string, nv, accounts, rate int, duration time.Duration, batchSize int, syncBlocks int) error {
	dir, err := os.MkdirTemp("", "taod-benchnet")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lay, err := testnet.Generate(testnet.Options{
		Dir: filepath.Join(dir, "net"), Validators: nv, FullNodes: 1, Preset: "test", DevKeys: accounts, DevBalance: 10_000 * types.RaoPerTAO,
		Genesis: func(g *chain.Genesis) { g.Params.BlockTimeMs = uint64(blockMs) },
		Addr:    func(i int) string { return fmt.Sprintf("127.0.0.%d", i+11) },
		P2PPort: func(int) int { return 38333 },
		RPCPort: func(int) int { return 39944 },
	})
	if err != nil {
		return err
	}
	fmt.Printf("benchnet: %d validators (processes on 127.0.0.x), %d accounts, %d tx/s offered for %s, block_time_ms %d\n", nv, accounts, rate, duration, blockMs)
	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
	}()
	for i, n := range lay.Nodes[:nv] {
		var extra []string
		if i == 0 && profileOut != "" {
			extra = []string{"--pprof"}
		}
		p, err := startNode(bin, n, extra...)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	for height(procs[0].rpc) < 3 {
		time.Sleep(100 * time.Millisecond)
	}
	var idleRSS []float64
	for _, p := range procs {
		idleRSS = append(idleRSS, rssMB(p.cmd.Process.Pid))
	}

	// Pre-sign: each account's txs go, in nonce order, to one node.
	perAccount := rate*int(duration/time.Second)/accounts + 1
	var chainID uint64
	procs[0].rpc.Call(&chainID, "tao_chainId")
	type signed struct {
		raw  hexutil.Bytes
		hash types.Hash
	}
	queues := make([][]signed, accounts)
	rng := rand.New(rand.NewPCG(1, 2))
	for a := 0; a < accounts; a++ {
		k := devkeys.Key(a)
		for nonce := 0; nonce < perAccount; nonce++ {
			tx, err := chain.SignPayingMinFee(chain.DefaultParams(), types.TxData{ChainID: chainID, Nonce: uint64(nonce), Call: &types.Transfer{To: devkeys.Address(rng.IntN(accounts)), Amount: 1 + uint64(rng.IntN(1000))}}, k)
			if err != nil {
				return err
			}
			queues[a] = append(queues[a], signed{tx.Bytes(), tx.Hash()})
		}
	}

	var (
		mu        sync.Mutex
		submitted = map[types.Hash]time.Time{}
		final     = map[types.Hash]time.Time{}
		refused   int
	)
	// Watch blocks on node 0: finality time of every tx, and commit rounds.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rounds := map[uint64]uint32{}
	var firstBlock, lastBlock uint64
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		next := height(procs[0].rpc) + 1
		firstBlock = next
		for ctx.Err() == nil {
			h := height(procs[0].rpc)
			for ; next <= h; next++ {
				var b struct {
					rpc.HeaderJSON
					Transactions []types.Hash    `json:"transactions"`
					LastCommit   *rpc.CommitJSON `json:"lastCommit"`
				}
				if err := procs[0].rpc.Call(&b, "tao_getBlockByNumber", next, false); err != nil {
					break
				}
				now := time.Now()
				mu.Lock()
				for _, tx := range b.Transactions {
					final[tx] = now
				}
				if b.LastCommit != nil {
					rounds[b.LastCommit.Height] = b.LastCommit.Round
				}
				lastBlock = next
				mu.Unlock()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	profDone := make(chan error, 1)
	if profileOut != "" {
		go func() { profDone <- profile(metricsAddr(lay.Nodes[0]), duration, profileOut) }()
	} else {
		profDone <- nil
	}
	// Offer the load: batches round-robin over accounts, each account to its node.
	start := time.Now()
	interval := time.Duration(int64(time.Second) * int64(batchSize) / int64(rate))
	var wg sync.WaitGroup
	var peakRSS = make([]float64, len(procs))
	cursor := make([]int, accounts)
	acct := 0
	for time.Since(start) < duration {
		// Group the next batch by node.
		byNode := make([][]signed, len(procs))
		for i := 0; i < batchSize; i++ {
			for tries := 0; tries < accounts && cursor[acct] >= len(queues[acct]); tries++ {
				acct = (acct + 1) % accounts
			}
			if cursor[acct] >= len(queues[acct]) {
				break
			}
			byNode[acct%len(procs)] = append(byNode[acct%len(procs)], queues[acct][cursor[acct]])
			cursor[acct]++
			acct = (acct + 1) % accounts
		}
		for ni, txs := range byNode {
			if len(txs) == 0 {
				continue
			}
			wg.Add(1)
			go func(c *gethrpc.Client, txs []signed) {
				defer wg.Done()
				elems := make([]gethrpc.BatchElem, len(txs))
				out := make([]types.Hash, len(txs))
				for i, s := range txs {
					elems[i] = gethrpc.BatchElem{Method: "tao_sendRawTransaction", Args: []any{s.raw}, Result: &out[i]}
				}
				t := time.Now()
				err := c.BatchCall(elems)
				mu.Lock()
				defer mu.Unlock()
				for i, e := range elems {
					if err != nil || e.Error != nil {
						refused++
						continue
					}
					submitted[txs[i].hash] = t
				}
			}(procs[ni].rpc, txs)
		}
		for i, p := range procs {
			peakRSS[i] = max(peakRSS[i], rssMB(p.cmd.Process.Pid))
		}
		time.Sleep(time.Until(start.Add(time.Duration(int64(interval) * int64(time.Since(start)/interval+1)))))
	}
	wg.Wait()
	loadEnd := time.Now()
	if err := <-profDone; err != nil {
		fmt.Fprintln(os.Stderr, "benchnet: node0 profile:", err)
	} else if profileOut != "" {
		fmt.Printf("node0 CPU profile over the load: %s\n", profileOut)
	}
	// Wait for the offered txs to finalise (or 30 s).
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		pending := 0
		for h := range submitted {
			if _, ok := final[h]; !ok {
				pending++
			}
		}
		mu.Unlock()
		for i, p := range procs {
			peakRSS[i] = max(peakRSS[i], rssMB(p.cmd.Process.Pid))
		}
		if pending == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-watchDone

	mu.Lock()
	var lat []time.Duration
	var lastFinal time.Time
	for h, t := range submitted {
		if f, ok := final[h]; ok {
			lat = append(lat, f.Sub(t))
			if f.After(lastFinal) {
				lastFinal = f
			}
		}
	}
	round0, heights := 0, 0
	for h, r := range rounds {
		if h >= firstBlock && h <= lastBlock {
			heights++
			if r == 0 {
				round0++
			}
		}
	}
	mu.Unlock()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	span := lastFinal.Sub(start)
	fmt.Printf("\nload: %d submitted (%d refused) in %s; %d final\n", len(submitted), refused, loadEnd.Sub(start).Round(time.Millisecond), len(lat))
	fmt.Printf("committed tx/s         %.0f  (final txs / first submit → last final, %s)\n", float64(len(lat))/span.Seconds(), span.Round(time.Millisecond))
	fmt.Printf("submit→final p50/p99   %s / %s\n", pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond))
	if heights > 0 {
		fmt.Printf("heights in round 0     %.1f%% (%d of %d)\n", 100*float64(round0)/float64(heights), round0, heights)
	}
	time.Sleep(5 * time.Second)
	for i, p := range procs {
		fmt.Printf("node%d RSS MB           idle %.0f, peak under load %.0f, 5 s after %.0f\n", i, idleRSS[i], peakRSS[i], rssMB(p.cmd.Process.Pid))
	}

	if syncBlocks > 0 {
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
		procs = nil
		return syncPhase(bin, dir, nv, syncBlocks)
	}
	return nil
}

// syncPhase runs a fresh network with 10 ms blocks until it has n empty
// blocks, then starts a late full node and times its catch-up.
func syncPhase(bin, dir string, nv, n int) error {
	lay, err := testnet.Generate(testnet.Options{
		Dir: filepath.Join(dir, "sync"), Validators: nv, FullNodes: 1, Preset: "test",
		Addr:    func(i int) string { return fmt.Sprintf("127.0.0.%d", i+31) },
		P2PPort: func(int) int { return 38333 },
		RPCPort: func(int) int { return 39944 },
		Genesis: func(g *chain.Genesis) { g.Params.BlockTimeMs = 10 },
	})
	if err != nil {
		return err
	}
	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
	}()
	for _, nd := range lay.Nodes[:nv] {
		p, err := startNode(bin, nd)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	t0 := time.Now()
	for height(procs[0].rpc) < uint64(n) {
		if time.Since(t0) > 5*time.Minute {
			return fmt.Errorf("sync phase: only %d blocks after 5 min", height(procs[0].rpc))
		}
		time.Sleep(200 * time.Millisecond)
	}
	produced := time.Since(t0)
	// Stop the validators so the target does not move, then sync from one.
	for _, p := range procs[1:] {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
	}
	procs = procs[:1]
	head := height(procs[0].rpc)
	late, err := startNode(bin, lay.Nodes[nv])
	if err != nil {
		return err
	}
	procs = append(procs, late)
	start := height(late.rpc)
	t1 := time.Now()
	for height(late.rpc) < head && time.Since(t1) < 3*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(t1)
	got := height(late.rpc) - start
	fmt.Printf("empty blocks produced  %d in %s (%.0f blocks/s, 10 ms target)\n", head, produced.Round(time.Millisecond), float64(head)/produced.Seconds())
	fmt.Printf("sync                   %d blocks in %s: %.0f blocks/s (each commit verified)\n", got, took.Round(time.Millisecond), float64(got)/took.Seconds())
	return nil
}
