package rpc_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// subnet_weights answers every UID's row as subnet_neuron does one by one,
// from one block; subnet_bonds answers the row the epoch stored.
func TestWeightMatrixAndBonds(t *testing.T) {
	g := newGoldenChain(t)
	cl := dialChain(t, g.c)
	ctx := context.Background()

	var m rpc.WeightMatrixJSON
	if err := cl.CallContext(ctx, &m, "subnet_weights", 1); err != nil {
		t.Fatal(err)
	}
	head, _ := g.store.Head()
	if m.Block != head.Height || m.BlockHash != head.Hash || len(m.Weights) != 2 {
		t.Fatalf("matrix at %d %s with %d rows, head %d %s with 2 neurons", m.Block, m.BlockHash, len(m.Weights), head.Height, head.Hash)
	}
	// The validator (uid 0) weighs [0: 100, 1: 65535]; the miner set none.
	if want := [][2]uint16{{0, 100}, {1, 65535}}; !reflect.DeepEqual(m.Weights[0], want) || len(m.Weights[1]) != 0 {
		t.Fatalf("matrix %v, want row 0 %v and an empty row 1", m.Weights, want)
	}
	for uid := range uint16(2) {
		var n rpc.NeuronDetail
		if err := cl.CallContext(ctx, &n, "subnet_neuron", 1, uid); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(n.Weights, m.Weights[uid]) {
			t.Fatalf("uid %d: subnet_neuron %v, subnet_weights %v", uid, n.Weights, m.Weights[uid])
		}
	}

	st := g.c.State()
	for uid := range uint16(2) {
		var bonds [][2]uint16
		if err := cl.CallContext(ctx, &bonds, "subnet_bonds", 1, uid); err != nil {
			t.Fatal(err)
		}
		stored := subnet.BondsOf(st, 1, uid)
		if len(bonds) != len(stored.Index) {
			t.Fatalf("uid %d: bonds %v, stored %+v", uid, bonds, stored)
		}
		for i, p := range bonds {
			if p[0] != stored.Index[i] || p[1] != stored.Values[i] {
				t.Fatalf("uid %d: bonds %v, stored %+v", uid, bonds, stored)
			}
		}
	}
	// The epoch after the validator's weights bonded it to the miner (the
	// only other neuron; Yuma masks a validator's weight on itself).
	var bonds [][2]uint16
	if err := cl.CallContext(ctx, &bonds, "subnet_bonds", 1, 0); err != nil {
		t.Fatal(err)
	}
	if len(bonds) != 1 || bonds[0][0] != 1 || bonds[0][1] == 0 {
		t.Fatalf("validator's bonds after an epoch: %v", bonds)
	}

	for _, c := range []struct {
		method string
		params []any
		code   int
		want   string
	}{
		{"subnet_bonds", []any{99, 0}, rpc.CodeNotFound, "subnet 99 does not exist"},
		{"subnet_bonds", []any{1, 2}, rpc.CodeInvalidParams, "uid 2 is out of range: subnet 1 has 2 neurons"},
		{"subnet_bonds", []any{70000, 0}, rpc.CodeInvalidParams, "invalid argument 0"},
		{"subnet_bonds", []any{1, -1}, rpc.CodeInvalidParams, "invalid argument 1"},
		{"subnet_bonds", []any{1}, rpc.CodeInvalidParams, "missing value"},
		{"subnet_weights", []any{99}, rpc.CodeNotFound, "subnet 99 does not exist"},
		{"subnet_weights", []any{"one"}, rpc.CodeInvalidParams, "invalid argument 0"},
		{"subnet_weightsCommit", []any{99, devkeys.Address(10)}, rpc.CodeNotFound, "subnet 99 does not exist"},
		{"subnet_weightsCommit", []any{1, "0x12"}, rpc.CodeInvalidParams, "invalid argument 1"},
		{"subnet_weightsCommit", []any{1, "hotkey"}, rpc.CodeInvalidParams, "invalid argument 1"},
		{"subnet_weightsCommit", []any{1, types.Address{}}, rpc.CodeInvalidParams, "zero address"},
	} {
		e := callErr(t, cl, c.method, c.params...)
		if e.ErrorCode() != c.code || !strings.Contains(e.Error(), c.want) {
			t.Errorf("%s %v: error %d %q, want %d containing %q", c.method, c.params, e.ErrorCode(), e.Error(), c.code, c.want)
		}
	}
}

