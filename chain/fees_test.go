package chain

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// overrideParams makes c execute the next block under p instead of the
// parameters in its state (tests only: the state root does not see it), so
// a test can build a block that honest parameters would refuse.
func overrideParams(c *Chain, p Params) {
	head, _ := c.store.Head()
	c.cache.Lock()
	c.cache.head, c.cache.params, c.cache.ok = head.Hash, p, true
	c.cache.Unlock()
}

func restoreParams(c *Chain) {
	c.cache.Lock()
	c.cache.ok = false
	c.cache.Unlock()
}

// bigTx is a gov Propose padded to within a few bytes of types.MaxTxSize
// with a long parameter value (the call fails at execution; its fee is
// charged all the same), paying the minimum fee for its length.
func bigTx(t testing.TB, c *Chain, k int, nonce uint64) *types.Tx {
	t.Helper()
	call := &types.Propose{ProposalKind: types.ProposalParamChange, Title: "spam", Deposit: types.RaoPerTAO,
		Changes: []types.ParamChange{{Key: "max_block_txs", Value: strings.Repeat("9", types.MaxTxSize-200)}}}
	tx, err := SignPayingMinFee(c.Params(), types.TxData{ChainID: c.ChainID(), Nonce: nonce, Call: call}, devkeys.Key(k))
	if err != nil {
		t.Fatal(err)
	}
	if tx.Size() < types.MaxTxSize-200 {
		t.Fatalf("big tx of %d bytes", tx.Size())
	}
	return tx
}

// Weakness 1: ~130 maximal txs made a proposal larger than p2p's 4 MiB
// consensus limit, so no block could ever be sent; under mainnet's weight
// limit even 400 fit. Now the packer stops at max_block_bytes, the block's
// encoding stays within the bound every p2p limit is derived from
// (MaxEncodedBlockSize), and the spam is committed, and paid for, over a few
// blocks. The chain runs with mainnet's block limits.
func TestBlockOfLargestTxsStaysSendable(t *testing.T) {
	const n = 300 // 9.8 MB of txs: more than any block may carry
	c := newTestChain(t, n)
	main := DefaultParams()
	p := c.Params()
	p.MaxBlockWeight, p.MaxBlockBytes, p.MaxBlockTxs = main.MaxBlockWeight, main.MaxBlockBytes, main.MaxBlockTxs
	var txs []*types.Tx
	for k := range n {
		txs = append(txs, bigTx(t, c, k, 0))
	}
	if uint64(n)*types.ProposeWeight > p.MaxBlockWeight {
		t.Fatal("weight alone would bound the block: the test shows nothing")
	}
	included := 0
	for blocks := 0; included < n; blocks++ {
		if blocks > 5 {
			t.Fatalf("%d of %d txs included after %d blocks", included, n, blocks)
		}
		overrideParams(c, p)
		e, rej := produce(t, c, txs[included:]...)
		if len(rej) != 0 {
			t.Fatalf("rejected %v: a tx that does not fit is skipped, not invalid", rej[0].Err)
		}
		enc, err := e.Block.Encode()
		if err != nil {
			t.Fatal(err)
		}
		used := BlockBytes(e.Block.Txs, e.Block.Evidence)
		if used > p.MaxBlockBytes || len(enc) > types.MaxEncodedBlockSize(int(p.MaxBlockBytes), 1) || len(enc) > MaxEncodedBlockSize() {
			t.Fatalf("block of %d txs, %d counted bytes, %d encoded: over max_block_bytes %d or the p2p bound %d",
				len(e.Block.Txs), used, len(enc), p.MaxBlockBytes, MaxEncodedBlockSize())
		}
		if len(e.Block.Txs) == 0 {
			t.Fatal("an empty block: the packer gave up on max-size txs")
		}
		for _, r := range e.TxReceipts() {
			if r.FeePaid == 0 {
				t.Fatal("a max-size tx paid no fee")
			}
		}
		included += len(e.Block.Txs)
		t.Logf("block %d: %d txs, %d bytes encoded", e.Block.Height(), len(e.Block.Txs), len(enc))
	}
	restoreParams(c)
}

