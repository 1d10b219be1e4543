package test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func balance(t *testing.T, tn *testNode, a types.Address) uint64 {
	var s string
	tn.call(t, &s, "tao_getBalance", a)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("balance %q: %v", s, err)
	}
	return v
}

func nonce(t *testing.T, tn *testNode, a types.Address) uint64 {
	var n uint64
	tn.call(t, &n, "tao_getNonce", a)
	return n
}

func TestTransferOverRPC(t *testing.T) {
	tn := startNode(t, nil)
	var chainID uint64
	tn.call(t, &chainID, "tao_chainId")
	from, to := devkeys.Address(0), types.Address{0x42}
	before := balance(t, tn, from)
	d := types.TxData{ChainID: chainID, Nonce: 0, Tip: 5, Call: &types.Transfer{To: to, Amount: 1_500_000_000}}
	paid := signPaying(t, devkeys.Key(0), d).Fee() + 5 // signing is deterministic: the tx send signs
	if paid <= 21_005 {
		t.Fatalf("fee + tip %d pays no length fee", paid)
	}
	h, err := tn.send(t, devkeys.Key(0), d)
	if err != nil {
		t.Fatal(err)
	}
	var pending uint64
	tn.call(t, &pending, "tao_getNonce", from, "pending")
	if pending != 1 {
		t.Fatalf("pending nonce %d after one send", pending)
	}
	r := tn.waitReceipt(t, h)
	if r.Status != "success" || r.From != from || r.FeePaid != strconv.FormatUint(paid, 10) {
		t.Fatalf("receipt %+v", r)
	}
	if got := balance(t, tn, to); got != 1_500_000_000 {
		t.Fatalf("recipient balance %d", got)
	}
	if got := balance(t, tn, from); got != before-1_500_000_000-paid {
		t.Fatalf("sender balance %d", got)
	}
	if nonce(t, tn, from) != 1 {
		t.Fatal("nonce did not advance")
	}

	// The block holds the tx; full and hash-only forms agree.
	var blk struct {
		rpc.HeaderJSON
		Transactions []rpc.TxJSON `json:"transactions"`
	}
	tn.call(t, &blk, "tao_getBlockByNumber", r.BlockNumber, true)
	if len(blk.Transactions) != 1 || blk.Transactions[0].Hash != h || blk.Hash != r.BlockHash {
		t.Fatalf("block %d: %+v", r.BlockNumber, blk)
	}
	var byHash *rpc.HeaderJSON
	tn.call(t, &byHash, "tao_getBlockByHash", r.BlockHash)
	if byHash == nil || byHash.Number != r.BlockNumber {
		t.Fatalf("by hash: %+v", byHash)
	}
	var missing *rpc.HeaderJSON
	tn.call(t, &missing, "tao_getBlockByNumber", 1_000_000, false)
	if missing != nil {
		t.Fatal("a block from the future exists")
	}

	// The balance before the transfer is still readable at an old block.
	var old string
	tn.call(t, &old, "tao_getBalance", from, r.BlockNumber-1)
	if old != strconv.FormatUint(before, 10) {
		t.Fatalf("historical balance %s, want %d", old, before)
	}

	// A Merkle proof of the recipient verifies against the block's state root.
	var p rpc.Proof
	tn.call(t, &p, "tao_getProof", to, r.BlockNumber)
	var nodes [][]byte
	for _, n := range p.Proof {
		nodes = append(nodes, n)
	}
	val, err := state.VerifyProof(p.StateRoot, state.AccountKey(to), nodes)
	if err != nil || !bytes.Equal(val, p.Value) || p.Balance != "1500000000" {
		t.Fatalf("proof: %v, value %x vs %x, balance %s", err, val, []byte(p.Value), p.Balance)
	}
	var acc state.Account
	if err := rlp.DecodeBytes(val, &acc); err != nil || acc.Balance != 1_500_000_000 {
		t.Fatalf("proven account %+v %v", acc, err)
	}
	if blk.StateRoot != p.StateRoot {
		t.Fatal("proof is not against the block's state root")
	}
}

