package rpc_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/query"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// dumpView reads everything a View offers about the golden chain's keys,
// subnet and proposals.
func dumpView(t *testing.T, v rpc.View) string {
	t.Helper()
	owner, nominator, hotkey := devkeys.Address(1), devkeys.Address(2), devkeys.Address(10)
	hk, hkOK := v.Hotkey(hotkey)
	sub, subOK := v.Subnet(1)
	n0, n0OK := v.Neuron(1, 0)
	p1, p1OK := v.Proposal(1)
	p2, p2OK := v.Proposal(2)
	up, upOK := v.ScheduledUpgrade()
	set, err := v.ValidatorSet(v.Head().Height + 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal([]any{
		v.Head(), v.Params(),
		v.Account(owner), v.Account(nominator), v.Account(types.Address{0x42}), v.Issuance(), v.UndistributedPool(),
		v.Stake(owner, hotkey), v.Stake(nominator, hotkey), hk, hkOK, v.Nominators(hotkey), v.Hotkeys(),
		v.StakesOf(owner), v.StakesOf(nominator), v.UnbondingOf(nominator), set.Hash(),
		sub, subOK, v.Subnets(), v.Neurons(1), n0, n0OK, v.Weights(1, 0), v.RootMembers(), v.RootWeights(hotkey), v.NetworkLockCost(),
		v.Proposals(), p1, p1OK, p2, p2OK, v.Votes(1), v.Votes(2), v.Tally(2), up, upOK,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A View reads one block, whatever commits while it is open: every one of
// its reads, not only some. (A reader that went around the view to the live
// state would show the later blocks' stake, balances, neurons or votes.)
func TestViewReadsOneBlockWhileBlocksCommit(t *testing.T) {
	g := newGoldenChain(t)
	q := query.New(g.c)
	before, err := q.View()
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	height := before.Head().Height
	first := dumpView(t, before)

	// Touch every namespace: balances, stake and unbonding, a neuron, weights,
	// votes and a new proposal.
	owner, nominator := devkeys.Key(1), devkeys.Key(2)
	hotkey := devkeys.Address(10)
	g.produce(
		g.sign(owner, 6, &types.AddStake{Hotkey: hotkey, Amount: 7 * tao}),
		g.sign(nominator, 4, &types.RemoveStake{Hotkey: hotkey, Amount: tao}),
		g.sign(devkeys.Key(0), 3, &types.Transfer{To: types.Address{0x42}, Amount: tao}),
		g.sign(devkeys.Key(0), 4, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(12)}),
		g.sign(owner, 7, &types.GovVote{ProposalID: 2, Option: types.VoteYes}),
		g.sign(owner, 8, &types.Propose{ProposalKind: types.ProposalText, Title: "later", Deposit: g.c.Params().Gov.MinDeposit}),
	)
	g.produce(g.sign(devkeys.Key(10), 2, &types.SetWeights{Netuid: 1, UIDs: []uint16{0, 1, 2}, Weights: []uint16{1, 2, 3}}))

	if got := dumpView(t, before); got != first {
		t.Fatalf("a view opened at height %d changed as blocks committed:\nbefore %s\nafter  %s", height, first, got)
	}
	after, err := q.View()
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if h := after.Head().Height; h != height+2 {
		t.Fatalf("a new view is at height %d, want %d", h, height+2)
	}
	if dumpView(t, after) == first {
		t.Fatal("a new view reads the old state")
	}
}

// A balance read over HTTP, end to end: what a View adds (BenchmarkHeadAccount
// in internal/query) against a whole call.
func BenchmarkGetBalanceRPC(b *testing.B) {
	g := newGoldenChain(b)
	srv, err := rpc.NewServer(rpc.Config{BatchItems: 100, BatchBytes: 10 << 20, BodyBytes: 1 << 20, SubsPerConn: 4}, newTestBackend(g.c))
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { hs.Close(); srv.Stop() })
	client, err := gethrpc.Dial(hs.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	owner := devkeys.Address(1)
	for b.Loop() {
		var bal string
		if err := client.CallContext(context.Background(), &bal, "tao_getBalance", owner); err != nil || bal == "0" {
			b.Fatalf("balance %q: %v", bal, err)
		}
	}
}
