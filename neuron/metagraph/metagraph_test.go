package metagraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// fakeSource answers like a node, from JSON bytes (so the benchmark pays
// the decoding a real sync pays).
type fakeSource struct {
	heads, reads atomic.Int64 // BlockNumber and MetagraphSnapshot calls
	head         atomic.Uint64

	block uint64
	raw   []byte // subnet_snapshot's JSON result
}

func (f *fakeSource) BlockNumber(context.Context) (uint64, error) {
	f.heads.Add(1)
	if h := f.head.Load(); h != 0 {
		return h, nil
	}
	return f.block, nil
}

// MetagraphSnapshot answers at the polled head when one is set (as a node
// answers at its head), else at block.
func (f *fakeSource) MetagraphSnapshot(context.Context, uint16) (*rpc.MetagraphSnapshotJSON, error) {
	f.reads.Add(1)
	var out rpc.MetagraphSnapshotJSON
	if err := json.Unmarshal(f.raw, &out); err != nil {
		return nil, err
	}
	if h := f.head.Load(); h != 0 {
		out.Block = h
	}
	return &out, nil
}

func wireNeurons(n int) []rpc.NeuronJSON {
	out := make([]rpc.NeuronJSON, n)
	for i := range out {
		out[i] = rpc.NeuronJSON{
			UID: uint16(i), Hotkey: types.Address{byte(i >> 8), byte(i), 1}, Coldkey: types.Address{byte(i >> 8), byte(i), 2},
			Stake: fmt.Sprint(1000 * i), Rank: "0.000100000", Trust: "0.5", Consensus: "0.250000000", Incentive: "0.000244140",
			Dividends: "0", Emission: fmt.Sprint(i), ValidatorTrust: "1.000000000", Permit: i%16 == 0, Active: true,
			RegisteredAt: uint64(i), LastUpdate: uint64(2 * i),
		}
		if i%2 == 0 {
			out[i].Axon = &rpc.AxonJSON{IP: "10.0.0.1", Port: uint16(8000 + i), Protocol: 4, Version: 1, Block: 7}
		}
	}
	return out
}

func source(t testing.TB, wire []rpc.NeuronJSON) *fakeSource {
	h := subnet.Default()
	h.Tempo = 10
	raw, err := json.Marshal(rpc.MetagraphSnapshotJSON{Block: 42, Hyperparams: h, Neurons: wire})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeSource{block: 42, raw: raw}
}

func TestSyncIndexes(t *testing.T) {
	m := New(1)
	if err := m.Sync(context.Background(), source(t, wireNeurons(4096))); err != nil {
		t.Fatal(err)
	}
	if m.Block() != 42 || m.Hyperparams().Tempo != 10 || len(m.Neurons()) != 4096 {
		t.Fatalf("block %d tempo %d neurons %d", m.Block(), m.Hyperparams().Tempo, len(m.Neurons()))
	}
	n, ok := m.ByHotkey(types.Address{0x0f, 0xa0, 1})
	if !ok || n.UID != 0xfa0 || n.Stake != 1000*0xfa0 || !n.Permit || n.Trust != neuron.Scale/2 || n.Incentive != 244140 ||
		n.ValidatorTrust != neuron.Scale || n.Axon.Addr() != fmt.Sprintf("10.0.0.1:%d", 8000+0xfa0) || n.LastUpdate != 2*0xfa0 {
		t.Fatalf("lookup by hotkey: %+v", n)
	}
	if n, ok := m.ByUID(3); !ok || n.Axon.Addr() != "" || n.Coldkey != (types.Address{0, 3, 2}) {
		t.Fatalf("uid 3: %+v", n)
	}
	if _, ok := m.ByUID(4096); ok {
		t.Fatal("uid beyond the subnet found")
	}
	if _, ok := m.ByHotkey(types.Address{0xff}); ok {
		t.Fatal("unknown hotkey found")
	}
}