// subnet_weightsCommit shows a pending commit with its reveal span, and
// null once it is revealed or for a hotkey that has none.
func TestWeightsCommitRead(t *testing.T) {
	c, store := openChain(t, state.Options{CacheMB: 8, TrieCache: 4}, 2, func(gen *chain.Genesis) {
		gen.Subnets = []chain.GenesisSubnet{{Name: "cr", Owner: devkeys.Address(0)}}
	})
	g := &goldenChain{t: t, c: c, store: store, txs: map[string]types.Hash{}}
	owner, hot, hotkey := devkeys.Key(0), devkeys.Key(10), devkeys.Address(10)
	g.produce(g.sign(owner, 0, &types.SetHyperparam{Netuid: 1, Name: "commit_reveal", Value: 1}),
		g.sign(owner, 1, &types.BurnedRegister{Netuid: 1, Hotkey: hotkey}),
		g.sign(owner, 2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(11)}),
		g.sign(owner, 3, &types.Transfer{To: hotkey, Amount: tao}))
	cl := dialChain(t, c)
	ctx := context.Background()
	read := func(hk types.Address) *rpc.WeightsCommitJSON {
		t.Helper()
		var cm *rpc.WeightsCommitJSON
		if err := cl.CallContext(ctx, &cm, "subnet_weightsCommit", 1, hk); err != nil {
			t.Fatal(err)
		}
		return cm
	}
	if cm := read(hotkey); cm != nil {
		t.Fatalf("a commit before any: %+v", cm)
	}

	uids, ws, salt := []uint16{1}, []uint16{100}, []byte("pepper")
	hash := types.WeightsCommitHash(hotkey, 1, uids, ws, salt, 0)
	e := g.produce(g.sign(hot, 0, &types.CommitWeights{Netuid: 1, Hash: hash}))
	committed := e.Block.Height()
	h := c.Params().Subnets.Defaults
	want := rpc.WeightsCommitJSON{Hash: hash, Block: committed, RevealFrom: committed + h.RevealDelay, RevealUntil: committed + h.RevealDelay + h.RevealWindow - 1}
	if cm := read(hotkey); cm == nil || *cm != want {
		t.Fatalf("commit %+v, want %+v", cm, want)
	}
	if cm := read(devkeys.Address(11)); cm != nil {
		t.Fatalf("a commit for a hotkey that made none: %+v", cm)
	}
	if cm := read(types.Address{0x77}); cm != nil {
		t.Fatalf("a commit for a stranger: %+v", cm)
	}

	// Revealed in the first block the answer allows: the commit is gone.
	for {
		head, _ := store.Head()
		if head.Height+1 >= want.RevealFrom {
			break
		}
		g.produce()
	}
	g.produce(g.sign(hot, 1, &types.RevealWeights{Netuid: 1, UIDs: uids, Weights: ws, Salt: salt}))
	if cm := read(hotkey); cm != nil {
		t.Fatalf("commit after its reveal: %+v", cm)
	}
}

// denseView shows subnet 1 with 4,096 neurons, each weighing perRow UIDs.
type denseView struct {
	rpc.View
	perRow int
}

func (v denseView) Subnet(netuid uint16) (rpc.SubnetInfo, bool) {
	s, ok := v.View.Subnet(netuid)
	s.N = 4096
	return s, ok
}

func (v denseView) Weights(netuid, uid uint16) rpc.Sparse {
	var row rpc.Sparse
	for j := range v.perRow {
		row.Index = append(row.Index, uint16(j*16))
		row.Values = append(row.Values, uint16(1000+j))
	}
	return row
}

type denseBackend struct {
	testBackend
	perRow int
}

func (b denseBackend) View() (rpc.View, error) {
	v, err := b.testBackend.View()
	return denseView{View: v, perRow: b.perRow}, err
}

// subnet_weights answers a matrix of exactly MaxWeightPairs pairs and
// refuses one pair-row more, with -32005.
func TestWeightMatrixBound(t *testing.T) {
	c, _ := openChain(t, state.Options{CacheMB: 8, TrieCache: 4}, 1, func(gen *chain.Genesis) {
		gen.Subnets = []chain.GenesisSubnet{{Name: "big"}}
	})
	ctx := context.Background()
	at := dialBackend(t, denseBackend{testBackend: newTestBackend(c), perRow: rpc.MaxWeightPairs / 4096})
	var raw json.RawMessage
	if err := at.CallContext(ctx, &raw, "subnet_weights", 1); err != nil {
		t.Fatal(err)
	}
	var m rpc.WeightMatrixJSON
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Weights) != 4096 || len(m.Weights[4095]) != 256 || m.Weights[4095][255] != [2]uint16{255 * 16, 1255} {
		t.Fatalf("%d rows, last %d pairs", len(m.Weights), len(m.Weights[len(m.Weights)-1]))
	}
	if len(raw) > 13_000_000 {
		t.Fatalf("answer at the bound is %d bytes, documented as about 12-13 MB", len(raw))
	}
	t.Logf("subnet_weights at the bound (4,096 rows x 256): %d bytes", len(raw))

	over := dialBackend(t, denseBackend{testBackend: newTestBackend(c), perRow: rpc.MaxWeightPairs/4096 + 1})
	e := callErr(t, over, "subnet_weights", 1)
	if e.ErrorCode() != rpc.CodeLimit || !strings.Contains(e.Error(), "subnet_neuron") {
		t.Fatalf("over the bound: %d %q", e.ErrorCode(), e.Error())
	}
}
