package test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/testport"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/testnet"
	"github.com/taonet/taod/types"
)

// netNode is one in-process node of a multi-node network: a real libp2p host
// on loopback, Pebble on disk, its own consensus WAL.
type netNode struct {
	name   string
	home   string
	n      *node.Node
	cancel context.CancelFunc
	done   chan error
	client *gethrpc.Client
}

type network struct {
	t     *testing.T
	lay   *testnet.Layout
	nodes []*netNode
}

// newNetwork generates validators + full nodes on 127.0.0.1 with free ports.
func newNetwork(t *testing.T, validators, full int) *network {
	t.Helper()
	n := validators + full
	ports := testport.FreeN(t, 2*n)
	p2pPorts, rpcPorts := ports[:n], ports[n:]
	lay, err := testnet.Generate(testnet.Options{
		Dir: t.TempDir(), Validators: validators, FullNodes: full, Preset: "test", DevKeys: 4,
		Addr:    func(int) string { return "127.0.0.1" },
		P2PPort: func(i int) int { return p2pPorts[i] },
		RPCPort: func(i int) int { return rpcPorts[i] },
	})
	if err != nil {
		t.Fatal(err)
	}
	nw := &network{t: t, lay: lay, nodes: make([]*netNode, n)}
	t.Cleanup(func() {
		for i := range nw.nodes {
			nw.stop(i)
		}
	})
	return nw
}

// start runs node i in process.
func (nw *network) start(i int) { nw.startWith(i, nil) }

