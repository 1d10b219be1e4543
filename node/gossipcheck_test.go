package node

import (
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

const gateChain = 7

func gateKeys(t testing.TB, n int) []*ecdsa.PrivateKey {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

// testGate is a gate at head 10 whose sets are known up to height 12, with
// the engine at height 11, round 0.
func testGate(t testing.TB, keys []*ecdsa.PrivateKey) (*gossipGate, *consensus.ValidatorSet) {
	t.Helper()
	vals := make([]types.Validator, len(keys))
	for i, k := range keys {
		vals[i] = types.Validator{Address: crypto.PubkeyToAddress(k.PublicKey), Power: 1}
	}
	set, err := consensus.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	g := &gossipGate{
		chainID: gateChain,
		head:    func() uint64 { return 10 },
		setAt: func(h uint64) (staking.SetRecord, error) {
			if h > 12 {
				return staking.SetRecord{}, errors.New("not stored")
			}
			return staking.SetRecord{Validators: set.Validators()}, nil
		},
	}
	g.mu.sets = make(map[uint64]map[types.Address]bool)
	g.mu.seen = make(map[uint64]map[types.Address]map[stepKey][]stepValue)
	g.view.Store(&engineView{height: 11, round: 0, set: set})
	return g, set
}

func encMsg(t testing.TB, m consensus.Message) []byte {
	t.Helper()
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signedVote(t testing.TB, k *ecdsa.PrivateKey, typ types.VoteType, h uint64, r uint32, hash types.Hash) *types.Vote {
	t.Helper()
	v := &types.Vote{Type: typ, Height: h, Round: r, BlockHash: hash}
	if err := v.Sign(gateChain, k); err != nil {
		t.Fatal(err)
	}
	return v
}

func gateBlock(h uint64, tag byte) *types.Block {
	hdr := types.Header{ChainID: gateChain, Height: h, StateRoot: types.Hash{tag}, TxRoot: types.EmptyRoot,
		LastCommitHash: (*types.Commit)(nil).Hash(), EvidenceHash: types.EvidenceHash(nil)}
	return types.NewBlock(hdr, nil, nil, nil)
}

func signedProposal(t testing.TB, k *ecdsa.PrivateKey, b *types.Block, r, pol uint32) *consensus.Proposal {
	t.Helper()
	p := &consensus.Proposal{Height: b.Height(), Round: r, POLRound: pol, BlockHash: b.Hash()}
	if err := p.Sign(gateChain, k); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGossipGateVerdicts: what the consensus gossip check relays, refuses
// with blame (what every honest node refuses alike: the sender wrote it or
// relayed it unchecked) and drops without blame (what a node cannot judge).
func TestGossipGateVerdicts(t *testing.T) {
	keys := gateKeys(t, 4)
	stranger := gateKeys(t, 1)[0]
	g, set := testGate(t, keys)
	idx := func(a types.Address) int { i, _ := set.Index(a); return i }
	prop := keys[idx(set.Proposer(0))]
	var other *ecdsa.PrivateKey
	for _, k := range keys {
		if k != prop {
			other = k
			break
		}
	}
	blk := gateBlock(11, 1)
	good := signedVote(t, keys[0], types.Prevote, 11, 0, blk.Hash())

	badSig := *signedVote(t, stranger, types.Prevote, 11, 0, blk.Hash())
	badSig.Validator = good.Validator
	badType := *good
	badType.Type = 9
	pol := []*types.Vote{signedVote(t, keys[1], types.Prevote, 11, 0, blk.Hash())}
	polWrongRound := []*types.Vote{signedVote(t, keys[1], types.Prevote, 11, 1, blk.Hash())}
	polForged := *pol[0]
	polForged.Signature = good.Signature
	for _, tc := range []struct {
		name string
		msg  []byte
		want p2p.Verdict
	}{
		{"a member's vote", encMsg(t, consensus.Message{Vote: good}), p2p.Accept},
		{"a member's vote, late (head)", encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Precommit, 10, 3, blk.Hash())}), p2p.Accept},
		{"a member's vote, next height", encMsg(t, consensus.Message{Vote: signedVote(t, keys[2], types.Precommit, 12, 0, blk.Hash())}), p2p.Accept},
		{"the proposer's proposal", encMsg(t, consensus.Message{Proposal: signedProposal(t, prop, blk, 0, consensus.NoRound), Block: blk}), p2p.Accept},
		{"a re-proposal with its proof of lock", encMsg(t, consensus.Message{Proposal: signedProposal(t, keys[idx(set.Proposer(1))], blk, 1, 0), Block: blk, POL: pol}), p2p.Accept},

		{"undecodable", []byte{0x02, 0xff}, p2p.Reject},
		{"bad vote type", encMsg(t, consensus.Message{Vote: &badType}), p2p.Reject},
		{"bad signature in a member's name", encMsg(t, consensus.Message{Vote: &badSig}), p2p.Reject},
		{"a stranger's vote", encMsg(t, consensus.Message{Vote: signedVote(t, stranger, types.Prevote, 11, 0, blk.Hash())}), p2p.Reject},
		{"a stranger's proposal", encMsg(t, consensus.Message{Proposal: signedProposal(t, stranger, blk, 0, consensus.NoRound), Block: blk}), p2p.Reject},
		{"proposal for another block", encMsg(t, consensus.Message{Proposal: signedProposal(t, prop, blk, 0, consensus.NoRound), Block: gateBlock(11, 2)}), p2p.Reject},
		{"proof of lock not below the round", encMsg(t, consensus.Message{Proposal: signedProposal(t, prop, blk, 0, 0), Block: blk, POL: pol}), p2p.Reject},
		{"proof of lock of another round", encMsg(t, consensus.Message{Proposal: signedProposal(t, keys[idx(set.Proposer(1))], blk, 1, 0), Block: blk, POL: polWrongRound}), p2p.Reject},
		{"proof of lock with a forged vote", encMsg(t, consensus.Message{Proposal: signedProposal(t, keys[idx(set.Proposer(1))], blk, 1, 0), Block: blk, POL: []*types.Vote{&polForged}}), p2p.Reject},

		{"too old", encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Precommit, 8, 0, blk.Hash())}), p2p.Ignore},
		{"too far ahead", encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Precommit, 13, 0, blk.Hash())}), p2p.Ignore},
		{"round far ahead", encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Prevote, 11, maxGossipRoundsAhead+1, blk.Hash())}), p2p.Ignore},
		{"a member out of turn", encMsg(t, consensus.Message{Proposal: signedProposal(t, other, blk, 0, consensus.NoRound), Block: blk}), p2p.Ignore},
	} {
		if got := g.checkConsensus(tc.msg); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// Height 12's set is known (the head's epoch decided it), 13's is not:
	// with the head moved on, 13 is checked against its own set.
	g.head = func() uint64 { return 11 }
	if got := g.checkConsensus(encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Precommit, 13, 0, blk.Hash())})); got != p2p.Ignore {
		t.Errorf("a height whose set is not stored: %s, want ignore", got)
	}
}

