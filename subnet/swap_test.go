package subnet

import (
	"errors"
	"reflect"
	"testing"

	"github.com/taonet/taod/types"
)

// TestSwapHotkeyMovesRegistrations: subnet's half of a swap moves the
// neuron (same UID, same record but the hotkey), the UID index, a pending
// commit (remembering the hotkey its hash was made for, so the reveal from
// the new hotkey matches) and root membership with its weights; it leaves
// the weights, stored by UID, where they are; it refuses a new hotkey
// registered on a subnet or the root network and then writes nothing.
func TestSwapHotkeyMovesRegistrations(t *testing.T) {
	x := testBlock(t, 100)
	st := x.State
	s, _ := Get(st, 1)
	s.Hyper.CommitReveal = 1
	setSubnetInfo(st, s)
	old, next := addr(20), addr(30)
	for i, hk := range []types.Address{addr(19), old} {
		if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 1, Hotkey: hk}); err != nil {
			t.Fatal(i, err)
		}
		x.Height++
	}
	uids, ws, salt := []uint16{0}, []uint16{9}, []byte("s")
	if err := x.CommitWeights(old, &types.CommitWeights{Netuid: 1, Hash: types.WeightsCommitHash(old, 1, uids, ws, salt, 0)}); err != nil {
		t.Fatal(err)
	}
	setRootMember(st, old, RootMember{RegisteredAt: 7, LastUpdate: 8})
	setSparse(st, key(pRootWeight, old[:]), Sparse{Index: []uint16{1}, Values: []uint16{5}})
	setSparse(st, key(pWeights, u16b(1), u16b(1)), Sparse{Index: []uint16{0}, Values: []uint16{3}})
	before, _ := NeuronAt(st, 1, 1)

	if err := x.SwapHotkey(old, addr(19)); !errors.Is(err, ErrSwapTargetRegistered) {
		t.Fatalf("swap to a registered hotkey: %v", err)
	}
	setRootMember(st, addr(21), RootMember{})
	if err := x.SwapHotkey(old, addr(21)); !errors.Is(err, ErrSwapTargetRegistered) {
		t.Fatalf("swap to a root member: %v", err)
	}
	if uid, ok := UIDOf(st, 1, old); !ok || uid != 1 {
		t.Fatal("a refused swap moved the registration")
	}

	if err := x.SwapHotkey(old, next); err != nil {
		t.Fatal(err)
	}
	if uid, ok := UIDOf(st, 1, next); !ok || uid != 1 {
		t.Fatalf("new hotkey uid %d %v", uid, ok)
	}
	if _, ok := UIDOf(st, 1, old); ok {
		t.Fatal("old hotkey still indexed")
	}
	after, _ := NeuronAt(st, 1, 1)
	want := before
	want.Hotkey = next
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("neuron %+v, want %+v", after, want)
	}
	if got := WeightsOf(st, 1, 1); !reflect.DeepEqual(got.Values, []uint16{3}) {
		t.Fatalf("weights by UID moved: %+v", got)
	}
	if IsRootMember(st, old) || !IsRootMember(st, next) || !reflect.DeepEqual(RootWeightsOf(st, next).Values, []uint16{5}) || len(RootWeightsOf(st, old).Index) != 0 {
		t.Fatal("root membership or weights not moved")
	}
	if m, _ := rootMember(st, next); m != (RootMember{RegisteredAt: 7, LastUpdate: 8}) {
		t.Fatalf("root member record %+v", m)
	}
	if len(st.Get(key(pCommit, u16b(1), old[:]))) != 0 {
		t.Fatal("commit left under the old hotkey")
	}
	x.Height += s.Hyper.RevealDelay
	reveal := &types.RevealWeights{Netuid: 1, UIDs: uids, Weights: ws, Salt: salt}
	if err := x.RevealWeights(next, reveal); err != nil {
		t.Fatalf("reveal from the new hotkey: %v", err)
	}
	if got := WeightsOf(st, 1, 1); !reflect.DeepEqual(got.Values, ws) {
		t.Fatalf("revealed weights %+v", got)
	}
}
