package test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// forgedChain serves well-formed blocks above a real node's head whose
// commits are signed by a key outside the validator set: nothing a
// protocol check can refuse, only commit verification.
type forgedChain struct {
	chainID uint64
	real    func() (uint64, *types.Block) // the node's head height and block
	mu      sync.Mutex
	served  int
	blocks  map[uint64]*types.Block
	commits map[uint64]*types.Commit
}

func (f *forgedChain) Head() uint64 {
	h, _ := f.real()
	return h + 20
}

func (f *forgedChain) BlockAt(h uint64) (*types.Block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.blocks[h]; ok {
		f.served++
		return b, nil
	}
	head, parent := f.real()
	if h != head+1 {
		return nil, errors.New("forged: only the next block")
	}
	b := &types.Block{
		Header:     types.Header{ChainID: f.chainID, Height: h, Time: parent.Header.Time + 200, ParentHash: parent.Hash()},
		LastCommit: parent.LastCommit, // any well-formed commit; its hash goes in the header
	}
	b.Header.TxRoot = types.TxRoot(nil)
	b.Header.LastCommitHash = b.LastCommit.Hash()
	b.Header.EvidenceHash = types.EvidenceHash(nil)
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	v := types.Vote{Type: types.Precommit, Height: h, BlockHash: b.Hash()}
	if err := v.Sign(f.chainID, key); err != nil {
		return nil, err
	}
	f.blocks[h] = b
	f.commits[h] = &types.Commit{Height: h, BlockHash: b.Hash(), Signatures: []types.CommitSig{{Validator: v.Validator, Signature: v.Signature}}}
	f.served++
	return b, nil
}

func (f *forgedChain) CommitAt(h uint64) (*types.Commit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.commits[h]; ok {
		return c, nil
	}
	return nil, errors.New("forged: no commit")
}

// A peer that claims to be ahead and serves a block whose commit does not
// hold is banned by the node's block sync, and the chain goes on.
func TestSyncBansPeerWithBadCommit(t *testing.T) {
	nw := newNetwork(t, 1, 0)
	nw.start(0)
	nw.waitAll(3, 20*time.Second)
	nd := nw.nodes[0].n
	c := nd.Chain()
	real := func() (uint64, *types.Block) {
		head, _ := c.Store().Head()
		b, err := c.Store().BlockByHeight(head.Height)
		if err != nil {
			t.Errorf("head block: %v", err)
		}
		return head.Height, b
	}
	fake := &forgedChain{chainID: c.ChainID(), real: real, blocks: map[uint64]*types.Block{}, commits: map[uint64]*types.Commit{}}

	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p2p.DefaultConfig()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.NodeKey, cfg.ChainID, cfg.GenesisHash = key, c.ChainID(), c.GenesisHash()
	h, err := p2p.New(cfg, p2p.Handlers{Blocks: fake})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Connect(ctx, nd.Host().AddrInfo()); err != nil {
		t.Fatalf("connect to the node: %v", err)
	}

	// The node fetches the forged block, its engine refuses the commit, and
	// the peer that served it is dropped and refused from then on.
	deadline := time.Now().Add(20 * time.Second)
	for {
		fake.mu.Lock()
		served := fake.served
		fake.mu.Unlock()
		if served > 0 && !hasPeer(nd.Host(), h.ID()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the forged peer was not dropped (blocks served: %d)", served)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cctx, ccancel := context.WithTimeout(ctx, 3*time.Second)
	defer ccancel()
	if err := h.Connect(cctx, nd.Host().AddrInfo()); err == nil && hasPeer(nd.Host(), h.ID()) {
		t.Fatal("the banned peer was let back in")
	}
	// The chain neither took the forged block nor stopped.
	before, _ := real()
	nw.waitAll(before+2, 20*time.Second)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	for hgt, b := range fake.blocks {
		got, err := c.Store().BlockHash(hgt)
		if err == nil && got == b.Hash() {
			t.Fatalf("the forged block %d was committed", hgt)
		}
	}
}

func hasPeer(h *p2p.Host, id p2p.PeerID) bool {
	for _, p := range h.Peers() {
		if p.ID == id {
			return true
		}
	}
	return false
}