// BenchmarkGossipCheckVote: the consensus gossip check of one vote, its
// signature recovered (a new vote) or remembered (a rebroadcast).
func BenchmarkGossipCheckVote(b *testing.B) {
	t := b
	keys := gateKeys(t, 4)
	g, _ := testGate(t, keys)
	blk := gateBlock(11, 1)
	b.Run("new", func(b *testing.B) {
		msgs := make([][]byte, 0, 64)
		for r := range uint32(64) {
			msgs = append(msgs, encMsg(t, consensus.Message{Vote: signedVote(t, keys[int(r)%4], types.Prevote, 11, 900+r, blk.Hash())}))
		}
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if i%64 == 0 && i > 0 { // fresh signatures: the cache must not answer
				for r := range uint32(64) {
					msgs[r] = encMsg(t, consensus.Message{Vote: signedVote(t, keys[int(r)%4], types.Prevote, 11, uint32(i)%900+r, blk.Hash())})
				}
			}
			m := msgs[i%64]
			b.StartTimer()
			if g.checkConsensus(m) != p2p.Accept {
				b.Fatal("refused a good vote")
			}
		}
	})
	b.Run("rebroadcast", func(b *testing.B) {
		m := encMsg(t, consensus.Message{Vote: signedVote(t, keys[0], types.Prevote, 11, 0, blk.Hash())})
		for b.Loop() {
			if g.checkConsensus(m) != p2p.Accept {
				b.Fatal("refused a good vote")
			}
		}
	})
}

