package test

import (
	"crypto/ecdsa"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

func waitReceiptOn(t *testing.T, c *gethrpc.Client, h types.Hash) *rpc.ReceiptJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var r *rpc.ReceiptJSON
		if err := c.Call(&r, "tao_getTransactionReceipt", h); err != nil {
			t.Fatal(err)
		}
		if r != nil {
			if r.Status != "success" {
				t.Fatalf("tx %s failed: %s", h, r.Error)
			}
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not committed", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustKey(t *testing.T, path string) *ecdsa.PrivateKey {
	k, err := node.LoadOrCreateValidatorKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
