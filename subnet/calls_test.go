package subnet

import (
	"errors"
	"testing"

	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func addr(b byte) types.Address { return types.Address{b} }

// noBlocks serves no block hashes (the tests here register by burn).
type noBlocks struct{}

func (noBlocks) BlockHash(uint64) (types.Hash, error) { return types.Hash{}, errors.New("no blocks") }

// testBlock is a subnet Block at height on a fresh state holding subnet 1
// (owned by addr(1)); addr(1..3) hold 100 TAO each and issuance counts
// them.
func testBlock(t *testing.T, height uint64) *Block {
	t.Helper()
	st := modtest.State(t, 100*tao, addr(1), addr(2), addr(3))
	x := &Block{State: st, Height: height, Params: TestParams(), Staking: staking.TestParams(), Blocks: noBlocks{}}
	Create(st, x.Params, addr(1), "one", 0, 0)
	return x
}

// TestBurnedRegisterAndReplace: a registration burns the subnet's cost
// (recycled), gives the next UID and the hotkey its owner; a full subnet
// replaces the neuron ChoosePrune picks, dropping its weights and index.
func TestBurnedRegisterAndReplace(t *testing.T) {
	x := testBlock(t, 100)
	st := x.State
	s, _ := Get(st, 1)
	s.Hyper.MaxUIDs = 2
	setSubnetInfo(st, s)
	burn := s.Burn
	issuance := st.Issuance()
	for i, hk := range []byte{20, 21} {
		if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 1, Hotkey: addr(hk)}); err != nil {
			t.Fatal(err)
		}
		if uid, ok := UIDOf(st, 1, addr(hk)); !ok || uid != uint16(i) {
			t.Fatalf("hotkey %d has uid %d (%v), want %d", hk, uid, ok, i)
		}
		x.Height++ // one registration per block (max_regs_per_block)
	}
	if got := st.Issuance(); got != issuance-2*burn {
		t.Fatalf("issuance %d, want %d: the burns are recycled", got, issuance-2*burn)
	}
	if h, ok := staking.HotkeyOf(st, addr(20)); !ok || h.Owner != addr(2) {
		t.Fatalf("hotkey record %+v %v: owner should be the registering coldkey", h, ok)
	}
	if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 1, Hotkey: addr(20)}); !errors.Is(err, ErrAlreadyRegistered) {
		t.Fatalf("second registration: %v", err)
	}
	if err := x.BurnedRegister(addr(3), &types.BurnedRegister{Netuid: 1, Hotkey: addr(20)}); !errors.Is(err, ErrAlreadyRegistered) {
		t.Fatalf("registration of another's hotkey: %v", err)
	}
	if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 9, Hotkey: addr(22)}); !errors.Is(err, ErrUnknownSubnet) {
		t.Fatalf("unknown subnet: %v", err)
	}
	// Full: past the immunity period the next one replaces a neuron.
	x.Height += s.Hyper.ImmunityPeriod
	for uid := uint16(0); uid < 2; uid++ {
		x.storeWeights(1, uid, mustNeuron(t, st, uid), []uint16{1 - uid}, []uint16{1})
	}
	if err := x.BurnedRegister(addr(3), &types.BurnedRegister{Netuid: 1, Hotkey: addr(22)}); err != nil {
		t.Fatal(err)
	}
	s, _ = Get(st, 1)
	uid, ok := UIDOf(st, 1, addr(22))
	if !ok || s.N != 2 {
		t.Fatalf("replacement: uid %d (%v), %d UIDs", uid, ok, s.N)
	}
	gone := addr(20 + byte(uid))
	if _, ok := UIDOf(st, 1, gone); ok {
		t.Fatalf("replaced hotkey %x still indexed", gone)
	}
	if w := WeightsOf(st, 1, uid); len(w.Index) != 0 {
		t.Fatalf("the new neuron inherited weights %+v", w)
	}
}

func mustNeuron(t *testing.T, st *state.State, uid uint16) Neuron {
	t.Helper()
	n, ok := NeuronAt(st, 1, uid)
	if !ok {
		t.Fatalf("no neuron %d", uid)
	}
	return n
}

