package chain

import (
	"encoding/binary"
	"github.com/taonet/taod/staking"
	"testing"

	"github.com/taonet/taod/types"
)

// bigSubnet commits a subnet of n neurons, the first v with stake and dense
// weights over all UIDs, and returns the chain.
func bigSubnet(b *testing.B, n, v int) *Chain {
	b.Helper()
	c := newTestChain(b, 1)
	head, _ := c.Store().Head()
	x, err := c.newBlockCtx(c.Store().NewState(), head.Height+1)
	if err != nil {
		b.Fatal(err)
	}
	mint(x.st)
	s := createSubnet(x.st, x.p.Subnets, types.Address{1}, "big", 0, x.height)
	s.Hyper.MaxUIDs = uint64(n)
	s.Hyper.MaxValidators = uint64(v)
	s.Hyper.MaxRegsPerBlock = uint64(n)
	s.Pending = 1_000 * tao
	for i := 0; i < n; i++ {
		var hk types.Address
		binary.BigEndian.PutUint32(hk[:], uint32(i+1))
		staking.RegisterHotkey(x.st, x.p.Staking, hk, hk)
		x.registerNeuron(&s, hk)
		if i < v {
			staking.CreditStake(x.st, hk, hk, uint64(i+1)*tao)
		}
	}
	uids := make([]uint16, n)
	ws := make([]uint16, n)
	for j := range uids {
		uids[j], ws[j] = uint16(j), uint16(1+j%1000)
	}
	for i := 0; i < v; i++ {
		nr, _ := getNeuron(x.st, s.Netuid, uint16(i))
		x.storeWeights(s.Netuid, uint16(i), nr, uids, ws)
	}
	root, err := x.st.Root()
	if err != nil {
		b.Fatal(err)
	}
	blk := types.NewBlock(types.Header{Height: x.height, ParentHash: head.Hash, StateRoot: root, Time: head.Time + 1}, nil, &types.Commit{}, nil)
	if err := c.Store().CommitBlock(blk, nil, nil, x.st); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkMetagraph4096 reads a 4,096-UID metagraph as subnet_metagraph
// does: every neuron and its hotkey's stake record.
func BenchmarkMetagraph4096(b *testing.B) {
	c := bigSubnet(b, 4096, 64)
	b.ResetTimer()
	for b.Loop() {
		st := c.State()
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

// BenchmarkSubnetEpoch4096x256 runs a whole subnet epoch in the chain:
// state reads, Yuma on 4,096 UIDs with 256 weighting validators, payouts and
// writes.
func BenchmarkSubnetEpoch4096x256(b *testing.B) {
	c := bigSubnet(b, 4096, 256)
	b.ResetTimer()
	for b.Loop() {
		head, _ := c.Store().Head()
		x, _ := c.newBlockCtx(c.Store().NewState(), head.Height+1)
		s, _ := subnetInfo(x.st, 1)
		if err := x.runEpoch(s); err != nil {
			b.Fatal(err)
		}
	}
}
