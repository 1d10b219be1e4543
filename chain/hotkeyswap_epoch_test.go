package chain

import (
	"reflect"
	"slices"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// swapWorld is a chain where hot(0) is everything a hotkey can be at once:
// a BFT validator (consensus key 20) with a nominator and an unbonding
// entry, a validator on subnet 1 whose weights pay four miners, and a root
// member weighting subnets 1 and 2. Its two peers hot(1), hot(2) are the
// same on a smaller scale.
func swapWorld(t *testing.T) *world {
	w, _ := handedOver(t, 40*tao, 30*tao, 20*tao)
	w.ok(w.call(4, &types.AddStake{Hotkey: hot(0), Amount: 10 * tao}),
		w.call(5, &types.RegisterNetwork{}), w.call(4, &types.RegisterNetwork{}))
	w.ok(w.call(1, &types.BurnedRegister{Netuid: 1, Hotkey: hot(0)}), w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: hot(1)}),
		w.call(3, &types.BurnedRegister{Netuid: 1, Hotkey: hot(2)}), w.call(5, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(40)}),
		w.call(0, &types.Transfer{To: hot(0), Amount: tao}), w.call(0, &types.Transfer{To: hot(1), Amount: tao}),
		w.call(0, &types.Transfer{To: hot(2), Amount: tao}))
	var txs []*types.Tx
	for i := 41; i < 44; i++ {
		txs = append(txs, w.call(5, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(i)}))
	}
	w.ok(txs...)
	w.ok(w.call(1, &types.RootRegister{Hotkey: hot(0)}), w.call(2, &types.RootRegister{Hotkey: hot(1)}),
		w.call(4, &types.RemoveStake{Hotkey: hot(0), Amount: 3 * tao}))
	s1, _ := subnet.Get(w.st(), 1)
	w.until(nextEpoch(w, s1)) // permits
	w.ok(w.call(10, &types.SetWeights{Netuid: 1, UIDs: []uint16{3, 4, 5, 6}, Weights: []uint16{40_000, 30_000, 20_000, 10_000}}),
		w.call(11, &types.SetWeights{Netuid: 1, UIDs: []uint16{3, 4}, Weights: []uint16{1, 1}}),
		w.call(12, &types.SetWeights{Netuid: 1, UIDs: []uint16{5, 6}, Weights: []uint16{65_535, 65_535}}),
		w.call(10, &types.SetRootWeights{Netuids: []uint16{1, 2}, Weights: []uint16{3, 1}}),
		w.call(11, &types.SetRootWeights{Netuids: []uint16{1, 2}, Weights: []uint16{1, 1}}))
	return w
}

// TestSwapHotkeyChangesNoPayout runs the same chain twice, one with
// hot(0) swapped to a fresh hotkey at a given height (before, at and after
// a subnet epoch, at a consensus epoch's last block and the one after),
// and compares, after every block for three subnet epochs and a consensus
// epoch on, every payout and everything they leave: neurons (incentive,
// dividends, emission, ranks, permits), weights, subnets (pending
// emission, shares), root weights, every stake position and unbonding
// entry, every hotkey record, every balance, the pool, issuance and the
// validator set. They are identical, the old hotkey mapped to the new,
// except the swap's own fee and burn (the coldkey's balance and issuance).
func TestSwapHotkeyChangesNoPayout(t *testing.T) {
	ref := swapWorld(t)
	s1, _ := subnet.Get(ref.st(), 1)
	E := nextEpoch(ref, s1)
	ce := ref.c.Params().Staking.ConsensusEpoch
	H := (ref.height()/ce + 1) * ce
	cases := map[string]uint64{"before epoch": E - 1, "at epoch": E, "after epoch": E + 1, "at consensus epoch": H, "after consensus epoch": H + 1}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		at := cases[name]
		t.Run(name, func(t *testing.T) {
			a, b := swapWorld(t), swapWorld(t)
			ha, _ := a.c.Store().Head()
			hb, _ := b.c.Store().Head()
			if ha.Hash != hb.Hash || at <= ha.Height {
				t.Fatalf("worlds differ before the swap, or swap height %d is past the setup (%d)", at, ha.Height)
			}
			a.until(at - 1)
			b.until(at - 1)
			a.block(nil, nil)
			cost := b.swapOK(1, hot(0), freshHot(0))
			end := at + 3*s1.Hyper.Tempo + ce
			for {
				compareSwapped(t, a, b, hot(0), freshHot(0), devkeys.Address(1), cost)
				if t.Failed() || a.height() >= end {
					break
				}
				a.block(nil, nil)
				b.block(nil, nil)
			}
			// The payouts did happen: the swapped validator earned dividends.
			n, _ := subnet.NeuronAt(b.st(), 1, 0)
			if n.Hotkey != freshHot(0) || n.Dividends == 0 || n.Emission == 0 {
				t.Fatalf("no payout to compare: %+v", n)
			}
		})
	}
}