// TestWeightsAndCommitReveal: weights are refused under commit-reveal and
// stored once revealed, within the reveal window and matching the commit.
func TestWeightsAndCommitReveal(t *testing.T) {
	x := testBlock(t, 10)
	st := x.State
	for _, hk := range []byte{20, 21} {
		if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 1, Hotkey: addr(hk)}); err != nil {
			t.Fatal(err)
		}
	}
	uids, ws := []uint16{0, 1}, []uint16{1, 3}
	// No stake on the subnet: it bootstraps, and any neuron may weigh.
	if err := x.SetWeights(addr(20), &types.SetWeights{Netuid: 1, UIDs: uids, Weights: ws}); err != nil {
		t.Fatal(err)
	}
	if w := WeightsOf(st, 1, 0); len(w.Index) != 2 || w.Values[1] != 3 {
		t.Fatalf("stored weights %+v", w)
	}
	if err := x.SetWeights(addr(30), &types.SetWeights{Netuid: 1, UIDs: uids, Weights: ws}); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("weights by a stranger: %v", err)
	}

	s, _ := Get(st, 1)
	s.Hyper.CommitReveal = 1
	setSubnetInfo(st, s)
	if err := x.SetWeights(addr(21), &types.SetWeights{Netuid: 1, UIDs: uids, Weights: ws}); !errors.Is(err, ErrCommitReveal) {
		t.Fatalf("plain weights under commit-reveal: %v", err)
	}
	salt := []byte("salt")
	hash := types.WeightsCommitHash(addr(21), 1, uids, ws, salt, 0)
	if err := x.CommitWeights(addr(21), &types.CommitWeights{Netuid: 1, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	reveal := &types.RevealWeights{Netuid: 1, UIDs: uids, Weights: ws, Salt: salt}
	if err := x.RevealWeights(addr(21), reveal); !errors.Is(err, ErrRevealEarly) {
		t.Fatalf("reveal in the commit's block: %v", err)
	}
	x.Height += s.Hyper.RevealDelay
	bad := *reveal
	bad.Weights = []uint16{3, 1}
	if err := x.RevealWeights(addr(21), &bad); !errors.Is(err, ErrRevealMismatch) {
		t.Fatalf("reveal of other weights: %v", err)
	}
	if err := x.RevealWeights(addr(21), reveal); err != nil {
		t.Fatal(err)
	}
	if w := WeightsOf(st, 1, 1); len(w.Index) != 2 {
		t.Fatalf("revealed weights not stored: %+v", w)
	}
	if err := x.RevealWeights(addr(21), reveal); !errors.Is(err, ErrNoWeightsCommit) {
		t.Fatalf("second reveal of one commit: %v", err)
	}
}

// TestEndBlockPaysOutWithoutLoss: the pool goes to the subnet's pending
// emission and an epoch pays it out (owner cut, incentive and dividends as
// stake); pool + pending + balances + stake is the same before and after.
func TestEndBlockPaysOutWithoutLoss(t *testing.T) {
	x := testBlock(t, 1)
	st := x.State
	for _, hk := range []byte{20, 21} {
		if err := x.BurnedRegister(addr(2), &types.BurnedRegister{Netuid: 1, Hotkey: addr(hk)}); err != nil {
			t.Fatal(err)
		}
	}
	// Weights while the subnet bootstraps, then stake behind them.
	if err := x.SetWeights(addr(20), &types.SetWeights{Netuid: 1, UIDs: []uint16{0, 1}, Weights: []uint16{1, 1}}); err != nil {
		t.Fatal(err)
	}
	staking.CreditStake(st, addr(2), addr(20), 5*tao)
	st.SetPool(7 * tao)
	value := func() uint64 {
		v := st.Pool()
		for _, s := range All(st) {
			v += s.Pending
		}
		for _, a := range []byte{1, 2, 3} {
			v += st.Account(addr(a)).Balance
		}
		for _, hk := range []byte{20, 21} {
			h, _ := staking.HotkeyOf(st, addr(hk))
			v += h.TotalStake
		}
		return v
	}
	before := value()
	s, _ := Get(st, 1)
	paid := false
	for h := uint64(2); h < 2+2*s.Hyper.Tempo; h++ {
		x.Height = h
		if err := x.EndBlock(); err != nil {
			t.Fatal(err)
		}
		if got := value(); got != before {
			t.Fatalf("height %d: value %d, want %d", h, got, before)
		}
		if s, _ := Get(st, 1); s.LastEmission > 0 {
			paid = true
		}
	}
	if !paid {
		t.Fatal("no epoch paid anything")
	}
	if st.Account(addr(1)).Balance <= 100*tao {
		t.Fatal("the owner got no cut")
	}
}
