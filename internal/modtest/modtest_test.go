package modtest

import (
	"testing"

	"github.com/taonet/taod/types"
)

func TestState(t *testing.T) {
	a, b := types.Address{1}, types.Address{2}
	st := State(t, 7, a, b)
	if got := st.Account(a).Balance; got != 7 {
		t.Fatalf("balance of a = %d, want 7", got)
	}
	if got := st.Account(b).Balance; got != 7 {
		t.Fatalf("balance of b = %d, want 7", got)
	}
	if got := st.Account(types.Address{3}).Balance; got != 0 {
		t.Fatalf("an unfunded account holds %d", got)
	}
	if got := st.Issuance(); got != 14 {
		t.Fatalf("issuance = %d, want 14", got)
	}
	// Each call is a new store: nothing leaks between tests.
	if got := State(t, 1).Account(a).Balance; got != 0 {
		t.Fatalf("a second state sees %d from the first", got)
	}
}