// TestAnnouncementsAreHints: an announced block is never relayed (Accept was
// the old verdict for any recent one, so anyone could have every node relay
// forged blocks); one ahead of us wakes the sync loop; one that contradicts
// the finalised chain is its sender's forgery.
func TestAnnouncementsAreHints(t *testing.T) {
	c := testChain(t)
	n := &Node{store: c.Store(), chain: c, sync: &syncer{wake: make(chan struct{}, 1)}}
	head, _ := n.store.Head()
	genesis, err := n.store.BlockByHeight(head.Height)
	if err != nil {
		t.Fatal(err)
	}
	block := func(h uint64, parent types.Hash, tag byte) *types.Block {
		return types.NewBlock(types.Header{ChainID: c.ChainID(), Height: h, ParentHash: parent, StateRoot: types.Hash{tag}}, nil, nil, nil)
	}
	peer := p2p.PeerID("announcer")
	for _, tc := range []struct {
		name string
		b    *types.Block
		want p2p.Verdict
		hint uint64
	}{
		{"our own head", genesis, p2p.Ignore, 0},
		{"another block at our head's height", block(head.Height, types.Hash{}, 9), p2p.Reject, 0},
		{"next block, not on our head", block(head.Height+1, types.Hash{7}, 1), p2p.Reject, 0},
		{"next block on our head", block(head.Height+1, head.Hash, 1), p2p.Ignore, head.Height + 1},
		{"a few ahead", block(head.Height+5, types.Hash{}, 1), p2p.Ignore, head.Height + 5},
		{"too far ahead to believe", block(head.Height+maxHintAhead+1, types.Hash{}, 1), p2p.Ignore, head.Height + 5},
	} {
		if got := n.checkAnnouncement(peer, tc.b); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if h := n.sync.hint.height; h != tc.hint {
			t.Errorf("%s: sync hint at %d, want %d", tc.name, h, tc.hint)
		}
	}
}

// TestGossipGateEquivocationFlood: a validator signing vote after vote for
// different values at one step had every one relayed by every node (each is
// validly signed). Now two values per step are relayed (enough to prove the
// equivocation), rebroadcasts of those still are, and the rest are dropped
// without blame; other steps and signers are unaffected.
func TestGossipGateEquivocationFlood(t *testing.T) {
	keys := gateKeys(t, 4)
	g, set := testGate(t, keys)
	var relayed []p2p.Verdict
	for i := range 50 {
		v := signedVote(t, keys[1], types.Prevote, 11, 0, types.Hash{byte(i + 1)})
		relayed = append(relayed, g.checkConsensus(encMsg(t, consensus.Message{Vote: v})))
	}
	for i, got := range relayed {
		want := p2p.Ignore
		if i < maxValuesPerStep {
			want = p2p.Accept
		}
		if got != want {
			t.Fatalf("value %d of one validator's prevotes at one step: %s, want %s", i, got, want)
		}
	}
	again := signedVote(t, keys[1], types.Prevote, 11, 0, types.Hash{1})
	if got := g.checkConsensus(encMsg(t, consensus.Message{Vote: again})); got != p2p.Accept {
		t.Fatalf("a rebroadcast of a relayed value: %s, want accept", got)
	}
	for _, v := range []*types.Vote{
		signedVote(t, keys[1], types.Precommit, 11, 0, types.Hash{1}),
		signedVote(t, keys[1], types.Prevote, 11, 1, types.Hash{1}),
		signedVote(t, keys[2], types.Prevote, 11, 0, types.Hash{1}),
	} {
		if got := g.checkConsensus(encMsg(t, consensus.Message{Vote: v})); got != p2p.Accept {
			t.Fatalf("another step or signer (%s by %s in round %d): %s, want accept", v.Type, v.Validator, v.Round, got)
		}
	}
	// Proposals alike.
	idx, _ := set.Index(set.Proposer(0))
	for i := range 5 {
		m := consensus.Message{Proposal: signedProposal(t, keys[idx], gateBlock(11, byte(i+1)), 0, consensus.NoRound), Block: gateBlock(11, byte(i+1))}
		want := p2p.Ignore
		if i < maxValuesPerStep {
			want = p2p.Accept
		}
		if got := g.checkConsensus(encMsg(t, m)); got != want {
			t.Fatalf("proposal %d of one proposer at one round: %s, want %s", i, got, want)
		}
	}
	// Memory: a signer's steps stay bounded, the lowest rounds giving way.
	for r := range uint32(maxStepsPerSigner + 10) {
		g.checkConsensus(encMsg(t, consensus.Message{Vote: signedVote(t, keys[3], types.Precommit, 11, r, types.Hash{})}))
	}
	g.mu.Lock()
	n := len(g.mu.seen[11][crypto.PubkeyToAddress(keys[3].PublicKey)])
	g.mu.Unlock()
	if n != maxStepsPerSigner {
		t.Fatalf("remembering %d steps of one signer, want %d", n, maxStepsPerSigner)
	}
	if got := g.checkConsensus(encMsg(t, consensus.Message{Vote: signedVote(t, keys[3], types.Precommit, 11, 0, types.Hash{})})); got != p2p.Ignore {
		t.Fatalf("a round below the %d remembered: %s, want ignore", maxStepsPerSigner, got)
	}
}