// compareSwapped fails t unless b is a with old renamed next and cost rao
// fewer in coldkey's balance and in issuance.
func compareSwapped(t *testing.T, a, b *world, old, next, coldkey types.Address, cost uint64) {
	t.Helper()
	h := a.height()
	m := func(x types.Address) types.Address {
		if x == old {
			return next
		}
		return x
	}
	sa, sb := a.st(), b.st()
	if sa.Issuance()-sb.Issuance() != cost || sa.Pool() != sb.Pool() {
		t.Fatalf("height %d: issuance %d vs %d, pool %d vs %d (cost %d)", h, sa.Issuance(), sb.Issuance(), sa.Pool(), sb.Pool(), cost)
	}
	for i := 0; i < 100; i++ {
		ad := devkeys.Address(i)
		want := sa.Account(ad).Balance
		if ad == coldkey {
			want -= cost
		}
		if got := sb.Account(ad).Balance; got != want { // balances are accounts', not moved
			t.Fatalf("height %d: balance of dev key %d %d, want %d", h, i, got, want)
		}
	}
	if !reflect.DeepEqual(subnet.All(sa), subnet.All(sb)) {
		t.Fatalf("height %d: subnets differ:\n%+v\n%+v", h, subnet.All(sa), subnet.All(sb))
	}
	for _, s := range subnet.All(sa) {
		na, nb := subnet.Neurons(sa, s.Netuid), subnet.Neurons(sb, s.Netuid)
		if len(na) != len(nb) {
			t.Fatalf("height %d subnet %d: %d vs %d neurons", h, s.Netuid, len(na), len(nb))
		}
		for uid := range na {
			want := na[uid]
			want.Hotkey = m(want.Hotkey)
			if !reflect.DeepEqual(nb[uid], want) {
				t.Fatalf("height %d subnet %d uid %d:\n%+v\nwant\n%+v", h, s.Netuid, uid, nb[uid], want)
			}
			if wa, wb := subnet.WeightsOf(sa, s.Netuid, uint16(uid)), subnet.WeightsOf(sb, s.Netuid, uint16(uid)); !reflect.DeepEqual(wa, wb) {
				t.Fatalf("height %d subnet %d uid %d: weights %+v vs %+v", h, s.Netuid, uid, wa, wb)
			}
		}
	}
	ra, rb := subnet.RootMembers(sa), subnet.RootMembers(sb)
	if len(ra) != len(rb) {
		t.Fatalf("height %d: root members %v vs %v", h, ra, rb)
	}
	for _, hk := range ra {
		if !subnet.IsRootMember(sb, m(hk)) || !reflect.DeepEqual(subnet.RootWeightsOf(sa, hk), subnet.RootWeightsOf(sb, m(hk))) {
			t.Fatalf("height %d: root member %s differs", h, hk)
		}
	}
	hka, hkb := staking.Hotkeys(sa), staking.Hotkeys(sb)
	if len(hka) != len(hkb) {
		t.Fatalf("height %d: %d vs %d hotkeys", h, len(hka), len(hkb))
	}
	for _, x := range hka {
		if got, ok := staking.HotkeyOf(sb, m(x.Hotkey)); !ok || got != x.Info {
			t.Fatalf("height %d: hotkey %s: %+v vs %+v", h, x.Hotkey, x.Info, got)
		}
		pa, pb := staking.Nominators(sa, x.Hotkey), staking.Nominators(sb, m(x.Hotkey))
		for i := range pa {
			pa[i].Hotkey = m(pa[i].Hotkey)
		}
		if !reflect.DeepEqual(pa, pb) {
			t.Fatalf("height %d: positions on %s:\n%+v\n%+v", h, x.Hotkey, pa, pb)
		}
		ua, ub := staking.UnbondingOfHotkey(sa, x.Hotkey), staking.UnbondingOfHotkey(sb, m(x.Hotkey))
		for i := range ua {
			ua[i].Hotkey = m(ua[i].Hotkey)
		}
		if !reflect.DeepEqual(ua, ub) {
			t.Fatalf("height %d: unbonding on %s:\n%+v\n%+v", h, x.Hotkey, ua, ub)
		}
	}
	va, _ := a.c.ValidatorSet(h + 1)
	vb, _ := b.c.ValidatorSet(h + 1)
	for i := range va.Hotkeys {
		va.Hotkeys[i] = m(va.Hotkeys[i])
	}
	if !reflect.DeepEqual(va, vb) {
		t.Fatalf("height %d: validator sets\n%+v\n%+v", h, va, vb)
	}
}
