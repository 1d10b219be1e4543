package p2p

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"go.uber.org/zap/zaptest"

	"github.com/taonet/taod/types"
)

const testChainID = 7

var testGenesis = types.Keccak256([]byte("p2p test genesis"))

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testConfig is a loopback config with short intervals for tests.
func testConfig(t testing.TB) Config {
	cfg := DefaultConfig()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.NodeKey = newKey(t)
	cfg.ChainID = testChainID
	cfg.GenesisHash = testGenesis
	cfg.ScoreInspectInterval = 100 * time.Millisecond
	cfg.BootstrapInterval = 500 * time.Millisecond
	if tt, ok := t.(*testing.T); ok && testing.Verbose() {
		cfg.Logger = zaptest.NewLogger(tt)
	}
	return cfg
}

// startHost starts a host with cfg and closes it when the test ends.
func startHost(t testing.TB, cfg Config, hs Handlers) *Host {
	t.Helper()
	h, err := New(cfg, hs)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		h.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func connect(t testing.TB, a, b *Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatalf("connect %s -> %s: %v", a.ID(), b.ID(), err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func connected(a, b *Host) bool {
	return a.host.Network().Connectedness(b.ID()) == network.Connected
}

func hasPeer(h *Host, p PeerID) bool {
	for _, pi := range h.Peers() {
		if pi.ID == p {
			return true
		}
	}
	return false
}

// signedTxs makes n valid transfers from one key.
func signedTxs(t testing.TB, n int) []*types.Tx {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return signedTxsFrom(t, key, 0, n)
}

func signedTxsFrom(t testing.TB, key *ecdsa.PrivateKey, nonce uint64, n int) []*types.Tx {
	t.Helper()
	txs := make([]*types.Tx, n)
	var to types.Address
	copy(to[:], "recipient-address-20")
	for i := range txs {
		tx, err := types.SignTx(types.TxData{ChainID: testChainID, Nonce: nonce + uint64(i), Fee: 21000, Call: &types.Transfer{To: to, Amount: 1}}, key)
		if err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	return txs
}

// txSink collects delivered txs by hash.
type txSink struct {
	mu   sync.Mutex
	seen map[types.Hash]bool
}

func newTxSink() *txSink { return &txSink{seen: make(map[types.Hash]bool)} }

func (s *txSink) add(_ PeerID, txs []*types.Tx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tx := range txs {
		s.seen[tx.Hash()] = true
	}
}

func (s *txSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

func (s *txSink) has(txs []*types.Tx) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tx := range txs {
		if !s.seen[tx.Hash()] {
			return false
		}
	}
	return true
}

// chainSource is a BlockSource over an in-memory chain of real blocks with
// signed commits.
type chainSource struct {
	blocks  []*types.Block // by height; [0] is genesis
	commits []*types.Commit
}

func (c *chainSource) Head() uint64 { return uint64(len(c.blocks) - 1) }

func (c *chainSource) BlockAt(h uint64) (*types.Block, error) {
	if h >= uint64(len(c.blocks)) {
		return nil, fmt.Errorf("no block %d", h)
	}
	return c.blocks[h], nil
}

func (c *chainSource) CommitAt(h uint64) (*types.Commit, error) {
	if h == 0 || h >= uint64(len(c.commits)) {
		return nil, fmt.Errorf("no commit %d", h)
	}
	return c.commits[h], nil
}

// makeChain builds n blocks after a genesis block, each with txsPer
// transactions and a commit signed by one validator.
func makeChain(t testing.TB, n, txsPer int) *chainSource {
	t.Helper()
	val, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sender, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	gen := types.NewBlock(types.Header{ChainID: testChainID, TxRoot: types.EmptyRoot, LastCommitHash: (*types.Commit)(nil).Hash(), EvidenceHash: types.EvidenceHash(nil)}, nil, nil, nil)
	c := &chainSource{blocks: []*types.Block{gen}, commits: []*types.Commit{nil}}
	var nonce uint64
	for h := uint64(1); h <= uint64(n); h++ {
		parent := c.blocks[h-1]
		last := c.commits[h-1]
		if last == nil {
			last = &types.Commit{}
		}
		var txs []*types.Tx
		if txsPer > 0 {
			txs = signedTxsFrom(t, sender, nonce, txsPer)
			nonce += uint64(txsPer)
		}
		hdr := types.Header{
			ChainID:        testChainID,
			Height:         h,
			Time:           1_700_000_000_000 + h*200,
			ParentHash:     parent.Hash(),
			TxRoot:         types.TxRoot(txs),
			LastCommitHash: last.Hash(),
			EvidenceHash:   types.EvidenceHash(nil),
		}
		b := types.NewBlock(hdr, txs, last, nil)
		vote := types.Vote{Type: types.Precommit, Height: h, BlockHash: b.Hash()}
		if err := vote.Sign(testChainID, val); err != nil {
			t.Fatal(err)
		}
		com := &types.Commit{Height: h, BlockHash: b.Hash(), Signatures: []types.CommitSig{{Validator: vote.Validator, Signature: vote.Signature}}}
		c.blocks = append(c.blocks, b)
		c.commits = append(c.commits, com)
	}
	return c
}
