package attack

import (
	"crypto/ecdsa"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
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
		must(err)
	}
	return tx
}

// Max-size valid txs (32 KiB gov proposals, paid for, from funded keys)
// filling blocks on a chain whose weight limit (mainnet's default, 420 M)
// admits over 400 of them: 13 MiB, three times what p2p carries. Blocks must
// stay under the p2p limit (a byte budget) and keep committing (weakness 1:
// today no proposal can be sent and the chain stops).
func TestAttackOversizedTxs(t *testing.T) {
	if !inChild(t) {
		return
	}
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
	var refused firstErr
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
						refused.note(err)
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
	refused.log(t, "spam txs")
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

// transfer signs a transfer of amount to `to` at nonce with the minimum fee
// (a transfer's weight) plus tip.
func transfer(t *testing.T, chainID, nonce uint64, key *ecdsa.PrivateKey, to types.Address, amount, tip uint64) *types.Tx {
	tx, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: nonce, Fee: 10 * types.TransferWeight, Tip: tip,
		Call: &types.Transfer{To: to, Amount: amount}}, key)
	if err != nil {
		must(err)
	}
	return tx
}

// waitNonce waits until addr's nonce on node i reaches n; it reports
// whether it did within wait.
func (nw *honestNet) waitNonce(i int, addr types.Address, n uint64, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for nw.nodes[i].n.Chain().State().Account(addr).Nonce < n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// Gossip of txs that only a stateful check refuses: senders with no balance
// at all, and txs already committed (replayed inside new batches). Honest
// nodes must not relay them: a node the attacker is not connected to sees
// none (weakness 4: today they pass CheckTxStatic and travel the whole
// network, a signature recovery each on every node).
func TestAttackUnpayableTxGossip(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	// Txs committed before the attack, to be replayed.
	var committed [][]byte
	for n := range uint64(5) {
		tx := transfer(t, nw.chainID(), n, devkeys.Key(1), types.Address{9}, 1, 0)
		if err := nw.nodes[1].n.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
		committed = append(committed, tx.Bytes())
	}
	if !nw.waitNonce(0, devkeys.Address(1), 5, 20*time.Second) {
		t.Fatal("the txs to replay were not committed")
	}
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	obs := newByz(t, nw, byzOpts{observe: true})
	obs.mustConnect(3)
	ours := map[types.Hash]bool{}
	for _, raw := range committed {
		tx, _ := types.DecodeTx(raw)
		ours[tx.Hash()] = true
	}
	var mu sync.Mutex
	nw.underAttack(func(r *runner) {
		r.every(20*time.Millisecond, func() {
			batch := append([][]byte(nil), committed...)
			for range 20 {
				tx := transfer(t, nw.chainID(), 0, newKey(t), types.Address{7}, 1_000, 0)
				mu.Lock()
				ours[tx.Hash()] = true
				mu.Unlock()
				batch = append(batch, tx.Bytes())
			}
			atk.publishTxs(batch)
		})
	})
	relayed, batches := 0, 0
	for _, data := range obs.seen(obs.names.tx) {
		var raws [][]byte
		if rlp.DecodeBytes(data, &raws) != nil {
			continue
		}
		n := 0
		for _, raw := range raws {
			if tx, err := types.DecodeTx(raw); err == nil && ours[tx.Hash()] {
				n++
			}
		}
		if n > 0 {
			relayed += n
			batches++
		}
	}
	t.Logf("attacker txs (zero-balance or replayed) relayed to a node two hops away: %d in %d batches", relayed, batches)
	if relayed > 0 {
		t.Errorf("%d unpayable or already-committed txs were relayed by honest nodes", relayed)
	}
}

// cheapKey is attacker account i: a key derived from i, funded in genesis.
func cheapKey(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("taod attack key %d", i))))
	if err != nil {
		panic(err) // a keccak digest is a valid scalar with overwhelming probability
	}
	return k
}

