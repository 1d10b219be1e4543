package main

// The load: pre-signed transfers from many accounts, offered at a fixed rate
// in one of two shapes. An account has at most one tx in flight and sends
// its nonces in order; a refused tx is offered again later (as a client
// told "busy" would), so refusals never leave nonce gaps.

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

type signed struct {
	raw  hexutil.Bytes
	hash types.Hash
}

type account struct {
	key  int      // dev key index
	node int      // which node it submits to (shape taod)
	txs  []signed // pre-signed, from nonce base on
	base uint64
	next int  // index in txs of the next tx to offer
	busy bool // a tx of it is in flight
}

// accounts hands out the next tx of accounts that have none in flight.
type accounts struct {
	chainID uint64
	mu      struct {
		sync.Mutex
		all    []*account
		cursor int
	}
}

func newAccounts(n, nodes int, chainID uint64) *accounts {
	a := &accounts{chainID: chainID}
	for i := 0; i < n; i++ {
		a.mu.all = append(a.mu.all, &account{key: i, node: i % nodes})
	}
	return a
}

// sign replaces every account's unsent txs by perAccount fresh ones from its
// next nonce on, signed on all cores before the step starts.
func (a *accounts) sign(perAccount int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	work := make(chan *account)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for acc := range work {
				acc.base += uint64(acc.next)
				acc.txs, acc.next = acc.txs[:0], 0
				rng := rand.New(rand.NewPCG(uint64(acc.key), acc.base))
				k := devkeys.Key(acc.key)
				for i := 0; i < perAccount; i++ {
					tx, err := chain.SignPayingMinFee(chain.DefaultParams(), types.TxData{ChainID: a.chainID, Nonce: acc.base + uint64(i),
						Call: &types.Transfer{To: devkeys.Address(rng.IntN(len(a.mu.all))), Amount: 1 + uint64(rng.IntN(1000))}}, k)
					if err != nil {
						errMu.Lock()
						first = err
						errMu.Unlock()
						break
					}
					acc.txs = append(acc.txs, signed{tx.Bytes(), tx.Hash()})
				}
			}
		}()
	}
	for _, acc := range a.mu.all {
		work <- acc
	}
	close(work)
	wg.Wait()
	return first
}

// take marks up to n idle accounts busy and returns them, round robin.
func (a *accounts) take(n int) []*account {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*account
	for tries := 0; tries < len(a.mu.all) && len(out) < n; tries++ {
		acc := a.mu.all[a.mu.cursor]
		a.mu.cursor = (a.mu.cursor + 1) % len(a.mu.all)
		if !acc.busy && acc.next < len(acc.txs) {
			acc.busy = true
			out = append(out, acc)
		}
	}
	return out
}

// done ends acc's flight; an admitted tx moves it to its next nonce.
func (a *accounts) done(acc *account, admitted bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc.busy = false
	if admitted {
		acc.next++
	}
}

// tally is what one step offered and how it was answered.
type tally struct {
	mu struct {
		sync.Mutex
		offered, refused, busy int
		admitted               map[types.Hash]time.Time // tx → when it was admitted
	}
}

func newTally() *tally {
	t := &tally{}
	t.mu.admitted = make(map[types.Hash]time.Time)
	return t
}

// isBusy tells a pool's admission refusal (rpc.CodeTxBusy) from others.
func isBusy(err error) bool {
	var re gethrpc.Error
	return errors.As(err, &re) && re.ErrorCode() == rpc.CodeTxBusy
}

func (t *tally) record(s signed, sent time.Time, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.mu.offered++
	if err != nil {
		t.mu.refused++
		if isBusy(err) {
			t.mu.busy++
		}
		return false
	}
	t.mu.admitted[s.hash] = sent
	return true
}

// offerTaod offers rate tx/s for d in today's shape: every interval one
// JSON-RPC batch of up to batch txs, each account's txs to its own node, so
// the load spreads over all nodes.
func offerTaod(accs *accounts, clients []*gethrpc.Client, rate, batch int, d time.Duration, t *tally) {
	interval := time.Duration(int64(time.Second) * int64(batch) / int64(rate))
	start := time.Now()
	var wg sync.WaitGroup
	for i := int64(1); time.Since(start) < d; i++ {
		byNode := make([][]*account, len(clients))
		for _, acc := range accs.take(batch) {
			byNode[acc.node] = append(byNode[acc.node], acc)
		}
		for ni, group := range byNode {
			if len(group) == 0 {
				continue
			}
			wg.Add(1)
			go func(c *gethrpc.Client, group []*account) {
				defer wg.Done()
				elems := make([]gethrpc.BatchElem, len(group))
				out := make([]types.Hash, len(group))
				for i, acc := range group {
					elems[i] = gethrpc.BatchElem{Method: "tao_sendRawTransaction", Args: []any{acc.txs[acc.next].raw}, Result: &out[i]}
				}
				sent := time.Now()
				err := c.BatchCall(elems)
				for i, acc := range group {
					e := elems[i].Error
					if err != nil {
						e = err
					}
					accs.done(acc, t.record(acc.txs[acc.next], sent, e))
				}
			}(clients[ni], group)
		}
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
	}
	wg.Wait()
}

// cometConns is CometBFT's load shape: its loadtime tool's default of 8
// connections, each sending one tx per request.
const cometConns = 8

// offerComet offers rate tx/s for d as one tx per HTTP request over
// cometConns connections, all to one node. A tick that finds every
// connection busy is not offered (the offered count says so).
func offerComet(accs *accounts, url string, rate int, d time.Duration, t *tally) error {
	ticks := make(chan struct{}, cometConns)
	var wg sync.WaitGroup
	for w := 0; w < cometConns; w++ {
		c, err := gethrpc.Dial(url) // one client, one keep-alive connection
		if err != nil {
			return err
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ticks {
				group := accs.take(1)
				if len(group) == 0 {
					continue
				}
				acc := group[0]
				var h types.Hash
				sent := time.Now()
				err := c.Call(&h, "tao_sendRawTransaction", acc.txs[acc.next].raw)
				accs.done(acc, t.record(acc.txs[acc.next], sent, err))
			}
		}()
	}
	// Every millisecond, hand out the ticks due by then.
	start := time.Now()
	var due int64
	for el := time.Since(start); el < d; el = time.Since(start) {
		for now := int64(el) * int64(rate) / int64(time.Second); due < now; due++ {
			select {
			case ticks <- struct{}{}:
			default:
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(ticks)
	wg.Wait()
	return nil
}
