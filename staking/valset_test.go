package staking

import "testing"

func TestPowerCap(t *testing.T) {
	p := []uint64{100, 10, 10, 10, 10, 10}
	capPowers(p, 300_000) // 30%, 6 validators: the cap holds
	var total uint64
	for _, v := range p {
		total += v
	}
	if p[0]*1_000_000 > 300_000*total+1_000_000 || p[0] < p[1] {
		t.Fatalf("capped powers %v (total %d)", p, total)
	}
	q := []uint64{100, 10}
	capPowers(q, 300_000) // 2 × 30% < 100%: cannot hold
	if q[0] != 100 {
		t.Fatalf("cap applied where it cannot hold: %v", q)
	}
}
