package attack

import (
	"crypto/ecdsa"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// p2pConsensusLimit is the p2p layer's default bound on a consensus message
// (p2p.DefaultConfig().MaxConsensusMsgBytes), which a proposal carrying its
// block must fit.
const p2pConsensusLimit = 4 << 20

// generousFee pays for any tx here many times over, also under a fee that
// charges for length (issue 11: base_fee × (weight + len × byte_weight)), so
// that the spam stays valid after the fix and is refused only by limits.
const generousFee = 100_000_000

// bigPropose is a parameter-change proposal of about MaxTxSize
// bytes (long keys and values), signed by key at nonce.
func bigPropose(t *testing.T, chainID, nonce uint64, key *ecdsa.PrivateKey) *types.Tx {
	changes := make([]types.ParamChange, types.MaxParamChanges)
	for i := range changes {
		changes[i] = types.ParamChange{Key: strings.Repeat("k", 430), Value: strings.Repeat("7", 430)}
	}
	d := types.TxData{ChainID: chainID, Nonce: nonce, Fee: generousFee, Call: &types.Propose{
		ProposalKind: types.ProposalParamChange, Title: strings.Repeat("t", types.MaxTitleLen),
		Description: strings.Repeat("d", types.MaxDescriptionLen), Changes: changes, Deposit: types.RaoPerTAO,
	}}
	tx, err := types.SignTx(d, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// Max-size valid txs (32 KiB gov proposals, paid for, from funded keys)
// filling blocks on a chain whose weight limit (mainnet's default, 420 M)
// admits over 400 of them: 13 MiB, three times what p2p carries. Blocks must
// stay under the p2p limit (a byte budget) and keep committing (weakness 1:
// today no proposal can be sent and the chain stops).
func TestAttackOversizedTxs(t *testing.T) {
	const keys = 12
	nw := newNetwork(t, netOpts{devKeys: keys, params: func(p map[string]any) {
		p["max_block_weight"] = 20_000 * types.TransferWeight
		p["max_block_txs"] = 20_000
	}})
	if tx := bigPropose(t, nw.chainID(), 0, devkeys.Key(0)); len(tx.Bytes()) < types.MaxTxSize-1024 || len(tx.Bytes()) > types.MaxTxSize {
		t.Fatalf("a spam tx is %d bytes, want just under %d", len(tx.Bytes()), types.MaxTxSize)
	}
	start := nw.height(0)
	var mu sync.Mutex
	next := make([]uint64, keys) // next nonce to send, per key
	sent := 0
	nw.underAttack(func(r *runner) {
		r.every(100*time.Millisecond, func() {
			st := nw.nodes[0].n.Chain().State()
			for k := range keys {
				key := devkeys.Key(k)
				acc := st.Account(devkeys.Address(k))
				mu.Lock()
				n := max(next[k], acc.Nonce)
				mu.Unlock()
				for ; n < acc.Nonce+48 && !r.stopped(); n++ {
					if err := nw.nodes[k%nw.vals].n.SubmitTx(bigPropose(t, nw.chainID(), n, key)); err != nil {
						break
					}
					mu.Lock()
					sent++
					mu.Unlock()
				}
				mu.Lock()
				next[k] = n
				mu.Unlock()
			}
		})
	})
	// Every committed block fits the p2p limit, and the spam did fill them.
	end := nw.height(0)
	s := nw.nodes[0].n.Chain().Store()
	biggest, committed := 0, 0
	for h := start + 1; h <= end; h++ {
		b, err := s.BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		biggest = max(biggest, len(enc))
		committed += len(b.Txs)
	}
	t.Logf("spam txs sent: %d, committed in blocks %d-%d: %d, largest block %d bytes", sent, start+1, end, committed, biggest)
	if biggest > p2pConsensusLimit {
		t.Errorf("block of %d bytes committed, over the p2p limit of %d", biggest, p2pConsensusLimit)
	}
	if committed < 130 {
		t.Errorf("only %d spam txs committed: the attack did not fill blocks (or the chain stopped)", committed)
	}
}
