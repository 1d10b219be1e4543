package dendrite

import (
	"context"
	"testing"
)

// BenchmarkQuery256 is one Query round to 256 in-process axons (httptest
// servers with a trivial handler): signing 256 requests, 256 loopback HTTP
// exchanges, the axons' admission, and verifying 256 signed answers, all on
// this machine's cores. ns/op is the round; ns/op ÷ 256 the per-axon cost.
func BenchmarkQuery256(b *testing.B) {
	tn := newNet(b, 256, sumHandler)
	d, err := New(Config{Key: tn.val, ChainID: 945, Netuid: 1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	Query[sumReq, sumResp](ctx, d, tn.neurons, "sum", sumReq{1, 2}) // warm connections
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range Query[sumReq, sumResp](ctx, d, tn.neurons, "sum", sumReq{1, 2}) {
			if r.Status != StatusOK {
				b.Fatalf("uid %d: %v %v", r.UID, r.Status, r.Err)
			}
		}
	}
}
