package node

import (
	"errors"
	"testing"

	"go.uber.org/zap"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// The RPC backend tells a busy pool (its admission bound) apart from a
// refused tx: the first gets rpc.CodeTxBusy (retry later), the second keeps
// the pool's error for rpc to report as a rejection.
func TestBackendSubmitBusy(t *testing.T) {
	c := testChain(t)
	cfg := txpool.DefaultConfig()
	cfg.AdmitPending = 1
	n := &Node{chain: c, pool: txpool.New(cfg, c), metrics: newMetrics(), log: zap.NewNop()}
	b := newBackend(n)
	sign := func(key int, chainID uint64) *types.Tx {
		tx, err := chain.SignPayingMinFee(c.Params(), types.TxData{ChainID: chainID, Nonce: 0, Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(key))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	if err := b.SubmitTx(sign(0, c.ChainID())); err != nil {
		t.Fatalf("under the bound: %v", err)
	}
	err := b.SubmitTx(sign(1, c.ChainID()))
	var re *rpc.Error
	if !errors.As(err, &re) || re.Code != rpc.CodeTxBusy {
		t.Fatalf("over the bound: got %v, want an rpc.Error with code %d", err, rpc.CodeTxBusy)
	}
	// Busy is checked before decoding: a refused submission costs no decode
	// and takes no place in the decode cache.
	_, missesBefore := c.TxCache().Stats()
	if _, err := b.DecodeTx(sign(2, c.ChainID()).Bytes()); !errors.As(err, &re) || re.Code != rpc.CodeTxBusy {
		t.Fatalf("decode while busy: got %v, want code %d", err, rpc.CodeTxBusy)
	}
	if _, misses := c.TxCache().Stats(); misses != missesBefore {
		t.Fatalf("a busy node decoded a submission (%d decodes, was %d)", misses, missesBefore)
	}
	n.pool = txpool.New(txpool.DefaultConfig(), c)
	err = b.SubmitTx(sign(1, c.ChainID()+1))
	if err == nil || errors.As(err, &re) {
		t.Fatalf("a tx of another chain: got %v, want the pool's refusal, not an rpc.Error", err)
	}
}
