package state_test

// Transfer throughput of one node on Pebble, beside the raw trie ceiling
// (DESIGN.md §2), and the memory a node holds after 100,000 transfers.
//
// What is counted. A taod block is chain.Propose (apply every transfer to
// the flat state, hash the dirty keys into the trie, tx and receipts roots,
// seal) then chain.Commit (trie commit, one Pebble batch with the block,
// receipts, tx index, flat keys and trie nodes, synced). Sender recovery is
// not counted: a node recovers each sender when the tx enters its txpool
// (chain.CheckTxStatic) and the Tx caches it, so every tx is signed and its
// sender recovered before the timer starts, as the pool would have. Decoding
// and recovery are measured on their own (types.BenchmarkDecodeAndRecover)
// and on the validator path (chain.BenchmarkExecuteBlock).
//
// A raw block is the ceiling: the same two account writes per transfer
// (sender and recipient, values precomputed; keys hashed in the timed
// region) applied in tx order straight to the go-ethereum trie (hash scheme)
// through the same Store's trie-node database, committed once, its nodes
// written in one synced batch.
//
// Both run on copies of one pristine store: n funded accounts, of which the
// first min(n, 20,000) have keys and send; tx j is sent by key j mod K with
// the next nonce, to an account drawn from all n by a hash of j.

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const (
	benchChainID   uint64 = 0xbe7c
	maxSenders            = 20_000
	senderBalance         = 100 * types.RaoPerTAO // 20,000 senders hold 2M TAO
	accountBalance        = types.RaoPerTAO       // 1M other accounts hold 1M TAO
	transferAmount uint64 = 1_000
	// benchFee covers a transfer's weight and its length fee (~106 bytes ×
	// byte weight 16 at base fee 1) with room to spare.
	benchFee  = 2 * types.TransferWeight
	fundBatch = 100_000 // accounts per setup block
)

// The bootstrap validator; it signs each block's precommit.
var (
	benchValidatorKey = devkeys.Key(1 << 30)
	benchValidator    = crypto.PubkeyToAddress(benchValidatorKey.PublicKey)
)

// workload is the deterministic transfer sequence over n funded accounts.
type workload struct {
	n       int
	keys    []*ecdsa.PrivateKey // the senders: accounts 0..len(keys)-1
	addrs   []types.Address     // every funded account
	genesis *chain.Genesis
	cache   bool // keep signed txs for the next run

	txs []*types.Tx // signed so far (when cache is set): tx j at index j
}

func senderKeys(k int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, k)
	parallel(k, func(i int) { keys[i] = devkeys.Key(i) })
	return keys
}

func newWorkload(n int, allKeys []*ecdsa.PrivateKey, cache bool) *workload {
	k := min(n, len(allKeys))
	w := &workload{n: n, keys: allKeys[:k], addrs: make([]types.Address, n), cache: cache}
	parallel(n, func(i int) {
		if i < k {
			w.addrs[i] = crypto.PubkeyToAddress(w.keys[i].PublicKey)
			return
		}
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], uint64(i))
		h := types.Keccak256([]byte("taod bench account"), seed[:])
		copy(w.addrs[i][:], h[12:])
	})
	w.genesis = &chain.Genesis{
		ChainID:    benchChainID,
		Preset:     "bench",
		Time:       1,
		Params:     chain.DefaultParams(),
		Validators: []types.Validator{{Address: benchValidator, Power: 1}},
	}
	for i := range k {
		w.genesis.Alloc = append(w.genesis.Alloc, chain.Alloc{Address: w.addrs[i], Balance: senderBalance})
	}
	return w
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// plan says who sends tx j, with which nonce, to whom.
func (w *workload) plan(j int) (from int, nonce uint64, to int) {
	k := len(w.keys)
	from, nonce = j%k, uint64(j/k)
	to = int(splitmix(uint64(j)) % uint64(w.n))
	if to == from {
		to = (to + 1) % w.n
	}
	return from, nonce, to
}

// signed returns txs [j0, j1), signed and with their senders recovered, as
// the txpool leaves them.
func (w *workload) signed(b *testing.B, j0, j1 int) []*types.Tx {
	if !w.cache {
		return w.sign(b, j0, j1)
	}
	if n := len(w.txs); j1 > n {
		w.txs = append(w.txs, w.sign(b, n, j1)...)
	}
	return w.txs[j0:j1]
}

func (w *workload) sign(b *testing.B, j0, j1 int) []*types.Tx {
	out := make([]*types.Tx, j1-j0)
	var failed sync.Once
	parallel(j1-j0, func(i int) {
		from, nonce, to := w.plan(j0 + i)
		tx, err := types.SignTx(types.TxData{ChainID: benchChainID, Nonce: nonce, Fee: benchFee, Call: &types.Transfer{To: w.addrs[to], Amount: transferAmount}}, w.keys[from])
		if err == nil {
			_, err = tx.Sender()
		}
		if err != nil {
			failed.Do(func() { b.Error(err) })
		}
		out[i] = tx
	})
	if b.Failed() {
		b.FailNow()
	}
	return out
}