// startWith runs node i with its config changed by mutate.
func (nw *network) startWith(i int, mutate func(*node.Config)) {
	t := nw.t
	t.Helper()
	info := nw.lay.Nodes[i]
	cfg, err := node.LoadConfig(info.Home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Metrics.Addr = ""
	if mutate != nil {
		mutate(&cfg)
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)).Named(info.Name)
	n, err := node.New(cfg, log)
	if err != nil {
		t.Fatalf("%s: %v", info.Name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	nn := &netNode{name: info.Name, home: info.Home, n: n, cancel: cancel, done: make(chan error, 1)}
	go func() { nn.done <- n.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for n.ListenAddr("rpc") == "" {
		if time.Now().After(deadline) {
			t.Fatalf("%s: rpc did not start", info.Name)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if nn.client, err = gethrpc.Dial("http://" + n.ListenAddr("rpc")); err != nil {
		t.Fatal(err)
	}
	nw.nodes[i] = nn
}

// stop ends node i (a clean stop; the kill -9 test covers crashes).
func (nw *network) stop(i int) {
	nn := nw.nodes[i]
	if nn == nil {
		return
	}
	nn.client.Close()
	nn.cancel()
	if err := <-nn.done; err != nil {
		nw.t.Errorf("%s: run: %v", nn.name, err)
	}
	nn.n.Close()
	nw.nodes[i] = nil
}

func (nw *network) height(i int) uint64 {
	var h uint64
	if err := nw.nodes[i].client.Call(&h, "tao_blockNumber"); err != nil {
		nw.t.Fatalf("%s: %v", nw.nodes[i].name, err)
	}
	return h
}

// waitAll waits until every running node has reached height h.
func (nw *network) waitAll(h uint64, within time.Duration) {
	nw.t.Helper()
	deadline := time.Now().Add(within)
	for {
		low := uint64(1 << 62)
		for i, nn := range nw.nodes {
			if nn != nil {
				low = min(low, nw.height(i))
			}
		}
		if low >= h {
			return
		}
		if time.Now().After(deadline) {
			nw.t.Fatalf("height %d not reached by every running node within %s (lowest %d)", h, within, low)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitReceipts waits until each of nodes holds a successful receipt of
// every tx in hashes; a failed tx or one missing after within fails the test.
func (nw *network) waitReceipts(hashes []types.Hash, within time.Duration, nodes ...int) {
	nw.t.Helper()
	deadline := time.Now().Add(within)
	for _, i := range nodes {
		for _, h := range hashes {
			for {
				var r *rpc.ReceiptJSON
				if err := nw.nodes[i].client.Call(&r, "tao_getTransactionReceipt", h); err != nil {
					nw.t.Fatal(err)
				}
				if r != nil {
					if r.Status != "success" {
						nw.t.Fatalf("tx %s failed: %s", h, r.Error)
					}
					break
				}
				if time.Now().After(deadline) {
					nw.t.Fatalf("tx %s not committed on node%d", h, i)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
}

// checkNoFork compares every running node's block hashes up to the lowest head.
func (nw *network) checkNoFork() uint64 {
	nw.t.Helper()
	low := uint64(1 << 62)
	for i, nn := range nw.nodes {
		if nn != nil {
			low = min(low, nw.height(i))
		}
	}
	for h := uint64(0); h <= low; h++ {
		var want types.Hash
		for i, nn := range nw.nodes {
			if nn == nil {
				continue
			}
			var b rpc.HeaderJSON
			if err := nn.client.Call(&b, "tao_getBlockByNumber", h, false); err != nil {
				nw.t.Fatal(err)
			}
			if want == (types.Hash{}) {
				want = b.Hash
			} else if b.Hash != want {
				nw.t.Fatalf("fork at height %d: %s has %s, another node %s", h, nw.nodes[i].name, b.Hash, want)
			}
		}
	}
	return low
}

// TestValidatorsOverLibp2p: 4 validators commit blocks with txs sent to any
// node; one validator stopped → the chain goes on; two stopped → it halts
// without forking and resumes when one returns; a fifth node started late
// syncs from genesis (verifying every commit) and follows.
func TestValidatorsOverLibp2p(t *testing.T) {
	nw := newNetwork(t, 4, 1)
	for i := 0; i < 4; i++ {
		nw.start(i)
	}
	nw.waitAll(3, 30*time.Second)

	// Transfers sent to different nodes are committed everywhere.
	var chainID uint64
	nw.nodes[0].client.Call(&chainID, "tao_chainId")
	var hashes []types.Hash
	for k := 0; k < 4; k++ {
		for nonce := uint64(0); nonce < 5; nonce++ {
			tx := signPaying(t, devkeys.Key(k), types.TxData{ChainID: chainID, Nonce: nonce, Call: &types.Transfer{To: types.Address{byte(k + 1)}, Amount: 1_000}})
			var h types.Hash
			if err := nw.nodes[k].client.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err != nil {
				t.Fatalf("send to node%d: %v", k, err)
			}
			hashes = append(hashes, h)
		}
	}
	nw.waitReceipts(hashes, 30*time.Second, 0, 1, 2, 3)
	nw.checkNoFork()

	// One validator down: 3 of 4 (75% of power) go on.
	nw.stop(3)
	h := nw.height(0)
	nw.waitAll(h+5, 30*time.Second)

	// Two down: 50% of power cannot commit. The chain halts, without a fork.
	nw.stop(2)
	time.Sleep(1 * time.Second)
	halted := max(nw.height(0), nw.height(1))
	time.Sleep(3 * time.Second)
	if now := max(nw.height(0), nw.height(1)); now > halted+1 {
		t.Fatalf("chain advanced from %d to %d with half the power", halted, now)
	}
	nw.checkNoFork()

	// One returns: 3 of 4 again, it catches up and the chain resumes.
	nw.start(2)
	nw.waitAll(halted+5, 60*time.Second)
	nw.checkNoFork()

	// A fifth node (full node) joins late and syncs from genesis.
	nw.start(4)
	target := nw.height(0)
	nw.waitAll(target+2, 60*time.Second)
	low := nw.checkNoFork()
	if low < target {
		t.Fatalf("late node at %d, chain at %d", low, target)
	}
	var r *rpc.ReceiptJSON
	nw.nodes[4].client.Call(&r, "tao_getTransactionReceipt", hashes[0])
	if r == nil || r.Status != "success" {
		t.Fatal("synced node lacks an early transaction")
	}
	t.Logf("heights: halted at %d, resumed; late node synced %d blocks", halted, target)
}
