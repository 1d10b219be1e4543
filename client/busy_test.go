package client_test

import (
	"errors"
	"testing"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/txpool"
)

func TestRejectedBusy(t *testing.T) {
	busy := &client.RejectedError{Code: rpc.CodeTxBusy, Msg: "txpool: busy: 5000 txs pending, admission bound 2000 (about 1.0 blocks of 2000 txs); retry later"}
	invalid := &client.RejectedError{Code: rpc.CodeTxRejected, Msg: "invalid transaction: chain: wrong chain id"}
	for _, tc := range []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"busy is busy", busy, client.ErrBusy, true},
		{"busy is a refusal", busy, client.ErrRejected, true},
		{"busy names the pool's sentinel", busy, txpool.ErrBusy, true},
		{"invalid is not busy", invalid, client.ErrBusy, false},
		{"invalid does not name the pool's busy", invalid, txpool.ErrBusy, false},
	} {
		if got := errors.Is(tc.err, tc.target); got != tc.want {
			t.Errorf("%s: errors.Is = %v, want %v", tc.name, got, tc.want)
		}
	}
}
