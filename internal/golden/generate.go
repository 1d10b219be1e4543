package golden

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// GenesisTime is the golden chain's genesis time (Unix ms): fixed, so the
// recording never depends on when it was made.
const GenesisTime uint64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z

// gen scripts a chain block by block. Every input is fixed: dev keys, the
// genesis time, block times at the test preset's interval, candidate txs in
// script order. Nothing reads a clock or draws randomness, so two runs
// produce the same bytes.
type gen struct {
	c     *chain.Chain
	store *state.Store
	q     queries
	keys  map[types.Address]*ecdsa.PrivateKey // consensus keys by address
	next  map[types.Address]uint64            // nonces handed out for the block being built
	skip  map[types.Address]bool              // consensus keys that do not sign (downtime)
	last  *types.Commit                       // the head's commit: the next block's LastCommit
	rec   Recording
	err   error // the first failure: later steps do nothing, Generate reports it
}

// Generate scripts the golden chain on a fresh store in storeDir and returns
// its recording.
func Generate(storeDir string) (*Recording, error) {
	g, err := goldenGenesis()
	if err != nil {
		return nil, err
	}
	store, err := state.Open(storeDir, storeOptions())
	if err != nil {
		return nil, err
	}
	defer store.Close()
	c, err := chain.New(store, g)
	if err != nil {
		return nil, err
	}
	gb, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	x := &gen{
		c: c, store: store, q: queries{c: c},
		keys: map[types.Address]*ecdsa.PrivateKey{},
		next: map[types.Address]uint64{},
		skip: map[types.Address]bool{},
		rec:  Recording{Genesis: append(gb, '\n')},
	}
	for _, i := range append(append([]int{}, bootKeys...), consKeys...) {
		x.keys[devkeys.Address(i)] = devkeys.Key(i)
	}
	script(x)
	if x.err != nil {
		return nil, fmt.Errorf("golden: generate at height %d: %w", x.height()+1, x.err)
	}
	return &x.rec, nil
}

func (x *gen) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

func (x *gen) height() uint64 {
	h, _ := x.store.Head()
	return h.Height
}

func (x *gen) headTime() uint64 {
	h, _ := x.store.Head()
	return h.Time
}

// nonce hands out a's next nonce, counting txs signed for this block.
func (x *gen) nonce(a types.Address) uint64 {
	n := max(x.c.State().Account(a).Nonce, x.next[a])
	x.next[a] = n + 1
	return n
}

// call signs call from dev key i paying the minimum fee.
func (x *gen) call(i int, call types.Call) *types.Tx {
	return x.callKey(devkeys.Key(i), call)
}

func (x *gen) callKey(k *ecdsa.PrivateKey, call types.Call) *types.Tx {
	if x.err != nil {
		return nil
	}
	d := types.TxData{ChainID: x.c.ChainID(), Nonce: x.nonce(crypto.PubkeyToAddress(k.PublicKey)), Call: call}
	tx, err := chain.SignPayingMinFee(x.c.Params(), d, k)
	if err != nil {
		x.fail(err)
	}
	return tx
}

// free signs call from dev key i with no fee: the fee-free calls of
// eligible senders (PoW registration, weights of permitted validators, root
// weights of members, axons of registered neurons).
func (x *gen) free(i int, call types.Call) *types.Tx {
	if x.err != nil {
		return nil
	}
	k := devkeys.Key(i)
	tx, err := types.SignTx(types.TxData{ChainID: x.c.ChainID(), Nonce: x.nonce(crypto.PubkeyToAddress(k.PublicKey)), Call: call}, k)
	if err != nil {
		x.fail(err)
	}
	return tx
}

// block proposes and commits one block at the preset's interval, signed by
// every validator of its height except those in x.skip. Every candidate
// must be included: a rejected tx is a script error.
func (x *gen) block(ev []types.Evidence, txs ...*types.Tx) *chain.Executed {
	if x.err != nil {
		return nil
	}
	clear(x.next)
	h := x.height() + 1
	set, err := x.q.validators(h)
	if err != nil {
		x.fail(err)
		return nil
	}
	// Round-robin proposer: the chain does not check it, but a recorded
	// chain should look like a real one.
	proposer := set[int(h)%len(set)].Address
	e, rej, err := x.c.Propose(chain.Proposal{
		Time: x.headTime() + x.c.Params().BlockTimeMs, Proposer: proposer, LastCommit: x.last, Evidence: ev,
	}, txs)
	if err != nil {
		x.fail(err)
		return nil
	}
	if len(rej) != 0 {
		x.fail(fmt.Errorf("tx %s (%s) rejected: %w", rej[0].Tx.Hash().Hex(), rej[0].Tx.Call().Kind(), rej[0].Err))
		return nil
	}
	if len(e.Block.Evidence) != len(ev) {
		x.fail(fmt.Errorf("%d of %d evidence included", len(e.Block.Evidence), len(ev)))
		return nil
	}
	commit := &types.Commit{Height: h, BlockHash: e.Block.Hash()}
	for _, v := range set {
		k := x.keys[v.Address]
		if k == nil || x.skip[v.Address] {
			continue
		}
		vote := types.Vote{Type: types.Precommit, Height: h, BlockHash: e.Block.Hash()}
		if err := vote.Sign(x.c.ChainID(), k); err != nil {
			x.fail(err)
			return nil
		}
		commit.Signatures = append(commit.Signatures, types.CommitSig{Validator: vote.Validator, Signature: vote.Signature})
	}
	if err := x.c.Commit(e, commit); err != nil {
		x.fail(err)
		return nil
	}
	x.last = commit
	bb, err := e.Block.Encode()
	if err != nil {
		x.fail(err)
		return nil
	}
	cb, err := rlp.EncodeToBytes(commit)
	if err != nil {
		x.fail(err)
		return nil
	}
	x.rec.Entries = append(x.rec.Entries, Entry{Block: bb, Commit: cb})
	x.rec.Expect = append(x.rec.Expect, ExpectLine(e.Block, e.Receipts, commit))
	return e
}

// ok runs txs in one block and requires every one to succeed.
func (x *gen) ok(txs ...*types.Tx) {
	x.expect("", txs...)
}

// fails runs tx in one block and requires it to fail with an error
// containing want.
func (x *gen) fails(want string, tx *types.Tx) {
	x.expect(want, tx)
}

func (x *gen) expect(failure string, txs ...*types.Tx) {
	e := x.block(nil, txs...)
	if e == nil {
		return
	}
	for i, r := range e.TxReceipts() {
		switch {
		case failure == "" && r.Status != types.ReceiptSuccess:
			x.fail(fmt.Errorf("tx %d (%s) failed: %s", i, e.Block.Txs[i].Call().Kind(), r.Error))
		case failure != "" && (r.Status == types.ReceiptSuccess || !strings.Contains(r.Error, failure)):
			x.fail(fmt.Errorf("tx %d (%s): receipt %q, want failure %q", i, e.Block.Txs[i].Call().Kind(), r.Error, failure))
		}
	}
}

// until produces empty blocks up to height h.
func (x *gen) until(h uint64) {
	for x.err == nil && x.height() < h {
		x.block(nil)
	}
}

// nextMultiple is the first height above the head that is a multiple of n,
// shifted by off: (h + off) % n == 0.
func (x *gen) nextMultiple(n, off uint64) uint64 {
	h := x.height() + 1
	for (h+off)%n != 0 {
		h++
	}
	return h
}
