package main

// One measured step: a fresh load window on the running network.

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// drainTimeout bounds the wait for a step's admitted txs to become final.
const drainTimeout = 30 * time.Second

type bench struct {
	procs   []*proc
	clients []*gethrpc.Client // one per node
	w       *watcher
	accs    *accounts
	shape   string
	batch   int
	chainID uint64

	probeKey   int // dev key of the probe account, used by nothing else
	probeNonce uint64
	idle       time.Duration // median probe latency before any load

	profileOut  string // where node0's CPU profile over the 100% step goes ("": none)
	profileAddr string // node0's metrics address
}

type result struct {
	label      string
	target     int // offered tx/s asked for
	dur        time.Duration
	offered    int // requests made for single txs, retries included
	admitted   int
	refused    int // all refusals, busy ones included
	busy       int // refused by admission control
	final      int // admitted txs final by the drain timeout
	committed  float64
	p50, p99   time.Duration
	cpuPer1k   []float64 // per node: CPU seconds per 1,000 committed txs = cores per 1,000 tx/s
	peakRSS    []float64 // per node, MB
	genCores   float64   // the load generator's (this process's) CPU over the step, in cores
	round0     int
	heights    int
	recovery   time.Duration // 200% step: load end → first probe back at idle latency
	recovered  bool
	probeLat   time.Duration // that probe's latency
	recoveryOK bool          // recovery was measured
}

// step offers rate tx/s for d, waits for the admitted txs to become final,
// and measures. With recover it also times the return to idle latency.
func (b *bench) step(label string, rate int, d time.Duration, recover bool) (result, error) {
	r := result{label: label, target: rate, dur: d}
	if err := b.accs.sign(int(int64(rate)*int64(d)/int64(time.Second))/len(b.accs.mu.all) + 2); err != nil {
		return r, err
	}
	cpu0 := make([]float64, len(b.procs))
	gen0, wall0 := cpuSeconds(os.Getpid()), time.Now()
	r.peakRSS = make([]float64, len(b.procs))
	for i, p := range b.procs {
		cpu0[i] = cpuSeconds(p.pid())
	}
	stopRSS := make(chan struct{})
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		for {
			for i, p := range b.procs {
				r.peakRSS[i] = max(r.peakRSS[i], rssMB(p.pid()))
			}
			select {
			case <-stopRSS:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	h0 := b.w.height()
	t := newTally()
	start := time.Now()
	var profDone chan error
	if b.profileOut != "" && label == "100%" {
		profDone = make(chan error, 1)
		go func() { profDone <- profile(b.profileAddr, d, b.profileOut) }()
	}
	if b.shape == "comet" {
		if err := offerComet(b.accs, b.procs[0].url, rate, d, t); err != nil {
			return r, err
		}
	} else {
		offerTaod(b.accs, b.clients, rate, b.batch, d, t)
	}
	loadEnd := time.Now()
	if recover {
		r.recoveryOK = true
		r.recovery, r.probeLat, r.recovered = b.recovery(loadEnd)
	}
	// Drain: wait for the admitted txs (or the timeout).
	t.mu.Lock()
	admitted := t.mu.admitted
	r.offered, r.refused, r.busy, r.admitted = t.mu.offered, t.mu.refused, t.mu.busy, len(admitted)
	t.mu.Unlock()
	var lat []time.Duration
	var lastFinal time.Time
	for deadline := time.Now().Add(drainTimeout); ; {
		lat, lastFinal = lat[:0], time.Time{}
		for h, sent := range admitted {
			if f, ok := b.w.finalAt(h); ok {
				lat = append(lat, f.Sub(sent))
				if f.After(lastFinal) {
					lastFinal = f
				}
			}
		}
		if len(lat) == len(admitted) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.genCores = (cpuSeconds(os.Getpid()) - gen0) / time.Since(wall0).Seconds()
	for i, p := range b.procs {
		cpu := cpuSeconds(p.pid()) - cpu0[i]
		if len(lat) > 0 {
			r.cpuPer1k = append(r.cpuPer1k, cpu/(float64(len(lat))/1000))
		}
	}
	close(stopRSS)
	<-rssDone
	if profDone != nil {
		if err := <-profDone; err != nil {
			fmt.Println("benchnet: node0 profile:", err)
		} else {
			fmt.Printf("node0 CPU profile over the 100%% step: %s\n", b.profileOut)
		}
	}
	r.final = len(lat)
	if span := lastFinal.Sub(start); r.final > 0 && span > 0 {
		r.committed = float64(r.final) / span.Seconds()
	}
	slices.Sort(lat)
	r.p50, r.p99 = pct(lat, 0.5), pct(lat, 0.99)
	r.round0, r.heights = b.w.round0(h0+1, b.w.height())
	return r, nil
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[int(p*float64(len(lat)-1))]
}

// probe sends one transfer from the probe account to node0 and returns its
// submit-to-final latency. A busy refusal is retried after 20 ms; the
// latency counts from the admitted send.
func (b *bench) probe(timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	tx, err := chain.SignPayingMinFee(chain.DefaultParams(), types.TxData{ChainID: b.chainID, Nonce: b.probeNonce,
		Call: &types.Transfer{To: devkeys.Address(0), Amount: 1}}, devkeys.Key(b.probeKey))
	if err != nil {
		return 0, err
	}
	for {
		var h types.Hash
		sent := time.Now()
		err := b.clients[0].Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes()))
		if err == nil {
			b.probeNonce++
			f, ok := b.w.waitFinal(tx.Hash(), time.Until(deadline))
			if !ok {
				return 0, fmt.Errorf("probe %s not final in %s", tx.Hash(), timeout)
			}
			return f.Sub(sent), nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return 0, fmt.Errorf("probe: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// idleLatency is the median of n probes on the idle network.
func (b *bench) idleLatency(n int) (time.Duration, error) {
	var lat []time.Duration
	for i := 0; i < n; i++ {
		l, err := b.probe(10 * time.Second)
		if err != nil {
			return 0, err
		}
		lat = append(lat, l)
	}
	slices.Sort(lat)
	return lat[len(lat)/2], nil
}

// recoveryThreshold is the probe latency that counts as idle again: the
// idle median plus half of it plus 50 ms (a block or two of jitter).
func (b *bench) recoveryThreshold() time.Duration { return b.idle*3/2 + 50*time.Millisecond }

// recovery probes from the end of the load until a probe's latency is back
// under the threshold: how long after the end that probe was sent, its
// latency, and whether it happened within a minute.
func (b *bench) recovery(loadEnd time.Time) (time.Duration, time.Duration, bool) {
	for time.Since(loadEnd) < time.Minute {
		sent := time.Now()
		l, err := b.probe(time.Minute)
		if err != nil {
			return 0, 0, false
		}
		if l <= b.recoveryThreshold() {
			return sent.Sub(loadEnd), l, true
		}
	}
	return 0, 0, false
}
