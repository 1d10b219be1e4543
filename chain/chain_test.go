package chain

import (
	"crypto/ecdsa"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const funds = 1_000 * types.RaoPerTAO

func newTestChain(t testing.TB, accounts int) *Chain {
	t.Helper()
	s, err := state.Open(t.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g, err := Preset("test", 1_000, devkeys.Addresses(1), devkeys.Addresses(accounts), funds)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, g)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func transferTx(t testing.TB, c *Chain, key *ecdsa.PrivateKey, nonce uint64, to types.Address, amount uint64) *types.Tx {
	t.Helper()
	tx, err := SignPayingMinFee(c.Params(), types.TxData{ChainID: c.ChainID(), Nonce: nonce, Call: &types.Transfer{To: to, Amount: amount}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// produce proposes and commits one block, finalised by the test preset's
// single bootstrap validator (dev key 0).
func produce(t testing.TB, c *Chain, txs ...*types.Tx) (*Executed, []Rejected) {
	t.Helper()
	return produceWith(t, c, nil, txs...)
}

func produceWith(t testing.TB, c *Chain, ev []types.Evidence, txs ...*types.Tx) (*Executed, []Rejected) {
	t.Helper()
	head, _ := c.Store().Head()
	e, rej, err := c.Propose(Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0), LastCommit: lastCommit(t, c), Evidence: ev}, txs)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(e, signCommit(t, c, e.Block, devkeys.Key(0))); err != nil {
		t.Fatal(err)
	}
	return e, rej
}

func lastCommit(t testing.TB, c *Chain) *types.Commit {
	head, _ := c.Store().Head()
	if head.Height == 0 {
		return nil
	}
	lc, err := c.Store().SeenCommit(head.Height)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func signCommit(t testing.TB, c *Chain, b *types.Block, keys ...*ecdsa.PrivateKey) *types.Commit {
	t.Helper()
	cm := &types.Commit{Height: b.Height(), BlockHash: b.Hash()}
	for _, k := range keys {
		v := types.Vote{Type: types.Precommit, Height: b.Height(), BlockHash: b.Hash()}
		if err := v.Sign(c.ChainID(), k); err != nil {
			t.Fatal(err)
		}
		cm.Signatures = append(cm.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	return cm
}

func TestTransferFeesAndReward(t *testing.T) {
	c := newTestChain(t, 2)
	a, b := devkeys.Address(0), devkeys.Address(1)
	before := c.State().Issuance()
	tx := transferTx(t, c, devkeys.Key(0), 0, b, 5*types.RaoPerTAO)
	e, rej := produce(t, c, tx)
	if len(rej) != 0 || len(e.TxReceipts()) != 1 || e.Receipts[0].Status != types.ReceiptSuccess {
		t.Fatalf("rejected %v receipts %+v", rej, e.Receipts)
	}
	st := c.State()
	fee := tx.Fee()
	if fee <= types.TransferWeight {
		t.Fatalf("fee %d pays no length fee", fee)
	}
	if got := st.Account(a); got.Balance != funds-5*types.RaoPerTAO-fee || got.Nonce != 1 {
		t.Fatalf("sender %+v", got)
	}
	if got := st.Account(b).Balance; got != funds+5*types.RaoPerTAO {
		t.Fatalf("recipient %d", got)
	}
	reward := emission.BlockReward(before)
	if st.Issuance() != before+reward-fee || st.Pool() != reward {
		t.Fatalf("issuance %d pool %d, want %d and %d", st.Issuance(), st.Pool(), before+reward-fee, reward)
	}
}

func TestInvalidAndFailedTxs(t *testing.T) {
	c := newTestChain(t, 2)
	k0, to := devkeys.Key(0), devkeys.Address(1)
	other, _ := types.SignTx(types.TxData{ChainID: c.ChainID() + 1, Nonce: 0, Fee: types.TransferWeight, Call: &types.Transfer{To: to, Amount: 1}}, k0)
	lowFee, _ := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: types.TransferWeight - 1, Call: &types.Transfer{To: to, Amount: 1}}, k0)
	poor := devkeys.Key(99) // no balance at all
	cases := []struct {
		name string
		tx   *types.Tx
		want error
	}{
		{"wrong chain", other, ErrWrongChain},
		{"fee too low", lowFee, ErrFeeTooLow},
		{"nonce too high", transferTx(t, c, k0, 5, to, 1), ErrNonceTooHigh},
		{"cannot pay fee", transferTx(t, c, poor, 0, to, 1), ErrCannotPayFee},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rootBefore, _ := c.Store().Head()
			if _, err := c.CheckTx(c.State(), tc.tx); !errors.Is(err, tc.want) {
				t.Fatalf("CheckTx = %v, want %v", err, tc.want)
			}
			e, rej := produce(t, c, tc.tx)
			if len(e.Block.Txs) != 0 || len(rej) != 1 || !errors.Is(rej[0].Err, tc.want) {
				t.Fatalf("invalid tx was included or not reported: %v", rej)
			}
			if c.State().Account(devkeys.Address(0)).Nonce != 0 {
				t.Fatal("invalid tx advanced the nonce")
			}
			_ = rootBefore
		})
	}

	// A transfer above balance fails: included, fee paid, nonce advanced, nothing moved.
	big := transferTx(t, c, k0, 0, to, funds*2)
	e, _ := produce(t, c, big)
	if len(e.TxReceipts()) != 1 || e.Receipts[0].Status != types.ReceiptFailed || e.Receipts[0].Error == "" {
		t.Fatalf("receipt %+v", e.Receipts)
	}
	st := c.State()
	if acc := st.Account(devkeys.Address(0)); acc.Nonce != 1 || acc.Balance != funds-big.Fee() {
		t.Fatalf("failed tx sender %+v", acc)
	}
	if st.Account(to).Balance != funds {
		t.Fatal("failed transfer moved funds")
	}
	// Replaying the same nonce is now too low.
	if _, err := c.CheckTx(c.State(), transferTx(t, c, k0, 0, to, 1)); !errors.Is(err, ErrNonceTooLow) {
		t.Fatalf("replay: %v", err)
	}
}

// TestReplicaAgrees executes every proposed block on a second chain, as a
// validator would, and checks both reach the same state roots; a tampered
// block is refused and changes nothing.
func TestReplicaAgrees(t *testing.T) {
	leader, replica := newTestChain(t, 8), newTestChain(t, 8)
	rng := rand.New(rand.NewPCG(1, 2))
	nonces := make([]uint64, 8)
	for h := 0; h < 10; h++ {
		var txs []*types.Tx
		for i := 0; i < 20; i++ {
			from := rng.IntN(8)
			txs = append(txs, transferTx(t, leader, devkeys.Key(from), nonces[from], devkeys.Address(rng.IntN(8)), rng.Uint64N(funds/10)))
			nonces[from]++
		}
		e, _ := produce(t, leader, txs...)
		head, _ := replica.Store().Head()
		if _, err := replica.Execute(e.Block, head.Time+1_000_000); err != nil {
			t.Fatal(err)
		}
		re, err := replica.Execute(e.Block, e.Block.Header.Time)
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		seen, _ := leader.Store().SeenCommit(e.Block.Height())
		if err := replica.Commit(re, seen); err != nil {
			t.Fatal(err)
		}
	}
	lh, _ := leader.Store().Head()
	rh, _ := replica.Store().Head()
	if lh != rh {
		t.Fatalf("heads differ: %+v vs %+v", lh, rh)
	}

	e, _ := produce(t, leader)
	bad := *e.Block
	bad.Header.StateRoot = types.Hash{1}
	tampered := types.NewBlock(bad.Header, bad.Txs, bad.LastCommit, bad.Evidence)
	if _, err := replica.Execute(tampered, tampered.Header.Time); !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("tampered state root: %v", err)
	}
	future := e.Block.Header
	if _, err := replica.Execute(e.Block, future.Time-replica.Params().MaxClockDriftMs-1); !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("block from the future accepted: %v", err)
	}
	if h, _ := replica.Store().Head(); h != rh {
		t.Fatal("refused blocks changed the replica")
	}
}

