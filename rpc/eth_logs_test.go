package rpc_test

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// A wallet watching logs with go-ethereum's ethclient sees TAO arrive as
// ERC-20 Transfer logs, native and Ethereum-signed transfers alike, and in
// the transfer's receipt.
func TestGetLogsShowsTransfers(t *testing.T) {
	g := newGoldenChain(t)
	ec := ethclient.NewClient(dialChain(t, g.c))
	ctx := context.Background()
	to42 := common.BytesToHash(types.Address{0x42}.Bytes())
	logs, err := ec.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(0), Topics: [][]common.Hash{{rpc.TransferTopic}, nil, {to42}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("%d logs to 0x42", len(logs))
	}
	l := logs[0]
	if l.Address != rpc.NativeTokenAddress || l.TxHash != g.txs["transfer"] || l.BlockNumber != 1 ||
		l.Topics[1] != common.BytesToHash(devkeys.Address(0).Bytes()) || new(big.Int).SetBytes(l.Data).Cmp(types.RaoToWei(3*tao)) != 0 {
		t.Fatalf("log %+v", l)
	}
	// The Ethereum-signed transfer's receipt carries its log and bloom.
	r, err := ec.TransactionReceipt(ctx, g.txs["eth"])
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Logs) != 1 || r.Logs[0].Topics[2] != common.BytesToHash(types.Address{0x43}.Bytes()) || !r.Bloom.Test(rpc.TransferTopic[:]) {
		t.Fatalf("eth transfer receipt logs %+v", r.Logs)
	}
	blk, err := ec.HeaderByNumber(ctx, r.BlockNumber)
	if err != nil || !blk.Bloom.Test(rpc.NativeTokenAddress[:]) {
		t.Fatalf("block %d's bloom lacks the transfer log: %v", r.BlockNumber, err)
	}
	all, err := ec.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{rpc.NativeTokenAddress}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 || all[len(all)-1].BlockNumber < all[0].BlockNumber {
		t.Fatalf("all transfers: %d logs", len(all))
	}
	none, err := ec.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{{1}}})
	if err != nil || len(none) != 0 {
		t.Fatalf("logs of another contract: %v, %v", none, err)
	}
	for _, c := range []struct {
		q    ethereum.FilterQuery
		want string
	}{
		{ethereum.FilterQuery{FromBlock: big.NewInt(0), ToBlock: big.NewInt(10_000)}, "block range too large"},
		{ethereum.FilterQuery{FromBlock: big.NewInt(5), ToBlock: big.NewInt(4)}, "after toBlock"},
		{ethereum.FilterQuery{Topics: make([][]common.Hash, 5)}, "topic positions"},
	} {
		if _, err := ec.FilterLogs(ctx, c.q); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.q, err, c.want)
		}
	}
}
