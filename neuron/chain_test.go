package neuron_test

import (
	"context"
	"crypto/ecdsa"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/axon"
	"github.com/taonet/taod/neuron/dendrite"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/neuron/weights"
	"github.com/taonet/taod/rpc"
)

type ask struct{ Q string }
type answer struct{ A string }

// The whole SDK against a test-preset node: register, announce an axon,
// find it through the synced metagraph, query it, turn scores into weights
// and set them directly, after a rate limit, and by commit-reveal.
func TestSDKAgainstNode(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	owner, cold := sign(t, devkeys.Key(0)), sign(t, devkeys.Key(1))
	const netuid = 1
	ok(t)(c.SendAndWait(ctx, owner, client.RegisterNetwork("neuron-test")))
	ok(t)(c.SendAndWait(ctx, owner, client.SetHyperparam(netuid, "weights_rate_limit", 4)))
	keys := make([]*ecdsa.PrivateKey, 4) // uid 0 validator, 1..3 miners
	for i := range keys {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
		ok(t)(c.SendAndWait(ctx, cold, client.BurnedRegister(netuid, crypto.PubkeyToAddress(k.PublicKey))))
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mg := metagraph.New(netuid)
	if err := mg.Sync(ctx, c); err != nil {
		t.Fatal(err)
	}
	if len(mg.Neurons()) != 4 {
		t.Fatalf("%d neurons", len(mg.Neurons()))
	}

	// Miner uid 1 serves and announces; the metagraph then shows its endpoint.
	ax, err := axon.New(axon.Config{Key: keys[1], ChainID: chainID, Netuid: netuid, Metagraph: mg})
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle(ax, "ask", func(_ context.Context, caller neuron.Neuron, q ask) (answer, error) {
		return answer{A: q.Q + "!"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = ax.Serve(ctx, ln, 0) }()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	an := axon.ClientAnnouncer{Client: c, Signer: sign(t, keys[1])}
	if err := ax.Announce(ctx, an, net.ParseIP("127.0.0.1"), port, 1); err != nil {
		t.Fatal(err)
	}
	if err := mg.Sync(ctx, c); err != nil {
		t.Fatal(err)
	}
	m1, _ := mg.ByUID(1)
	if m1.Axon.Addr() != ln.Addr().String() {
		t.Fatalf("metagraph axon %q, want %q", m1.Axon.Addr(), ln.Addr())
	}
	// The view is of one block: nothing in it happened after its Block.
	for _, n := range mg.Neurons() {
		if n.RegisteredAt > mg.Block() || n.LastUpdate > mg.Block() || n.Axon.Block > mg.Block() {
			t.Fatalf("view at block %d holds uid %d registered at %d, updated at %d, axon at %d", mg.Block(), n.UID, n.RegisteredAt, n.LastUpdate, n.Axon.Block)
		}
	}
	if head, err := c.BlockNumber(ctx); err != nil || head < mg.Block() || m1.Axon.Block == 0 {
		t.Fatalf("head %d (%v), view at %d, axon at block %d", head, err, mg.Block(), m1.Axon.Block)
	}
	// Unchanged endpoint: the second announcement sends nothing (a send would be rate limited).
	if err := ax.Announce(ctx, an, net.ParseIP("127.0.0.1"), port, 1); err != nil {
		t.Fatalf("re-announce: %v", err)
	}

	d, err := dendrite.New(dendrite.Config{Key: keys[0], ChainID: chainID, Netuid: netuid, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := dendrite.Query[ask, answer](ctx, d, mg.Neurons()[1:], "ask", ask{Q: "hi"})
	if res[0].Status != dendrite.StatusOK || res[0].Response.A != "hi!" || res[1].Status != dendrite.StatusUnreachable {
		t.Fatalf("query: %+v / %+v", res[0], res[1])
	}

	// Scores → weights → chain.
	scores := []uint64{0, 80, 20, 0}
	uids, w, err := weights.FromScores(mg.Hyperparams(), 0, scores)
	if err != nil {
		t.Fatal(err)
	}
	setter := weights.NewSetter(c, sign(t, keys[0]), mg)
	r1 := ok(t)(setter.Set(ctx, uids, w))
	onChain(t, c, netuid, uids, w)
	// Again at once: the setter waits out weights_rate_limit (4 blocks).
	w2 := []uint16{65535, 65535}
	r2 := ok(t)(setter.Set(ctx, uids, w2))
	if r2.BlockNumber < r1.BlockNumber+4 {
		t.Fatalf("second set at block %d, first at %d: rate limit not waited out", r2.BlockNumber, r1.BlockNumber)
	}
	onChain(t, c, netuid, uids, w2)

	// Commit-reveal subnet: the same call commits, waits reveal_delay, reveals.
	ok(t)(c.SendAndWait(ctx, owner, client.SetHyperparam(netuid, "commit_reveal", 1)))
	ok(t)(c.SendAndWait(ctx, owner, client.SetHyperparam(netuid, "reveal_delay", 3)))
	if err := mg.Sync(ctx, c); err != nil {
		t.Fatal(err)
	}
	w3 := []uint16{100, 65535}
	r3 := ok(t)(setter.Set(ctx, uids, w3))
	if r3.BlockNumber < r2.BlockNumber+3 {
		t.Fatalf("reveal at block %d", r3.BlockNumber)
	}
	onChain(t, c, netuid, uids, w3)
	if m, err := c.Weights(ctx, netuid); err != nil || len(m.Weights) != 4 || !slices.Equal(m.Weights[0], [][2]uint16{{uids[0], w3[0]}, {uids[1], w3[1]}}) {
		t.Fatalf("weight matrix %+v %v, want row 0 %v %v", m, err, uids, w3)
	}

	// A validator restarted between commit and reveal: the chain holds a
	// commit whose salt is lost. The new Setter reads it and waits out
	// weights_rate_limit from it, sending no commit the chain refuses.
	val := sign(t, keys[0])
	lost := ok(t)(c.SendAndWait(ctx, val, client.CommitWeights(val.Address(), netuid, uids, w2, []byte("lost salt"), 0)))
	pending, err := c.WeightsCommit(ctx, netuid, val.Address())
	if err != nil || pending == nil || pending.Block != lost.BlockNumber || pending.RevealFrom != lost.BlockNumber+3 {
		t.Fatalf("pending commit %+v %v, committed at %d", pending, err, lost.BlockNumber)
	}
	nonce, err := c.Nonce(ctx, val.Address())
	if err != nil {
		t.Fatal(err)
	}
	r4 := ok(t)(weights.NewSetter(c, val, mg).Set(ctx, uids, w3))
	if r4.BlockNumber < lost.BlockNumber+4+3 {
		t.Fatalf("reveal at block %d: the commit did not wait out the rate limit from block %d", r4.BlockNumber, lost.BlockNumber)
	}
	if n, err := c.Nonce(ctx, val.Address()); err != nil || n != nonce+2 {
		t.Fatalf("nonce %d after the restarted Setter (%v), want %d: one commit and one reveal, no refused tx", n, err, nonce+2)
	}
	if cm, err := c.WeightsCommit(ctx, netuid, val.Address()); err != nil || cm != nil {
		t.Fatalf("commit after the reveal %+v %v", cm, err)
	}
}

func onChain(t *testing.T, c *client.Client, netuid uint16, uids, w []uint16) {
	t.Helper()
	d, err := c.Neuron(context.Background(), netuid, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []uint16
	var gotW []uint16
	for _, p := range d.Weights {
		got, gotW = append(got, p[0]), append(gotW, p[1])
	}
	if !slices.Equal(got, uids) || !slices.Equal(gotW, w) {
		t.Fatalf("weights on chain %v %v, want %v %v", got, gotW, uids, w)
	}
}

func sign(t testing.TB, k *ecdsa.PrivateKey) *client.Signer {
	t.Helper()
	s, err := client.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ok(t testing.TB) func(*rpc.ReceiptJSON, error) *rpc.ReceiptJSON {
	return func(r *rpc.ReceiptJSON, err error) *rpc.ReceiptJSON {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "success" {
			t.Fatalf("receipt %+v", r)
		}
		return r
	}
}

// BenchmarkSetWeightsRoundTrip is one Setter.Set on a test-preset node
// (200 ms blocks, weights_rate_limit 0): send, inclusion, receipt. It is
// bounded below by the block time.
func BenchmarkSetWeightsRoundTrip(b *testing.B) {
	tn := clienttest.Start(b)
	c := tn.Dial(b, true)
	ctx := context.Background()
	owner, cold := sign(b, devkeys.Key(0)), sign(b, devkeys.Key(1))
	ok(b)(c.SendAndWait(ctx, owner, client.RegisterNetwork("bench")))
	ok(b)(c.SendAndWait(ctx, owner, client.SetHyperparam(1, "weights_rate_limit", 0)))
	val, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []*ecdsa.PrivateKey{val, devkeys.Key(2)} {
		ok(b)(c.SendAndWait(ctx, cold, client.BurnedRegister(1, crypto.PubkeyToAddress(k.PublicKey))))
	}
	mg := metagraph.New(1)
	if err := mg.Sync(ctx, c); err != nil {
		b.Fatal(err)
	}
	setter := weights.NewSetter(c, sign(b, val), mg)
	setter.Poll = 10 * time.Millisecond
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ok(b)(setter.Set(ctx, []uint16{0, 1}, []uint16{uint16(i), 65535}))
	}
}