func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				f(i)
			}
		})
	}
	wg.Wait()
}

// buildPristine writes the genesis (the senders) and funds the other accounts
// in setup blocks of fundBatch accounts, then closes the store.
func buildPristine(b *testing.B, w *workload) string {
	dir := b.TempDir()
	// BENCH_STORAGE=cache,memtable,trie,flat (MB) sizes the store as
	// [storage] does; unset or 0: the defaults (docs/notes/memory.md).
	var o state.Options
	if env := os.Getenv("BENCH_STORAGE"); env != "" {
		if _, err := fmt.Sscanf(env, "%d,%d,%d,%d", &o.CacheMB, &o.MemTableMB, &o.TrieCache, &o.FlatCache); err != nil {
			b.Fatalf("BENCH_STORAGE=%q: want cache,memtable,trie,flat in MB: %v", env, err)
		}
	}
	s, err := state.Open(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := chain.New(s, w.genesis); err != nil {
		b.Fatal(err)
	}
	for lo := len(w.keys); lo < w.n; lo += fundBatch {
		hi := min(lo+fundBatch, w.n)
		st := s.NewState()
		for _, a := range w.addrs[lo:hi] {
			st.SetAccount(a, state.Account{Balance: accountBalance})
		}
		st.SetIssuance(st.Issuance() + uint64(hi-lo)*accountBalance)
		root, err := st.Root()
		if err != nil {
			b.Fatal(err)
		}
		head, _ := s.Head()
		h := types.Header{
			ChainID: benchChainID, Height: head.Height + 1, Time: head.Time + 1, ParentHash: head.Hash,
			TxRoot: types.EmptyRoot, ReceiptsRoot: types.EmptyRoot, StateRoot: root,
		}
		blk := types.NewBlock(h, nil, &types.Commit{}, nil)
		if err := s.CommitBlock(blk, nil, precommit(b, blk), st); err != nil {
			b.Fatal(err)
		}
	}
	if err := state.FlushMemtables(s); err != nil {
		b.Fatal(err)
	}
	return dir
}

// clone copies a closed store into a fresh directory.
func clone(b *testing.B, dir string) string {
	dst := b.TempDir()
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		b.Fatal(err)
	}
	return dst
}