// Gapped-nonce flood: accounts funded with 1 TAO each (in genesis: what the
// attacker paid once) send nonces 1..64, never nonce 0, through gossip: more
// txs than the pool holds, never executable and never evicted today. The
// pool is cut to 6,000 txs (from 50,000) so that the flood fits the test's
// time on 2 cores; the weakness does not depend on the size. A new honest sender's tx, sent to a
// validator the attacker is not connected to, must still be admitted and
// committed (weakness 4: per-sender queued caps, a global queue, eviction).
func TestAttackGappedNonceFlood(t *testing.T) {
	if !inChild(t) {
		return
	}
	const (
		poolTxs  = 6_000
		accounts = poolTxs/64 + 5
		gap      = 64
	)
	fund := map[types.Address]uint64{}
	keys := make([]*ecdsa.PrivateKey, accounts)
	for a := range keys {
		keys[a] = cheapKey(a)
		fund[crypto.PubkeyToAddress(keys[a].PublicKey)] = types.RaoPerTAO
	}
	nw := newNetwork(t, netOpts{fund: fund, mutate: func(c *node.Config) { c.TxPool.GlobalSlots = poolTxs }})
	// Signed before the attack: the attacker's CPU is not the network's.
	t0 := time.Now()
	var batches [][][]byte
	batch := make([][]byte, 0, 100)
	for _, key := range keys {
		for n := uint64(1); n <= gap; n++ {
			batch = append(batch, transfer(t, nw.chainID(), n, key, types.Address{5}, 1, 0).Bytes())
			if len(batch) == cap(batch) {
				batches, batch = append(batches, batch), make([][]byte, 0, 100)
			}
		}
	}
	batches = append(batches, batch)
	t.Logf("%d gapped txs signed in %s", accounts*gap, time.Since(t0).Round(time.Millisecond))
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	atk.mustConnect(1)
	published := 0
	nw.underAttack(func(r *runner) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for _, b := range batches {
				if r.stopped() {
					return
				}
				atk.publishTxs(b)
				published += len(b)
				time.Sleep(10 * time.Millisecond) // ~10,000 txs/s: all within the warm-up and window
			}
		}()
	})
	t.Logf("gapped txs published: %d", published)
	// The honest sender: dev key 0, never seen before, to node2.
	tx := transfer(t, nw.chainID(), 0, devkeys.Key(0), types.Address{6}, 1, 0)
	if err := nw.nodes[2].n.SubmitTx(tx); err != nil {
		t.Fatalf("a new honest sender's tx was refused after the flood: %v", err)
	}
	if !nw.waitNonce(2, devkeys.Address(0), 1, 10*time.Second) {
		t.Fatal("a new honest sender's tx was admitted but not committed within 10 s")
	}
}

// heavyWeights is a SetWeights call of n UIDs from a sender that is no
// neuron: it fails at execution, cheaply, but is included and pays, with a
// weight of 30,000 + 500 n.
func heavyWeights(n int) *types.SetWeights {
	c := &types.SetWeights{Netuid: 1, UIDs: make([]uint16, n), Weights: make([]uint16, n)}
	for i := range n {
		c.UIDs[i], c.Weights[i] = uint16(i), 1
	}
	return c
}

// A sender's tx skipped at the block weight limit: the proposer must keep
// that sender's next nonces pooled (they commit in later blocks), not refuse
// them as "nonce too high" and drop them (weakness 8). Fillers with a
// higher tip keep every block full (3 × 980 k of a 3 M weight limit),
// leaving 60 k: the victim's nonce 0 (weight 1 M) never fits while they
// run, its nonces 1-3 (transfers, ~23 k) would. Once the fillers stop, all
// four must commit.
func TestAttackWeightLimitSkip(t *testing.T) {
	if !inChild(t) {
		return
	}
	const victim = 1
	fillers := []int{2, 3, 4, 5}
	// Three fillers fill a block's weight (3 × 980 k of 3 M): blocks stay
	// cheap to execute, so the block rate measures the skip, not the load.
	nw := newNetwork(t, netOpts{devKeys: 6, params: func(p map[string]any) { p["max_block_weight"] = 3_000_000 }})
	chainID := nw.chainID()
	if w := heavyWeights(1900).Weight(); w != 980_000 {
		t.Fatalf("filler weight %d", w)
	}
	next := map[int]uint64{}
	var victimSent bool
	var refused firstErr
	t0 := time.Now()
	nw.underAttack(func(r *runner) {
		r.every(50*time.Millisecond, func() {
			for _, k := range fillers {
				done := nw.nonceOf(0, k)
				n := max(next[k], done)
				for ; n < done+32 && !r.stopped(); n++ {
					tx, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: n, Fee: generousFee, Tip: 1_000, Call: heavyWeights(1900)}, devkeys.Key(k))
					if err != nil {
						break
					}
					// To every validator at once: a proposer missing one
					// filler would stop at the gap and leave room.
					for i := range nw.vals {
						if err := nw.nodes[i].n.SubmitTx(tx); err != nil && !strings.Contains(err.Error(), "known") {
							refused.note(err)
						}
					}
				}
				next[k] = n
			}
			// Once the fill runs, the victim's four txs, to every validator.
			if !victimSent && time.Since(t0) > baseWindow+attackWarmup {
				victimSent = true
				for n := range uint64(4) {
					d := types.TxData{ChainID: chainID, Nonce: n, Fee: generousFee, Tip: 500, Call: &types.Transfer{To: types.Address{3}, Amount: 1}}
					if n == 0 {
						d.Call = heavyWeights(1940) // weight 1,000,000: never fits beside the fillers
					}
					tx, err := types.SignTx(d, devkeys.Key(victim))
					if err != nil {
						t.Error(err)
						return
					}
					for i := range nw.vals {
						if err := nw.nodes[i].n.SubmitTx(tx); err != nil && !strings.Contains(err.Error(), "known") {
							t.Errorf("victim tx %d to %s: %v", n, nw.nodes[i].name, err)
						}
					}
				}
			}
		})
	})
	refused.log(t, "filler txs")
	filled := 0
	for _, k := range fillers {
		filled += int(nw.nonceOf(0, k))
	}
	t.Logf("filler txs committed: %d; victim's nonce when the fill stopped: %d", filled, nw.nonceOf(0, victim))
	if !nw.waitNonce(0, devkeys.Address(victim), 4, 10*time.Second) {
		t.Fatalf("the victim's nonce is %d 10 s after the fill stopped: its txs after the skipped one were dropped", nw.nonceOf(0, victim))
	}
}
