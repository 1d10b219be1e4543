package subnet

import (
	"encoding/binary"
	"testing"

	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

// bigSubnet commits a subnet of n neurons, the first v with stake and dense
// weights over all UIDs, and returns the store.
func bigSubnet(b *testing.B, n, v int) *state.Store {
	b.Helper()
	store := modtest.Store(b)
	st := store.NewState()
	x := &Block{State: st, Height: 0, Params: TestParams(), Staking: staking.TestParams(), Blocks: store}
	s := Create(st, x.Params, types.Address{1}, "big", 0, x.Height)
	s.Hyper.MaxUIDs = uint64(n)
	s.Hyper.MaxValidators = uint64(v)
	s.Hyper.MaxRegsPerBlock = uint64(n)
	s.Pending = 1_000 * tao
	for i := 0; i < n; i++ {
		var hk types.Address
		binary.BigEndian.PutUint32(hk[:], uint32(i+1))
		staking.RegisterHotkey(st, x.Staking, hk, hk)
		x.registerNeuron(&s, hk, 0)
		if i < v {
			staking.CreditStake(st, hk, hk, uint64(i+1)*tao)
		}
	}
	uids := make([]uint16, n)
	ws := make([]uint16, n)
	for j := range uids {
		uids[j], ws[j] = uint16(j), uint16(1+j%1000)
	}
	for i := 0; i < v; i++ {
		nr, _ := getNeuron(st, s.Netuid, uint16(i))
		x.storeWeights(s.Netuid, uint16(i), nr, uids, ws)
	}
	root, err := st.Root()
	if err != nil {
		b.Fatal(err)
	}
	blk := types.NewBlock(types.Header{Height: x.Height, StateRoot: root, Time: 1}, nil, &types.Commit{}, nil)
	if err := store.CommitBlock(blk, nil, nil, st); err != nil {
		b.Fatal(err)
	}
	return store
}

// BenchmarkMetagraph4096 reads a 4,096-UID metagraph as subnet_metagraph
// does: every neuron and its hotkey's stake record.
func BenchmarkMetagraph4096(b *testing.B) {
	store := bigSubnet(b, 4096, 64)
	b.ResetTimer()
	for b.Loop() {
		st := store.NewState()
		ns := Neurons(st, 1)
		if len(ns) != 4096 {
			b.Fatalf("%d neurons", len(ns))
		}
		var total uint64
		for _, n := range ns {
			h, _ := staking.HotkeyOf(st, n.Hotkey)
			total += h.TotalStake
		}
		if total == 0 {
			b.Fatal("no stake")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/metagraph")
}

// BenchmarkSubnetEpoch4096x256 runs a whole subnet epoch: state reads, Yuma
// on 4,096 UIDs with 256 weighting validators, payouts and writes.
func BenchmarkSubnetEpoch4096x256(b *testing.B) {
	store := bigSubnet(b, 4096, 256)
	b.ResetTimer()
	for b.Loop() {
		st := store.NewState()
		x := &Block{State: st, Height: 1, Params: TestParams(), Staking: staking.TestParams(), Blocks: store}
		s, _ := subnetInfo(st, 1)
		if err := x.runEpoch(s); err != nil {
			b.Fatal(err)
		}
	}
}