// Weakness 1: a block over max_block_bytes is invalid, whoever proposes it.
func TestExecuteRefusesBlockOverByteBudget(t *testing.T) {
	c := newTestChain(t, 40)
	p := c.Params()
	var txs []*types.Tx
	for k := range 40 {
		txs = append(txs, bigTx(t, c, k, 0))
	}
	loose := p
	loose.MaxBlockBytes = MaxBlockBytesLimit
	overrideParams(c, loose)
	head, _ := c.Store().Head()
	e, _, err := c.Propose(Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0), LastCommit: lastCommit(t, c)}, txs)
	if err != nil {
		t.Fatal(err)
	}
	if got := BlockBytes(e.Block.Txs, nil); len(e.Block.Txs) != 40 || got <= p.MaxBlockBytes {
		t.Fatalf("%d txs, %d bytes: the block is not over the budget", len(e.Block.Txs), got)
	}
	// The same block passes under the loose parameters, so only the budget can refuse it.
	if _, err := c.Execute(e.Block, 0); err != nil {
		t.Fatalf("under the loose parameters: %v", err)
	}
	restoreParams(c)
	_, err = c.Execute(e.Block, 0)
	if !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), "max_block_bytes") {
		t.Fatalf("over-budget block: %v", err)
	}
}

// Weakness 1: the fee must pay for the tx's length, not its weight alone.
func TestFeeChargesLength(t *testing.T) {
	c := newTestChain(t, 2)
	p := c.Params()
	call := &types.Transfer{To: devkeys.Address(1), Amount: 1}
	weightOnly, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: call.Weight() * p.BaseFeePerWeight, Call: call}, devkeys.Key(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CheckTx(c.State(), weightOnly)
	if !errors.Is(err, ErrFeeTooLow) || !strings.Contains(err.Error(), "length fee") {
		t.Fatalf("weight-only fee: %v", err)
	}
	paid, err := SignPayingMinFee(p, types.TxData{ChainID: c.ChainID(), Nonce: 0, Call: call}, devkeys.Key(0))
	if err != nil {
		t.Fatal(err)
	}
	if want := p.BaseFeePerWeight * (call.Weight() + uint64(paid.Size())*p.ByteWeight); paid.Fee() != want {
		t.Fatalf("fee %d, want base × (weight + %d bytes × %d) = %d", paid.Fee(), paid.Size(), p.ByteWeight, want)
	}
	if _, err := c.CheckTx(c.State(), paid); err != nil {
		t.Fatalf("length-inclusive fee refused: %v", err)
	}
	under, _ := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: paid.Fee() - 1, Call: call}, devkeys.Key(0))
	if _, err := c.CheckTx(c.State(), under); !errors.Is(err, ErrFeeTooLow) {
		t.Fatalf("one rao under the minimum: %v", err)
	}
}

// Weakness 8: a tx skipped at the weight (or byte) limit left its sender's
// next nonces to fail as "nonce too high", reported Rejected, and the
// txpool dropped those valid txs.
func TestProposeSkipsSenderAfterLimit(t *testing.T) {
	c := newTestChain(t, 2)
	p := c.Params()
	a, b := devkeys.Key(0), devkeys.Key(1)
	heavy, err := SignPayingMinFee(p, types.TxData{ChainID: c.ChainID(), Nonce: 0, Call: &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: types.RaoPerTAO}}, a)
	if err != nil {
		t.Fatal(err)
	}
	tight := p
	tight.MaxBlockWeight = 3 * types.TransferWeight // a Propose (1,000,000) does not fit
	overrideParams(c, tight)
	head, _ := c.Store().Head()
	cands := []*types.Tx{heavy, transferTx(t, c, a, 1, devkeys.Address(1), 1), transferTx(t, c, a, 2, devkeys.Address(1), 1), transferTx(t, c, b, 0, devkeys.Address(0), 1)}
	e, rej, err := c.Propose(Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0)}, cands)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 0 {
		t.Fatalf("rejected %d valid txs, first: %v", len(rej), rej[0].Err)
	}
	if len(e.Block.Txs) != 1 || e.Block.Txs[0] != cands[3] {
		t.Fatalf("block holds %d txs, want only the other sender's", len(e.Block.Txs))
	}
	// A truly invalid tx is still reported, and its sender's later txs skipped.
	restoreParams(c)
	bad, _ := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: 1, Call: &types.Transfer{To: devkeys.Address(1), Amount: 1}}, a)
	e, rej, err = c.Propose(Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0)}, []*types.Tx{bad, cands[1], cands[3]})
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 1 || rej[0].Tx != bad || !errors.Is(rej[0].Err, ErrFeeTooLow) || len(e.Block.Txs) != 1 {
		t.Fatalf("rejected %v, %d txs included", rej, len(e.Block.Txs))
	}
}

