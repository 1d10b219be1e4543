package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/testport"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// compactTxs makes n signed transfers of the gate's chain.
func compactTxs(t testing.TB, n int) []*types.Tx {
	t.Helper()
	txs := make([]*types.Tx, n)
	for i := range txs {
		tx, err := types.SignTx(types.TxData{ChainID: gateChain, Nonce: uint64(i), Fee: types.TransferWeight + 200*types.EthByteGas,
			Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(i%4))
		if err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	return txs
}

// txBlock is a block of height h holding txs, whose header commits to them.
func txBlock(h uint64, tag byte, txs []*types.Tx) *types.Block {
	hdr := types.Header{ChainID: gateChain, Height: h, StateRoot: types.Hash{tag}, TxRoot: types.TxRoot(txs),
		LastCommitHash: (*types.Commit)(nil).Hash(), EvidenceHash: types.EvidenceHash(nil)}
	return types.NewBlock(hdr, txs, nil, nil)
}

type txMap map[types.Hash]*types.Tx

func (m txMap) Get(h types.Hash) (*types.Tx, bool) { tx, ok := m[h]; return tx, ok }

func mapOf(txs []*types.Tx) txMap {
	m := make(txMap, len(txs))
	for _, tx := range txs {
		m[tx.Hash()] = tx
	}
	return m
}

func encCompact(t testing.TB, m consensus.Message) []byte {
	t.Helper()
	b, err := encodeCompact(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCompactRoundTrip(t *testing.T) {
	txs := compactTxs(t, 5)
	keys := gateKeys(t, 1)
	blk := txBlock(11, 1, txs)
	ev := []types.Evidence{}
	for _, tc := range []struct {
		name string
		m    consensus.Message
	}{
		{"with txs", consensus.Message{Proposal: signedProposal(t, keys[0], blk, 0, consensus.NoRound), Block: blk}},
		{"empty", consensus.Message{Proposal: signedProposal(t, keys[0], gateBlock(11, 2), 0, consensus.NoRound), Block: gateBlock(11, 2)}},
		{"with a proof of lock", consensus.Message{Proposal: signedProposal(t, keys[0], blk, 1, 0), Block: blk,
			POL: []*types.Vote{signedVote(t, keys[0], types.Prevote, 11, 0, blk.Hash())}}},
		{"empty evidence list", consensus.Message{Proposal: signedProposal(t, keys[0], blk, 0, consensus.NoRound),
			Block: types.NewBlock(blk.Header, txs, nil, ev)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := encCompact(t, tc.m)
			cp, err := decodeCompact(b, 100)
			if err != nil {
				t.Fatal(err)
			}
			if cp.msg.Block.Hash() != tc.m.Block.Hash() || len(cp.hashes) != len(tc.m.Block.Txs) || len(cp.msg.POL) != len(tc.m.POL) {
				t.Fatalf("decoded %+v", cp)
			}
			c := &compactIn{maxTxs: limit(100), txs: mapOf(txs), recent: new(recentBlocks), met: newCompactMetrics()}
			full, v := c.complete("", cp.msg.Block, cp.hashes)
			if v != p2p.Accept {
				t.Fatalf("complete: %v", v)
			}
			want, _ := tc.m.Encode()
			got, _ := consensus.Message{Proposal: cp.msg.Proposal, Block: full, POL: cp.msg.POL}.Encode()
			if string(got) != string(want) {
				t.Error("the rebuilt message encodes differently from the original")
			}
		})
	}
	if _, err := decodeCompact(encCompact(t, consensus.Message{Proposal: signedProposal(t, keys[0], blk, 0, consensus.NoRound), Block: blk}), 4); err == nil {
		t.Error("5 tx hashes decoded under a limit of 4")
	}
	// Nodes without compact support refuse the kind instead of misreading it.
	if _, err := consensus.DecodeMessage([]byte{kindCompactProposal, 0xc0}); err == nil {
		t.Error("consensus.DecodeMessage accepts the compact kind")
	}
}

// TestCompactGateVerdicts: a compact proposal is judged like the full form
// (form, signer, turn, signature), then completed.
func TestCompactGateVerdicts(t *testing.T) {
	keys := gateKeys(t, 1)
	txs := compactTxs(t, 6)
	blk := txBlock(11, 1, txs)
	swapped := encCompact(t, consensus.Message{Proposal: signedProposal(t, keys[0], blk, 3, consensus.NoRound), Block: types.NewBlock(blk.Header, []*types.Tx{txs[1], txs[0], txs[2], txs[3], txs[4], txs[5]}, nil, nil)})
	wrongChain := txBlock(11, 2, txs)
	wrongChain.Header.ChainID++
	wrongChain = types.NewBlock(wrongChain.Header, txs, nil, nil)
	for _, tc := range []struct {
		name string
		held []*types.Tx
		msg  []byte
		want p2p.Verdict
	}{
		{"all txs held", txs, encCompact(t, consensus.Message{Proposal: signedProposal(t, keys[0], blk, 0, consensus.NoRound), Block: blk}), p2p.Accept},
		{"a tx missing, no one to fetch from", txs[1:], encCompact(t, consensus.Message{Proposal: signedProposal(t, keys[0], blk, 1, consensus.NoRound), Block: blk}), p2p.Ignore},
		{"tx hashes not matching the header", txs, swapped, p2p.Reject},
		{"a stranger's proposal", txs, encCompact(t, consensus.Message{Proposal: signedProposal(t, gateKeys(t, 1)[0], blk, 2, consensus.NoRound), Block: blk}), p2p.Reject},
		{"header of another chain", txs, encCompact(t, consensus.Message{Proposal: signedProposal(t, keys[0], wrongChain, 2, consensus.NoRound), Block: wrongChain}), p2p.Reject},
		{"undecodable", txs, []byte{kindCompactProposal, 0xff}, p2p.Reject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := testGate(t, keys)
			g.compact = &compactIn{maxTxs: limit(100), txs: mapOf(tc.held), recent: new(recentBlocks), met: newCompactMetrics()}
			v, m := g.checkWire("", tc.msg)
			if v != tc.want {
				t.Fatalf("verdict %v, want %v", v, tc.want)
			}
			if v == p2p.Accept && (len(m.Block.Txs) != len(txs) || m.Block.CheckBody() != nil) {
				t.Fatal("accepted without a complete block")
			}
		})
	}
}

// A compact copy of a proposal already completed, with other hashes, is
// refused before any fetch (the header fixes the txs); a full proposal
// whose txs do not match its header is refused too.
func TestCompactKnownBlockAlteredHashes(t *testing.T) {
	keys := gateKeys(t, 1)
	txs := compactTxs(t, 4)
	blk := txBlock(11, 1, txs)
	p := signedProposal(t, keys[0], blk, 0, consensus.NoRound)
	g, _ := testGate(t, keys)
	g.compact = &compactIn{maxTxs: limit(100), txs: mapOf(txs), recent: new(recentBlocks), met: newCompactMetrics(),
		fetch: func(context.Context, p2p.PeerID, []types.Hash) ([]*types.Tx, error) {
			t.Error("fetched for a known block")
			return nil, errors.New("no")
		}}
	if v, _ := g.checkWire("", encCompact(t, consensus.Message{Proposal: p, Block: blk})); v != p2p.Accept {
		t.Fatalf("honest compact proposal: %v", v)
	}
	other := compactTxs(t, 5)[4]
	altered := types.NewBlock(blk.Header, []*types.Tx{txs[0], txs[1], txs[2], other}, nil, nil)
	if v, _ := g.checkWire("", encCompact(t, consensus.Message{Proposal: p, Block: altered})); v != p2p.Reject {
		t.Errorf("altered copy: %v, want Reject", v)
	}
	if v, _ := g.checkWire("", encCompact(t, consensus.Message{Proposal: p, Block: blk})); v != p2p.Accept {
		t.Errorf("re-broadcast: %v, want Accept", v)
	}
	blk2 := txBlock(11, 2, txs)
	bad := types.NewBlock(blk2.Header, txs[:3], nil, nil)
	if v, _ := g.checkWire("", encMsg(t, consensus.Message{Proposal: signedProposal(t, keys[0], blk2, 1, consensus.NoRound), Block: bad})); v != p2p.Reject {
		t.Errorf("full proposal with txs not matching its header: %v, want Reject", v)
	}
}

// compactPeer is a p2p host whose consensus gossip goes through a gate that
// completes compact proposals, recording verdicts and delivered messages.
type compactPeer struct {
	host     *p2p.Host
	gate     *gossipGate
	verdicts chan p2p.Verdict
	got      chan consensus.Message
}

func startCompactPeer(t *testing.T, keys []*ecdsa.PrivateKey, pool txMap, fetchTimeout time.Duration) *compactPeer {
	t.Helper()
	_, nk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p2p.DefaultConfig()
	cfg.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", testport.Free(t))}
	cfg.NodeKey, cfg.ChainID, cfg.GenesisHash = nk, gateChain, types.Keccak256([]byte("compact test"))
	cfg.FetchTimeout = fetchTimeout
	g, _ := testGate(t, keys)
	recent := new(recentBlocks)
	src := txSources{pool, recent}
	p := &compactPeer{gate: g, verdicts: make(chan p2p.Verdict, 16), got: make(chan consensus.Message, 16)}
	p.host, err = p2p.New(cfg, p2p.Handlers{
		FetchTxs: src,
		CheckConsensus: func(from p2p.PeerID, b []byte) (p2p.Verdict, any) {
			v, m := g.checkWire(from, b)
			p.verdicts <- v
			return v, m
		},
		OnConsensus: func(_ p2p.PeerID, _ []byte, checked any) { p.got <- checked.(consensus.Message) },
	})
	if err != nil {
		t.Fatal(err)
	}
	g.compact = &compactIn{maxTxs: limit(cfg.MaxFetchTxs), txs: src, recent: recent, fetch: p.host.FetchTxs, met: newCompactMetrics()}
	if err := p.host.Start(context.Background()); err != nil {
		p.host.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { p.host.Close() })
	return p
}

// TestCompactProposalOverNetwork: real hosts on loopback. The proposer
// publishes compact proposals; the receiver completes them from its pool,
// by fetching from the proposer, or not at all.
func TestCompactProposalOverNetwork(t *testing.T) {
	keys := gateKeys(t, 1)
	txs := compactTxs(t, 40)
	unknown := compactTxs(t, 41)[40] // a tx nobody holds
	proposer := startCompactPeer(t, keys, mapOf(txs), time.Second)
	receiver := startCompactPeer(t, keys, mapOf(txs[:20]), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := receiver.host.Connect(ctx, proposer.host.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, n, _ := proposer.host.TopicPeers(); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no consensus topic peer")
		}
		time.Sleep(20 * time.Millisecond)
	}

	met := receiver.gate.compact.met
	for i, tc := range []struct {
		name     string
		txs      []*types.Tx
		swap     bool
		want     p2p.Verdict
		outcome  string
		fetchedN int
	}{
		{"txs held by the receiver: no fetch", txs[:20], false, p2p.Accept, "local", 0},
		{"txs missing: completed by fetch", txs, false, p2p.Accept, "fetched", 20},
		{"a tx nobody has: ignored", append(txs[:5:5], unknown), false, p2p.Ignore, "unresolved", 0},
		{"hashes not matching the header: rejected", txs[:20], true, p2p.Reject, "mismatch", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blk := txBlock(11, byte(i), tc.txs)
			sent := blk
			if tc.swap {
				order := append([]*types.Tx{tc.txs[1], tc.txs[0]}, tc.txs[2:]...)
				sent = types.NewBlock(blk.Header, order, nil, nil)
			}
			m := consensus.Message{Proposal: signedProposal(t, keys[0], blk, uint32(i), consensus.NoRound), Block: sent}
			fetchedBefore := testutil.ToFloat64(met.fetched)
			outcomeBefore := testutil.ToFloat64(met.outcomes.WithLabelValues(tc.outcome))
			if err := proposer.host.PublishConsensus(ctx, encCompact(t, m)); err != nil {
				t.Fatal(err)
			}
			select {
			case v := <-receiver.verdicts:
				if v != tc.want {
					t.Fatalf("verdict %v, want %v", v, tc.want)
				}
			case <-ctx.Done():
				t.Fatal("no verdict")
			}
			if tc.want == p2p.Accept {
				got := <-receiver.got
				if got.Block.Hash() != blk.Hash() || len(got.Block.Txs) != len(tc.txs) || got.Block.CheckBody() != nil {
					t.Fatal("delivered block differs from the proposed one")
				}
			}
			if d := testutil.ToFloat64(met.fetched) - fetchedBefore; int(d) != tc.fetchedN {
				t.Errorf("fetched %v txs, want %d", d, tc.fetchedN)
			}
			if d := testutil.ToFloat64(met.outcomes.WithLabelValues(tc.outcome)) - outcomeBefore; d != 1 {
				t.Errorf("outcome %q counted %v times, want 1", tc.outcome, d)
			}
		})
	}
	// An unresolved proposal costs the relayer nothing: it may have lost
	// the txs. (The mismatch is gossipsub's to score, not a ban.)
	if b := receiver.host.Banned(); len(b) != 0 {
		t.Errorf("receiver banned %v", b)
	}
}

// transferProposal is a signed proposal of a 2,000-transfer block: its txs
// and the proposal in the full and the compact wire form.
func transferProposal(tb testing.TB) (txs []*types.Tx, full, compact []byte) {
	keys := gateKeys(tb, 1)
	txs = compactTxs(tb, 2000)
	blk := txBlock(11, 1, txs)
	m := consensus.Message{Proposal: signedProposal(tb, keys[0], blk, 0, consensus.NoRound), Block: blk}
	return txs, encMsg(tb, m), encCompact(tb, m)
}

// TestCompactProposalSize logs the bytes of a 2,000-transfer proposal in
// both forms and checks the compact one is a small fraction.
func TestCompactProposalSize(t *testing.T) {
	txs, full, compact := transferProposal(t)
	t.Logf("2,000-transfer proposal: full %d bytes, compact %d bytes (%.1f%%); fullSize estimate %d",
		len(full), len(compact), 100*float64(len(compact))/float64(len(full)), fullSize(len(compact), txs))
	// A transfer is ~100 bytes and its hash 33 on the wire: the compact
	// form of a block of transfers is about a third of the full one (the
	// hash list is most of it), less for larger txs.
	if len(compact)*5 > len(full)*2 {
		t.Errorf("compact %d bytes is more than 40%% of full %d", len(compact), len(full))
	}
	if d := fullSize(len(compact), txs) - len(full); d < -8 || d > 8 {
		t.Errorf("fullSize estimate off by %d bytes", d)
	}
}

// BenchmarkProposalDecode compares what a receiver spends to take a
// 2,000-transfer proposal in each form, all txs already pooled.
func BenchmarkProposalDecode(b *testing.B) {
	txs, full, compact := transferProposal(b)
	b.Run("full", func(b *testing.B) {
		b.SetBytes(int64(len(full)))
		for b.Loop() {
			if _, err := consensus.DecodeMessage(full); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compact", func(b *testing.B) {
		b.SetBytes(int64(len(compact)))
		pool, met := mapOf(txs), newCompactMetrics()
		for b.Loop() {
			cp, err := decodeCompact(compact, 10_000)
			if err != nil {
				b.Fatal(err)
			}
			// A fresh recent each time: a kept block would answer at once.
			c := &compactIn{maxTxs: limit(10_000), txs: pool, recent: new(recentBlocks), met: met}
			if _, v := c.complete("", cp.msg.Block, cp.hashes); v != p2p.Accept {
				b.Fatal(v)
			}
		}
	})
}

// FuzzDecodeCompact: no panic; what decodes re-encodes to the same bytes
// (the form is canonical) and stays within the hash limit.
func FuzzDecodeCompact(f *testing.F) {
	keys := gateKeys(f, 1)
	txs := compactTxs(f, 3)
	blk := txBlock(11, 1, txs)
	f.Add(encCompact(f, consensus.Message{Proposal: signedProposal(f, keys[0], blk, 0, consensus.NoRound), Block: blk}))
	f.Add([]byte{kindCompactProposal, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := decodeCompact(b, 8)
		if err != nil {
			return
		}
		if len(cp.hashes) > 8 {
			t.Fatalf("%d hashes past a limit of 8", len(cp.hashes))
		}
		w := wireCompact{Proposal: *cp.msg.Proposal, Header: cp.msg.Block.Header, LastCommit: *cp.msg.Block.LastCommit,
			Evidence: cp.msg.Block.Evidence, TxHashes: cp.hashes, POL: cp.msg.POL}
		again, err := rlp.EncodeToBytes(&w)
		if err != nil {
			t.Fatal(err)
		}
		if string(append([]byte{kindCompactProposal}, again...)) != string(b) {
			t.Fatal("decoded compact proposal re-encodes differently")
		}
	})
}

// limit is a compactIn.maxTxs that does not change.
func limit(n int) func() int { return func() int { return n } }
