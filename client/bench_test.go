package client_test

import (
	"context"
	"testing"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
)

// BenchmarkSendTransfer: one Send of a paid transfer to an in-process node
// over HTTP (sign, fee, tracked nonce, tao_sendRawTransaction), without
// waiting for inclusion.
func BenchmarkSendTransfer(b *testing.B) {
	tn := clienttest.Start(b)
	c := tn.Dial(b, false)
	s, err := client.NewSigner(devkeys.Key(0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	to := devkeys.Address(1)
	if _, err := c.Send(ctx, s, client.Transfer(to, 1)); err != nil { // warm: chain ID, params, nonce
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Send(ctx, s, client.Transfer(to, 1)); err != nil {
			b.Fatal(err)
		}
	}
}
