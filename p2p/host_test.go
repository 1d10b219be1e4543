package p2p

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/taonet/taod/types"
)

func TestConfigValidate(t *testing.T) {
	good := func() Config {
		c := DefaultConfig()
		c.NodeKey = newKey(t)
		c.GenesisHash = testGenesis
		return c
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; empty for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"no key", func(c *Config) { c.NodeKey = nil }, "node key"},
		{"no genesis", func(c *Config) { c.GenesisHash = types.Hash{} }, "genesis"},
		{"bad listen", func(c *Config) { c.ListenAddrs = []string{"tcp:30333"} }, "listen address"},
		{"bootstrap without id", func(c *Config) { c.Bootstrap = []string{"/ip4/127.0.0.1/tcp/30333"} }, "bootstrap"},
		{"water", func(c *Config) { c.LowWater, c.HighWater = 10, 5 }, "water"},
		{"batch too small", func(c *Config) { c.MaxTxBatchBytes = 1024 }, "maximal transaction"},
		{"block msg above block limit", func(c *Config) { c.MaxBlockMsgBytes = types.MaxBlockSize + 1 }, "block size"},
		{"queue", func(c *Config) { c.QueueSize = 8 }, "queue size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.mutate(&c)
			c.EnsureDefaults()
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestStablePeerID(t *testing.T) {
	cfg := testConfig(t)
	a, err := New(cfg, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(cfg, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.ID() != b.ID() {
		t.Fatalf("same key, different peer IDs: %s, %s", a.ID(), b.ID())
	}
}

func TestNamesBindGenesis(t *testing.T) {
	n := newNames(testGenesis)
	tag := genesisTag(testGenesis)
	for _, s := range []string{string(n.hello), string(n.sync), n.tx, n.consensus, n.blockAnno} {
		if !strings.HasPrefix(s, "/taod/"+tag+"/") {
			t.Errorf("%q does not carry the genesis tag %s", s, tag)
		}
	}
	if string(n.hello) != "/taod/"+tag+"/hello/1" || n.tx != "/taod/"+tag+"/tx" {
		t.Errorf("unexpected names %+v", n)
	}
}

// Three hosts, one on QUIC: all handshake and see each other's head.
func TestHandshakeThreeHosts(t *testing.T) {
	heads := []uint64{10, 20, 30}
	reg := prometheus.NewRegistry()
	hosts := make([]*Host, 3)
	for i := range hosts {
		cfg := testConfig(t)
		if i == 2 {
			cfg.ListenAddrs = []string{"/ip4/127.0.0.1/udp/0/quic-v1"}
		}
		if i == 0 {
			cfg.Metrics = reg
		}
		src := makeChain(t, int(heads[i]), 0)
		hosts[i] = startHost(t, cfg, Handlers{Blocks: src})
	}
	a, b, c := hosts[0], hosts[1], hosts[2]
	connect(t, b, a)
	connect(t, c, a)
	connect(t, c, b)

	waitFor(t, 5*time.Second, "all hosts to list both others", func() bool {
		for _, h := range hosts {
			if len(h.Peers()) != 2 {
				return false
			}
		}
		return true
	})
	for i, h := range hosts {
		for _, pi := range h.Peers() {
			j := indexOf(hosts, pi.ID)
			if pi.Hello.Head != heads[j] || pi.Hello.GenesisHash != testGenesis || pi.Hello.ChainID != testChainID {
				t.Errorf("host %d sees peer %d with hello %+v, want head %d", i, j, pi.Hello, heads[j])
			}
		}
	}
	if n, err := testutil.GatherAndCount(reg, "taod_p2p_peers"); err != nil || n != 1 {
		t.Errorf("taod_p2p_peers not registered: %d, %v", n, err)
	}
	if got := testutil.ToFloat64(a.met.peers); got != 2 {
		t.Errorf("peers gauge = %v, want 2", got)
	}
	if got := c.Peers()[0].Addrs; len(got) == 0 {
		t.Errorf("peer listed without addresses")
	}

	st, err := a.Status(context.Background(), c.ID())
	if err != nil || st.Head != 30 {
		t.Fatalf("Status = %+v, %v; want head 30", st, err)
	}
}

func indexOf(hosts []*Host, p PeerID) int {
	for i, h := range hosts {
		if h.ID() == p {
			return i
		}
	}
	return -1
}

// A host on another genesis is refused, banned, and not let back in.
func TestOtherGenesisRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfgA := testConfig(t)
	cfgA.Metrics = reg
	a := startHost(t, cfgA, Handlers{})

	cfgX := testConfig(t)
	cfgX.GenesisHash = types.Keccak256([]byte("another chain"))
	x := startHost(t, cfgX, Handlers{})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := x.Connect(ctx, a.AddrInfo())
	if !errors.Is(err, ErrWrongChain) {
		t.Fatalf("connect to another chain: %v, want ErrWrongChain", err)
	}
	waitFor(t, 5*time.Second, "the connection to close", func() bool { return !connected(a, x) && !connected(x, a) })
	waitFor(t, 5*time.Second, "a to ban x", func() bool { return a.gater.isBanned(x.ID()) })
	if hasPeer(a, x.ID()) || hasPeer(x, a.ID()) {
		t.Fatal("peers on different chains listed as peers")
	}
	if got := testutil.ToFloat64(a.met.bans.WithLabelValues("wrong_chain")); got != 1 {
		t.Errorf("wrong_chain bans = %v, want 1", got)
	}

	// x does not re-dial a.
	if err := x.Connect(ctx, a.AddrInfo()); !errors.Is(err, ErrBanned) {
		t.Fatalf("re-dial: %v, want ErrBanned", err)
	}
	// a refuses x even when x comes back with a fresh host (same key).
	cfgX.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	x2 := startHost(t, cfgX, Handlers{})
	if err := x2.Connect(ctx, a.AddrInfo()); err == nil || errors.Is(err, ErrWrongChain) {
		t.Fatalf("banned peer reconnected: %v", err)
	}
	if connected(a, x2) {
		t.Fatal("a accepted a connection from a banned peer")
	}
	// And a does not dial x.
	if err := a.Connect(ctx, x.AddrInfo()); !errors.Is(err, ErrBanned) {
		t.Fatalf("a dialled banned x: %v", err)
	}
}

// A host with a bootstrap peer connects by itself and comes back after the
// connection drops.
func TestBootstrapRedial(t *testing.T) {
	a := startHost(t, testConfig(t), Handlers{})
	cfg := testConfig(t)
	for _, addr := range a.Addrs() {
		cfg.Bootstrap = append(cfg.Bootstrap, addr.String()+"/p2p/"+a.ID().String())
	}
	b := startHost(t, cfg, Handlers{})
	waitFor(t, 5*time.Second, "b to reach its bootstrap peer", func() bool { return hasPeer(b, a.ID()) })
	if err := a.host.Network().ClosePeer(b.ID()); err != nil {
		t.Fatal(err)
	}
	// The bootstrap loop ticks every 500 ms, so the gap is observable.
	waitFor(t, 5*time.Second, "the connection to drop", func() bool { return !hasPeer(b, a.ID()) })
	waitFor(t, 5*time.Second, "b to re-dial", func() bool { return hasPeer(b, a.ID()) && hasPeer(a, b.ID()) })
}

// A peer whose connection is up but that no longer answers (here: it stops
// serving hello) is disconnected after statusFailLimit failed Status calls,
// so a bootstrap loop can dial it afresh; one failure is forgiven.
func TestStatusDropsSilentPeer(t *testing.T) {
	a := startHost(t, testConfig(t), Handlers{})
	b := startHost(t, testConfig(t), Handlers{})
	connect(t, a, b)
	waitFor(t, 5*time.Second, "the handshake", func() bool { return hasPeer(a, b.ID()) })
	ctx := context.Background()
	if _, err := a.Status(ctx, b.ID()); err != nil {
		t.Fatalf("status of a live peer: %v", err)
	}
	b.host.RemoveStreamHandler(b.names.hello)
	b.host.RemoveStreamHandler(helloAnyChain)
	for i := 1; i <= statusFailLimit; i++ {
		if _, err := a.Status(ctx, b.ID()); err == nil {
			t.Fatalf("status %d of a silent peer succeeded", i)
		}
		if i < statusFailLimit && !connected(a, b) {
			t.Fatalf("disconnected after %d failure(s), before the limit", i)
		}
	}
	waitFor(t, 5*time.Second, "the silent peer to be disconnected", func() bool { return !connected(a, b) && !hasPeer(a, b.ID()) })
}

func TestNotStartedAndClosed(t *testing.T) {
	h, err := New(testConfig(t), Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.PublishConsensus(context.Background(), []byte{1}); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("publish before start: %v", err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := h.BroadcastTx(signedTxs(t, 1)[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("broadcast after close: %v", err)
	}
}