func shortCount(n int) string {
	switch {
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return strconv.Itoa(n)
}

// BenchmarkTransfers measures transfers applied and committed per second by
// taod and, just before it on an identical copy of the store, by the raw trie
// ceiling, per account count and block size. Set BENCH_LARGE=1 to add 1M
// accounts.
//
// An op is 10,000 transfers (one block of 10,000 or ten of 1,000). Every tx
// is signed and its sender recovered before the timer starts (see
// plannedOps); the timer covers chain.Propose and chain.Commit (or the raw
// trie commit) only. Metrics: tx/s; %raw is taod's tx/s over the ceiling's;
// cpu-ms/blk is the CPU time of the whole process per block (all threads:
// Pebble's flushes and compactions, GC, the goroutines execution uses; above
// the wall time per block means work ran in parallel); commit-p50/p99-ms is
// chain.Commit's latency per block (trie commit, one batch, fsync).
func BenchmarkTransfers(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("BENCH_LARGE") != "" {
		sizes = append(sizes, 1_000_000)
	}
	keys := senderKeys(maxSenders)
	for _, n := range sizes {
		b.Run("accounts="+shortCount(n), func(b *testing.B) {
			w := newWorkload(n, keys, true)
			start := time.Now()
			dir := buildPristine(b, w)
			b.Logf("setup of %d accounts: %v", n, time.Since(start).Round(time.Millisecond))
			for _, blockTxs := range []int{1_000, 10_000} {
				b.Run(fmt.Sprintf("block=%d", blockTxs), func(b *testing.B) {
					runTransfers(b, w, dir, blockTxs)
				})
			}
		})
	}
}

// opTxs is the work of one benchmark op: 10,000 transfers, in one block or
// in ten, so that ns/op compares across block sizes.
const opTxs = 10_000

// plannedOps is how many ops the benchmark will run when -benchtime is a
// count (Nx), so that every tx can be signed before the timer starts: a pause
// to sign in the middle of the timed run would give Pebble idle time to
// compact in that the ceiling does not get. With a duration, 10 ops are
// prepared and any beyond are signed as they come.
func plannedOps() int {
	if f := flag.Lookup("test.benchtime"); f != nil {
		if v, ok := strings.CutSuffix(f.Value.String(), "x"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 10
}

func runTransfers(b *testing.B, w *workload, pristine string, blockTxs int) {
	blocksPerOp := opTxs / blockTxs
	var rawRate float64
	b.Run("raw", func(b *testing.B) {
		raw := newRawRunner(b, w, clone(b, pristine))
		var updates [][2][][]byte // per block: keys, values
		prepare := func(block int) {
			keys, vals := raw.sim.updates(block*blockTxs, (block+1)*blockTxs)
			updates = append(updates, [2][][]byte{keys, vals})
		}
		for range plannedOps() * blocksPerOp {
			prepare(len(updates))
		}
		var spent, cpu time.Duration
		blocks := 0
		for b.Loop() {
			for range blocksPerOp {
				if blocks == len(updates) {
					b.StopTimer()
					prepare(blocks)
					b.StartTimer()
				}
				c0 := cpuTime()
				spent += raw.block(b, updates[blocks][0], updates[blocks][1])
				cpu += cpuTime() - c0
				blocks++
			}
		}
		rawRate = float64(blocks*blockTxs) / spent.Seconds()
		b.ReportMetric(rawRate, "tx/s")
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(blocks), "cpu-ms/blk")
	})
	b.Run("taod", func(b *testing.B) {
		node := newTaodRunner(b, w, clone(b, pristine))
		w.signed(b, 0, plannedOps()*opTxs)
		var spent, cpu time.Duration
		blocks := 0
		for b.Loop() {
			for range blocksPerOp {
				j := blocks * blockTxs
				if j+blockTxs > len(w.txs) {
					b.StopTimer()
					w.signed(b, j, j+blockTxs)
					b.StartTimer()
				}
				c0 := cpuTime()
				spent += node.block(b, w.txs[j:j+blockTxs])
				cpu += cpuTime() - c0
				blocks++
			}
		}
		rate := float64(blocks*blockTxs) / spent.Seconds()
		b.ReportMetric(rate, "tx/s")
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(blocks), "cpu-ms/blk")
		if rawRate > 0 {
			b.ReportMetric(100*rate/rawRate, "%raw")
		}
		b.ReportMetric(percentile(node.commits, 50), "commit-p50-ms")
		b.ReportMetric(percentile(node.commits, 99), "commit-p99-ms")
	})
}

func openStore(b *testing.B, dir string) *state.Store {
	// BENCH_STORAGE=cache,memtable,trie,flat (MB) sizes the store as
	// [storage] does; unset or 0: the defaults (docs/notes/memory.md).
	var o state.Options
	if env := os.Getenv("BENCH_STORAGE"); env != "" {
		if _, err := fmt.Sscanf(env, "%d,%d,%d,%d", &o.CacheMB, &o.MemTableMB, &o.TrieCache, &o.FlatCache); err != nil {
			b.Fatalf("BENCH_STORAGE=%q: want cache,memtable,trie,flat in MB: %v", env, err)
		}
	}
	s, err := state.Open(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// taodRunner produces blocks as a single validator does.
type taodRunner struct {
	s       *state.Store
	c       *chain.Chain
	last    *types.Commit
	commits []time.Duration
}

func newTaodRunner(b *testing.B, w *workload, dir string) *taodRunner {
	s := openStore(b, dir)
	c, err := chain.New(s, w.genesis)
	if err != nil {
		b.Fatal(err)
	}
	r := &taodRunner{s: s, c: c}
	if head, _ := s.Head(); head.Height > 0 {
		if r.last, err = s.SeenCommit(head.Height); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// block proposes a block of txs and commits it with the validator's own
// precommit; it checks, outside the time it returns, that every tx went in
// and succeeded. The time is that of chain.Propose and chain.Commit.
func (r *taodRunner) block(b *testing.B, txs []*types.Tx) time.Duration {
	head, _ := r.s.Head()
	t0 := time.Now()
	e, rejected, err := r.c.Propose(chain.Proposal{Time: head.Time + 1000, Proposer: benchValidator, LastCommit: r.last}, txs)
	if err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	seen := precommit(b, e.Block)
	t2 := time.Now()
	if err := r.c.Commit(e, seen); err != nil {
		b.Fatal(err)
	}
	t3 := time.Now()
	r.commits = append(r.commits, t3.Sub(t2))
	if len(rejected) != 0 || len(e.Block.Txs) != len(txs) {
		b.Fatalf("block %d: %d txs, %d rejected (first: %v)", e.Block.Height(), len(e.Block.Txs), len(rejected), rejected[0].Err)
	}
	for i, rc := range e.Receipts {
		if rc.Status != types.ReceiptSuccess {
			b.Fatalf("block %d tx %d failed: %s", e.Block.Height(), i, rc.Error)
		}
	}
	r.last = seen
	return t1.Sub(t0) + t3.Sub(t2)
}

// precommit is the validator's own precommit for blk, as the commit that
// finalises it.
func precommit(b *testing.B, blk *types.Block) *types.Commit {
	v := types.Vote{Type: types.Precommit, Height: blk.Height(), BlockHash: blk.Hash()}
	if err := v.Sign(benchChainID, benchValidatorKey); err != nil {
		b.Fatal(err)
	}
	return &types.Commit{Height: blk.Height(), BlockHash: blk.Hash(), Signatures: []types.CommitSig{{Validator: v.Validator, Signature: v.Signature}}}
}

// cpuTime is the CPU time the process has used, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile returns the p-th percentile (nearest rank) in milliseconds.
func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100 // nearest rank, 1-based
	return float64(s[max(i, 1)-1]) / float64(time.Millisecond)
}

// rawSim tracks the accounts the raw ceiling writes, so its values are the
// ones taod writes.
type rawSim struct {
	w    *workload
	accs map[int]state.Account
}

func (r *rawSim) account(i int) state.Account {
	if a, ok := r.accs[i]; ok {
		return a
	}
	if i < len(r.w.keys) {
		return state.Account{Balance: senderBalance}
	}
	return state.Account{Balance: accountBalance}
}

// updates returns the two account writes of each of txs [j0, j1), in order.
func (r *rawSim) updates(j0, j1 int) (keys, vals [][]byte) {
	for j := j0; j < j1; j++ {
		from, _, to := r.w.plan(j)
		src := r.account(from)
		src.Nonce++
		src.Balance -= benchFee + transferAmount
		r.accs[from] = src
		dst := r.account(to)
		dst.Balance += transferAmount
		r.accs[to] = dst
		for _, u := range []struct {
			i   int
			acc state.Account
		}{{from, src}, {to, dst}} {
			v, _ := rlp.EncodeToBytes(&u.acc)
			keys = append(keys, state.AccountKey(r.w.addrs[u.i]))
			vals = append(vals, v)
		}
	}
	return keys, vals
}

// rawRunner commits the same account updates straight to the trie.
type rawRunner struct {
	s    *state.Store
	root types.Hash
	sim  *rawSim
}

func newRawRunner(b *testing.B, w *workload, dir string) *rawRunner {
	s := openStore(b, dir)
	head, _ := s.Head()
	return &rawRunner{s: s, root: head.StateRoot, sim: &rawSim{w: w, accs: make(map[int]state.Account)}}
}

func (r *rawRunner) block(b *testing.B, keys, vals [][]byte) time.Duration {
	t0 := time.Now()
	root, err := state.RawTrieCommit(r.s, r.root, keys, vals)
	if err != nil {
		b.Fatal(err)
	}
	r.root = root
	return time.Since(t0)
}

// BenchmarkRSS100kTransfers reports the process's resident memory after a
// node-like run of 100,000 transfers (blocks of 10,000 over 100k accounts,
// default store options). Run it in a process of its own: the figure is the
// whole process's.
func BenchmarkRSS100kTransfers(b *testing.B) {
	const (
		n        = 100_000
		blockTxs = 10_000
		total    = 100_000
	)
	w := newWorkload(n, senderKeys(maxSenders), false)
	node := newTaodRunner(b, w, buildPristine(b, w))
	// Give the setup's garbage back and restart the peak count, so the
	// figures are the node's, not the setup's.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	next := 0
	for b.Loop() {
		for range total / blockTxs {
			b.StopTimer()
			txs := w.signed(b, next, next+blockTxs) // one block's worth at a time, as a txpool
			b.StartTimer()
			node.block(b, txs)
			next += blockTxs
		}
	}
	// BENCH_HEAPPROF=file: the live heap after the run (go test's
	// -memprofile comes after the store has closed).
	if f := os.Getenv("BENCH_HEAPPROF"); f != "" {
		runtime.GC()
		w, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(w); err != nil {
			b.Fatal(err)
		}
		w.Close()
	}
	rss, hwm := procStatusMB(b, "VmRSS:"), procStatusMB(b, "VmHWM:")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(rss, "rss-MB")
	if resetPeakRSS {
		b.ReportMetric(hwm, "peak-rss-MB")
	}
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
	// What the Go runtime holds from the OS (heap, stacks, its own
	// metadata; not what it released): the rest of rss is Pebble's C
	// memory, fastcache's mmapped caches and the binary.
	m := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(m)
	b.ReportMetric(float64(m[0].Value.Uint64()-m[1].Value.Uint64())/(1<<20), "go-MB")
}

// procStatusMB reads a kB field of /proc/self/status, in MB.
func procStatusMB(b *testing.B, field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}
