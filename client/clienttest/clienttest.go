package clienttest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

// DevKeys is how many funded dev keys a node has (devkeys.Key(0..3)), each
// with DevBalance rao.
const (
	DevKeys    = 4
	DevBalance = 1_000 * types.RaoPerTAO
)

// Node is a running in-process node; it stops at the test's cleanup.
type Node struct {
	Home     string // node home; dev keystores in KeysDir()
	URL      string // http://127.0.0.1:port
	Explorer string // the explorer's http://127.0.0.1:port, if configure turned it on
}

// KeysDir holds dev0.json … dev3.json (empty password).
func (n *Node) KeysDir() string { return filepath.Join(n.Home, "keys") }

// WSURL is the node's WebSocket URL.
func (n *Node) WSURL() string { return "ws" + strings.TrimPrefix(n.URL, "http") }

// Start runs a node until the test ends.
func Start(t testing.TB) *Node { return StartWith(t, nil) }

// StartWith is Start with the node's config and genesis adjusted by
// configure (nil: as Start) before the node opens: subnets at genesis, the
// explorer on a free port ("127.0.0.1:0"), the event index, ...
func StartWith(t testing.TB, configure func(*node.Config, *chain.Genesis)) *Node {
	t.Helper()
	home := t.TempDir()
	cfg, g, err := node.InitHome(home, node.InitOptions{Preset: "test", DevKeys: DevKeys, DevBalance: DevBalance})
	if err != nil {
		t.Fatal(err)
	}
	cfg.RPC.Addr, cfg.Metrics.Addr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.P2P.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	if configure != nil {
		configure(&cfg, g)
		if err := g.Save(cfg.Path(cfg.Genesis)); err != nil {
			t.Fatal(err)
		}
	}
	nd, err := node.New(cfg, zaptest.NewLogger(t).Named("node"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- nd.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node run: %v", err)
		}
		if err := nd.Close(); err != nil {
			t.Errorf("node close: %v", err)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for nd.ListenAddr("rpc") == "" || cfg.Explorer.Addr != "" && nd.ListenAddr("explorer") == "" {
		if time.Now().After(deadline) {
			t.Fatal("clienttest: rpc (or the explorer) did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := &Node{Home: home, URL: "http://" + nd.ListenAddr("rpc")}
	if a := nd.ListenAddr("explorer"); a != "" {
		n.Explorer = "http://" + a
	}
	return n
}

// Dial connects to the node (over WebSocket if ws) and closes at cleanup.
func (n *Node) Dial(t testing.TB, ws bool) *client.Client {
	t.Helper()
	url := n.URL
	if ws {
		url = n.WSURL()
	}
	c, err := client.Dial(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// WaitHeight waits until the node has committed block h (at most 30 s).
func WaitHeight(t testing.TB, c *client.Client, h uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		n, err := c.BlockNumber(ctx)
		if err != nil {
			t.Fatalf("clienttest: waiting for height %d: %v", h, err)
		}
		if n >= h {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("clienttest: height %d not reached (at %d)", h, n)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
