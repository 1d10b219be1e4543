package chaos

import (
	"context"
	"fmt"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// checkChain reads blocks 0..low from every listed node, low being the
// lowest head among them, and demands one chain: at every height the same
// hash and the same state root on every node, each block linking to the
// one before. It returns the first node's blocks.
func checkChain(ctx context.Context, clients []*gethrpc.Client, nodes []int, names []string) ([]blockInfo, error) {
	low := uint64(1 << 62)
	for _, i := range nodes {
		var h uint64
		if err := call(ctx, clients[i], &h, "tao_blockNumber"); err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		low = min(low, h)
	}
	var ref []blockInfo
	for k, i := range nodes {
		var chain []blockInfo
		for from := uint64(0); from <= low; from += 100 {
			bs, err := fetchBlocks(ctx, clients[i], from, min(from+99, low))
			if err != nil {
				return nil, fmt.Errorf("%s: blocks from %d: %w", names[i], from, err)
			}
			chain = append(chain, bs...)
		}
		if k == 0 {
			for h := 1; h < len(chain); h++ {
				if chain[h].ParentHash != chain[h-1].Hash {
					return nil, fmt.Errorf("%s: block %d does not link to block %d", names[i], h, h-1)
				}
			}
			ref = chain
			continue
		}
		for h := range chain {
			if chain[h].Hash != ref[h].Hash {
				return nil, fmt.Errorf("fork at height %d: %s has %s, %s has %s", h, names[nodes[0]], ref[h].Hash, names[i], chain[h].Hash)
			}
			if chain[h].StateRoot != ref[h].StateRoot {
				return nil, fmt.Errorf("state roots differ at height %d: %s has %s, %s has %s", h, names[nodes[0]], ref[h].StateRoot, names[i], chain[h].StateRoot)
			}
		}
	}
	return ref, nil
}

// checkState reads the given accounts at one height from every node's own
// trie (tao_getProof) and demands the same balances, nonces and state root.
func checkState(ctx context.Context, clients []*gethrpc.Client, nodes []int, names []string, height uint64, addrs []types.Address) error {
	for _, a := range addrs {
		var want *rpc.Proof
		for _, i := range nodes {
			var p *rpc.Proof
			if err := call(ctx, clients[i], &p, "tao_getProof", a, height); err != nil {
				return fmt.Errorf("%s: proof of %s at %d: %w", names[i], a, height, err)
			}
			if want == nil {
				want = p
				continue
			}
			if p.StateRoot != want.StateRoot || p.Balance != want.Balance || p.Nonce != want.Nonce {
				return fmt.Errorf("state of %s at height %d differs: %s has root %s balance %s nonce %d, %s has root %s balance %s nonce %d",
					a, height, names[nodes[0]], want.StateRoot, want.Balance, want.Nonce, names[i], p.StateRoot, p.Balance, p.Nonce)
			}
		}
	}
	return nil
}

// receiptsOn returns the receipts of hashes on one node (nil: none).
func receiptsOn(ctx context.Context, c *gethrpc.Client, hashes []types.Hash) ([]*rpc.ReceiptJSON, error) {
	out := make([]*rpc.ReceiptJSON, len(hashes))
	for from := 0; from < len(hashes); from += 100 {
		to := min(from+100, len(hashes))
		batch := make([]gethrpc.BatchElem, to-from)
		for k := range batch {
			batch[k] = gethrpc.BatchElem{Method: "tao_getTransactionReceipt", Args: []any{hashes[from+k]}, Result: &out[from+k]}
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := c.BatchCallContext(cctx, batch)
		cancel()
		if err != nil {
			return nil, err
		}
		for _, e := range batch {
			if e.Error != nil {
				return nil, e.Error
			}
		}
	}
	return out, nil
}

// txAudit is the fate of the load's transactions, read from every node.
type txAudit struct {
	Accepted  int // txs a node accepted
	Committed int // of which committed, in the same block on every node
	Resent    int // resubmissions
	Rejected  []string
	Missing   []string // neither committed nor refused: lost
}

// auditTxs checks every accepted tx on every listed node: committed in the
// same block everywhere (and in the block the scanner saw), or refused on
// resubmission (reported), or lost (an error). before maps the txs the
// scanner saw committed before the fault to their block: each must still be
// there on every node. height is the highest block every node has.
func auditTxs(ctx context.Context, clients []*gethrpc.Client, nodes []int, names []string, height uint64, txs []txView, before map[types.Hash]types.Hash) (txAudit, error) {
	a := txAudit{Accepted: len(txs)}
	hashes := make([]types.Hash, len(txs))
	for k, t := range txs {
		hashes[k] = t.Hash
		a.Resent += t.Resent
	}
	where := make([]*rpc.ReceiptJSON, len(txs))
	for n, i := range nodes {
		rs, err := receiptsOn(ctx, clients[i], hashes)
		if err != nil {
			return a, fmt.Errorf("%s: receipts: %w", names[i], err)
		}
		for k, r := range rs {
			t := txs[k]
			switch {
			case n == 0:
				where[k] = r
			case r == nil && where[k] == nil:
			case r == nil || where[k] == nil:
				// Blocks up to height are the same on every node (checkChain),
				// so a receipt there must be on every node; above it a node
				// may simply not have reached the block yet.
				have, on, off := where[k], names[nodes[0]], names[i]
				if have == nil {
					have, on, off = r, names[i], names[nodes[0]]
					where[k] = r
				}
				if have.BlockNumber <= height {
					return a, fmt.Errorf("tx %s: committed at height %d on %s but not on %s (both past it)", t.Hash, have.BlockNumber, on, off)
				}
			case r.BlockHash != where[k].BlockHash:
				return a, fmt.Errorf("tx %s: in block %s on %s, %s on %s", t.Hash, where[k].BlockHash, names[nodes[0]], r.BlockHash, names[i])
			}
			if b, ok := before[t.Hash]; ok && (r == nil || r.BlockHash != b) {
				return a, fmt.Errorf("tx %s was committed in block %s before the fault; on %s it is now %v", t.Hash, b, names[i], r)
			}
			if r != nil && t.CommittedSeen && r.BlockHash != t.Block {
				return a, fmt.Errorf("tx %s: the scan saw it in block %s, %s has it in %s", t.Hash, t.Block, names[i], r.BlockHash)
			}
		}
	}
	for k, t := range txs {
		switch {
		case where[k] != nil:
			a.Committed++
		case t.Refusal != "":
			a.Rejected = append(a.Rejected, fmt.Sprintf("%s (sender %d nonce %d): %s", t.Hash, t.Sender, t.Nonce, t.Refusal))
		default:
			a.Missing = append(a.Missing, fmt.Sprintf("%s (sender %d nonce %d, accepted by node%d, resent %d times)", t.Hash, t.Sender, t.Nonce, t.Node, t.Resent))
		}
	}
	return a, nil
}

func call(ctx context.Context, c *gethrpc.Client, out any, method string, args ...any) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.CallContext(cctx, out, method, args...)
}
