package attack

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/taonet/taod/node"
)

// catchUpWithin is how long a new full node has to catch up with the
// validators while a sync attacker is connected to it. Without attacker it
// takes well under a second (a few dozen blocks over loopback).
const catchUpWithin = 15 * time.Second

// startIsolatedFull starts the network's full node (index nw.vals) on a
// fresh port with no bootstrap peers, so that the validators cannot dial it
// from their bootstrap lists: the test decides whom it talks to, and in
// which order.
func (nw *honestNet) startIsolatedFull() int {
	i := nw.vals
	port := freePort(nw.t)
	nw.start(i, func(c *node.Config) {
		c.P2P.Bootstrap = nil
		c.P2P.Listen = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
	})
	return i
}

// connectTo makes node i dial honest node j.
func (nw *honestNet) connectTo(i, j int) {
	nw.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := nw.nodes[i].n.Host().Connect(ctx, nw.nodes[j].n.Host().AddrInfo()); err != nil {
		nw.t.Fatalf("%s → %s: %v", nw.nodes[i].name, nw.nodes[j].name, err)
	}
}

// syncAttack runs a sync attack against a new full node: the validators'
// no-attack rate is measured, the full node starts, the attacker (made by
// mkAttacker, connected by it to the full node or a validator) goes first,
// then the full node is connected to honestPeers. The full node must reach
// the validators' height of that moment within catchUpWithin, and the
// network stay healthy.
func syncAttack(t *testing.T, honestPeers []int, mkAttacker func(nw *honestNet, full int, r *runner)) {
	nw := newNetwork(t, netOpts{full: 1})
	base := nw.rates(baseWindow)
	full := nw.startIsolatedFull()
	r := newRunner(t)
	mkAttacker(nw, full, r)
	for _, j := range honestPeers {
		nw.connectTo(full, j)
	}
	target := nw.maxHeight()
	t0 := time.Now()
	rateDone := make(chan []float64, 1)
	go func() { rateDone <- nw.rates(attackWindow) }()
	caught := nw.waitNode(full, target, catchUpWithin)
	took := time.Since(t0)
	under := <-rateDone
	r.stop()
	if !caught {
		t.Errorf("the new full node is at %d after %s, the validators were at %d when it joined", nw.height(full), catchUpWithin, target)
	} else {
		t.Logf("the new full node caught up %d blocks in %s", target, took.Round(time.Millisecond))
	}
	nw.assertHealthy(base, under)
}

// A sync liar: its Hello (and every Status) claims head 2^64−1, and it
// answers every sync request with zero blocks. A new full node connected to
// it first, then to honest validators, must still catch up: a declared head
// is a claim, an empty answer counts against the peer (weakness 3).
func TestAttackSyncLiar(t *testing.T) {
	if !inChild(t) {
		return
	}
	var served atomic.Int64
	syncAttack(t, []int{0, 1}, func(nw *honestNet, full int, r *runner) {
		atk := newByz(t, nw, byzOpts{
			head: func() uint64 { return math.MaxUint64 },
			serveSync: func(s network.Stream) {
				served.Add(1)
				_, _ = readFrame(bufio.NewReader(s), 64)
				_ = s.Close() // no frames: "nothing past your head"
			},
		})
		if !atk.connect(full, 10*time.Second) {
			t.Fatal("the liar could not connect to the full node")
		}
	})
	t.Logf("empty sync answers served by the liar: %d", served.Load())
}

// A sync staller: claims a head a little above the chain's and holds each
// request open without answering until the client gives up. The new node
// must still catch up from honest peers: a stalled stream times out well
// before the 30 s SyncTimeout of today, and the next peer is tried.
func TestAttackSyncStaller(t *testing.T) {
	if !inChild(t) {
		return
	}
	var held atomic.Int64
	syncAttack(t, []int{0, 1}, func(nw *honestNet, full int, r *runner) {
		var atk *byz
		atk = newByz(t, nw, byzOpts{
			head: func() uint64 { return nw.maxHeight() + 100 },
			serveSync: func(s network.Stream) {
				held.Add(1)
				_, _ = readFrame(bufio.NewReader(s), 64)
				select { // answer nothing until the test ends
				case <-atk.ctx.Done():
				case <-time.After(time.Minute):
				}
				s.Reset()
			},
		})
		if !atk.connect(full, 10*time.Second) {
			t.Fatal("the staller could not connect to the full node")
		}
	})
	t.Logf("sync requests held by the staller: %d", held.Load())
}

// Sync-server slot exhaustion: one attacker keeps 32 sync streams to a
// validator half-sent (a length prefix and no body), more than its 16
// serving slots. A new full node whose only peer is that validator must
// still sync: slots are per peer and a half-sent request times out fast.
func TestAttackSyncSlotExhaustion(t *testing.T) {
	if !inChild(t) {
		return
	}
	var opened atomic.Int64
	syncAttack(t, []int{0}, func(nw *honestNet, full int, r *runner) {
		atk := newByz(t, nw, byzOpts{})
		atk.mustConnect(0)
		var streams []network.Stream
		r.every(200*time.Millisecond, func() {
			live := streams[:0]
			for _, s := range streams {
				if _, err := s.Write(nil); err == nil {
					live = append(live, s)
				}
			}
			streams = live
			for len(streams) < 32 && !r.stopped() {
				s, err := atk.openSync(0)
				if err != nil {
					return
				}
				// The length of a 5-byte request, then nothing.
				if _, err := s.Write([]byte{5}); err != nil {
					s.Reset()
					return
				}
				opened.Add(1)
				streams = append(streams, s)
				go func() { _, _ = io.Copy(io.Discard, s) }() // notice the server's reset
			}
		})
		time.Sleep(500 * time.Millisecond) // the slots are taken before the full node asks
	})
	t.Logf("half-sent sync streams opened: %d", opened.Load())
}

// The sync tests' baseline: with no attacker, the isolated full node joined
// to one validator catches up well within catchUpWithin.
func TestAttackNoneSync(t *testing.T) {
	if !inChild(t) {
		return
	}
	syncAttack(t, []int{0}, func(*honestNet, int, *runner) {})
}
