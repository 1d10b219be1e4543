package test

import (
	"context"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common/hexutil"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

func wei(rao uint64) *big.Int { return types.RaoToWei(rao) }

// ethWallet is what an Ethereum wallet sees of a test node: go-ethereum's own
// client over the node's JSON-RPC.
func ethWallet(t *testing.T, tn *testNode) (*ethclient.Client, context.Context, *big.Int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ec := ethclient.NewClient(tn.client)
	id, err := ec.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Uint64() != chain.TestChainID {
		t.Fatalf("eth_chainId %s, want %d", id, chain.TestChainID)
	}
	return ec, ctx, id
}

// waitEthReceipt polls eth_getTransactionReceipt through ethclient.
func waitEthReceipt(t *testing.T, ctx context.Context, ec *ethclient.Client, h types.Hash) *ethtypes.Receipt {
	t.Helper()
	for {
		r, err := ec.TransactionReceipt(ctx, h)
		if err == nil {
			return r
		}
		if !errors.Is(err, ethereum.NotFound) {
			t.Fatalf("receipt of %s: %v", h, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("tx %s not included", h)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func ethBalance(t *testing.T, ctx context.Context, ec *ethclient.Client, a types.Address) *big.Int {
	t.Helper()
	b, err := ec.BalanceAt(ctx, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEthWallet drives a node the way an Ethereum wallet does, with
// go-ethereum's ethclient: read a dev account's balance, sign value transfers
// (legacy and EIP-1559) with LatestSignerForChainID, send them, wait for the
// receipts, and check balances in wei and the nonce; then the refusals.
func TestEthWallet(t *testing.T) {
	tn := startNode(t, nil)
	ec, ctx, chainID := ethWallet(t, tn)
	key, from, to := devkeys.Key(0), devkeys.Address(0), types.Address{0xe7, 0x4}

	var netVersion, clientVersion string
	tn.call(t, &netVersion, "net_version")
	tn.call(t, &clientVersion, "web3_clientVersion")
	if netVersion != "9451" || !strings.HasPrefix(clientVersion, "taod/") {
		t.Fatalf("net_version %q, web3_clientVersion %q", netVersion, clientVersion)
	}
	if id, err := ec.NetworkID(ctx); err != nil || id.Uint64() != chain.TestChainID {
		t.Fatalf("NetworkID %v %v", id, err)
	}
	gasPrice, err := ec.SuggestGasPrice(ctx)
	if err != nil || gasPrice.Cmp(big.NewInt(1e9)) != 0 {
		t.Fatalf("eth_gasPrice %v %v, want 1 gwei (1 rao per weight unit)", gasPrice, err)
	}
	if tip, err := ec.SuggestGasTipCap(ctx); err != nil || tip.Sign() != 0 {
		t.Fatalf("eth_maxPriorityFeePerGas %v %v", tip, err)
	}

	// The balance in wei is the balance in rao × 10^9, through both namespaces.
	before := ethBalance(t, ctx, ec, from)
	if before.Cmp(wei(balance(t, tn, from))) != 0 || before.Cmp(wei(1_000*types.RaoPerTAO)) != 0 {
		t.Fatalf("eth_getBalance %s wei, tao_getBalance %d rao", before, balance(t, tn, from))
	}
	value := wei(1_500_000_000) // 1.5 TAO
	gas, err := ec.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Value: value})
	if err != nil || gas != types.EthGasUsed(types.MaxEthTransferSize) {
		t.Fatalf("eth_estimateGas %d %v", gas, err)
	}
	if code, err := ec.CodeAt(ctx, to, nil); err != nil || len(code) != 0 {
		t.Fatalf("eth_getCode %x %v", code, err)
	}
	if out, err := ec.CallContract(ctx, ethereum.CallMsg{To: &to, Data: []byte{0x70, 0xa0, 0x82, 0x31}}, nil); err != nil || len(out) != 0 {
		t.Fatalf("eth_call %x %v", out, err)
	}
	next, err := ec.PendingNonceAt(ctx, from)
	if err != nil || next != 0 {
		t.Fatalf("nonce %d %v", next, err)
	}
	signer := ethtypes.LatestSignerForChainID(chainID)

	// A legacy (EIP-155) transfer at eth_gasPrice pays exactly the base fee.
	legacy := ethtypes.MustSignNewTx(key, signer, &ethtypes.LegacyTx{Nonce: next, GasPrice: gasPrice, Gas: gas, To: &to, Value: value})
	if err := ec.SendTransaction(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	r1, err := bind.WaitMined(ctx, ec, legacy)
	if err != nil {
		t.Fatal(err)
	}
	// It uses (and pays for) 21,000 gas and 16 per byte of its envelope.
	used1 := ethGasUsed(legacy)
	if r1.Status != ethtypes.ReceiptStatusSuccessful || r1.TxHash != legacy.Hash() || r1.GasUsed != used1 || r1.EffectiveGasPrice.Cmp(gasPrice) != 0 || r1.Type != ethtypes.LegacyTxType {
		t.Fatalf("legacy receipt %+v", r1)
	}
	// tao_ indexes the tx under the hash the wallet computed.
	if tr := tn.waitReceipt(t, legacy.Hash()); tr.BlockHash != r1.BlockHash || tr.FeePaid != strconv.FormatUint(used1, 10) || tr.From != from {
		t.Fatalf("tao_ receipt %+v", tr)
	}
	afterLegacy := new(big.Int).Sub(before, value)
	afterLegacy.Sub(afterLegacy, wei(used1))
	if got := ethBalance(t, ctx, ec, from); got.Cmp(afterLegacy) != 0 {
		t.Fatalf("sender %s wei, want %s", got, afterLegacy)
	}
	if got := ethBalance(t, ctx, ec, to); got.Cmp(value) != 0 || balance(t, tn, to) != 1_500_000_000 {
		t.Fatalf("recipient %s wei", got)
	}

	// An EIP-1559 transfer the way bind.TransactOpts builds it: fee cap =
	// 2 × base fee + tip. The whole cap per gas is paid: fee 2 rao, tip 1 rao
	// per weight unit (types/ethtx.go).
	head, err := ec.HeaderByNumber(ctx, nil)
	if err != nil || head.BaseFee == nil || head.BaseFee.Cmp(gasPrice) != 0 {
		t.Fatalf("latest header %+v %v", head, err)
	}
	next, err = ec.NonceAt(ctx, from, nil)
	if err != nil || next != 1 {
		t.Fatalf("nonce after legacy tx: %d %v", next, err)
	}
	tipCap := big.NewInt(1e9)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tipCap)
	dyn := ethtypes.MustSignNewTx(key, signer, &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: next, GasTipCap: tipCap, GasFeeCap: feeCap, Gas: gas, To: &to, Value: value})
	if err := ec.SendTransaction(ctx, dyn); err != nil {
		t.Fatal(err)
	}
	r2 := waitEthReceipt(t, ctx, ec, dyn.Hash())
	used2 := ethGasUsed(dyn)
	if r2.Status != ethtypes.ReceiptStatusSuccessful || r2.GasUsed != used2 || r2.EffectiveGasPrice.Cmp(feeCap) != 0 || r2.Type != ethtypes.DynamicFeeTxType {
		t.Fatalf("1559 receipt %+v", r2)
	}
	afterDyn := new(big.Int).Sub(afterLegacy, value)
	afterDyn.Sub(afterDyn, wei(3*used2))
	if got := ethBalance(t, ctx, ec, from); got.Cmp(afterDyn) != 0 {
		t.Fatalf("sender %s wei, want %s", got, afterDyn)
	}
	if got := ethBalance(t, ctx, ec, to); got.Cmp(new(big.Int).Mul(value, big.NewInt(2))) != 0 {
		t.Fatalf("recipient %s wei", got)
	}
	if n, err := ec.NonceAt(ctx, from, nil); err != nil || n != 2 || nonce(t, tn, from) != 2 {
		t.Fatalf("nonce %d %v", n, err)
	}
	// Balances at past blocks, by number.
	if got, err := ec.BalanceAt(ctx, from, new(big.Int).Sub(r1.BlockNumber, big.NewInt(1))); err != nil || got.Cmp(before) != 0 {
		t.Fatalf("historical balance %s %v", got, err)
	}

	// The tx and its block decode with go-ethereum's types, with the same hash
	// and sender.
	got, pending, err := ec.TransactionByHash(ctx, dyn.Hash())
	if err != nil || pending || got.Hash() != dyn.Hash() {
		t.Fatalf("TransactionByHash: %v pending=%v", err, pending)
	}
	if s, err := ec.TransactionSender(ctx, got, r2.BlockHash, r2.TransactionIndex); err != nil || s != from {
		t.Fatalf("TransactionSender %s %v", s, err)
	}
	blk, err := ec.BlockByNumber(ctx, r2.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if tx := blk.Transaction(dyn.Hash()); tx == nil || blk.Time() == 0 || blk.BaseFee().Cmp(gasPrice) != 0 || blk.GasUsed() < 21_000 {
		t.Fatalf("block %d: tx found %v, time %d, gas used %d", blk.NumberU64(), tx != nil, blk.Time(), blk.GasUsed())
	}
	var byHash *rpc.EthBlockJSON
	tn.call(t, &byHash, "eth_getBlockByHash", r2.BlockHash, false)
	if byHash == nil || uint64(byHash.Number) != r2.BlockNumber.Uint64() || len(byHash.Transactions) == 0 {
		t.Fatalf("eth_getBlockByHash: %+v", byHash)
	}
	fh, err := ec.FeeHistory(ctx, 4, r2.BlockNumber, []float64{50, 100})
	if err != nil || len(fh.BaseFee) != 5 || fh.BaseFee[4].Cmp(gasPrice) != 0 || len(fh.Reward) != 4 || fh.Reward[3][1].Cmp(tipCap) != 0 {
		t.Fatalf("eth_feeHistory %+v %v", fh, err)
	}

	// Refusals: clear errors, nothing changes.
	send := func(inner ethtypes.TxData) error {
		return ec.SendTransaction(ctx, ethtypes.MustSignNewTx(key, signer, inner))
	}
	dynTo := func(to *types.Address, v *big.Int, data []byte, feeCap *big.Int) *ethtypes.DynamicFeeTx {
		return &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: 2, GasTipCap: big.NewInt(0), GasFeeCap: feeCap, Gas: 100_000, To: to, Value: v, Data: data}
	}
	for _, c := range []struct {
		name  string
		inner ethtypes.TxData
		want  string
	}{
		{"contract creation", dynTo(nil, new(big.Int), []byte{0x60, 0x80, 0x60, 0x40}, gasPrice), "contract creation and calls are not supported"},
		{"call data", dynTo(&to, new(big.Int), []byte{0xa9, 0x05, 0x9c, 0xbb}, gasPrice), "contract creation and calls are not supported"},
		{"value not whole rao", dynTo(&to, big.NewInt(1_500_000_001), nil, gasPrice), "whole number of rao"},
		{"fee cap below base fee", dynTo(&to, value, nil, big.NewInt(999_999_999)), "base fee"},
		{"legacy below base fee", &ethtypes.LegacyTx{Nonce: 2, GasPrice: big.NewInt(5e8), Gas: gas, To: &to, Value: value}, "below the base fee"},
		{"nonce reused", &ethtypes.LegacyTx{Nonce: 1, GasPrice: gasPrice, Gas: gas, To: &to, Value: value}, "nonce too low"},
		{"gas limit without length fee", &ethtypes.LegacyTx{Nonce: 2, GasPrice: gasPrice, Gas: 21_000, To: &to, Value: value}, "intrinsic gas too low"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := send(c.inner)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
			t.Log(err)
		})
	}
	for _, msg := range []ethereum.CallMsg{
		{From: from, Data: []byte{0x60, 0x80}},
		{From: from, To: &to, Data: []byte{1}},
		{From: from, To: &to, Value: big.NewInt(1)},
		{From: from, To: &to, Value: new(big.Int).Mul(before, big.NewInt(2))},
	} {
		_, err := ec.EstimateGas(ctx, msg)
		if err == nil {
			t.Fatalf("eth_estimateGas accepted %+v", msg)
		}
		t.Log("eth_estimateGas:", err)
	}
	tn.waitHeight(t, tn.height(t)+3)
	if got := ethBalance(t, ctx, ec, from); got.Cmp(afterDyn) != 0 || nonce(t, tn, from) != 2 {
		t.Fatalf("a refused tx changed state: balance %s, nonce %d", got, nonce(t, tn, from))
	}
}

// TestEthAndNativeShareAccounts sends a native transfer (nonce 0) and an
// Ethereum-signed one (nonce 1) from the same key, back to back, and checks
// that both land and both namespaces agree on balances and nonce; native txs
// show in eth_ queries and Ethereum-signed ones in tao_ queries.
func TestEthAndNativeShareAccounts(t *testing.T) {
	tn := startNode(t, nil)
	ec, ctx, chainID := ethWallet(t, tn)
	key, from, to := devkeys.Key(1), devkeys.Address(1), devkeys.Address(2)
	fromBefore, toBefore := balance(t, tn, from), balance(t, tn, to)

	nativeHash, err := tn.send(t, key, types.TxData{ChainID: chainID.Uint64(), Nonce: 0, Fee: 21_000, Tip: 7, Call: &types.Transfer{To: to, Amount: 2_000_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	etx := ethtypes.MustSignNewTx(key, ethtypes.LatestSignerForChainID(chainID), &ethtypes.DynamicFeeTx{
		ChainID: chainID, Nonce: 1, GasTipCap: big.NewInt(0), GasFeeCap: big.NewInt(1e9), Gas: 30_000, To: &to, Value: wei(3_000_000_000),
	})
	raw, _ := etx.MarshalBinary()
	var ethHash types.Hash
	tn.call(t, &ethHash, "eth_sendRawTransaction", hexutil.Bytes(raw))
	if ethHash != etx.Hash() {
		t.Fatalf("eth_sendRawTransaction returned %s, wallet computed %s", ethHash, etx.Hash())
	}
	rn := waitEthReceipt(t, ctx, ec, nativeHash)
	re := waitEthReceipt(t, ctx, ec, ethHash)
	ethUsed := ethGasUsed(etx)
	if rn.Status != 1 || re.Status != 1 || rn.GasUsed != 21_000 || re.GasUsed != ethUsed {
		t.Fatalf("receipts: native %+v, eth %+v", rn, re)
	}
	nativePaid, _ := strconv.ParseUint(tn.waitReceipt(t, nativeHash).FeePaid, 10, 64)
	if nativePaid <= 21_007 {
		t.Fatalf("native tx paid %d: no length fee", nativePaid)
	}

	wantFrom := fromBefore - 2_000_000_000 - nativePaid - 3_000_000_000 - ethUsed
	wantTo := toBefore + 5_000_000_000
	for _, c := range []struct {
		a    types.Address
		want uint64
	}{{from, wantFrom}, {to, wantTo}} {
		if got := balance(t, tn, c.a); got != c.want {
			t.Fatalf("tao_getBalance(%s) = %d, want %d", c.a, got, c.want)
		}
		if got := ethBalance(t, ctx, ec, c.a); got.Cmp(wei(c.want)) != 0 {
			t.Fatalf("eth_getBalance(%s) = %s, want %s", c.a, got, wei(c.want))
		}
	}
	var ethNonce hexutil.Uint64
	tn.call(t, &ethNonce, "eth_getTransactionCount", from, "latest")
	if nonce(t, tn, from) != 2 || ethNonce != 2 {
		t.Fatalf("nonce: tao %d, eth %d", nonce(t, tn, from), ethNonce)
	}

	// The native tx through eth_: a legacy-shaped object ethclient decodes.
	var nj rpc.EthTxJSON
	tn.call(t, &nj, "eth_getTransactionByHash", nativeHash)
	if nj.Hash != nativeHash || nj.From != from || nj.To == nil || *nj.To != to || nj.Value.ToInt().Cmp(wei(2_000_000_000)) != 0 || nj.Type != 0 || uint64(nj.Gas) != 21_000 {
		t.Fatalf("native tx as eth JSON: %+v", nj)
	}
	if _, _, err := ec.TransactionByHash(ctx, nativeHash); err != nil {
		t.Fatalf("ethclient cannot decode a native tx: %v", err)
	}
	// A block holding a native tx decodes with go-ethereum's types.
	blk, err := ec.BlockByNumber(ctx, rn.BlockNumber)
	if err != nil {
		t.Fatalf("ethclient cannot decode a block holding a native tx: %v", err)
	}
	if len(blk.Transactions()) == 0 || blk.Transactions()[rn.TransactionIndex].To() == nil || *blk.Transactions()[rn.TransactionIndex].To() != to {
		t.Fatalf("block %d transactions: %v", blk.NumberU64(), blk.Transactions())
	}

	// The Ethereum-signed tx through tao_.
	var tj rpc.TxJSON
	tn.call(t, &tj, "tao_getTransactionByHash", ethHash)
	if tj.Type != hexutil.Uint64(types.TxTypeEIP1559) || tj.From != from || tj.Nonce != 1 || tj.Amount != "3000000000" || tj.Fee != strconv.FormatUint(ethUsed, 10) || tj.BlockNumber == nil {
		t.Fatalf("eth tx as tao JSON: %+v", tj)
	}

	// A second Ethereum-signed tx reusing nonce 1 is refused, as a native one would be.
	again := ethtypes.MustSignNewTx(key, ethtypes.LatestSignerForChainID(chainID), &ethtypes.LegacyTx{Nonce: 1, GasPrice: big.NewInt(2e9), Gas: 30_000, To: &to, Value: wei(1)})
	if err := ec.SendTransaction(ctx, again); err == nil || !strings.Contains(err.Error(), "nonce too low") {
		t.Fatalf("replayed nonce: %v", err)
	}
}

// ethGasUsed is the gas an Ethereum-signed transfer uses: 21,000 and the
// length fee of its envelope (types.EthGasUsed).
func ethGasUsed(tx *ethtypes.Transaction) uint64 {
	b, err := tx.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return types.EthGasUsed(len(b))
}