// TestConservation: after any sequence of transfers, balances + pool equal
// total issuance, to the rao.
func TestConservation(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := newTestChain(t, 6)
		rng := rand.New(rand.NewPCG(seed, 99))
		nonces := make([]uint64, 6)
		for h := 0; h < 6; h++ {
			var txs []*types.Tx
			for i := 0; i < 15; i++ {
				from := rng.IntN(6)
				amt := rng.Uint64N(funds) + 1 // some exceed balance and fail
				txs = append(txs, transferTx(t, c, devkeys.Key(from), nonces[from], devkeys.Address(rng.IntN(7)), amt))
				nonces[from]++
			}
			produce(t, c, txs...)
			st := c.State()
			sum := st.Pool()
			for i := 0; i < 7; i++ {
				sum += st.Account(devkeys.Address(i)).Balance
			}
			if sum != st.Issuance() {
				t.Fatalf("seed %d height %d: balances+pool %d != issuance %d", seed, h, sum, st.Issuance())
			}
		}
	}
}

func TestGenesisMismatchRefused(t *testing.T) {
	dir := t.TempDir()
	s, _ := state.Open(dir, state.Options{})
	g, _ := Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(2), funds)
	if _, err := New(s, g); err != nil {
		t.Fatal(err)
	}
	g2, _ := Preset("test", 2, devkeys.Addresses(1), devkeys.Addresses(2), funds)
	if _, err := New(s, g2); !errors.Is(err, ErrWrongGenesis) {
		t.Fatalf("other genesis: %v", err)
	}
	if _, err := New(s, g); err != nil {
		t.Fatalf("same genesis reopened: %v", err)
	}
	s.Close()
}

// TestBadLastCommitRefused: a block whose LastCommit does not carry the
// parent's set (here: signed on another chain) is invalid (the rule itself,
// consensus.VerifyCommit, is tested in consensus).
func TestBadLastCommitRefused(t *testing.T) {
	c := newTestChain(t, 1)
	e, _ := produce(t, c)
	other := &types.Commit{Height: e.Block.Height(), BlockHash: e.Block.Hash()}
	v := types.Vote{Type: types.Precommit, Height: e.Block.Height(), BlockHash: e.Block.Hash()}
	if err := v.Sign(c.ChainID()+1, devkeys.Key(0)); err != nil {
		t.Fatal(err)
	}
	other.Signatures = []types.CommitSig{{Validator: v.Validator, Signature: v.Signature}}
	head, _ := c.Store().Head()
	if _, _, err := c.Propose(Proposal{Time: head.Time + 200, LastCommit: other}, nil); !errors.Is(err, consensus.ErrBadCommit) {
		t.Fatalf("block on a commit signed for another chain: %v", err)
	}
	if _, _, err := c.Propose(Proposal{Time: head.Time + 200, LastCommit: lastCommit(t, c)}, nil); err != nil {
		t.Fatalf("block on the real commit: %v", err)
	}
}