// TestBadInputChangesNothing sends every kind of bad input and checks each gets
// a clear JSON-RPC error and that no balance or nonce moves.
func TestBadInputChangesNothing(t *testing.T) {
	tn := startNode(t, nil)
	var chainID uint64
	tn.call(t, &chainID, "tao_chainId")
	k0, a0, a1 := devkeys.Key(0), devkeys.Address(0), devkeys.Address(1)

	// Use nonce 0 so a later replay is "nonce too low".
	h, err := tn.send(t, k0, types.TxData{ChainID: chainID, Nonce: 0, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tn.waitReceipt(t, h)
	b0, b1, n0 := balance(t, tn, a0), balance(t, tn, a1), nonce(t, tn, a0)

	good, _ := types.SignTx(types.TxData{ChainID: chainID, Nonce: 1, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}}, k0)
	// High-S form of the same signature: the same signer by math, refused by rule.
	var w struct {
		ChainID, Nonce, Fee, Tip uint64
		Call                     rlp.RawValue
		V                        uint8
		R, S                     *big.Int
	}
	if err := rlp.DecodeBytes(good.Bytes()[1:], &w); err != nil {
		t.Fatal(err)
	}
	w.S = new(big.Int).Sub(secpN, w.S)
	w.V ^= 1
	highS, _ := rlp.EncodeToBytes(&w)
	highS = append([]byte{types.TxTypeNative}, highS...)

	raw := func(b []byte) string { return hexutil.Encode(b) }
	sign := func(d types.TxData) string { return raw(signPaying(t, k0, d).Bytes()) }
	signAsIs := func(d types.TxData) string {
		tx, err := types.SignTx(d, k0)
		if err != nil {
			t.Fatal(err)
		}
		return raw(tx.Bytes())
	}
	cases := []struct {
		name  string
		param any
		code  int
		inMsg string
	}{
		{"malformed hex", "0xzz", -32602, "invalid argument"},
		{"odd hex", "0x543", -32602, "invalid argument"},
		{"bad rlp", raw([]byte{types.TxTypeNative, 0xc5, 0x01}), rpc.CodeTxRejected, "invalid transaction"},
		{"eth legacy malformed", raw([]byte{0xc1, 0x80}), rpc.CodeTxRejected, "invalid transaction"},
		{"blob tx unsupported", raw([]byte{0x03, 0xc1, 0x80}), rpc.CodeTxRejected, "unsupported transaction type"},
		{"high S signature", raw(highS), rpc.CodeTxRejected, "lower half"},
		{"wrong chain", sign(types.TxData{ChainID: chainID + 1, Nonce: 1, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}}), rpc.CodeTxRejected, "wrong chain ID"},
		{"nonce too low", sign(types.TxData{ChainID: chainID, Nonce: 0, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}}), rpc.CodeTxRejected, "nonce too low"},
		{"fee too low", signAsIs(types.TxData{ChainID: chainID, Nonce: 1, Fee: 20_999, Call: &types.Transfer{To: a1, Amount: 1}}), rpc.CodeTxRejected, "fee below"},
		{"no length fee", signAsIs(types.TxData{ChainID: chainID, Nonce: 1, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}}), rpc.CodeTxRejected, "length fee"},
		{"insufficient balance", sign(types.TxData{ChainID: chainID, Nonce: 1, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: b0}}), rpc.CodeTxRejected, "balance cannot cover"},
		{"nonce gap", sign(types.TxData{ChainID: chainID, Nonce: 1_000, Fee: 21_000, Call: &types.Transfer{To: a1, Amount: 1}}), rpc.CodeTxRejected, "nonce too far ahead"},
		{"empty", "0x", rpc.CodeTxRejected, "empty transaction"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := tn.callErr(t, "tao_sendRawTransaction", c.param)
			if e.ErrorCode() != c.code || !strings.Contains(e.Error(), c.inMsg) {
				t.Fatalf("error %d %q; want %d containing %q", e.ErrorCode(), e.Error(), c.code, c.inMsg)
			}
		})
	}
	// A signature by a key with no funds: recovered sender cannot pay.
	poor := signPaying(t, devkeys.Key(77), types.TxData{ChainID: chainID, Nonce: 0, Call: &types.Transfer{To: a1, Amount: 1}})
	if e := tn.callErr(t, "tao_sendRawTransaction", raw(poor.Bytes())); !strings.Contains(e.Error(), "balance cannot cover") {
		t.Fatalf("unfunded signer: %v", e)
	}
	if e := tn.callErr(t, "tao_noSuchMethod"); e.ErrorCode() != -32601 {
		t.Fatalf("unknown method: %d %v", e.ErrorCode(), e)
	}
	if e := tn.callErr(t, "tao_getBalance", "0x1234"); e.ErrorCode() != -32602 {
		t.Fatalf("short address: %d %v", e.ErrorCode(), e)
	}
	if e := tn.callErr(t, "tao_getBlockByNumber", "yesterday", false); e.ErrorCode() != -32602 {
		t.Fatalf("bad block tag: %d %v", e.ErrorCode(), e)
	}

	// Let blocks pass: nothing refused may have landed.
	tn.waitHeight(t, tn.height(t)+3)
	if balance(t, tn, a0) != b0 || balance(t, tn, a1) != b1 || nonce(t, tn, a0) != n0 {
		t.Fatal("refused input changed state")
	}
}

