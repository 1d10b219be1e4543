package state

import (
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

func addrOf(b byte, i int) types.Address {
	var a types.Address
	a[0], a[18], a[19] = b, byte(i>>8), byte(i)
	return a
}

// incentiveTable is a 4,096-UID epoch: every UID paid (UID + 1) rao, UID 0
// a validator whose emission is all dividends, UID 1 a validator paid
// dividends and incentive, UID 2 owning itself, UID 3 with no owner (a
// retired hotkey), UID 4 paid nothing.
func incentiveTable() (types.EpochTable, []types.Receipt) {
	const n = 4096
	t := types.EpochTable{Netuid: 7, Height: 100, Rows: make([]types.EpochRow, n), Owners: make([]types.Address, n)}
	for i := range n {
		t.Rows[i] = types.EpochRow{UID: uint16(i), Hotkey: addrOf(0xaa, i), Emission: uint64(i) + 1}
		t.Owners[i] = addrOf(0xcc, i%64)
	}
	t.Rows[0].Emission, t.Rows[1].Emission = 50, 80
	t.Owners[2] = t.Rows[2].Hotkey
	t.Owners[3] = types.Address{}
	t.Rows[4].Emission = 0
	block := types.BlockReceipt([]types.Event{
		{Kind: types.EvReward, Ref: types.RewardDividends, Addr: t.Rows[0].Hotkey, Netuid: 7, UID: 0, Amount: 50},
		{Kind: types.EvReward, Ref: types.RewardDividends, Addr: t.Rows[1].Hotkey, Netuid: 7, UID: 1, Amount: 30},
		{Kind: types.EvReward, Ref: types.RewardDividends, Addr: t.Rows[5].Hotkey, Netuid: 8, UID: 5, Amount: 6}, // another subnet's UID 5
	})
	return t, []types.Receipt{{TxHash: types.Hash{1}}, block}
}

// The index keeps each paid UID's incentive under its hotkey and owner,
// less its dividends, in UID order after the block's events; it measures
// what that costs a 4,096-UID epoch.
func TestIndexIncentiveRecords(t *testing.T) {
	tab, rs := incentiveTable()
	got := map[string][]byte{}
	var bytes int
	indexIncentives(tab.Height, rs, []types.EpochTable{tab}, func(k, v []byte) {
		if _, dup := got[string(k)]; dup {
			t.Fatalf("key written twice: %x", k)
		}
		got[string(k)] = v
		bytes += len(k) + len(v)
	})
	read := func(a types.Address, ev uint32) *Incentive {
		v, ok := got[string(addrIndexKey(a, EventRef{tab.Height, 2, ev}))]
		if !ok {
			return nil
		}
		in, err := decodeIncentive(a, v)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	if read(tab.Rows[0].Hotkey, 0) != nil {
		t.Fatal("a UID paid dividends only has an incentive record")
	}
	// Records are ranked 0, 1, … from UID 1 (UID 0 has none, UID 4 none).
	if in := read(tab.Rows[1].Hotkey, 0); in == nil || in.Amount != 50 || in.UID != 1 || in.Netuid != 7 || in.Owner != tab.Owners[1] {
		t.Fatalf("UID 1 (80 emitted, 30 dividends): %+v", in)
	}
	if in := read(tab.Owners[1], 0); in == nil || in.Hotkey != tab.Rows[1].Hotkey || in.Amount != 50 {
		t.Fatalf("UID 1 under its owner: %+v", in)
	}
	if in := read(tab.Rows[5].Hotkey, 3); in == nil || in.Amount != 6 || in.UID != 5 {
		t.Fatalf("UID 5 (dividends on another subnet do not count): %+v", in)
	}
	// 4,094 paid UIDs: two entries each, but one for UID 2 (its own owner)
	// and UID 3 (no owner).
	if len(got) != 2*4094-2 {
		t.Fatalf("%d entries, want %d", len(got), 2*4094-2)
	}
	per := addrIndexKeyLen + incentiveLen
	if bytes != len(got)*per {
		t.Fatalf("%d bytes for %d entries of %d", bytes, len(got), per)
	}
	t.Logf("a 4,096-UID epoch adds %d incentive entries, %d bytes (%d B per entry, %d B per paid UID with an owner)", len(got), bytes, per, 2*per)

	for _, v := range [][]byte{nil, make([]byte, incentiveLen-1), append([]byte{2}, make([]byte, incentiveLen-1)...)} {
		if _, err := decodeIncentive(types.Address{}, v); !errors.Is(err, ErrCorrupt) {
			t.Errorf("record %x: %v, want ErrCorrupt", v, err)
		}
	}
}

// Without owners (a chain that did not fill them) the hotkey still gets
// its record; without epochs nothing is written.
func TestIndexIncentiveWithoutOwners(t *testing.T) {
	tab, rs := incentiveTable()
	tab.Owners = nil
	var n int
	indexIncentives(tab.Height, rs, []types.EpochTable{tab}, func(k, v []byte) { n++ })
	if n != 4094 {
		t.Fatalf("%d entries without owners, want one per paid UID (4094)", n)
	}
	n = 0
	indexIncentives(tab.Height, rs, nil, func(k, v []byte) { n++ })
	if n != 0 {
		t.Fatalf("%d entries without epochs", n)
	}
}
