package rpc_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// subnet_snapshot answers what subnet_metagraph and subnet_hyperparams
// answer, with the height and hash of the block it read them at; after a
// block that registers a neuron, the next snapshot says the new block and
// shows the new neuron.
func TestSnapshotSaysItsBlock(t *testing.T) {
	g := newGoldenChain(t)
	client := dialChain(t, g.c)
	ctx := context.Background()
	call := func(out any, method string, args ...any) {
		t.Helper()
		if err := client.CallContext(ctx, out, method, args...); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	check := func() rpc.MetagraphSnapshotJSON {
		t.Helper()
		var snap rpc.MetagraphSnapshotJSON
		var neurons []rpc.NeuronJSON
		var hyper subnet.Hyperparams
		call(&snap, "subnet_snapshot", 1)
		call(&neurons, "subnet_metagraph", 1)
		call(&hyper, "subnet_hyperparams", 1)
		head, _ := g.store.Head()
		if snap.Block != head.Height || snap.BlockHash != head.Hash {
			t.Fatalf("snapshot at block %d %s, head is %d %s", snap.Block, snap.BlockHash, head.Height, head.Hash)
		}
		if !reflect.DeepEqual(snap.Neurons, neurons) || !reflect.DeepEqual(snap.Hyperparams, hyper) {
			a, _ := json.Marshal(snap)
			t.Fatalf("snapshot %s differs from subnet_metagraph %v / subnet_hyperparams %+v", a, neurons, hyper)
		}
		return snap
	}
	before := check()
	var nonce uint64
	call(&nonce, "tao_getNonce", devkeys.Address(0))
	g.produce(g.sign(devkeys.Key(0), nonce, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(13)}))
	after := check()
	if after.Block != before.Block+1 || len(after.Neurons) != len(before.Neurons)+1 || after.Neurons[len(after.Neurons)-1].Hotkey != devkeys.Address(13) {
		t.Fatalf("after a registration: block %d → %d, neurons %d → %d", before.Block, after.Block, len(before.Neurons), len(after.Neurons))
	}
	var none rpc.MetagraphSnapshotJSON
	if err := client.CallContext(ctx, &none, "subnet_snapshot", 99); err == nil || err.Error() != "subnet 99 does not exist" {
		t.Fatalf("unknown subnet: %v", err)
	}
}
