package subnet

import (
	"errors"
	"testing"

	"github.com/taonet/taod/types"
)

func TestAdjustCost(t *testing.T) {
	cases := []struct{ cur, regs, target, lo, hi, want uint64 }{
		{1000, 2, 2, 1, 1 << 40, 1000},         // on target: unchanged
		{1000, 6, 2, 1, 1 << 40, 2000},         // 3× target: doubles
		{1000, 0, 2, 1, 1 << 40, 500},          // none: halves
		{1000, 0, 2, 800, 1 << 40, 800},        // clamped low
		{1000, 100, 2, 1, 5000, 5000},          // clamped high
		{1 << 63, 100, 1, 1, 1 << 63, 1 << 63}, // no overflow
	}
	for _, c := range cases {
		if got := AdjustCost(c.cur, c.regs, c.target, c.lo, c.hi); got != c.want {
			t.Errorf("AdjustCost(%d, %d, %d) = %d, want %d", c.cur, c.regs, c.target, got, c.want)
		}
	}
}

func TestCheckWork(t *testing.T) {
	if !CheckWork(types.Hash{0x00, 0x01}, 1<<10) || CheckWork(types.Hash{0xff}, 2) || !CheckWork(types.Hash{0x7f, 0xff}, 2) {
		t.Fatal("work bounds")
	}
	// Mining finds a seal within a few thousand tries at difficulty 1024.
	found := false
	for nonce := uint64(0); nonce < 50_000 && !found; nonce++ {
		found = CheckWork(types.PowSeal(1, types.Address{1}, types.Address{2}, types.Hash{3}, nonce), 1024)
	}
	if !found {
		t.Fatal("no seal found")
	}
}

func TestLockCost(t *testing.T) {
	if got := LockCost(100, 0, 0, 10, 1000); got != 200 {
		t.Fatalf("fresh lock %d", got)
	}
	if got := LockCost(100, 0, 500, 10, 1000); got != 150 {
		t.Fatalf("half decayed %d", got)
	}
	if got := LockCost(100, 0, 10_000, 10, 1000); got != 10 {
		t.Fatalf("fully decayed %d", got)
	}
}

func TestChoosePrune(t *testing.T) {
	c := []PruneCandidate{{0, 0, 5}, {1, 90, 0}, {2, 0, 3}, {3, 0, 3}}
	if uid, _ := ChoosePrune(c, 100, 50); uid != 2 {
		t.Fatalf("non-immune lowest score, lowest uid: %d", uid)
	}
	if uid, _ := ChoosePrune(c, 100, 1000); uid != 1 {
		t.Fatalf("all immune: lowest score: %d", uid)
	}
}

func TestCheckWeights(t *testing.T) {
	h := Default()
	h.MinAllowedWeights = 2
	h.MaxWeightLimit = 40000
	cases := []struct {
		uids, w []uint16
		want    error
	}{
		{[]uint16{1, 2}, []uint16{1, 1}, nil},
		{[]uint16{1}, []uint16{1}, ErrTooFewWeights},
		{[]uint16{1, 9}, []uint16{1, 1}, ErrUnknownUID},
		{[]uint16{1, 2}, []uint16{0, 0}, ErrZeroWeights},
		{[]uint16{1, 2}, []uint16{100, 1}, ErrWeightTooLarge},
	}
	for _, c := range cases {
		if err := CheckWeights(h, 5, 0, c.uids, c.w); !errors.Is(err, c.want) {
			t.Errorf("%v %v: %v, want %v", c.uids, c.w, err, c.want)
		}
	}
}

func TestHyperparamsSet(t *testing.T) {
	h := Default()
	if err := h.Set("kappa", 40000, true); err != nil || h.Kappa != 40000 {
		t.Fatal(err)
	}
	if err := h.Set("tempo", 10, true); !errors.Is(err, ErrNotOwnerParam) {
		t.Fatalf("tempo by owner: %v", err)
	}
	if err := h.Set("tempo", 10, false); err != nil || h.Tempo != 10 {
		t.Fatalf("tempo by governance: %v", err)
	}
	if err := h.Set("kappa", 70000, true); !errors.Is(err, ErrOutOfBounds) {
		t.Fatalf("bounds: %v", err)
	}
	if err := h.Set("min_burn", h.MaxBurn+1, true); err == nil || h.MinBurn > h.MaxBurn {
		t.Fatalf("inconsistent accepted: %v", err)
	}
	if err := h.Set("nope", 1, true); !errors.Is(err, ErrUnknownParam) {
		t.Fatalf("unknown: %v", err)
	}
}
