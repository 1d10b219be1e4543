package chaos

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// txRec is one transaction a node accepted (its RPC returned the hash).
type txRec struct {
	hash     types.Hash
	raw      []byte
	sender   int
	nonce    uint64
	node     int       // the node that accepted it first
	accepted time.Time // when
	lastSent time.Time
	resent   int
	height   uint64     // committed at; 0 while not seen in a block
	block    types.Hash // the committing block
	refusal  string     // the last refusal of a resubmission
}

// ledger records every accepted transaction and where it was committed.
type ledger struct {
	mu struct {
		sync.Mutex
		byHash map[types.Hash]*txRec // every accepted tx
		order  []*txRec              // in acceptance order
	}
}

func newLedger() *ledger {
	l := new(ledger)
	l.mu.byHash = make(map[types.Hash]*txRec)
	return l
}

func (l *ledger) add(r *txRec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.mu.byHash[r.hash]; ok {
		return
	}
	l.mu.byHash[r.hash] = r
	l.mu.order = append(l.mu.order, r)
}

// committed records that a block holds tx h (a hash not accepted by the
// load, e.g. a staking tx, is ignored).
func (l *ledger) committed(h types.Hash, height uint64, block types.Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.mu.byHash[h]; ok && r.height == 0 {
		r.height, r.block = height, block
	}
}

// pending counts sender s's accepted, uncommitted txs.
func (l *ledger) pending(s int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.mu.order {
		if r.sender == s && r.height == 0 {
			n++
		}
	}
	return n
}

// txView is a copy of a record, safe to read without the lock.
type txView struct {
	Hash          types.Hash
	Sender        int
	Nonce         uint64
	Node          int
	Accepted      time.Time
	Resent        int
	Height        uint64
	Block         types.Hash
	Refusal       string
	CommittedSeen bool
}

func (l *ledger) all() []txView {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]txView, len(l.mu.order))
	for i, r := range l.mu.order {
		out[i] = txView{Hash: r.hash, Sender: r.sender, Nonce: r.nonce, Node: r.node, Accepted: r.accepted, Resent: r.resent,
			Height: r.height, Block: r.block, Refusal: r.refusal, CommittedSeen: r.height != 0}
	}
	return out
}

// stale returns up to max uncommitted txs not sent for at least age, lowest
// nonces first, and marks them sent now.
func (l *ledger) stale(age time.Duration, max int) []*txRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	var out []*txRec
	for _, r := range l.mu.order {
		if r.height == 0 && now.Sub(r.lastSent) >= age {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *txRec) int {
		if a.sender != b.sender {
			return a.sender - b.sender
		}
		return int(a.nonce) - int(b.nonce)
	})
	if len(out) > max {
		out = out[:max]
	}
	for _, r := range out {
		r.lastSent = now
		r.resent++
	}
	return out
}

func (l *ledger) refused(r *txRec, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.refusal = why
}

// loadGen sends a bounded stream of signed transfers: a fixed rate over a
// few senders, each with at most maxPending accepted-but-uncommitted txs.
// A tx is sent to the next node the scenario considers up; if that fails it
// goes to another. Txs not committed after resubmitAfter are sent again,
// unchanged (same hash), to another node: what a wallet does, and what
// recovers txs lost with a killed node's mempool.
type loadGen struct {
	chainID       uint64
	senders       []*ecdsa.PrivateKey
	to            []types.Address
	clients       []*gethrpc.Client
	targets       func() []int
	rate          int
	maxPending    int
	resubmitAfter time.Duration
	led           *ledger

	// Owned by the run goroutine.
	nonces []uint64
	unsent []*types.Tx // signed, not yet accepted anywhere, by sender

	rr atomic.Uint64 // round-robin over the targets (both goroutines)

	stats struct {
		sync.Mutex
		refusedNew int // fresh txs every node refused
	}
	stop chan struct{}
	done chan struct{}
}

// start runs the generator until stopLoad; the resubmitter runs until ctx ends.
func (g *loadGen) start(ctx context.Context) {
	g.unsent = make([]*types.Tx, len(g.senders))
	g.stop, g.done = make(chan struct{}), make(chan struct{})
	go g.run(ctx)
	go g.resubmitLoop(ctx)
}

// stopLoad stops new transactions; resubmission goes on.
func (g *loadGen) stopLoad() {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.done
}

func (g *loadGen) run(ctx context.Context) {
	defer close(g.done)
	t := time.NewTicker(time.Second / time.Duration(g.rate))
	defer t.Stop()
	s := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.stop:
			return
		case <-t.C:
		}
		s = (s + 1) % len(g.senders)
		if g.led.pending(s) >= g.maxPending {
			continue
		}
		tx := g.unsent[s]
		if tx == nil {
			var err error
			tx, err = chain.SignPayingMinFee(chain.DefaultParams(), types.TxData{ChainID: g.chainID, Nonce: g.nonces[s],
				Call: &types.Transfer{To: g.to[s], Amount: 1_000 + g.nonces[s]}}, g.senders[s])
			if err != nil {
				continue
			}
			g.unsent[s] = tx
		}
		raw := tx.Bytes()
		node, err := g.send(ctx, raw, 2)
		if err != nil {
			if isRefusal(err) {
				g.stats.Lock()
				g.stats.refusedNew++
				g.stats.Unlock()
			}
			continue // the same signed tx is offered again at this sender's next turn
		}
		now := time.Now()
		g.led.add(&txRec{hash: tx.Hash(), raw: raw, sender: s, nonce: g.nonces[s], node: node, accepted: now, lastSent: now})
		g.nonces[s]++
		g.unsent[s] = nil
	}
}

// send offers raw to up to tries nodes; it returns the node that accepted.
// "already known" counts as accepted.
func (g *loadGen) send(ctx context.Context, raw []byte, tries int) (int, error) {
	nodes := g.targets()
	if len(nodes) == 0 {
		return -1, errors.New("chaos: no node to send to")
	}
	var err error
	for k := 0; k < tries && k < len(nodes); k++ {
		i := nodes[g.rr.Add(1)%uint64(len(nodes))]
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		var h types.Hash
		err = g.clients[i].CallContext(cctx, &h, "tao_sendRawTransaction", hexutil.Bytes(raw))
		cancel()
		if err == nil || strings.Contains(err.Error(), "already known") {
			return i, nil
		}
	}
	return -1, err
}

// isRefusal tells a node's answer (it refused the tx) from a failed call.
func isRefusal(err error) bool {
	var re gethrpc.Error
	return errors.As(err, &re)
}

func (g *loadGen) resubmitLoop(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, r := range g.led.stale(g.resubmitAfter, 32) {
			if _, err := g.send(ctx, r.raw, 1); err != nil && isRefusal(err) {
				// "nonce too low" here means it was committed meanwhile: the
				// block scan will see it. Other refusals are reported if the
				// tx never commits.
				g.led.refused(r, err.Error())
			}
		}
	}
}

func (g *loadGen) refusedNew() int {
	g.stats.Lock()
	defer g.stats.Unlock()
	return g.stats.refusedNew
}
