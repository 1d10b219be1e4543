package staking

import (
	"errors"
	"testing"
)

// TestScanStrictAndLenient: execution's readers refuse a malformed record,
// the query readers leave it out, and both skip keys that are not records.
func TestScanStrictAndLenient(t *testing.T) {
	x := testBlock(t, 5)
	st := x.State
	CreditStake(st, addr(1), addr(10), 5*tao)
	CreditStake(st, addr(3), addr(10), 7*tao)
	st.Set(key(pStake, addr(10).Bytes(), []byte{1, 2}), []byte{9}) // not a record: wrong key length

	if got, err := nominators(st, addr(10)); err != nil || len(got) != 2 {
		t.Fatalf("nominators = %v, %v; want 2 positions", got, err)
	}
	// A stake position whose value is not a u64.
	st.Set(key(pStake, addr(10).Bytes(), addr(2).Bytes()), []byte{1, 2, 3})
	if _, err := nominators(st, addr(10)); !errors.Is(err, ErrMalformedRecord) {
		t.Fatalf("strict scan over a malformed record: %v, want ErrMalformedRecord", err)
	}
	got := Nominators(st, addr(10))
	if len(got) != 2 || got[0].Coldkey != addr(1) || got[0].Amount != 5*tao || got[1].Coldkey != addr(3) || got[1].Amount != 7*tao {
		t.Fatalf("lenient scan = %+v, want addr(1) 5 TAO and addr(3) 7 TAO", got)
	}

	addUnbonding(st, Unbonding{Coldkey: addr(1), Hotkey: addr(10), Amount: tao, ReleaseAt: 9})
	st.Set(key(pUnbond, addr(10).Bytes(), u64b(8), addr(2).Bytes()), []byte{1})
	if _, err := unbondingOfHotkey(st, addr(10)); !errors.Is(err, ErrMalformedRecord) {
		t.Fatalf("strict unbonding scan: %v, want ErrMalformedRecord", err)
	}
	if u := UnbondingOfHotkey(st, addr(10)); len(u) != 1 || u[0].Amount != tao || u[0].ReleaseAt != 9 {
		t.Fatalf("lenient unbonding scan = %+v", u)
	}
}
