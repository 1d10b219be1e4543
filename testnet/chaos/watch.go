package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/types"
)

// blockInfo is what the suite reads of a block (tao_getBlockByNumber(n, false)).
type blockInfo struct {
	Number     uint64        `json:"number"`
	Hash       types.Hash    `json:"hash"`
	ParentHash types.Hash    `json:"parentHash"`
	Time       uint64        `json:"timestampMs"`
	Proposer   types.Address `json:"proposer"`
	StateRoot  types.Hash    `json:"stateRoot"`
	Evidence   int           `json:"evidenceCount"`
	Txs        []types.Hash  `json:"transactions"`
}

// sample is every node's height at one moment; -1: no answer lately.
type sample struct {
	at time.Time
	h  []int64
}

// staleAfter is how old a node's last answer may be to count in a sample.
const staleAfter = 1500 * time.Millisecond

// watcher polls every node's height (for the figures and the liveness
// waits) and reads every committed block from a node that is up, to learn
// where each load transaction was committed.
type watcher struct {
	clients []*gethrpc.Client
	ref     func() []int // nodes to read blocks from, best first
	led     *ledger

	mu struct {
		sync.Mutex
		last    []time.Time // last answer per node
		height  []uint64    // height in that answer
		samples []sample
		blocks  map[uint64]blockInfo
		scanned uint64   // blocks 1..scanned are read
		forks   []string // a height read twice with different hashes
	}
}

func newWatcher(clients []*gethrpc.Client, ref func() []int, led *ledger) *watcher {
	w := &watcher{clients: clients, ref: ref, led: led}
	w.mu.last = make([]time.Time, len(clients))
	w.mu.height = make([]uint64, len(clients))
	w.mu.blocks = make(map[uint64]blockInfo)
	return w
}

// run polls until ctx ends.
func (w *watcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range w.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.poll(ctx, i)
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		every(ctx, 100*time.Millisecond, w.sample)
	}()
	go func() {
		defer wg.Done()
		every(ctx, 200*time.Millisecond, func() { w.scan(ctx) })
	}()
	wg.Wait()
}

func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

func (w *watcher) poll(ctx context.Context, i int) {
	every(ctx, 100*time.Millisecond, func() {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		var h uint64
		if err := w.clients[i].CallContext(cctx, &h, "tao_blockNumber"); err != nil {
			return
		}
		w.mu.Lock()
		w.mu.last[i], w.mu.height[i] = time.Now(), h
		w.mu.Unlock()
	})
}

func (w *watcher) sample() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	s := sample{at: now, h: make([]int64, len(w.clients))}
	for i := range s.h {
		s.h[i] = -1
		if now.Sub(w.mu.last[i]) < staleAfter {
			s.h[i] = int64(w.mu.height[i])
		}
	}
	w.mu.samples = append(w.mu.samples, s)
}

// heights returns each node's height now (-1: not answering).
func (w *watcher) heights() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	out := make([]int64, len(w.clients))
	for i := range out {
		out[i] = -1
		if now.Sub(w.mu.last[i]) < staleAfter {
			out[i] = int64(w.mu.height[i])
		}
	}
	return out
}

// tip is the highest height any node reports now.
func (w *watcher) tip() uint64 {
	var t int64
	for _, h := range w.heights() {
		t = max(t, h)
	}
	return uint64(t)
}

// scan reads new blocks, up to 100 per call, from the first reference node
// that answers.
func (w *watcher) scan(ctx context.Context) {
	w.mu.Lock()
	from := w.mu.scanned + 1
	w.mu.Unlock()
	hs := w.heights()
	for _, i := range w.ref() {
		if hs[i] < int64(from) {
			continue
		}
		to := min(uint64(hs[i]), from+99)
		blocks, err := fetchBlocks(ctx, w.clients[i], from, to)
		if err != nil {
			continue
		}
		w.record(blocks)
		return
	}
}

func (w *watcher) record(blocks []blockInfo) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range blocks {
		if old, ok := w.mu.blocks[b.Number]; ok && old.Hash != b.Hash {
			w.mu.forks = append(w.mu.forks, fmt.Sprintf("height %d read as %s and as %s", b.Number, old.Hash, b.Hash))
		}
		w.mu.blocks[b.Number] = b
		w.mu.scanned = max(w.mu.scanned, b.Number)
		for _, h := range b.Txs {
			w.led.committed(h, b.Number, b.Hash)
		}
	}
}

// fetchBlocks reads blocks from..to in one batch; a missing block is an error.
func fetchBlocks(ctx context.Context, c *gethrpc.Client, from, to uint64) ([]blockInfo, error) {
	if to < from {
		return nil, nil
	}
	out := make([]blockInfo, to-from+1)
	ptrs := make([]*blockInfo, len(out))
	batch := make([]gethrpc.BatchElem, len(out))
	for k := range batch {
		batch[k] = gethrpc.BatchElem{Method: "tao_getBlockByNumber", Args: []any{from + uint64(k), false}, Result: &ptrs[k]}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.BatchCallContext(cctx, batch); err != nil {
		return nil, err
	}
	for k, e := range batch {
		if e.Error != nil {
			return nil, e.Error
		}
		if ptrs[k] == nil {
			return nil, fmt.Errorf("no block at height %d", from+uint64(k))
		}
		out[k] = *ptrs[k]
	}
	return out, nil
}

// samplesBetween returns the samples taken in [from, to].
func (w *watcher) samplesBetween(from, to time.Time) []sample {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []sample
	for _, s := range w.mu.samples {
		if !s.at.Before(from) && !s.at.After(to) {
			out = append(out, s)
		}
	}
	return out
}

// forks returns the scanner's inconsistencies.
func (w *watcher) forks() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.mu.forks...)
}

// block returns a scanned block.
func (w *watcher) block(h uint64) (blockInfo, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, ok := w.mu.blocks[h]
	return b, ok
}

// maxDivergence is the largest spread of heights among answering nodes in
// the samples.
func maxDivergence(ss []sample) uint64 {
	var d int64
	for _, s := range ss {
		lo, hi := int64(-1), int64(-1)
		for _, h := range s.h {
			if h < 0 {
				continue
			}
			if lo < 0 || h < lo {
				lo = h
			}
			hi = max(hi, h)
		}
		if lo >= 0 {
			d = max(d, hi-lo)
		}
	}
	return uint64(d)
}
