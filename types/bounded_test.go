package types

import "testing"

// The map keeps the newest size entries (oldest out, re-adds ignored) and
// allocates as entries arrive, never past its bound.
func TestBoundedMapEvictsOldestAndGrowsLazily(t *testing.T) {
	cases := []struct {
		name     string
		size     int
		adds     []int // keys added in order; the value is key*10
		want     []int // keys present afterwards
		gone     []int // keys evicted
		maxRing  int   // bound on the ring's allocation
		wantRing int   // the ring's allocation afterwards; -1: any up to maxRing
	}{
		{name: "empty", size: 1 << 16, adds: nil, gone: []int{0}, maxRing: 0, wantRing: 0},
		{name: "few in a large map", size: 1 << 16, adds: []int{1, 2, 3}, want: []int{1, 2, 3}, maxRing: minBoundedRing, wantRing: minBoundedRing},
		{name: "size below the first allocation", size: 3, adds: []int{1, 2, 3, 4}, want: []int{2, 3, 4}, gone: []int{1}, maxRing: 3, wantRing: 3},
		{name: "zero size holds one", size: 0, adds: []int{1, 2}, want: []int{2}, gone: []int{1}, maxRing: 1, wantRing: 1},
		{name: "re-add keeps the first arrival's place", size: 2, adds: []int{1, 2, 1, 3}, want: []int{2, 3}, gone: []int{1}, maxRing: 2, wantRing: 2},
		{name: "growth stops at the bound", size: 100, adds: seq(0, 250), want: seq(150, 250), gone: seq(0, 150), maxRing: 100, wantRing: 100},
		{name: "doubles", size: 1000, adds: seq(0, 65), want: seq(0, 65), maxRing: 2 * minBoundedRing, wantRing: 2 * minBoundedRing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBoundedMap[int, int](tc.size)
			for _, k := range tc.adds {
				b.add(k, k*10)
			}
			for _, k := range tc.want {
				if v, ok := b.get(k); !ok || v != k*10 {
					t.Errorf("get(%d) = %d, %v; want %d, true", k, v, ok, k*10)
				}
			}
			for _, k := range tc.gone {
				if _, ok := b.get(k); ok {
					t.Errorf("get(%d) found an entry that should be gone", k)
				}
			}
			if b.len() != len(tc.want) {
				t.Errorf("len %d, want %d", b.len(), len(tc.want))
			}
			if c := b.ringCap(); c > tc.maxRing || tc.wantRing >= 0 && c != tc.wantRing {
				t.Errorf("ring allocation %d, want %d (at most %d)", c, tc.wantRing, tc.maxRing)
			}
		})
	}
}

// seq is [from, to).
func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// An empty cache of the chain's default size costs almost nothing: the
// bound is allocated only as entries arrive.
func TestNewSenderCacheAllocatesLazily(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() { NewSenderCache(DefaultSenderCacheSize) })
	if allocs > 2 {
		t.Fatalf("NewSenderCache: %.0f allocations, want at most 2 (no preallocation)", allocs)
	}
	c := NewSenderCache(DefaultSenderCacheSize)
	if n := c.m.ringCap(); n != 0 {
		t.Fatalf("an empty cache's ring holds %d slots, want 0", n)
	}
}
