package test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// metricValue reads one sample from a node's /metrics page (0 if absent).
func metricValue(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	return 0
}

// Weakness 4 over real libp2p: a node relays only the txs its pool admits.
// A peer gossips a zero-balance sender's tx and an already-committed tx; the
// node ignores both (no relay, and no blame: the peer stays connected), while
// a valid tx from the same peer reaches a third peer through the node. The
// old validator accepted both junk txs, so the observer received them.
func TestGossipRelaysOnlyAdmittedTxs(t *testing.T) {
	nw := newNetwork(t, 1, 0)
	nw.startWith(0, func(c *node.Config) { c.Metrics.Addr = "127.0.0.1:0" })
	nw.waitAll(2, 20*time.Second)
	nn := nw.nodes[0]
	nd := nn.n
	chainID := nd.Chain().ChainID()
	sign := func(key int, nonce uint64) *types.Tx {
		tx, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: nonce, Fee: types.TransferWeight + 200*types.EthByteGas,
			Call: &types.Transfer{To: types.Address{7}, Amount: 1}}, devkeys.Key(key))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	committed := sign(0, 0)
	var h types.Hash
	if err := nn.client.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(committed.Bytes())); err != nil {
		t.Fatal(err)
	}
	waitReceiptOn(t, nn.client, h)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu   sync.Mutex
		seen = map[types.Hash]bool{}
	)
	host := func(onTxs func(p2p.PeerID, []*types.Tx)) *p2p.Host {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cfg := p2p.DefaultConfig()
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
		cfg.NodeKey, cfg.ChainID, cfg.GenesisHash = key, chainID, nd.Chain().GenesisHash()
		h, err := p2p.New(cfg, p2p.Handlers{OnTxs: onTxs})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		if err := h.Connect(ctx, nd.Host().AddrInfo()); err != nil {
			t.Fatalf("connect to the node: %v", err)
		}
		return h
	}
	attacker := host(nil)
	host(func(_ p2p.PeerID, txs []*types.Tx) {
		mu.Lock()
		defer mu.Unlock()
		for _, tx := range txs {
			seen[tx.Hash()] = true
		}
	})

	metrics := nd.ListenAddr("metrics")
	verdict := func(r string) float64 {
		return metricValue(t, metrics, `taod_p2p_messages_in_total{result="`+r+`",topic="tx"}`)
	}
	judged := func() float64 { return verdict("accept") + verdict("ignore") + verdict("reject") }
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Junk batches, each a fresh zero-balance tx beside the committed one,
	// until the node has judged two of them: all must be ignored. An ignored
	// message is never forwarded, so once counted it cannot reach the
	// observer later. Until
	// the attacker knows the node's subscription its publications go nowhere,
	// hence the repeats. (The committed tx alone would repeat the node's own
	// gossip of it, which pubsub drops as a duplicate before any check.)
	var junk []*types.Tx
	for k := 0; judged() < 2; k++ {
		if k == 400 {
			t.Fatal("the node never judged the junk batches")
		}
		tx := sign(60, uint64(k))
		junk = append(junk, tx)
		if err := attacker.BroadcastTx(tx); err != nil {
			t.Fatal(err)
		}
		if err := attacker.BroadcastTx(committed); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	junk = append(junk, committed)
	if a, r := verdict("accept"), verdict("reject"); a != 0 || r != 0 {
		t.Fatalf("junk batches: %v accepted (relayed), %v rejected (blamed on the peer); want all ignored", a, r)
	}
	// Valid txs travel on: keep sending fresh ones until the observer has
	// one (its gossip mesh may take a heartbeat to form).
	nonce := uint64(0)
	waitFor("a valid tx relayed to the observer", func() bool {
		tx := sign(1, nonce)
		nonce++
		if err := attacker.BroadcastTx(tx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	for _, tx := range junk {
		if seen[tx.Hash()] {
			t.Fatalf("junk tx %s was relayed", tx.Hash())
		}
	}
	if !hasPeer(nd.Host(), attacker.ID()) {
		t.Fatal("the peer that sent stateful junk was disconnected")
	}
	var pooled map[string]any
	if err := nn.client.Call(&pooled, "tao_getTransactionByHash", junk[0].Hash()); err != nil || pooled != nil {
		t.Fatalf("zero-balance tx pooled: %v %v", pooled, err)
	}
}
