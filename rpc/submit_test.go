package rpc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// poolBackend submits into a real pool as the node's backend does
// (AddLocal; a busy pool answers with CodeTxBusy, node.TestBackendSubmitBusy).
type poolBackend struct {
	testBackend
	pool *txpool.Pool
}

func (b poolBackend) SubmitTx(tx *types.Tx) error {
	err := b.pool.AddLocal(tx)
	if errors.Is(err, txpool.ErrBusy) {
		return &rpc.Error{Code: rpc.CodeTxBusy, Msg: err.Error()}
	}
	return err
}

// A submission over the pool's admission bound gets its own code, which a
// client tells apart from a refusal of the tx itself.
func TestSendRawTransactionBusy(t *testing.T) {
	c, _ := openChain(t, state.Options{CacheMB: 8, TrieCache: 4}, 3, nil)
	cfg := txpool.DefaultConfig()
	cfg.AdmitPending = 1
	client := dialBackend(t, poolBackend{newTestBackend(c), txpool.New(cfg, c)})
	sign := func(key, nonce int, chainID uint64) hexutil.Bytes {
		tx, err := chain.SignPayingMinFee(c.Params(), types.TxData{ChainID: chainID, Nonce: uint64(nonce), Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(key))
		if err != nil {
			t.Fatal(err)
		}
		return tx.Bytes()
	}
	for _, tc := range []struct {
		name     string
		raw      hexutil.Bytes
		wantCode int // 0: accepted
		wantText string
	}{
		{"an invalid tx is invalid", sign(2, 0, c.ChainID()+1), rpc.CodeTxRejected, "invalid transaction"},
		{"under the bound", sign(0, 0, c.ChainID()), 0, ""},
		{"over the bound", sign(1, 0, c.ChainID()), rpc.CodeTxBusy, "txpool: busy: 1 txs pending, admission bound 1"},
		// The bound is checked first: under overload a refusal costs no
		// signature recovery or state read.
		{"over the bound, even invalid", sign(2, 0, c.ChainID()+1), rpc.CodeTxBusy, "retry later"},
	} {
		var h types.Hash
		err := client.Call(&h, "tao_sendRawTransaction", tc.raw)
		if tc.wantCode == 0 {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			continue
		}
		var re gethrpc.Error
		if !errors.As(err, &re) || re.ErrorCode() != tc.wantCode || !strings.Contains(err.Error(), tc.wantText) {
			t.Fatalf("%s: got %v, want code %d with %q", tc.name, err, tc.wantCode, tc.wantText)
		}
	}
}
