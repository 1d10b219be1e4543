package test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// testNode is an in-process node on the test preset with RPC on a free port.
type testNode struct {
	*node.Node
	url    string
	client *gethrpc.Client
	cancel context.CancelFunc
	done   chan error
}

func startNode(t *testing.T, mutate func(*node.Config)) *testNode {
	t.Helper()
	home := t.TempDir()
	cfg, _, err := node.InitHome(home, node.InitOptions{Preset: "test", DevKeys: 4, DevBalance: 1_000 * types.RaoPerTAO})
	if err != nil {
		t.Fatal(err)
	}
	cfg.RPC.Addr, cfg.Metrics.Addr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.P2P.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	if mutate != nil {
		mutate(&cfg)
	}
	n, err := node.New(cfg, zaptest.NewLogger(t).Named("node"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tn := &testNode{Node: n, cancel: cancel, done: make(chan error, 1)}
	go func() { tn.done <- n.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for n.ListenAddr("rpc") == "" {
		if time.Now().After(deadline) {
			t.Fatal("rpc did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	tn.url = "http://" + n.ListenAddr("rpc")
	if tn.client, err = gethrpc.Dial(tn.url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tn.client.Close()
		cancel()
		if err := <-tn.done; err != nil {
			t.Errorf("node run: %v", err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return tn
}

func (tn *testNode) call(t *testing.T, out any, method string, args ...any) {
	t.Helper()
	if err := tn.client.Call(out, method, args...); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// callErr makes a call that must fail and returns its JSON-RPC error.
func (tn *testNode) callErr(t *testing.T, method string, args ...any) gethrpc.Error {
	t.Helper()
	var out any
	err := tn.client.Call(&out, method, args...)
	var re gethrpc.Error
	if !errors.As(err, &re) {
		t.Fatalf("%s: want a JSON-RPC error, got %v (result %v)", method, err, out)
	}
	return re
}

func (tn *testNode) height(t *testing.T) uint64 {
	var h uint64
	tn.call(t, &h, "tao_blockNumber")
	return h
}

func (tn *testNode) waitHeight(t *testing.T, h uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for tn.height(t) < h {
		if time.Now().After(deadline) {
			t.Fatalf("height %d not reached", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signPaying signs d with at least the minimum fee for its length under
// every preset's fee parameters (base fee 1, byte weight 16).
func signPaying(t testing.TB, key *ecdsa.PrivateKey, d types.TxData) *types.Tx {
	t.Helper()
	tx, err := chain.SignPayingMinFee(chain.DefaultParams(), d, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// send signs d, its fee raised to the minimum if below (signPaying), and
// sends it.
func (tn *testNode) send(t *testing.T, key *ecdsa.PrivateKey, d types.TxData) (types.Hash, error) {
	t.Helper()
	tx := signPaying(t, key, d)
	var h types.Hash
	err := tn.client.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes()))
	if err == nil && h != tx.Hash() {
		t.Fatalf("node returned hash %s for tx %s", h, tx.Hash())
	}
	return h, err
}

func (tn *testNode) waitReceipt(t *testing.T, h types.Hash) *rpc.ReceiptJSON {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var r *rpc.ReceiptJSON
		tn.call(t, &r, "tao_getTransactionReceipt", h)
		if r != nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not included", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