// A sync is one read: the view's block is the block the node read the
// neurons at (subnet_snapshot's), not a head polled before or after.
func TestSyncBlockIsTheSnapshots(t *testing.T) {
	src := source(t, wireNeurons(3))
	src.block = 41 // the head as polled: one block behind the snapshot's 42
	m := New(1)
	if err := m.Sync(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if m.Block() != 42 || src.heads.Load() != 0 || src.reads.Load() != 1 {
		t.Fatalf("view at block %d after %d head polls and %d reads; want block 42 from one snapshot read", m.Block(), src.heads.Load(), src.reads.Load())
	}
}

func TestSyncRefusesHostileAnswers(t *testing.T) {
	cases := map[string]func([]rpc.NeuronJSON) []rpc.NeuronJSON{
		"too many":       func(w []rpc.NeuronJSON) []rpc.NeuronJSON { return wireNeurons(MaxNeurons + 1) },
		"uid out of row": func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[3].UID = 4; return w },
		"bad stake":      func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[1].Stake = "-1"; return w },
		"fraction > 1":   func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[1].Trust = "1.5"; return w },
		"fraction junk":  func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[1].Rank = "0.1e3"; return w },
		"long fraction":  func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[1].Rank = "0.1234567890"; return w },
		"bad axon ip":    func(w []rpc.NeuronJSON) []rpc.NeuronJSON { w[0].Axon.IP = "nope"; return w },
	}
	for name, mod := range cases {
		m := New(1)
		m.Set(7, subnet.Default(), []neuron.Neuron{{Hotkey: types.Address{1}}})
		err := m.Sync(context.Background(), source(t, mod(wireNeurons(8))))
		if !errors.Is(err, ErrBadMetagraph) {
			t.Errorf("%s: %v, want ErrBadMetagraph", name, err)
		}
		if m.Block() != 7 || len(m.Neurons()) != 1 {
			t.Errorf("%s: a refused sync replaced the view", name)
		}
	}
}

func TestParseFraction(t *testing.T) {
	for s, want := range map[string]uint64{"0": 0, "0.5": 500_000_000, "0.000000001": 1, "1": neuron.Scale, "1.000000000": neuron.Scale, "0.999999999": 999_999_999} {
		if got, err := ParseFraction(s); err != nil || got != want {
			t.Errorf("ParseFraction(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", ".5", "2", "1.1", "0.-1", "0x1", "0.5 "} {
		if _, err := ParseFraction(s); err == nil {
			t.Errorf("ParseFraction(%q) accepted", s)
		}
	}
}

// BenchmarkSync4096 is a sync of a full subnet minus the network: decoding
// subnet_metagraph's JSON, checking and indexing 4,096 neurons.
func BenchmarkSync4096(b *testing.B) {
	src := source(b, wireNeurons(4096))
	b.SetBytes(int64(len(src.raw)))
	m := New(1)
	for b.Loop() {
		if err := m.Sync(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}

// Run reads the whole metagraph only when the head moved; RunEpochs only
// when an epoch block has passed.
func TestRunSyncsOnNewBlocksOnly(t *testing.T) {
	for _, epochs := range []bool{false, true} {
		src := source(t, wireNeurons(3))
		src.head.Store(100) // tempo 10, netuid 1: epochs at 109, 119, ...
		m := New(1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		run := m.Run
		if epochs {
			run = m.RunEpochs
		}
		go func() { done <- run(ctx, src, time.Millisecond, nil) }()
		waitHeads := func(n int64) {
			t.Helper()
			start := src.heads.Load()
			deadline := time.Now().Add(5 * time.Second)
			for src.heads.Load() < start+n {
				if time.Now().After(deadline) {
					t.Fatal("Run stopped polling")
				}
				time.Sleep(time.Millisecond)
			}
		}
		waitHeads(5)
		if got := src.reads.Load(); got != 1 {
			t.Fatalf("epochs=%v: %d metagraph reads with the head still, want 1", epochs, got)
		}
		src.head.Store(101)
		waitHeads(5)
		want := int64(2)
		if epochs {
			want = 1 // 101 is no epoch block
		}
		if got := src.reads.Load(); got != want {
			t.Fatalf("epochs=%v: %d reads after one block, want %d", epochs, got, want)
		}
		src.head.Store(109)
		waitHeads(5)
		if got := src.reads.Load(); got != want+1 || m.Block() != 109 {
			t.Fatalf("epochs=%v: %d reads at the epoch block (view at %d), want %d", epochs, got, m.Block(), want+1)
		}
		cancel()
		if err := <-done; err != context.Canceled {
			t.Fatalf("Run returned %v", err)
		}
	}
}