func postRaw(t *testing.T, url, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestBatchLimitsCORSAndHosts(t *testing.T) {
	tn := startNode(t, func(c *node.Config) {
		c.RPC.BatchItems = 3
		c.RPC.CORSOrigins = []string{"https://wallet.example"}
	})
	_, body := postRaw(t, tn.url, `[{"jsonrpc":"2.0","id":1,"method":"tao_chainId"},{"jsonrpc":"2.0","id":2,"method":"tao_blockNumber"}]`, nil)
	var batch []struct {
		ID     int             `json:"id"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &batch); err != nil || len(batch) != 2 || string(batch[0].Result) != "9451" {
		t.Fatalf("batch: %s", body)
	}
	_, body = postRaw(t, tn.url, `[{"jsonrpc":"2.0","id":1,"method":"tao_chainId"},{"jsonrpc":"2.0","id":2,"method":"tao_chainId"},{"jsonrpc":"2.0","id":3,"method":"tao_chainId"},{"jsonrpc":"2.0","id":4,"method":"tao_chainId"}]`, nil)
	if !strings.Contains(string(body), "batch too large") {
		t.Fatalf("oversized batch: %s", body)
	}
	_, body = postRaw(t, tn.url, `{"jsonrpc":"2.0","id":1,"method":`, nil)
	if !strings.Contains(string(body), "-32700") {
		t.Fatalf("malformed JSON: %s", body)
	}

	req, _ := http.NewRequest(http.MethodOptions, tn.url, nil)
	req.Header.Set("Origin", "https://wallet.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://wallet.example" {
		t.Fatalf("preflight: %v", resp.Header)
	}
	resp, _ = postRaw(t, tn.url, `{"jsonrpc":"2.0","id":1,"method":"tao_chainId"}`, map[string]string{"Origin": "https://evil.example"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS allowed an unlisted origin")
	}
	hostURL := strings.Replace(tn.url, "127.0.0.1", "localhost", 1)
	if resp, _ := postRaw(t, hostURL, `{"jsonrpc":"2.0","id":1,"method":"tao_chainId"}`, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("localhost vhost refused: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, tn.url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tao_chainId"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Host = "attacker.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown vhost: %d", resp.StatusCode)
	}
}

func TestNewHeadsSubscription(t *testing.T) {
	tn := startNode(t, func(c *node.Config) { c.RPC.SubsPerConn = 2 })
	ws, err := gethrpc.Dial("ws://" + tn.ListenAddr("rpc"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	heads := make(chan rpc.HeaderJSON, 16)
	sub, err := ws.Subscribe(ctx, "tao", heads, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var prev uint64
	for i := 0; i < 3; i++ {
		select {
		case h := <-heads:
			if prev != 0 && h.Number != prev+1 {
				t.Fatalf("heads out of order: %d after %d", h.Number, prev)
			}
			var blk *rpc.HeaderJSON
			tn.call(t, &blk, "tao_getBlockByNumber", h.Number, false)
			if blk == nil || blk.Hash != h.Hash {
				t.Fatalf("head %d hash %s does not match the stored block", h.Number, h.Hash)
			}
			prev = h.Number
		case err := <-sub.Err():
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatal("no heads")
		}
	}
	second, err := ws.Subscribe(ctx, "tao", make(chan rpc.HeaderJSON, 16), "finalizedHeads")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Unsubscribe()
	if _, err := ws.Subscribe(ctx, "tao", make(chan rpc.HeaderJSON, 16), "newHeads"); err == nil || !strings.Contains(err.Error(), "too many subscriptions") {
		t.Fatalf("third subscription on one connection: %v", err)
	}
	// Over HTTP a subscription is refused with a clear error.
	if e := tn.callErr(t, "tao_subscribe", "newHeads"); !strings.Contains(e.Error(), "notifications not supported") && !strings.Contains(e.Error(), "WebSocket") {
		t.Fatalf("http subscribe: %v", e)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	tn := startNode(t, nil)
	tn.waitHeight(t, 2)
	var h rpc.Health
	tn.call(t, &h, "net_health")
	if !h.Healthy || h.Height < 2 {
		t.Fatalf("health %+v", h)
	}
	resp, err := http.Get("http://" + tn.ListenAddr("metrics") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, m := range []string{"taod_block_height", "taod_txpool_size", "taod_block_commit_seconds", "taod_txs_total"} {
		if !strings.Contains(string(b), m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}
