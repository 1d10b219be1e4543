package test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taod/node"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// lyingChain claims a head it does not have: every sync request gets zero
// blocks.
type lyingChain struct {
	head  func() uint64
	asked *atomic.Int64 // requests it got
}

func (l lyingChain) Head() uint64 { return l.head() }
func (l lyingChain) BlockAt(h uint64) (*types.Block, error) {
	l.asked.Add(1)
	return nil, fmt.Errorf("liar: no block %d", h)
}
func (lyingChain) CommitAt(h uint64) (*types.Commit, error) {
	return nil, fmt.Errorf("liar: no commit %d", h)
}

// stallingChain claims a head far ahead and holds every sync request until
// the requester gives up (it never serves a block).
type stallingChain struct {
	head    func() uint64
	release <-chan struct{}
	asked   *atomic.Int64 // requests it got
}

func (s stallingChain) Head() uint64 { return s.head() }
func (s stallingChain) BlockAt(uint64) (*types.Block, error) {
	s.asked.Add(1)
	<-s.release
	return nil, errors.New("staller: released")
}
func (stallingChain) CommitAt(uint64) (*types.Commit, error) {
	return nil, errors.New("staller: no commit")
}

// startHostile runs a p2p host on the network's chain that serves src.
func startHostile(t *testing.T, nd *node.Node, src p2p.BlockSource) *p2p.Host {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := nd.Chain()
	cfg := p2p.DefaultConfig()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.NodeKey, cfg.ChainID, cfg.GenesisHash = key, c.ChainID(), c.GenesisHash()
	h, err := p2p.New(cfg, p2p.Handlers{Blocks: src})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		h.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// catchUpPast starts a full node with the hostile peer among its bootstrap
// peers, waits until it has met it, and makes sure it is connected to the
// honest validator: the full node must reach the validator's head within
// the bound, whatever the hostile peer claims or does. (The sync loop used
// to follow the highest claim alone: whether or not the node caught up
// before the hostile handshake, it then stopped following.)
func catchUpPast(t *testing.T, newSource func(validator *node.Node) p2p.BlockSource, within time.Duration) *network {
	nw := newNetwork(t, 1, 1)
	nw.start(0)
	nw.waitAll(5, 20*time.Second)
	val := nw.nodes[0].n
	bad := startHostile(t, val, newSource(val))
	addr := fmt.Sprintf("%s/p2p/%s", bad.Addrs()[0], bad.ID())
	// The validator stays a bootstrap peer too, so that the full node
	// redials it should the connection drop (a loaded CI machine).
	nw.startWith(1, func(cfg *node.Config) { cfg.P2P.Bootstrap = append(cfg.P2P.Bootstrap, addr) })
	full := nw.nodes[1].n
	waitUntil(t, 10*time.Second, "the full node to meet the hostile peer", func() bool { return hasPeer(full.Host(), bad.ID()) })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := full.Host().Connect(ctx, val.Host().AddrInfo()); err != nil {
		t.Fatalf("connect the validator: %v", err)
	}
	target := nw.height(0)
	start := time.Now()
	waitUntil(t, within, fmt.Sprintf("the full node to reach height %d", target), func() bool { return nw.height(1) >= target })
	t.Logf("caught up to %d in %v past the hostile peer", target, time.Since(start).Round(time.Millisecond))

	nw.checkNoFork()
	if !hasPeer(full.Host(), val.Host().ID()) {
		t.Fatal("the honest validator was dropped")
	}
	return nw
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A peer that declares head 2^64−1 and serves no block does not keep a new
// node from catching up from an honest peer (the sync loop used to ask the
// highest claim, and only it, for ever).
func TestSyncPastLyingPeer(t *testing.T) {
	var asked atomic.Int64
	nw := catchUpPast(t, func(*node.Node) p2p.BlockSource {
		return lyingChain{asked: &asked, head: func() uint64 { return math.MaxUint64 }}
	}, 20*time.Second)
	// Following the chain from then on, the node asks the liar again only
	// when no other peer is ahead and its bench (2 s, doubling) is over:
	// a few times, not at every block.
	before := asked.Load()
	start := time.Now()
	nw.waitAll(nw.height(0)+10, 20*time.Second)
	if n := asked.Load() - before; n > 5 {
		t.Fatalf("the liar was asked %d more times in %v while an honest peer served", n, time.Since(start))
	}
	t.Logf("liar asked %d times in all", asked.Load())
}

// A peer that declares a head far ahead and holds each request until the
// requester's timeout does not keep a new node from catching up: after
// syncHedgeAfter (1 s) the next peer is asked too, and the staller ranks
// after it from then on (the sync loop used to wait on the staller for
// SyncTimeout, 30 s, and ask it again, for ever).
func TestSyncPastStallingPeer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var asked atomic.Int64
	nw := catchUpPast(t, func(val *node.Node) p2p.BlockSource {
		return stallingChain{release: release, asked: &asked, head: func() uint64 {
			h, _ := val.Chain().Store().Head()
			return h.Height + 100_000 // far ahead, so that no honest head overtakes the claim
		}}
	}, 20*time.Second)
	// Level with the honest peer, the staller is the only one claiming more:
	// it is asked again only when its bench (2 s, doubling) is over, and
	// then costs at most syncHedgeAfter. 25 blocks of 200 ms follow in
	// well under 25 such stalls.
	before := asked.Load()
	start := time.Now()
	nw.waitAll(nw.height(0)+25, 30*time.Second)
	t.Logf("followed 25 blocks in %v; the staller was asked %d times in all, %d meanwhile", time.Since(start).Round(time.Millisecond), asked.Load(), asked.Load()-before)
	if n := asked.Load() - before; n > 8 {
		t.Fatalf("the staller was asked %d times while following 25 blocks", n)
	}
}
