package txpool

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// TestFrozenColdkeyRefused: a coldkey whose swap is disputed signs nothing
// (chain refuses its txs as invalid). The pool refuses its new txs at once,
// saying until when, and drops the ones it held when the dispute began, so
// that none of them runs the moment the freeze lifts.
func TestFrozenColdkeyRefused(t *testing.T) {
	p, c := testPool(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}))
	k0, from := devkeys.Key(0), devkeys.Address(0)
	sign := func(nonce uint64, call types.Call) *types.Tx {
		t.Helper()
		tx, err := chain.SignPayingMinFee(c.Params(), types.TxData{ChainID: c.ChainID(), Nonce: nonce, Call: call}, k0)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	// A second schedule (someone else holds the key too) disputes the swap;
	// the transfer behind it was admitted before the freeze.
	second, held := sign(1, &types.ScheduleColdkeySwap{NewColdkey: types.Address{8}}), sign(2, &types.Transfer{To: types.Address{9}, Amount: types.RaoPerTAO})
	mustAdd(t, p, sign(0, &types.ScheduleColdkeySwap{NewColdkey: types.Address{7}}))
	mustAdd(t, p, second)
	mustAdd(t, p, held)
	b := commitPending(t, p, c)
	if !included(b, second) || included(b, held) {
		t.Fatalf("block %d: schedule included %v, transfer included %v", b.Height(), included(b, second), included(b, held))
	}
	if err := staking.ColdkeyFrozen(c.State(), from); err == nil {
		t.Fatal("setup: the coldkey is not frozen")
	}
	if p.Len() != 0 {
		t.Fatalf("%d txs of a frozen coldkey kept in the pool", p.Len())
	}
	checkCounts(t, p, 0, 0)

	for _, tx := range []*types.Tx{held, sign(3, &types.CancelColdkeySwap{})} {
		err := p.Add(tx)
		if !errors.Is(err, staking.ErrColdkeyFrozen) || !strings.Contains(err.Error(), "disputed until block") {
			t.Errorf("%v from a frozen coldkey: %v, want %v saying until when", tx.Call().Kind(), err, staking.ErrColdkeyFrozen)
		}
	}
	if p.Len() != 0 {
		t.Fatalf("%d txs of a frozen coldkey admitted", p.Len())
	}
	// Other senders are not affected.
	mustAdd(t, p, ptx(t, c, devkeys.Key(1), 0, fee, 0, 1))
}
