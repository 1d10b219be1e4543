package client_test

import (
	"errors"
	"testing"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Every typed read reaches its method (a wrong method name is a JSON-RPC
// error) and decodes into its type with values that agree with each other.
func TestTypedReads(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, true)
	ctx := ctxT(t)
	owner := signer(t, devkeys.Key(0))
	r, err := c.SendAndWait(ctx, owner, client.RegisterNetwork("reads"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := c.ChainID(ctx); err != nil || id != chain.TestChainID {
		t.Fatalf("chain id %d %v", id, err)
	}
	head, err := c.Head(ctx)
	if err != nil || head.Number < r.BlockNumber {
		t.Fatalf("head %+v %v", head, err)
	}
	b, err := c.BlockByNumber(ctx, r.BlockNumber)
	if err != nil || b == nil || b.Hash != r.BlockHash || len(b.Transactions) == 0 {
		t.Fatalf("block %d: %+v %v", r.BlockNumber, b, err)
	}
	if b2, err := c.BlockByHash(ctx, r.BlockHash); err != nil || b2 == nil || b2.Number != r.BlockNumber {
		t.Fatalf("block by hash: %+v %v", b2, err)
	}
	if b3, err := c.BlockByNumber(ctx, 1<<40); err == nil && b3 != nil {
		t.Fatalf("a block far in the future: %+v", b3)
	}
	bal, err := c.Balance(ctx, owner.Address())
	if err != nil || bal >= clienttest.DevBalance {
		t.Fatalf("balance after locking a subnet %d %v", bal, err)
	}
	if b0, err := c.BalanceAt(ctx, owner.Address(), 0); err != nil || b0 != clienttest.DevBalance {
		t.Fatalf("genesis balance %d %v", b0, err)
	}
	if n, err := c.NonceAt(ctx, owner.Address(), r.BlockNumber); err != nil || n != 1 {
		t.Fatalf("nonce at %d: %d %v", r.BlockNumber, n, err)
	}
	if n, err := c.PendingNonce(ctx, owner.Address()); err != nil || n != 1 {
		t.Fatalf("pending nonce %d %v", n, err)
	}
	if iss, err := c.TotalIssuance(ctx); err != nil || iss == 0 {
		t.Fatalf("issuance %d %v", iss, err)
	}
	if s, err := c.EmissionSchedule(ctx); err != nil || s.BlockReward == "" || s.MaxSupply == "" {
		t.Fatalf("schedule %+v %v", s, err)
	}
	if p, err := c.Proof(ctx, owner.Address()); err != nil || p.Address != owner.Address() || len(p.Proof) == 0 {
		t.Fatalf("proof %+v %v", p, err)
	}
	subs, err := c.Subnets(ctx)
	if err != nil || len(subs) == 0 {
		t.Fatalf("subnets %+v %v", subs, err)
	}
	netuid := subs[len(subs)-1].Netuid
	if s, err := c.Subnet(ctx, netuid); err != nil || s.Name != "reads" || s.Owner == nil || *s.Owner != owner.Address() {
		t.Fatalf("subnet %+v %v", s, err)
	}
	if h, err := c.Hyperparams(ctx, netuid); err != nil || h.Tempo == 0 || h.MaxUIDs == 0 {
		t.Fatalf("hyperparams %+v %v", h, err)
	}
	if mg, err := c.Metagraph(ctx, netuid); err != nil || len(mg) != 0 {
		t.Fatalf("metagraph %+v %v", mg, err)
	}
	var re gethrpc.Error
	if _, err := c.Neuron(ctx, netuid, 0); !errors.As(err, &re) {
		t.Fatalf("neuron of an empty subnet: %v", err)
	}
	if m, err := c.Weights(ctx, netuid); err != nil || len(m.Weights) != 0 || m.Block < r.BlockNumber {
		t.Fatalf("weights of an empty subnet %+v %v", m, err)
	}
	if _, err := c.Bonds(ctx, netuid, 0); !errors.As(err, &re) || re.ErrorCode() != rpc.CodeInvalidParams {
		t.Fatalf("bonds of a uid the subnet lacks: %v", err)
	}
	if cm, err := c.WeightsCommit(ctx, netuid, owner.Address()); err != nil || cm != nil {
		t.Fatalf("weights commit of a hotkey with none %+v %v", cm, err)
	}
	if _, err := c.WeightsCommit(ctx, 999, owner.Address()); !errors.As(err, &re) || re.ErrorCode() != rpc.CodeNotFound {
		t.Fatalf("weights commit on an unknown subnet: %v", err)
	}
	if _, err := c.Subnet(ctx, 999); !errors.As(err, &re) {
		t.Fatalf("unknown subnet: %v", err)
	}
	if m, err := c.RootMembers(ctx); err != nil || len(m) != 0 {
		t.Fatalf("root %+v %v", m, err)
	}
	if lc, err := c.LockCost(ctx); err != nil || lc == 0 {
		t.Fatalf("lock cost %d %v", lc, err)
	}
	if st, err := c.Stake(ctx, owner.Address(), devkeys.Address(1)); err != nil || st != 0 {
		t.Fatalf("stake %d %v", st, err)
	}
	if h, err := c.Hotkey(ctx, devkeys.Address(1)); err != nil || h != nil {
		t.Fatalf("unknown hotkey %+v %v", h, err)
	}
	if d, err := c.Delegates(ctx); err != nil || len(d) != 0 {
		t.Fatalf("delegates %+v %v", d, err)
	}
	if p, err := c.StakesOf(ctx, owner.Address()); err != nil || len(p) != 0 {
		t.Fatalf("positions %+v %v", p, err)
	}
	if u, err := c.Unbonding(ctx, owner.Address()); err != nil || len(u) != 0 {
		t.Fatalf("unbonding %+v %v", u, err)
	}
	v, err := c.Validators(ctx)
	if err != nil || !v.Bootstrap || len(v.Validators) == 0 {
		t.Fatalf("validators %+v %v", v, err)
	}
	if v1, err := c.ValidatorsAt(ctx, 1); err != nil || v1.Hash != v.Hash {
		t.Fatalf("validators at 1 %+v %v", v1, err)
	}
	if p, err := c.Proposals(ctx, ""); err != nil || len(p) != 0 {
		t.Fatalf("proposals %+v %v", p, err)
	}
	if p, err := c.Proposals(ctx, "voting"); err != nil || len(p) != 0 {
		t.Fatalf("voting proposals %+v %v", p, err)
	}
	if _, err := c.Proposal(ctx, 1); !errors.As(err, &re) {
		t.Fatalf("unknown proposal: %v", err)
	}
	if p, err := c.Params(ctx); err != nil || p.Params.BaseFeePerWeight == 0 {
		t.Fatalf("params %+v %v", p, err)
	}
	if h, err := c.Health(ctx); err != nil || h.Height == 0 {
		t.Fatalf("health %+v %v", h, err)
	}
	tx, err := c.Tx(ctx, r.TxHash)
	if err != nil || tx == nil || tx.From != owner.Address() || tx.Call != types.CallRegisterNetwork.String() {
		t.Fatalf("tx %+v %v", tx, err)
	}
	if tx, err := c.Tx(ctx, types.Hash{9}); err != nil || tx != nil {
		t.Fatalf("unknown tx %+v %v", tx, err)
	}
	if r, err := c.Receipt(ctx, types.Hash{9}); err != nil || r != nil {
		t.Fatalf("unknown receipt %+v %v", r, err)
	}
	// Heads over WS; HTTP says it needs WS.
	heads := make(chan *rpc.HeaderJSON, 4)
	sub, err := c.SubscribeHeads(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	h1 := <-heads
	h2 := <-heads
	sub.Unsubscribe()
	if h2.Number <= h1.Number || h2.ParentHash != h1.Hash {
		t.Fatalf("heads %d %s then %d parent %s", h1.Number, h1.Hash, h2.Number, h2.ParentHash)
	}
	if _, err := tn.Dial(t, false).SubscribeHeads(ctx, heads); !errors.Is(err, client.ErrNeedWS) {
		t.Fatalf("subscribe over HTTP: %v", err)
	}
}
