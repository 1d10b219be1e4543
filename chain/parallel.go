package chain

import (
	"runtime"
	"sync"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Executing a block is sequential. These helpers put the other cores to work
// on what does not depend on execution order; none changes a result: each
// computes a function of its input alone, and the caller waits for it.

// recoverSenders recovers the senders of txs on all cores; Tx caches its
// sender, so execution then finds it. Txs from the txpool already have
// theirs; a block received from a peer does not, but the ones this node
// admitted from gossip are in senders by hash.
func recoverSenders(senders *types.SenderCache, txs []*types.Tx) {
	workers := min(runtime.GOMAXPROCS(0), len(txs)/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(txs); i += workers {
				senders.Sender(txs[i]) // an error is cached in the Tx too, and reported by execution
			}
		})
	}
	wg.Wait()
}

// prefetch starts reading the accounts txs touch, in execution order: each
// sender's and each transfer's recipient's. Their senders must have been
// recovered.
func prefetch(st *state.State, txs []*types.Tx) {
	keys := make([][]byte, 0, 2*len(txs))
	for _, tx := range txs {
		from, err := tx.Sender()
		if err != nil {
			continue
		}
		keys = append(keys, state.AccountKey(from))
		if t, ok := tx.Call().(*types.Transfer); ok {
			keys = append(keys, state.AccountKey(t.To))
		}
	}
	st.Prefetch(keys)
}

// bodyRoots computes the tx and receipts roots of a block on another core
// while f runs, and returns them once both are done.
func bodyRoots(txs []*types.Tx, receipts []types.Receipt, f func()) (txRoot, receiptsRoot types.Hash) {
	var wg sync.WaitGroup
	wg.Go(func() { txRoot, receiptsRoot = types.TxRoot(txs), types.ReceiptsRoot(receipts) })
	f()
	wg.Wait()
	return txRoot, receiptsRoot
}

// verifyCommit checks a block's LastCommit with consensus.VerifyCommit, the
// repository's one commit rule, recovering its signatures on every core
// through the chain's cache. A commit gossiped to this node was verified on
// arrival and costs lookups; a synced block's was never seen and costs one
// recovery per signature, spread over the cores.
func (c *Chain) verifyCommit(vals []types.Validator, height uint64, hash types.Hash, commit *types.Commit) error {
	set, err := consensus.NewValidatorSet(vals)
	if err != nil {
		return err
	}
	return consensus.VerifyCommit(commitVerifier{consensus.SigVerifier{ChainID: c.ChainID(), Cache: c.sigs}}, set, height, hash, commit)
}

// commitVerifier is a consensus.BatchVerifier that checks votes on all
// cores. The result does not depend on the order: each vote's answer is a
// function of the vote alone.
type commitVerifier struct{ consensus.SigVerifier }

func (v commitVerifier) VerifyVotes(vs []types.Vote) []error {
	errs := make([]error, len(vs))
	workers := min(runtime.GOMAXPROCS(0), len(vs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(vs); i += workers {
				errs[i] = v.VerifyVote(&vs[i])
			}
		})
	}
	wg.Wait()
	return errs
}
