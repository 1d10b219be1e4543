package test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// rawHost starts a bare p2p host on the network's chain with handlers hs.
func rawHost(t *testing.T, chainID uint64, genesis types.Hash, hs p2p.Handlers) *p2p.Host {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p2p.DefaultConfig()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.NodeKey, cfg.ChainID, cfg.GenesisHash = key, chainID, genesis
	h, err := p2p.New(cfg, hs)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// observer records what a bare host hears on the consensus and block topics.
type observer struct {
	mu        sync.Mutex
	consensus [][]byte
	blocks    []types.Hash
}

func (o *observer) handlers() p2p.Handlers {
	return p2p.Handlers{
		OnConsensus: func(_ p2p.PeerID, b []byte, _ any) {
			o.mu.Lock()
			o.consensus = append(o.consensus, bytes.Clone(b))
			o.mu.Unlock()
		},
		OnBlock: func(_ p2p.PeerID, b *types.Block) {
			o.mu.Lock()
			o.blocks = append(o.blocks, b.Hash())
			o.mu.Unlock()
		},
	}
}

func waitCond(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestForgedGossipNotRelayed attacks relay before authentication. Validator
// A has three neighbours: full node B, an observer O and a forger F. F
// publishes consensus messages with a bad signature in the validator's name,
// signed by keys outside the set, and forged block announcements. Before,
// A relayed them all (its gossip check decoded and looked at the height
// only), and B's driver, finding the bad signature, banned A, its honest
// neighbour, for an hour: one forged message split the network. Now A
// refuses them before relaying (scoring F down until it is dropped), O
// hears none of them, B keeps A, and the chain goes on.
func TestForgedGossipNotRelayed(t *testing.T) {
	nw := newNetwork(t, 1, 1)
	nw.start(0)
	nw.start(1)
	nw.waitAll(3, 30*time.Second)
	a, b := nw.nodes[0].n, nw.nodes[1].n
	c := a.Chain()
	if !hasPeer(b.Host(), a.Host().ID()) {
		t.Fatal("the full node is not connected to the validator")
	}

	var obs observer
	o := rawHost(t, c.ChainID(), c.GenesisHash(), obs.handlers())
	f := rawHost(t, c.ChainID(), c.GenesisHash(), p2p.Handlers{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, h := range []*p2p.Host{o, f} {
		if err := h.Connect(ctx, a.Host().AddrInfo()); err != nil {
			t.Fatal(err)
		}
	}
	waitCond(t, 20*time.Second, "gossip meshes with the validator", func() bool {
		_, oc, ob := o.MeshPeers()
		_, bc, _ := b.Host().MeshPeers()
		_, fc, fb := f.TopicPeers()
		return oc > 0 && ob > 0 && bc > 0 && fc > 0 && fb > 0
	})
	// O hears the validator's own votes through the mesh: the path works.
	waitCond(t, 10*time.Second, "the observer to hear the validator's votes", func() bool {
		obs.mu.Lock()
		defer obs.mu.Unlock()
		return len(obs.consensus) > 0
	})

	head, _ := c.Store().Head()
	h := head.Height + 1
	vs, err := c.ValidatorSet(h)
	if err != nil {
		t.Fatal(err)
	}
	member := vs.Validators[0].Address
	stranger, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var forged [][]byte
	var forgedBlocks []types.Hash
	enc := func(m consensus.Message) {
		raw, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		forged = append(forged, raw)
	}
	for i := range 3 {
		// A bad signature in the validator's name (a stranger's signature).
		v := &types.Vote{Type: types.Prevote, Height: h, Round: uint32(i), BlockHash: types.Hash{byte(i + 1)}}
		if err := v.Sign(c.ChainID(), stranger); err != nil {
			t.Fatal(err)
		}
		v.Validator = member
		enc(consensus.Message{Vote: v})
		// A good signature by a key outside the set.
		u := &types.Vote{Type: types.Precommit, Height: h, Round: uint32(i)}
		if err := u.Sign(c.ChainID(), stranger); err != nil {
			t.Fatal(err)
		}
		enc(consensus.Message{Vote: u})
		// A proposal by a stranger, and an announcement of its block.
		hdr := types.Header{ChainID: c.ChainID(), Height: h + uint64(i), Time: head.Time + 1, TxRoot: types.EmptyRoot,
			LastCommitHash: (*types.Commit)(nil).Hash(), EvidenceHash: types.EvidenceHash(nil), StateRoot: types.Hash{byte(i + 1)}}
		blk := types.NewBlock(hdr, nil, nil, nil)
		p := &consensus.Proposal{Height: blk.Height(), Round: 0, POLRound: consensus.NoRound, BlockHash: blk.Hash()}
		if err := p.Sign(c.ChainID(), stranger); err != nil {
			t.Fatal(err)
		}
		enc(consensus.Message{Proposal: p, Block: blk})
		if err := f.PublishBlock(ctx, blk); err != nil {
			t.Fatal(err)
		}
		forgedBlocks = append(forgedBlocks, blk.Hash())
	}
	for _, raw := range forged {
		if err := f.PublishConsensus(ctx, raw); err != nil {
			t.Fatal(err)
		}
	}

	// The author is dropped by the validator (its score fell below the
	// graylist); the honest neighbours keep each other.
	waitCond(t, 20*time.Second, "the validator to drop the forger", func() bool { return !hasPeer(a.Host(), f.ID()) })
	waitCond(t, 20*time.Second, "the validator to commit 3 more blocks", func() bool { return nw.height(0) >= head.Height+3 })
	if !hasPeer(b.Host(), a.Host().ID()) || !hasPeer(a.Host(), b.Host().ID()) {
		t.Fatal("the full node and the validator no longer peer: an honest relayer was punished for a forgery")
	}
	if !hasPeer(o, a.Host().ID()) {
		t.Fatal("the observer lost the validator")
	}
	nw.waitAll(head.Height+5, 30*time.Second)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	for _, got := range obs.consensus {
		for i, bad := range forged {
			if bytes.Equal(got, bad) {
				t.Fatalf("forged consensus message %d was relayed to the observer", i)
			}
		}
	}
	for _, got := range obs.blocks {
		for _, bad := range forgedBlocks {
			if got == bad {
				t.Fatalf("forged block announcement %s was relayed to the observer", bad)
			}
		}
	}
}