// Fee-free calls may use at most max_free_percent of a block: Propose skips
// the rest (not rejected), Execute refuses a block beyond it.
func TestFreeCallsCappedPerBlock(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{}))
	const neurons = 4
	for i := range neurons {
		w.ok(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(61 + i)}))
	}
	var axons []*types.Tx
	for i := range neurons {
		axons = append(axons, w.signed(devkeys.Key(61+i), 0, &types.ServeAxon{Netuid: 1, IP: []byte{10, 0, 0, byte(i)}, Port: 8091}))
	}
	paid := w.call(3, &types.Transfer{To: devkeys.Address(1), Amount: 1})
	c, p := w.c, w.c.Params()
	// 1% of 6,000,000 weight: room for two 30,000-weight axon calls.
	tight := p
	tight.MaxBlockWeight, tight.MaxFreePercent = 6_000_000, 1
	overrideParams(c, tight)
	head, _ := c.Store().Head()
	prop := Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0), LastCommit: lastCommit(t, c)}
	e, rej, err := c.Propose(prop, append(append([]*types.Tx{}, axons...), paid))
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 0 || len(e.Block.Txs) != 3 || e.Block.Txs[2] != paid {
		t.Fatalf("%d rejected, %d included: want 2 free calls and the paid tx", len(rej), len(e.Block.Txs))
	}
	// A block with all four, built under a loose share, is invalid under the tight one.
	loose := tight
	loose.MaxFreePercent = 100
	overrideParams(c, loose)
	e, _, err = c.Propose(prop, axons)
	if err != nil || len(e.Block.Txs) != neurons {
		t.Fatalf("loose proposal: %d txs, %v", len(e.Block.Txs), err)
	}
	overrideParams(c, tight)
	if _, err := c.Execute(e.Block, 0); !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), "max_free_percent") {
		t.Fatalf("over-share block: %v", err)
	}
	restoreParams(c)
	if _, err := c.Execute(e.Block, 0); err != nil {
		t.Fatalf("under the default share: %v", err)
	}
}

// TestParamsBounds: max_block_bytes, byte_weight and max_free_percent are
// held within the code bounds p2p limits and Ethereum fees rely on, at
// genesis and through governance.
func TestParamsBounds(t *testing.T) {
	for _, ch := range []types.ParamChange{
		{Key: "max_block_bytes", Value: "8388609"},
		{Key: "max_block_bytes", Value: "1000"},
		{Key: "byte_weight", Value: "17"},
		{Key: "byte_weight", Value: "0"},
		{Key: "max_free_percent", Value: "101"},
		{Key: "max_free_percent", Value: "0"},
		{Key: "staking.max_bft_validators", Value: "257"},
	} {
		if _, err := ApplyParamChanges(DefaultParams(), []types.ParamChange{ch}); !errors.Is(err, ErrBadParamValue) {
			t.Errorf("%s = %s accepted: %v", ch.Key, ch.Value, err)
		}
	}
	p, err := ApplyParamChanges(DefaultParams(), []types.ParamChange{{Key: "max_block_bytes", Value: "8388608"}, {Key: "byte_weight", Value: "4"}})
	if err != nil || p.MaxBlockBytes != MaxBlockBytesLimit || p.ByteWeight != 4 {
		t.Fatalf("in-bound change: %+v %v", p, err)
	}
}

// TestCostToFillBlock is the figure of issue 11: what filling one block
// with the largest txs costs under the devnet and mainnet presets. A gov
// Propose padded to 32 KiB is the cheapest bytes there are (its weight is
// fixed while its length is not): about 46 rao per byte at base fee 1.
func TestCostToFillBlock(t *testing.T) {
	call := &types.Propose{ProposalKind: types.ProposalParamChange}
	for _, name := range []string{"devnet", "mainnet"} {
		g, err := Preset(name, 0, devkeys.Addresses(1), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := g.Params
		perTx := uint64(types.MaxTxSize + types.TxFramingBytes)
		n := p.MaxBlockBytes / perTx
		fee, err := MinFeeFor(p, call, types.MaxTxSize)
		if err != nil {
			t.Fatal(err)
		}
		if n*call.Weight() > p.MaxBlockWeight {
			t.Fatalf("%s: %d max-size txs outweigh the block: weight binds first", name, n)
		}
		cost := n * fee
		perDay := cost * (86_400_000 / p.BlockTimeMs)
		t.Logf("%s: %d txs of %d bytes fill %d bytes for %s TAO a block (%s TAO a day)", name, n, types.MaxTxSize, p.MaxBlockBytes, types.FormatTAO(cost), types.FormatTAO(perDay))
		if min := p.MaxBlockBytes / 2 * p.ByteWeight * p.BaseFeePerWeight; cost < min {
			t.Fatalf("%s: filling a block costs %d rao, under the length fee of half its bytes (%d)", name, cost, min)
		}
	}
}
