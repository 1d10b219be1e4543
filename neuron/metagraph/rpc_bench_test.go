package metagraph_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// bigView is a head state holding one subnet of n neurons, all staked and
// serving; only what subnet_snapshot reads is implemented.
type bigView struct {
	rpc.View
	neurons []rpc.Neuron
}

func (v *bigView) Head() rpc.Head { return rpc.Head{Height: 4242, Hash: types.Hash{0x42}} }
func (v *bigView) Close()         {}
func (v *bigView) Subnet(netuid uint16) (rpc.SubnetInfo, bool) {
	return subnet.Info{Netuid: netuid, Name: "big", Hyper: subnet.Default()}, netuid == 1
}
func (v *bigView) Neurons(uint16) []rpc.Neuron { return v.neurons }
func (v *bigView) Hotkey(h types.Address) (rpc.HotkeyInfo, bool) {
	return staking.HotkeyInfo{Owner: h, TotalStake: uint64(h[1])<<32 | uint64(h[2])}, true
}

type bigBackend struct {
	rpc.Backend
	v *bigView
}

func (b bigBackend) View() (rpc.View, error) { return b.v, nil }

// BenchmarkSyncRPC4096 is a whole sync of a 4,096-UID subnet but for the
// node's state reads (BenchmarkMetagraph4096 in subnet/ measures those):
// the node's subnet_snapshot building and encoding the answer, HTTP over
// loopback, the client decoding it, the metagraph checking and indexing it.
func BenchmarkSyncRPC4096(b *testing.B) {
	v := &bigView{neurons: make([]rpc.Neuron, 4096)}
	for i := range v.neurons {
		v.neurons[i] = subnet.Neuron{
			Hotkey: types.Address{1, byte(i >> 8), byte(i)}, RegisteredAt: uint64(i), LastUpdate: uint64(2 * i),
			Axon: subnet.Axon{IP: []byte{10, 0, byte(i >> 8), byte(i)}, Port: 8091, Protocol: 4, Version: 1, Block: 7},
			Rank: uint16(i), Trust: 65535, Consensus: uint16(3 * i), Incentive: uint16(5 * i), Dividends: uint16(7 * i),
			ValidatorTrust: uint16(i), Permit: i%16 == 0, Active: true, Emission: uint64(1000 * i),
		}
	}
	srv, err := rpc.NewServer(rpc.Config{BatchItems: 100, BatchBytes: 10 << 20, BodyBytes: 1 << 20, SubsPerConn: 4}, bigBackend{v: v})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Stop() }()
	ctx := context.Background()
	c, err := client.Dial(ctx, hs.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	m := metagraph.New(1)
	for b.Loop() {
		if err := m.Sync(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	if m.Block() != 4242 || len(m.Neurons()) != 4096 {
		b.Fatalf("view at %d with %d neurons", m.Block(), len(m.Neurons()))
	}
}
